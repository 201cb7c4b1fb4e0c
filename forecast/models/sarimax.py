"""SARIMAX on daily totals with calendar and event regressors (statsmodels).

The model works on ``log1p`` daily totals of the open weekdays (season = number of open weekdays,
5 for a Monday-Friday centre): ``SARIMAX(1,0,1)x(0,1,1,m)``. Regressors: yearly Fourier terms
(two harmonics) when the history spans two years or more, plus any event columns given in
``Context.events`` (a DataFrame indexed by day covering history and horizon, e.g. a mail-out or a
surge indicator). Holidays and closures are handled by the shared calendar: imputed in the training
series, set to zero (or the learned holiday ratio) and followed by the learned rebound in the forecast.
For intraday data the daily forecast is spread with weekday intraday shares (top-down).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import Context, DailyTopDown, Model, quiet_fit, seasonal_repeat

__all__ = ["SARIMAX"]


def _fourier(days: pd.DatetimeIndex, harmonics: int = 2) -> np.ndarray:
    t = days.day_of_year.to_numpy(dtype=float) / 365.25
    cols = []
    for k in range(1, harmonics + 1):
        cols += [np.sin(2 * np.pi * k * t), np.cos(2 * np.pi * k * t)]
    return np.column_stack(cols)


class _DailySARIMAX(DailyTopDown):
    name = "sarimax_daily"
    max_days = 2 * 365 + 30

    def __init__(self, start_params: np.ndarray | None = None) -> None:
        self.start_params = start_params

    def _exog(self, days: pd.DatetimeIndex) -> np.ndarray | None:
        parts = []
        if self.yearly_:
            parts.append(_fourier(days))
        ev = self.context_.events
        if ev is not None and len(ev.columns):
            parts.append(ev.reindex(days).fillna(0.0).to_numpy(dtype=float))
        return np.column_stack(parts) if parts else None

    def _fit_daily(self) -> None:
        from statsmodels.tsa.statespace.sarimax import SARIMAX as _SARIMAX

        days = self.daily_.index
        self.yearly_ = len(days) > 0 and (days[-1] - days[0]) >= pd.Timedelta("700D")
        m = self.season_
        self.res_ = None
        if len(self.train_) < 3 * max(m, 2) + 5:
            return
        seasonal = (0, 1, 1, m) if m > 1 else (0, 0, 0, 0)
        # standardised series and a concentrated scale make the likelihood search several times faster
        v = self.train_
        d = v[m:] - v[:-m] if m > 1 else np.diff(v)
        self.shift_, self.sd_ = float(v.mean()), float(np.std(d)) or 1.0
        try:
            # simple differencing and an approximate diffuse start skip the costly stationary
            # initialisation (a Lyapunov solve per likelihood call): 20-30 times faster
            mod = _SARIMAX((v - self.shift_) / self.sd_, exog=self._exog(days), order=(1, 0, 1),
                           seasonal_order=seasonal, trend="n" if m > 1 else "c", concentrate_scale=True,
                           simple_differencing=m > 1, initialization="approximate_diffuse")
            start = self.start_params
            if start is not None and len(start) == len(mod.param_names):
                self.res_ = quiet_fit(mod.fit, start_params=start, disp=False, maxiter=10)
            else:
                self.res_ = quiet_fit(mod.fit, disp=False, maxiter=40)
        except (ValueError, np.linalg.LinAlgError):
            self.res_ = None

    def _daily_forecast(self, n: int, days: pd.DatetimeIndex) -> np.ndarray:
        if self.res_ is None:
            return seasonal_repeat(self.train_, max(self.season_, 1), n)
        fc = np.asarray(self.res_.forecast(n, exog=self._exog(days[:n])), dtype=float)
        m = self.season_
        if m > 1:  # integrate the seasonal differences back: y_t = d_t + y_{t-m}
            hist = list((self.train_[-m:] - self.shift_) / self.sd_)
            for d in fc:
                hist.append(d + hist[-m])
            fc = np.asarray(hist[m:])
        fc = fc * self.sd_ + self.shift_
        if not np.all(np.isfinite(fc)):
            return seasonal_repeat(self.train_, max(self.season_, 1), n)
        return fc


class SARIMAX(Model):
    """statsmodels SARIMAX on daily totals (top-down for intraday data); see the module docstring.

    Refitting the same instance (as the rolling-origin backtest does, origin after origin) starts the
    likelihood search from the previous parameters: a warm start, several times faster.
    """

    name = "sarimax"

    def fit(self, y: pd.Series, context: Context) -> SARIMAX:
        prev = getattr(self, "inner_", None)
        start = prev.res_.params if prev is not None and prev.res_ is not None else None
        self.inner_ = _DailySARIMAX(start_params=start).fit(y, context)
        return self

    def predict(self, h: int) -> np.ndarray:
        return self.inner_.predict(h)
