"""Seasonal naive: next week repeats the last week (weekly season on any grid)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import Context, Model, seasonal_repeat

__all__ = ["SeasonalNaive"]


class SeasonalNaive(Model):
    """Forecast each grid step by the value one week earlier (``7 * per_day`` steps).

    The benchmark every other model must beat; the MASE of the backtest is scaled by its in-sample
    error.
    """

    name = "seasonal_naive"

    def fit(self, y: pd.Series, context: Context) -> SeasonalNaive:
        self.season_ = context.week
        self.values_ = y.to_numpy(dtype=float)[-self.season_:]
        return self

    def predict(self, h: int) -> np.ndarray:
        return seasonal_repeat(self.values_, self.season_, h)
