"""Surges: the shape of a surge, applying it to a forecast, measuring one from history and replaying it."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import Surge, SurgeShape, apply_surge, surge_from_history


def _forecast_frame(days: pd.DatetimeIndex, level: float = 1000.0) -> pd.DataFrame:
    open_day = days.day_of_week < 5
    yhat = np.where(open_day, level, 0.0)
    return pd.DataFrame({
        "series": "calls", "ds": days, "yhat": yhat,
        "yhat_lo_80": yhat * 0.9, "yhat_hi_80": yhat * 1.1,
        "yhat_lo_95": yhat * 0.8, "yhat_hi_95": yhat * 1.25,
        "model": "test",
    })


def test_surge_factor_is_one_before_start_peak_on_plateau_and_one_after_the_decay():
    s = Surge("2022-05-01", peak=3.0, ramp_up="10D", plateau="20D", decay="10D")
    days = pd.date_range("2022-04-01", "2022-07-31", freq="D")
    f = pd.Series(s.factor(days), index=days)
    assert (f[:"2022-04-30"] == 1.0).all()
    assert f["2022-05-06"] == pytest.approx(2.0)  # half way up a linear ramp
    assert (f["2022-05-11":"2022-05-30"] == 3.0).all()
    assert f["2022-06-05"] == pytest.approx(2.0)  # half way down
    assert (f["2022-06-10":] == 1.0).all()
    assert s.end == pd.Timestamp("2022-06-10")


@pytest.mark.parametrize("shape", ["linear", "smooth", "exponential"])
def test_every_shape_ramps_monotonically_between_one_and_peak(shape):
    s = Surge(pd.Timestamp("2022-01-01"), peak=4.0, ramp_up="14D", plateau="0D", decay=pd.Timedelta(days=14),
              shape=shape)
    t = pd.date_range("2022-01-01", periods=14 * 24, freq="h")
    up = s.factor(t)
    assert up[0] == pytest.approx(1.0)
    assert np.all(np.diff(up) > 0) and up.max() < 4.0
    down = s.factor(t + pd.Timedelta(days=14))
    assert down[0] == pytest.approx(4.0)
    assert np.all(np.diff(down) < 0)


def test_smooth_shape_has_no_kink_at_the_ends_of_the_ramp():
    s = Surge("2022-01-01", peak=3.0, ramp_up="20D", plateau="5D", decay="20D", shape="smooth")
    t = pd.to_datetime(["2022-01-01 00:00", "2022-01-01 06:00", "2022-01-20 18:00", "2022-01-21 00:00"])
    f = s.factor(t)
    lin = Surge("2022-01-01", peak=3.0, ramp_up="20D", plateau="5D", decay="20D").factor(t)
    assert f[1] - f[0] < (lin[1] - lin[0]) / 10
    assert f[3] - f[2] < (lin[3] - lin[2]) / 10


@pytest.mark.parametrize("kwargs, field", [
    (dict(start="not a date", peak=2.0), "Surge.start"),
    (dict(start="2022-01-01", peak=0.0), "Surge.peak"),
    (dict(start="2022-01-01", peak=2.0, ramp_up="-3D"), "Surge.ramp_up"),
    (dict(start="2022-01-01", peak=2.0, plateau="soon"), "Surge.plateau"),
    (dict(start="2022-01-01", peak=2.0, shape="sudden"), "Surge.shape"),
])
def test_invalid_surge_parameters_raise_value_error_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Surge(**kwargs)


def test_surge_is_a_frozen_hashable_value():
    a = Surge("2022-05-01", 2.0, "7D", "7D", "7D")
    b = Surge(pd.Timestamp("2022-05-01"), 2, pd.Timedelta(days=7), "7D", "168h")
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.peak = 3.0  # type: ignore[misc]


def test_apply_surge_keeps_closed_days_at_zero_and_yhat_non_negative():
    days = pd.date_range("2022-05-01", "2022-06-30", freq="D")
    fc = _forecast_frame(days)
    out = apply_surge(fc, Surge("2022-05-02", 3.0, "7D", "21D", "14D"))
    closed = days.day_of_week >= 5
    bounds = ["yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
    assert (out.loc[closed, bounds] == 0).all().all()
    assert (out[bounds] >= 0).all().all()
    assert list(out.columns) == list(fc.columns) and len(out) == len(fc)
    assert fc["yhat"].max() == 1000.0  # the input is untouched


def test_apply_surge_widens_intervals_more_than_proportionally():
    days = pd.date_range("2022-05-02", periods=5, freq="D")  # Monday..Friday, all on the plateau
    fc = _forecast_frame(days)
    out = apply_surge(fc, Surge("2022-05-01", 3.0, "0D", "30D", "0D"), k=0.5)
    assert np.allclose(out["yhat"], 3000.0)
    hi_half = out["yhat_hi_95"] - out["yhat"]
    assert np.allclose(hi_half, 250.0 * 3.0 * (1 + 0.5 * 2.0))  # 6x the width, not 3x
    assert (hi_half > 3.0 * 250.0).all()
    lo_half = out["yhat"] - out["yhat_lo_80"]
    assert (lo_half > 3.0 * 100.0).all()
    plain = apply_surge(fc, Surge("2022-05-01", 3.0, "0D", "30D", "0D"), k=0.0)
    assert np.allclose(plain["yhat_hi_95"], 3.0 * fc["yhat_hi_95"])


def test_apply_surge_with_a_list_multiplies_the_factors_and_can_target_one_series():
    days = pd.date_range("2022-05-02", periods=5, freq="D")
    fc = pd.concat([_forecast_frame(days), _forecast_frame(days).assign(series="applications")], ignore_index=True)
    surges = [Surge("2022-05-01", 2.0, "0D", "30D", "0D"), Surge("2022-05-01", 1.5, "0D", "30D", "0D")]
    out = apply_surge(fc, surges, series="calls")
    assert np.allclose(out.loc[out["series"] == "calls", "yhat"], 3000.0)
    assert np.allclose(out.loc[out["series"] == "applications", "yhat"], 1000.0)
    with pytest.raises(ValueError, match="k must"):
        apply_surge(fc, surges, k=-1)
    with pytest.raises(ValueError, match="surge"):
        apply_surge(fc, [])


def _periodic_history(surge: Surge | None) -> pd.DataFrame:
    days = pd.date_range("2021-01-04", "2024-03-31", freq="D")
    weekday = np.array([1.25, 1.05, 0.95, 0.9, 0.85, 0.0, 0.0])[days.day_of_week]
    season = 1.0 + 0.25 * np.sin(2 * np.pi * days.day_of_year / 365.25)
    y = 2000.0 * weekday * season
    if surge is not None:
        y = y * surge.factor(days)
    rng = np.random.default_rng(7)
    y = np.where(y > 0, rng.poisson(y), 0)
    return pd.DataFrame({"series": "calls", "ds": days, "y": y.astype(float)})


def test_surge_from_history_recovers_a_known_surge_from_a_periodic_series():
    truth = Surge("2023-05-01", peak=3.0, ramp_up="21D", plateau="28D", decay="42D")
    history = _periodic_history(truth)
    shape = surge_from_history(history, "2023-04-17", "2023-08-31")
    assert isinstance(shape, SurgeShape)
    frame = shape.to_frame()
    expected = truth.factor(frame["ds"])
    err = np.abs(frame["ratio"].to_numpy() - expected)
    assert err.mean() < 0.05
    assert err.max() < 0.2  # the weekly smoothing rounds the corners of the ramps
    assert shape.peak == pytest.approx(3.0, rel=0.05)
    assert 21 <= shape.peak_day <= 14 + 21 + 28


def test_surge_from_history_without_a_surge_is_flat_at_one():
    shape = surge_from_history(_periodic_history(None), "2023-05-01", "2023-07-31", baseline=2022)
    assert np.abs(np.asarray(shape.ratio) - 1.0).max() < 0.06


def test_replayed_shape_moves_to_a_new_date_and_scales_its_excess():
    truth = Surge("2023-05-01", peak=3.0, ramp_up="21D", plateau="28D", decay="42D")
    shape = surge_from_history(_periodic_history(truth), "2023-05-01", "2023-08-09")
    replay = shape.replay("2025-03-01", scale=0.5)
    days = pd.date_range("2025-02-01", "2025-07-31", freq="D")
    f = pd.Series(replay.factor(days), index=days)
    assert (f[:"2025-02-28"] == 1.0).all()
    assert f.max() == pytest.approx(1.0 + 0.5 * (shape.peak - 1.0))
    assert f.idxmax() == pd.Timestamp("2025-03-01") + pd.Timedelta(days=shape.peak_day)
    assert (f["2025-06-10":] == 1.0).all()
    doubled = shape.replay("2025-03-01", peak=2.0)
    assert doubled.factor(days).max() == pytest.approx(2.0)
    fc = _forecast_frame(days)
    out = apply_surge(fc, replay)
    assert out["yhat"].max() == pytest.approx(1000.0 * f.max(), rel=0.01)


def test_surge_from_history_rejects_an_empty_window():
    history = _periodic_history(None)
    with pytest.raises(ValueError, match="end must be after start"):
        surge_from_history(history, "2023-05-01", "2023-04-01")
    with pytest.raises(ValueError, match="no 'calls' data"):
        surge_from_history(history, "2030-01-01", "2030-02-01")
