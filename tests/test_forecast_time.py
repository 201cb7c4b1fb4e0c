"""Specifications of where a forecast starts and of its time zone (naive in, naive out; zone in, zone out)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from test_forecast import office_history

import forecast


def round_the_clock(start: str, end: str, tz: str | None, seed: int = 5) -> pd.DataFrame:
    """30-minute calls of a centre open around the clock, generated in real (absolute) time, so a
    zone-aware history has 46 intervals on the day clocks go forward and 50 on the day they go back."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, end, freq="30min", tz=tz, inclusive="left")
    hour = ds.hour.to_numpy()
    mean = 20 + 15 * np.sin(np.pi * hour / 24)
    return pd.DataFrame({"ds": ds, "y": rng.poisson(mean).astype(float)})


def test_a_history_ending_mid_day_is_forecast_from_the_next_midnight():
    hist = office_history(8)
    cut = hist[hist["ds"] < "2024-02-23 12:00"]            # Friday's afternoon is missing
    fc = forecast.forecast(cut, "7D", model="profile", origins=2)
    assert fc["ds"].iloc[0] == pd.Timestamp("2024-02-24 00:00") and len(fc) == 336


def test_fixed_utc_offsets_come_back_in_the_same_offset_with_the_naive_forecast_values():
    hist = office_history(6)
    minus5 = dt.timezone(dt.timedelta(hours=-5))
    aware = hist.assign(ds=hist["ds"].dt.tz_localize(minus5))
    fc = forecast.forecast(aware, "7D", model="profile", origins=2)
    ref = forecast.forecast(hist, "7D", model="profile", origins=2)
    assert fc["ds"].dt.tz == minus5
    assert fc["ds"].iloc[0] == pd.Timestamp("2024-02-10 00:00", tz=minus5)
    np.testing.assert_allclose(fc["yhat"], ref["yhat"])
    assert (fc["ds"].dt.tz_localize(None) == ref["ds"]).all()


def test_the_day_clocks_go_back_has_both_repeated_half_hours_with_the_same_forecast():
    hist = round_the_clock("2024-09-02", "2024-11-01", "America/Toronto")
    fc = forecast.forecast(hist, "7D", model="profile", origins=2)
    assert str(fc["ds"].dt.tz) == "America/Toronto"
    assert len(fc) == 7 * 48 + 2
    assert (fc["ds"].diff().dropna() == pd.Timedelta("30min")).all()       # regular in real time
    wall = fc["ds"].dt.tz_localize(None)
    repeated = fc[wall.isin(pd.to_datetime(["2024-11-03 01:00", "2024-11-03 01:30"]))]
    assert len(repeated) == 4
    assert repeated.groupby(repeated["ds"].dt.tz_localize(None))["yhat"].nunique().eq(1).all()
    assert fc["yhat"].notna().all()


def test_the_day_clocks_go_forward_has_no_rows_for_the_skipped_hour():
    hist = round_the_clock("2025-01-06", "2025-03-07", "America/Toronto")
    fc = forecast.forecast(hist, "7D", model="profile", origins=2)
    assert len(fc) == 7 * 48 - 2
    assert (fc["ds"].diff().dropna() == pd.Timedelta("30min")).all()
    wall = fc["ds"].dt.tz_localize(None)
    assert not wall.isin(pd.to_datetime(["2025-03-09 02:00", "2025-03-09 02:30"])).any()
    assert (wall.dt.normalize() == pd.Timestamp("2025-03-09")).sum() == 46


def test_a_history_spanning_a_clock_change_is_forecast_on_wall_clock_time():
    # the history holds the 25-hour day of November 2024 (its repeated hour summed into one slot)
    hist = round_the_clock("2024-10-01", "2024-12-02", "America/Toronto")
    fc = forecast.forecast(hist, 48, model="profile", origins=2)
    naive = forecast.forecast(hist.assign(ds=hist["ds"].dt.tz_localize(None).dt.floor("30min"))
                              .groupby("ds", as_index=False)["y"].sum(), 48, model="profile", origins=2)
    np.testing.assert_allclose(fc["yhat"], naive["yhat"])
    assert naive["ds"].dt.tz is None


def test_timestamps_mixing_naive_and_zone_aware_are_a_data_error():
    hist = office_history(4)
    mixed = hist.assign(ds=[*hist["ds"].iloc[:-1], pd.Timestamp(hist["ds"].iloc[-1], tz="UTC")])
    with pytest.raises(forecast.DataError, match="time zone"):
        forecast.forecast(mixed, "7D", model="profile")


def test_a_zone_aware_forecast_written_to_excel_reads_back_to_the_same_instants(tmp_path):
    from forecast.core import write_forecast

    fc = pd.DataFrame({"series": "calls", "ds": pd.date_range("2025-03-08", periods=3, freq="D", tz="America/Toronto"),
                       "yhat": [1.0, 2.0, 3.0]})
    path = write_forecast(fc, tmp_path / "fc.xlsx")
    back = pd.read_excel(path)
    assert back["ds"].iloc[1] == "2025-03-09 00:00:00-05:00" and back["ds"].iloc[2].endswith("-04:00")
    assert (pd.to_datetime(back["ds"], utc=True) == fc["ds"].dt.tz_convert("UTC")).all()
