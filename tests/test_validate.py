"""validate(): the calibrated replay beside the observed period, with the noise floor and Erlang A."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate import Demand, Scenario, StaffingPlan, Validation, calibrate, to_call_log, validate
from simulate.validate import VALIDATED_METRICS

TRUE = Scenario(aht=240.0, aht_dist="lognormal", aht_cv=0.8, patience=180.0, patience_dist="weibull",
                patience_cv=0.6, redial_prob=0.3, redial_delay=600.0, ivr_containment=0.2, ivr_time=30.0)
PLAN = StaffingPlan.pattern({"Mon-Sun 08:00-12:00": 11, "Mon-Sun 12:00-16:00": 13, "Mon-Sun 16:00-20:00": 10})


@pytest.fixture(scope="module")
def cal():
    ds = pd.date_range("2026-03-02", periods=4 * 48, freq="30min")
    h = ds.hour + ds.minute / 60
    calls = np.where((h >= 8) & (h < 20), 80 * (1 + 0.4 * np.sin((h - 8) / 12 * np.pi)), 0.0)
    result = simulate.run(Demand(ds=ds, calls=calls, interval_s=1800), TRUE, PLAN, replications=1, keep_calls=True,
                          seed=5)
    return calibrate(to_call_log(result))


@pytest.fixture(scope="module")
def v(cal):
    return validate(cal, replications=8, seed=1)


def test_validation_has_intervals_hours_the_period_and_errors_with_their_noise_floor(cal, v):
    assert isinstance(v, Validation)
    assert len(v.intervals) == len(cal.demand) and v.intervals.ds.equals(pd.Series(cal.demand.ds, name="ds"))
    for m in VALIDATED_METRICS:
        for suffix in ("observed", "simulated", "sd", "erlang_a"):
            assert f"{m}_{suffix}" in v.intervals and f"{m}_{suffix}" in v.hours
    assert list(v.hours.hour) == list(range(8, 20))
    assert list(v.month.index) == list(VALIDATED_METRICS)
    assert list(v.month.columns) == ["observed", "simulated", "sd", "erlang_a"]
    assert len(v.errors) == 6 and set(v.errors.level) == {"interval", "hour"}
    assert (v.errors.noise_floor > 0).all() and np.isfinite(v.errors[["simulated_rmse", "erlang_a_rmse"]]).all().all()
    open_ = v.intervals.queued > 0
    assert (v.intervals.loc[open_, "abandon_rate_sd"] > 0).mean() > 0.9  # the spread of replications, per interval
    assert v.intervals.loc[~open_, "abandon_rate_observed"].isna().all()


def test_observed_figures_are_the_log_s_own(cal, v):
    q = cal.calls[cal.calls.outcome.isin(["answered", "abandoned"])]
    assert v.month.at["abandon_rate", "observed"] == pytest.approx((q.outcome == "abandoned").mean())
    answered = q[q.outcome == "answered"]
    assert v.month.at["asa_s", "observed"] == pytest.approx(answered.wait_s.mean())
    assert v.month.at["service_level", "observed"] == pytest.approx((answered.wait_s <= 20).sum() / len(q))


def test_a_right_model_misses_by_no_more_than_its_noise_floor_and_beats_erlang_a(v):
    e = v.errors.set_index(["level", "metric"])
    for key in e.index:
        assert e.at[key, "simulated_rmse"] <= 1.5 * e.at[key, "noise_floor"], key
        assert e.at[key, "within_noise"] >= 0.8, key
    for m in VALIDATED_METRICS:
        assert e.at[("interval", m), "simulated_rmse"] < e.at[("interval", m), "erlang_a_rmse"], m
        r = v.month.loc[m]
        assert abs(r.simulated - r.observed) <= 3 * r.sd * np.sqrt(1 + 1 / v.replications), m


def test_a_real_miss_stands_well_above_the_noise_floor(cal):
    short = validate(cal, replications=4, staffing=PLAN + -2)  # two agents fewer than there were
    e = short.errors.set_index(["level", "metric"])
    assert e.at[("hour", "abandon_rate"), "simulated_rmse"] > 3 * e.at[("hour", "abandon_rate"), "noise_floor"]
    assert short.month.at["abandon_rate", "simulated"] > short.month.at["abandon_rate", "observed"] + 0.05


def test_the_report_prints_the_period_and_the_errors_beside_the_noise_floor(v):
    text = str(v)
    assert text == v.report()
    for part in ("whole period", "abandonment", "ASA", "within 20 s", "noise floor", "Erlang A",
                 "per 30-min interval", "by hour of day", "8 replications"):
        assert part in text


def test_bad_arguments_are_refused(cal):
    with pytest.raises(ValueError, match="replications must be a whole number >= 2"):
        validate(cal, replications=1)
    with pytest.raises(ValueError, match="Calibration"):
        validate(cal.demand)
    with pytest.raises(ValueError, match="handle must be"):
        validate(cal, handle="mean")
