"""Specifications of forecast.forecast() and the model families (small synthetic histories)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.calendar import infer_freq
from forecast.models import MODELS
from forecast.models._base import Context
from forecast.models.theta import Theta

SHAPE = np.sin(np.linspace(0.2, np.pi - 0.2, 18)) + 0.3  # 08:00-17:00, 18 half hours
WEEKDAY = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.0, 0.0])    # Mon-Fri open


def office_history(weeks: int = 10, *, holidays=(), seed: int = 1, start: str = "2024-01-01",
                   level: float = 20.0) -> pd.DataFrame:
    """30-minute calls of a Monday-Friday 08:00-17:00 centre: only opening hours are present,
    holidays are rows of zeros and the next open day rebounds by 40%."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=7 * weeks, freq="D")
    hol = {pd.Timestamp(d) for d in holidays}
    rows = []
    rebound = False
    for day in days:
        w = day.weekday()
        if WEEKDAY[w] == 0:
            continue
        times = day + pd.Timedelta("8h") + pd.to_timedelta(np.arange(18) * 30, unit="min")
        if day in hol:
            y = np.zeros(18)
            rebound = True
        else:
            mean = level * WEEKDAY[w] * SHAPE * (1.4 if rebound else 1.0)
            y = rng.poisson(mean).astype(float)
            rebound = False
        rows.append(pd.DataFrame({"ds": times, "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_forecast_returns_one_row_per_30min_interval_of_the_week_from_the_day_after_the_history():
    hist = office_history(8)                              # ends Friday 16:30
    fc = forecast.forecast(hist, "7D", model="profile", origins=3)
    assert list(fc.columns) == ["series", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95",
                                "yhat_hi_95", "model"]
    assert len(fc) == 336
    assert fc["ds"].iloc[0] == pd.Timestamp("2024-02-24 00:00")  # the next day boundary, not Friday 17:00
    assert (fc["ds"].diff().dropna() == pd.Timedelta("30min")).all()
    assert (fc["series"] == "y").all() and (fc["model"] == "profile").all()


def test_closed_hours_and_weekends_are_zero_with_zero_width_intervals():
    fc = forecast.forecast(office_history(8), "7D", model="profile", origins=3)
    t = fc["ds"]
    closed = (t.dt.day_of_week >= 5) | (t.dt.hour < 8) | (t.dt.hour >= 17)
    cols = ["yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
    assert (fc.loc[closed, cols] == 0).all().all()
    assert (fc.loc[~closed, "yhat"] > 0).all()
    assert (fc.loc[~closed, "yhat_hi_95"] > fc.loc[~closed, "yhat_lo_95"]).all()


def test_a_holiday_in_the_horizon_is_zero_and_the_next_open_day_rebounds():
    # holidays on Mondays in the history teach the closure and the rebound; one more in the horizon
    hol = ["2024-01-15", "2024-02-05", "2024-02-19", "2024-03-04"]
    hist = office_history(9, holidays=hol[:3])          # history ends on Friday 2024-03-01
    fc = forecast.forecast(hist, "7D", model="profile", holidays=hol, origins=3)
    day = fc.set_index("ds")["yhat"].resample("D").sum()
    assert day[pd.Timestamp("2024-03-04")] == 0
    # the Tuesday after the holiday rebounds above a normal Tuesday (1.4x in the data)
    normal_tue = hist[hist["ds"].dt.normalize() == pd.Timestamp("2024-02-27")]["y"].sum()
    assert day[pd.Timestamp("2024-03-05")] > 1.15 * normal_tue


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_runs_by_name_with_nonnegative_ordered_forecasts(name):
    fc = forecast.forecast(office_history(9), "7D", model=name, origins=3)
    assert len(fc) == 336 and (fc["model"] == name).all()
    assert (fc["yhat"] >= 0).all()
    assert (fc["yhat_lo_95"] <= fc["yhat_lo_80"]).all()
    assert (fc["yhat_lo_80"] <= fc["yhat"]).all() and (fc["yhat"] <= fc["yhat_hi_80"]).all()
    assert (fc["yhat_hi_80"] <= fc["yhat_hi_95"]).all()
    # a weekly total in the range of the history's weeks
    weekly = office_history(9)["y"].sum() / 9
    assert 0.6 * weekly < fc["yhat"].sum() < 1.5 * weekly


def test_theta_intraday_values_sum_to_the_daily_forecast():
    hist = office_history(8).set_index("ds")["y"]
    grid = hist.reindex(pd.date_range("2024-01-01", periods=56 * 48, freq="30min"), fill_value=0.0)
    open_slots = np.zeros((7, 48), dtype=bool)
    open_slots[:5, 16:34] = True
    ctx = Context(freq="30min", per_day=48, weekday_open=WEEKDAY > 0,
                  open_slots=open_slots)
    model = Theta().fit(grid, ctx)
    yhat = model.predict(7 * 48)
    daily = model.daily_forecast(7 * 48)
    np.testing.assert_allclose(yhat.reshape(7, 48).sum(axis=1), daily, rtol=1e-9)
    assert daily[5] == 0 and daily[6] == 0 and (daily[:5] > 0).all()


def test_auto_records_its_choice_in_the_model_column_and_attrs():
    fc = forecast.forecast(office_history(10), "7D", origins=3)
    label = fc["model"].iloc[0]
    choice = fc.attrs["auto_choice"]["y"]
    assert label.startswith("auto:") and label == choice["model"]
    assert set(choice["members"]) <= set(MODELS) and 1 <= len(choice["members"]) <= 3
    table = choice["backtest"]
    assert {"model", "origin", "mase", "coverage_80"} <= set(table.columns)
    assert (table["origin"] == "all").sum() >= 5


def test_daily_history_with_closed_weekends_and_a_holiday_forecasts_zero_on_them():
    rng = np.random.default_rng(3)
    days = pd.date_range("2023-01-02", "2023-12-29", freq="D")
    mean = 500 * WEEKDAY[days.day_of_week]
    y = rng.poisson(mean).astype(float)
    hol = pd.to_datetime(["2023-05-22", "2023-07-03", "2023-09-04", "2023-10-09", "2024-01-01"])
    y[days.isin(hol)] = 0
    hist = pd.DataFrame({"series": "calls", "ds": days, "y": y})
    fc = forecast.forecast(hist, "14D", model="ets", holidays=list(hol), origins=3)
    assert len(fc) == 14 and fc["ds"].iloc[0] == pd.Timestamp("2023-12-30")
    closed = fc["ds"].dt.day_of_week >= 5
    assert (fc.loc[closed, "yhat"] == 0).all()
    assert fc.loc[fc["ds"] == pd.Timestamp("2024-01-01"), "yhat_hi_95"].iloc[0] == 0
    assert (fc.loc[~closed & (fc["ds"] != pd.Timestamp("2024-01-01")), "yhat"] > 300).all()


def test_missing_whole_days_are_treated_as_missing_not_zero():
    hist = office_history(10)
    gap = (hist["ds"] >= "2024-02-26") & (hist["ds"] < "2024-03-04")   # the last full week is absent
    fc_gap = forecast.forecast(hist[~gap], "7D", model="profile", origins=2)
    fc_full = forecast.forecast(hist, "7D", model="profile", origins=2)
    assert fc_gap["yhat"].sum() == pytest.approx(fc_full["yhat"].sum(), rel=0.15)


def test_finer_data_is_summed_into_the_requested_freq_and_freq_is_inferred():
    hist = office_history(8)
    fine = hist.assign(ds=hist["ds"] + pd.Timedelta("15min"), y=hist["y"] / 2)
    both = pd.concat([hist.assign(y=hist["y"] / 2), fine], ignore_index=True).sort_values("ds")
    assert infer_freq(both["ds"]) == "15min"
    fc = forecast.forecast(both, "7D", freq="30min", model="seasonal_naive", origins=2)
    ref = forecast.forecast(hist, "7D", model="seasonal_naive", origins=2)
    np.testing.assert_allclose(fc["yhat"], ref["yhat"])
    assert infer_freq(hist["ds"]) == "30min"


def test_several_series_come_back_in_the_long_shape():
    a = office_history(8, seed=1).assign(series="calls")
    b = office_history(8, seed=2, level=5).assign(series="callbacks")
    fc = forecast.forecast(pd.concat([a, b]), 48, model="profile", origins=2)
    assert fc.groupby("series").size().to_dict() == {"calls": 48, "callbacks": 48}
    only = forecast.forecast(pd.concat([a, b]), 48, model="profile", series="calls", origins=2)
    assert set(only["series"]) == {"calls"}


@pytest.mark.parametrize("kwargs, field", [({"horizon": "7X"}, "horizon"), ({"horizon": 0}, "horizon"),
                                          ({"horizon": "7D", "model": "prophet"}, "model"),
                                          ({"horizon": "7D", "freq": "7min"}, "freq")])
def test_bad_parameters_raise_value_errors_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        forecast.forecast(office_history(4), **kwargs)


def test_duplicated_timestamps_are_a_data_error():
    hist = office_history(4)
    with pytest.raises(forecast.DataError, match="duplicated"):
        forecast.forecast(pd.concat([hist, hist.iloc[:1]]), "7D", model="profile")


def test_time_zone_aware_history_is_forecast_in_local_wall_clock_time_and_comes_back_in_its_zone():
    hist = office_history(6)
    aware = hist.assign(ds=hist["ds"].dt.tz_localize("America/Toronto"))
    fc = forecast.forecast(aware, 48, model="profile", origins=2)
    ref = forecast.forecast(hist, 48, model="profile", origins=2)
    np.testing.assert_allclose(fc["yhat"], ref["yhat"])
    assert str(fc["ds"].dt.tz) == "America/Toronto" and ref["ds"].dt.tz is None
    assert (fc["ds"].dt.tz_localize(None) == ref["ds"]).all()


def test_sarimax_uses_event_regressors_given_for_the_horizon():
    rng = np.random.default_rng(8)
    days = pd.date_range("2023-01-02", periods=200, freq="D")
    event = (np.arange(len(days)) % 9 == 4).astype(float)
    y = rng.poisson(400 * WEEKDAY[days.day_of_week] * (1 + 0.8 * event)).astype(float)
    hist = pd.DataFrame({"ds": days[:186], "y": y[:186]})
    events = pd.DataFrame({"mailout": event}, index=days)
    fc = forecast.forecast(hist, "14D", model="sarimax", events=events, origins=2).set_index("ds")
    on = events["mailout"].reindex(fc.index).to_numpy() > 0
    open_day = fc.index.day_of_week < 5
    assert fc["yhat"][on & open_day].mean() > 1.3 * fc["yhat"][~on & open_day].mean()


# --- the robust yearly profile (daily data) ---
def _yearly_truth(days: pd.DatetimeIndex) -> np.ndarray:
    """Known yearly pattern on the log scale: a winter peak and a summer trough, amplitude 0.3."""
    return 0.3 * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - 15) / 365.25)


def daily_office_history(years: int = 5, *, surge_year: int | None = None, seed: int = 4) -> pd.Series:
    """Daily calls of a Monday-Friday centre on a cleaned grid (weekends 0): level 1000 x weekday x
    the known yearly pattern x 5% noise; ``surge_year`` (index) multiplies May-October of that year
    by 6, a surge no calendar can explain."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2016-01-01", periods=int(365.25 * years), freq="D")
    mean = 1000 * WEEKDAY[days.day_of_week] * np.exp(_yearly_truth(days))
    if surge_year is not None:
        surge = (days.year == days[0].year + surge_year) & (days.month >= 5) & (days.month <= 10)
        mean = mean * np.where(surge, 6.0, 1.0)
    return pd.Series(mean * rng.lognormal(0.0, 0.05, len(days)), index=days)


def daily_context() -> Context:
    open_days = WEEKDAY > 0
    return Context(freq="D", per_day=1, weekday_open=open_days,
                   open_slots=open_days[:, None].copy())


def test_yearly_model_recovers_a_known_yearly_pattern_and_weekday_pattern():
    from forecast.models.yearly import N_BINS, YearlyProfile

    model = YearlyProfile().fit(daily_office_history(5), daily_context())
    mid_bins = pd.DatetimeIndex(pd.Timestamp("2021-01-04") + pd.to_timedelta(np.arange(N_BINS) * 7, unit="D"))
    truth = _yearly_truth(mid_bins)
    truth = truth - truth.mean()
    effect = model.yearly_ - model.yearly_.mean()
    assert np.corrcoef(effect, truth)[0, 1] > 0.95
    assert np.max(np.abs(effect - truth)) < 0.1
    wd = np.log(WEEKDAY[:5]) - np.log(WEEKDAY[:5]).mean()
    np.testing.assert_allclose(model.weekday_[:5] - model.weekday_[:5].mean(), wd, atol=0.03)
    assert model.weekday_[5] == 0 and model.weekday_[6] == 0


def test_yearly_model_forecasts_the_seasonal_change_a_flat_profile_misses():
    from forecast.models.yearly import YearlyProfile

    y = daily_office_history(5)
    train = y[y.index < "2020-10-01"]
    model = YearlyProfile().fit(train, daily_context())
    yhat = model.predict(120)
    future = pd.date_range("2020-10-01", periods=120, freq="D")
    truth = 1000 * WEEKDAY[future.day_of_week] * np.exp(_yearly_truth(future))
    open_day = WEEKDAY[future.day_of_week] > 0
    err = np.abs(yhat - truth)[open_day].mean() / truth[open_day].mean()
    assert err < 0.06
    assert (yhat[~open_day] == 0).all()
    # demand rises from October into January by about exp(0.3) ~ 1.35x: the yearly pattern, not a trend
    octo, jan = open_day & (future.month == 10), open_day & (future.month == 1)
    rise = yhat[jan].mean() / yhat[octo].mean()
    assert abs(rise / (truth[jan].mean() / truth[octo].mean()) - 1) < 0.05 and rise > 1.25


def test_yearly_model_is_not_bent_by_one_surge_year():
    from forecast.models.yearly import YearlyProfile, yearly_bins

    clean = YearlyProfile().fit(daily_office_history(6), daily_context())
    surged = YearlyProfile().fit(daily_office_history(6, surge_year=3), daily_context())
    summer = np.unique(yearly_bins(pd.date_range("2021-05-01", "2021-10-31", freq="D")))
    # the surge multiplied one summer by 6 (log 1.8): the learned summer moves by far less
    assert np.max(np.abs(surged.yearly_[summer] - clean.yearly_[summer])) < 0.1
    # and next summer's forecast stays at the normal level
    yhat = surged.predict(365)
    future = pd.date_range(surged.inner_.y_.index[-1] + pd.Timedelta("1D"), periods=365, freq="D")
    truth = 1000 * WEEKDAY[future.day_of_week] * np.exp(_yearly_truth(future))
    sel = (future.month >= 5) & (future.month <= 10) & (WEEKDAY[future.day_of_week] > 0)
    assert 0.85 < yhat[sel].sum() / truth[sel].sum() < 1.15


def test_yearly_model_without_three_years_is_a_level_times_weekday_model():
    from forecast.models.yearly import YearlyProfile

    y = daily_office_history(2)
    model = YearlyProfile().fit(y, daily_context())
    assert np.all(model.yearly_ == 0)
    yhat = model.predict(14)
    recent = y[-28:]
    for w in range(5):
        ref = recent[recent.index.day_of_week == w].mean()
        assert abs(yhat[7 + ((w - (y.index[-1].weekday() + 1)) % 7)] - ref) < 0.15 * ref
