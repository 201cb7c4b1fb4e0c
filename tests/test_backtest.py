"""Specifications of forecast.backtest(): shape, MASE sanity and interval calibration."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast

SHAPE = np.sin(np.linspace(0.2, np.pi - 0.2, 18)) + 0.3  # 08:00-17:00, 18 half hours
WEEKDAY = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.0, 0.0])    # Mon-Fri open


def office_history(weeks: int, seed: int = 1, level: float = 20.0) -> pd.DataFrame:
    """30-minute calls of a Monday-Friday 08:00-17:00 centre, only opening hours present."""
    rng = np.random.default_rng(seed)
    days = [d for d in pd.date_range("2024-01-01", periods=7 * weeks, freq="D") if WEEKDAY[d.weekday()] > 0]
    ds = [d + pd.Timedelta("8h") + pd.Timedelta(minutes=30 * i) for d in days for i in range(18)]
    mean = np.concatenate([level * WEEKDAY[d.weekday()] * SHAPE for d in days])
    return pd.DataFrame({"ds": ds, "y": rng.poisson(mean).astype(float)})


def periodic_history(weeks: int, noisy_weeks: int, seed: int = 0) -> pd.DataFrame:
    """Hourly calls, open every day 06:00-22:00, the same week repeated; Poisson noise only in the
    first ``noisy_weeks`` weeks (so the in-sample seasonal-naive error is not zero)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=weeks * 7 * 24, freq="h")
    hour, dow = ds.hour.to_numpy(), ds.day_of_week.to_numpy()
    base = np.where((hour >= 6) & (hour < 22), 10 + 5 * np.sin(hour / 3.0) + dow, 0.0)
    y = np.round(base)
    noisy = ds < ds[0] + pd.Timedelta(weeks=noisy_weeks)
    y[noisy] = rng.poisson(base[noisy])
    return pd.DataFrame({"ds": ds, "y": y})


def test_backtest_has_one_row_per_origin_plus_an_aggregate_per_model():
    bt = forecast.backtest(office_history(9), "7D", models=["seasonal_naive", "profile"], origins=3)
    assert list(bt.columns) == ["series", "model", "origin", "mase", "rmse", "bias", "coverage_80",
                                "coverage_95", "n", "chosen"]
    assert bt.groupby("model").size().to_dict() == {"seasonal_naive": 4, "profile": 4}
    agg = bt[bt["origin"] == "all"]
    assert len(agg) == 2 and (agg["n"] > 0).all()
    cutoffs = pd.to_datetime(bt.loc[bt["origin"] != "all", "origin"].unique())
    assert (np.diff(cutoffs) == pd.Timedelta("7D")).all()
    # only open intervals are scored: 5 days x 18 half hours per origin
    assert (bt.loc[bt["origin"] != "all", "n"] == 90).all()


def test_seasonal_naive_scores_zero_mase_on_a_perfectly_periodic_week():
    bt = forecast.backtest(periodic_history(weeks=12, noisy_weeks=8), "7D", models=["seasonal_naive"],
                           origins=2)
    assert bt.loc[bt["origin"] == "all", "mase"].iloc[0] == pytest.approx(0.0, abs=1e-12)


def test_seasonal_naive_mase_is_near_one_on_a_stable_noisy_series():
    bt = forecast.backtest(periodic_history(weeks=14, noisy_weeks=14, seed=4), "7D",
                           models=["seasonal_naive"], origins=4)
    assert 0.8 < bt.loc[bt["origin"] == "all", "mase"].iloc[0] < 1.25


def test_profile_beats_seasonal_naive_on_a_stable_noisy_series():
    bt = forecast.backtest(office_history(12, seed=5), "7D", models=["seasonal_naive", "profile"], origins=4)
    mase = bt[bt["origin"] == "all"].set_index("model")["mase"]
    assert mase["profile"] < 0.85 * mase["seasonal_naive"]


def test_interval_coverage_is_calibrated_within_ten_points_on_a_noisy_series():
    hist = periodic_history(weeks=20, noisy_weeks=20, seed=7)
    bt = forecast.backtest(hist, "7D", models=["profile"], origins=8)
    agg = bt[bt["origin"] == "all"].iloc[0]
    assert abs(agg["coverage_80"] - 0.80) <= 0.10
    assert abs(agg["coverage_95"] - 0.95) <= 0.10


def test_auto_in_a_backtest_chooses_from_earlier_origins_only():
    bt = forecast.backtest(office_history(12), "7D", models=["profile", "auto"], origins=3)
    auto = bt[(bt["model"] == "auto") & (bt["origin"] != "all")]
    assert len(auto) == 3 and (auto["chosen"].str.len() > 0).all()
    assert np.isfinite(bt.loc[(bt["model"] == "auto") & (bt["origin"] == "all"), "mase"]).all()


def test_a_history_too_short_for_any_origin_is_a_clear_error():
    with pytest.raises(ValueError, match="too short"):
        forecast.backtest(office_history(3), "14D", models=["profile"])


def test_auto_selection_ignores_cutoffs_where_every_model_failed():
    from forecast.backtest import BacktestRun, Origin, select_members

    idx = pd.date_range("2024-01-01", periods=10, freq="D")
    origins = []
    # four normal cutoffs: "steady" errs by 1, "jumpy" by 2, "lazy" by 3 (scale 10)
    for k in range(4):
        o = Origin(cutoff=idx[0] + pd.Timedelta(weeks=k), index=idx, actual=np.full(10, 100.0),
                   scored=np.ones(10, dtype=bool), scale=10.0, buckets=np.zeros(10, dtype=int),
                   open=np.ones(10, dtype=bool))
        o.yhat = {"steady": np.full(10, 101.0), "jumpy": np.full(10, 102.0), "lazy": np.full(10, 97.0)}
        origins.append(o)
    # four surge cutoffs (half the window, as a surge fills a long horizon's): actuals jump to 1000,
    # everyone fails, "jumpy" a little less
    for k in range(4, 8):
        o = Origin(cutoff=idx[0] + pd.Timedelta(weeks=k), index=idx, actual=np.full(10, 1000.0),
                   scored=np.ones(10, dtype=bool), scale=10.0, buckets=np.zeros(10, dtype=int),
                   open=np.ones(10, dtype=bool))
        o.yhat = {"steady": np.full(10, 100.0), "jumpy": np.full(10, 300.0), "lazy": np.full(10, 100.0)}
        origins.append(o)
    run = BacktestRun(freq="D", h=10, origins=origins, n_report=8, window=8)
    assert select_members(run, ["steady", "jumpy", "lazy"], list(range(8))) == ["steady", "jumpy"]
    # with the surge cutoffs alone there is nothing to set aside: the least wrong model leads
    assert select_members(run, ["steady", "jumpy", "lazy"], [4, 5, 6, 7])[0] == "jumpy"
