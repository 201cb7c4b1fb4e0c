"""Unconstraining: attempts inflated by redials back to the callers who needed to call.

The truth comes from an independent simulation: each caller dials, fails with the day's failure
probability, redials with probability p (same day or later open days), until through or given up.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import unconstrain


def _simulate(p_blocked: float, p_abandoned: float, lags: tuple[float, ...], seed: int = 11):
    """Daily attempts, blocked, abandoned, answered and the true new callers; Mon-Fri only (weekends closed)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2022-04-04", periods=12 * 7, freq="D")
    open_idx = np.flatnonzero(days.day_of_week < 5)
    n_open = len(open_idx)
    k = np.arange(n_open)
    new = rng.poisson(20_000 * (1 + 2.0 * np.exp(-((k - 30) / 12.0) ** 2)))  # a surge in the middle
    fail = 0.1 + 0.6 * np.exp(-((k - 32) / 10.0) ** 2)  # busy lines at the peak
    block_share = 0.7
    pending = np.zeros(n_open + len(lags) + 1, dtype=np.int64)
    cols = {c: np.zeros(len(days)) for c in ("calls", "calls_blocked", "calls_abandoned", "calls_answered", "new")}
    for i in range(n_open):
        dialing = int(new[i] + pending[i])  # today's first attempts: new callers and redials due today
        blocked = abandoned = answered = attempts = 0
        while dialing > 0:
            attempts += dialing
            failed = rng.binomial(dialing, fail[i])
            b = rng.binomial(failed, block_share)
            a = failed - b
            blocked, abandoned, answered = blocked + b, abandoned + a, answered + dialing - failed
            again = rng.binomial(b, p_blocked) + rng.binomial(a, p_abandoned)
            when = rng.multinomial(again, lags)
            for j, m in enumerate(when[1:], start=1):
                pending[i + j] += m
            dialing = int(when[0])  # same-day redials dial again now
        t = open_idx[i]
        cols["calls"][t], cols["calls_blocked"][t] = attempts, blocked
        cols["calls_abandoned"][t], cols["calls_answered"][t], cols["new"][t] = abandoned, answered, new[i]
    history = pd.concat(
        [pd.DataFrame({"series": s, "ds": days, "y": cols[s]}) for s in
         ("calls", "calls_blocked", "calls_abandoned", "calls_answered")], ignore_index=True)
    return history, pd.Series(cols["new"], index=days)


def _series(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[frame["series"] == name].set_index("ds")["y"]


def test_unconstrain_recovers_callers_of_a_simulated_same_day_geometric_redial_process():
    history, truth = _simulate(0.6, 0.6, (1.0,))
    out = unconstrain(history, redial_prob=0.6)
    est = _series(out, "callers").reindex(truth.index)
    attempts = _series(history, "calls")
    open_day = truth > 0
    assert attempts[open_day].sum() > 1.2 * truth[open_day].sum()  # redials do inflate the attempts
    assert est.sum() == pytest.approx(truth.sum(), rel=0.01)
    rel = (est[open_day] / truth[open_day] - 1).abs()
    assert rel.max() < 0.03
    assert np.allclose(_series(out, "demand").reindex(truth.index), est)  # same-day redials: callers = demand


def test_unconstrain_recovers_demand_when_redials_spill_over_to_the_next_open_days():
    history, truth = _simulate(0.75, 0.55, (0.0, 0.75, 0.25), seed=5)
    out = unconstrain(history, redial_prob=0.75, redial_prob_abandoned=0.55, redial_lags=(0.0, 0.75, 0.25))
    est = _series(out, "demand").reindex(truth.index)
    open_day = truth > 0
    assert est.sum() == pytest.approx(truth.sum(), rel=0.01)
    weekly = est.resample("W-SUN").sum() / truth.resample("W-SUN").sum() - 1
    assert weekly.abs().max() < 0.03
    # ignoring the spill-over (all redials assumed the same day) gets the timing wrong at the peak
    naive = _series(unconstrain(history, redial_prob=0.75, redial_prob_abandoned=0.55), "demand").reindex(truth.index)
    assert (naive[open_day] / truth[open_day] - 1).abs().max() > (est[open_day] / truth[open_day] - 1).abs().max()


def test_unconstrain_keeps_every_original_row_and_adds_two_series():
    history, truth = _simulate(0.5, 0.5, (1.0,))
    out = unconstrain(history, redial_prob=0.5)
    pd.testing.assert_frame_equal(out.iloc[: len(history)], history)
    added = out.iloc[len(history):]
    assert set(added["series"]) == {"callers", "demand"}
    assert len(added) == 2 * len(truth)
    assert (added["y"] >= 0).all()


def test_without_failures_callers_equal_attempts():
    days = pd.date_range("2022-01-03", periods=5, freq="D")
    history = pd.concat([
        pd.DataFrame({"series": "calls", "ds": days, "y": [100.0, 120, 90, 80, 70]}),
        pd.DataFrame({"series": "calls_blocked", "ds": days, "y": 0.0}),
        pd.DataFrame({"series": "calls_abandoned", "ds": days, "y": 0.0}),
    ], ignore_index=True)
    out = unconstrain(history, redial_prob=0.9)
    assert np.allclose(_series(out, "callers").to_numpy(), [100, 120, 90, 80, 70])


def test_geometric_formula_with_answered_only():
    days = pd.date_range("2022-01-03", periods=2, freq="D")
    history = pd.concat([
        pd.DataFrame({"series": "attempts", "ds": days, "y": [1000.0, 400.0]}),
        pd.DataFrame({"series": "answered", "ds": days, "y": [500.0, 400.0]}),
    ], ignore_index=True)
    out = unconstrain(history, redial_prob=0.8, attempts="attempts", answered="answered")
    # f = 0.5 on day 1: callers = 1000 * (1 - 0.8 * 0.5)
    assert np.allclose(_series(out, "callers").to_numpy(), [600.0, 400.0])


@pytest.mark.parametrize("kwargs, field", [
    (dict(redial_prob=1.5), "redial_prob"),
    (dict(redial_prob=0.5, redial_prob_abandoned=-0.1), "redial_prob_abandoned"),
    (dict(redial_prob=0.5, redial_lags=(0.5, 0.2)), "redial_lags"),
])
def test_bad_parameters_raise_value_error_naming_them(kwargs, field):
    history, _ = _simulate(0.5, 0.5, (1.0,))
    with pytest.raises(ValueError, match=field):
        unconstrain(history, **kwargs)


def test_missing_series_is_a_data_error_that_names_it():
    days = pd.date_range("2022-01-03", periods=3, freq="D")
    history = pd.DataFrame({"series": "calls", "ds": days, "y": 10.0})
    with pytest.raises(ValueError, match="calls_blocked"):
        unconstrain(history, redial_prob=0.5)
    with pytest.raises(ValueError, match="already has a 'callers' series"):
        unconstrain(pd.concat([history, history.assign(series="callers")]), redial_prob=0.5)
