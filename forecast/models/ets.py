"""Exponential smoothing (statsmodels Holt-Winters) on daily totals.

Holt-Winters on ``log1p`` of the open-weekday daily totals: damped additive trend and an additive
season of one week of open days (5 for a Monday-Friday centre), i.e. a multiplicative weekly pattern
that survives a collapse or a surge of the level. For intraday data the daily forecast is spread with
weekday-specific intraday shares (top-down), which keeps it fast on 30-minute data.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import DAMPING_BOUNDS, DailyTopDown, quiet_fit, seasonal_repeat

__all__ = ["ETS"]


class ETS(DailyTopDown):
    """statsmodels ExponentialSmoothing; see the module docstring."""

    name = "ets"

    def _fit_daily(self) -> None:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        v, m = self.train_, self.season_
        self.res_ = None
        if m > 1 and len(v) >= 3 * m + 4:
            try:
                self.res_ = quiet_fit(ExponentialSmoothing(v, trend="add", damped_trend=True, seasonal="add",
                                                           seasonal_periods=m,
                                                           initialization_method="heuristic",
                                                           bounds=DAMPING_BOUNDS).fit)
            except (ValueError, np.linalg.LinAlgError):
                self.res_ = None

    def _daily_forecast(self, n: int, days: pd.DatetimeIndex) -> np.ndarray:
        if self.res_ is None:
            return seasonal_repeat(self.train_, max(self.season_, 1), n)
        fc = np.asarray(self.res_.forecast(n), dtype=float)
        return fc if np.all(np.isfinite(fc)) else seasonal_repeat(self.train_, max(self.season_, 1), n)
