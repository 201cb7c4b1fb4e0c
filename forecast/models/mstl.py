"""MSTL: multiple seasonal-trend decomposition by Loess (statsmodels.tsa.seasonal.MSTL).

The series is decomposed into seasonal components and a trend; the deseasonalised series (trend +
remainder) is forecast with a damped-trend Holt model and each seasonal component repeats its last
cycle.

* :class:`MSTL` (``"mstl"``) works on ``log1p`` daily totals of the open weekdays (robust Loess) with
  periods one week of open days and, when the last three or four years have similar levels (each month's
  median within a factor 1.5 across the years), one year; intraday data is spread with weekday intraday shares
  (top-down).
* :class:`PlainMSTL` (``"mstl_plain"``) is the peer the benchmark compares with: MSTL on the raw grid
  with the standard periods (one day and one week for intraday data on the last 8 weeks, one week
  and one year for daily data), without holiday or closure handling. Not part of ``auto``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import Context, DailyTopDown, Model, holt_forecast, quiet_fit, seasonal_repeat

__all__ = ["MSTL", "PlainMSTL", "mstl_forecast"]


def mstl_forecast(values: np.ndarray, periods: tuple[int, ...], h: int, robust: bool = False) -> np.ndarray:
    """Decompose ``values`` with MSTL(periods) and forecast ``h`` steps (trend by damped Holt,
    seasonals by repeating their last cycle). Periods too long for the data are dropped; ``robust``
    uses robust Loess fits (outliers such as a surge weigh less)."""
    from statsmodels.tsa.seasonal import MSTL as _MSTL

    v = np.asarray(values, dtype=float)
    periods = tuple(p for p in periods if p >= 2 and 2 * p < len(v))
    if not periods:
        return holt_forecast(v, h)
    res = quiet_fit(_MSTL(v, periods=periods if len(periods) > 1 else periods[0],
                          stl_kwargs={"robust": robust}).fit)
    seasonal = np.asarray(res.seasonal, dtype=float).reshape(len(v), -1)
    deseason = v - seasonal.sum(axis=1)
    fc = holt_forecast(deseason, h)
    for j, p in enumerate(periods):
        fc = fc + seasonal_repeat(seasonal[:, j], p, h)
    return fc


class _DailyMSTL(DailyTopDown):
    name = "mstl_daily"
    max_days = 4 * 365 + 2

    def _daily_forecast(self, n: int, days: pd.DatetimeIndex) -> np.ndarray:
        m = self.season_
        year = int(round(365.25 / 7 * m))
        v = self.train_
        periods: tuple[int, ...] = (m,)
        n_years = len(v) // year
        if n_years >= 3:
            # a yearly pattern is learnable only from years of similar level: a surge or a collapse
            # in one of them would come back as a "season" a year later
            block = v[len(v) - n_years * year:].reshape(n_years, year)
            months = np.array([np.median(c, axis=1) for c in np.array_split(block, 12, axis=1)])
            if np.ptp(months, axis=1).max() < np.log(1.5):
                periods = (m, year)
        return mstl_forecast(v, periods, n, robust=True)


class MSTL(Model):
    """MSTL on log daily totals of open weekdays (top-down for intraday); see the module docstring."""

    name = "mstl"

    def fit(self, y: pd.Series, context: Context) -> MSTL:
        self.inner_ = _DailyMSTL().fit(y, context)
        return self

    def predict(self, h: int) -> np.ndarray:
        return self.inner_.predict(h)


class PlainMSTL(Model):
    """MSTL on the raw grid with standard periods and no calendar handling (benchmark peer)."""

    name = "mstl_plain"
    raw = True

    def __init__(self, weeks: int = 8) -> None:
        self.weeks = weeks

    def fit(self, y: pd.Series, context: Context) -> PlainMSTL:
        if context.intraday:
            self.periods_ = (context.per_day, context.week)
            self.values_ = y.to_numpy(dtype=float)[-self.weeks * context.week:]
        else:
            self.periods_ = (7, 365)
            self.values_ = y.to_numpy(dtype=float)[-3 * 365:]
        return self

    def predict(self, h: int) -> np.ndarray:
        return mstl_forecast(self.values_, self.periods_, h)
