"""Requirement per week: from a forecast's calls to the full-time equivalents (FTE) a week needs.

The chain, for each group (a queue with its own agents and its own policy):

1. **Calls at the planning quantile.** ``yhat`` (the median) for P50; for another quantile q the
   staffing module's rule (:func:`simulate.staffing_by_quantile`: per row ``max(yhat + z_q sd, 0)``
   with sd from the forecast's 80 % or 95 % band). Each interval is taken at its own quantile, which
   is the same as assuming forecast errors move together over the horizon (a level error), the usual
   case months ahead: a conservative reading, never a lucky one.
2. **Intervals.** An interval forecast (5 to 60 minutes) is laid on a full grid of whole days; slots
   missing from the table (nights, weekends) are closed (0 calls). A *daily* forecast is spread over
   the day with an **intraday profile** (shares per time of day: learned from an interval history by
   the caller, or, by default, flat over the opening hours 08:00-20:00); a *weekly* one first over the
   weekdays (Monday to Friday, equal shares, unless told otherwise). Say which assumption was used:
   :attr:`Requirement.notes` does.
3. **Agents per interval** at the scenario's targets: :func:`simulate.required_agents` with Erlang A
   (or C); the handle time per interval (``aht_s``) travels with the calls when the forecast has it.
4. **People per week.** Agents on the phones per interval, week by week, through
   :func:`simulate.workforce_totals` (the one place that turns agent-hours into paid hours with
   shrinkage and into FTE with ``paid_hours_per_week``).

Weeks are seven days counted from the plan's start (default: the first day of the demand), so a plan
starting on a Friday has Friday-to-Thursday weeks. A last week cut short is completed with closed
days when the missing weekdays never have calls (a table that leaves out its closed weekends), and
otherwise left out of the plan with a note: what follows a forecast's end is unknown, not closed.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..demand import Demand, interval_of
from ..scenario import Scenario
from ..staffing import predicted_kpis, required_agents, staffing_by_quantile, workforce_totals

__all__ = ["Requirement", "weekly_requirement", "intraday_profile", "DAY_S", "WEEK_S"]

DAY_S = 86400.0
WEEK_S = 7 * DAY_S
#: default intraday assumption for daily and weekly forecasts: flat over these opening hours
DEFAULT_OPEN_HOURS = ("08:00", "20:00")
#: default spread of a weekly forecast over the days of its week (Monday first): weekdays, equal
DEFAULT_WEEKDAY_SHARES = (0.2, 0.2, 0.2, 0.2, 0.2, 0.0, 0.0)
_METHODS = ("erlang_a", "erlang_c")


def _data_error(msg: str) -> Exception:
    from forecast import DataError  # forecast never imports simulate, so this direction is safe

    return DataError(msg)


@dataclass(frozen=True, eq=False)
class Requirement:
    """What each week needs, per group (see the module docstring).

    weeks: tidy frame, one row per group and week: ``group``, ``week_index`` (0 = the start week),
        ``week`` (timestamp of the week's first day), ``days`` (days of the week inside the demand),
        ``calls`` (expected calls: the median forecast), ``calls_planned`` (calls at the planning
        quantile), ``agent_hours`` (agents on the phones x hours), ``scheduled_hours`` (paid hours
        after shrinkage), ``required_fte`` (paid FTE), ``peak_agents`` (most agents in one interval).
    intervals: per group, the interval detail the week figures come from: ``ds``, ``week_index``,
        ``calls`` (median), ``calls_planned``, ``agents`` and ``agents_required`` (Erlang, at the
        planned calls) and ``aht_s`` when the demand carries handle times.
    scenarios: the policy of each group; start: first day of week 0; n_weeks: weeks in the plan.
    interval_s: the planning interval of each group (seconds); quantile, method, column: as asked.
    notes: assumptions used (intraday spread, closed slots, rows outside the plan), in plain words.
    """

    weeks: pd.DataFrame
    intervals: dict[str, pd.DataFrame]
    scenarios: dict[str, Scenario]
    start: pd.Timestamp
    n_weeks: int
    interval_s: dict[str, float]
    quantile: float = 0.5
    method: str = "erlang_a"
    column: str = "agents"
    notes: tuple[str, ...] = field(default=())

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(self.weeks["group"].astype(str)))

    @classmethod
    def from_weeks(cls, table: pd.DataFrame, start: Any = None) -> Requirement:
        """A requirement given directly as paid FTE per week (from another tool, or by hand).

        table: ``week`` (a week number counted from ``start``, or a date inside the week) and
        ``required_fte``, plus ``group`` when there are several groups (default group "staff") and
        optionally ``calls``. start: first day of week 0 (default: the earliest date given; required
        when weeks are numbers). Without intervals, service levels are not available (NaN).
        """
        if not isinstance(table, pd.DataFrame) or not {"week", "required_fte"} <= set(table.columns):
            raise ValueError("required: expected a table with 'week' and 'required_fte' columns"
                             + (f", got {list(table.columns)}" if isinstance(table, pd.DataFrame) else ""))
        df = table.copy()
        if "group" not in df.columns:
            df["group"] = "staff"
        df["group"] = df["group"].astype(str)
        fte = pd.to_numeric(df["required_fte"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(~np.isfinite(fte) | (fte < 0))
        if bad.size:
            raise ValueError(f"required: 'required_fte' at row {int(bad[0]) + 1} must be a number >= 0, "
                             f"got {df['required_fte'].iloc[int(bad[0])]!r}")
        numeric = pd.api.types.is_numeric_dtype(df["week"])
        if start is None:
            if numeric:
                raise ValueError("required: weeks given as numbers need start= (the first day of week 0)")
            start = pd.to_datetime(df["week"]).min().normalize()
        start = pd.Timestamp(start)
        if numeric:
            wk = df["week"].to_numpy()
            if np.any(wk < 0) or np.any(wk != np.round(wk)):
                raise ValueError("required: week numbers must be whole numbers >= 0")
            idx = wk.astype(np.int64)
        else:
            idx = np.floor((pd.to_datetime(df["week"]) - start).dt.total_seconds().to_numpy() / WEEK_S
                           + 1e-9).astype(np.int64)
            if np.any(idx < 0):
                raise ValueError(f"required: week {df['week'].iloc[int(np.argmin(idx))]!r} "
                                 f"is before start {start.date()}")
        dup = pd.DataFrame({"g": df["group"], "w": idx}).duplicated()
        if dup.any():
            r = int(np.flatnonzero(dup.to_numpy())[0])
            raise ValueError(f"required: row {r + 1}: group {df['group'].iloc[r]!r} has week {idx[r]} twice")
        n_weeks = int(idx.max()) + 1
        calls = pd.to_numeric(df["calls"], errors="coerce").to_numpy(dtype=np.float64) if "calls" in df.columns \
            else np.full(len(df), np.nan)
        weeks = pd.DataFrame({"group": df["group"].to_numpy(), "week_index": idx,
                              "week": [start + pd.Timedelta(days=7 * int(k)) for k in idx], "days": 7,
                              "calls": calls, "calls_planned": calls, "agent_hours": np.nan, "scheduled_hours": np.nan,
                              "required_fte": fte, "peak_agents": np.nan}).sort_values(["group", "week_index"])
        notes = []
        for g, part in weeks.groupby("group", sort=False):
            if len(part) < n_weeks:
                notes.append(f"{g}: {n_weeks - len(part)} of {n_weeks} weeks have no requirement given; taken as 0")
        return cls(weeks=weeks.reset_index(drop=True), intervals={}, scenarios={}, start=start, n_weeks=n_weeks,
                   interval_s={}, notes=tuple(notes))

    def fte(self, group: str) -> np.ndarray:
        """Required paid FTE of ``group`` per week, float64 (n_weeks,)."""
        w = self.weeks[self.weeks["group"] == group]
        out = np.zeros(self.n_weeks)
        out[w["week_index"].to_numpy(dtype=np.int64)] = w["required_fte"].to_numpy(dtype=np.float64)
        return out

    def column_by_week(self, group: str, column: str) -> np.ndarray:
        """Any numeric column of :attr:`weeks` for ``group`` as an array (n_weeks,), 0 where absent."""
        w = self.weeks[self.weeks["group"] == group]
        out = np.zeros(self.n_weeks)
        out[w["week_index"].to_numpy(dtype=np.int64)] = w[column].to_numpy(dtype=np.float64)
        return out

    def service_level(self, group: str, available_fte: np.ndarray) -> np.ndarray:
        """Expected service level per week when ``available_fte`` (n_weeks,) paid FTE are at work.

        The available people are deployed in the shape of the requirement: each interval gets
        ``agents x available / required`` agents (fractional; Erlang is smooth in the agents), and the
        week's service level is the calls-weighted mean over its open intervals, at the median demand,
        with the group's targets (``sl_threshold``) and method. NaN for weeks without calls.
        """
        if group not in self.intervals:
            return np.full(self.n_weeks, np.nan)
        iv = self.intervals[group]
        scenario = self.scenarios[group]
        req = self.fte(group)
        avail = np.asarray(available_fte, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(req > 0, avail / np.where(req > 0, req, 1.0), np.inf)
        wk = iv["week_index"].to_numpy(dtype=np.int64)
        calls = iv["calls"].to_numpy(dtype=np.float64)
        base = iv[self.column].to_numpy(dtype=np.float64)
        open_ = calls > 0
        sl = np.full(self.n_weeks, np.nan)
        if not open_.any():
            return sl
        r = np.minimum(ratio[wk], 1e6)
        n = np.where(open_, np.maximum(base * r, 0.0), 0.0)
        demand = Demand(ds=pd.DatetimeIndex(iv["ds"]), calls=calls, interval_s=self.interval_s[group],
                        aht_s=iv["aht_s"].to_numpy(dtype=np.float64) if "aht_s" in iv.columns else None)
        # erlang_a warns of an underflow far above the load (800 agents for 134 Erlangs) yet returns 1.0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            k = predicted_kpis(demand, scenario, n, method=self.method)
        v = np.nan_to_num(k["service_level"].to_numpy(dtype=np.float64), nan=0.0)[open_]
        w_open = wk[open_]
        num = np.bincount(w_open, weights=calls[open_] * v, minlength=self.n_weeks)
        den = np.bincount(w_open, weights=calls[open_], minlength=self.n_weeks)
        sl[den > 0] = num[den > 0] / den[den > 0]
        return sl


# --------------------------------------------------------------------------------------------- inputs
def _frame_parts(frame: pd.DataFrame, group: str) -> tuple[pd.DatetimeIndex, pd.DataFrame]:
    """ds and the numeric columns used (calls/yhat/y as ``yhat``, bands, aht_s), sorted by ds."""
    if not isinstance(frame, pd.DataFrame):
        raise _data_error(f"demand[{group!r}]: expected a DataFrame with ds and calls (or yhat), got "
                          f"{type(frame).__name__}")
    df = frame
    if "ds" not in df.columns:
        if isinstance(df.index, pd.DatetimeIndex):
            df = df.rename_axis("ds").reset_index()
        else:
            raise _data_error(f"demand[{group!r}]: expected a 'ds' column of timestamps, "
                              f"got columns {list(df.columns)}")
    if "series" in df.columns and df["series"].nunique(dropna=False) > 1:
        raise _data_error(f"demand[{group!r}]: column 'series' holds {df['series'].nunique()} series; give one "
                          "frame per group ({group: frame})")
    col = next((c for c in ("yhat", "calls", "y") if c in df.columns), None)
    if col is None:
        raise _data_error(f"demand[{group!r}]: expected a 'yhat', 'calls' or 'y' column, "
                          f"got columns {list(df.columns)}")
    if len(df) == 0:
        raise _data_error(f"demand[{group!r}]: the table has no rows")
    ds = pd.DatetimeIndex(pd.to_datetime(df["ds"]))
    if ds.hasnans:
        r = int(np.flatnonzero(ds.isna())[0])
        raise _data_error(f"demand[{group!r}]: column 'ds' at row {r + 1} is not a timestamp")
    if ds.has_duplicates:
        r = int(np.flatnonzero(ds.duplicated())[0])
        raise _data_error(f"demand[{group!r}]: row {r + 1}: timestamp {ds[r]} appears twice")
    out = pd.DataFrame(index=np.arange(len(df)))
    for name, src in [("yhat", col)] + [(c, c) for c in ("yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95",
                                                           "aht_s") if c in df.columns]:
        v = pd.to_numeric(df[src], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero((~np.isfinite(v) if name != "aht_s" else np.isfinite(v) & (v <= 0)) | (v < 0))
        if bad.size:
            r = int(bad[0])
            what = "a handle time in seconds > 0 (or empty)" if name == "aht_s" else "a finite number >= 0"
            raise _data_error(f"demand[{group!r}]: column {src!r} at row {r + 1} ({ds[r]}) must be {what}, "
                              f"got {df[src].iloc[r]!r}")
        out[name] = v
    order = np.argsort(ds.asi8, kind="stable")
    return ds[order], out.iloc[order].reset_index(drop=True)


def _day_floor(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.normalize()


def _profile_shares(profile: Any, interval_s: float, open_hours: tuple[str, str]) -> np.ndarray:
    """Shares per slot of a day (86400 / interval_s slots) summing to 1.

    profile: None (flat over ``open_hours``), or a Series indexed by time of day ("08:30", a time or a
    Timedelta from midnight) holding weights (normalised here), one per slot of ``interval_s``.
    """
    per_day = int(round(DAY_S / interval_s))
    shares = np.zeros(per_day)
    if profile is None:
        lo, hi = (pd.Timedelta(f"{h}:00" if h.count(":") == 1 else h).total_seconds() for h in open_hours)
        if not 0 <= lo < hi <= DAY_S:
            raise ValueError(f"open_hours must be (opening, closing) within a day, got {open_hours!r}")
        first, last = int(math.floor(lo / interval_s + 1e-9)), int(math.ceil(hi / interval_s - 1e-9))
        shares[first:last] = 1.0
    else:
        if not isinstance(profile, pd.Series) or len(profile) == 0:
            raise ValueError("profile must be a pandas Series of weights indexed by time of day ('08:30'), "
                             f"got {type(profile).__name__}")
        for key, w in profile.items():
            if isinstance(key, pd.Timedelta):
                sec = key.total_seconds()
            elif hasattr(key, "hour") and hasattr(key, "minute"):
                sec = key.hour * 3600 + key.minute * 60 + getattr(key, "second", 0)
            else:
                text = str(key)
                sec = pd.Timedelta(f"{text}:00" if text.count(":") == 1 else text).total_seconds()
            slot = sec / interval_s
            if abs(slot - round(slot)) > 1e-6 or not 0 <= round(slot) < per_day:
                raise ValueError(f"profile: time of day {key!r} is not the start of a {interval_s / 60:g}-minute "
                                 "slot of the day")
            w = float(w)
            if not math.isfinite(w) or w < 0:
                raise ValueError(f"profile: weight at {key!r} must be a finite number >= 0, got {w!r}")
            shares[int(round(slot))] += w
    total = shares.sum()
    if total <= 0:
        raise ValueError("profile: the weights sum to 0; at least one slot of the day must be open")
    return shares / total


def _to_interval_grid(ds: pd.DatetimeIndex, vals: pd.DataFrame, step: float, group: str, *, profile: Any,
                      open_hours: tuple[str, str], weekday_shares: tuple[float, ...], interval_s: float,
                      notes: list[str]) -> tuple[pd.DatetimeIndex, pd.DataFrame, float]:
    """Every slot of every whole day covered by the demand, at the planning interval.

    Interval demand keeps its grain; daily and weekly demand is spread (see the module docstring).
    Returns (grid, values on the grid: yhat, bands, aht_s; 0 calls in closed slots), interval_s.
    """
    day0 = _day_floor(ds[0])
    if step < DAY_S - 1e-6:
        if (DAY_S / step) % 1 > 1e-9:
            raise _data_error(f"demand[{group!r}]: intervals of {step / 60:g} minutes do not divide a day")
        end = _day_floor(ds[-1]) + pd.DateOffset(days=1)  # local midnight: a daylight-saving day keeps 23 or 25 h
        grid = pd.date_range(day0, end, freq=pd.Timedelta(seconds=step), inclusive="left")
        pos = (ds - day0).total_seconds().to_numpy() / step
        if np.any(np.abs(pos - np.round(pos)) > 1e-6):
            r = int(np.flatnonzero(np.abs(pos - np.round(pos)) > 1e-6)[0])
            raise _data_error(f"demand[{group!r}]: timestamp {ds[r]} is not on the {step / 60:g}-minute grid "
                              f"starting {day0}")
        pos = np.round(pos).astype(np.int64)
        out = pd.DataFrame({c: np.zeros(len(grid)) for c in vals.columns})
        if "aht_s" in out.columns:
            out["aht_s"] = np.nan
        for c in vals.columns:
            out.loc[pos, c] = vals[c].to_numpy()
        missing = len(grid) - len(pos)
        if missing:
            notes.append(f"{group}: {missing} of {len(grid)} {step / 60:g}-minute slots are not in the demand "
                         "(nights, weekends); taken as closed (0 calls)")
        return grid, out, step
    # daily or weekly: first to days, then over the day, in wall-clock time (the profile is wall-clock)
    if ds.tz is not None:
        notes.append(f"{group}: daily or weekly demand planned on its calendar dates (time zone {ds.tz} left aside)")
        ds = ds.tz_localize(None)
        day0 = _day_floor(ds[0])
    if abs(step - DAY_S) < 1e-6:
        days = ds.normalize()
        day_vals = vals
        how = "daily"
    elif abs(step - WEEK_S) < 1e-6:
        shares = np.asarray(weekday_shares, dtype=np.float64)
        if shares.shape != (7,) or np.any(shares < 0) or shares.sum() <= 0:
            raise ValueError(f"weekday_shares must be 7 weights >= 0 (Monday first), got {weekday_shares!r}")
        rows_days, parts = [], []
        for i, day in enumerate(ds.normalize()):
            d0 = day - pd.Timedelta(days=int(day.day_of_week))  # the Monday-to-Sunday week holding ds
            days7 = pd.date_range(d0, periods=7, freq="D")
            w = shares[days7.day_of_week] / shares[days7.day_of_week].sum()
            rows_days.append(days7)
            part = pd.DataFrame({c: (vals[c].iloc[i] * w if c != "aht_s" else np.full(7, vals[c].iloc[i]))
                                 for c in vals.columns})
            parts.append(part)
        days = rows_days[0].append(rows_days[1:]) if len(rows_days) > 1 else rows_days[0]
        day_vals = pd.concat(parts, ignore_index=True)
        how = "weekly"
        notes.append(f"{group}: weekly demand spread over the days of each week with shares "
                     f"{tuple(round(float(s), 4) for s in shares)} (Monday first)")
        day0 = days[0]
    else:
        raise _data_error(f"demand[{group!r}]: rows are {step / 3600:g} hours apart; expected intervals of 5 to 60 "
                          "minutes, days or weeks")
    if step >= DAY_S - 1e-6 and days.has_duplicates:
        raise _data_error(f"demand[{group!r}]: two rows fall on day {days[days.duplicated()][0].date()}")
    shares = _profile_shares(profile, interval_s, open_hours)
    per_day = len(shares)
    n_days = int(round((days[-1] - day0).total_seconds() / DAY_S)) + 1
    grid = pd.date_range(day0, periods=n_days * per_day, freq=pd.Timedelta(seconds=interval_s))
    d_idx = np.round((days - day0).total_seconds().to_numpy() / DAY_S).astype(np.int64)
    out = {}
    for c in day_vals.columns:
        per = np.zeros((n_days, per_day)) if c != "aht_s" else np.full((n_days, per_day), np.nan)
        v = day_vals[c].to_numpy(dtype=np.float64)
        per[d_idx] = (v[:, None] * shares[None, :]) if c != "aht_s" else np.repeat(v[:, None], per_day, axis=1)
        out[c] = per.ravel()
    what = "flat over {}-{}".format(*open_hours) if profile is None else "the given intraday profile"
    notes.append(f"{group}: {how} demand spread over {interval_s / 60:g}-minute intervals, {what}")
    return grid, pd.DataFrame(out), interval_s


def _whole_last_week(grid: pd.DatetimeIndex, vals: pd.DataFrame, step: float, start: pd.Timestamp, group: str,
                     notes: list[str]) -> tuple[pd.DatetimeIndex, pd.DataFrame, float]:
    """Make the demand end on a week boundary: a last week cut short is completed with closed days when
    the missing weekdays have no calls anywhere in the demand (a table without its closed weekends),
    else left out of the plan (what comes after a forecast's end is unknown, not closed)."""
    day = _day_number(grid, start)
    n_days = int(day[-1] - day[0]) + 1
    rem = int(day[-1] + 1) % 7
    if rem == 0:
        return grid, vals, step
    missing = 7 - rem
    dates = _wall(grid).normalize()
    calls_by_day = pd.Series(vals["yhat"].to_numpy()).groupby(dates.day_of_week).sum()
    closed = {d for d in range(7) if calls_by_day.get(d, 0.0) == 0}
    last = dates[-1]
    after = {(last + pd.Timedelta(days=k)).day_of_week for k in range(1, missing + 1)}
    if after <= closed:
        end = _day_floor(grid[-1]) + pd.DateOffset(days=missing + 1)
        extra = pd.date_range(grid[-1] + pd.Timedelta(seconds=step), end, freq=pd.Timedelta(seconds=step),
                              inclusive="left")
        pad = pd.DataFrame({c: np.full(len(extra), np.nan if c == "aht_s" else 0.0) for c in vals.columns})
        notes.append(f"{group}: the demand ends on {last.date()}; the {missing} day(s) left in its last week "
                     "never have calls in the demand and are taken as closed")
        return grid.append(extra), pd.concat([vals, pad], ignore_index=True), step
    if n_days <= rem:
        notes.append(f"{group}: the demand covers {n_days} day(s), less than a week; its FTE is a weekly rate")
        return grid, vals, step
    keep = day < day[-1] + 1 - rem
    first_cut = dates[int(np.argmin(keep))]
    notes.append(f"{group}: the last {rem} day(s) of demand ({first_cut.date()} to {last.date()}) do not fill a week "
                 "and are left out of the plan")
    return grid[keep], vals.loc[keep].reset_index(drop=True), step


def _wall(idx: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Wall-clock (local, naive) timestamps: what a calendar day means to the planner."""
    return idx.tz_localize(None) if idx.tz is not None else idx


def _day_number(idx: pd.DatetimeIndex, start: pd.Timestamp) -> np.ndarray:
    """Calendar days from ``start`` (local dates: a daylight-saving day is one day), int64."""
    s = start.tz_localize(None) if start.tz is not None else start
    return ((_wall(idx).normalize() - s.normalize()) // pd.Timedelta(days=1)).to_numpy().astype(np.int64)


# --------------------------------------------------------------------------------------------- public
def intraday_profile(history: pd.DataFrame) -> pd.Series:
    """Shares of a day's calls by time of day ("08:30" -> share), from an interval history.

    history: ``ds`` and ``y`` (or ``calls``), rows 5 to 60 minutes apart (a ``series`` column with
    several series keeps ``calls``). The shape of the whole history: calls per time of day / all calls
    (busy days weigh more, closed days add nothing); one profile for every day of the week. For
    :func:`weekly_requirement`'s ``profile``.
    """
    df = history
    if "series" in df.columns and df["series"].nunique() > 1:
        if "calls" not in set(df["series"]):
            raise _data_error("history: several series and none named 'calls'; keep the calls series")
        df = df[df["series"] == "calls"]
    col = next((c for c in ("y", "calls", "yhat") if c in df.columns), None)
    if col is None or "ds" not in df.columns:
        raise _data_error(f"history: expected 'ds' and 'y' (or 'calls') columns, got {list(df.columns)}")
    ds = pd.DatetimeIndex(pd.to_datetime(df["ds"]))
    if interval_of(ds) >= DAY_S - 1e-6:
        raise _data_error("history: an intraday profile needs rows within the day (5 to 60 minutes apart), "
                          "got one row per day")
    y = pd.to_numeric(df[col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if not (y > 0).any():
        raise _data_error("history: no calls at all; cannot learn an intraday profile")
    prof = pd.Series(y).groupby(ds.strftime("%H:%M")).sum()
    return prof / prof.sum()


def weekly_requirement(
    demand: pd.DataFrame | Mapping[str, pd.DataFrame],
    scenario: Scenario | Mapping[str, Scenario],
    *,
    quantile: float = 0.5,
    method: str = "erlang_a",
    start: Any = None,
    profile: pd.Series | Mapping[str, pd.Series] | None = None,
    open_hours: tuple[str, str] = DEFAULT_OPEN_HOURS,
    weekday_shares: tuple[float, ...] = DEFAULT_WEEKDAY_SHARES,
    interval: Any = "30min",
    column: str = "agents",
) -> Requirement:
    """Required paid FTE per week and group, from forecast calls at a quantile (see the module docstring).

    demand: one frame (group named after the scenario) or ``{group: frame}``; each frame has ``ds`` and
        ``yhat`` (a forecast: the median) or ``calls``/``y``, optionally the band columns
        ``yhat_lo_80``/``yhat_hi_80``/``yhat_lo_95``/``yhat_hi_95`` (needed for a quantile other than
        0.5) and ``aht_s`` (handle time per row, seconds). Rows 5 to 60 minutes apart, one per day, or
        one per week (a weekly row stands for the Monday-to-Sunday week holding its ``ds``, so both
        Monday labels and pandas' Sunday "W" labels work).
    scenario: the policy (targets, handle time, patience, shrinkage, paid hours) of each group; one
        Scenario for all groups or ``{group: Scenario}``.
    quantile: planning quantile in (0, 1): 0.5 = the median forecast, 0.8 = P80, 0.95 = P95.
    method: "erlang_a" (default) or "erlang_c".
    start: first day of week 0 (default: the first day of the demand; rows before it are left out of
        the plan, with a note).
    profile: intraday weights by time of day for daily/weekly demand (one Series, or one per group);
        default flat over ``open_hours``. ``interval``: the planning interval used to spread them.
    weekday_shares: spread of weekly demand over Monday..Sunday.
    column: "agents" (whole agents per interval: what a schedule must cover; default) or
        "agents_required" (fractional Erlang requirement).
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS} for a capacity plan, got {method!r}")
    if column not in ("agents", "agents_required"):
        raise ValueError(f"column must be 'agents' or 'agents_required', got {column!r}")
    q = float(quantile)
    if not 0 < q < 1:
        raise ValueError(f"quantile must be in (0, 1), got {quantile!r}")
    frames = dict(demand) if isinstance(demand, Mapping) else None
    if frames is None:
        if not isinstance(scenario, Scenario):
            raise ValueError("scenario: give one Scenario when demand is a single frame")
        frames = {scenario.name: demand}
    if not frames:
        raise ValueError("demand: no group given")
    scenarios = ({g: scenario for g in frames} if isinstance(scenario, Scenario)
                 else {str(g): s for g, s in dict(scenario).items()})
    for g in frames:
        if str(g) not in scenarios or not isinstance(scenarios[str(g)], Scenario):
            raise ValueError(f"scenario: no Scenario for group {g!r} (groups: {sorted(map(str, frames))})")
    step_plan = pd.Timedelta(interval).total_seconds() if isinstance(interval, str) else float(interval)
    if not 0 < step_plan <= 3600 or (DAY_S / step_plan) % 1:
        raise ValueError(f"interval must divide a day and be at most 60 minutes, got {interval!r}")

    notes: list[str] = []
    parsed: dict[str, tuple[pd.DatetimeIndex, pd.DataFrame, float]] = {}
    for g, frame in frames.items():
        g = str(g)
        ds, vals = _frame_parts(frame, g)
        step = interval_of(ds) if len(ds) > 1 else DAY_S
        prof = profile.get(g) if isinstance(profile, Mapping) else profile
        parsed[g] = _to_interval_grid(ds, vals, step, g, profile=prof, open_hours=open_hours,
                                      weekday_shares=weekday_shares, interval_s=step_plan, notes=notes)
    zones = {str(grid.tz) for grid, _, _ in parsed.values()}
    if len(zones) > 1:
        raise ValueError(f"demand: the groups' timestamps mix time zones ({sorted(zones)}); give all groups the "
                         "same zone, or all naive local times")
    first_day = min(grid[0] for grid, _, _ in parsed.values())
    start_ts = first_day if start is None else pd.Timestamp(start)
    if start_ts.tz is None and first_day.tz is not None:
        start_ts = start_ts.tz_localize(first_day.tz)
    elif start_ts.tz is not None and first_day.tz is None:
        start_ts = start_ts.tz_localize(None)  # the demand is in wall-clock time
    if start_ts != start_ts.normalize():
        raise ValueError(f"start must be a day (midnight), got {start_ts}")
    for g, (grid, vals, step) in list(parsed.items()):
        keep = np.asarray(grid >= start_ts)
        if not keep.all():
            dropped = float(vals["yhat"].to_numpy()[~keep].sum())
            notes.append(f"{g}: demand before the plan start {start_ts.date()} left out ({dropped:,.0f} calls)")
            grid, vals = grid[keep], vals.loc[keep].reset_index(drop=True)
        if len(grid) == 0:
            raise ValueError(f"demand[{g!r}] ends before the plan start {start_ts.date()}")
        parsed[g] = _whole_last_week(grid, vals, step, start_ts, g, notes)
    n_weeks = max(int(_day_number(grid[-1:], start_ts)[0]) // 7 + 1 for grid, _, _ in parsed.values())

    rows, detail = [], {}
    for g, (grid, vals, step) in parsed.items():
        sc = scenarios[g]
        median = vals["yhat"].to_numpy(dtype=np.float64)
        if abs(q - 0.5) < 1e-12:
            planned = median
        else:
            label = f"p{round(q * 100):d}"
            bands = vals.drop(columns=[c for c in ("aht_s",) if c in vals.columns]).assign(ds=grid)
            try:
                planned = staffing_by_quantile(bands, sc, quantiles=(q,), method=method)[f"calls_{label}"].to_numpy()
            except ValueError as exc:
                raise ValueError(f"demand[{g!r}]: quantile {q:g} needs the forecast's bands ({exc})") from None
        frame = pd.DataFrame({"ds": grid, "calls": planned})
        if "aht_s" in vals.columns:
            frame["aht_s"] = vals["aht_s"].to_numpy()
        req = required_agents(frame, sc, method=method)
        day = _day_number(grid, start_ts)
        week = day // 7
        iv = pd.DataFrame({"ds": grid, "week_index": week, "calls": median, "calls_planned": planned,
                           "agents": req["agents"].to_numpy(dtype=np.float64),
                           "agents_required": req["agents_required"].to_numpy(dtype=np.float64)})
        if "aht_s" in vals.columns:
            iv["aht_s"] = vals["aht_s"].to_numpy()
        detail[g] = iv
        values = iv[column].to_numpy()
        per_day = int(round(DAY_S / step))
        bounds = np.searchsorted(week, np.arange(n_weeks + 1), side="left")
        for k in range(n_weeks):
            lo, hi = int(bounds[k]), int(bounds[k + 1])
            if hi <= lo:
                continue
            days = int(day[hi - 1] - day[lo]) + 1
            a = values[lo:hi]
            if len(a) != days * per_day:
                # a daylight-saving day has 23 or 25 hours: count calendar days, keep every agent-interval
                fit = np.zeros(days * per_day)
                n = min(len(a), len(fit))
                fit[:n] = a[:n]
                fit[n - 1] += a[n:].sum()
                a = fit
            tot = workforce_totals(a, step, sc)
            rows.append({"group": g, "week_index": k, "week": start_ts + pd.DateOffset(days=7 * k),
                         "days": days,
                         "calls": float(median[lo:hi].sum()), "calls_planned": float(planned[lo:hi].sum()),
                         "agent_hours": tot["agent_hours"], "scheduled_hours": tot["ideal_paid_hours"],
                         "required_fte": tot["fte"], "peak_agents": float(values[lo:hi].max())})
        covered = {r["week_index"] for r in rows if r["group"] == g}
        if len(covered) < n_weeks:
            notes.append(f"{g}: the demand covers {len(covered)} of the plan's {n_weeks} weeks; the others need no one")
    weeks = pd.DataFrame(rows, columns=["group", "week_index", "week", "days", "calls", "calls_planned",
                                        "agent_hours", "scheduled_hours", "required_fte", "peak_agents"])
    return Requirement(weeks=weeks, intervals=detail, scenarios={g: scenarios[g] for g in parsed}, start=start_ts,
                       n_weeks=n_weeks, interval_s={g: p[2] for g, p in parsed.items()}, quantile=q, method=method,
                       column=column, notes=tuple(notes))
