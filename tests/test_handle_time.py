"""Handle time per interval (issue 12): workload = volume x handle time, interval by interval.

A day of constant calls whose handle time doubles at 14:00 (an ``aht_s`` column): Erlang staffing
needs about twice the agents in the afternoon, exactly the agents of a scenario whose ``aht`` is the
afternoon's; and the simulated afternoon waits match a run built with that handle time.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simulate
from simulate import Demand, Scenario, StaffingPlan, required_agents
from simulate.records import OUTCOME_ANSWERED

DS = pd.date_range("2026-01-06 08:00", periods=24, freq="30min")  # a Tuesday, 08:00-20:00
AFTERNOON = DS.hour >= 14
AHT = np.where(AFTERNOON, 600.0, 300.0)
DAY = pd.DataFrame({"ds": DS, "calls": 200.0, "aht_s": AHT})
SCENARIO = Scenario(aht=300.0, patience=240.0, sl_threshold=20.0, sl_target=0.8)


@pytest.mark.parametrize("method", ["erlang_c", "erlang_a"])
def test_the_afternoon_needs_about_twice_the_agents_when_handle_time_doubles(method):
    req = required_agents(Demand.from_frame(DAY), SCENARIO, method=method)
    np.testing.assert_array_equal(req["aht_s"], AHT)
    agents = req["agents"].to_numpy()
    # exactly the agents a scenario whose aht is each half's own needs on that half alone
    morning = required_agents(DAY[~AFTERNOON], SCENARIO, method=method)["agents"].to_numpy()
    afternoon = required_agents(DAY[AFTERNOON].drop(columns="aht_s"), SCENARIO.replace(aht=600.0),
                                method=method)["agents"].to_numpy()
    np.testing.assert_array_equal(agents[~AFTERNOON], morning)
    np.testing.assert_array_equal(agents[AFTERNOON], afternoon)
    # The offered load doubles exactly (33 to 67 Erlangs). Staffing to 80/20 is close to the
    # square-root rule a + beta sqrt(a), beta between 0.5 and 2, so the agents grow by a factor of
    # (2a + beta sqrt(2a)) / (a + beta sqrt(a)): 1.85 to 1.96 here, never 2 (economy of scale);
    # without the interval's handle time the factor would be 1.
    ratio = agents[AFTERNOON].mean() / agents[~AFTERNOON].mean()
    assert 1.8 < ratio < 2.0, ratio


def test_an_interval_without_handle_time_takes_the_scenarios():
    gaps = DAY.assign(aht_s=np.where(np.arange(24) % 3 == 0, np.nan, AHT))
    req = required_agents(gaps, SCENARIO, method="erlang_a")
    np.testing.assert_array_equal(req["aht_s"], np.where(np.arange(24) % 3 == 0, SCENARIO.aht, AHT))
    plain = required_agents(DAY.drop(columns="aht_s"), SCENARIO, method="erlang_a")
    assert (plain["aht_s"] == SCENARIO.aht).all()
    np.testing.assert_array_equal(req["agents"].to_numpy()[np.arange(24) % 3 == 0],
                                  plain["agents"].to_numpy()[np.arange(24) % 3 == 0])


def _late_afternoon_waits(result: simulate.SimulationResult) -> np.ndarray:
    """Per replication: the mean wait (s) of answered first calls arriving from 15:00 (an hour after
    the handle time changes, past the change's transient) to 20:00; and their mean handle time."""
    calls = result.calls
    arrival = result.demand.ds[0] + pd.to_timedelta(calls["arrival_s"], unit="s")
    keep = (calls["outcome"] == OUTCOME_ANSWERED) & (calls["attempt"] == 1) & (arrival.dt.hour >= 15).to_numpy()
    late = calls[keep]
    return late.groupby("replication")["wait_s"].mean().to_numpy(), late["service_s"].mean()


def test_the_simulated_afternoon_waits_match_a_run_built_with_the_afternoons_handle_time():
    day = Demand.from_frame(DAY)
    plan = StaffingPlan.table(StaffingPlan.sized("erlang_a").frame(day, SCENARIO))  # 600-s afternoon staffing
    agents = plan.agents(day)
    assert agents[AFTERNOON].min() > 1.8 * agents[~AFTERNOON].max()
    with_aht = simulate.run(day, SCENARIO, plan, replications=20, seed=1, keep_calls=True)
    alone = simulate.run(DAY[AFTERNOON].drop(columns="aht_s"), SCENARIO.replace(aht=600.0), plan,
                         replications=20, seed=2, keep_calls=True)
    a, service_a = _late_afternoon_waits(with_aht)
    b, service_b = _late_afternoon_waits(alone)
    assert service_a == pytest.approx(600.0, rel=0.03) and service_b == pytest.approx(600.0, rel=0.03)
    # The two runs have independent random numbers, so the per-replication means are compared with
    # Welch's t-test (a correct engine fails it one time in a thousand). Were the afternoon simulated
    # with the scenario's 300 s, these agents would answer everyone at once: mean wait 0 s against
    # about 8.5 s, a t statistic of about 11.
    assert b.mean() > 3.0
    t = stats.ttest_ind(a, b, equal_var=False)
    assert t.pvalue > 0.001, (a.mean(), b.mean(), t)
