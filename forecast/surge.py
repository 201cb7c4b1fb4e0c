"""Demand surges: a multiplier on a forecast over a stretch of time.

A surge is told the way a planner would tell it: *from 1 May demand climbs over three weeks to triple its
usual level, stays there a month, then eases back over six weeks*. That is :class:`Surge`, a frozen value
object whose :meth:`Surge.factor` gives the multiplier for any timestamps (1 outside the surge).

:func:`apply_surge` multiplies a forecast frame (``series, ds, yhat, yhat_lo_80, ...``) by one or several
surges. The prediction intervals widen *more* than proportionally, because the size of a surge is itself
uncertain (see :func:`apply_surge` for the formula and its constant ``k``).

:func:`surge_from_history` measures the relative shape of a past episode (the 2022 passport surge, say):
the ratio of what was observed to a baseline of what a normal period looked like, smoothed over a week.
The resulting :class:`SurgeShape` can be replayed, scaled and moved onto a future date with
:meth:`SurgeShape.replay`, and the replayed shape goes into :func:`apply_surge` like any :class:`Surge`.

Everything that :func:`apply_surge` accepts follows one small protocol: an object with a method
``factor(ds) -> numpy.ndarray`` giving a positive multiplier per timestamp.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from .unconstrain import _long_to_wide

__all__ = ["Surge", "SurgeShape", "ReplayedSurge", "apply_surge", "surge_from_history", "SurgeLike"]

_DAY = pd.Timedelta(days=1)
_SHAPES = ("linear", "smooth", "exponential")


@runtime_checkable
class SurgeLike(Protocol):
    """Anything with ``factor(ds) -> ndarray`` (a multiplier > 0 per timestamp, 1 where it has no effect)."""

    def factor(self, ds: Any) -> np.ndarray: ...


def _as_timestamp(value: Any, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a date or timestamp (e.g. '2022-05-01'), got {value!r}") from exc
    if ts is pd.NaT:
        raise ValueError(f"{name} must be a date or timestamp, got {value!r}")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _as_timedelta(value: Any, name: str) -> pd.Timedelta:
    try:
        td = pd.Timedelta(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a duration such as '21D' or a Timedelta, got {value!r}") from exc
    if td is pd.NaT or td < pd.Timedelta(0):
        raise ValueError(f"{name} must be a duration >= 0 (e.g. '21D'), got {value!r}")
    return td


def _as_datetime_index(ds: Any) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(ds) if np.ndim(ds) else [ds]))
    return idx.tz_localize(None) if idx.tz is not None else idx


def _days_since(ds: Any, start: pd.Timestamp) -> np.ndarray:
    """Elapsed time since ``start`` in (fractional) days, one value per timestamp."""
    idx = _as_datetime_index(ds)
    return np.asarray((idx - start) / _DAY, dtype=float)


@dataclass(frozen=True)
class Surge:
    """A surge of demand: ramp up, plateau at ``peak`` times the usual level, decay back.

    Parameters
    ----------
    start:
        When the ramp up begins (a date string or Timestamp).
    peak:
        Multiplier on the plateau (3.0 = triple the usual demand; 0.5 = a dip to half). Must be > 0.
    ramp_up, plateau, decay:
        Durations (``"21D"``, ``"6h"`` or a ``pandas.Timedelta``), each >= 0. The surge ends at
        ``start + ramp_up + plateau + decay``; before ``start`` and from the end on the factor is 1.
    shape:
        How the ramps move between 1 and ``peak``: ``"linear"`` (straight lines), ``"smooth"`` (half
        cosine, no kinks) or ``"exponential"`` (geometric growth: the same percentage increase every day,
        ``peak ** u`` for the elapsed share ``u`` of the ramp; decays the same way).
    """

    start: pd.Timestamp | str
    peak: float
    ramp_up: pd.Timedelta | str = "21D"
    plateau: pd.Timedelta | str = "28D"
    decay: pd.Timedelta | str = "42D"
    shape: str = "linear"

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _as_timestamp(self.start, "Surge.start"))
        try:
            peak = float(self.peak)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Surge.peak must be a number > 0 (a multiplier), got {self.peak!r}") from exc
        if not math.isfinite(peak) or peak <= 0:
            raise ValueError(f"Surge.peak must be a finite multiplier > 0 (3.0 = triple demand), got {self.peak!r}")
        object.__setattr__(self, "peak", peak)
        for name in ("ramp_up", "plateau", "decay"):
            object.__setattr__(self, name, _as_timedelta(getattr(self, name), f"Surge.{name}"))
        if self.shape not in _SHAPES:
            raise ValueError(f"Surge.shape must be one of {_SHAPES}, got {self.shape!r}")

    @property
    def end(self) -> pd.Timestamp:
        """First instant after the surge (factor back to 1)."""
        return self.start + self.ramp_up + self.plateau + self.decay

    def _ramp(self, u: np.ndarray) -> np.ndarray:
        """Factor along a ramp from 1 (u = 0) to ``peak`` (u = 1)."""
        if self.shape == "linear":
            return 1.0 + (self.peak - 1.0) * u
        if self.shape == "smooth":
            return 1.0 + (self.peak - 1.0) * (1.0 - np.cos(np.pi * u)) / 2.0
        return self.peak ** u

    def factor(self, ds: Any) -> np.ndarray:
        """Multiplier per timestamp of ``ds`` (array-like of timestamps), shape ``(len(ds),)``; 1 outside."""
        t = _days_since(ds, self.start)
        up, flat, down = (d / _DAY for d in (self.ramp_up, self.plateau, self.decay))
        out = np.ones_like(t)
        if up > 0:
            m = (t >= 0) & (t < up)
            out[m] = self._ramp(t[m] / up)
        m = (t >= up) & (t < up + flat)
        out[m] = self.peak
        if down > 0:
            m = (t >= up + flat) & (t < up + flat + down)
            out[m] = self._ramp(1.0 - (t[m] - up - flat) / down)
        return out


@dataclass(frozen=True)
class ReplayedSurge:
    """A measured surge shape placed at ``start`` with its excess scaled by ``scale``.

    ``factor(ds) = 1 + scale * (ratio(elapsed days) - 1)``, linearly interpolated between the measured
    days, floored at a small positive value, and 1 outside ``[start, start + len(ratio) days)``.
    """

    start: pd.Timestamp
    elapsed_days: tuple[float, ...]
    ratio: tuple[float, ...]
    scale: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _as_timestamp(self.start, "ReplayedSurge.start"))
        if not math.isfinite(float(self.scale)) or float(self.scale) < 0:
            raise ValueError(f"ReplayedSurge.scale must be a finite number >= 0, got {self.scale!r}")
        if len(self.elapsed_days) != len(self.ratio) or len(self.ratio) == 0:
            raise ValueError("ReplayedSurge.ratio must be non-empty and as long as elapsed_days")

    @property
    def end(self) -> pd.Timestamp:
        return self.start + (self.elapsed_days[-1] + 1.0) * _DAY

    def factor(self, ds: Any) -> np.ndarray:
        t = _days_since(ds, self.start)
        x = np.asarray(self.elapsed_days, dtype=float)
        r = np.interp(t, x, np.asarray(self.ratio, dtype=float))
        out = np.maximum(1.0 + float(self.scale) * (r - 1.0), 1e-6)
        inside = (t >= 0) & (t < x[-1] + 1.0)
        return np.where(inside, out, 1.0)


@dataclass(frozen=True)
class SurgeShape:
    """Relative shape of a past surge, measured by :func:`surge_from_history`.

    Attributes
    ----------
    start:
        First day of the measured episode.
    elapsed_days:
        Day offsets 0, 1, ..., n-1 from ``start``.
    ratio:
        Observed / baseline per elapsed day (weekly smoothed, open days only, interpolated over closed days).
    series:
        Which series it was measured on.
    """

    start: pd.Timestamp
    elapsed_days: tuple[float, ...]
    ratio: tuple[float, ...]
    series: str = "calls"
    baseline_kind: str = field(default="seasonal", compare=False)

    @property
    def peak(self) -> float:
        """Largest ratio of the episode (the peak multiplier)."""
        return float(np.max(self.ratio))

    @property
    def peak_day(self) -> int:
        """Elapsed days from ``start`` to the peak ratio."""
        return int(self.elapsed_days[int(np.argmax(self.ratio))])

    def replay(self, start: Any, scale: float = 1.0, *, peak: float | None = None) -> ReplayedSurge:
        """Place this shape at ``start``; multiply its excess over 1 by ``scale``.

        ``peak`` (optional) sets the scale so that the replayed peak multiplier equals ``peak`` instead
        (e.g. ``peak=2.0``: the same shape, but only double demand at the top).
        """
        if peak is not None:
            excess = self.peak - 1.0
            if excess <= 0:
                raise ValueError("peak: this shape never exceeds 1, it cannot be rescaled to a peak")
            if peak <= 0:
                raise ValueError(f"peak must be > 0, got {peak!r}")
            scale = (float(peak) - 1.0) / excess
        return ReplayedSurge(_as_timestamp(start, "start"), self.elapsed_days, self.ratio, float(scale))

    def factor(self, ds: Any) -> np.ndarray:
        """The shape at its original dates (``replay(self.start)``)."""
        return self.replay(self.start).factor(ds)

    def to_frame(self) -> pd.DataFrame:
        """``elapsed_days, ds, ratio`` (one row per measured day)."""
        x = np.asarray(self.elapsed_days, dtype=float)
        return pd.DataFrame({"elapsed_days": x, "ds": self.start + x * _DAY, "ratio": np.asarray(self.ratio)})


def _surges(surge: Any) -> list[Any]:
    items = list(surge) if isinstance(surge, (list, tuple)) else [surge]
    if not items:
        raise ValueError("surge: give at least one Surge (or an object with factor(ds))")
    for s in items:
        if not callable(getattr(s, "factor", None)):
            raise ValueError(f"surge must be a Surge, a SurgeShape/ReplayedSurge or a list of them, got {s!r}")
    return items


_BOUND = re.compile(r"^yhat_(lo|hi)_(\d+)$")


def apply_surge(
    forecast_frame: pd.DataFrame,
    surge: SurgeLike | Sequence[SurgeLike],
    *,
    k: float = 0.5,
    series: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Multiply a forecast by one or several surges; widen its intervals for the surge's own uncertainty.

    Parameters
    ----------
    forecast_frame:
        Long forecast frame with ``ds`` and ``yhat`` and any ``yhat_lo_XX`` / ``yhat_hi_XX`` bounds
        (``series`` and other columns are kept unchanged). Not modified.
    surge:
        A :class:`Surge`, a replayed :class:`SurgeShape`, anything with ``factor(ds)``, or a list of them.
        Several surges multiply: overlapping factors 2 and 1.5 give 3.
    k:
        Extra widening (>= 0). With the combined factor ``f`` at a timestamp,
        ``yhat' = f * yhat`` and each half-width (``yhat - lo`` and ``hi - yhat``, separately) becomes
        ``half * f * (1 + k * |f - 1|)``. ``k = 0`` scales intervals proportionally; the default 0.5 says the
        size of the surge is itself uncertain: at a tripling the interval is 3 x 2 = 6 times as wide,
        not 3 times. Lower bounds are floored at 0.
    series:
        Apply only to rows of these series (default: all rows).

    Returns
    -------
    A new frame with the same rows and columns. Rows where ``yhat`` and its bounds are 0 (closed) stay 0.
    """
    try:
        k = float(k)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"k must be a number >= 0, got {k!r}") from exc
    if not math.isfinite(k) or k < 0:
        raise ValueError(f"k must be a finite number >= 0, got {k!r}")
    for col in ("ds", "yhat"):
        if col not in forecast_frame.columns:
            raise ValueError(f"forecast_frame must have a {col!r} column (got {list(forecast_frame.columns)})")
    items = _surges(surge)

    out = forecast_frame.copy()
    rows = np.ones(len(out), dtype=bool)
    if series is not None:
        if "series" not in out.columns:
            raise ValueError("series: forecast_frame has no 'series' column to select from")
        wanted = [series] if isinstance(series, str) else list(series)
        rows = out["series"].isin(wanted).to_numpy()
    f = np.ones(len(out))
    for s in items:
        fs = np.asarray(s.factor(out["ds"]), dtype=float)
        if fs.shape != f.shape or not np.all(np.isfinite(fs)) or np.any(fs <= 0):
            raise ValueError(f"surge {s!r}: factor(ds) must give one finite multiplier > 0 per row")
        f *= fs
    f = np.where(rows, f, 1.0)

    yhat = out["yhat"].to_numpy(dtype=float)
    new_yhat = np.maximum(yhat * f, 0.0)
    widen = f * (1.0 + k * np.abs(f - 1.0))
    for col in out.columns:
        m = _BOUND.match(str(col))
        if not m:
            continue
        bound = out[col].to_numpy(dtype=float)
        if m.group(1) == "lo":
            out[col] = np.maximum(new_yhat - (yhat - bound) * widen, 0.0)
        else:
            out[col] = new_yhat + (bound - yhat) * widen
    out["yhat"] = new_yhat
    return out


def _weekly_smooth(values: np.ndarray, open_mask: np.ndarray, window: int = 7) -> np.ndarray:
    """Centred ``window``-day sum over open days (NaN elsewhere counts as nothing)."""
    s = pd.Series(np.where(open_mask, values, 0.0))
    return s.rolling(window, center=True, min_periods=1).sum().to_numpy()


def _daily(history: pd.DataFrame, series: str) -> pd.Series:
    """One series of a long frame as a daily Series (sums duplicates within a day; missing days = NaN)."""
    wide = _long_to_wide(history, [series], freq="D")
    return wide[series]


def surge_from_history(
    history: pd.DataFrame,
    start: Any,
    end: Any,
    *,
    baseline: Any = None,
    series: str = "calls",
    window: int = 7,
) -> SurgeShape:
    """Measure the relative shape of a past episode: observed / baseline per day, weekly smoothed.

    Parameters
    ----------
    history:
        Long frame ``series, ds, y`` (daily, or finer: summed per day).
    start, end:
        First and last day of the episode (inclusive).
    baseline:
        What *normal* looked like over the same days:

        * ``None`` (default): the same days of the previous years in the history (up to three years, each
          shifted by whole weeks, 364 days a year, so weekdays line up), averaged. Falls back to the mean
          level of the 8 weeks before ``start`` (by weekday) when no earlier year is covered.
        * an ``int`` year, e.g. ``2019``: the same period of that reference year (shifted by whole weeks).
        * a ``pandas.Series`` indexed by date, or a frame with ``ds`` and ``yhat`` (a forecast): used as is.
    series:
        Which series to measure (default ``calls``).
    window:
        Smoothing window in days (default 7: one week, which removes the weekday pattern).

    Closed days (``y == 0`` or baseline 0) carry no ratio: the ratio is the centred ``window``-day sum of
    observed over the same sum of baseline, both over days open in both.

    Returns
    -------
    :class:`SurgeShape` with one ratio per day from ``start`` to ``end``.
    """
    start_ts = _as_timestamp(start, "start").normalize()
    end_ts = _as_timestamp(end, "end").normalize()
    if end_ts <= start_ts:
        raise ValueError(f"end must be after start, got start={start_ts.date()} end={end_ts.date()}")
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a whole number of days >= 1, got {window!r}")
    y = _daily(history, series)
    days = pd.date_range(start_ts, end_ts, freq="D")
    obs = y.reindex(days)
    if obs.isna().all():
        raise ValueError(f"start/end: the history has no {series!r} data between {start_ts.date()} and {end_ts.date()}")

    kind: str
    if baseline is None:
        refs = []
        for years in (1, 2, 3):
            shifted = y.reindex(days - pd.Timedelta(days=364 * years))
            if shifted.notna().mean() > 0.9:
                refs.append(shifted.to_numpy(dtype=float))
        if refs:
            base = np.nanmean(np.vstack(refs), axis=0)
            kind = f"mean of {len(refs)} previous year(s)"
        else:
            before = y[(y.index < start_ts) & (y.index >= start_ts - pd.Timedelta(days=56))].dropna()
            if before.empty:
                raise ValueError(f"baseline: no {series!r} data before {start_ts.date()} to build a baseline from")
            by_dow = before.groupby(before.index.day_of_week).mean()
            base = by_dow.reindex(days.day_of_week).to_numpy(dtype=float)
            kind = "weekday level of the 8 weeks before start"
    elif isinstance(baseline, (int, np.integer)) and not isinstance(baseline, bool):
        years = start_ts.year - int(baseline)
        if years <= 0:
            raise ValueError(f"baseline year must be before the episode ({start_ts.year}), got {baseline}")
        base = y.reindex(days - pd.Timedelta(days=364 * years)).to_numpy(dtype=float)
        kind = f"year {int(baseline)}"
    elif isinstance(baseline, pd.Series):
        b = baseline.copy()
        b.index = pd.DatetimeIndex(pd.to_datetime(b.index)).normalize()
        base = b.groupby(level=0).sum().reindex(days).to_numpy(dtype=float)
        kind = "given series"
    elif isinstance(baseline, pd.DataFrame) and {"ds", "yhat"} <= set(baseline.columns):
        b = baseline
        if "series" in b.columns and (b["series"] == series).any():
            b = b[b["series"] == series]
        b = pd.Series(b["yhat"].to_numpy(dtype=float), index=pd.to_datetime(b["ds"]).dt.normalize())
        base = b.groupby(level=0).sum().reindex(days).to_numpy(dtype=float)
        kind = "given forecast"
    else:
        raise ValueError(
            "baseline must be None, a reference year (int), a Series indexed by date or a frame with ds/yhat, "
            f"got {type(baseline).__name__}"
        )
    if np.isnan(base).all():
        raise ValueError(f"baseline ({kind}) covers none of the days {start_ts.date()}..{end_ts.date()}")

    o = obs.to_numpy(dtype=float)
    open_mask = np.isfinite(o) & np.isfinite(base) & (o > 0) & (base > 0)
    num = _weekly_smooth(np.nan_to_num(o), open_mask, window)
    den = _weekly_smooth(np.nan_to_num(base), open_mask, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    x = np.arange(len(days), dtype=float)
    good = np.isfinite(ratio)
    if not good.any():
        raise ValueError(f"no open day with both observed and baseline {series!r} between start and end")
    ratio = np.interp(x, x[good], ratio[good])
    return SurgeShape(start_ts, tuple(x.tolist()), tuple(ratio.tolist()), series, kind)
