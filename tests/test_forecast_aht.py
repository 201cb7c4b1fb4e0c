"""Specifications of handle time per interval in forecast.forecast (series or column ``aht_s``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_forecast import office_history

import forecast


def with_handle_time(hist: pd.DataFrame, seed: int = 2) -> pd.DataFrame:
    """Handle time of 200 s before noon and 400 s from noon (x 10% noise), NaN where no calls."""
    rng = np.random.default_rng(seed)
    base = np.where(hist["ds"].dt.hour >= 12, 400.0, 200.0)
    return hist.assign(aht_s=np.where(hist["y"] > 0, base * rng.lognormal(0.0, 0.1, len(hist)), np.nan))


def test_handle_time_that_doubles_in_the_afternoon_is_forecast_per_interval():
    hist = with_handle_time(office_history(8))
    fc = forecast.forecast(hist, "7D", model="profile", origins=2)
    assert list(fc.columns)[-1] == "aht_s"
    open_ = fc["yhat"] > 0
    morning = open_ & (fc["ds"].dt.hour < 12)
    afternoon = open_ & (fc["ds"].dt.hour >= 12)
    assert fc.loc[morning, "aht_s"].between(170, 230).all()
    assert fc.loc[afternoon, "aht_s"].between(340, 460).all()
    assert fc.loc[afternoon, "aht_s"].mean() / fc.loc[morning, "aht_s"].mean() == pytest.approx(2.0, rel=0.08)
    assert fc.loc[~open_, "aht_s"].isna().all()                  # closed: no calls, no handle time
    # the calls forecast is the same as without handle time
    plain = forecast.forecast(hist.drop(columns="aht_s"), "7D", model="profile", origins=2)
    np.testing.assert_allclose(fc["yhat"], plain["yhat"])
    assert "aht_s" not in plain.columns


def test_a_handle_time_series_pairs_with_calls_and_is_not_forecast_as_calls():
    hist = with_handle_time(office_history(8))
    long = pd.concat([hist[["ds", "y"]].assign(series="calls"),
                      hist[["ds", "aht_s"]].rename(columns={"aht_s": "y"}).dropna().assign(series="aht_s")])
    fc = forecast.forecast(long, "7D", model="profile", origins=2)
    wide = forecast.forecast(hist.assign(series="calls"), "7D", model="profile", origins=2)
    assert set(fc["series"]) == {"calls"}
    np.testing.assert_allclose(fc["aht_s"], wide["aht_s"])
    # <name>_aht_s pairs with <name>; other series get no handle time
    other = office_history(8, seed=3, level=5).assign(series="callbacks")
    named = pd.concat([long.replace({"series": {"calls": "emails", "aht_s": "emails_aht_s"}}), other])
    fc2 = forecast.forecast(named, "7D", model="profile", origins=2)
    assert fc2.loc[fc2["series"] == "callbacks", "aht_s"].isna().all()
    np.testing.assert_allclose(fc2.loc[fc2["series"] == "emails", "aht_s"], wide["aht_s"])


def test_finer_handle_time_is_averaged_weighted_by_calls_when_summed_to_a_coarser_freq():
    hist = with_handle_time(office_history(6))
    # split each half hour into two quarter hours: 1 call at 100 s and the rest at the original time
    first = hist.assign(y=np.minimum(hist["y"], 1.0), aht_s=np.where(hist["y"] > 0, 100.0, np.nan))
    second = hist.assign(ds=hist["ds"] + pd.Timedelta("15min"), y=hist["y"] - first["y"],
                         aht_s=np.where(hist["y"] > 1, hist["aht_s"], np.nan))
    fine = pd.concat([first, second], ignore_index=True).sort_values("ds")
    fc = forecast.forecast(fine, "7D", freq="30min", model="profile", origins=2)
    merged = hist.assign(aht_s=(first["y"] * first["aht_s"].fillna(0) + second["y"] * second["aht_s"].fillna(0))
                         / hist["y"].where(hist["y"] > 0))
    ref = forecast.forecast(merged, "7D", model="profile", origins=2)
    np.testing.assert_allclose(fc["aht_s"], ref["aht_s"], rtol=1e-9)


def test_handle_time_without_its_calls_series_is_a_data_error_naming_the_fix():
    hist = office_history(4)
    long = pd.concat([hist.assign(series="applications"), hist.assign(series="callers"),
                      hist.assign(series="aht_s", y=300.0)])
    with pytest.raises(forecast.DataError, match="_aht_s"):
        forecast.forecast(long, "7D", model="profile")
    with pytest.raises(ValueError, match="handle time of 'calls'"):
        forecast.forecast(long.replace({"series": {"callers": "calls"}}), "7D", model="profile", series="aht_s")
