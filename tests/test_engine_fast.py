"""The compiled engine: exact queue theory, the same statistics as the SimPy engine, determinism,
conservation of calls, and the rules of the contract (closing, lines, redials, priorities, handle
time and call-type mix per interval).

Both engines simulate a :class:`simulate.workload.Workload`; ``workload(calls, agents, interval_s,
scenario)`` of conftest builds one from arrays, and ``simulate.run(demand, scenario, staffing)``
builds one from a demand frame and a staffing plan."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import assert_call_for_call, demand_frame, same_records, workload
from scipy import stats

import simulate
from simulate import CallType, Scenario, engine_fast, engine_simpy
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CONTAINED,
)
from simulate.scenario import duration_quantile


def _arrivals(calls, freq: str = "30min", start: str = "2026-01-05 08:00") -> pd.DataFrame:
    return demand_frame(calls, start=start, freq=freq)


def _table(arrivals: pd.DataFrame, agents) -> pd.DataFrame:
    """A staffing table by timestamp for ``arrivals`` (agents: a number or one per row)."""
    return pd.DataFrame({"ds": arrivals["ds"], "agents": np.broadcast_to(agents, len(arrivals))})


def _records(calls, scenario: Scenario, agents, seed: int = 0, interval_s: float = 1800.0):
    return engine_fast.simulate_replication(workload(calls, agents, interval_s, scenario), scenario,
                                            np.random.SeedSequence(seed))


_same_records = same_records

SURGE_AGENTS = (4, 6, 10, 14, 14, 12, 10, 6, 4, 3)
SURGE = Scenario(
    name="surge", aht=240.0, patience=300.0, lines=25,
    redial_prob=0.5, redial_delay=600.0, max_attempts=4, ivr_containment=0.2, ivr_time=30.0,
    residual_aht_factor=1.1,
    call_types=(CallType("status", 0.7, aht=200.0, priority=1),
                CallType("urgent", 0.3, aht=360.0, patience=600.0, priority=0)),
)
SURGE_CALLS = [20, 40, 80, 120, 150, 120, 80, 40, 20, 10]
# three days of hourly intervals: open 06:00-18:00, closed nights; busy enough to queue and redial
DAY_CALLS = np.repeat([0.0, 0.0, 140 / 3, 160 / 3, 160 / 3, 140 / 3, 0.0, 0.0], 3).tolist()
DAY_AGENTS = np.repeat([0, 0, 8, 9, 9, 8, 0, 0], 3).tolist()
MULTIDAY = Scenario(name="multiday", aht=600.0, patience=500.0, redial_prob=0.6, redial_delay=3600.0, max_attempts=5)

EQUIVALENCE_CASES = {  # demand, policy, agents per interval (the closed nights use the default at_close="serve")
    "stationary M/M/c+M": (_arrivals(np.full(8, 60.0)), Scenario(name="mmcm", aht=240.0, patience=180.0), 10),
    "surge day": (_arrivals(SURGE_CALLS), SURGE, SURGE_AGENTS),
    "three days with closed nights": (_arrivals(DAY_CALLS * 3, freq="1h", start="2026-01-05 00:00"), MULTIDAY,
                                      tuple(DAY_AGENTS * 3)),
}


def _ci99(x: np.ndarray) -> tuple[float, float]:
    x = x[np.isfinite(x)]
    half = stats.t.ppf(0.995, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean() - half, x.mean() + half


@pytest.mark.parametrize("case", list(EQUIVALENCE_CASES))
def test_every_metric_of_the_fast_engine_lies_in_the_simpy_99pct_interval_and_vice_versa(case):
    arrivals, scenario, agents = EQUIVALENCE_CASES[case]
    staffing = _table(arrivals, agents)
    simpy_res = simulate.run(arrivals, scenario, staffing, replications=30, seed=11, engine="simpy")
    fast_res = simulate.run(arrivals, scenario, staffing, replications=30, seed=11, engine="fast")
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
    rec = _records(SURGE_CALLS, SURGE, SURGE_AGENTS, seed=1)
    assert {OUTCOME_BLOCKED, OUTCOME_CONTAINED, OUTCOME_ABANDONED, OUTCOME_ANSWERED} <= set(np.unique(rec.outcome))
    assert rec.attempt.max() > 1 and set(np.unique(rec.call_type)) == {0, 1}
    multi = _records(DAY_CALLS * 3, MULTIDAY, DAY_AGENTS * 3, seed=1, interval_s=3600.0)
    closed = (multi.interval % 24 < 6) | (multi.interval % 24 >= 18)
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
    for scenario, exact in ((Scenario(aht=aht), exact_c), (Scenario(aht=aht, patience=120.0), exact_a)):
        res = simulate.run(arrivals, scenario, agents, replications=8, seed=3, engine="fast")
        for metric, value in exact.items():
            lo, hi = _ci99(res.per_replication[metric].to_numpy(dtype=float))
            assert lo <= value <= hi, (scenario.patience, metric, value, lo, hi)
            assert value == pytest.approx(res.summary.loc[metric, "mean"], rel=0.15)


def test_same_seed_gives_identical_records_and_the_seed_object_is_not_consumed():
    seed = np.random.SeedSequence(42)
    work = workload(SURGE_CALLS, SURGE_AGENTS, 1800.0, SURGE)
    a = engine_fast.simulate_replication(work, SURGE, seed)
    b = engine_fast.simulate_replication(work, SURGE, seed)
    assert _same_records(a, b)
    c = _records(SURGE_CALLS, SURGE, SURGE_AGENTS, seed=43)
    assert not _same_records(a, c)


def test_result_does_not_depend_on_how_many_redial_rows_were_drawn_in_advance(monkeypatch):
    # two lines for 360 callers: most attempts are blocked and redialled, far more failures than
    # one block of 1024 pre-drawn redial rows
    scenario = Scenario(aht=600.0, patience=60.0, lines=2, redial_prob=0.9, redial_delay=120.0, max_attempts=8)
    calls = np.full(6, 60.0)
    normal = _records(calls, scenario, 2, seed=5)
    assert len(normal) > 1024 + 360  # more redials than the first block of rows: a rerun happened
    monkeypatch.setattr(engine_fast, "_initial_blocks", lambda m: 8)  # no rerun needed
    regrown = _records(calls, scenario, 2, seed=5)
    assert len(normal) > 2 * len(np.unique(normal.caller))
    assert _same_records(normal, regrown)


def test_the_next_replication_of_a_workload_starts_with_the_redial_rows_the_last_one_needed(monkeypatch):
    scenario = Scenario(aht=600.0, patience=60.0, lines=2, redial_prob=0.9, redial_delay=120.0, max_attempts=8)
    work = workload(np.full(6, 60.0), 2, 1800.0, scenario)
    runs = []
    kernel = engine_fast._kernel
    monkeypatch.setattr(engine_fast, "_kernel", lambda *a: runs.append(a[2].shape[1]) or kernel(*a))
    first = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(5))
    assert len(runs) > 1 and runs[0] < runs[-1]  # the rows ran out: reran with more
    runs.clear()
    again = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(5))
    assert len(runs) == 1 and _same_records(first, again)  # one run, the same records


def test_every_attempt_has_one_outcome_and_callers_redial_in_order():
    rec = _records(SURGE_CALLS, SURGE, SURGE_AGENTS, seed=2)
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
    rec = _records(SURGE_CALLS, SURGE, SURGE_AGENTS, seed=4)
    ans = rec.outcome == OUTCOME_ANSWERED
    ab = rec.outcome == OUTCOME_ABANDONED
    quiet = ~(ans | ab)
    assert np.all(np.isnan(rec.wait_s[quiet])) and np.all(np.isnan(rec.answer_s[~ans]))
    assert np.all(np.isnan(rec.service_s[~ans])) and np.all(rec.service_s[ans] > 0)
    assert np.all(rec.wait_s[ans | ab] >= 0)
    # the queue is joined after the IVR, so an answer comes ivr_time + wait after arrival
    np.testing.assert_allclose(rec.answer_s[ans], rec.arrival_s[ans] + SURGE.ivr_time + rec.wait_s[ans])


def test_agents_and_lines_are_never_exceeded():
    rec = _records(SURGE_CALLS, SURGE, SURGE_AGENTS, seed=6)
    agents = np.asarray(SURGE_AGENTS)
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
    scenario = Scenario(aht=300.0, call_types=(CallType("status", 0.5, priority=1),
                                               CallType("urgent", 0.5, priority=0)))
    rec = _records(np.full(6, 58.0), scenario, 10, seed=7)  # 9.7 Erlangs on 10 agents
    ans = rec.outcome == OUTCOME_ANSWERED
    assert ans.all()
    urgent = rec.wait_s[ans & (rec.call_type == 1)].mean()
    status = rec.wait_s[ans & (rec.call_type == 0)].mean()
    assert urgent < 0.5 * status


def test_with_drop_at_close_callers_waiting_at_closing_time_hang_up_at_closing_and_nobody_is_served_at_night():
    # (the default, at_close="serve", is specified in test_closing.py)
    scenario = Scenario(aht=900.0, patience=None, at_close="drop")
    rec = _records([40, 0, 40], scenario, (3, 0, 3), seed=8)
    ab = rec.outcome == OUTCOME_ABANDONED
    assert ab.any()
    np.testing.assert_allclose(rec.arrival_s[ab] + rec.wait_s[ab], 1800.0)
    ans = rec.outcome == OUTCOME_ANSWERED
    starts = rec.answer_s[ans]
    assert not np.any((starts >= 1800.0) & (starts < 3600.0))
    # end of horizon with agents: everyone still waiting is served to completion
    assert not np.any(ab & (rec.interval == 2))


def test_supports_says_yes_to_every_scenario_and_auto_runs_the_fast_engine():
    # callbacks and agent groups with routing by skill are simulated by the fast engine (call for
    # call with SimPy: tests/test_engine_parity.py)
    assert engine_fast.supports(Scenario(aht=300.0, callback_threshold=60.0)) == (True, "")
    assert engine_fast.supports(SURGE) == (True, "")
    assert engine_fast.supports(SURGE.replace(at_close="drop")) == (True, "")
    types = {"English": {"share": 0.8, "skill": "en"}, "French": {"share": 0.2, "skill": "fr"}}
    scenario = Scenario(aht=300.0, call_types=types,
                        agent_groups={"en": {"skills": ["en"]}, "bilingual": {"skills": ["en", "fr"]}})
    assert engine_fast.supports(scenario) == (True, "")
    assert engine_fast.supports(Scenario(aht=300.0, pick="oldest")) == (True, "")  # one pool, by waiting time
    assert engine_fast.supports("not a scenario") == (False, "expected a simulate.Scenario, got str")
    staffing = {"en": 4, "bilingual": 2}
    res = simulate.run(_arrivals([30, 30]), scenario, staffing, replications=2, engine="auto")
    assert res.engine == "fast" and list(res.by_group["group"]) == ["en", "bilingual"]
    rec = _records([30, 30], scenario, staffing)
    assert set(np.unique(rec.group)) <= {-1, 0, 1} and (rec.group[rec.call_type == 1] != 0).all()


@pytest.mark.parametrize("dist, cv", [("exponential", 1.0), ("lognormal", 0.6), ("weibull", 0.6)])
def test_unit_quantile_is_the_scenario_duration_quantile_with_mean_one(dist, cv):
    u = np.random.default_rng(0).random(100_000)
    x = engine_fast.unit_quantile(u, dist, cv)
    np.testing.assert_allclose(x, duration_quantile(u, 1.0, dist, cv), rtol=1e-14)
    assert x.mean() == pytest.approx(1.0, abs=0.02)
    assert x.std() / x.mean() == pytest.approx(cv, abs=0.03)


AFTERNOON_AHT = np.where(np.arange(10) < 5, 200.0, 400.0)  # handle time doubles in the afternoon
MIXED = Scenario(name="mixed", aht=240.0, patience=300.0, redial_prob=0.4, max_attempts=3,
                 call_types=(CallType("status", 0.7, aht=200.0), CallType("urgent", 0.3, aht=360.0, patience=600.0)))
# per interval: the urgent share falls from 60% to 10% over the day
MIX = np.asarray(SURGE_CALLS, float)[:, None] * np.column_stack([np.linspace(0.4, 0.9, 10), np.linspace(0.6, 0.1, 10)])

CALL_FOR_CALL_CASES = {  # workload and policy
    **{name: (workload(a["calls"], np.broadcast_to(ag, len(a)), (a["ds"][1] - a["ds"][0]).total_seconds(), sc), sc)
       for name, (a, sc, ag) in EQUIVALENCE_CASES.items()},
    "lognormal handle times, weibull patience, lines, IVR without containment": (
        workload(SURGE_CALLS, SURGE_AGENTS, 1800.0, s := Scenario(
            name="dists", aht=240.0, aht_dist="lognormal", aht_cv=1.3, patience=200.0, patience_dist="weibull",
            patience_cv=0.7, lines=22, ivr_time=45.0, redial_prob=0.3, max_attempts=3)), s),
    "callers who never hang up, agents leaving mid-queue, served at closing": (
        workload([80, 80, 80, 0, 0, 60], (14, 9, 5, 0, 0, 8), 1800.0, s := Scenario(name="patient", aht=300.0)), s),
    "callers who never hang up, let go at closing": (
        workload([80, 80, 80, 0, 0, 60], (14, 9, 5, 0, 0, 8), 1800.0,
                 s := Scenario(name="patient", aht=300.0, at_close="drop")), s),
    "three days with closed nights, let go at closing": (
        workload(DAY_CALLS * 3, DAY_AGENTS * 3, 3600.0, s := MULTIDAY.replace(at_close="drop")), s),
    "handle time per interval (doubles in the afternoon), lines and priorities": (
        workload(SURGE_CALLS, SURGE_AGENTS, 1800.0, SURGE, aht_s=AFTERNOON_AHT), SURGE),
    "call-type mix per interval, redials": (workload(MIX.sum(axis=1), SURGE_AGENTS, 1800.0, MIXED, type_calls=MIX),
                                            MIXED),
}


@pytest.mark.parametrize("case", list(CALL_FOR_CALL_CASES))
def test_fast_engine_reproduces_the_simpy_engine_call_for_call_on_the_same_seed(case):
    # both engines draw the same callers and redial values from the same streams, so the same
    # rules give the same attempts with the same outcomes and times
    work, scenario = CALL_FOR_CALL_CASES[case]
    for seed in (0, 1):
        a = engine_simpy.simulate_replication(work, scenario, np.random.SeedSequence(seed))
        b = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(seed))
        assert_call_for_call(a, b, f"{case}, seed {seed}")


def test_the_per_interval_cases_use_the_interval_handle_time_and_mix():
    work, _ = CALL_FOR_CALL_CASES["handle time per interval (doubles in the afternoon), lines and priorities"]
    # x 1.1 after the IVR; the call types keep their 200:360 ratio around the interval's mean
    np.testing.assert_allclose(work.mean_aht_s, AFTERNOON_AHT * 1.1)
    np.testing.assert_allclose(work.aht_s[:, 1] / work.aht_s[:, 0], 360.0 / 200.0)
    rec = engine_fast.simulate_replication(work, SURGE, np.random.SeedSequence(0))
    served = rec.outcome == OUTCOME_ANSWERED
    # each answered call's handle time over the mean of its interval and type: exponential, mean one
    # in the morning and in the afternoon alike (a mean of the whole day's 264 s would give 1.2 and 0.6)
    unit = rec.service_s[served] / work.aht_s[rec.interval[served], rec.call_type[served]]
    for part in (unit[rec.interval[served] < 5], unit[rec.interval[served] >= 5]):
        assert len(part) > 100 and abs(part.mean() - 1.0) < 4 / np.sqrt(len(part))
    mixed, _ = CALL_FOR_CALL_CASES["call-type mix per interval, redials"]
    np.testing.assert_allclose(mixed.cum_share[:, 0], np.linspace(0.4, 0.9, 10))
    rec = engine_fast.simulate_replication(mixed, MIXED, np.random.SeedSequence(0))
    first = rec.attempt == 1
    urgent, k = rec.call_type[first] == 1, rec.interval[first]
    # the urgent share of the first calls, before and after the fifth interval, is the demand's (44% and
    # 27%) within 4 standard errors; the scenario's fixed 30% would be 5 standard errors off before
    for part in (slice(0, 5), slice(5, 10)):
        expected = MIX[part, 1].sum() / MIX[part].sum()
        got = urgent[(k >= part.start) & (k < part.stop)]
        assert abs(got.mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / len(got)), (part, got.mean())


def test_first_callers_are_drawn_exactly_as_the_simpy_engine_draws_them():
    work = workload(SURGE_CALLS, SURGE_AGENTS, 1800.0, SURGE, aht_s=AFTERNOON_AHT)
    seed = np.random.SeedSequence(12)
    first = engine_simpy.draw_first_attempts(work, SURGE, engine_simpy.spawn_streams(seed))
    rec = engine_fast.simulate_replication(work, SURGE, seed)
    n = len(first["arrival_s"])
    np.testing.assert_array_equal(rec.arrival_s[:n], first["arrival_s"])
    np.testing.assert_array_equal(rec.interval[:n], first["interval"])
    np.testing.assert_array_equal(rec.call_type[:n], first["call_type"])
    assert np.all(rec.attempt[:n] == 1) and np.all(rec.attempt[n:] > 1)


def test_bad_inputs_raise_value_errors_naming_the_problem():
    sc = Scenario()
    with pytest.raises(ValueError, match="Workload"):
        engine_fast.simulate_replication(np.ones(3), sc, np.random.SeedSequence(0))
    with pytest.raises(ValueError, match="agents"):
        workload(np.ones(3), np.ones(2, np.int64), 1800.0, sc)
    with pytest.raises(ValueError, match="interval_s"):
        workload(np.ones(2), 1, 0.0, sc)
    with pytest.raises(ValueError, match="calls"):
        workload(np.array([1.0, -1.0]), 1, 60.0, sc)


def _random_case(rng: np.random.Generator, fcfs: bool, at_close: str | None = None, mixed: bool | None = None):
    """A random workload and policy with what makes the rules hard: agents changing, intervals with no
    agents, closed intervals (served or let go at closing), an IVR with or without delay, two call
    types with a mix that changes by interval, handle time per interval, non-exponential patience,
    redials (some into closed hours). ``fcfs``: only what the first-come-first-served recursion
    handles (one priority class, no lines); else also priorities and lines. ``at_close`` and ``mixed``
    (two call types whose mix changes by interval) are drawn when not given. Returns (work, scenario)."""
    n_int = int(rng.integers(1, 40 if fcfs else 16))
    interval_s = float(rng.choice([60.0, 900.0, 1800.0, 3600.0]))
    calls = rng.uniform(0, 60 if fcfs else 30, n_int) * rng.choice([0, 1, 1, 1], n_int)
    agents = rng.integers(0, 15, n_int) * rng.choice([0, 1, 1, 1, 1], n_int)
    kw = {"aht": float(rng.choice([60.0, 300.0, 1200.0])),
          "at_close": at_close or str(rng.choice(["serve", "drop"]))}
    patience = rng.choice([np.nan, 30.0, 200.0, 900.0])
    if np.isfinite(patience):
        kw.update(patience=float(patience), patience_dist=str(rng.choice(["exponential", "weibull"])),
                  patience_cv=0.7)
    if rng.random() < 0.4:
        kw.update(ivr_time=float(rng.choice([0.0, 30.0, 600.0])), ivr_containment=float(rng.choice([0.0, 0.3])))
    if rng.random() < 0.3:
        kw.update(aht_dist="lognormal", aht_cv=1.4)
    if mixed or (mixed is None and rng.random() < 0.3):
        prio = 0 if fcfs else int(rng.integers(-1, 2))
        kw["call_types"] = (CallType("a", 0.6, aht=200.0, patience=100.0), CallType("b", 0.4, aht=500.0, priority=prio))
    if rng.random() < 0.5:
        kw.update(redial_prob=float(rng.choice([0.3, 0.8, 1.0])), max_attempts=int(rng.integers(2, 6)),
                  redial_delay=float(rng.choice([30.0, 600.0, 7200.0])))
    if not fcfs and rng.random() < 0.4:
        kw["lines"] = int(rng.integers(1, 20))
    aht_s = None
    if rng.random() < 0.5:
        aht_s = rng.uniform(60.0, 1200.0, n_int)
        aht_s[rng.random(n_int) < 0.2] = np.nan  # the scenario's handle time there
    type_calls = None
    if mixed or ("call_types" in kw and mixed is None and rng.random() < 0.6):
        type_calls = calls[:, None] * rng.dirichlet([1.0, 1.0], n_int)
        calls = type_calls.sum(axis=1)
    scenario = Scenario(name="random", **kw)
    return workload(calls, agents, interval_s, scenario, aht_s=aht_s, type_calls=type_calls), scenario


@pytest.mark.parametrize("block", range(4))
def test_fcfs_recursion_gives_exactly_the_event_loops_records(block, monkeypatch):
    # the recursion is the default for these scenarios; the event loop is the reference
    rng = np.random.default_rng(1000 + block)
    for i in range(40):
        work, scenario = _random_case(rng, fcfs=True)
        seed = np.random.SeedSequence([block, i])
        monkeypatch.setattr(engine_fast, "USE_RECURSION", True)
        fast = engine_fast.simulate_replication(work, scenario, seed)
        monkeypatch.setattr(engine_fast, "USE_RECURSION", False)
        loop = engine_fast.simulate_replication(work, scenario, seed)
        assert _same_records(fast, loop), (block, i, scenario)


def test_random_workloads_give_the_same_records_on_both_engines():
    # half served at closing, half let go; every other one with a call-type mix changing by interval;
    # either recursion-friendly (one queue) or with priorities and lines (the event loop)
    rng = np.random.default_rng(77)
    for i in range(24):
        work, scenario = _random_case(rng, fcfs=bool(i & 4), at_close=("serve", "drop")[i & 1], mixed=bool(i & 2))
        seed = np.random.SeedSequence([77, i])
        a = engine_simpy.simulate_replication(work, scenario, seed)
        b = engine_fast.simulate_replication(work, scenario, seed)
        assert_call_for_call(a, b, f"case {i}: {scenario}")


def test_the_recursion_is_used_when_the_scenario_allows_and_only_then(monkeypatch):
    calls = np.full(6, 80.0)
    used = []
    real = engine_fast._kernel_fcfs

    def spy(*args):
        used.append(True)
        return real(*args)

    monkeypatch.setattr(engine_fast, "_kernel_fcfs", spy)
    _records(calls, Scenario(name="plain", aht=300.0, patience=200.0), 8)
    assert used == [True]
    _records(calls, Scenario(name="redials", aht=300.0, patience=200.0, redial_prob=0.5, max_attempts=3), 8)
    assert used == [True, True]
    _records(calls, Scenario(name="lines", aht=300.0, patience=200.0, lines=12), 8)  # lines: the event loop
    _records(SURGE_CALLS, SURGE, SURGE_AGENTS)  # priorities: the event loop
    assert used == [True, True]
