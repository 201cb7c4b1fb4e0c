"""Empirical handle-time and patience distributions: a quantile table, in both engines, common random numbers kept."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simulate
from simulate import Demand, Empirical, Scenario, StaffingPlan
from simulate._draws import spawn_streams
from simulate.empirical import MAX_QUANTILES, empirical_unit
from simulate.engine_fast import simulate_replication as fast_replication
from simulate.engine_simpy import draw_first_attempts
from simulate.engine_simpy import simulate_replication as simpy_replication
from simulate.run import prepare
from simulate.scenario import duration_quantile

RNG = np.random.default_rng(7)
HANDLE = RNG.lognormal(5.0, 0.7, 5000)  # seconds
PATIENCE = RNG.weibull(1.5, 800) * 150.0


def test_up_to_1001_samples_are_kept_as_they_are_and_the_mean_is_the_sample_mean():
    few = Empirical.from_samples(HANDLE[:500])
    assert few.values == tuple(np.sort(HANDLE[:500]))
    assert few.mean == pytest.approx(HANDLE[:500].mean(), rel=1e-12)
    many = Empirical.from_samples(HANDLE)
    assert len(many.values) == MAX_QUANTILES
    assert many.mean == pytest.approx(HANDLE.mean(), rel=2e-3)
    assert many.cv == pytest.approx(HANDLE.std() / HANDLE.mean(), rel=2e-2)


def test_the_inverse_cdf_interpolates_between_hazen_positions_and_is_flat_beyond_the_ends():
    e = Empirical((10.0, 20.0, 40.0))  # probabilities 1/6, 1/2, 5/6
    np.testing.assert_allclose(e.quantile([0.0, 1 / 6, 1 / 3, 0.5, 2 / 3, 5 / 6, 0.999]),
                               [10.0, 10.0, 15.0, 20.0, 30.0, 40.0, 40.0])
    np.testing.assert_allclose(e.cdf(e.quantile([0.2, 0.5, 0.7])), [0.2, 0.5, 0.7])
    # the mean of the distribution is the mean of the values: integrate the quantile function
    u = (np.arange(600_000) + 0.5) / 600_000
    assert e.quantile(u).mean() == pytest.approx(e.mean, rel=1e-6)
    assert empirical_unit(u, e.values).mean() == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("bad, message", [
    ([], "1 to 1001"), (list(range(1, 1003)), "1 to 1001"), ([3.0, 2.0], "sorted"), ([-1.0, 2.0], ">= 0"),
    ([0.0, 0.0], "not all be 0"), ([1.0, float("nan")], "finite"), ("1,2,3", "list of durations"),
])
def test_a_bad_quantile_table_is_refused_naming_the_field(bad, message):
    with pytest.raises(ValueError, match=message) as err:
        Scenario(aht_dist="empirical", aht_quantiles=bad)
    assert "aht_quantiles" in str(err.value)


def test_the_table_and_the_distribution_go_together():
    with pytest.raises(ValueError, match="needs aht_quantiles"):
        Scenario(aht_dist="empirical")
    with pytest.raises(ValueError, match="only used with patience_dist='empirical'"):
        Scenario(patience=100.0, patience_quantiles=(1.0, 2.0))


def test_an_empirical_scenario_round_trips_through_toml_and_json_exactly():
    s = Scenario(name="own", aht=float(HANDLE.mean()), aht_dist="empirical",
                 aht_quantiles=Empirical.from_samples(HANDLE), patience=150.0, patience_dist="empirical",
                 patience_quantiles=Empirical.from_samples(PATIENCE).values)
    assert isinstance(s.aht_quantiles, tuple) and len(s.aht_quantiles) == MAX_QUANTILES
    assert Scenario.from_toml(s.to_toml()) == s
    assert Scenario.from_json(s.to_json()) == s
    assert hash(s) == hash(Scenario.from_toml(s.to_toml()))


def test_durations_are_the_table_shape_scaled_to_the_mean_asked_for_on_common_uniforms():
    q = Empirical.from_samples(HANDLE).values
    u = RNG.random(1000)
    one = duration_quantile(u, 200.0, "empirical", quantiles=q)
    two = duration_quantile(u, 400.0, "empirical", quantiles=q)
    np.testing.assert_array_equal(two, 2.0 * one)
    assert np.all(np.diff(one[np.argsort(u)]) >= 0)  # monotone in its uniform
    # the same callers get the same draws in a scenario with longer handle time (common random numbers)
    demand = Demand(ds=pd.date_range("2026-03-02 08:00", periods=4, freq="30min"), calls=np.full(4, 50.0),
                    interval_s=1800)
    base = Scenario(aht=200.0, aht_dist="empirical", aht_quantiles=q)
    works = [prepare(demand, s, 10)[3] for s in (base, base.replace(aht=300.0))]
    a, b = (draw_first_attempts(w, s, spawn_streams(np.random.SeedSequence(3)))
            for w, s in zip(works, (base, base.replace(aht=300.0)), strict=True))
    np.testing.assert_array_equal(a["arrival_s"], b["arrival_s"])
    np.testing.assert_allclose(b["service_s"], 1.5 * a["service_s"], rtol=1e-12)


def _same_records(a, b) -> None:
    """The same attempts (matched by caller and attempt: the engines list redials in different orders)."""
    ia, ib = np.lexsort((a.attempt, a.caller)), np.lexsort((b.attempt, b.caller))
    for name in ("caller", "attempt", "call_type", "interval", "outcome"):
        np.testing.assert_array_equal(getattr(a, name)[ia], getattr(b, name)[ib], err_msg=name)
    for name in ("arrival_s", "wait_s", "answer_s", "service_s"):
        np.testing.assert_allclose(getattr(a, name)[ia], getattr(b, name)[ib], rtol=1e-9, atol=1e-6, err_msg=name)
    np.testing.assert_array_equal(a.staffed_s, b.staffed_s)


@pytest.mark.parametrize("redial_prob, lines", [(0.0, None), (0.4, None), (0.4, 14)])
def test_both_engines_give_the_same_records_call_for_call_with_empirical_handle_time_and_patience(redial_prob, lines):
    s = Scenario(aht=240.0, aht_dist="empirical", aht_quantiles=Empirical.from_samples(HANDLE).values,
                 patience=120.0, patience_dist="empirical", patience_quantiles=Empirical.from_samples(PATIENCE).values,
                 redial_prob=redial_prob, redial_delay=300.0, max_attempts=4, ivr_containment=0.1, ivr_time=20.0,
                 lines=lines)
    demand = Demand(ds=pd.date_range("2026-03-02 08:00", periods=6, freq="30min"),
                    calls=np.array([60.0, 90.0, 110.0, 100.0, 70.0, 40.0]), interval_s=1800)
    work = prepare(demand, s, 9)[3]
    seed = np.random.SeedSequence(11)
    fast, ref = fast_replication(work, s, seed), simpy_replication(work, s, seed)
    assert (fast.outcome == 2).sum() > 20  # callers do hang up: patience is exercised
    _same_records(fast, ref)


def test_simulated_handle_times_follow_the_empirical_table():
    table = Empirical.from_samples(HANDLE)
    s = Scenario(aht=table.mean, aht_dist="empirical", aht_quantiles=table.values)
    demand = Demand(ds=pd.date_range("2026-03-02", periods=48, freq="30min"), calls=np.full(48, 100.0),
                    interval_s=1800)
    res = simulate.run(demand, s, StaffingPlan.constant(40), replications=1, keep_calls=True, seed=1)
    served = res.calls["service_s"].dropna().to_numpy()
    assert len(served) > 4000
    assert stats.kstest(served, table.cdf).statistic < 1.36 / np.sqrt(len(served)) * 1.5
