"""The compiled engine: exact queue theory, the same statistics as the SimPy engine, determinism,
conservation of calls, and the rules of the contract (closing, lines, redials, priorities)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simulate
from simulate import CallType, Scenario, engine_fast, engine_simpy
from simulate.scenario import duration_quantile
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CONTAINED,
    RECORD_FIELDS,
)


def _arrivals(calls, freq: str = "30min", start: str = "2026-01-05 08:00") -> pd.DataFrame:
    calls = np.asarray(calls, dtype=np.float64)
    return pd.DataFrame({"ds": pd.date_range(start, periods=len(calls), freq=freq), "calls": calls})


def _records(calls, scenario: Scenario, seed: int = 0, interval_s: float = 1800.0):
    calls = np.asarray(calls, dtype=np.float64)
    return engine_fast.simulate_replication(calls, scenario.agents_for(len(calls)), interval_s, scenario,
                                            np.random.SeedSequence(seed))


def _same_records(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in (*RECORD_FIELDS, "staffed_s"))


SURGE = Scenario(
    name="surge", agents=(4, 6, 10, 14, 14, 12, 10, 6, 4, 3), aht=240.0, patience=300.0, lines=25,
    redial_prob=0.5, redial_delay=600.0, max_attempts=4, ivr_containment=0.2, ivr_time=30.0,
    residual_aht_factor=1.1,
    call_types=(CallType("status", 0.7, aht=200.0, priority=1),
                CallType("urgent", 0.3, aht=360.0, patience=600.0, priority=0)),
)
SURGE_CALLS = [20, 40, 80, 120, 150, 120, 80, 40, 20, 10]
# three days of 3-hour intervals: open 06:00-18:00, closed nights; busy enough to queue and redial
DAY_CALLS = [0, 0, 140, 160, 160, 140, 0, 0]
DAY_AGENTS = [0, 0, 8, 9, 9, 8, 0, 0]
MULTIDAY = Scenario(name="multiday", agents=tuple(DAY_AGENTS * 3), aht=600.0, patience=500.0, redial_prob=0.6,
                    redial_delay=3600.0, max_attempts=5)

EQUIVALENCE_CASES = {
    "stationary M/M/c+M": (_arrivals(np.full(8, 60.0)), Scenario(name="mmcm", agents=10, aht=240.0, patience=180.0)),
    "surge day": (_arrivals(SURGE_CALLS), SURGE),
    "three days with closed nights": (_arrivals(DAY_CALLS * 3, freq="3h", start="2026-01-05 00:00"), MULTIDAY),
}


def _ci99(x: np.ndarray) -> tuple[float, float]:
    x = x[np.isfinite(x)]
    half = stats.t.ppf(0.995, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean() - half, x.mean() + half


@pytest.mark.parametrize("case", list(EQUIVALENCE_CASES))
def test_every_metric_of_the_fast_engine_lies_in_the_simpy_99pct_interval_and_vice_versa(case):
    arrivals, scenario = EQUIVALENCE_CASES[case]
    simpy_res = simulate.run(arrivals, scenario, replications=30, seed=11, engine="simpy")
    fast_res = simulate.run(arrivals, scenario, replications=30, seed=11, engine="fast")
    assert (simpy_res.engine, fast_res.engine) == ("simpy", "fast")
    failures = []
    for metric in simulate.METRICS:
        a = simpy_res.per_replication[metric].to_numpy(dtype=float)
        b = fast_res.per_replication[metric].to_numpy(dtype=float)
        if np.nanstd(a) == 0 and np.nanstd(b) == 0:
            if not np.isclose(np.nanmean(a), np.nanmean(b)):
                failures.append((metric, np.nanmean(a), np.nanmean(b)))
            continue
        lo_a, hi_a = _ci99(a)
        lo_b, hi_b = _ci99(b)
        if not (lo_a <= np.nanmean(b) <= hi_a and lo_b <= np.nanmean(a) <= hi_b):
            failures.append((metric, np.nanmean(a), np.nanmean(b)))
    assert not failures, f"{case}: (metric, simpy mean, fast mean) outside the other's 99% CI: {failures}"


def test_the_scenarios_of_the_equivalence_test_exercise_every_supported_rule():
    rec = _records(SURGE_CALLS, SURGE, seed=1)
    assert {OUTCOME_BLOCKED, OUTCOME_CONTAINED, OUTCOME_ABANDONED, OUTCOME_ANSWERED} <= set(np.unique(rec.outcome))
    assert rec.attempt.max() > 1 and set(np.unique(rec.call_type)) == {0, 1}
    multi = _records(DAY_CALLS * 3, MULTIDAY, seed=1, interval_s=3 * 3600.0)
    closed = np.isin(multi.interval % 8, [0, 1, 6, 7])
    assert np.any(closed) and np.all(multi.outcome[closed] == OUTCOME_BLOCKED)  # redials into the night
    assert multi.attempt.max() > 1


def test_fast_engine_matches_exact_erlang_c_and_erlang_a_for_a_stationary_queue():
    # 16 Erlangs on 20 agents for 48 hours, 8 replications: the exact steady-state value lies in
    # the 99% interval of the replications (checked: 59 of 60 checks pass over seeds 0-9)
    rate, aht, agents = 0.1, 160.0, 20
    arrivals = _arrivals(np.full(96, rate * 1800), start="2026-01-05 00:00")
    exact_c = {"service_level": float(simulate.service_level_c(rate, aht, agents, 20.0)),
               "asa_s": float(simulate.asa_c(rate, aht, agents)), "occupancy": rate * aht / agents}
    ea = simulate.erlang_a(rate, aht, agents, 120.0, 20.0)
    exact_a = {"abandon_rate": float(ea["p_abandon"]), "service_level": float(ea["service_level"]),
               "asa_s": float(ea["asa_s"])}
    for scenario, exact in ((Scenario(agents=agents, aht=aht), exact_c),
                            (Scenario(agents=agents, aht=aht, patience=120.0), exact_a)):
        res = simulate.run(arrivals, scenario, replications=8, seed=3, engine="fast")
        for metric, value in exact.items():
            lo, hi = _ci99(res.per_replication[metric].to_numpy(dtype=float))
            assert lo <= value <= hi, (scenario.patience, metric, value, lo, hi)
            assert value == pytest.approx(res.summary.loc[metric, "mean"], rel=0.15)


def test_same_seed_gives_identical_records_and_the_seed_object_is_not_consumed():
    seed = np.random.SeedSequence(42)
    calls = np.asarray(SURGE_CALLS, dtype=float)
    a = engine_fast.simulate_replication(calls, SURGE.agents_for(10), 1800.0, SURGE, seed)
    b = engine_fast.simulate_replication(calls, SURGE.agents_for(10), 1800.0, SURGE, seed)
    assert _same_records(a, b)
    c = _records(SURGE_CALLS, SURGE, seed=43)
    assert not _same_records(a, c)


def test_result_does_not_depend_on_how_many_redial_rows_were_drawn_in_advance(monkeypatch):
    # two lines for 360 callers: most attempts are blocked and redialled, far more failures than
    # one block of 1024 pre-drawn redial rows
    scenario = Scenario(agents=2, aht=600.0, patience=60.0, lines=2, redial_prob=0.9, redial_delay=120.0,
                        max_attempts=8)
    calls = np.full(6, 60.0)
    normal = _records(calls, scenario, seed=5)
    assert len(normal) > 1024 + 360  # more redials than the first block of rows: a rerun happened
    monkeypatch.setattr(engine_fast, "_initial_blocks", lambda m: 8)  # no rerun needed
    regrown = _records(calls, scenario, seed=5)
    assert len(normal) > 2 * len(np.unique(normal.caller))
    assert _same_records(normal, regrown)


def test_every_attempt_has_one_outcome_and_callers_redial_in_order():
    rec = _records(SURGE_CALLS, SURGE, seed=2)
    assert set(np.unique(rec.outcome)) <= {OUTCOME_BLOCKED, OUTCOME_CONTAINED, OUTCOME_ABANDONED, OUTCOME_ANSWERED}
    first = rec.attempt == 1
    assert np.array_equal(np.sort(rec.caller[first]), np.arange(first.sum()))  # one first call per caller
    order = np.lexsort((rec.attempt, rec.caller))
    caller, attempt, arrival = rec.caller[order], rec.attempt[order], rec.arrival_s[order]
    same = caller[1:] == caller[:-1]
    assert np.all(attempt[1:][same] == attempt[:-1][same] + 1)  # attempts 1, 2, 3... without gaps
    assert np.all(arrival[1:][same] > arrival[:-1][same])
    prev = rec.outcome[order][:-1][same]
    assert np.all(np.isin(prev, [OUTCOME_BLOCKED, OUTCOME_ABANDONED]))  # only failures redial
    assert rec.attempt.max() <= SURGE.max_attempts
    assert np.all(rec.arrival_s < len(SURGE_CALLS) * 1800.0)
    assert np.array_equal(rec.interval, (rec.arrival_s // 1800.0).astype(np.int32))


def test_waits_answers_and_service_times_are_consistent_with_outcomes():
    rec = _records(SURGE_CALLS, SURGE, seed=4)
    ans = rec.outcome == OUTCOME_ANSWERED
    ab = rec.outcome == OUTCOME_ABANDONED
    quiet = ~(ans | ab)
    assert np.all(np.isnan(rec.wait_s[quiet])) and np.all(np.isnan(rec.answer_s[~ans]))
    assert np.all(np.isnan(rec.service_s[~ans])) and np.all(rec.service_s[ans] > 0)
    assert np.all(rec.wait_s[ans | ab] >= 0)
    # the queue is joined after the IVR, so an answer comes ivr_time + wait after arrival
    np.testing.assert_allclose(rec.answer_s[ans], rec.arrival_s[ans] + SURGE.ivr_time + rec.wait_s[ans])


def test_agents_and_lines_are_never_exceeded():
    rec = _records(SURGE_CALLS, SURGE, seed=6)
    agents = np.asarray(SURGE.agents)
    ans = rec.outcome == OUTCOME_ANSWERED
    start, end = rec.answer_s[ans], rec.answer_s[ans] + rec.service_s[ans]
    # agents on a call just after each call starts <= agents on shift in that interval
    for t in start[::7]:
        on_call = np.sum((start <= t) & (end > t))
        assert on_call <= agents[min(int(t // 1800), len(agents) - 1)]
    # lines: IVR + queue + service just after each admitted arrival <= lines
    admitted = rec.outcome != OUTCOME_BLOCKED
    end_all = rec.answer_s + np.nan_to_num(rec.service_s)
    leave = np.where(ans, end_all, np.where(rec.outcome == OUTCOME_CONTAINED, rec.arrival_s + SURGE.ivr_time,
                                        rec.arrival_s + SURGE.ivr_time + np.nan_to_num(rec.wait_s)))
    arr, lv = rec.arrival_s[admitted], leave[admitted]
    for t in arr[::5]:
        assert np.sum((arr <= t) & (lv > t)) <= SURGE.lines


def test_urgent_calls_wait_less_than_low_priority_calls():
    scenario = Scenario(agents=10, aht=300.0, call_types=(CallType("status", 0.5, priority=1),
                                                          CallType("urgent", 0.5, priority=0)))
    rec = _records(np.full(6, 58.0), scenario, seed=7)  # 9.7 Erlangs on 10 agents
    ans = rec.outcome == OUTCOME_ANSWERED
    assert ans.all()
    urgent = rec.wait_s[ans & (rec.call_type == 1)].mean()
    status = rec.wait_s[ans & (rec.call_type == 0)].mean()
    assert urgent < 0.5 * status


def test_callers_waiting_at_closing_time_hang_up_at_closing_and_nobody_is_served_at_night():
    scenario = Scenario(agents=(3, 0, 3), aht=900.0, patience=None)
    rec = _records([40, 0, 40], scenario, seed=8)
    ab = rec.outcome == OUTCOME_ABANDONED
    assert ab.any()
    np.testing.assert_allclose(rec.arrival_s[ab] + rec.wait_s[ab], 1800.0)
    ans = rec.outcome == OUTCOME_ANSWERED
    starts = rec.answer_s[ans]
    assert not np.any((starts >= 1800.0) & (starts < 3600.0))
    # end of horizon with agents: everyone still waiting is served to completion
    assert not np.any(ab & (rec.interval == 2))


def test_supports_says_no_to_callbacks_and_auto_falls_back_to_simpy():
    scenario = Scenario(agents=5, aht=300.0, callback_threshold=60.0)
    ok, reason = engine_fast.supports(scenario)
    assert not ok and "callback" in reason
    assert engine_fast.supports(SURGE) == (True, "")
    res = simulate.run(_arrivals([30, 30]), scenario, replications=2, engine="auto")
    assert res.engine == "simpy"
    with pytest.raises(ValueError, match="callback"):
        _records([30, 30], scenario)


@pytest.mark.parametrize("dist, cv", [("exponential", 1.0), ("lognormal", 0.6), ("weibull", 0.6)])
def test_unit_quantile_is_the_scenario_duration_quantile_with_mean_one(dist, cv):
    u = np.random.default_rng(0).random(100_000)
    x = engine_fast.unit_quantile(u, dist, cv)
    np.testing.assert_allclose(x, duration_quantile(u, 1.0, dist, cv), rtol=1e-14)
    assert x.mean() == pytest.approx(1.0, abs=0.02)
    assert x.std() / x.mean() == pytest.approx(cv, abs=0.03)


CALL_FOR_CALL_CASES = {
    **EQUIVALENCE_CASES,
    "lognormal handle times, weibull patience, lines, IVR without containment": (
        _arrivals(SURGE_CALLS),
        Scenario(name="dists", agents=SURGE.agents, aht=240.0, aht_dist="lognormal", aht_cv=1.3, patience=200.0,
                 patience_dist="weibull", patience_cv=0.7, lines=22, ivr_time=45.0, redial_prob=0.3,
                 max_attempts=3)),
    "callers who never hang up, agents leaving mid-queue": (
        _arrivals([80, 80, 80, 0, 0, 60]),
        Scenario(name="patient", agents=(14, 9, 5, 0, 0, 8), aht=300.0)),
}


@pytest.mark.parametrize("case", list(CALL_FOR_CALL_CASES))
def test_fast_engine_reproduces_the_simpy_engine_call_for_call_on_the_same_seed(case):
    # both engines draw the same callers and redial values from the same streams, so the same
    # rules give the same attempts with the same outcomes and times
    arrivals, scenario = CALL_FOR_CALL_CASES[case]
    ds, calls, step = simulate.arrivals_from_frame(arrivals)
    agents = scenario.agents_for(len(calls))
    for seed in (0, 1):
        a = engine_simpy.simulate_replication(calls, agents, step, scenario, np.random.SeedSequence(seed))
        b = engine_fast.simulate_replication(calls, agents, step, scenario, np.random.SeedSequence(seed))
        ia, ib = np.lexsort((a.attempt, a.caller)), np.lexsort((b.attempt, b.caller))
        for field in ("caller", "attempt", "call_type", "interval", "outcome"):
            np.testing.assert_array_equal(getattr(a, field)[ia], getattr(b, field)[ib], err_msg=field)
        for field in ("arrival_s", "wait_s", "answer_s", "service_s"):
            np.testing.assert_allclose(getattr(a, field)[ia], getattr(b, field)[ib], rtol=1e-9, atol=1e-6,
                                       err_msg=field)


def test_first_callers_are_drawn_exactly_as_the_simpy_engine_draws_them():
    calls = np.asarray(SURGE_CALLS, dtype=float)
    seed = np.random.SeedSequence(12)
    first = engine_simpy.draw_first_attempts(calls, 1800.0, SURGE,
                                                      engine_simpy.spawn_streams(seed))
    rec = engine_fast.simulate_replication(calls, SURGE.agents_for(10), 1800.0, SURGE, seed)
    n = len(first["arrival_s"])
    np.testing.assert_array_equal(rec.arrival_s[:n], first["arrival_s"])
    np.testing.assert_array_equal(rec.interval[:n], first["interval"])
    np.testing.assert_array_equal(rec.call_type[:n], first["call_type"])
    assert np.all(rec.attempt[:n] == 1) and np.all(rec.attempt[n:] > 1)


def test_bad_inputs_raise_value_errors_naming_the_problem():
    sc = Scenario(agents=2)
    with pytest.raises(ValueError, match="same non-zero length"):
        engine_fast.simulate_replication(np.ones(3), np.ones(2, np.int64), 1800.0, sc, np.random.SeedSequence(0))
    with pytest.raises(ValueError, match="interval_s"):
        engine_fast.simulate_replication(np.ones(2), np.ones(2, np.int64), 0.0, sc, np.random.SeedSequence(0))
    with pytest.raises(ValueError, match="calls"):
        engine_fast.simulate_replication(np.array([1.0, -1.0]), np.ones(2, np.int64), 60.0, sc,
                                         np.random.SeedSequence(0))


def _random_fcfs_case(rng: np.random.Generator):
    """A scenario the first-come-first-served recursion handles (one priority class, no lines), with
    what makes it hard: agents changing, intervals with no agents, closed intervals, an IVR with or
    without delay, two call types, non-exponential patience, redials (some into closed hours)."""
    n_int = int(rng.integers(1, 40))
    interval_s = float(rng.choice([60.0, 900.0, 1800.0, 3600.0]))
    calls = rng.uniform(0, 60, n_int) * rng.choice([0, 1, 1, 1], n_int)
    agents = rng.integers(0, 15, n_int) * rng.choice([0, 1, 1, 1, 1], n_int)
    kw = {"agents": tuple(int(a) for a in agents), "aht": float(rng.choice([60.0, 300.0, 1200.0]))}
    patience = rng.choice([np.nan, 30.0, 200.0, 900.0])
    if np.isfinite(patience):
        kw.update(patience=float(patience), patience_dist=str(rng.choice(["exponential", "weibull"])),
                  patience_cv=0.7)
    if rng.random() < 0.4:
        kw.update(ivr_time=float(rng.choice([0.0, 30.0, 600.0])), ivr_containment=float(rng.choice([0.0, 0.3])))
    if rng.random() < 0.3:
        kw.update(aht_dist="lognormal", aht_cv=1.4)
    if rng.random() < 0.3:
        kw["call_types"] = (CallType("a", 0.6, aht=200.0, patience=100.0), CallType("b", 0.4, aht=500.0))
    if rng.random() < 0.5:
        kw.update(redial_prob=float(rng.choice([0.3, 0.8, 1.0])), max_attempts=int(rng.integers(2, 6)),
                  redial_delay=float(rng.choice([30.0, 600.0, 7200.0])))
    return calls, np.asarray(agents, np.int64), interval_s, Scenario(name="fcfs", **kw)


@pytest.mark.parametrize("block", range(4))
def test_fcfs_recursion_gives_exactly_the_event_loops_records(block, monkeypatch):
    # the recursion is the default for these scenarios; the event loop is the reference
    rng = np.random.default_rng(1000 + block)
    for i in range(40):
        calls, agents, interval_s, scenario = _random_fcfs_case(rng)
        seed = np.random.SeedSequence([block, i])
        monkeypatch.setattr(engine_fast, "USE_RECURSION", True)
        fast = engine_fast.simulate_replication(calls, agents, interval_s, scenario, seed)
        monkeypatch.setattr(engine_fast, "USE_RECURSION", False)
        loop = engine_fast.simulate_replication(calls, agents, interval_s, scenario, seed)
        assert _same_records(fast, loop), (block, i, scenario)


def test_the_recursion_is_used_when_the_scenario_allows_and_only_then(monkeypatch):
    calls = np.full(6, 80.0)
    used = []
    real = engine_fast._kernel_fcfs

    def spy(*args):
        used.append(True)
        return real(*args)

    monkeypatch.setattr(engine_fast, "_kernel_fcfs", spy)
    _records(calls, Scenario(name="plain", agents=8, aht=300.0, patience=200.0))
    assert used == [True]
    _records(calls, Scenario(name="redials", agents=8, aht=300.0, patience=200.0, redial_prob=0.5, max_attempts=3))
    assert used == [True, True]
    for scenario in (Scenario(name="lines", agents=8, aht=300.0, patience=200.0, lines=12), SURGE):
        _records(calls if scenario is not SURGE else SURGE_CALLS, scenario)  # lines: the event loop
    assert used == [True, True]
