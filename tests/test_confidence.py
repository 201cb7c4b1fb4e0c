"""Intervals that respect their range, the tests built on them, and compare()'s stars (issue 13, item 5)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import simulate
from simulate import Scenario
from simulate.confidence import mean_interval, metric_bounds, p_worse, wilson, worse_than_target
from simulate.metrics import METRICS, t_interval


def _t(values: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean() - half, values.mean() + half


def _day(calls: float = 60.0, n: int = 6) -> pd.DataFrame:
    return pd.DataFrame({"ds": pd.date_range("2026-03-02 09:00", periods=n, freq="30min"), "calls": np.full(n, calls)})


# ----------------------------------------------------------------------------- the intervals
def test_a_service_level_interval_from_two_replications_stays_below_one():
    values = np.array([0.62, 0.97])
    assert _t(values)[1] > 1.0  # the textbook t interval leaves the range
    mean, lo, hi = mean_interval(values, lower=0.0, upper=1.0)
    assert 0.0 <= lo < mean < hi <= 1.0


def test_a_count_interval_never_goes_below_zero():
    callbacks = np.array([0.0, 5.0, 3.0, 0.0, 5.0])  # "Callbacks accepted 2.6 (-0.3-5.5)" with a t interval
    assert _t(callbacks)[0] < 0.0
    mean, lo, hi = mean_interval(callbacks, lower=0.0)
    assert mean == pytest.approx(2.6) and 0.0 < lo < 2.6 < hi


def test_far_from_its_bounds_the_interval_is_the_t_interval():
    rng = np.random.default_rng(3)
    values = 0.5 + 0.01 * rng.standard_normal(30)
    t_lo, t_hi = _t(values)
    for lower, upper in ((0.0, 1.0), (0.0, None), (None, None)):
        _, lo, hi = mean_interval(values, lower=lower, upper=upper)
        assert lo == pytest.approx(t_lo, abs=2e-3) and hi == pytest.approx(t_hi, abs=2e-3)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8),
       st.sampled_from(((0.0, 1.0), (0.0, None), (1.0, None))))
def test_every_interval_contains_its_mean_and_stays_in_range(values, bounds):
    lower, upper = bounds
    x = np.asarray(values) + (1.0 if lower == 1.0 else 0.0)
    mean, lo, hi = (float(v) for v in mean_interval(x, lower=lower, upper=upper))
    assert lo <= mean + 1e-12 and mean <= hi + 1e-12
    assert lo >= lower - 1e-12 and (upper is None or hi <= upper + 1e-12)


def test_share_intervals_cover_the_true_mean_of_skewed_replications():
    # Replication service levels piled up near 1 (Beta(18, 2), mean 0.9) in fives: the nominal 95%
    # interval should cover the true mean in about 95% of 2,000 repeats (the t interval also
    # leaves [0, 1] in some of them; ours never does).
    rng = np.random.default_rng(7)
    samples = rng.beta(18, 2, size=(5, 2000))
    _, lo, hi = mean_interval(samples, lower=0.0, upper=1.0)
    cover = np.mean((lo <= 0.9) & (0.9 <= hi))
    assert 0.92 <= cover <= 0.98 and hi.max() <= 1.0


def test_metric_ranges_come_from_their_units():
    assert metric_bounds("service_level") == (0.0, 1.0) and metric_bounds("occupancy") == (0.0, 1.0)
    assert metric_bounds("callbacks") == (0.0, None) and metric_bounds("asa_s") == (0.0, None)
    assert metric_bounds("attempts_per_caller") == (1.0, None)
    assert all(metric_bounds(m)[0] is not None for m in METRICS)


def test_t_interval_keeps_its_old_behaviour_without_bounds_and_ignores_missing_replications():
    mean, lo, hi = t_interval(np.array([[1.0, np.nan], [3.0, np.nan], [2.0, 5.0]]))
    assert mean[0] == 2.0 and lo[0] == pytest.approx(2.0 - stats.t.ppf(0.975, 2) / np.sqrt(3))
    assert mean[1] == lo[1] == hi[1] == 5.0


def test_wilson_interval_of_no_success_in_ten_trials():
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-3)


# ----------------------------------------------------------------------------- the tests on them
def test_p_worse_is_the_one_sided_t_test():
    rng = np.random.default_rng(11)
    values = np.clip(0.8 + 0.06 * rng.standard_normal((6, 50)), 0.0, 1.0)
    expected = stats.ttest_1samp(values, 0.8, alternative="less").pvalue
    np.testing.assert_allclose(p_worse(values, 0.8, direction="higher"), expected)
    np.testing.assert_allclose(p_worse(1.0 - values, 0.2, direction="lower"), expected)


def test_intervals_that_all_meet_the_target_are_rarely_flagged_and_many_that_miss_are_all_flagged():
    # Replication service levels as Beta draws (their spread shrinks towards 0 and 1, as shares' do).
    rng = np.random.default_rng(5)
    false_alarms = sum(worse_than_target(rng.beta(16, 4, size=(10, 96)), 0.8, direction="higher").any()
                       for _ in range(300))  # 96 intervals, every one truly at the 80% target
    assert false_alarms / 300 <= 0.07
    short = np.concatenate([rng.beta(14, 6, size=(10, 48)), rng.beta(18, 2, size=(10, 48))], axis=1)
    flagged = worse_than_target(short, 0.8, direction="higher")  # 48 intervals at 70%, 48 at 90%
    assert flagged[:48].mean() > 0.9 and not flagged[48:].any()
    bonferroni = p_worse(short, 0.8, direction="higher") < 0.05 / 96
    assert bonferroni.sum() < flagged.sum() / 2


# ----------------------------------------------------------------------------- run() and compare()
def test_every_interval_of_a_two_replication_run_stays_inside_its_range():
    sc = Scenario(name="small", aht=300.0, patience=200.0, lines=14, redial_prob=0.5, redial_delay=300.0,
                  callback_threshold=None, sl_threshold=20.0)
    res = simulate.run(_day(45.0), sc, 8, replications=2, seed=1, engine="fast")
    assert res.intervals["service_level"].between(0.2, 0.95).any()  # not a trivially full or empty queue
    for metric in METRICS:
        lower, upper = metric_bounds(metric)
        summary = res.summary.loc[metric, ["mean", "lo", "hi"]].to_numpy(dtype=float)
        per_interval = res.intervals[[metric, f"{metric}_lo", f"{metric}_hi"]].to_numpy(dtype=float).ravel()
        values = np.concatenate([summary, per_interval])
        values = values[np.isfinite(values)]
        assert (values >= lower - 1e-12).all(), metric
        assert upper is None or (values <= upper + 1e-12).all(), metric


def _results(**staffing: int) -> dict[str, simulate.SimulationResult]:
    sc = Scenario(name="base", aht=300.0, patience=200.0, sl_threshold=20.0, hourly_cost=30.0)
    return {name: simulate.run(_day(), sc.replace(name=name), agents, replications=3, seed=2, engine="fast")
            for name, agents in staffing.items()}


def test_tied_scenarios_share_the_star():
    table = simulate.compare(_results(a=12, b=12, c=16))
    assert table.at["cost", "best"] == ("a", "b")  # the same staffing costs the same
    assert table.at["service_level", "best"] == ("c",)
    assert table.at["callers", "best"] == ()  # neutral: same demand


def test_a_scenario_that_serves_nobody_is_best_at_nothing():
    table = simulate.compare(_results(nobody=0, few=10, many=14))
    assert table.at["answered", "nobody"] == 0.0
    assert all("nobody" not in best for best in table["best"])
    assert table.at["cost", "best"] == ("few",)


def test_every_candidate_tied_gets_no_star():
    table = simulate.compare(_results(a=12, b=12))
    assert table.at["cost", "best"] == () and table.at["service_level", "best"] == ()


# ----------------------------------------------------------------------------- queue figures vs lines and agents
def test_the_number_on_hold_never_exceeds_the_phone_lines():
    sc = Scenario(name="five lines", aht=600.0, patience=None, lines=5, redial_prob=0.0, sl_threshold=20.0)
    res = simulate.run(_day(40.0, n=8), sc, 1, replications=2, seed=0, engine="fast")
    assert res.intervals["avg_queue"].max() <= 5.0
    assert res["avg_queue"] <= 5.0


def test_occupancy_never_exceeds_one_when_staffing_drops():
    sc = Scenario(name="step down", aht=500.0, patience=300.0, sl_threshold=20.0)
    day = _day(150.0, n=8)
    plan = simulate.StaffingPlan.table(pd.DataFrame({"ds": day["ds"], "agents": [60, 10] * 4}))
    res = simulate.run(day, sc, plan, replications=2, seed=0, engine="fast")
    assert res.intervals["occupancy"].max() <= 1.0
    assert res["occupancy"] <= 1.0
