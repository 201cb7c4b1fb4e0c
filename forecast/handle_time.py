"""Handle time per interval: which series carries it, how it is summed, how it is forecast.

A history may carry the average handle time of its calls (talk + hold + after-call work, in
seconds) beside their count, in one of two ways:

* a series of the long ``series`` column: ``<name>_aht_s`` is the handle time of the series
  ``<name>`` (``calls_aht_s`` pairs with ``calls``); a series named just ``aht_s`` pairs with
  ``calls``, or with the only count series when there is no ``calls``;
* a column ``aht_s`` beside ``y``: the handle time of that row's ``y``.

Handle time is an average over calls, so finer data summed into a coarser interval gets the
*volume-weighted* mean (weights: the calls of the paired series); an interval without calls has
no handle time (NaN).

The forecast (:func:`forecast_handle_time`) is a weekday x time-of-day profile of the
volume-weighted mean over the last :data:`PROFILE_WEEKS` weeks, scaled to the level of the last
:data:`LEVEL_WEEKS` weeks (the volume-weighted ratio of what they showed to what the profile says
for them). Slots the profile never saw with calls take their weekday's mean, then the overall mean.
It is deliberately simple: handle time moves slowly and a robust profile beats a model that chases
noise.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = ["AHT", "PROFILE_WEEKS", "LEVEL_WEEKS", "is_handle_time", "pair_handle_time", "weighted_mean_by",
           "forecast_handle_time"]

#: name of handle-time series and columns (seconds)
AHT = "aht_s"
#: weeks behind the weekday x time-of-day profile
PROFILE_WEEKS = 8
#: latest weeks that set the level of the profile
LEVEL_WEEKS = 2


def is_handle_time(name: str) -> bool:
    """True for a series name that carries handle time (``aht_s`` or ``<name>_aht_s``)."""
    return name == AHT or name.endswith("_" + AHT)


def pair_handle_time(names: list[str]) -> dict[str, str]:
    """``{handle-time series: count series}`` for the series names of a history.

    Raises DataError when a handle-time series has no count series to pair with.
    """
    counts = [n for n in names if not is_handle_time(n)]
    pairs: dict[str, str] = {}
    for n in names:
        if not is_handle_time(n):
            continue
        if n == AHT:
            if "calls" in counts:
                pairs[n] = "calls"
            elif len(counts) == 1:
                pairs[n] = counts[0]
            else:
                raise DataError(f"series {AHT!r} is handle time, but the history has no 'calls' series to pair it "
                                f"with (series: {sorted(counts)})", column="series", value=n,
                                expected=f"a series 'calls', or the handle-time series renamed '<name>_{AHT}' "
                                         f"after the series it belongs to (e.g. 'callbacks_{AHT}')")
        else:
            base = n[: -len("_" + AHT)]
            if base not in counts:
                raise DataError(f"series {n!r} is the handle time of a series {base!r} the history does not have "
                                f"(series: {sorted(counts)})", column="series", value=n,
                                expected=f"a series {base!r} beside it")
            pairs[n] = base
    return pairs


def weighted_mean_by(keys: pd.DatetimeIndex | np.ndarray, aht: np.ndarray, weight: np.ndarray) -> pd.Series:
    """Volume-weighted mean of ``aht`` per key, weights ``weight`` (calls); NaN where no calls.

    Cells whose handle time or weight is NaN do not count.
    """
    aht = np.asarray(aht, dtype=float)
    w = np.asarray(weight, dtype=float)
    ok = np.isfinite(aht) & np.isfinite(w) & (w > 0)
    frame = pd.DataFrame({"num": np.where(ok, aht * w, 0.0), "den": np.where(ok, w, 0.0)})
    g = frame.groupby(np.asarray(keys)).sum()
    out = g["num"] / g["den"].where(g["den"] > 0)
    out.index = pd.DatetimeIndex(out.index) if isinstance(keys, pd.DatetimeIndex) else out.index
    return out


def forecast_handle_time(aht: pd.Series, calls: pd.Series, index: pd.DatetimeIndex, open_mask: np.ndarray,
                         per_day: int) -> np.ndarray:
    """Handle time (seconds) for each timestamp of ``index``; NaN where ``open_mask`` is False.

    ``aht`` and ``calls`` are on the same wall-clock grid (``per_day`` slots a day; aht NaN where
    unknown); see the module docstring for the model.
    """
    frame = pd.DataFrame({"aht": aht, "w": calls}).dropna()
    frame = frame[frame["w"] > 0]
    out = np.full(len(index), np.nan)
    if frame.empty:
        return out
    step = pd.Timedelta("1D") / per_day

    def slot(idx: pd.DatetimeIndex) -> np.ndarray:
        return idx.day_of_week.to_numpy() * per_day + ((idx - idx.normalize()) // step).to_numpy().astype(int)

    last = frame.index[-1]
    recent = frame[frame.index > last - pd.Timedelta(weeks=PROFILE_WEEKS)]
    num = np.bincount(slot(recent.index), recent["aht"] * recent["w"], minlength=7 * per_day)
    den = np.bincount(slot(recent.index), recent["w"], minlength=7 * per_day)
    with np.errstate(invalid="ignore", divide="ignore"):
        profile = (num / den).reshape(7, per_day)
        weekday = num.reshape(7, per_day).sum(axis=1) / den.reshape(7, per_day).sum(axis=1)
    overall = float(num.sum() / den.sum())
    weekday = np.where(np.isfinite(weekday), weekday, overall)
    profile = np.where(np.isfinite(profile), profile, weekday[:, None])
    latest = frame[frame.index > last - pd.Timedelta(weeks=LEVEL_WEEKS)]
    expected = profile.reshape(-1)[slot(latest.index)]
    level = float((latest["aht"] * latest["w"]).sum() / (expected * latest["w"]).sum())
    values = profile.reshape(-1)[slot(index)] * (level if np.isfinite(level) and level > 0 else 1.0)
    out[open_mask] = values[open_mask]
    return out

