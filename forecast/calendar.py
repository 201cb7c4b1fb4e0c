"""Calendars for forecasting: holidays, learned hours of operation and the regular grid.

A call centre is not open all the time. History files often hold only the opening hours, skip whole
days, or record closed days (public holidays) as zeros. Models must not learn a "collapse" from those
zeros, and forecasts must put zeros where the centre is closed. This module does that bookkeeping:

* :func:`infer_freq` finds the grid step of a history (``"30min"``, ``"D"``...).
* :func:`holiday_names` turns ``None``, a country/subdivision code of the :mod:`holidays` package
  (``"CA"``, ``"CA-QC"``, ``"US"``, ``"IL"``) or a list of dates into candidate holidays: for a
  country every public, government, optional and bank holiday, because which of them close a
  centre (federal offices close on more days than the package's default public list) is learned
  from the history, holiday name by holiday name.
* :func:`day_matrix` lays one series on the regular grid as a ``(days, slots_per_day)`` matrix.
* :func:`learn_calendar` learns, per weekday, which days and time-of-day slots carry demand, how a
  holiday compares with a normal same weekday (0 when the centre closes) and the *rebound*: the
  share of the demand lost on holidays that comes back on the first open day after them.
* :func:`clean_days` replaces holidays, closed-looking days, missing days and rebound days by a
  typical same-weekday day so that models train on "normal" demand.

Everything works on calendar days; intraday data has ``slots_per_day`` slots a day (48 at 30 min),
daily data has one.
"""
from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "Calendar",
    "holiday_dates",
    "holiday_names",
    "infer_freq",
    "slots_per_day",
    "day_matrix",
    "learn_calendar",
    "clean_days",
    "wall_clock",
    "localize_grid",
]

DAY = pd.Timedelta("1D")
#: a day whose total is below this share of a normal same weekday counts as closed
CLOSED_SHARE = 0.05
#: a slot is open on a weekday when it carries demand on at least this share of normal days
OPEN_SLOT_SHARE = 0.10


def infer_freq(ds: pd.Series | pd.DatetimeIndex) -> str:
    """Grid step of timestamps as a pandas frequency string (``"30min"``, ``"D"``, ``"7D"``).

    The step is the most common positive difference between consecutive timestamps on the same day
    (intraday data) or, when no two timestamps share a day, the most common positive difference.
    """
    idx = pd.DatetimeIndex(pd.unique(pd.DatetimeIndex(ds))).sort_values()
    if len(idx) < 2:
        raise ValueError("freq: cannot infer a frequency from fewer than two distinct timestamps; pass freq=")
    diffs = pd.Series(idx[1:] - idx[:-1])
    same_day = pd.Series(idx[1:].normalize() == idx[:-1].normalize())
    pos = diffs[(diffs > pd.Timedelta(0)) & same_day.to_numpy()]
    if pos.empty:
        pos = diffs[diffs > pd.Timedelta(0)]
    step = pos.mode().iloc[0]
    if step >= DAY:
        days = int(round(step / DAY))
        return "D" if days == 1 else f"{days}D"
    return _timedelta_to_freq(step)


def _timedelta_to_freq(step: pd.Timedelta) -> str:
    seconds = int(step.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}min"
    return f"{seconds}s"


def slots_per_day(freq: str) -> int:
    """Number of grid steps in a day: 48 for ``"30min"``, 1 for ``"D"``.

    Raises ValueError when the step does not divide a day (and is not exactly one day).
    """
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    if step == DAY:
        return 1
    if step > DAY or (DAY % step) != pd.Timedelta(0):
        raise ValueError(f"freq: {freq!r} must divide one day (e.g. '15min', '30min', '1h') or be 'D'")
    return int(DAY // step)


def wall_clock(ds: pd.Series | pd.DatetimeIndex, what: str = "history") -> tuple[pd.DatetimeIndex, object]:
    """Timestamps as naive local wall-clock times, and their time zone (None when naive).

    Opening hours, weekdays and holidays are about the clock on the wall, so the forecast works
    on wall-clock times and puts the zone back at the end (:func:`localize_grid`). Raises DataError
    when the timestamps mix zones or mix naive and zone-aware values.
    """
    from .errors import DataError

    try:
        idx = pd.DatetimeIndex(pd.to_datetime(ds))
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what}: the timestamps mix time zones, or timestamps with and without one ({exc})",
                        column="ds", expected="one time zone for every timestamp (read_history(..., tz=...) "
                                              "converts them), or none") from None
    if idx.tz is None:
        return idx, None
    return idx.tz_localize(None), idx.tz


def localize_grid(wall: pd.DatetimeIndex, tz, freq: str) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """The zone-aware timestamps that cover a regular wall-clock grid, and the wall-clock slot of each.

    ``wall`` is a regular naive grid of step ``freq`` (whole days for daily data). Returns
    ``(aware, slot)``: ``aware`` is the regular grid in real (absolute) time from the first to past
    the last wall-clock slot in zone ``tz``, and ``slot[i]`` the wall-clock slot that holds
    ``aware[i]``. At a daylight-saving change the wall clock skips or repeats an hour: the skipped
    slots (which do not exist in ``tz``) have no aware timestamp, and the slots of the repeated hour
    hold two aware timestamps each. Daily grids are localized day by day (a midnight that does not
    exist is moved forward to the first time that does).
    """
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    if step >= DAY:
        aware = wall.tz_localize(tz, ambiguous=np.zeros(len(wall), dtype=bool), nonexistent="shift_forward")
        return aware, wall
    ends = pd.DatetimeIndex([wall[0], wall[-1] + step])
    first, stop = ends.tz_localize(tz, ambiguous=np.array([True, False]), nonexistent="shift_forward")
    aware = pd.date_range(first, stop, freq=step, inclusive="left")
    slot = aware.tz_localize(None).floor(step)
    return aware, slot


def holiday_dates(holidays: str | Iterable | None, years: Iterable[int]) -> frozenset[_dt.date]:
    """Holiday dates as a frozenset of :class:`datetime.date`.

    ``holidays`` is None (no holidays), a country code of the :mod:`holidays` package, optionally
    with a subdivision after a dash (``"CA"``, ``"CA-QC"``, ``"US-NY"``, ``"IL"``), or any iterable of
    dates / date strings. ``years`` are the calendar years to cover (history and horizon).
    """
    if holidays is None:
        return frozenset()
    if isinstance(holidays, str):
        # the public holidays only; _country_holidays also lists government and optional ones
        cal = _country_holidays(holidays, tuple(sorted(set(years))))
        return frozenset(day for day, (_, public) in cal if public)
    try:
        return frozenset(pd.Timestamp(d).date() for d in holidays)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"holidays: expected None, a country code like 'CA' or a list of dates ({exc})") from exc


#: categories of the holidays package that may close a public-service centre (school, half-day and
#: unofficial observances are left out)
HOLIDAY_CATEGORIES = ("public", "government", "optional", "bank")


def holiday_names(holidays: str | Iterable | None, years: Iterable[int]) -> dict[_dt.date, tuple[str, bool]]:
    """Candidate holidays as ``{date: (name, public)}``.

    For a country code the calendar holds every category of :data:`HOLIDAY_CATEGORIES` the country
    supports; ``public`` is True for the package's default category. Which candidates really close
    (or quieten) the centre is learned from the history by :func:`learn_calendar`, by name: an
    observed day carries its holiday's name (``"Veterans Day"``, not ``"Veterans Day (observed)"``).
    Dates given as a list are all public and named ``"holiday"``.
    """
    if holidays is None:
        return {}
    if not isinstance(holidays, str):
        return {d: ("holiday", True) for d in holiday_dates(holidays, years)}
    return dict(_country_holidays(holidays, tuple(sorted(set(years)))))


@functools.lru_cache(maxsize=32)
def _country_holidays(holidays: str, years: tuple[int, ...]) -> tuple:
    import holidays as hol

    country, _, subdiv = holidays.partition("-")
    try:
        base = hol.country_holidays(country.upper(), subdiv=subdiv.upper() or None, years=years)
        cats = tuple(c for c in HOLIDAY_CATEGORIES if c in base.supported_categories)
        full = hol.country_holidays(country.upper(), subdiv=subdiv.upper() or None, years=years, categories=cats)
    except (NotImplementedError, KeyError) as exc:
        raise ValueError(f"holidays: {holidays!r} is not a country/subdivision code known to the "
                         f"'holidays' package ({exc})") from exc
    # the day a holiday is observed on (a weekday instead of a weekend) is the same holiday to callers
    return tuple((d, (str(name).replace(" (observed)", ""), d in base)) for d, name in full.items())


def day_matrix(y: pd.Series, freq: str, start_day: pd.Timestamp, n_days: int) -> np.ndarray:
    """Lay a series on the regular grid as a ``(n_days, slots_per_day)`` float matrix.

    ``y`` is indexed by timestamps already on the ``freq`` grid; cells without an observation are NaN.
    """
    per_day = slots_per_day(freq)
    out = np.full(n_days * per_day, np.nan)
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    pos = ((y.index - start_day) // step).to_numpy().astype(np.int64)
    keep = (pos >= 0) & (pos < len(out))
    out[pos[keep]] = y.to_numpy(dtype=float)[keep]
    return out.reshape(n_days, per_day)


@dataclass(frozen=True)
class Calendar:
    """What was learned about when a centre is open, from one series.

    Shapes: ``weekday_open`` (7,) bool (Monday = 0); ``open_slots`` (7, slots_per_day) bool, the
    time-of-day slots that regularly carry demand per weekday. ``holidays`` are the effective holiday
    dates (history and horizon) and ``holiday_ratios`` their demand relative to a normal same weekday
    (0 = closed; by holiday name when the history shows that name, else the overall
    ``holiday_ratio``). ``rebound_share`` is the share of the demand lost on holidays that comes back
    on the first open day after them (callers who found the line closed call again).

    ``unseen`` maps the candidate holiday dates whose name the history never shows on an open
    weekday to that name: what happens on them is an assumption (:meth:`assumptions`), not something
    learned. ``seen_ratios`` are the learned ratios of the holiday names the history shows below 80%
    of a normal day, by name; ``history`` is the (first, last) day of the history.
    """

    freq: str
    per_day: int
    weekday_open: np.ndarray
    open_slots: np.ndarray
    holidays: frozenset = field(default_factory=frozenset)
    holiday_ratio: float = 0.0
    rebound_share: float = 0.0
    holiday_ratios: dict = field(default_factory=dict)
    unseen: dict = field(default_factory=dict)
    seen_ratios: dict = field(default_factory=dict)
    history: tuple = ()

    def unseen_mask(self, days: pd.DatetimeIndex) -> np.ndarray:
        """Bool per day: a special day the history never showed, on a weekday the centre opens."""
        wd = days.day_of_week.to_numpy()
        return np.array([d.date() in self.unseen for d in days], dtype=bool) & self.weekday_open[wd]

    def special_mask(self, days: pd.DatetimeIndex) -> np.ndarray:
        """Bool per day: a learned holiday or an unseen special day (on an open weekday)."""
        hol = np.array([d.date() in self.holidays for d in days], dtype=bool)
        return (hol & self.weekday_open[days.day_of_week.to_numpy()]) | self.unseen_mask(days)

    def assumptions(self, days: pd.DatetimeIndex) -> list[dict]:
        """What is assumed for each unseen special day among ``days`` (see :attr:`unseen`).

        One dict per day: ``date`` (datetime.date), ``name``, ``ratio`` (assumed demand as a share of
        a normal same weekday: 0 = closed, 1 = open as usual), ``assumption`` and ``reason`` (plain
        sentences) and ``interval`` (the forecast interval spans from closed to a normal day).
        A public holiday is assumed to behave like the holidays the history shows (closed when they
        are closed, or the median share they keep); another candidate (government, optional or bank
        holiday) is assumed to be a normal day.
        """
        out = []
        span = (f" ({self.history[0]:%Y-%m-%d} to {self.history[1]:%Y-%m-%d})" if len(self.history) == 2 else "")
        closed = sorted(n for n, r in self.seen_ratios.items() if r < 0.1)
        reduced = sorted(self.seen_ratios)
        for day in days[self.unseen_mask(days)]:
            d = day.date()
            name = self.unseen[d]
            ratio = float(self.holiday_ratios.get(d, 1.0)) if d in self.holidays else 1.0
            if d not in self.holidays:
                assumption = "open as usual (not a public holiday)"
            elif not reduced:
                assumption = "closed (a public holiday; the history shows no holiday to learn from)"
            elif ratio == 0.0:
                assumption = (f"closed like {len(closed)} other holiday{'s' if len(closed) != 1 else ''} "
                              f"the history shows closed ({_names(closed)})")
            else:
                assumption = (f"at {ratio:.0%} of a normal day like the {len(reduced)} holiday"
                              f"{'s' if len(reduced) != 1 else ''} the history shows ({_names(reduced)})")
            out.append({"date": d, "name": name, "ratio": ratio, "assumption": assumption,
                        "reason": f"{name} never appears on an open day of the history{span}",
                        "interval": "from closed to a normal day"})
        return out

    def day_factor(self, days: pd.DatetimeIndex, totals: np.ndarray | None = None) -> np.ndarray:
        """Multiplier per day for a forecast of normal days, shape (len(days),).

        0 on closed weekdays, the holiday's ratio on holidays, and on the first open day after
        holidays ``1 + rebound_share * lost / total`` where ``lost`` is the demand the holidays
        lost (from ``totals``, the normal daily forecast, shape (len(days),); no rebound without it).
        """
        wd = days.day_of_week.to_numpy()
        f = np.where(self.weekday_open[wd], 1.0, 0.0)
        is_hol = np.array([d.date() in self.holidays for d in days], dtype=bool)
        ratio = np.array([self.holiday_ratios.get(d.date(), self.holiday_ratio) for d in days])
        f = np.where(is_hol & (f > 0), ratio, f)
        if totals is None or self.rebound_share <= 0:
            return f
        lost = 0.0
        for i in range(len(days)):
            if is_hol[i] and self.weekday_open[wd[i]]:
                lost += totals[i] * (1.0 - f[i])
            elif f[i] > 0:
                if lost > 0 and totals[i] > 0:
                    f[i] *= 1.0 + self.rebound_share * lost / totals[i]
                lost = 0.0
        return f


def _names(names: list[str], most: int = 3) -> str:
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def _normal_reference(mat_tot: np.ndarray, weekdays: np.ndarray, normal: np.ndarray, i: int, weeks: int = 4) -> float:
    """Median total of up to ``weeks`` nearest normal same-weekday days around day ``i`` (NaN if none)."""
    same = np.flatnonzero((weekdays == weekdays[i]) & normal)
    if same.size == 0:
        return np.nan
    order = np.argsort(np.abs(same - i), kind="stable")[:weeks]
    return float(np.median(mat_tot[same[order]]))


def learn_calendar(mat: np.ndarray, days: pd.DatetimeIndex, freq: str,
                   holidays: dict | frozenset | set) -> tuple[Calendar, dict]:
    """Learn opening days and hours, holiday effects and the rebound ratio from a day matrix.

    ``mat`` is ``(len(days), slots_per_day)`` with NaN for missing cells. ``holidays`` are the
    candidates (``{date: (name, public)}`` from :func:`holiday_names`, or a set of dates); a holiday
    name counts when the history shows it below 80% of a normal same weekday (its ratio is learned,
    0 = closed); a name never seen in the history counts when it is public. Returns the
    :class:`Calendar` and a dict of day flags (bool arrays of len(days)): ``has_data``, ``holiday``,
    ``closed`` (observed but near-zero on a day that should be open), ``rebound`` and ``normal``.
    """
    if not isinstance(holidays, dict):
        holidays = {d: ("holiday", True) for d in holidays}
    per_day = mat.shape[1]
    weekdays = days.day_of_week.to_numpy()
    has_data = ~np.all(np.isnan(mat), axis=1)
    tot = np.nansum(mat, axis=1)
    cand = np.array([d.date() in holidays for d in days], dtype=bool)

    med = np.zeros(7)
    for w in range(7):
        sel = has_data & ~cand & (weekdays == w)
        med[w] = np.median(tot[sel]) if sel.any() else 0.0
    busiest = med.max() if med.max() > 0 else 1.0
    near_zero = has_data & ((tot <= CLOSED_SHARE * np.maximum(med[weekdays], 1e-12)) | (tot <= 0))
    weekday_open = np.zeros(7, dtype=bool)
    for w in range(7):
        sel = has_data & ~cand & (weekdays == w)
        if sel.any():
            # a weekday is open when it usually carries demand of some size
            weekday_open[w] = (np.mean(~near_zero[sel]) >= 0.5) and med[w] > CLOSED_SHARE * busiest * 0.2

    # which candidate holidays matter, and how much demand they keep (by name); a holiday missing
    # from a history that has data on both sides of it was closed (files that hold only open days)
    prelim = has_data & weekday_open[weekdays] & ~cand & ~near_zero
    inside = np.zeros(len(days), dtype=bool)
    if has_data.any():
        first, last = np.flatnonzero(has_data)[[0, -1]]
        inside[first:last + 1] = True
    by_name: dict[str, list[float]] = {}
    for i in np.flatnonzero(cand & inside & weekday_open[weekdays]).tolist():
        ref = _normal_reference(tot, weekdays, prelim, i)
        if ref > 0:
            by_name.setdefault(holidays[days[i].date()][0], []).append(tot[i] / ref if has_data[i] else 0.0)
    name_ratio = {n: float(np.median(r)) for n, r in by_name.items()}
    effective = {n: r for n, r in name_ratio.items() if r < 0.8}
    seen = [r for n, rs in by_name.items() if n in effective for r in rs]
    holiday_ratio = float(np.median(seen)) if seen else 0.0
    holiday_ratio = 0.0 if holiday_ratio < 0.1 else holiday_ratio
    ratios: dict = {}
    for d, (n, public) in holidays.items():
        if n in effective:
            ratios[d] = 0.0 if effective[n] < 0.1 else effective[n]
        elif n not in name_ratio and public:
            ratios[d] = holiday_ratio
    eff_dates = frozenset(ratios)
    is_hol = np.array([d.date() in eff_dates for d in days], dtype=bool)

    open_day = weekday_open[weekdays] & ~is_hol
    closed = has_data & near_zero & weekday_open[weekdays] & ~is_hol
    normal = has_data & open_day & ~closed

    # opening hours per weekday: slots with demand on enough normal days
    open_slots = np.zeros((7, per_day), dtype=bool)
    positive = np.nan_to_num(mat, nan=0.0) > 0
    for w in range(7):
        sel = normal & (weekdays == w)
        if sel.any():
            open_slots[w] = positive[sel].mean(axis=0) >= OPEN_SLOT_SHARE
            if per_day > 1 and not open_slots[w].any():
                open_slots[w] = positive[sel].any(axis=0)
    if per_day == 1:
        open_slots[:] = weekday_open[:, None]

    # rebound on the first open day after a holiday or a closed day
    trigger = (is_hol & weekday_open[weekdays]) | closed
    first_after = np.zeros(len(days), dtype=bool)
    pending = False
    for i in range(len(days)):
        if trigger[i]:
            pending = True
        elif open_day[i] and pending:
            first_after[i] = True
            pending = False
    # share of the demand lost on the closed days that comes back on the first open day after them
    ref_mask = normal & ~first_after
    reb = []
    for i in np.flatnonzero(first_after & has_data & normal).tolist():
        ref_i = _normal_reference(tot, weekdays, ref_mask, i)
        lost, j, known = 0.0, i - 1, True
        while j >= 0 and not (open_day[j] and not trigger[j]):
            if trigger[j]:
                ref_j = _normal_reference(tot, weekdays, ref_mask, j)
                known &= bool(has_data[j]) and np.isfinite(ref_j)
                lost += max(ref_j - tot[j], 0.0) if known else 0.0
            j -= 1
        if known and lost > 0 and ref_i > 0:
            reb.append((tot[i] - ref_i) / lost)
    rebound_share = float(np.clip(np.median(reb), 0.0, 2.0)) if len(reb) >= 2 else 0.0

    unseen = {d: n for d, (n, _) in holidays.items() if n not in name_ratio}
    span = (days[first].to_pydatetime(), days[last].to_pydatetime()) if has_data.any() else ()
    cal = Calendar(freq=freq, per_day=per_day, weekday_open=weekday_open, open_slots=open_slots,
                   holidays=eff_dates, holiday_ratio=holiday_ratio, rebound_share=rebound_share,
                   holiday_ratios=ratios, unseen=unseen, seen_ratios=effective, history=span)
    flags = {"has_data": has_data, "holiday": is_hol, "closed": closed, "rebound": first_after,
             "normal": normal & ~first_after}
    return cal, flags


def _nanmean_rows(a: np.ndarray) -> np.ndarray:
    """Column means ignoring NaN; NaN where a column has no value (no warning)."""
    count = (~np.isnan(a)).sum(axis=0)
    total = np.nansum(a, axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def clean_days(mat: np.ndarray, days: pd.DatetimeIndex, cal: Calendar, flags: dict) -> np.ndarray:
    """Training matrix: normal days kept, everything unusual replaced by a typical same-weekday day.

    Closed weekdays and slots outside opening hours become 0. Holidays, closed-looking days, missing
    days and rebound days are replaced by the mean of the (up to 4) nearest preceding normal days of
    the same weekday (following ones at the start of the history). Missing open slots on normal days
    are filled the same way, slot by slot. Returns a new ``(len(days), slots_per_day)`` matrix
    without NaN.
    """
    weekdays = days.day_of_week.to_numpy()
    out = np.array(mat, dtype=float, copy=True)
    normal = flags["normal"]
    slot_mask = cal.open_slots[weekdays]                     # (days, slots)
    for w in range(7):
        rows = np.flatnonzero(weekdays == w)
        if rows.size == 0:
            continue
        if not cal.weekday_open[w]:
            out[rows] = 0.0
            continue
        good = rows[normal[rows]]
        for i in rows[~normal[rows]]:
            before = good[good < i][-4:]
            ref = before if before.size else good[good > i][:4]
            out[i] = _nanmean_rows(mat[ref]) if ref.size else 0.0
        # remaining NaN slots inside hours on normal days: same slot of nearby normal days
        nan_rows = good[np.isnan(out[good]).any(axis=1)]
        for i in nan_rows:
            before = good[good < i][-4:]
            ref = before if before.size else good[good > i][:4]
            fill = _nanmean_rows(mat[ref]) if ref.size else np.zeros(out.shape[1])
            holes = np.isnan(out[i])
            out[i, holes] = fill[holes]
    out = np.where(slot_mask, out, 0.0)
    return np.nan_to_num(out, nan=0.0).clip(min=0.0)
