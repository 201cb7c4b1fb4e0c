"""Plans that keep their promise (issue 13, items 1-3): the recommendation is sized on the whole
scenario, simulated on seeds the sizing never saw, and says plainly whether it meets its target."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate import Scenario
from simulate.confidence import worse_than_target
from simulate.staffing import _simulate, erlang_blind_spots, resolve_method

# A morning of 30-minute intervals with a peak, callers who hang up, redial and meet busy signals:
# Erlang A, which sees none of that, understaffs it.
CALLS = np.array([120.0, 210.0, 330.0, 390.0, 360.0, 270.0, 180.0, 120.0])
BUSY = Scenario(name="busy", aht=300.0, aht_dist="lognormal", aht_cv=0.8, patience=180.0, lines=100,
                redial_prob=0.7, redial_delay=600.0, max_attempts=4, sl_threshold=30.0, sl_target=0.8,
                shrinkage=0.3, hourly_cost=30.0)
PLAIN = Scenario(name="plain", aht=300.0, patience=180.0, sl_threshold=30.0, sl_target=0.8)


def morning(calls: np.ndarray = CALLS) -> simulate.Demand:
    ds = pd.date_range("2026-03-02 08:00", periods=len(calls), freq="30min")
    return simulate.Demand.from_frame(pd.DataFrame({"ds": ds, "calls": calls}))


def forecast_frame() -> pd.DataFrame:
    ds = pd.date_range("2026-03-02 08:00", periods=len(CALLS), freq="30min")
    sd = 0.15 * CALLS
    return pd.DataFrame({"ds": ds, "yhat": CALLS, "yhat_lo_95": CALLS - 1.96 * sd, "yhat_hi_95": CALLS + 1.96 * sd})


@pytest.fixture(scope="module")
def rec() -> simulate.StaffingRecommendation:
    return simulate.staff(morning(), BUSY, replications=8, seed=3, engine="fast")


def test_erlang_blind_spots_name_what_erlang_cannot_see():
    assert erlang_blind_spots(PLAIN) == ()
    assert erlang_blind_spots(BUSY) == ("redials", "lines", "handle_time")
    ivr = PLAIN.replace(ivr_containment=0.2, ivr_time=30.0, callback_threshold=60.0, patience_dist="weibull")
    assert erlang_blind_spots(ivr) == ("ivr", "callbacks", "patience")
    assert resolve_method("auto", BUSY) == "simulation"
    assert resolve_method("auto", PLAIN) == "erlang_a"
    assert resolve_method("auto", PLAIN.replace(patience=None)) == "erlang_c"


def test_the_default_recommendation_is_simulated_and_meets_its_target(rec):
    assert rec.requested_method == "auto" and rec.method == "simulation"
    assert rec.facts["converged"] is True and rec.warnings == ()
    assert rec.meets_target is True and rec.summary["meets_target"] is True
    sim = rec.simulated
    assert sim["service_level"] >= BUSY.sl_target and sim["intervals_meeting_target"] == sim["intervals_open"] == 8
    assert sim["service_level_lo"] <= sim["service_level"] <= sim["service_level_hi"] <= 1.0
    assert "meets the target" in rec.verdict() and "redials" in rec.verdict()


def test_the_recommended_plan_meets_its_target_on_seeds_it_never_saw(rec):
    for seed in (424242, 5150):
        batch = _simulate(rec.demand, BUSY, rec.requirements["agents"].to_numpy(), 20, seed, "fast")
        sl = batch.values("service_level")
        assert not worse_than_target(sl, BUSY.sl_target, direction="higher").any()
        assert np.nanmean(sl) >= BUSY.sl_target


def test_the_simulated_figures_are_those_of_simulate_run_on_the_verification_seeds(rec):
    res = simulate.run(rec.demand, BUSY, rec.plan, replications=8, seed=3 + 10_000, engine="fast")
    assert rec.simulated["service_level"] == res["service_level"]
    assert rec.simulated["asa_s"] == res["asa_s"] and rec.simulated["abandon_rate"] == res["abandon_rate"]
    pd.testing.assert_series_equal(rec.verification["service_level"], res.intervals["service_level"],
                                   check_names=False)


def test_an_erlang_a_plan_that_misses_in_simulation_is_flagged_and_the_gap_spelled_out(rec):
    erl = simulate.staff(morning(), BUSY, method="erlang_a", replications=8, seed=3, engine="fast")
    assert erl.method == "erlang_a" and erl.meets_target is False and erl.summary["meets_target"] is False
    assert erl.simulated["service_level"] < BUSY.sl_target
    assert "MISSES" in erl.verdict() and "N'ATTEINT PAS" in erl.verdict("fr")
    assert any("significantly short" in w for w in erl.warnings)
    comp = rec.comparison
    assert list(comp.index) == ["erlang_c", "erlang_a", "simulation"]
    assert comp.at["erlang_a", "simulated_service_level"] < BUSY.sl_target  # the seed plan, simulated
    assert comp.at["erlang_a", "gap_agent_hours"] < 0 and comp.at["simulation", "gap_agent_hours"] == 0
    assert "Erlang A asks for" in rec.gap() and "Erlang leaves out redials" in rec.gap()


def test_a_plan_sized_by_erlang_that_misses_in_simulation_says_so_and_which_figure_to_trust(rec):
    from simulate.staffing import sized_plan_note

    erl = simulate.run(morning(), BUSY, simulate.StaffingPlan.sized("erlang_a"), replications=8, seed=3,
                       engine="fast")
    sl = erl.summary.loc["service_level"]
    assert sl["hi"] < BUSY.sl_target
    note = sized_plan_note(erl, "erlang_a")
    assert note.startswith(f"Sized by Erlang A, this plan answers {sl['mean']:.1%} of calls within 30 s")
    assert f"(95% CI {sl['lo']:.1%}–{sl['hi']:.1%}), below its 80% target" in note
    assert "Erlang leaves out redials" in note and "Trust the simulation" in note
    assert "Fiez-vous à la simulation" in sized_plan_note(erl, "erlang_a", "fr")
    assert sized_plan_note(erl, "simulation") == ""  # only a quick estimate's plan is flagged
    ok = simulate.run(morning(), BUSY, rec.plan, replications=8, seed=11, engine="fast")
    assert ok.summary.loc["service_level", "hi"] >= BUSY.sl_target and sized_plan_note(ok, "erlang_a") == ""


def test_auto_corrects_an_erlang_plan_that_misses_even_when_erlang_sees_everything():
    # No blind spot, but a queue too small for steady-state formulas in half-hour slices: whatever
    # Erlang says, the plan returned by "auto" meets its target when simulated.
    sc = PLAIN.replace(aht=1200.0, sl_threshold=10.0, sl_target=0.9)
    auto = simulate.staff(morning(CALLS / 4), sc, replications=8, seed=1, engine="fast")
    assert auto.meets_target is True
    assert auto.method in ("erlang_a", "simulation")


def test_a_search_cut_short_says_it_did_not_converge():
    cut = simulate.staff(morning(), BUSY, method="simulation", max_iterations=1, replications=4, seed=0,
                         engine="fast", verify=False)
    assert cut.facts["converged"] is False and cut.facts["iterations"] == 1
    assert any("stopped after 1 rounds" in w for w in cut.warnings)
    assert cut.simulated == {} and cut.meets_target is None and "not simulated" in cut.verdict()


def test_quantile_staffing_simulates_the_quantile_demand_and_reuses_the_median_plan(rec):
    fc = forecast_frame()
    q = simulate.staffing_by_quantile(fc, BUSY, replications=8, seed=3, engine="fast", reference=rec)
    assert q.attrs["method"] == "simulation" and all(q.attrs["converged"].values())
    np.testing.assert_array_equal(q["agents_p50"], rec.requirements["agents"])
    assert (q["agents_p95"] >= q["agents_p80"]).all() and q["agents_p95"].sum() > q["agents_p50"].sum()
    erlang = simulate.staffing_by_quantile(fc, BUSY, method="erlang_a")
    assert erlang.attrs["method"] == "erlang_a" and q["agents_p80"].sum() > erlang["agents_p80"].sum()


def test_risk_of_missing_gives_its_chance_with_a_wilson_interval(rec):
    risk = simulate.risk_of_missing(forecast_frame(), BUSY, rec, draws=6, seed=1, engine="fast")
    assert len(risk) == 1 and risk.at[0, "draws"] == 6
    assert 0.0 <= risk.at[0, "p_miss_lo"] <= risk.at[0, "p_miss"] <= risk.at[0, "p_miss_hi"] <= 1.0


def test_workers_share_the_replications_without_changing_a_number():
    one = simulate.staff(morning(), BUSY, replications=3, seed=4, engine="fast", max_iterations=2)
    two = simulate.staff(morning(), BUSY, replications=3, seed=4, engine="fast", max_iterations=2, workers=2)
    pd.testing.assert_frame_equal(one.requirements, two.requirements)
    assert one.simulated == two.simulated
