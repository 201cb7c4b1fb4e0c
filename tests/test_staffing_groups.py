"""Staffing agent groups: the Erlang split, the least-cost search by simulation, and what bilingual
agents save against separate pools, on the bundled bilingual scenario."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate import Scenario, StaffingPlan
from simulate.staffing import required_agents
from simulate.staffing_groups import compare_pools, erlang_split, staff_groups

ROOT = Path(__file__).resolve().parents[1]
BILINGUAL = Scenario.load(ROOT / "data" / "scenarios" / "bilingual.toml")
DEMAND = pd.DataFrame({"ds": pd.date_range("2026-01-05 09:00", periods=3, freq="30min"), "calls": [60.0, 80.0, 70.0]})


def test_the_bundled_bilingual_scenario_is_the_current_policy_in_two_languages():
    current = Scenario.load(ROOT / "data" / "scenarios" / "current_staffing.toml")
    assert BILINGUAL.group_names == ("en", "fr", "bilingual")
    assert [t.skill for t in BILINGUAL.call_types] == ["en", "fr"] and BILINGUAL.call_types[1].share == 0.2
    same = {"aht", "aht_dist", "aht_cv", "patience", "lines", "redial_prob", "sl_threshold", "sl_target", "shrinkage"}
    assert all(getattr(BILINGUAL, k) == getattr(current, k) for k in same)
    assert BILINGUAL.group_table()["hourly_cost"].tolist() == [38.0, 38.0, 38.41]  # $800 a year bonus


def test_erlang_split_gives_bilingual_agents_the_safety_staffing_and_specialists_the_rest_by_load():
    split = erlang_split(DEMAND, BILINGUAL)
    pooled = BILINGUAL.replace(agent_groups=())
    total = required_agents(DEMAND, pooled, method="erlang_a")["agents"].to_numpy()
    np.testing.assert_array_equal(split.sum(axis=1), total)  # the total is the pooled Erlang A staffing
    load = np.array([60.0, 80.0, 70.0]) * 545.0 / 1800.0
    safety = required_agents(DEMAND, pooled, method="erlang_c")["agents"].to_numpy() - load  # beta x sqrt(R)
    np.testing.assert_array_equal(split[:, 2], np.rint(safety))
    assert (split[:, 2] >= 2).all()
    np.testing.assert_allclose(split[:, 0], 0.8 * (total - split[:, 2]), atol=1)  # 80% English
    np.testing.assert_allclose(split[:, 1], 0.2 * (total - split[:, 2]), atol=1)
    # separate pools: each language sized on its own by Erlang A, which needs more agents in all
    alone = erlang_split(DEMAND, BILINGUAL, fixed={"bilingual": 0})
    assert (alone[:, 2] == 0).all() and (alone.sum(axis=1) > split.sum(axis=1)).all()


def test_a_plan_sized_to_target_sizes_the_groups_together():
    plan = StaffingPlan.sized("erlang_a")
    np.testing.assert_array_equal(plan.group_agents(DEMAND, BILINGUAL), erlang_split(DEMAND, BILINGUAL))
    res = simulate.run(DEMAND, BILINGUAL, plan, replications=2)
    assert res.engine == "fast" and list(res.by_group["group"]) == ["en", "fr", "bilingual"]


def test_bilingual_agents_meet_each_languages_target_on_unseen_seeds_for_less_than_separate_pools():
    cmp = compare_pools(DEMAND, BILINGUAL, replications=5, seed=1)
    sep, shared = cmp.separate, cmp.shared
    assert sep.summary["converged"] and shared.summary["converged"]
    assert (sep.agents["bilingual"] == 0).all() and shared.agents["bilingual"].sum() > 0
    # each language's target on seeds the search never saw: over the day, and no interval clearly below
    for res in (sep, shared):
        assert (res.by_skill["service_level"] >= BILINGUAL.sl_target).all(), res.by_skill
        assert (res.verification["service_level_hi"] >= BILINGUAL.sl_target).all(), res.verification
    # cheaper with bilingual agents, and the table says by how much
    table = cmp.table.set_index("option")
    assert shared.summary["cost"] < sep.summary["cost"]
    saving = table.loc["with bilingual agents", "saving"]
    assert saving == pytest.approx(sep.summary["cost"] - shared.summary["cost"]) and saving > 0
    assert {"agent_hours_en", "agent_hours_fr", "agent_hours_bilingual", "service_level_fr", "asa_s_fr"} <= set(table)
    # the cost per group is paid hours x the group's hourly cost (bilingual premium included)
    g = shared.groups.set_index("group")
    assert g.loc["bilingual", "cost"] == pytest.approx(g.loc["bilingual", "agent_hours"] / 0.7 * 38.41)
    # the result is a plan per group that simulate.run takes as is
    rerun = simulate.run(DEMAND, BILINGUAL, shared.plan, replications=2, seed=3)
    np.testing.assert_array_equal(rerun.intervals["agents"], shared.agents["total"])


def test_the_search_starts_from_the_split_at_the_load_redials_add_and_meets_the_target_without_refinement():
    # half the callers who hang up call again: more calls reach the agents than Erlang sees, and the
    # first simulation shows it; the search starts from the Erlang split at that load
    redials = BILINGUAL.replace(redial_prob=0.9, max_attempts=5, redial_delay=60.0)
    none = BILINGUAL.replace(redial_prob=0.0)
    np.testing.assert_array_equal(erlang_split(DEMAND, redials), erlang_split(DEMAND, none))  # Erlang is blind
    options = {"replications": 4, "seed": 2, "max_passes": 0, "max_add_rounds": 0, "verify": False}
    res, base = staff_groups(DEMAND, redials, **options), staff_groups(DEMAND, none, **options)
    assert res.summary["simulations"] == 3 and res.summary["passes"] == 0  # split, split at the load, fresh seeds
    assert (res.group_agents().sum(axis=1) >= base.group_agents().sum(axis=1)).all()
    assert res.group_agents().sum() > base.group_agents().sum()
    # without the cost-reducing rounds the plan still meets each language's target on unseen seeds
    quick = staff_groups(DEMAND, BILINGUAL, replications=5, seed=1, max_passes=0)
    assert quick.summary["converged"] and quick.summary["passes"] == 0
    assert (quick.by_skill["service_level"] >= BILINGUAL.sl_target).all(), quick.by_skill
    assert (quick.verification["service_level_hi"] >= BILINGUAL.sl_target).all(), quick.verification


def test_staffing_groups_says_what_is_wrong():
    with pytest.raises(ValueError, match="no agent group 'de'"):
        erlang_split(DEMAND, BILINGUAL, fixed={"de": 0})
    with pytest.raises(ValueError, match="replications must be a whole number >= 2"):
        staff_groups(DEMAND, BILINGUAL, replications=1)
    with pytest.raises(ValueError, match="max_passes must be a whole number >= 0"):
        staff_groups(DEMAND, BILINGUAL, max_passes=-1)
    only_bil = BILINGUAL.replace(agent_groups={"en": {"skills": ["en"]}, "bilingual": {"skills": ["en", "fr"]}})
    with pytest.raises(ValueError, match=r"none serves only \['fr'\]"):
        compare_pools(DEMAND, only_bil)


def test_the_bundled_bilingual_scenario_is_simulated_and_staffed_by_the_fast_engine():
    # issue 18: no bundled scenario falls back to SimPy; a demand by language (call_type long format)
    by_language = pd.DataFrame({"ds": np.repeat(DEMAND["ds"].to_numpy(), 2), "call_type": ["English", "French"] * 3,
                                "calls": [48.0, 12.0, 60.0, 20.0, 56.0, 14.0]})
    res = simulate.run(by_language, BILINGUAL, {"en": 20, "fr": 6, "bilingual": 4}, replications=2, engine="auto")
    assert res.engine == "fast" and set(res.by_skill["skill"]) == {"en", "fr"}
    options = {"replications": 2, "max_passes": 1, "max_add_rounds": 2, "verify": False}
    fast = staff_groups(by_language, BILINGUAL, **options)
    assert fast.summary["engine"] == "fast"
    # the engines give the same records call for call, so the search ends on the same staffing
    reference = staff_groups(by_language, BILINGUAL, engine="simpy", **options)
    assert reference.summary["engine"] == "simpy"
    pd.testing.assert_frame_equal(fast.agents, reference.agents)
    pd.testing.assert_frame_equal(fast.kpis, reference.kpis)
