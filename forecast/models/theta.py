"""Theta: the Theta method (statsmodels ``ThetaModel``) on daily totals, spread top-down.

The Theta method forecasts each future day's total on ``log1p`` daily totals of the open weekdays,
deseasonalised over one week of open days: simple exponential smoothing plus half the series'
linear drift, fast and robust to level shifts (the log forecast is capped at three times the
largest day seen, as for every daily model). For intraday data each day is spread over its slots
with the intraday shares of the same weekday over recent weeks
(:func:`~forecast.models._base.intraday_shares`), so intraday values sum exactly to the daily
forecast (before a closure or rebound factor, which scales the whole day).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import Context, DailyTopDown, Model, quiet_fit, seasonal_repeat

__all__ = ["Theta", "DailyTheta"]


class DailyTheta(DailyTopDown):
    """Theta method on log daily totals of open weekdays."""

    name = "theta_daily"

    def _fit_daily(self) -> None:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        v, m = self.train_, self.season_
        self.res_ = None
        if len(v) >= max(2 * m, 8):
            try:
                self.res_ = quiet_fit(ThetaModel(v, period=m if m > 1 else None, deseasonalize=m > 1,
                                                 method="additive").fit)
            except (ValueError, np.linalg.LinAlgError):
                self.res_ = None

    def _daily_forecast(self, n: int, days: pd.DatetimeIndex) -> np.ndarray:
        if self.res_ is None:
            return seasonal_repeat(self.train_, max(self.season_, 1), n)
        fc = np.asarray(self.res_.forecast(n), dtype=float)
        return fc if np.all(np.isfinite(fc)) else seasonal_repeat(self.train_, max(self.season_, 1), n)


class Theta(Model):
    """The Theta method on daily totals (top-down for intraday data); see the module docstring."""

    name = "theta"

    def fit(self, y: pd.Series, context: Context) -> Theta:
        self.inner_ = DailyTheta().fit(y, context)
        return self

    def predict(self, h: int) -> np.ndarray:
        return self.inner_.predict(h)

    @property
    def shares_(self) -> np.ndarray | None:
        """Intraday shares (7, per_day) used to spread daily totals (None for daily data)."""
        return self.inner_.shares_

    def daily_forecast(self, h: int) -> np.ndarray:
        """Daily totals behind :meth:`predict` for the days the ``h`` steps cover, shape (days,)."""
        P = self.inner_.context_.per_day
        n_days = -(-h // P)
        return self.inner_.predict(n_days * P).reshape(n_days, P).sum(axis=1)
