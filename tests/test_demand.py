"""Demand: the calls expected by timestamp, the one place that knows about intervals.

Demand.from_frame reads a forecast (ds, yhat), a history (ds, y) or a table (ds, calls, optional
aht_s in seconds and call_type) at any grain from 5 to 60 minutes; finer grains are summed into the
planning interval (calls exactly, handle time volume-weighted); time zones are kept, never mixed;
missing slots (nights, weekends, holidays) are closed intervals with a note; daily data, off-grid
timestamps and duplicates are refused with a sentence naming what to do or the row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import DataError
from simulate import Demand, as_demand
from simulate.demand import interval_of, planning_interval


def table(start: str, periods: int, freq: str, calls=None, tz=None, **columns) -> pd.DataFrame:
    ds = pd.date_range(start, periods=periods, freq=freq, tz=tz)
    calls = np.arange(1.0, periods + 1) if calls is None else np.asarray(calls, dtype=float)
    return pd.DataFrame({"ds": ds, "calls": calls, **columns})


def weighted_by_hand(frame: pd.DataFrame, step: str) -> pd.DataFrame:
    """Calls summed and handle time volume-weighted per planning interval, with pandas (the plain mean
    where no call came: the handle time is known even so)."""
    g = frame.assign(work=frame["calls"] * frame["aht_s"]).groupby(frame["ds"].dt.floor(step))
    out = g[["calls", "work"]].sum()
    weighted = (out["work"] / out["calls"]).where(out["calls"] > 0, g["aht_s"].mean())
    return pd.DataFrame({"calls": out["calls"], "aht_s": weighted})


# ----------------------------------------------------------------------------- the three shapes
def test_a_forecast_a_history_and_a_plain_table_give_the_same_demand():
    plain = table("2026-01-05 08:00", 6, "30min")
    forecast_frame = plain.rename(columns={"calls": "yhat"}).assign(
        series="calls", yhat_lo_80=lambda d: d["yhat"] * 0.9, yhat_hi_80=lambda d: d["yhat"] * 1.1,
        yhat_lo_95=lambda d: d["yhat"] * 0.8, yhat_hi_95=lambda d: d["yhat"] * 1.2, model="auto")
    history = plain.rename(columns={"calls": "y"}).assign(series="calls")[["series", "ds", "y"]]
    by_index = plain.set_index("ds")
    want = Demand.from_frame(plain)
    assert want.interval_s == 1800.0 and want.calls.tolist() == plain["calls"].tolist()
    assert want.aht_s is None and want.types == () and want.notes == ()
    for frame in (forecast_frame, history, by_index):
        got = Demand.from_frame(frame)
        pd.testing.assert_index_equal(got.ds, want.ds)
        np.testing.assert_array_equal(got.calls, want.calls)
        assert got.interval_s == want.interval_s
    assert as_demand(want) is want and as_demand(plain).calls.tolist() == want.calls.tolist()


def test_a_long_history_keeps_the_calls_series_and_takes_handle_time_from_its_aht_s_series():
    ds = pd.date_range("2026-01-05 08:00", periods=4, freq="30min")
    long = pd.concat([pd.DataFrame({"series": "calls", "ds": ds, "y": [10.0, 20.0, 30.0, 40.0]}),
                      pd.DataFrame({"series": "aht_s", "ds": ds, "y": [300.0, 310.0, 320.0, 330.0]}),
                      pd.DataFrame({"series": "emails", "ds": ds, "y": 99.0})])
    d = Demand.from_frame(long, series="calls")
    assert d.calls.tolist() == [10.0, 20.0, 30.0, 40.0] and d.aht_s.tolist() == [300.0, 310.0, 320.0, 330.0]
    assert Demand.from_frame(long).calls.tolist() == d.calls.tolist()  # "calls" is the default series
    with pytest.raises(DataError, match="'voice' is not in the table"):
        Demand.from_frame(long, series="voice")
    with pytest.raises(DataError, match="say which holds the calls"):
        Demand.from_frame(long[long["series"] != "calls"].assign(series=lambda d: d["series"] + "_x"))


def test_handle_time_and_call_types_are_read_per_interval():
    ds = pd.date_range("2026-01-05 08:00", periods=2, freq="30min")
    long = pd.DataFrame({"ds": ds.append(ds), "call_type": ["status"] * 2 + ["urgent"] * 2,
                         "calls": [30.0, 10.0, 10.0, 30.0], "aht_s": [200.0, 200.0, 600.0, 600.0]})
    d = Demand.from_frame(long)
    assert d.types == ("status", "urgent") and d.calls.tolist() == [40.0, 40.0]
    np.testing.assert_array_equal(d.type_calls, [[30.0, 10.0], [10.0, 30.0]])
    np.testing.assert_allclose(d.aht_s, [(30 * 200 + 10 * 600) / 40, (10 * 200 + 30 * 600) / 40])
    frame = d.to_frame()
    assert list(frame.columns) == ["ds", "calls", "aht_s", "calls_status", "aht_s_status", "calls_urgent",
                                   "aht_s_urgent"]


# ----------------------------------------------------------------------------- grains
@pytest.mark.parametrize("grain, planning", [("5min", 900.0), ("6min", 1800.0), ("10min", 1800.0),
                                             ("15min", 900.0), ("30min", 1800.0), ("60min", 3600.0)])
def test_fine_grains_are_summed_into_the_planning_interval_calls_exactly_and_aht_volume_weighted(grain, planning):
    n = int(pd.Timedelta("1D") / pd.Timedelta(grain))
    rng = np.random.default_rng(1)
    frame = table("2026-01-05 00:00", n, grain, calls=rng.integers(0, 40, n),
                  aht_s=rng.uniform(120.0, 600.0, n))
    d = Demand.from_frame(frame)
    assert d.interval_s == planning and len(d) == 86400 / planning
    want = weighted_by_hand(frame, f"{planning:.0f}s")
    np.testing.assert_array_equal(d.calls, want["calls"].to_numpy())  # summed exactly
    np.testing.assert_allclose(d.aht_s, want["aht_s"].to_numpy(), rtol=1e-12)
    assert d.calls.sum() == frame["calls"].sum()
    summed = pd.Timedelta(grain).total_seconds() < planning
    assert any("summed into" in note and "volume-weighted" in note for note in d.notes) == summed


@pytest.mark.parametrize("grain, interval", [("5min", "30min"), ("5min", 3600), ("15min", "30min"),
                                             ("15min", "60min"), ("30min", "1h")])
def test_the_planner_may_choose_a_coarser_planning_interval(grain, interval):
    n = int(pd.Timedelta("12h") / pd.Timedelta(grain))
    frame = table("2026-01-05 08:00", n, grain, aht_s=np.linspace(200.0, 400.0, n))
    d = Demand.from_frame(frame, interval=interval)
    step = pd.Timedelta(interval if isinstance(interval, str) else f"{interval}s")
    assert d.interval_s == step.total_seconds()
    want = weighted_by_hand(frame, f"{step.total_seconds():.0f}s")
    np.testing.assert_array_equal(d.calls, want["calls"].to_numpy())
    np.testing.assert_allclose(d.aht_s, want["aht_s"].to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(d.resample(3600.0).calls, Demand.from_frame(frame, interval="60min").calls)


def test_a_planning_interval_that_does_not_fit_the_grain_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"not a whole multiple of the data's 10-minute grain.*\[30, 60\]"):
        Demand.from_frame(table("2026-01-05 08:00", 12, "10min"), interval="15min")
    with pytest.raises(ValueError, match="between 5 and 60 minutes"):
        Demand.from_frame(table("2026-01-05 08:00", 12, "30min"), interval="2h")
    assert planning_interval(300.0) == 900.0 and planning_interval(1200.0) == 1200.0  # 20 minutes divide an hour
    assert planning_interval(360.0) == 1800.0 and planning_interval(300.0, "60min") == 3600.0


def test_daily_data_is_refused_with_the_way_to_get_intervals():
    daily = pd.DataFrame({"ds": pd.date_range("2026-01-05", periods=14, freq="D"), "y": 500.0})
    with pytest.raises(DataError, match=r"daily.*forecast\.to_intervals\(daily"):
        Demand.from_frame(daily)
    with pytest.raises(DataError, match="forecast.to_intervals"):
        Demand.from_frame(table("2026-01-05", 12, "2h"))
    with pytest.raises(DataError, match="finest grain accepted is 5 minutes"):
        Demand.from_frame(table("2026-01-05", 12, "1min"))


# ----------------------------------------------------------------------------- time zones
def test_utc_offsets_are_kept():
    ds = pd.date_range("2025-03-03 00:00", periods=48, freq="30min")
    frame = pd.DataFrame({"ds": [f"{t:%Y-%m-%d %H:%M:%S}-05:00" for t in ds], "y": 10.0})
    assert frame["ds"][0] == "2025-03-03 00:00:00-05:00"
    d = Demand.from_frame(frame)
    assert str(d.tz) == "UTC-05:00" and d.interval_s == 1800.0 and len(d) == 48
    assert d.ds[0] == pd.Timestamp("2025-03-03 05:00", tz="UTC") and d.ds[16].hour == 8  # wall clock kept
    assert d.day_index().tolist() == [0] * 48


def test_a_named_zone_keeps_its_wall_clock_across_a_daylight_saving_change():
    # Toronto springs forward on Sunday 9 March 2025: that day has 46 half-hours, the others 48
    ds = pd.date_range("2025-03-08 00:00", "2025-03-10 23:30", freq="30min", tz="America/Toronto")
    assert len(ds) == 48 + 46 + 48
    d = Demand.from_frame(pd.DataFrame({"ds": ds, "calls": 1.0}))
    assert str(d.tz) == "America/Toronto" and d.interval_s == 1800.0
    pd.testing.assert_index_equal(d.ds, ds, check_names=False)
    assert d.notes == () and np.bincount(d.day_index()).tolist() == [48, 46, 48]
    # a weekday-only history across the change: 08:00 stays 08:00 local, the gaps are closed
    open_ = pd.date_range("2025-03-06 00:00", "2025-03-12 23:30", freq="30min", tz="America/Toronto")
    open_ = open_[(open_.day_of_week < 5) & (open_.hour >= 8) & (open_.hour < 20)]
    d = Demand.from_frame(pd.DataFrame({"ds": open_, "calls": 2.0}))
    assert d.interval_s == 1800.0 and d.calls.sum() == 2.0 * len(open_)
    opened = d.ds[d.open]
    assert (opened.hour >= 8).all() and (opened.hour < 20).all() and (opened.day_of_week < 5).all()
    assert opened[opened.day_of_week == 0][0] == pd.Timestamp("2025-03-10 08:00", tz="America/Toronto")


def test_naive_timestamps_stay_naive_and_mixed_ones_are_refused_with_a_sentence():
    d = Demand.from_frame(table("2026-01-05 08:00", 4, "30min"))
    assert d.tz is None and d.ds[0] == pd.Timestamp("2026-01-05 08:00")
    mixed = pd.DataFrame({"ds": ["2025-03-03 08:00", "2025-03-03 08:30-05:00"], "calls": 1.0})
    with pytest.raises(DataError, match=r"mixes time zones .*tz='America/Toronto'"):
        Demand.from_frame(mixed)
    two_offsets = pd.DataFrame({"ds": ["2025-03-09 01:00:00-05:00", "2025-03-09 01:30:00-05:00",
                                       "2025-03-09 03:00:00-04:00"], "calls": 1.0})
    with pytest.raises(DataError, match="mixes time zones"):
        Demand.from_frame(two_offsets)


# ----------------------------------------------------------------------------- closed intervals
def test_weekday_only_opening_and_a_holiday_become_closed_intervals_with_a_note():
    ds = pd.date_range("2026-01-05 00:00", "2026-01-16 23:30", freq="30min")  # Monday 5 to Friday 16 January
    ds = ds[(ds.day_of_week < 5) & (ds.hour >= 8) & (ds.hour < 20) & (ds.normalize() != "2026-01-07")]
    frame = pd.DataFrame({"ds": ds, "calls": 25.0})
    d = Demand.from_frame(frame)
    assert d.interval_s == 1800.0
    assert d.ds[0] == pd.Timestamp("2026-01-05 08:00") and d.end == pd.Timestamp("2026-01-16 20:00")
    assert d.calls.sum() == 25.0 * len(frame) and int(d.open.sum()) == len(frame)
    closed = d.ds[~d.open]
    holiday = closed.normalize() == "2026-01-07"
    assert ((closed.hour < 8) | (closed.hour >= 20) | (closed.day_of_week >= 5) | holiday).all()
    assert (closed.normalize() == "2026-01-07").sum() == 48  # the holiday is a closed day
    (note,) = d.notes
    assert f"{len(d) - len(frame)} of {len(d)} intervals are not in the table" in note and "closed" in note


# ----------------------------------------------------------------------------- refusals naming the row
def test_off_grid_timestamps_and_duplicates_are_refused_naming_the_row():
    frame = table("2026-01-05 08:00", 6, "30min")
    frame.loc[3, "ds"] += pd.Timedelta("7min")
    with pytest.raises(DataError, match=r"row 4: timestamp 2026-01-05 09:37:00 is not on the 30-minute grid"):
        Demand.from_frame(frame)
    frame = table("2026-01-05 08:00", 6, "30min")
    frame.loc[4, "ds"] = frame.loc[2, "ds"]
    with pytest.raises(DataError, match=r"row 5: timestamp 2026-01-05 09:00:00 appears twice"):
        Demand.from_frame(frame)
    typed = pd.DataFrame({"ds": ["2026-01-05 08:00"] * 3, "call_type": ["a", "b", "a"], "calls": 1.0})
    with pytest.raises(DataError, match="row 3: .*call_type 'a' appears twice"):
        Demand.from_frame(typed, interval="30min")


@pytest.mark.parametrize("column, values, match", [
    ("calls", [1.0, -1.0, 2.0, 3.0], r"column 'calls' at row 2 \(2022-06-01 01:00:00\) .*>= 0, got -1\.0$"),
    ("yhat", [1.0, 1.0, 2.0, np.nan], r"column 'yhat' at row 4"),
    ("calls", [1.0, "many", 2.0, 3.0], r"column 'calls' at row 2 .*'many'"),
    ("aht_s", [300.0, 0.0, 300.0, 300.0], r"column 'aht_s' at row 2 .*seconds > 0"),
    ("volume", [1.0, 1.0, 1.0, 1.0], r"expected a 'calls', 'yhat' or 'y' column"),
])
def test_bad_values_are_refused_naming_the_column_and_row(column, values, match):
    ds = pd.date_range("2022-06-01", periods=4, freq="h")
    frame = pd.DataFrame({"ds": ds, column: values})
    if column == "aht_s":
        frame["calls"] = 1.0
    with pytest.raises(DataError, match=match):
        Demand.from_frame(frame)


def test_an_empty_timestamp_or_a_single_row_without_its_length_is_refused():
    frame = table("2026-01-05 08:00", 3, "30min").astype({"ds": object})
    frame.loc[1, "ds"] = "not a time"
    with pytest.raises(DataError, match="row 2 is empty or not a timestamp"):
        Demand.from_frame(frame)
    one = table("2026-01-05 08:00", 1, "30min")
    with pytest.raises(DataError, match="interval='30min'"):
        Demand.from_frame(one)
    assert Demand.from_frame(one, interval=900).interval_s == 900.0
    with pytest.raises(DataError, match="no rows"):
        Demand.from_frame(one.iloc[:0])


# ----------------------------------------------------------------------------- interval_of
def test_interval_of_is_the_most_common_gap_within_a_day():
    weekdays = pd.date_range("2026-01-05", "2026-01-16 23:45", freq="15min")
    weekdays = weekdays[(weekdays.day_of_week < 5) & (weekdays.hour >= 9) & (weekdays.hour < 17)]
    assert interval_of(weekdays) == 900.0  # nights and weekends left out do not count
    assert interval_of(weekdays[::-1]) == 900.0 and interval_of(weekdays.append(weekdays[:5])) == 900.0
    # two 30-minute gaps and one 60-minute gap per day: the common one wins
    odd = pd.DatetimeIndex(["2026-01-05 08:00", "2026-01-05 08:30", "2026-01-05 09:00", "2026-01-05 10:00"])
    assert interval_of(odd) == 1800.0


def test_interval_of_daily_data_is_a_day_and_gaps_are_absolute_time_across_daylight_saving():
    assert interval_of(pd.date_range("2026-01-05", periods=10, freq="D")) == 86400.0
    assert interval_of(pd.date_range("2026-01-05", periods=10, freq="B")) == 86400.0  # weekends left out
    spring = pd.date_range("2025-03-09 00:00", periods=6, freq="h", tz="America/Toronto")
    assert interval_of(spring) == 3600.0 and interval_of(list(spring)) == 3600.0
    with pytest.raises(ValueError, match="fewer than two distinct timestamps"):
        interval_of(pd.DatetimeIndex(["2026-01-05 08:00", "2026-01-05 08:00"]))


# ----------------------------------------------------------------------------- the value itself
def test_a_demand_checks_its_own_arrays():
    ds = pd.date_range("2026-01-05 08:00", periods=3, freq="30min")
    with pytest.raises(ValueError, match="one value per interval"):
        Demand(ds=ds, calls=[1.0, 2.0], interval_s=1800.0)
    with pytest.raises(DataError, match="every 900 s"):
        Demand(ds=ds, calls=[1.0, 2.0, 3.0], interval_s=900.0)
    with pytest.raises(DataError, match="above the limit"):
        Demand(ds=ds, calls=[1.0, 2.0, 3.0], interval_s=1800.0, aht_s=[300.0, 300.0, 3.0e6])
    with pytest.raises(ValueError, match="sum to calls"):
        Demand(ds=ds, calls=[1.0, 2.0, 3.0], interval_s=1800.0, types=("a", "b"), type_calls=[[1, 0], [1, 0], [1, 0]])
    d = Demand(ds=ds, calls=[1.0, 0.0, 3.0], interval_s=1800.0, aht_s=[300.0, np.nan, 200.0])
    assert d.open.tolist() == [True, False, True] and d.end == pd.Timestamp("2026-01-05 09:30")
    with pytest.raises(ValueError):
        d.calls[0] = 5.0  # frozen arrays
    more = d.with_calls([2.0, 2.0, 2.0])
    assert more.calls.tolist() == [2.0, 2.0, 2.0] and np.array_equal(more.aht_s, d.aht_s, equal_nan=True)
