"""The compiled engine gives the SimPy engine's records, call for call, on random scenarios that use
every feature (simulate/ENGINE.md): callbacks, call types and priorities, lines, IVR, redials,
several days with closed nights, closing with "serve" and "drop", handle time and call-type mix per
interval, replayed call logs, including logs in whole seconds where events tie, and agent groups with
routing by skill (specialists first, pick by priority or the oldest, overflow delays, group by group
shift changes and closing)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from random_centres import differing_fields, random_case

from simulate import Demand, Scenario, engine_fast, engine_simpy
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED, OUTCOME_BLOCKED, OUTCOME_CALLBACK
from simulate.run import resolve_engine
from simulate.workload import Workload, build_workload

ROOT = Path(__file__).resolve().parents[1]


def _both_engines(work, scenario, seed, monkeypatch):
    """SimPy's records, the fast engine's (recursion where it applies) and the event loop's."""
    seed = np.random.SeedSequence(seed)
    simpy_rec = engine_simpy.simulate_replication(work, scenario, seed)
    fast_rec = engine_fast.simulate_replication(work, scenario, seed)
    monkeypatch.setattr(engine_fast, "USE_RECURSION", False)
    loop_rec = engine_fast.simulate_replication(work, scenario, seed)
    monkeypatch.setattr(engine_fast, "USE_RECURSION", True)
    return simpy_rec, fast_rec, loop_rec


BLOCKS, PER_BLOCK = 3, 30


def parity_cases(block: int):
    """The random centres of one block of the call-for-call test: (seed, workload, scenario)."""
    rng = np.random.default_rng(2000 + block)
    for i in range(PER_BLOCK):
        yield [block, i], *random_case(rng)


@pytest.mark.parametrize("block", range(BLOCKS))
def test_fast_engine_gives_the_simpy_records_call_for_call_on_random_scenarios(block, monkeypatch):
    for i, (seed, work, scenario) in enumerate(parity_cases(block)):
        simpy_rec, fast_rec, loop_rec = _both_engines(work, scenario, seed, monkeypatch)
        assert differing_fields(simpy_rec, fast_rec) == [], (block, i, scenario, work.is_replay)
        assert differing_fields(simpy_rec, loop_rec) == [], (block, i, scenario, work.is_replay)


GROUP_BLOCKS = 2


def group_parity_cases(block: int):
    """Random centres with agent groups and routing by skill: (seed, workload, scenario)."""
    rng = np.random.default_rng(3000 + block)
    for i in range(PER_BLOCK):
        yield [3000 + block, i], *random_case(rng, groups=True)


@pytest.mark.parametrize("block", range(GROUP_BLOCKS))
def test_fast_engine_gives_the_simpy_records_call_for_call_on_random_multi_group_centres(block):
    for i, (seed, work, scenario) in enumerate(group_parity_cases(block)):
        simpy_rec = engine_simpy.simulate_replication(work, scenario, np.random.SeedSequence(seed))
        fast_rec = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(seed))
        assert differing_fields(simpy_rec, fast_rec) == [], (block, i, scenario, work.is_replay)


def _patience_ties(rec, work, scenario) -> int:
    """Replayed callers with a given patience answered at the very instant it runs out."""
    if work.replay_patience_unit is None:
        return 0
    deadline = rec.arrival_s + rec.ivr_s + work.replay_patience_unit * scenario.type_table()["patience"][rec.call_type]
    return int((rec.answer_s == deadline).sum())


def test_replayed_logs_in_whole_seconds_follow_the_tie_rules_in_both_engines(monkeypatch):
    # arrivals on interval boundaries, calls ending as others ring or as patience runs out, several
    # calls in the same second, agents of several groups finishing at the same instant
    rng = np.random.default_rng(77)
    ties = patience_ties = group_ties = 0
    for i in range(60):
        work, scenario = random_case(rng, replay=True, whole_seconds=True, groups=i % 2 == 1)
        simpy_rec, fast_rec, loop_rec = _both_engines(work, scenario, i, monkeypatch)
        assert differing_fields(simpy_rec, fast_rec) == [], (i, scenario)
        assert differing_fields(simpy_rec, loop_rec) == [], (i, scenario)
        ends = simpy_rec.answer_s + simpy_rec.service_s
        ties += np.isin(simpy_rec.arrival_s, ends[np.isfinite(ends)]).sum()
        patience_ties += _patience_ties(simpy_rec, work, scenario)
        if work.n_groups > 1:
            served = np.isfinite(ends)
            for t_end in np.unique(ends[served]):
                group_ties += len(np.unique(simpy_rec.group[served & (ends == t_end)])) > 1
    assert ties > 20  # the logs do make calls end exactly when others ring
    assert patience_ties > 3  # ... and callers' patience run out as an agent finishes (answered)
    assert group_ties > 10  # ... and agents of different groups finish at the same instant


def test_the_random_scenarios_of_the_call_for_call_test_exercise_every_feature():
    seen: set[str] = set()
    cases = [case for block in range(BLOCKS) for case in parity_cases(block)]
    for seed, work, scenario in cases:
        rec = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(seed))
        cb = rec.outcome == OUTCOME_CALLBACK
        made = cb & np.isfinite(rec.answer_s)
        checks = {
            "callbacks made": made.any(),
            "callbacks never made (horizon)": (cb & np.isnan(rec.answer_s)).any(),
            "callback made ahead of callers on hold (deadline passed)":
                scenario.callback_deadline is not None and (made & (rec.answer_s > rec.arrival_s + scenario.ivr_time
                                                                    + scenario.callback_deadline)).any(),
            "callback carried over a closed period": bool(work.closed.any() and made.any() and (
                rec.answer_s[made] // work.interval_s > rec.interval[made]).any()),
            "busy signal from lines": scenario.lines is not None and (
                (rec.outcome == OUTCOME_BLOCKED) & ~work.closed[rec.interval]).any(),
            "redials": (rec.attempt > 1).any(),
            "priorities": len({t.priority for t in scenario.call_types}) > 1 and (
                rec.outcome == OUTCOME_ANSWERED).any(),
            "closing with drop": work.drop_at_close and work.closed.any() and (rec.outcome == OUTCOME_ABANDONED).any(),
            "closing with serve": not work.drop_at_close and bool((work.closed & (work.on_duty > 0)).any()),
            "IVR": scenario.uses_ivr and len(rec) > 0,
            "replay": work.is_replay and len(rec) > 0,
            "call-type mix per interval": work.n_types > 1 and not np.allclose(work.cum_share, work.cum_share[0]),
            "handle time per interval": not np.allclose(work.aht_s, work.aht_s[0]),
        }
        seen |= {name for name, hit in checks.items() if hit}
    assert seen == set(checks), set(checks) - seen


def test_the_random_multi_group_centres_exercise_every_routing_rule():
    seen: set[str] = set()
    cases = [case for block in range(GROUP_BLOCKS) for case in group_parity_cases(block)]
    for seed, work, scenario in cases:
        rec = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(seed))
        table = scenario.group_table()
        served = rec.group >= 0
        preferred = table["preferred"][rec.call_type, np.maximum(rec.group, 0)] & served
        several = table["n_skills"][np.maximum(rec.group, 0)] > 1
        # a group answering call types of different priorities
        mixed = [len({scenario.call_types[t].priority for t in np.unique(rec.call_type[rec.group == g])}) > 1
                 for g in range(work.n_groups)]
        horizon = work.n * work.interval_s
        checks = {
            "specialists and groups of several skills both answer": (served & several).any() and (
                served & ~several).any(),
            "a group that is not the first in group order is preferred": table["n_skills"][0] > table[
                "n_skills"].min() and (served & (rec.group > 0) & ~several).any(),
            "pick by priority across call types at one group": scenario.pick == "priority" and any(mixed),
            "pick the oldest across call types at one group": scenario.pick == "oldest" and any(mixed),
            "overflow_after: non-preferred groups answer after the delay": bool(scenario.overflow_after) and (
                served & ~preferred & (rec.wait_s >= scenario.overflow_after)).any(),
            "overflow_after: callers answered by their specialists within the delay": bool(scenario.overflow_after)
                and (preferred & (rec.wait_s > 0) & (rec.wait_s < scenario.overflow_after)).any(),
            "overflow_after of 0 s (no delay)": scenario.overflow_after == 0.0 and (served & ~preferred).any(),
            "callbacks made by groups": ((rec.outcome == OUTCOME_CALLBACK) & served).any(),
            "redials": (rec.attempt > 1).any(),
            "busy signal from lines": scenario.lines is not None and (
                (rec.outcome == OUTCOME_BLOCKED) & ~work.closed[rec.interval]).any(),
            "IVR": scenario.uses_ivr and len(rec) > 0,
            "replay": work.is_replay and len(rec) > 0,
            "closing with drop": work.drop_at_close and work.closed.any() and (rec.outcome == OUTCOME_ABANDONED).any(),
            "closing with serve, group by group": not work.drop_at_close and bool(
                (work.closed[:, None] & (work.group_on_duty > 0)).any()),
            "a group off duty while another is on": bool(((work.group_on_duty == 0) & (
                work.group_on_duty.sum(axis=1, keepdims=True) > 0)).any()),
            "callers let go at the horizon, no eligible group on duty": (
                (rec.outcome == OUTCOME_ABANDONED) & (rec.arrival_s + rec.ivr_s + rec.wait_s == horizon)).any(),
        }
        seen |= {name for name, hit in checks.items() if hit}
    assert seen == set(checks), set(checks) - seen


def test_result_does_not_depend_on_how_many_redial_rows_were_drawn_in_advance_with_callbacks(monkeypatch):
    # four lines and two agents for about 720 callers: most attempts are blocked and redial, far
    # more failures than one block of pre-drawn rows; callbacks take the sixth value of each row
    scenario = Scenario(aht=600.0, patience=60.0, lines=4, redial_prob=0.9, redial_delay=120.0, max_attempts=8,
                        callback_threshold=60.0, callback_accept=0.3)
    work = Workload.from_arrays(np.full(6, 120.0), 2, 1800.0, scenario)
    normal = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(5))
    assert len(normal) > 1024 + 2 * (normal.attempt == 1).sum() and (normal.outcome == OUTCOME_CALLBACK).any()
    monkeypatch.setattr(engine_fast, "_initial_blocks", lambda m: 8)  # room from the start: no rerun
    assert differing_fields(normal, engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(5))) == []
    assert differing_fields(normal, engine_simpy.simulate_replication(work, scenario, np.random.SeedSequence(5))) == []


def _replay(times, services, agents, scenario, interval_s=1800.0):
    n = len(agents)
    demand = Demand(ds=pd.date_range("2026-01-05", periods=n, freq=pd.Timedelta(seconds=interval_s)),
                    calls=np.bincount((np.asarray(times) // interval_s).astype(int), minlength=n).astype(float),
                    interval_s=interval_s,
                    arrivals=pd.DataFrame({"t_s": np.asarray(times, float), "service_s": np.asarray(services, float)}))
    return build_workload(demand, scenario, np.asarray(agents, np.int64))


@pytest.mark.parametrize("engine", [engine_simpy, engine_fast])
def test_tie_rules_an_agent_free_at_the_instant_a_call_rings_answers_it(engine):
    # one agent; call 1 talks 0-100 s, call 2 rings at 100 s: the agent is free first (ENGINE.md)
    work = _replay([0.0, 100.0], [100.0, 50.0], [1], Scenario(patience=1000.0))
    rec = engine.simulate_replication(work, Scenario(patience=1000.0), np.random.SeedSequence(0))
    np.testing.assert_array_equal(rec.answer_s, [0.0, 100.0])
    np.testing.assert_array_equal(rec.wait_s, [0.0, 0.0])


@pytest.mark.parametrize("engine", [engine_simpy, engine_fast])
def test_tie_rules_a_call_ringing_at_a_boundary_meets_the_new_interval_agents(engine):
    # nobody on duty in the first interval (open: calls expected), one agent from 1800 s; a call
    # ringing at exactly 1800 s is answered at once, the boundary comes first
    scenario = Scenario(patience=None)
    work = _replay([1800.0], [60.0], [0, 1], scenario)
    rec = engine.simulate_replication(work, scenario, np.random.SeedSequence(0))
    assert rec.outcome.tolist() == [OUTCOME_ANSWERED] and rec.wait_s.tolist() == [0.0]


@pytest.mark.parametrize("engine", [engine_simpy, engine_fast])
def test_callbacks_are_made_only_while_open_in_acceptance_order_and_carried_over_the_night(engine):
    # one day open, a closed night, one day open; the first day is overloaded so callers take
    # callbacks; those not made by closing are made the next morning, first accepted first
    calls = np.array([60.0, 60.0, 0.0, 0.0, 10.0, 10.0])
    agents = np.array([2, 2, 0, 0, 3, 3])
    scenario = Scenario(aht=600.0, patience=900.0, callback_threshold=60.0, callback_accept=1.0)
    work = Workload.from_arrays(calls, agents, 3600.0, scenario)
    rec = engine.simulate_replication(work, scenario, np.random.SeedSequence(3))
    cb = rec.outcome == OUTCOME_CALLBACK
    made = cb & np.isfinite(rec.answer_s)
    when = (rec.answer_s[made] // 3600.0).astype(int)
    assert cb.sum() > 20 and not work.closed[when].any()  # never at night
    assert (when >= 4).any()  # carried over to the next morning
    order = np.argsort(rec.arrival_s[made], kind="stable")
    assert np.all(np.diff(rec.answer_s[made][order]) >= 0)  # first accepted, first called back
    assert np.all(rec.wait_s[cb] == 0.0) and np.all(np.isnan(rec.service_s[cb & ~made]))


def test_every_bundled_scenario_runs_on_the_fast_engine_with_engine_auto():
    # agent groups with routing by skill included (the bilingual example): no bundled policy falls back to SimPy
    files = sorted((ROOT / "data" / "scenarios").glob("*.toml")) + sorted((ROOT / "examples").glob("*.toml"))
    scenarios = []
    for path in files:
        try:
            scenarios.append(Scenario.load(path))
        except ValueError:
            continue  # not a policy file (ready.toml, a staffing plan)
    assert {"Status line + callbacks", "Current staffing", "status_line_callbacks", "current"} <= {
        s.name for s in scenarios}
    assert any(s.routes_by_skill for s in scenarios)  # the bilingual example
    for scenario in scenarios:
        assert engine_fast.supports(scenario) == (True, ""), scenario.name
        assert resolve_engine("auto", scenario) == "fast", scenario.name
