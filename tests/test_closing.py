"""Closing time: "close the doors, serve the queue" (``at_close="serve"``, the default) or let the
callers on hold go (``at_close="drop"``, the behaviour before issue 12), checked against the records.

Two mornings, open 08:00-12:00 with too few agents, so callers are on hold when the centre closes
at noon; closed until 08:00 the next day (no calls expected, no agents).
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_call_for_call, workload

from simulate import Scenario, engine_fast, engine_simpy
from simulate._draws import spawn_streams
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED, OUTCOME_BLOCKED, OUTCOME_CALLBACK

L = 1800.0
N = 2 * 48
OPEN = np.zeros(N, bool)
for _day in range(2):
    OPEN[_day * 48 + 16:_day * 48 + 24] = True  # 08:00-12:00
CALLS = np.where(OPEN, 60.0, 0.0)  # 10 Erlangs of 300-s calls ...
AGENTS = np.where(OPEN, 8, 0)  # ... on 8 agents: the queue grows all morning
CLOSING = np.array([24 * L, (48 + 24) * L])  # noon, both days
ENGINES = {"simpy": engine_simpy.simulate_replication, "fast": engine_fast.simulate_replication}


def records(scenario: Scenario, engine: str = "simpy", seed: int = 0):
    work = workload(CALLS, AGENTS, L, scenario)
    return work, ENGINES[engine](work, scenario, np.random.SeedSequence(seed))


def on_hold_at_closing(rec, scenario: Scenario) -> np.ndarray:
    """Attempts that joined the queue before a closing and were still waiting at it (or let go at it)."""
    join = rec.arrival_s + scenario.ivr_time
    leave = join + np.nan_to_num(rec.wait_s)
    queued = np.isin(rec.outcome, [OUTCOME_ANSWERED, OUTCOME_ABANDONED])
    return queued & np.any((join[:, None] < CLOSING) & (leave[:, None] >= CLOSING), axis=1)


def interval_of_answer(rec) -> np.ndarray:
    """The interval in which each attempt was answered (-1 if never)."""
    k = np.where(np.isnan(rec.answer_s), -1.0, rec.answer_s // L)
    return np.minimum(k, N - 1).astype(int)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_serve_nobody_on_hold_at_closing_is_counted_as_abandoned(engine):
    s = Scenario(aht=300.0, patience=None, lines=30, redial_prob=0.5, redial_delay=3600.0, max_attempts=3)
    assert s.at_close == "serve"
    work, rec = records(s, engine)
    held = on_hold_at_closing(rec, s)
    assert held.sum() > 20  # many callers are on hold at noon ...
    assert (rec.outcome[held] == OUTCOME_ANSWERED).all()  # ... and every one is answered
    assert not (rec.outcome == OUTCOME_ABANDONED).any()  # patience=None: nobody abandons, closing or not
    # they are answered after closing by the closing interval's agents, who stay on duty
    np.testing.assert_array_equal(work.on_duty[~OPEN & (np.arange(N) >= 24) & (np.arange(N) < 48 + 16)], 8)
    answered = rec.outcome == OUTCOME_ANSWERED
    after = answered & ~OPEN[interval_of_answer(rec)]
    assert after.sum() > 20
    start, end = rec.answer_s[answered], rec.answer_s[answered] + rec.service_s[answered]
    on_calls = [np.sum((start <= t) & (end > t)) for t in rec.answer_s[after]]
    assert max(on_calls) == 8  # the 8 agents of the closing interval are all busy, never more
    # the doors are closed: every attempt that dials while closed gets a busy signal
    dialled_closed = ~OPEN[rec.interval]
    assert dialled_closed.sum() > 0 and (rec.outcome[dialled_closed] == OUTCOME_BLOCKED).all()


@pytest.mark.parametrize("engine", list(ENGINES))
def test_serve_every_abandoned_attempt_waited_its_own_patience_and_none_was_cut_at_closing(engine):
    s = Scenario(aht=300.0, patience=900.0, patience_dist="weibull", patience_cv=0.6, max_attempts=1)
    work, rec = records(s, engine, seed=3)
    patience = engine_simpy.draw_first_attempts(work, s, spawn_streams(np.random.SeedSequence(3)))["patience_s"]
    ab = rec.outcome == OUTCOME_ABANDONED
    assert ab.sum() > 20 and on_hold_at_closing(rec, s).sum() > 10
    np.testing.assert_allclose(rec.wait_s[ab], patience[rec.caller[ab]], rtol=1e-12)
    leave = rec.arrival_s[ab] + rec.wait_s[ab]
    assert not np.isin(leave, CLOSING).any()
    # some of them hung up after closing time, still waiting for the closing interval's agents
    assert (~OPEN[(leave // L).astype(int)]).any()


@pytest.mark.parametrize("engine", list(ENGINES))
def test_drop_lets_everyone_on_hold_go_at_closing_as_before_issue_12(engine):
    s = Scenario(aht=300.0, patience=900.0, patience_dist="weibull", patience_cv=0.6, max_attempts=1,
                 at_close="drop")
    work, rec = records(s, engine, seed=3)
    np.testing.assert_array_equal(work.on_duty, AGENTS)  # nobody on duty while closed
    patience = engine_simpy.draw_first_attempts(work, s, spawn_streams(np.random.SeedSequence(3)))["patience_s"]
    held = on_hold_at_closing(rec, s)
    ab = rec.outcome == OUTCOME_ABANDONED
    # the same callers are on hold at noon as with "serve" (the morning is the same); all let go at noon,
    # before their patience ran out
    assert held.sum() > 10 and (rec.outcome[held] == OUTCOME_ABANDONED).all()
    cut = ab & np.isin(rec.arrival_s + rec.wait_s, CLOSING)
    assert cut.sum() >= held.sum() and (rec.wait_s[cut] < patience[rec.caller[cut]]).all()
    np.testing.assert_allclose(rec.wait_s[ab & ~cut], patience[rec.caller[ab & ~cut]], rtol=1e-12)
    answered = rec.outcome == OUTCOME_ANSWERED
    assert OPEN[interval_of_answer(rec)[answered]].all()  # nobody answered while closed


def test_no_callback_is_made_while_closed_and_they_are_carried_to_the_next_opening():
    s = Scenario(aht=300.0, patience=600.0, callback_threshold=120.0, callback_accept=0.6, max_attempts=1)
    work, rec = records(s, "simpy", seed=5)
    made = (rec.outcome == OUTCOME_CALLBACK) & ~np.isnan(rec.answer_s)
    k = (rec.answer_s[made] // L).astype(int)
    assert made.sum() > 20 and OPEN[k].all() and not work.closed[k].any()
    carried = (rec.interval[made] < 24) & (k >= 48)
    assert carried.sum() > 0  # accepted on day one, called back the next morning
    # meanwhile the closing interval's agents served the queue after noon on day one
    answered_after = (rec.outcome == OUTCOME_ANSWERED) & (rec.answer_s >= CLOSING[0]) & (rec.answer_s < 40 * L)
    assert answered_after.sum() > 0


@pytest.mark.parametrize("at_close", ["serve", "drop"])
@pytest.mark.parametrize("scenario", [
    Scenario(name="plain", aht=300.0, patience=900.0, patience_dist="weibull", patience_cv=0.6),
    Scenario(name="redials and lines", aht=300.0, patience=600.0, lines=25, redial_prob=0.6, redial_delay=3000.0,
             max_attempts=4, ivr_time=40.0, ivr_containment=0.1),
    Scenario(name="never hang up", aht=300.0, redial_prob=0.5, max_attempts=3),
], ids=lambda s: s.name)
def test_both_engines_close_the_same_way_call_for_call(scenario, at_close):
    s = scenario.replace(at_close=at_close)
    work = workload(CALLS, AGENTS, L, s)
    for seed in (0, 1):
        a = engine_simpy.simulate_replication(work, s, np.random.SeedSequence(seed))
        b = engine_fast.simulate_replication(work, s, np.random.SeedSequence(seed))
        assert_call_for_call(a, b, f"{s.name}, {at_close}, seed {seed}")


@pytest.mark.parametrize("engine", list(ENGINES))
def test_serve_with_nobody_on_duty_at_closing_lets_the_callers_on_hold_go_rather_than_keep_them_overnight(engine):
    # the plan stops half an hour before the calls do: the 11:30 interval has callers and no agent
    agents = np.where(OPEN & (np.arange(N) % 48 != 23), 8, 0)
    s = Scenario(aht=300.0, patience=None)
    work = workload(CALLS, agents, L, s)
    assert work.let_go.tolist() == (np.arange(N) % 48 == 24).tolist()  # both noons, nobody stays on duty
    rec = ENGINES[engine](work, s, np.random.SeedSequence(2))
    held = on_hold_at_closing(rec, s)
    assert held.sum() > 20 and (rec.outcome[held] == OUTCOME_ABANDONED).all()
    np.testing.assert_allclose((rec.arrival_s + rec.wait_s)[held] % (48 * L), 24 * L)  # let go at noon
    answered = rec.outcome == OUTCOME_ANSWERED
    assert OPEN[interval_of_answer(rec)[answered]].all() and rec.wait_s[answered].max() < 4 * 3600
    # with agents at closing, the same policy keeps serving (the rule above is only for nobody on duty)
    assert not workload(CALLS, AGENTS, L, s).let_go.any()
    assert workload(CALLS, AGENTS, L, s.replace(at_close="drop")).let_go.sum() == 2
