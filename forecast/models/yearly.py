"""Robust yearly profile: recent level x weekday pattern x a yearly pattern that one odd year cannot bend.

Works on ``log1p`` daily totals of the open weekdays (the cleaned series: holidays and closures are
already replaced by a typical same-weekday day), so every effect is multiplicative:

``log y(t) = level + weekday(t) + yearly(week of year of t) + noise``

* **Detrending.** Each day is compared with the *median* of the surrounding year (a centred
  365-day running median): a level shift, a collapse or a surge of a few months barely moves a
  running median, so the remainder keeps the seasonal pattern instead of the trend.
* **Weekday pattern.** Each day against the mean of its own week (free of level and trend), median per
  weekday over the last three years (a surge that flattened the weekly pattern for months is outvoted).
* **Yearly pattern.** Per calendar week (52 bins; day 365/366 joins the last), the median of each
  year's remainder, then the median **across years**, smoothed over neighbouring weeks (circular).
  A single surge or pandemic year is one vote among several and cannot set the pattern. The
  per-week median across years is then *shrunk* toward 0 by the year-to-year spread of that week
  (``m * max(0, 1 - (spread / m)^2)``): a bump some years show and others do not (a backlog peak
  that came and went) is damped, one every year repeats is kept. Needs at least ``min_years`` years
  with data in a bin;
  otherwise that bin's yearly effect is 0 (shorter histories give a level x weekday model).
* **Level.** The median over the last ``level_days`` open days of the series with weekday and yearly
  effects removed: robust to a few odd days, free of trend extrapolation.

For intraday data the daily forecast is spread over the day with weekday intraday shares (top-down),
as the other daily models do.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import Context, DailyTopDown, Model

__all__ = ["YearlyProfile", "yearly_bins", "yearly_effect"]

#: calendar-week bins of the yearly pattern
N_BINS = 52
#: years of weeks behind the weekday pattern (a surge year that flattens it is outvoted)
WEEKDAY_YEARS = 3


def yearly_bins(days: pd.DatetimeIndex) -> np.ndarray:
    """Calendar-week bin 0..51 of each day (days 365 and 366 join the last bin)."""
    return np.minimum((days.day_of_year.to_numpy() - 1) // 7, N_BINS - 1)


def _circular_smooth(values: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average over ``2 * width + 1`` bins, wrapping around the year; NaN-aware."""
    if width <= 0:
        return values
    n = len(values)
    padded = np.concatenate([values[-width:], values, values[:width]])
    ok = np.isfinite(padded)
    filled = np.where(ok, padded, 0.0)
    k = np.ones(2 * width + 1)
    num = np.convolve(filled, k, mode="valid")
    den = np.convolve(ok.astype(float), k, mode="valid")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    return out[:n]


def yearly_effect(remainder: pd.Series, min_years: int = 3, smooth: int = 2) -> np.ndarray:
    """Yearly pattern (N_BINS,) on the log scale from a detrended, weekday-adjusted log series indexed
    by day.

    Per (year, bin) median; per bin the median ``m`` across years, shrunk by the year-to-year spread
    ``s`` (1.4826 x the median absolute deviation across years): ``m * max(0, 1 - (s / m) ** 2)``,
    so an effect that every year repeats is kept and one that some years show and others do not is
    damped to 0; then a circular moving average over ``smooth`` bins each side. Bins seen in fewer
    than ``min_years`` years get 0.
    """
    r = remainder.dropna()
    if r.empty:
        return np.zeros(N_BINS)
    frame = pd.DataFrame({"year": r.index.year, "bin": yearly_bins(r.index), "r": r.to_numpy()})
    table = frame.groupby(["year", "bin"])["r"].median().unstack("bin").reindex(columns=range(N_BINS))
    vals = table.to_numpy(dtype=float)  # (years, bins)
    effect = np.full(N_BINS, np.nan)
    for b in range(N_BINS):
        col = vals[:, b][np.isfinite(vals[:, b])]
        if len(col) < min_years:
            continue
        med = float(np.median(col))
        spread = 1.4826 * float(np.median(np.abs(col - med)))
        effect[b] = med * max(0.0, 1.0 - (spread / abs(med)) ** 2) if med != 0 else 0.0
    if np.isnan(effect).all():
        return np.zeros(N_BINS)
    effect = _circular_smooth(effect, smooth)
    return np.nan_to_num(effect, nan=0.0)


class _DailyYearly(DailyTopDown):
    name = "yearly_daily"
    max_days = 10 * 365

    def __init__(self, level_days: int = 20, min_years: int = 3, smooth: int = 2) -> None:
        self.level_days = level_days
        self.min_years = min_years
        self.smooth = smooth

    def _fit_daily(self) -> None:
        days = self.daily_.index
        s = pd.Series(self.train_, index=days)
        self.weekday_ = np.zeros(7)
        self.yearly_ = np.zeros(N_BINS)
        self.level_ = float(np.median(s.to_numpy()[-self.level_days:])) if len(s) else 0.0
        if len(s) < 2 * max(self.season_, 1):
            return
        trend = s.rolling("365D", center=True, min_periods=max(self.season_, 1)).median()
        rem = s - trend
        wd = days.day_of_week.to_numpy()
        # weekday pattern: each day against its own week's mean (level-free), median over weeks
        week = days.to_period("W").to_numpy()
        grouped = s.groupby(week)
        dev = s - grouped.transform("mean")
        full = (grouped.transform("size") == self.season_).to_numpy()  # partial weeks would bias it
        recent = full & (days >= days[-1] - pd.Timedelta(days=365 * WEEKDAY_YEARS))
        for w in range(7):
            sel = recent & (wd == w)
            if sel.any():
                self.weekday_[w] = float(np.median(dev.to_numpy()[sel]))
        rem2 = rem - self.weekday_[wd]
        self.yearly_ = yearly_effect(rem2, self.min_years, self.smooth)
        base = s.to_numpy() - self.weekday_[wd] - self.yearly_[yearly_bins(days)]
        self.level_ = float(np.median(base[-self.level_days:]))

    def _daily_forecast(self, n: int, days: pd.DatetimeIndex) -> np.ndarray:
        days = days[:n]
        return self.level_ + self.weekday_[days.day_of_week.to_numpy()] + self.yearly_[yearly_bins(days)]


class YearlyProfile(Model):
    """Recent level x weekday x robust yearly pattern on log daily totals; see the module docstring.

    ``level_days`` open days behind the level; ``min_years`` years needed for a yearly pattern;
    ``smooth`` neighbouring weeks averaged each side.
    """

    name = "yearly"

    def __init__(self, level_days: int = 20, min_years: int = 3, smooth: int = 2) -> None:
        self.level_days = level_days
        self.min_years = min_years
        self.smooth = smooth

    def fit(self, y: pd.Series, context: Context) -> YearlyProfile:
        self.inner_ = _DailyYearly(self.level_days, self.min_years, self.smooth)
        self.inner_.fit(y, context)
        return self

    def predict(self, h: int) -> np.ndarray:
        return self.inner_.predict(h)

    @property
    def yearly_(self) -> np.ndarray:
        """Yearly pattern on the log scale, one value per calendar-week bin, shape (52,)."""
        return self.inner_.yearly_

    @property
    def weekday_(self) -> np.ndarray:
        """Weekday pattern on the log scale, shape (7,), Monday = 0 (0 for closed weekdays)."""
        return self.inner_.weekday_
