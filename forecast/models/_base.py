"""The shared surface of every forecasting model and the helpers they share.

Every model class has the same small surface::

    model = ModelClass().fit(y, context)   # y: pd.Series on the regular grid, whole days, no NaN
    yhat = model.predict(h)                 # numpy array of h point forecasts, the h grid steps after y

``y`` is the *cleaned* training series built by :mod:`forecast.core`: holidays, closed-looking days
and missing days are already replaced by a typical same-weekday day and closed hours are 0, so a
model never learns a collapse. Closures and rebounds are applied to the forecast afterwards by the
core. A model with ``raw = True`` (the plain MSTL peer) is fed the raw grid instead and its forecast
is not post-processed.

Intraday models may work on daily totals: :func:`topdown_predict` turns a daily forecast into grid
values with weekday-specific intraday shares, so intraday values sum to the daily forecast.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Context", "Model", "daily_totals", "intraday_shares", "open_day_series", "topdown_predict"]


@dataclass(frozen=True)
class Context:
    """What a model may know besides the series itself.

    ``freq`` grid step (``"30min"``, ``"D"``); ``per_day`` grid steps per day (1 for daily data);
    ``weekday_open`` (7,) bool, Monday = 0; ``open_slots`` (7, per_day) bool hours of operation;
    ``holidays`` frozenset of dates (history and horizon); ``events`` optional DataFrame of event
    regressors indexed by day (covering history and horizon), used by SARIMAX.
    """

    freq: str
    per_day: int
    weekday_open: np.ndarray
    open_slots: np.ndarray
    holidays: frozenset = field(default_factory=frozenset)
    events: pd.DataFrame | None = None

    @property
    def intraday(self) -> bool:
        return self.per_day > 1

    @property
    def week(self) -> int:
        """Grid steps in a week."""
        return 7 * self.per_day


#: a trend fades within a few weeks: planners' horizons reach months, where an extrapolated trend
#: from the last weeks does more harm than good (damping 0.9 halves the trend step in ~7 steps)
DAMPING_BOUNDS = {"damping_trend": (0.8, 0.9)}

#: weeks of history behind the weekday intraday shares
SHARE_WEEKS = 12


class Model:
    """Base class: ``fit(y, context) -> self``, ``predict(h) -> np.ndarray`` of shape (h,)."""

    name: str = "model"
    raw: bool = False

    def fit(self, y: pd.Series, context: Context) -> Model:  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, h: int) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def future_days(y: pd.Series, context: Context, h: int) -> pd.DatetimeIndex:
    """The calendar days covered by the ``h`` grid steps after ``y`` (y ends at the end of a day)."""
    n_days = -(-h // context.per_day)
    first = y.index[-1].normalize() + pd.Timedelta("1D")
    return pd.date_range(first, periods=n_days, freq="D")


def daily_totals(y: pd.Series, context: Context) -> pd.Series:
    """Daily sums of a grid series made of whole days; shape (days,), indexed by midnight."""
    if context.per_day == 1:
        return y
    vals = y.to_numpy(dtype=float).reshape(-1, context.per_day).sum(axis=1)
    return pd.Series(vals, index=y.index[:: context.per_day].normalize())


def intraday_shares(y: pd.Series, context: Context, weeks: int | None = None, trim: float = 0.0,
                    keep: np.ndarray | None = None) -> np.ndarray:
    """Weekday-specific intraday shares, shape (7, per_day); each open weekday's row sums to 1.

    Computed from the last ``weeks`` weeks of the (cleaned) series, on the days ``keep`` marks (a
    bool per day of ``y``; all when None): the weekday's volume in each slot over its total volume,
    or with ``trim > 0`` the trimmed mean (``trim`` cut at each end) of each day's own shares, so
    one odd day (an outage, a surge) cannot bend the profile. Slots outside opening hours get 0; a
    weekday without volume gets uniform shares over its opening hours (0 if it has none).
    """
    from scipy import stats

    weeks = SHARE_WEEKS if weeks is None else weeks
    P = context.per_day
    mat = y.to_numpy(dtype=float).reshape(-1, P)
    wd = y.index[:: P].day_of_week.to_numpy()
    if keep is not None:
        mat, wd = mat[keep], wd[keep]
    recent = y.index[:: P][keep if keep is not None else slice(None)] > y.index[-1] - pd.Timedelta(weeks=weeks)
    mat, wd = mat[recent], wd[recent]
    shares = np.zeros((7, P))
    for w in range(7):
        rows = mat[wd == w]
        tot = rows.sum(axis=1)
        if tot.sum() <= 0:
            if context.open_slots[w].any():
                shares[w] = context.open_slots[w] / context.open_slots[w].sum()
            continue
        if trim > 0 and (tot > 0).sum() >= 3:
            shares[w] = stats.trim_mean(rows[tot > 0] / tot[tot > 0, None], trim, axis=0)
        else:
            shares[w] = rows.sum(axis=0) / tot.sum()
    shares = shares * context.open_slots
    total = shares.sum(axis=1, keepdims=True)
    return np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)


def open_day_series(daily: pd.Series, context: Context) -> pd.Series:
    """Daily series restricted to the weekdays the centre opens (its season is the number of open
    weekdays: 5 for a Monday-Friday centre)."""
    keep = context.weekday_open[daily.index.day_of_week.to_numpy()]
    return daily[keep]


def expand_open_days(values: np.ndarray, days: pd.DatetimeIndex, context: Context) -> np.ndarray:
    """Place forecasts made for open weekdays only onto all ``days`` (closed weekdays get 0)."""
    out = np.zeros(len(days))
    keep = context.weekday_open[days.day_of_week.to_numpy()]
    out[keep] = values[: keep.sum()]
    return out


def topdown_predict(daily_fc: np.ndarray, days: pd.DatetimeIndex, shares: np.ndarray, h: int) -> np.ndarray:
    """Spread daily forecasts (len(days),) over the day's slots with weekday shares; first h steps."""
    wd = days.day_of_week.to_numpy()
    grid = daily_fc[:, None] * shares[wd]
    return grid.reshape(-1)[:h]


def seasonal_repeat(values: np.ndarray, season: int, h: int) -> np.ndarray:
    """Repeat the last ``season`` values to cover ``h`` steps."""
    last = np.asarray(values, dtype=float)[-season:]
    reps = -(-h // len(last))
    return np.tile(last, reps)[:h]


def quiet_fit(fn, *args, **kwargs):
    """Call a statsmodels fit without its convergence chatter (the backtest judges the result)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def holt_forecast(values: np.ndarray, h: int) -> np.ndarray:
    """Damped-trend Holt forecast of a (deseasonalised) series, falling back to the last value."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    v = np.asarray(values, dtype=float)
    if len(v) < 10:
        return np.full(h, v[-1] if len(v) else 0.0)
    try:
        res = quiet_fit(ExponentialSmoothing(v, trend="add", damped_trend=True,
                                             initialization_method="estimated",
                                             bounds=DAMPING_BOUNDS).fit)
        fc = np.asarray(res.forecast(h), dtype=float)
        if np.all(np.isfinite(fc)):
            return fc
    except (ValueError, np.linalg.LinAlgError):
        pass
    return np.full(h, v[-1])


class DailyTopDown(Model):
    """Shared mechanics of models that forecast daily totals of the open weekdays.

    Subclasses implement :meth:`_daily_forecast` (values of the open-weekday series, log1p scale when
    ``log = True``, season = number of open weekdays). For intraday data the daily forecast is spread
    with weekday-specific intraday shares (intraday sums equal the daily forecast).
    """

    log: bool = True
    max_days: int = 3 * 365

    def fit(self, y: pd.Series, context: Context) -> DailyTopDown:
        self.context_ = context
        self.y_ = y
        daily = daily_totals(y, context).iloc[-self.max_days:]
        self.daily_ = open_day_series(daily, context)
        self.season_ = int(context.weekday_open.sum())
        self.shares_ = intraday_shares(y, context) if context.intraday else None
        v = self.daily_.to_numpy(dtype=float)
        self.train_ = np.log1p(v) if self.log else v
        self._fit_daily()
        return self

    def _fit_daily(self) -> None:
        pass

    def _daily_forecast(self, n: int, days: pd.DatetimeIndex) -> np.ndarray:  # pragma: no cover
        """Forecast the next ``n`` open days (their dates in ``days``) on the training scale."""
        raise NotImplementedError

    def predict(self, h: int) -> np.ndarray:
        ctx = self.context_
        days = future_days(self.y_, ctx, h)
        open_days = days[ctx.weekday_open[days.day_of_week.to_numpy()]]
        if len(open_days) == 0:
            return np.zeros(h)
        fc = self._daily_forecast(len(open_days), open_days) if len(self.train_) else np.zeros(len(open_days))
        if self.log:
            # a log model must not explode: cap at three times the largest day seen
            fc = np.expm1(np.minimum(fc, self.train_.max() + np.log(3.0)))
        fc = np.clip(np.nan_to_num(fc, nan=0.0, posinf=0.0), 0.0, None)
        per_day = expand_open_days(fc, days, ctx)
        if not ctx.intraday:
            return per_day[:h]
        assert self.shares_ is not None  # fit() learns shares for intraday data
        return topdown_predict(per_day, days, self.shares_, h)
