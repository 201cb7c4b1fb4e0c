"""Specifications of forecast bands at long horizons and of special days the history never showed."""
from __future__ import annotations

import holidays as hol
import numpy as np
import pandas as pd

import forecast

#: holidays the synthetic centre closes on; it opens on every other US holiday (Columbus Day...)
CLOSED = ("New Year's Day", "Memorial Day", "Independence Day", "Labor Day", "Thanksgiving Day", "Christmas Day")
SLOT = np.arange(48)
SHAPE = np.where((SLOT >= 16) & (SLOT < 40), np.sin(np.pi * (SLOT - 15.5) / 24) + 0.2, 0.0)  # 08:00-20:00
WEEKDAY = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.0, 0.0])


def us_centre(start: str, end: str, level: float = 80.0, seed: int = 0) -> pd.DataFrame:
    """30-minute calls of a Monday-Friday 08:00-20:00 US centre (open hours only), closed on the
    holidays in CLOSED (rows of zeros), open as usual on the other US holidays; a yearly wave of
    +-10% and 8% day-to-day noise on the level."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D")
    days = days[WEEKDAY[days.day_of_week] > 0]
    names = hol.country_holidays("US", years=range(days[0].year, days[-1].year + 1))
    yearly = 1 + 0.1 * np.sin(2 * np.pi * days.day_of_year.to_numpy() / 365.25)
    level_day = level * WEEKDAY[days.day_of_week] * yearly * rng.lognormal(0.0, 0.08, len(days))
    y = rng.poisson(level_day[:, None] * SHAPE[None, :]).astype(float)
    closed = np.array([names.get(d.date(), "").replace(" (observed)", "") in CLOSED for d in days])
    y[closed] = 0.0
    open_slots = SHAPE > 0
    ds = (days.to_numpy()[:, None] + pd.to_timedelta(SLOT * 30, unit="min").to_numpy()[None, :])[:, open_slots]
    return pd.DataFrame({"ds": ds.reshape(-1), "y": y[:, open_slots].reshape(-1)})


def slot_max(hist: pd.DataFrame, ds: pd.Series) -> np.ndarray:
    top = hist.groupby([hist["ds"].dt.day_of_week, hist["ds"].dt.time])["y"].max()
    return top.reindex(list(zip(ds.dt.day_of_week, ds.dt.time))).fillna(0.0).to_numpy()


def test_95_upper_bound_28_days_ahead_on_two_years_of_30min_data_stays_within_3x_the_slot_maximum():
    # two years starting after Columbus Day 2022: early backtest cutoffs have never seen Columbus Day
    # or Veterans Day, assume them closed like Labor Day, and the centre opened; those errors once
    # made a band 130 times the forecast
    hist = us_centre("2022-10-17", "2024-10-11")
    fc = forecast.forecast(hist, "28D", holidays="US", model="profile", origins=14)
    assert len(fc) == 28 * 48
    assert (fc["yhat_hi_95"] <= 3 * slot_max(hist, fc["ds"])).all()
    busy = fc["yhat"] > 20
    assert (fc.loc[busy, "yhat_hi_95"] / fc.loc[busy, "yhat"]).max() < 1.8
    assert fc["yhat_hi_95"].sum() < 1.5 * fc["yhat"].sum()
    assert (fc["yhat_lo_95"] <= fc["yhat"]).all() and (fc["yhat"] <= fc["yhat_hi_95"]).all()


def test_a_holiday_the_history_never_showed_spans_closed_to_normal_and_is_recorded_as_an_assumption():
    hist = us_centre("2023-01-02", "2023-09-29")        # has shown Memorial, Independence and Labor Day closed
    fc = forecast.forecast(hist, "28D", holidays="US", model="profile", origins=4)
    day = fc["ds"].dt.normalize()
    columbus = fc[day == pd.Timestamp("2023-10-09")]
    next_monday = fc[day == pd.Timestamp("2023-10-16")]
    open_ = next_monday["yhat"].to_numpy() > 0
    assert (columbus["yhat"] == 0).all() and (columbus["yhat_lo_80"] == 0).all()   # assumed closed...
    # ...but the interval reaches a normal Monday
    assert (columbus["yhat_hi_80"].to_numpy()[open_] >= next_monday["yhat"].to_numpy()[open_]).all()
    notes = [a for a in fc.attrs["assumptions"] if a["name"] == "Columbus Day"]
    assert len(notes) == 1 and notes[0]["date"] == pd.Timestamp("2023-10-09").date()
    assert notes[0]["ratio"] == 0.0 and notes[0]["series"] == "y"
    assert notes[0]["assumption"].startswith("closed like 4 other holidays")
    assert "never appears" in notes[0]["reason"]
    # a holiday the history has shown (Labor Day, closed) is not an assumption
    assert all(a["name"] != "Labor Day" for a in fc.attrs["assumptions"])


def test_describe_history_lists_the_special_days_ahead_the_history_never_showed():
    hist = us_centre("2023-01-02", "2023-09-29")
    report = forecast.describe_history(hist, holidays="US", horizon="28D")
    assert report.loc["y", "unseen_holidays"] == 1
    (note,) = report.attrs["assumptions"]
    assert note["name"] == "Columbus Day" and note["assumption"].startswith("closed like")
    assert "unseen_holidays" not in forecast.describe_history(hist).columns


def test_a_first_ever_closure_given_as_a_date_is_assumed_closed_with_an_interval_up_to_a_normal_day():
    hist = us_centre("2024-01-01", "2024-03-29")
    fc = forecast.forecast(hist, "7D", holidays=["2024-04-03"], model="profile", origins=3)
    wed = fc[fc["ds"].dt.normalize() == pd.Timestamp("2024-04-03")]
    assert (wed["yhat"] == 0).all() and wed["yhat_hi_95"].max() > 50
    (note,) = fc.attrs["assumptions"]
    assert note["assumption"].startswith("closed (a public holiday; the history shows no holiday")


def test_backtest_reports_coverage_by_horizon_bucket():
    hist = us_centre("2023-06-05", "2024-03-29")
    bt = forecast.backtest(hist, "28D", models=["profile"], origins=3, holidays="US",
                           horizon_buckets=[(1, 1), (2, 7), (8, 28)])
    agg = bt[bt["origin"].astype(str) == "all"].set_index("horizon")
    assert list(agg.index) == ["all", "1", "2-7", "8-28"]
    assert agg.loc[["1", "2-7", "8-28"], "n"].sum() == agg.loc["all", "n"]
    assert agg["coverage_80"].between(0.5, 1.0).all()
    assert (bt.loc[bt["origin"].astype(str) != "all", "horizon"] == "all").all()
