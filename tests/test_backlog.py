"""Backlog-driven calls: the FIFO application queue and the calls it drives.

The synthetic truth is built independently: a cohort-by-cohort first-in-first-out queue (a loop over
applications received each day) and Poisson calls from known coefficients.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import BacklogModel
from forecast.backlog import business_days

TRUE = {"intercept": 500.0, "applications": 0.3, "past_standard": 0.2}
WEEKDAY = np.array([1.2, 1.0, 1.0, 0.95, 0.85, 0.0, 0.0])


def _cohort_fifo(apps: np.ndarray, capacity: np.ndarray, business: np.ndarray, standard: int = 20):
    """Reference queue: cohorts worked oldest first, today's receipts from tomorrow."""
    remaining = apps.astype(float).copy()
    clock = np.cumsum(business)
    head, waiting = 0, 0.0
    processed, backlog, late = (np.zeros(len(apps)) for _ in range(3))
    for t in range(len(apps)):
        todo = min(capacity[t], waiting)
        processed[t] = todo
        while todo > 1e-9 and head < t:
            take = min(todo, remaining[head])
            remaining[head] -= take
            todo -= take
            if remaining[head] <= 1e-9:
                head += 1
        waiting += apps[t] - processed[t]
        backlog[t] = waiting
        late[t] = sum(remaining[d] for d in range(head, t) if clock[t] - clock[d] > standard)
    return processed, backlog, late


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(2024)
    days = pd.date_range("2019-01-01", "2021-06-30", freq="D")
    business = business_days(days, "CA-federal")
    n = len(days)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(n) / 365.25)
    apps = np.where(business, rng.poisson(1000 * season), 0).astype(float)
    slow = (days >= "2020-03-01") & (days < "2020-10-01")  # a slow-down builds a backlog past standard
    capacity = np.where(business, np.where(slow, 750.0, 1350.0), 0.0)
    processed, backlog, late = _cohort_fifo(apps, capacity, business)
    recent = pd.Series(apps).rolling(28, min_periods=1).mean().to_numpy()
    late_start = np.concatenate([[0.0], late[:-1]])
    mu = WEEKDAY[days.day_of_week] * (TRUE["intercept"] + TRUE["applications"] * recent
                                      + TRUE["past_standard"] * late_start)
    calls = np.where(business, rng.poisson(mu), 0).astype(float)
    history = pd.concat([pd.DataFrame({"series": s, "ds": days, "y": v}) for s, v in
                         (("applications", apps), ("processed", processed), ("calls", calls))], ignore_index=True)
    model = BacklogModel().fit(history)
    return {"history": history, "model": model, "days": days, "apps": apps, "late": late, "backlog": backlog}


def test_fit_follows_the_fifo_queue_of_an_independent_cohort_simulation(synthetic):
    h = synthetic["model"].history_
    assert synthetic["late"].max() > 10_000  # the slow-down did push applications past standard
    assert np.allclose(h["past_standard"].to_numpy(), synthetic["late"], atol=1e-6)
    assert np.allclose(h["backlog"].to_numpy(), synthetic["backlog"], atol=1e-6)


def test_fit_recovers_the_known_coefficients_and_weekday_pattern(synthetic):
    m = synthetic["model"]
    assert m.coef_["past_standard"] == pytest.approx(TRUE["past_standard"], rel=0.05)
    assert m.coef_["applications"] == pytest.approx(TRUE["applications"], rel=0.15)
    assert m.coef_["intercept"] == pytest.approx(TRUE["intercept"], rel=0.15)
    expected = WEEKDAY[:5] / WEEKDAY[:5].mean()
    assert np.allclose(m.weekday_factors_[:5], expected, rtol=0.03)
    assert (m.weekday_factors_[5:] == 0).all()


def test_fit_follows_scikit_learn_conventions(synthetic):
    m = BacklogModel(standard_days=10, recent_days=14)
    assert m.standard_days == 10 and not hasattr(m, "coef_")
    assert m.fit(synthetic["history"]) is m
    assert m.calls_series_ == "calls" and hasattr(m, "residual_quantiles_")
    with pytest.raises(ValueError, match="not fitted"):
        BacklogModel().project(1000.0, 1000.0, periods=10)


def test_fit_prefers_unique_callers_when_the_history_has_them(synthetic):
    h = synthetic["history"]
    callers = h[h["series"] == "calls"].assign(series="callers")
    inflated = h.assign(y=np.where(h["series"] == "calls", h["y"] * 3, h["y"]))
    m = BacklogModel().fit(pd.concat([inflated, callers], ignore_index=True))
    assert m.calls_series_ == "callers"
    assert m.coef_["past_standard"] == pytest.approx(TRUE["past_standard"], rel=0.05)


def _future(days: pd.DatetimeIndex, level: float) -> pd.Series:
    return pd.Series(np.where(business_days(days, "CA-federal"), level, 0.0), index=days)


def test_project_conserves_the_backlog_and_respects_capacity(synthetic):
    m = synthetic["model"]
    days = pd.date_range("2021-07-01", "2021-12-31", freq="D")
    apps = _future(days, 1400.0)
    cap = _future(days, 1100.0)
    p = m.project(apps, cap)
    prev = np.concatenate([[m.history_["backlog"].iloc[-1]], p["backlog"].to_numpy()[:-1]])
    assert np.allclose(p["backlog"], prev + p["applications"] - p["processed"])
    assert (p["processed"] <= cap.to_numpy() + 1e-9).all()
    assert (p["backlog"] >= 0).all() and (p["past_standard"] <= p["backlog"] + 1e-9).all()
    closed = ~business_days(days, "CA-federal")
    assert (p.loc[closed, "calls"] == 0).all()
    assert (p["calls_lo_95"] <= p["calls_lo_80"]).all() and (p["calls_lo_80"] <= p["calls"]).all()
    assert (p["calls"] <= p["calls_hi_80"]).all() and (p["calls_hi_80"] <= p["calls_hi_95"]).all()
    # demand above capacity: the queue grows, so does the wait and the status calls
    assert p["backlog"].iloc[-1] > p["backlog"].iloc[0]
    assert p["processing_days"].iloc[-30:].mean() > p["processing_days"].iloc[:30].mean()
    assert p["status_calls"].iloc[-30:].sum() > p["status_calls"].iloc[:30].sum()


def test_projection_with_actual_inputs_reproduces_the_fitted_history(synthetic):
    h = synthetic["history"]
    m = BacklogModel().fit(h[h["ds"] < "2021-01-01"])
    wide = h.pivot(index="ds", columns="series", values="y").loc["2021-01-01":]
    p = m.project(wide["applications"], wide["processed"]).set_index("ds")
    assert np.allclose(p["past_standard"], synthetic["late"][-len(wide):], atol=1e-6)
    month = p.index.to_period("M")
    monthly = p["calls"].groupby(month).sum() / wide["calls"].groupby(month).sum()
    assert (monthly - 1).abs().max() < 0.05


def test_status_deflection_cuts_status_calls_by_that_share(synthetic):
    m = synthetic["model"]
    days = pd.date_range("2021-07-01", "2021-12-31", freq="D")
    base = m.project(_future(days, 1400.0), _future(days, 900.0))
    tracker = m.project(_future(days, 1400.0), _future(days, 900.0), status_deflection=0.3)
    assert base["status_calls"].sum() > 0
    assert np.allclose(tracker["status_calls"], 0.7 * base["status_calls"])
    assert np.allclose(base["calls"] - tracker["calls"], 0.3 * base["status_calls"])
    assert np.allclose(tracker["backlog"], base["backlog"])  # the tracker answers calls, it processes nothing
    with pytest.raises(ValueError, match="status_deflection"):
        m.project(_future(days, 1400.0), _future(days, 900.0), status_deflection=1.5)


def test_more_capacity_from_a_date_reduces_backlog_wait_and_calls(synthetic):
    m = synthetic["model"]
    days = pd.date_range("2021-07-01", "2021-12-31", freq="D")
    apps = _future(days, 1400.0)
    cap = _future(days, 1000.0)
    more = cap.where(cap.index < "2021-09-01", cap * 1.6)
    a, b = m.project(apps, cap), m.project(apps, more)
    before = a["ds"] < "2021-09-01"
    assert np.allclose(a.loc[before, "calls"], b.loc[before, "calls"])
    after = a["ds"] >= "2021-10-15"
    assert b.loc[after, "backlog"].mean() < a.loc[after, "backlog"].mean()
    assert b.loc[after, "past_standard"].mean() < a.loc[after, "past_standard"].mean()
    assert b.loc[after, "processing_days"].mean() < a.loc[after, "processing_days"].mean()
    assert b.loc[after, "calls"].sum() < a.loc[after, "calls"].sum()


def test_scalar_inputs_need_periods_and_apply_on_business_days(synthetic):
    m = synthetic["model"]
    p = m.project(1200.0, 1200.0, periods=14)
    assert p["ds"].iloc[0] == m.end_ + pd.Timedelta(days=1) and len(p) == 14
    business = business_days(pd.DatetimeIndex(p["ds"]), "CA-federal")
    assert (p.loc[~business, "applications"] == 0).all() and (p.loc[business, "applications"] == 1200).all()
    with pytest.raises(ValueError, match="periods"):
        m.project(1200.0, 1200.0)
    with pytest.raises(ValueError, match="start_backlog"):
        m.project(1200.0, 1200.0, periods=14, start="2022-06-01")
    later = m.project(1200.0, 1200.0, periods=14, start="2022-06-01", start_backlog=50_000)
    first = later.iloc[0]
    assert first["backlog"] == pytest.approx(50_000 + first["applications"] - first["processed"])


def test_bad_parameters_and_data_raise_helpful_errors(synthetic):
    with pytest.raises(ValueError, match="standard_days"):
        BacklogModel(standard_days=0).fit(synthetic["history"])
    with pytest.raises(ValueError, match="features"):
        BacklogModel(features=("weather",)).fit(synthetic["history"])
    h = synthetic["history"]
    with pytest.raises(ValueError, match="processed"):
        BacklogModel().fit(h[h["series"] != "processed"])


def test_backlog_feature_is_optional_and_near_zero_when_calls_ignore_it(synthetic):
    m = BacklogModel(features=("applications", "past_standard", "backlog")).fit(synthetic["history"])
    assert set(m.coef_) == {"intercept", "applications", "past_standard", "backlog"}
    assert m.coef_["backlog"] * synthetic["backlog"].mean() < 0.05 * m.coef_["intercept"]
    assert m.coef_["past_standard"] == pytest.approx(TRUE["past_standard"], rel=0.1)


def test_to_forecast_gives_the_forecast_contract(synthetic):
    m = synthetic["model"]
    p = m.project(1200.0, 1000.0, periods=30)
    fc = m.to_forecast(p)
    assert list(fc.columns) == ["series", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95", "model"]
    assert (fc["series"] == "calls").all() and np.allclose(fc["yhat"], p["calls"])
