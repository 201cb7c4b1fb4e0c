"""Specifications of forecast.to_intervals: a daily forecast (or history) spread over intervals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_forecast import SHAPE, office_history

import forecast

BANDS = ["yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]


def daily_forecast(start: str = "2024-03-09", days: int = 14, series: str = "calls") -> pd.DataFrame:
    """A daily forecast frame of a Monday-Friday centre: 400 a weekday, bands +-10% / +-20%."""
    ds = pd.date_range(start, periods=days, freq="D")
    yhat = np.where(ds.day_of_week < 5, 400.0, 0.0)
    return pd.DataFrame({"series": series, "ds": ds, "yhat": yhat, "yhat_lo_80": 0.9 * yhat,
                         "yhat_hi_80": 1.1 * yhat, "yhat_lo_95": 0.8 * yhat, "yhat_hi_95": 1.2 * yhat,
                         "model": "ets"})


def test_day_totals_are_preserved_exactly_and_closed_slots_are_exactly_zero():
    daily = daily_forecast()
    out = forecast.to_intervals(daily, profile=office_history(10))
    assert list(out.columns) == list(daily.columns)
    assert len(out) == 14 * 48 and (out["series"] == "calls").all() and (out["model"] == "ets").all()
    per_day = out.groupby(out["ds"].dt.normalize())["yhat"].sum()
    np.testing.assert_allclose(per_day.to_numpy(), daily["yhat"].to_numpy(), rtol=1e-12)
    hours = out["ds"].dt.hour
    closed = (out["ds"].dt.day_of_week >= 5) | (hours < 8) | (hours >= 17)
    assert (out.loc[closed, ["yhat", *BANDS]] == 0).all().all()
    assert (out.loc[~closed, "yhat"] > 0).all()


def test_the_profile_follows_the_history_and_one_odd_day_cannot_bend_it():
    hist = office_history(10)
    odd = hist["ds"] == pd.Timestamp("2024-03-04 08:00")          # a Monday with 500 calls at 08:00
    out = forecast.to_intervals(daily_forecast(), profile=hist.assign(y=np.where(odd, 500.0, hist["y"])))
    monday = out[out["ds"].dt.normalize() == pd.Timestamp("2024-03-11")]
    shares = monday["yhat"].to_numpy()[16:34] / 400.0
    truth = SHAPE / SHAPE.sum()
    assert np.max(np.abs(shares - truth)) < 0.012               # each half hour within 1.2 points of the truth
    assert shares[0] < 2 * truth[0]


def test_interval_bands_add_the_split_noise_to_the_days_band():
    out = forecast.to_intervals(daily_forecast(), profile=office_history(10))
    open_ = out["yhat"] > 0
    o = out[open_]
    assert (o["yhat_lo_95"] <= o["yhat_lo_80"]).all() and (o["yhat_lo_80"] <= o["yhat"]).all()
    assert (o["yhat"] <= o["yhat_hi_80"]).all() and (o["yhat_hi_80"] <= o["yhat_hi_95"]).all()
    # wider than the day's own band (+10%) spread with the same shares: the split itself varies
    assert (o["yhat_hi_80"] > 1.1 * o["yhat"] + 1e-9).all()
    # and about what a Poisson count at that level would get, not far more
    assert ((o["yhat_hi_80"] - o["yhat"]) < 2.5 * np.sqrt(o["yhat"]) + 0.1 * o["yhat"]).all()


def test_opening_hours_spread_uniformly_over_the_open_time():
    out = forecast.to_intervals(daily_forecast(), opening_hours={"Mon-Fri": "08:15-17:00"}, freq="30min")
    monday = out[out["ds"].dt.normalize() == pd.Timestamp("2024-03-11")].set_index("ds")["yhat"]
    per_minute = 400.0 / (8 * 60 + 45)
    assert monday["2024-03-11 08:00"] == pytest.approx(15 * per_minute)       # open for half the slot
    assert monday["2024-03-11 08:30"] == pytest.approx(30 * per_minute)
    assert monday["2024-03-11 17:00"] == 0 and monday.sum() == pytest.approx(400.0)


def test_a_day_with_demand_that_the_opening_hours_close_is_an_error_naming_the_day_and_the_fix():
    daily = daily_forecast()
    with pytest.raises(forecast.DataError, match=r"2024-03-15 \(Friday\).*opening hours that include Friday"):
        forecast.to_intervals(daily, opening_hours={"Mon-Thu": "08:00-17:00"})
    # a closed day forecast at 0 is fine
    fine = forecast.to_intervals(daily, opening_hours={"Mon-Fri": "08:00-17:00"})
    assert fine["yhat"].sum() == pytest.approx(daily["yhat"].sum())


def test_a_weekday_the_profile_history_has_no_rows_for_borrows_the_other_weekdays_profile():
    hist = office_history(10)
    no_friday = hist[hist["ds"].dt.day_of_week != 4]
    out = forecast.to_intervals(daily_forecast(), profile=no_friday)
    friday = out[out["ds"].dt.normalize() == pd.Timestamp("2024-03-15")]
    assert friday["yhat"].sum() == pytest.approx(400.0)
    assert (friday["yhat"].to_numpy()[16:34] > 0).all() and friday["yhat"].to_numpy()[:16].sum() == 0
    # but a weekday the history shows closed (rows of zeros) with demand is an error
    zero_fri = hist.assign(y=np.where(hist["ds"].dt.day_of_week == 4, 0.0, hist["y"]))
    with pytest.raises(forecast.DataError, match="profile history shows no calls on Fridays"):
        forecast.to_intervals(daily_forecast(), profile=zero_fri)


def test_a_zone_keeps_day_totals_on_the_day_clocks_go_forward():
    daily = daily_forecast(start="2025-03-08", days=3)
    daily["yhat"] = 480.0
    out = forecast.to_intervals(daily, opening_hours={"Mon-Sun": "00:00-24:00"}, tz="America/Toronto")
    assert str(out["ds"].dt.tz) == "America/Toronto"
    day = out["ds"].dt.tz_localize(None).dt.normalize()
    assert (day == pd.Timestamp("2025-03-09")).sum() == 46
    np.testing.assert_allclose(out.groupby(day)["yhat"].sum().to_numpy(), 480.0)
    # a zone-aware daily frame keeps its zone; a naive one stays naive
    aware = daily.assign(ds=daily["ds"].dt.tz_localize("America/Toronto"))
    again = forecast.to_intervals(aware, opening_hours={"Mon-Sun": "00:00-24:00"})
    assert (again["ds"] == out["ds"]).all()
    assert forecast.to_intervals(daily, opening_hours={"Mon-Sun": "08:00-17:00"})["ds"].dt.tz is None


def test_a_daily_history_becomes_an_interval_history_and_handle_time_is_carried_to_open_slots():
    days = pd.date_range("2024-03-11", periods=5, freq="D")
    hist = pd.DataFrame({"ds": days, "y": [100.0, 80, 90, 70, 60], "aht_s": [300.0, 310, 320, 330, 340]})
    out = forecast.to_intervals(hist, opening_hours={"Mon-Fri": "09:00-12:00"}, freq="60min")
    assert list(out.columns) == ["ds", "y", "aht_s"]
    assert out["y"].sum() == pytest.approx(400.0)
    first = out[out["ds"].dt.normalize() == days[0]].set_index(out["ds"].dt.hour[:24])
    assert first.loc[9:11, "y"].tolist() == pytest.approx([100 / 3] * 3)
    assert (first.loc[9:11, "aht_s"] == 300).all() and first["aht_s"].drop(index=[9, 10, 11]).isna().all()


@pytest.mark.parametrize("kwargs, field", [
    ({"opening_hours": {"Mon-Fri": "08:00-17:00"}, "freq": "90min"}, "freq"),
    ({"opening_hours": {"Mon-Fri": "08:00-17:00"}, "freq": "2min"}, "freq"),
    ({"opening_hours": {"Mon-Fri": "20:00-02:00"}}, "crosses"),
    ({"opening_hours": {"Mon-Fri": "8h-17h"}}, "opening_hours"),
    ({"opening_hours": {"Mon-Fri": "08:00-17:00", "Fri": "09:00-12:00"}}, "twice"),
    ({"opening_hours": {"Moon": "08:00-17:00"}}, "weekday"),
    ({}, "exactly one"),
    ({"opening_hours": {"Mon-Fri": "08:00-17:00"}, "tz": "Mars/Olympus"}, "tz"),
])
def test_bad_parameters_raise_value_errors_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        forecast.to_intervals(daily_forecast(), **kwargs)


def test_a_frame_that_is_not_daily_is_a_data_error():
    with pytest.raises(forecast.DataError, match="time of day"):
        forecast.to_intervals(office_history(2), opening_hours={"Mon-Fri": "08:00-17:00"})
