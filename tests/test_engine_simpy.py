"""The SimPy engine against exact queueing results, and the invariants of the call-centre story.

Exact values are computed here, independently of simulate.erlang: Erlang B by its recursion,
Erlang C from B, and Erlang A (M/M/n+M) from the birth-death chain with abandonment rate
(k - n) * theta, truncated far in the tail (exact to machine precision), plus the chance of being
answered within t from the chain of "callers ahead" (matrix exponential). Long single-interval
runs (first 10 handle times dropped as warm-up) must agree within a 99% replication interval
plus a small absolute tolerance.

The engine simulates a :class:`simulate.workload.Workload` (demand, policy and agents aligned per
interval); ``workload(calls, agents, interval_s, scenario)`` of conftest builds one from arrays.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import workload
from scipy import stats
from scipy.linalg import expm

from simulate import Demand, Scenario
from simulate.engine_simpy import simulate_replication
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CALLBACK,
    OUTCOME_CONTAINED,
)
from simulate.workload import build_workload

AHT = 60.0  # a short handle time keeps runs short; the queue only sees the load aht x rate


# ----------------------------------------------------------------------------- exact formulas
def exact_erlang_b(n: int, a: float) -> float:
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def exact_erlang_c(n: int, a: float) -> float:
    b = exact_erlang_b(n, a)
    return n * b / (n - a * (1 - b))


def exact_erlang_a(n: int, lam: float, mu: float, theta: float, t: float) -> dict[str, float]:
    """M/M/n+M: abandon share, P(answered within t), P(answered at once) for an arriving caller."""
    extra = int(20 * math.sqrt(lam / theta + n) + 2 * max(lam - n * mu, 0.0) / theta) + 50
    k = np.arange(n + extra + 1)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam / death[1:]))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    assert p[-1] < 1e-14, "truncate further out"
    abandon = theta * (p * np.maximum(k - n, 0)).sum() / lam
    # A caller finding j callers ahead is answered after j + 1 departures from the calls ahead
    # (rate n*mu + i*theta with i ahead) unless their own patience (rate theta) runs out first.
    at_once = p[:n].sum()
    if t == 0:
        return {"abandon_rate": abandon, "service_level": at_once, "at_once": at_once}
    J = extra + 1
    Q = np.zeros((J + 2, J + 2))
    served, gone = J, J + 1
    for j in range(J):
        Q[j, served if j == 0 else j - 1] += n * mu + j * theta
        Q[j, gone] += theta
        Q[j, j] = -(n * mu + j * theta + theta)
    P = expm(Q * t)
    return {"abandon_rate": abandon, "service_level": at_once + p[n:n + J] @ P[:J, served], "at_once": at_once}


# ----------------------------------------------------------------------------- stationary runs
def stationary_kpis(scenario: Scenario, agents: int, rate: float, horizon_s: float, replications: int,
                    seed: int) -> dict:
    """Per-replication KPIs of one long interval at ``rate`` calls/s with ``agents`` on duty, after a
    warm-up of 10 aht."""
    warmup = 10 * scenario.aht
    out: dict[str, list[float]] = {"service_level": [], "asa_s": [], "abandon_rate": [], "blocking": [],
                                   "p_wait": []}
    work = workload([rate * horizon_s], agents, horizon_s, scenario)
    for child in np.random.SeedSequence(seed).spawn(replications):
        rec = simulate_replication(work, scenario, child)
        keep = rec.arrival_s >= warmup
        o, w = rec.outcome[keep], rec.wait_s[keep]
        answered, abandoned = o == OUTCOME_ANSWERED, o == OUTCOME_ABANDONED
        served_or_gone = answered.sum() + abandoned.sum()
        out["service_level"].append((answered & (w <= scenario.sl_threshold)).sum() / served_or_gone)
        out["asa_s"].append(w[answered].mean())
        out["abandon_rate"].append(abandoned.sum() / served_or_gone)
        out["blocking"].append((o == OUTCOME_BLOCKED).mean())
        out["p_wait"].append((answered & (w > 0)).sum() / served_or_gone)
    return {k: np.array(v) for k, v in out.items()}


def assert_matches(values: np.ndarray, exact: float, abs_tol: float, what: str) -> None:
    """``exact`` lies in the 99% t-interval of the replication mean, widened by ``abs_tol``."""
    mean = values.mean()
    half = stats.t.ppf(0.995, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    assert abs(mean - exact) <= half + abs_tol, (
        f"{what}: simulated {mean:.5f} +/- {half:.5f} vs exact {exact:.5f}")


ERLANG_C_CASES = [  # agents, offered load (Erlang), sl_threshold s, horizon s per replication
    (5, 3.5, 20.0, 200_000.0),
    (50, 42.5, 5.0, 16_000.0),
    (500, 465.0, 2.0, 2_400.0),
]


@pytest.mark.parametrize("agents, load, threshold, horizon", ERLANG_C_CASES, ids=["5", "50", "500"])
def test_erlang_c_matches_exact_for_small_medium_large_centres(agents, load, threshold, horizon):
    s = Scenario(aht=AHT, sl_threshold=threshold)
    rate = load / AHT
    kpi = stationary_kpis(s, agents, rate, horizon, replications=8, seed=agents)
    c = exact_erlang_c(agents, load)
    decay = agents / AHT - rate
    assert_matches(kpi["p_wait"], c, 0.01, f"P(wait>0) for {agents} agents")
    assert_matches(kpi["service_level"], 1 - c * math.exp(-decay * threshold), 0.01, f"SL for {agents} agents")
    if agents < 500:
        # at 500 agents waits are rare (7% of callers) and come in bursts, so the ASA of 8 short
        # replications is too skewed to test: over seeds 0-99, 9 would fail with a correct engine
        # and an engine one percent short of agents would pass; P(wait) and SL test those waits
        assert_matches(kpi["asa_s"], c / decay, 0.05 * c / decay, f"ASA for {agents} agents")
    assert np.all(kpi["abandon_rate"] == 0) and np.all(kpi["blocking"] == 0)


ERLANG_A_CASES = [  # agents, offered load, mean patience s, sl_threshold s, horizon s
    (5, 5.0, 120.0, 20.0, 60_000.0),
    (50, 50.0, 120.0, 5.0, 12_000.0),
    (500, 510.0, 60.0, 2.0, 1_800.0),
]


@pytest.mark.parametrize("agents, load, patience, threshold, horizon", ERLANG_A_CASES, ids=["5", "50", "500"])
def test_erlang_a_matches_exact_for_small_medium_large_centres(agents, load, patience, threshold, horizon):
    s = Scenario(aht=AHT, patience=patience, sl_threshold=threshold)
    rate = load / AHT
    kpi = stationary_kpis(s, agents, rate, horizon, replications=8, seed=1000 + agents)
    exact = exact_erlang_a(agents, rate, 1 / AHT, 1 / patience, threshold)
    assert_matches(kpi["abandon_rate"], exact["abandon_rate"], 0.005, f"abandon rate for {agents} agents")
    assert_matches(kpi["service_level"], exact["service_level"], 0.01, f"SL for {agents} agents")
    assert_matches(1 - kpi["p_wait"] - kpi["abandon_rate"], exact["at_once"], 0.01,
                   f"answered at once for {agents} agents")


@pytest.mark.parametrize("agents, load, horizon", [(5, 4.0, 60_000.0), (50, 45.0, 12_000.0), (500, 500.0, 2_000.0)],
                         ids=["5", "50", "500"])
def test_erlang_b_blocking_matches_exact_when_lines_equal_agents(agents, load, horizon):
    s = Scenario(aht=AHT, lines=agents, max_attempts=1)
    kpi = stationary_kpis(s, agents, load / AHT, horizon, replications=8, seed=2000 + agents)
    assert_matches(kpi["blocking"], exact_erlang_b(agents, load), 0.004, f"blocking for {agents} agents")
    assert np.all(kpi["p_wait"] == 0)


def test_exact_formulas_agree_with_each_other():
    # Erlang A with almost infinite patience is Erlang C; a sanity check of the test's own formulas.
    a = exact_erlang_a(10, 8 / AHT, 1 / AHT, 1e-7, 0.0)
    assert a["at_once"] == pytest.approx(1 - exact_erlang_c(10, 8.0), abs=1e-5)
    assert exact_erlang_b(1, 1.0) == 0.5


# ----------------------------------------------------------------------------- a surge over two days
L = 1800.0
PER_DAY = 48
OPEN = [k for day in range(2) for k in range(day * PER_DAY + 16, day * PER_DAY + 40)]  # 08:00-20:00


def surge_inputs():
    n = 2 * PER_DAY
    calls = np.zeros(n)
    agents = np.zeros(n, dtype=np.int64)
    shape = np.sin(np.linspace(0.2, math.pi - 0.2, 24))
    for day in range(2):
        idx = np.arange(day * PER_DAY + 16, day * PER_DAY + 40)
        calls[idx] = 40 + 60 * shape
        agents[idx] = np.where(np.arange(24) % 6 < 3, 8, 12) + 4 * day
    scenario = Scenario(
        name="surge", aht=400.0, aht_dist="lognormal", aht_cv=0.8,
        patience=240.0, patience_dist="weibull", patience_cv=0.7, lines=30, redial_prob=0.6, redial_delay=1800.0,
        max_attempts=4, ivr_containment=0.15, ivr_time=30.0, residual_aht_factor=1.2,
        # the offer announces (on hold + 1) x the interval's mean handle time (516 s: the 70/30 mix of
        # 400 and 500 s, x 1.2 after the IVR) / agents; 387 s offers a callback where an estimate of 400 s
        # per call would exceed 300 s: a busy surge where callbacks relieve the queue without emptying it
        callback_threshold=387.0, callback_accept=0.5, callback_deadline=3600.0,
        call_types={"status": {"share": 0.7}, "urgent": {"share": 0.3, "aht": 500.0, "patience": 400.0,
                                                          "priority": -1}},
    )
    return calls, agents, scenario


@pytest.fixture(scope="module", params=["serve", "drop"])
def surge(request):
    """The two-day surge under each closing rule: (calls, workload, scenario, records)."""
    calls, agents, scenario = surge_inputs()
    scenario = scenario.replace(at_close=request.param)
    work = workload(calls, agents, L, scenario)
    rec = simulate_replication(work, scenario, np.random.SeedSequence(42))
    return calls, work, scenario, rec


def test_every_attempt_has_exactly_one_outcome(surge):
    _, _, _, rec = surge
    counts = np.bincount(rec.outcome, minlength=5)
    assert len(counts) == 5 and counts.sum() == len(rec)
    assert all(counts > 0), f"the surge should produce every outcome, got {counts}"
    blocked_or_contained = np.isin(rec.outcome, [OUTCOME_BLOCKED, OUTCOME_CONTAINED])
    assert np.isnan(rec.wait_s[blocked_or_contained]).all() and not np.isnan(rec.wait_s[~blocked_or_contained]).any()
    assert not np.isnan(rec.answer_s[rec.outcome == OUTCOME_ANSWERED]).any()
    served = (rec.outcome == OUTCOME_ANSWERED) | ((rec.outcome == OUTCOME_CALLBACK) & ~np.isnan(rec.answer_s))
    assert np.array_equal(~np.isnan(rec.service_s), served)
    assert (rec.wait_s[rec.outcome == OUTCOME_CALLBACK] == 0).all()


def test_redials_follow_a_blocked_or_abandoned_attempt_of_the_same_caller(surge):
    _, _, scenario, rec = surge
    by_key = {(c, a): i for i, (c, a) in enumerate(zip(rec.caller.tolist(), rec.attempt.tolist()))}
    redials = np.flatnonzero(rec.attempt > 1)
    assert len(redials) > 100
    for i in redials:
        prev = by_key[(int(rec.caller[i]), int(rec.attempt[i]) - 1)]
        assert rec.outcome[prev] in (OUTCOME_BLOCKED, OUTCOME_ABANDONED)
        assert rec.arrival_s[i] > rec.arrival_s[prev] and rec.call_type[i] == rec.call_type[prev]
    per_caller = np.bincount(rec.caller)
    firsts = np.bincount(rec.caller[rec.attempt == 1], minlength=len(per_caller))
    assert (per_caller >= 1).all() and (firsts == 1).all() and rec.attempt.max() <= scenario.max_attempts


def test_attempts_in_a_closed_interval_are_blocked_and_no_one_arrives_after_the_horizon(surge):
    calls, work, _, rec = surge
    closed = (calls == 0) & (work.agents == 0)
    np.testing.assert_array_equal(work.closed, closed)
    assert (rec.outcome[closed[rec.interval]] == OUTCOME_BLOCKED).all()
    assert closed[rec.interval].sum() > 0  # some redials did land at night
    assert rec.arrival_s.max() < len(calls) * L
    assert np.array_equal(rec.interval, np.minimum(rec.arrival_s // L, len(calls) - 1).astype(np.int32))


def test_nobody_waits_through_a_closed_night(surge):
    calls, work, scenario, rec = surge
    closed = work.closed
    closed_before = np.concatenate([[0], np.cumsum(closed)])
    queued = np.isin(rec.outcome, [OUTCOME_ANSWERED, OUTCOME_ABANDONED]) & (rec.wait_s > 0)
    join = rec.arrival_s[queued] + scenario.ivr_time
    leave = join + rec.wait_s[queued]
    k_join = np.minimum((join // L).astype(int), len(calls) - 1)
    k_leave = np.minimum(((leave - 1e-6) // L).astype(int), len(calls) - 1)
    if scenario.at_close == "drop":
        # callers who reach the queue at closing (after the IVR) are let go at once, without waiting
        assert (closed_before[k_leave + 1] - closed_before[k_join] == 0).all()
    else:
        # the closing interval's agents serve the callers still inside: some leave the queue after
        # closing time, but none is still waiting when the centre opens again
        assert (closed[k_leave] & ~closed[k_join]).sum() > 0
        reopen = np.concatenate([[0], np.cumsum(~closed[1:] & closed[:-1])])  # openings up to interval k
        assert (reopen[k_leave] == reopen[k_join]).all()


def test_callbacks_are_carried_to_the_next_day_and_made_only_while_open(surge):
    _, work, _, rec = surge
    cb = (rec.outcome == OUTCOME_CALLBACK) & ~np.isnan(rec.answer_s)
    made_k = np.minimum((rec.answer_s[cb] // L).astype(int), work.n - 1)
    assert (work.agents[made_k] > 0).all() and not work.closed[made_k].any()
    overnight = (rec.interval[cb] < PER_DAY) & (made_k >= PER_DAY)
    assert overnight.sum() > 0


def _peak_concurrency(starts: np.ndarray, ends: np.ndarray):
    """Occupied count after each start (release before take at equal times)."""
    times = np.concatenate([starts, ends])
    delta = np.concatenate([np.ones(len(starts)), -np.ones(len(ends))])
    order = np.lexsort((delta, times))
    level = np.cumsum(delta[order])
    is_start = delta[order] > 0
    return times[order][is_start], level[is_start]


def test_lines_are_never_exceeded(surge):
    _, _, scenario, rec = surge
    o = rec.outcome
    on_line = o != OUTCOME_BLOCKED
    end = rec.arrival_s + scenario.ivr_time
    end = np.where(o == OUTCOME_ABANDONED, end + np.nan_to_num(rec.wait_s), end)
    end = np.where(o == OUTCOME_ANSWERED, rec.answer_s + rec.service_s, end)
    _, level = _peak_concurrency(rec.arrival_s[on_line], end[on_line])
    assert level.max() <= scenario.lines
    assert level.max() == scenario.lines  # the surge does fill the lines


def test_no_call_starts_while_every_agent_on_duty_is_busy(surge):
    _, work, _, rec = surge
    served = ~np.isnan(rec.service_s)
    start, end = rec.answer_s[served], rec.answer_s[served] + rec.service_s[served]
    t, level = _peak_concurrency(start, end)
    k = np.minimum((t // L).astype(int), work.n - 1)
    assert (level <= work.on_duty[k]).all()
    if work.drop_at_close:
        np.testing.assert_array_equal(work.on_duty, work.agents)  # nobody on duty while closed


def test_priority_callers_wait_less(surge):
    _, _, _, rec = surge
    answered = rec.outcome == OUTCOME_ANSWERED
    urgent = rec.wait_s[answered & (rec.call_type == 1)].mean()
    status = rec.wait_s[answered & (rec.call_type == 0)].mean()
    # urgent callers are more patient (400 s vs 240 s), so without priority they would wait longer
    # (ratio 1.2-1.5 over seeds 40-47); with it the ratio is 0.5-0.75
    assert urgent < 0.9 * status


# ----------------------------------------------------------------------------- determinism and CRN
def test_same_seed_gives_identical_records():
    calls, agents, scenario = surge_inputs()
    work = workload(calls, agents, L, scenario)
    a = simulate_replication(work, scenario, np.random.SeedSequence(7))
    b = simulate_replication(work, scenario, np.random.SeedSequence(7))
    for name in ("caller", "attempt", "call_type", "interval", "arrival_s", "outcome", "wait_s", "answer_s",
                 "service_s", "staffed_s"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    c = simulate_replication(work, scenario, np.random.SeedSequence(8))
    assert len(c) != len(a) or not np.array_equal(c.arrival_s, a.arrival_s)


def test_different_scenarios_share_the_first_attempts_of_a_seed():
    calls, agents, scenario = surge_inputs()
    other = scenario.replace(lines=None, patience=900.0, redial_prob=0.1)
    a = simulate_replication(workload(calls, agents, L, scenario), scenario, np.random.SeedSequence(3))
    b = simulate_replication(workload(calls, agents * 2, L, other), other, np.random.SeedSequence(3))
    first_a, first_b = a.attempt == 1, b.attempt == 1
    np.testing.assert_array_equal(a.arrival_s[first_a], b.arrival_s[first_b])
    np.testing.assert_array_equal(a.call_type[first_a], b.call_type[first_b])


@pytest.mark.parametrize("base, more, patience", [(10, 11, 300.0), (10, 13, None), (45, 48, 600.0)])
def test_more_agents_never_lowers_service_level_on_common_random_numbers(base, more, patience):
    horizon = 8 * 3600.0
    load = 0.97 * base
    sl = {}
    for n in (base, more):
        s = Scenario(aht=300.0, patience=patience)
        work = workload([load / 300.0 * horizon], n, horizon, s)
        vals = []
        for child in np.random.SeedSequence(11).spawn(3):
            rec = simulate_replication(work, s, child)
            ans, ab = rec.outcome == OUTCOME_ANSWERED, rec.outcome == OUTCOME_ABANDONED
            vals.append((ans & (rec.wait_s <= 20)).sum() / (ans.sum() + ab.sum()))
        sl[n] = np.array(vals)
    assert (sl[more] >= sl[base]).all(), sl


def test_calls_in_service_at_a_shift_change_finish_and_leavers_take_no_new_call():
    # 10 agents for an hour, then 2: the 8 leaving agents finish their calls, nobody new starts above 2.
    calls = np.array([150.0, 20.0])
    agents = np.array([10, 2])
    s = Scenario(aht=300.0)
    rec = simulate_replication(workload(calls, agents, 3600.0, s), s, np.random.SeedSequence(5))
    assert (rec.outcome == OUTCOME_ANSWERED).all()
    start, end = rec.answer_s, rec.answer_s + rec.service_s
    t, level = _peak_concurrency(start, end)
    assert (level[t >= 3600.0] <= 2).all()
    assert ((start < 3600.0) & (end > 3600.0)).sum() > 2  # some calls ran over the change and finished


def test_inputs_are_checked():
    s = Scenario()
    with pytest.raises(ValueError, match="Workload"):
        simulate_replication(np.ones(3), s, np.random.SeedSequence(0))
    with pytest.raises(ValueError, match="agents"):
        workload(np.ones(3), np.ones(2, dtype=np.int64), 60.0, s)
    two = Demand(ds=pd.date_range("2026-01-05", periods=2, freq="min"), calls=[1.0, 1.0], interval_s=60.0)
    with pytest.raises(ValueError, match="agents"):
        build_workload(two, s, np.array([1, -1]))
    with pytest.raises(ValueError, match="calls"):
        workload(np.array([-1.0]), 1, 60.0, s)
