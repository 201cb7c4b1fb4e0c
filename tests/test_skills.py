"""Skills and agent groups: the policy, plans per group, routing by skill (hand-checked call logs) and
the KPIs per call type, language and group. Exactness against a Markov chain: test_skills_ctmc.py."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import simulate
from forecast import DataError
from simulate import Demand, Scenario, StaffingPlan, as_plan
from simulate.engine_fast import simulate_replication as fast_replication
from simulate.engine_fast import supports as fast_supports
from simulate.engine_simpy import simulate_replication
from simulate.metrics import service_gap
from simulate.records import OUTCOME_ABANDONED, OUTCOME_ANSWERED, OUTCOME_CALLBACK, RECORD_FIELDS, CallRecords
from simulate.run import resolve_engine
from simulate.scenario import AgentGroup
from simulate.workload import Workload

TYPES = {"English": {"share": 0.8, "skill": "en", "priority": 1},
         "French": {"share": 0.2, "skill": "fr", "priority": 0}}
GROUPS = {"en": {"skills": ["en"]}, "fr": {"skills": ["fr"]},
          "bilingual": {"skills": ["en", "fr"], "hourly_cost": 40.0}}
BILINGUAL = Scenario(name="both languages", aht=300.0, patience=None, call_types=TYPES, agent_groups=GROUPS,
                     hourly_cost=38.0, sl_threshold=60.0)
MONDAY = pd.Timestamp("2026-01-05 00:00")  # a Monday


# --------------------------------------------------------------------------- the policy
def test_skills_and_groups_round_trip_through_toml_json_and_dicts():
    s = BILINGUAL.replace(pick="oldest", overflow_after=45.0)
    assert Scenario.from_toml(s.to_toml()) == s
    assert Scenario.from_json(s.to_json()) == s
    assert Scenario.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    assert s.agent_groups[2] == AgentGroup("bilingual", ("en", "fr"), 40.0)
    assert s.group_names == ("en", "fr", "bilingual") and hash(s) == hash(Scenario.from_toml(s.to_toml()))
    assert "[agent_groups.bilingual]" in s.to_toml() and 'skill = "fr"' in s.to_toml()


def test_a_call_types_language_is_its_skill():
    s = Scenario.from_toml('[call_types.French]\nshare = 1.0\nlanguage = "fr"\n'
                           '[agent_groups.fr]\nskills = ["fr"]\n')
    assert s.call_types[0].skill == "fr" and 'skill = "fr"' in s.to_toml()
    with pytest.raises(ValueError, match="give 'skill' or 'language'"):
        Scenario(call_types={"French": {"share": 1.0, "language": "fr", "skill": "fr"}})


def test_a_scenario_without_groups_is_one_pool_serving_every_type():
    s = Scenario(call_types=TYPES)
    g = s.group_table()
    assert s.group_names == ("agents",) and g["eligible"].all() and not s.routes_by_skill
    assert "agent_groups" not in s.to_toml() and Scenario.from_toml(s.to_toml()) == s


def test_group_table_gives_eligibility_preference_and_costs():
    g = BILINGUAL.group_table()
    np.testing.assert_array_equal(g["eligible"], [[True, False, True], [False, True, True]])
    np.testing.assert_array_equal(g["preferred"], [[True, False, False], [False, True, False]])
    np.testing.assert_array_equal(g["hourly_cost"], [38.0, 38.0, 40.0])
    # French callers with no French-only agents prefer the bilingual group
    only_bil = BILINGUAL.replace(agent_groups={"en": {"skills": ["en"]}, "bilingual": {"skills": ["en", "fr"]}})
    np.testing.assert_array_equal(only_bil.group_table()["preferred"], [[True, False], [False, True]])
    assert BILINGUAL.routes_by_skill and Scenario(call_types=TYPES, pick="oldest").routes_by_skill


@pytest.mark.parametrize("change, words", [
    ({"agent_groups": {"en": {"skills": ["en"]}}}, "no group serves skill 'fr' of call type 'French'"),
    ({"agent_groups": {**GROUPS, "de": {"skills": ["de"]}}}, "serves skill(s) ['de'] that no call type needs"),
    ({"agent_groups": [{"name": "en", "skills": ["en"]}, {"name": "en", "skills": ["fr"]}]}, "names must be unique"),
    ({"agent_groups": {"en": {"skills": []}, "fr": {"skills": ["fr"]}}}, "skills must be a non-empty list"),
    ({"agent_groups": {"en": {"languages": ["en"]}}}, "unknown keys ['languages']"),
    ({"agent_groups": {"en": {"skills": ["en", "en"]}}}, "lists a skill twice"),
    ({"agent_groups": {**GROUPS, "fr": {"skills": ["fr"], "hourly_cost": -1}}}, "hourly_cost must be >= 0"),
    ({"pick": "fifo"}, "Scenario.pick must be one of ('priority', 'oldest')"),
    ({"overflow_after": -5.0}, "overflow_after must be >= 0"),
])
def test_bad_skills_and_groups_are_refused_with_a_sentence(change, words):
    with pytest.raises(ValueError) as err:
        BILINGUAL.replace(**change)
    assert words in str(err.value)


def test_groups_need_call_types_and_overflow_needs_groups():
    with pytest.raises(ValueError, match="agent_groups needs call_types"):
        Scenario(agent_groups={"all": {"skills": ["x"]}})
    with pytest.raises(ValueError, match="overflow_after only applies with agent_groups"):
        Scenario(call_types=TYPES, overflow_after=30.0)
    with pytest.raises(ValueError, match="skill must be a non-empty string"):
        Scenario(call_types={"a": {"share": 1.0, "skill": ""}})


# --------------------------------------------------------------------------- plans per group
def demand(n=4, calls=100.0) -> Demand:
    return simulate.as_demand(pd.DataFrame({"ds": pd.date_range("2026-01-05 08:00", periods=n, freq="30min"),
                                            "calls": calls}))


def test_a_plan_per_group_is_evaluated_in_the_scenarios_group_order():
    plan = as_plan({"bilingual": 3, "fr": {"Mon-Fri 08:00-09:00": 5}, "en": 20})
    assert plan.kind == "groups" and plan.per_group
    np.testing.assert_array_equal(plan.group_agents(demand(), BILINGUAL), [[20, 5, 3], [20, 5, 3], [20, 0, 3],
                                                                          [20, 0, 3]])
    np.testing.assert_array_equal(plan.agents(demand(), BILINGUAL), [28, 28, 23, 23])
    assert plan.describe() == "bilingual: 3 agents; fr: Mon-Fri 08:00-09:00: 5; en: 20 agents"


def test_a_group_table_reads_back_and_plans_round_trip():
    plan = as_plan({"en": 20, "fr": StaffingPlan.pattern({"Mon 08:00-09:00": 5}), "bilingual": 3})
    frame = plan.group_frame(demand(), BILINGUAL)
    assert list(frame.columns) == ["ds", "group", "agents"] and len(frame) == 12
    table = StaffingPlan.table(frame)
    np.testing.assert_array_equal(table.group_agents(demand(), BILINGUAL), plan.group_agents(demand(), BILINGUAL))
    for p in (plan, table, plan * 1.5, StaffingPlan.parse("en=20; fr=5; bilingual=3 x 1.5")):
        assert StaffingPlan.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    # x 1.5 scales every group, each rounded so its total stays exact
    scaled = (plan * 1.5).group_agents(demand(), BILINGUAL)
    np.testing.assert_array_equal(scaled.sum(axis=0), [120, 15, 18])


def test_plans_that_do_not_fit_the_groups_say_so():
    with pytest.raises(ValueError, match=r"no plan for \['bilingual'\]"):
        as_plan({"en": 20, "fr": 5}).group_agents(demand(), BILINGUAL)
    with pytest.raises(ValueError, match=r"plans for unknown groups \['de'\]"):
        as_plan({"en": 20, "fr": 5, "bilingual": 3, "de": 1}).group_agents(demand(), BILINGUAL)
    with pytest.raises(ValueError, match="give a staffing plan per group"):
        StaffingPlan.constant(30).agents(demand(), BILINGUAL)
    with pytest.raises(ValueError, match="size the whole scenario instead"):
        as_plan({"en": StaffingPlan.sized("erlang_a"), "fr": 5, "bilingual": 3})
    frame = as_plan({"en": 2, "fr": 1, "bilingual": 1}).group_frame(demand(), BILINGUAL)
    with pytest.raises(DataError, match="row 13: timestamp 2026-01-05 08:00:00 appears twice for group 'en'"):
        StaffingPlan.table(pd.concat([frame, frame.iloc[:1]]))


def test_a_one_pool_plan_stays_as_it_was():
    one = Scenario(aht=300.0)
    assert StaffingPlan.constant(12).group_agents(demand(), one).tolist() == [[12]] * 4
    assert as_plan({"Mon 08:00-09:00": 4}).kind == "pattern" and as_plan({"agents": 7}).kind == "constant"


def test_workload_applies_the_closing_rule_group_by_group():
    s = BILINGUAL
    work = Workload.from_arrays(np.array([10.0, 10.0, 0.0, 0.0]), {"en": [3, 4, 0, 0], "fr": [1, 2, 0, 0],
                                                                    "bilingual": [2, 0, 0, 0]}, 1800.0, s)
    np.testing.assert_array_equal(work.group_on_duty, [[3, 1, 2], [4, 2, 0], [4, 2, 0], [4, 2, 0]])
    np.testing.assert_array_equal(work.agents, [6, 6, 0, 0])
    with pytest.raises(ValueError, match="give agents per group"):
        Workload.from_arrays(np.array([10.0]), 5, 1800.0, s)


# --------------------------------------------------------------------------- routing, hand-checked
ENGINES = ("simpy", "fast")


def replay(scenario: Scenario, calls: list[tuple[float, str, float]], staffing, engine: str) -> pd.DataFrame:
    """Replay a call log (seconds after Monday 00:00, call type, handle time s) on ``engine``; the
    records in order."""
    log = pd.DataFrame({"arrival": [MONDAY + pd.Timedelta(seconds=t) for t, _, _ in calls],
                        "call_type": [c for _, c, _ in calls], "service_s": [h for _, _, h in calls]})
    res = simulate.run(Demand.from_arrivals(log), scenario, staffing, replications=1, keep_calls=True, engine=engine)
    assert res.engine == engine
    out = res.calls.sort_values(["arrival_s", "attempt"]).reset_index(drop=True)
    out["group_name"] = [scenario.group_names[g] if g >= 0 else "" for g in out["group"]]
    return out


@pytest.mark.parametrize("engine", ENGINES)
def test_an_arriving_call_takes_a_specialist_first_then_a_bilingual_agent_else_queues(engine):
    calls = replay(BILINGUAL, [(0, "English", 100), (10, "English", 50), (20, "French", 30), (30, "English", 10)],
                   {"en": 1, "fr": 1, "bilingual": 1}, engine)
    assert calls["group_name"].tolist() == ["en", "bilingual", "fr", "bilingual"]
    # the last English caller waits for the bilingual agent (t = 60), not for the free French agent (t = 50)
    assert calls["answer_s"].tolist() == [0, 10, 20, 60] and calls["wait_s"].tolist() == [0, 0, 0, 30]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("pick, first", [("priority", "French"), ("oldest", "English")])
def test_a_freed_bilingual_agent_picks_by_priority_or_the_longest_wait(pick, first, engine):
    calls = replay(BILINGUAL.replace(pick=pick), [(0, "English", 100), (10, "English", 10), (20, "French", 10)],
                   {"en": 0, "fr": 0, "bilingual": 1}, engine)
    answers = dict(zip(calls["arrival_s"], calls["answer_s"]))
    assert answers[0] == 0
    if first == "French":  # French first at bilingual agents, though the English caller waited longer
        assert (answers[20], answers[10]) == (100, 110)
    else:
        assert (answers[10], answers[20]) == (100, 110)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_specialist_never_takes_another_language(engine):
    calls = replay(BILINGUAL, [(0, "English", 100), (1, "English", 100), (10, "French", 10), (20, "English", 10)],
                   {"en": 1, "fr": 0, "bilingual": 1}, engine)
    by_arrival = calls.set_index("arrival_s")
    # at t = 100 the English agent frees and takes the English caller; the French caller waits for the
    # bilingual agent (t = 101)
    assert by_arrival.loc[20, "answer_s"] == 100 and by_arrival.loc[20, "group_name"] == "en"
    assert by_arrival.loc[10, "answer_s"] == 101 and by_arrival.loc[10, "group_name"] == "bilingual"


@pytest.mark.parametrize("engine", ENGINES)
def test_overflow_after_holds_callers_for_their_specialists_first(engine):
    s = BILINGUAL.replace(overflow_after=30.0)
    log = [(0, "English", 100), (10, "English", 10), (15, "French", 100), (60, "French", 10)]
    calls = replay(s, log, {"en": 1, "fr": 1, "bilingual": 1}, engine).set_index("arrival_s")
    # the bilingual agent is idle all along but answers only after 30 s of waiting
    assert calls.loc[10, "answer_s"] == 40 and calls.loc[10, "group_name"] == "bilingual"
    assert calls.loc[60, "answer_s"] == 90 and calls.loc[60, "group_name"] == "bilingual"
    at_once = replay(BILINGUAL, log, {"en": 1, "fr": 1, "bilingual": 1}, engine).set_index("arrival_s")
    assert at_once.loc[10, "answer_s"] == 10 and at_once.loc[60, "answer_s"] == 60
    # a specialist who frees within the delay answers first
    early = replay(s, [(0, "English", 25), (10, "English", 10)], {"en": 1, "fr": 1, "bilingual": 1}, engine)
    assert early["answer_s"].tolist() == [0, 25] and early["group_name"].tolist() == ["en", "en"]


@pytest.mark.parametrize("engine", ENGINES)
def test_shift_changes_go_group_by_group_and_unservable_callers_leave_at_the_end(engine):
    staffing = {"bilingual": {"Mon 00:00-00:30": 1}, "en": {"Mon 00:30-24:00": 1}, "fr": 0}
    calls = replay(BILINGUAL, [(1700, "English", 200), (1750, "French", 10)], staffing, engine).set_index("arrival_s")
    # the bilingual agent finishes the English call past the end of the shift (t = 1900), then leaves:
    # nobody who speaks French is on duty for the rest of the day, so the French caller is let go at the end
    assert calls.loc[1700, "group_name"] == "bilingual" and calls.loc[1700, "service_s"] == 200
    assert calls.loc[1750, "outcome"] == OUTCOME_ABANDONED and calls.loc[1750, "wait_s"] == 86400 - 1750
    assert calls.loc[1750, "group"] == -1


# --------------------------------------------------------------------------- one pool unchanged
ONE_POOL = [
    Scenario(aht=300.0, patience=400.0),
    Scenario(aht=300.0, patience=300.0, redial_prob=0.5, redial_delay=300.0, lines=25, at_close="drop",
             call_types={"a": {"share": 0.6, "priority": 1}, "b": {"share": 0.4, "aht": 400.0, "patience": 200.0}}),
    Scenario(aht=300.0, patience=300.0, ivr_time=30.0, ivr_containment=0.2, residual_aht_factor=1.2,
             aht_dist="lognormal", aht_cv=0.7, call_types=TYPES),
]
CALLS = np.array([0, 30, 120, 150, 90, 0, 0, 60, 100, 0], dtype=float)
AGENTS = np.array([0, 4, 13, 15, 10, 0, 0, 7, 9, 0])


@pytest.mark.parametrize("scenario", ONE_POOL)
def test_one_pool_simpy_still_equals_the_fast_engine_call_for_call(scenario):
    work = Workload.from_arrays(CALLS, AGENTS, 1800.0, scenario)
    for seed in range(3):
        a = simulate_replication(work, scenario, np.random.SeedSequence(seed))
        b = fast_replication(work, scenario, np.random.SeedSequence(seed))
        # the engines' contract (tests/test_engine_fast.py): same attempts by (caller, attempt), same
        # outcomes and groups, times equal to rounding
        ia, ib = np.lexsort((a.attempt, a.caller)), np.lexsort((b.attempt, b.caller))
        for f in ("caller", "attempt", "call_type", "interval", "outcome", "group"):
            np.testing.assert_array_equal(getattr(a, f)[ia], getattr(b, f)[ib], err_msg=f)
        for f in ("arrival_s", "wait_s", "answer_s", "service_s"):
            np.testing.assert_allclose(getattr(a, f)[ia], getattr(b, f)[ib], rtol=1e-9, atol=1e-6, err_msg=f)
        np.testing.assert_array_equal(a.staffed_group_s, b.staffed_group_s)
        assert set(np.unique(a.group)) == {-1, 0}


def test_one_explicit_group_is_the_one_pool_call_for_call():
    pool = ONE_POOL[2]
    one = pool.replace(agent_groups={"everyone": {"skills": ["en", "fr"]}})
    assert not one.routes_by_skill and resolve_engine("auto", one) == "fast"
    w_pool, w_one = (Workload.from_arrays(CALLS, AGENTS, 1800.0, s) for s in (pool, one))
    a = simulate_replication(w_pool, pool, np.random.SeedSequence(4))
    b = simulate_replication(w_one, one, np.random.SeedSequence(4))
    for f in RECORD_FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


def test_records_without_groups_are_filled_for_one_pool():
    rec = CallRecords.from_columns({"caller": [0, 1], "attempt": [1, 1], "call_type": [0, 0], "interval": [0, 0],
                                    "arrival_s": [1.0, 2.0], "outcome": [OUTCOME_ANSWERED, OUTCOME_ABANDONED],
                                    "wait_s": [0.0, 5.0], "answer_s": [1.0, np.nan],
                                    "service_s": [30.0, np.nan]}, staffed_s=np.array([1800.0]))
    assert rec.group.tolist() == [0, -1] and rec.staffed_group_s.shape == (1, 1)


def test_routing_by_skill_runs_on_the_fast_engine_with_engine_auto():
    # call for call with SimPy: tests/test_engine_parity.py
    assert fast_supports(BILINGUAL) == (True, "") and fast_supports(BILINGUAL.replace(pick="oldest")) == (True, "")
    assert resolve_engine("auto", BILINGUAL) == "fast" and resolve_engine("fast", BILINGUAL) == "fast"


# --------------------------------------------------------------------------- KPIs per type, language, group
def test_kpis_per_type_language_and_group_add_up_and_show_the_gap():
    s = BILINGUAL.replace(patience=600.0, shrinkage=0.25)
    d = pd.DataFrame({"ds": pd.date_range("2026-01-05 08:00", periods=6, freq="30min"), "calls": 150.0})
    res = simulate.run(d, s, {"en": 16, "fr": 3, "bilingual": 5}, replications=3, seed=2, keep_calls=True)
    assert res.by_type["call_type"].tolist() == ["English", "French"] and res.by_type["skill"].tolist() == ["en", "fr"]
    assert res.by_skill["skill"].tolist() == ["en", "fr"] and res.by_group["group"].tolist() == list(s.group_names)
    per_rep = res.per_replication
    assert res.by_type["answered"].sum() == pytest.approx(per_rep["answered"].mean())
    assert res.by_type["calls"].sum() == pytest.approx((per_rep["answered"] + per_rep["abandoned"]).mean())
    assert res.by_group["answered"].sum() == pytest.approx(per_rep["answered"].mean())
    calls = res.calls
    served = calls[calls["group"] >= 0]
    assert served.groupby("group").size().sum() == (calls["outcome"] == OUTCOME_ANSWERED).sum()
    assert not ((calls["call_type"] == 1) & (calls["group"] == 0)).any()  # no French call at an English agent
    assert ((res.by_group["occupancy"] > 0) & (res.by_group["occupancy"] <= 1)).all()
    hours = 6 * 0.5 * np.array([16, 3, 5])
    np.testing.assert_allclose(res.by_group["agent_hours"], hours)
    np.testing.assert_allclose(res.by_group["cost"], hours / 0.75 * np.array([38.0, 38.0, 40.0]))
    gap = service_gap(res)
    assert gap["metric"].tolist() == ["service_level", "asa_s", "abandon_rate"]
    sl = res.by_skill.set_index("skill")["service_level"]
    assert gap.loc[0, "gap"] == pytest.approx(abs(sl["en"] - sl["fr"]))
    assert gap.loc[0, "worse"] == sl.idxmin()


def test_a_one_type_one_pool_run_has_no_breakdown_and_the_gap_says_why():
    res = simulate.run(demand(), Scenario(aht=300.0, patience=300.0), 14, replications=2)
    assert res.by_type is None and res.by_group is None
    with pytest.raises(ValueError, match="per-skill breakdown"):
        service_gap(res)


def test_a_bilingual_result_exports_with_its_groups_in_the_assumptions(tmp_path):
    from simulate import export

    res = simulate.run(demand(), BILINGUAL.replace(patience=300.0), {"en": 12, "fr": 3, "bilingual": 3},
                       replications=2)
    import openpyxl

    wb = openpyxl.load_workbook(export.to_excel(res, tmp_path / "run.xlsx"))
    rows = {r[0]: r[2] for ws in wb for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], str)}
    assert rows["agent_groups"] == "en: serves en; fr: serves fr; bilingual: serves en, fr, 40.00 an hour"
    assert "skill fr" in rows["call_types"] and rows["pick"] == "priority"


@pytest.mark.parametrize("replicate", [simulate_replication, fast_replication], ids=["simpy", "fast"])
@pytest.mark.parametrize("extra", [{}, {"at_close": "drop"}, {"pick": "oldest", "overflow_after": 10.0}])
def test_no_call_reaches_a_group_without_its_skill_whatever_else_is_on(extra, replicate):
    types = {**TYPES, "English": {**TYPES["English"], "share": 0.7},
             "Urgent": {"share": 0.1, "skill": "fr", "priority": -1, "aht": 500.0}}
    s = Scenario(aht=300.0, patience=240.0, redial_prob=0.5, redial_delay=600.0, lines=40, ivr_time=20.0,
                 ivr_containment=0.1, callback_threshold=120.0, callback_deadline=900.0, agent_groups=GROUPS,
                 call_types=types, **extra)
    work = Workload.from_arrays(np.array([0, 50, 120, 150, 0, 60, 0.0]), {
        "en": [0, 5, 9, 10, 0, 4, 0], "fr": [0, 1, 2, 3, 0, 0, 0], "bilingual": [0, 1, 2, 2, 0, 2, 0]}, 1800.0, s)
    rec = replicate(work, s, np.random.SeedSequence(5))
    served = ~np.isnan(rec.service_s)
    assert (rec.outcome >= 0).all() and ((rec.group >= 0) == served).all()
    assert not ((rec.call_type >= 1) & (rec.group == 0)).any()  # French or urgent French at an English agent
    assert not ((rec.call_type == 0) & (rec.group == 1)).any()
    assert (served & (rec.outcome == OUTCOME_CALLBACK)).sum() > 0  # callbacks made
    assert (rec.group == 2).sum() > 0  # bilingual agents used
