"""Robust weekday x time-of-day profile: a trimmed mean of the same slot over recent weeks."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._base import Context, Model, seasonal_repeat

__all__ = ["Profile"]


class Profile(Model):
    """Forecast each weekday x slot by the trimmed mean of that slot over the last ``weeks`` weeks.

    Trimming (``trim`` share cut at each end) makes one odd week (a storm, an outage) harmless.
    With daily data the "slot" is the weekday. No trend: strong for short horizons on stable demand.
    """

    name = "profile"

    def __init__(self, weeks: int = 6, trim: float = 0.2) -> None:
        self.weeks = weeks
        self.trim = trim

    def fit(self, y: pd.Series, context: Context) -> Profile:
        week = context.week
        v = y.to_numpy(dtype=float)
        n_weeks = max(1, min(self.weeks, len(v) // week))
        block = v[len(v) - n_weeks * week:].reshape(n_weeks, week)
        self.week_ = week
        self.profile_ = stats.trim_mean(block, self.trim, axis=0) if n_weeks >= 3 else block.mean(axis=0)
        return self

    def predict(self, h: int) -> np.ndarray:
        return seasonal_repeat(self.profile_, self.week_, h)
