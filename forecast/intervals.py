"""Daily forecasts spread over intervals: ``to_intervals(daily, profile=... | opening_hours=...)``.

A planner with only daily history (or a daily forecast) still has to staff by the half hour. The
day's total is spread over the day's intervals with an *intraday profile*, the share of the day
that falls in each weekday x time-of-day slot, from one of two sources:

* **an interval history** (``profile=``, a history frame at ``freq`` or finer): shares learned per
  weekday over the recent weeks (:data:`PROFILE_WEEKS`) as the trimmed mean of each day's own shares,
  on the days the calendar of :mod:`forecast.calendar` calls normal (holidays, closures and missing
  days do not vote). Slots the centre never opens stay exactly 0. A weekday the history has no rows
  for borrows the mean profile of the weekdays it has;
* **opening hours** given by the planner (``opening_hours={"Mon-Fri": "08:00-20:00", "Sat":
  "09:00-13:00"}``): uniform over the open time (a slot open for part of its length gets that part).

Day totals are preserved exactly. Bands (``yhat_lo_80`` ...) are spread with the same shares *and*
widened for the split itself: the count in one interval varies around ``share x day`` even when the
day's total is known (a multinomial split, over-dispersed by the factor ``phi`` the profile history
shows, 1 for opening hours). Per interval, with ``z`` the normal quantile of the level::

    hi = s * yhat + sqrt((s * (hi_day - yhat))**2 + z**2 * phi * s * (1 - s) * yhat)

and the same below (floored at 0). This treats the profile itself as known; the shares' own
estimation error (a few weeks of history) is left out, so interval bands are still slightly narrow.
Interval bands do not add up to the day's band (quantiles do not add).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .calendar import localize_grid, slots_per_day, wall_clock
from .errors import DataError
from .handle_time import AHT

__all__ = ["to_intervals", "opening_hours_shares", "learn_profile", "PROFILE_WEEKS", "MIN_STEP", "MAX_STEP"]

#: weeks of interval history behind a learned profile
PROFILE_WEEKS = 12
#: share of the days cut at each end of the trimmed mean of daily shares
PROFILE_TRIM = 0.2
#: interval lengths to_intervals accepts
MIN_STEP, MAX_STEP = pd.Timedelta("5min"), pd.Timedelta("60min")

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_BAND = re.compile(r"^yhat_(lo|hi)_(\d+)$")


def _step_of(freq: str) -> pd.Timedelta:
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"freq: {freq!r} is not a pandas frequency such as '15min' or '30min'") from exc
    if not MIN_STEP <= step <= MAX_STEP or pd.Timedelta("1D") % step != pd.Timedelta(0):
        raise ValueError(f"freq: {freq!r} must be an interval of 5 to 60 minutes that divides the day "
                         f"(e.g. '15min', '30min', '60min')")
    return step


# ---------------------------------------------------------------------------------------------
# profiles
# ---------------------------------------------------------------------------------------------
def _weekdays(key: str) -> list[int]:
    """``"Mon-Fri"`` -> [0..4], ``"Sat"`` -> [5], ``"Mon,Wed"`` -> [0, 2]; full names accepted."""
    out: list[int] = []
    for part in key.split(","):
        ends = [e.strip().lower()[:3] for e in part.split("-")]
        if len(ends) not in (1, 2) or any(e not in _DAYS for e in ends):
            raise ValueError(f"opening_hours: {key!r} is not a weekday or a range of weekdays "
                             f"(expected e.g. 'Mon-Fri', 'Sat', 'Sun' or 'Mon,Wed')")
        a, b = _DAYS.index(ends[0]), _DAYS.index(ends[-1])
        out += list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(0, b + 1))
    return out


def _minutes(text: str, key: str) -> int:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not m or int(m.group(2)) >= 60 or int(m.group(1)) > 24 or (int(m.group(1)) == 24 and m.group(2) != "00"):
        raise ValueError(f"opening_hours[{key!r}]: {text!r} is not a time of day HH:MM (00:00 to 24:00)")
    return int(m.group(1)) * 60 + int(m.group(2))


def opening_hours_shares(opening_hours: Mapping[str, str | list[str]], freq: str = "30min") -> np.ndarray:
    """Intraday shares (7, slots per day) uniform over the open time of each weekday.

    ``opening_hours`` maps weekdays (``"Mon-Fri"``, ``"Sat"``, ``"Mon,Wed"``) to one or more time
    ranges (``"08:00-20:00"``, ``"08:00-12:00, 13:00-17:00"`` or a list; ``"closed"``). A slot open
    for part of its length gets that part of a full slot's share. Weekdays not named are closed (a
    row of zeros). Raises ValueError naming the entry for a bad weekday, time, overlap or a range
    that crosses midnight.
    """
    step = _step_of(freq)
    P = slots_per_day(freq)
    if not isinstance(opening_hours, Mapping) or not opening_hours:
        raise ValueError("opening_hours: expected a dict such as {'Mon-Fri': '08:00-20:00', 'Sat': '09:00-13:00'}")
    minutes = np.zeros((7, 24 * 60))
    seen: dict[int, str] = {}
    for key, spec in opening_hours.items():
        days = _weekdays(str(key))
        for w in days:
            if w in seen:
                raise ValueError(f"opening_hours: {_DAY_NAMES[w]} is given twice ({seen[w]!r} and {key!r})")
            seen[w] = str(key)
        ranges = spec if isinstance(spec, (list, tuple)) else str(spec).split(",")
        for r in ranges:
            r = str(r).strip()
            if r.lower() == "closed":
                continue
            if r.count("-") != 1:
                raise ValueError(f"opening_hours[{key!r}]: {r!r} is not a range HH:MM-HH:MM such as '08:00-20:00'")
            a, b = (_minutes(t, str(key)) for t in r.split("-"))
            if b <= a:
                raise ValueError(f"opening_hours[{key!r}]: {r!r} ends before it starts; a range that crosses "
                                 f"midnight must be split at it ('22:00-24:00' on one day, '00:00-02:00' on the next)")
            for w in days:
                if minutes[w, a:b].any():
                    raise ValueError(f"opening_hours[{key!r}]: {r!r} overlaps another range of {_DAY_NAMES[w]}")
                minutes[w, a:b] = 1.0
    per_slot = minutes.reshape(7, P, -1).sum(axis=2) / (step / pd.Timedelta("1min"))
    total = per_slot.sum(axis=1, keepdims=True)
    return np.divide(per_slot, total, out=np.zeros_like(per_slot), where=total > 0)


def learn_profile(history: pd.DataFrame, freq: str = "30min", series: str | None = None,
                  weeks: int = PROFILE_WEEKS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intraday shares learned from an interval history (see the module docstring).

    Returns ``(shares, dispersion, has_data)``: shares (7, slots per day), each row summing to 1 or
    all 0 (a weekday the history shows closed); ``dispersion`` (7,) the over-dispersion ``phi >= 1``
    of the split around the profile per weekday; ``has_data`` (7,) bool, weekdays with rows. A weekday
    without rows gets the mean profile of the weekdays with data (and their median dispersion).
    ``series`` picks one series of a multi-series history.
    """
    from .core import prepare, split_series, to_grid
    from .models._base import intraday_shares

    step = _step_of(freq)
    counts = split_series(history)
    if series is None:
        if len(counts) > 1:
            raise ValueError(f"profile: the history has several series {sorted(counts)}; name the one to learn "
                             f"the intraday profile from")
        series = next(iter(counts))
    if series not in counts:
        raise ValueError(f"profile: no series {series!r} in the profile history (have {sorted(counts)})")
    y = counts[series]
    if len(y) < 2:
        raise ValueError(f"profile: series {series!r} has fewer than two observations; give an interval history")
    native = pd.Timedelta(pd.tseries.frequencies.to_offset(_native(y)))
    if native >= pd.Timedelta("1D"):
        raise ValueError(f"profile: series {series!r} is daily; give a history of 5- to 60-minute intervals")
    if native > step:
        raise ValueError(f"profile: series {series!r} has {_native(y)} intervals, coarser than freq={freq!r}; "
                         f"give a finer history or pass freq={_native(y)!r}")
    y, f = to_grid(y, freq)
    prep = prepare(y, f, None, y.index[-1], min_days=1)
    P = prep.per_day
    normal = prep.flags["normal"][: prep.n_train]
    shares = intraday_shares(prep.clean, prep.context, weeks=weeks, trim=PROFILE_TRIM, keep=normal)
    has_data = np.zeros(7, dtype=bool)
    has_data[np.unique(prep.days[prep.flags["has_data"]].day_of_week.to_numpy())] = True
    # over-dispersion of each normal day's split around its weekday profile (1 for a multinomial)
    mat = prep.clean.to_numpy().reshape(-1, P)[normal]
    wd = prep.days[: prep.n_train][normal].day_of_week.to_numpy()
    disp = np.full(7, np.nan)
    for w in range(7):
        rows = mat[wd == w][-7 * weeks:]
        tot = rows.sum(axis=1)
        s = shares[w]
        denom = tot * (s * (1 - s)).sum()
        ok = denom > 0
        if ok.sum() >= 3:
            chi = ((rows[ok] - tot[ok, None] * s) ** 2).sum(axis=1) / denom[ok]
            disp[w] = max(1.0, float(np.mean(chi)))
    open_rows = has_data & (shares.sum(axis=1) > 0)
    if open_rows.any():
        pooled = shares[open_rows].mean(axis=0)
        for w in np.flatnonzero(~has_data).tolist():
            shares[w] = pooled / pooled.sum()
    fallback = float(np.nanmedian(disp)) if np.isfinite(disp).any() else 1.0
    return shares, np.where(np.isfinite(disp), disp, fallback), has_data


def _native(y: pd.Series) -> str:
    from .calendar import infer_freq

    return infer_freq(y.index)


# ---------------------------------------------------------------------------------------------
# the spread
# ---------------------------------------------------------------------------------------------
def to_intervals(daily: pd.DataFrame, *, profile: pd.DataFrame | None = None,
                 opening_hours: Mapping[str, str | list[str]] | None = None, freq: str = "30min",
                 tz: str | None = None) -> pd.DataFrame:
    """Spread a daily forecast (or a daily history) over intervals of ``freq``.

    Parameters
    ----------
    daily : a daily forecast frame (``series, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95,
        yhat_hi_95, model``, as :func:`forecast.forecast` returns at ``freq="D"``) or a daily history
        (``ds, y`` and optionally ``series``). ``ds`` are midnights (calendar days); bands, ``model``
        and ``aht_s`` are optional.
    profile : an interval history (contract frame ``ds, y`` [+ ``series``]) at ``freq`` or finer to
        learn the intraday profile from. With several series, the one named like each daily series
        is used (or the only one).
    opening_hours : instead of a profile, the opening hours (``{"Mon-Fri": "08:00-20:00", "Sat":
        "09:00-13:00"}``, :func:`opening_hours_shares`): uniform over the open time.
    freq : interval length, 5 to 60 minutes dividing the day (``"15min"``, ``"30min"``, ``"60min"``).
    tz : time zone of the output when ``daily`` is naive (IANA name). A zone-aware ``daily`` keeps
        its zone (``tz`` must then be None or the same zone).

    Returns
    -------
    DataFrame in the input's long shape on the interval grid: ``series`` (when the input has it),
    ``ds`` (interval start), the input's value columns (``yhat`` and its bands, or ``y``), ``model``
    and ``aht_s`` when present (the day's handle time on its open intervals, NaN when closed). Each
    day's intervals add up exactly to its value; closed slots are exactly 0. Zone-aware output has
    one row per real interval: on a daylight-saving day the shares are renormalised over the
    intervals the day really has (23 or 25 hours), so day totals still hold.

    Raises
    ------
    DataError : ``daily`` is not a daily frame (missing columns, times of day, duplicated days, negative
        values), or a day with demand falls on a weekday the profile or the opening hours close
        (decided: an error, not a warning, because spreading it would put calls in closed hours and
        dropping it would lose them; the message names the day and what to do).
    ValueError : bad ``freq``, ``tz``, ``opening_hours`` or ``profile``, or both / neither of ``profile``
        and ``opening_hours``.
    """
    step = _step_of(freq)
    P = slots_per_day(freq)
    if (profile is None) == (opening_hours is None):
        raise ValueError("profile / opening_hours: give exactly one: profile= an interval history to learn the "
                         "intraday profile from, or opening_hours={'Mon-Fri': '08:00-20:00', ...}")
    if not isinstance(daily, pd.DataFrame):
        raise TypeError("daily: expected a pandas DataFrame (a daily forecast or a daily history)")
    if "ds" not in daily.columns:
        raise DataError("column 'ds' is missing", path="daily", column="ds",
                        expected="a daily forecast (series, ds, yhat, ...) or a daily history (ds, y)")
    values = ["yhat", *[c for c in daily.columns if _BAND.match(str(c))]] if "yhat" in daily.columns else (
        ["y"] if "y" in daily.columns else [])
    if not values:
        raise DataError("no column 'yhat' (a forecast) or 'y' (a history) to spread", path="daily",
                        expected="a daily forecast (series, ds, yhat, ...) or a daily history (ds, y)")
    wall, tz_in = wall_clock(daily["ds"], "daily")
    if tz_in is not None and tz is not None and str(tz_in) != str(tz):
        raise ValueError(f"tz: daily is already in {tz_in}; pass tz=None (or {str(tz_in)!r}) to keep it")
    out_tz = tz_in if tz_in is not None else _check_tz(tz)
    bad = np.flatnonzero(wall != wall.normalize())
    if len(bad):
        raise DataError(f"{wall[bad[0]]} has a time of day; to_intervals spreads whole days", path="daily", column="ds",
                        where=_row(daily, bad[0]), value=str(daily["ds"].iloc[bad[0]]),
                        expected="daily timestamps at midnight (a frame with freq='D')")
    frame = daily.copy()
    frame["ds"] = wall
    vals = frame[values].apply(pd.to_numeric, errors="coerce").astype(float)
    neg = np.flatnonzero((vals < 0).any(axis=1).to_numpy())
    if len(neg):
        raise DataError("negative value", where=_row(daily, neg[0]), path="daily", column=values[0],
                        value=float(vals.iloc[neg[0]].min()), expected="values >= 0")
    frame[values] = vals
    has_series = "series" in frame.columns
    keys = frame["series"].astype(str) if has_series else pd.Series("y", index=frame.index)
    parts = []
    for name, part in frame.groupby(keys.to_numpy(), sort=False):
        part = part.sort_values("ds")
        dup = part["ds"].duplicated()
        if dup.any():
            raise DataError(f"series {name!r} has the day {part['ds'][dup].iloc[0]:%Y-%m-%d} twice", path="daily",
                            column="ds", expected="one row per series and day")
        if opening_hours is not None:
            shares, disp = opening_hours_shares(opening_hours, freq), np.ones(7)
            source = "the opening hours close"
        else:
            pick = name if has_series and name in _series_names(profile) else None
            shares, disp, _ = learn_profile(profile, freq, series=pick)
            source = "the profile history shows no calls on"
        parts.append(_spread(part, values, shares, disp, step, P, freq, out_tz, name, source))
    out = pd.concat(parts, ignore_index=True)
    cols = [*(["series"] if has_series else []), "ds", *values,
            *[c for c in ("model", AHT) if c in daily.columns]]
    out = out[cols]
    out.attrs = dict(daily.attrs)
    return out


def _row(frame: pd.DataFrame, i: int) -> str:
    """A frame's row as a person counts it (header = row 1), with its index label."""
    return f"row {i + 2} (index {frame.index[i]})"


def _series_names(history: pd.DataFrame) -> set[str]:
    return set(history["series"].astype(str)) if "series" in history.columns else {"y"}


def _check_tz(tz: str | None):
    if tz is None:
        return None
    try:
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except Exception as exc:  # noqa: BLE001 - pytz and zoneinfo raise different types
        raise ValueError(f"tz: unknown time zone {tz!r}; expected an IANA name such as 'America/Toronto'") from exc
    return tz


def _spread(part: pd.DataFrame, values: list[str], shares: np.ndarray, disp: np.ndarray, step: pd.Timedelta,
            P: int, freq: str, tz, name: str, source: str) -> pd.DataFrame:
    days = pd.DatetimeIndex(part["ds"])
    wd = days.day_of_week.to_numpy()
    V = part[values].to_numpy(dtype=float)
    closed = (shares[wd].sum(axis=1) == 0) & (np.nan_to_num(V) > 0).any(axis=1)
    if closed.any():
        i = int(np.flatnonzero(closed)[0])
        raise DataError(f"series {name!r}, {days[i]:%Y-%m-%d} ({_DAY_NAMES[wd[i]]}): the daily value is "
                        f"{V[i, 0]:g} but {source} {_DAY_NAMES[wd[i]]}s ({int(closed.sum())} such day"
                        f"{'s' if closed.sum() > 1 else ''})", column=values[0],
                        expected=f"opening hours that include {_DAY_NAMES[wd[i]]} (e.g. "
                                 f"{{'{_DAYS[wd[i]].title()}': '09:00-13:00'}}), a profile history with "
                                 f"{_DAY_NAMES[wd[i]]} calls, or 0 on the days the centre is closed",
                        path="daily")
    offsets = pd.to_timedelta(np.arange(P) * step).to_numpy()
    wall = pd.DatetimeIndex((days.to_numpy()[:, None] + offsets[None, :]).reshape(-1))
    day_of = np.repeat(np.arange(len(days)), P)
    s = shares[wd].reshape(-1)
    if tz is not None:
        aware, slot = localize_grid(wall, tz, freq)
        pos = pd.Index(wall).get_indexer(slot)
        s = s[pos]
        day_of = day_of[pos]
        total = np.bincount(day_of, s, minlength=len(days))
        lost = (total == 0) & (shares[wd].sum(axis=1) > 0)
        if lost.any():
            i = int(np.flatnonzero(lost)[0])
            raise DataError(f"series {name!r}, {days[i]:%Y-%m-%d}: every open interval falls in the hour the "
                            f"clocks skip in {tz}", path="daily", column="ds",
                            expected="opening hours outside the skipped hour")
        s = np.divide(s, total[day_of], out=np.zeros_like(s), where=total[day_of] > 0)
        ds = aware
    else:
        ds = wall
    phi = disp[wd][day_of]
    out = {"ds": ds}
    base = V[:, 0][day_of]
    out[values[0]] = s * base
    for j, col in enumerate(values[1:], start=1):
        m = _BAND.match(col)
        assert m is not None  # the band columns were chosen by this pattern
        z = stats.norm.ppf(0.5 + int(m.group(2)) / 200)
        day_gap = np.abs(V[:, j][day_of] - base) * s
        split = z * np.sqrt(phi * s * (1 - s) * base)
        width = np.sqrt(day_gap ** 2 + split ** 2)
        out[col] = np.clip(s * base - width, 0.0, None) if m.group(1) == "lo" else s * base + width
        out[col] = np.where(s > 0, out[col], 0.0)
    res = pd.DataFrame(out)
    if "series" in part.columns:
        res.insert(0, "series", part["series"].iloc[0])
    for c in ("model", AHT):
        if c in part.columns:
            col = part[c].to_numpy()[day_of]
            res[c] = np.where(s > 0, col, np.nan) if c == AHT else col
    return res
