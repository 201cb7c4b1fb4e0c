"""Demand: the calls a centre expects, by timestamp. The one place that knows about intervals.

A planner thinks "on Monday between 10:00 and 10:30 we expect 420 calls, of about 9 minutes each".
:class:`Demand` holds exactly that for a run of consecutive intervals:

* ``ds``: the start of each interval (a regular grid; time-zone-aware or naive, never mixed);
* ``calls``: expected new calls per interval (all call types together), float >= 0;
* ``aht_s``: optional mean handle time per interval in **seconds** (NaN where unknown or no calls:
  the scenario's ``aht`` is the default);
* per call type, optionally: calls and handle time per interval (a mix that changes by hour);
* ``arrivals``: optionally, the exact arrival times of a past period (one row per call), for replay.

Everything downstream (engines, Erlang staffing, KPIs, staffing plans, exports) asks a Demand for
its interval length (:attr:`Demand.interval_s`) and never infers one itself: :func:`interval_of`
is the single rule.

Where demand comes from: a forecast (``forecast.forecast``: ``ds, yhat``), a history (``ds, y``),
or a plain table (``ds, calls`` and optionally ``aht_s`` and ``call_type``), at any grain from 5 to
60 minutes. Finer grains are summed into the planning interval the planner picks (15, 30 or 60
minutes by default rules, see :func:`planning_interval`); handle time is then the volume-weighted
mean. Slots missing from a table (nights and weekends left out of a history, holidays as missing
days) are closed intervals: 0 calls, noted in :attr:`Demand.notes`. A daily table is refused with
the way to get intervals (``forecast.to_intervals``).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Demand", "as_demand", "interval_of", "planning_interval", "PLANNING_INTERVALS_S"]

#: planning intervals offered by default (seconds): 15, 30 and 60 minutes
PLANNING_INTERVALS_S = (900.0, 1800.0, 3600.0)
_MIN_GRAIN_S = 300.0  # 5 minutes
_MAX_GRAIN_S = 3600.0  # 60 minutes
_DAY_S = 86400.0


def _error(msg: str) -> ValueError:
    try:
        from forecast import DataError  # forecast never imports simulate, so this is safe
    except ImportError:  # pragma: no cover - forecast ships with simulate
        return ValueError(msg)
    return DataError(msg)


def _shown(value: Any) -> Any:
    """A value as a message shows it: numpy scalars as plain Python numbers (-1.0, not np.float64(-1.0))."""
    return value.item() if isinstance(value, np.generic) else value


def _seconds(value: Any, what: str) -> float:
    """A duration in seconds from seconds (number), a pandas offset string ("30min") or a Timedelta."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        out = float(value)
    else:
        try:
            out = pd.Timedelta(pd.tseries.frequencies.to_offset(value)).total_seconds() if isinstance(value, str) \
                else pd.Timedelta(value).total_seconds()
        except (ValueError, TypeError):
            raise ValueError(f"{what} must be seconds or a duration such as '30min', got {value!r}") from None
    if not math.isfinite(out) or out <= 0:
        raise ValueError(f"{what} must be a positive duration, got {value!r}")
    return out


def _ticks_per_second(ds: pd.DatetimeIndex) -> float:
    return {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[getattr(ds, "unit", "ns")]


def interval_of(ds: Sequence | pd.DatetimeIndex) -> float:
    """The grid step of timestamps, in seconds: THE rule every part of Queuecast uses.

    The step is the most common positive gap between consecutive distinct timestamps that fall on the
    same calendar day (so nights and weekends left out of a table do not count), or, when no two
    timestamps share a day, the most common positive gap (daily data: 86400). Gaps are measured in
    absolute time, so a time-zone-aware grid across a daylight-saving change keeps its step.
    Raises ValueError for fewer than two distinct timestamps.
    """
    idx = pd.DatetimeIndex(ds)
    if idx.hasnans:
        raise _error("ds: empty timestamps cannot define an interval")
    idx = idx.unique().sort_values()
    if len(idx) < 2:
        raise ValueError("cannot tell the interval length from fewer than two distinct timestamps; "
                         "give it (interval='30min')")
    gaps = np.diff(idx.asi8) / _ticks_per_second(idx)
    same_day = (idx[1:].normalize() == idx[:-1].normalize())
    pool = gaps[same_day] if same_day.any() else gaps
    values, counts = np.unique(np.round(pool, 6), return_counts=True)
    return float(values[np.argmax(counts)])


def planning_interval(grain_s: float, requested: Any = None) -> float:
    """The planning interval (seconds) for data of grain ``grain_s`` seconds.

    ``requested`` (seconds or "15min"...) must be a whole multiple of the grain, divide a day, and lie
    between 5 and 60 minutes. Without a request: the grain itself when it is 15, 30 or 60 minutes
    (or any grain of 15 minutes and more that divides an hour), else the smallest of 15, 30 and 60
    minutes that is a whole multiple of the grain (5-minute data -> 15 minutes, 6-minute -> 30).
    """
    if grain_s >= _DAY_S - 1e-6:
        raise _error(
            "the data is daily (one value per day); simulation and interval staffing need intervals of 5 to 60 "
            "minutes. Spread the daily figures over intervals first: forecast.to_intervals(daily, profile=<an "
            "interval history>) or forecast.to_intervals(daily, opening_hours={'Mon-Fri': '08:00-20:00'}); "
            "in the app, choose 'spread over the day' after uploading a daily history")
    if grain_s > _MAX_GRAIN_S + 1e-6:
        raise _error(f"the data has one value every {grain_s / 60:g} minutes; intervals of 5 to 60 minutes are "
                     "needed (spread coarser data over intervals with forecast.to_intervals)")
    if grain_s < _MIN_GRAIN_S - 1e-6:
        raise _error(f"the data has one value every {grain_s:g} seconds; the finest grain accepted is 5 minutes "
                     "(sum the data to 5-, 15- or 30-minute counts first)")
    if requested is not None:
        step = _seconds(requested, "interval")
        if not _MIN_GRAIN_S - 1e-6 <= step <= _MAX_GRAIN_S + 1e-6:
            raise ValueError(f"interval must be between 5 and 60 minutes, got {step / 60:g} minutes")
        ratio = step / grain_s
        if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
            raise ValueError(f"interval of {step / 60:g} minutes is not a whole multiple of the data's "
                             f"{grain_s / 60:g}-minute grain; choose one of "
                             f"{[int(p / 60) for p in PLANNING_INTERVALS_S if (p / grain_s).is_integer()]} minutes")
        if (_DAY_S / step) % 1:
            raise ValueError(f"interval of {step / 60:g} minutes does not divide a day")
        return float(step)
    if grain_s >= 900.0 - 1e-6 and not (3600.0 / grain_s) % 1:
        return float(grain_s)
    for p in PLANNING_INTERVALS_S:
        if p >= grain_s and not (p / grain_s) % 1:
            return p
    raise _error(f"the data's {grain_s / 60:g}-minute grain does not fit 15-, 30- or 60-minute planning "
                 "intervals; give interval= explicitly")


@dataclass(frozen=True, eq=False)
class Demand:
    """Expected calls by timestamp on a regular grid (see the module docstring).

    ds: DatetimeIndex of interval starts, shape (n,), regular every ``interval_s`` seconds.
    calls: float64 (n,), expected new calls per interval (all call types), >= 0.
    interval_s: the interval length in seconds.
    aht_s: float64 (n,) mean handle time per interval (s), NaN = the scenario's aht; or None.
    types: call-type names of ``type_calls`` / ``type_aht_s`` columns (empty: no per-type split).
    type_calls: float64 (n, T) expected calls per type and interval (rows sum to ``calls``), or None.
    type_aht_s: float64 (n, T) mean handle time per type and interval (s), NaN = default, or None.
    arrivals: exact first attempts to replay, or None: a frame with ``t_s`` (seconds from ds[0],
        sorted), ``call_type`` (name, optional), ``service_s`` (observed handle time in seconds,
        NaN = draw one; optional) and ``patience_s`` (the caller's patience in seconds, NaN = draw
        one; optional). With arrivals, ``calls`` are the observed counts per interval.
    notes: what was done to the input (grain summed, slots filled as closed...), for the planner.
    """

    ds: pd.DatetimeIndex
    calls: np.ndarray
    interval_s: float
    aht_s: np.ndarray | None = None
    types: tuple[str, ...] = ()
    type_calls: np.ndarray | None = None
    type_aht_s: np.ndarray | None = None
    arrivals: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        ds = pd.DatetimeIndex(self.ds)
        object.__setattr__(self, "ds", ds)
        n = len(ds)
        if n == 0:
            raise _error("demand has no intervals")
        calls = np.asarray(self.calls, dtype=np.float64)
        if calls.shape != (n,):
            raise ValueError(f"Demand.calls must have one value per interval ({n}), got shape {calls.shape}")
        bad = np.flatnonzero(~np.isfinite(calls) | (calls < 0))
        if bad.size:
            raise _error(f"demand: calls at {ds[bad[0]]} must be a finite number >= 0, got {_shown(calls[bad[0]])!r}")
        from forecast import limits

        big = np.flatnonzero(calls > limits.MAX_CALLS_PER_INTERVAL)
        if big.size:
            limits.check("MAX_CALLS_PER_INTERVAL", float(calls[big[0]]), f"demand at {ds[big[0]]}")
        calls.flags.writeable = False
        object.__setattr__(self, "calls", calls)
        object.__setattr__(self, "interval_s", _seconds(self.interval_s, "Demand.interval_s"))
        if n > 1:
            gaps = np.diff(ds.asi8) / _ticks_per_second(ds)
            off = np.flatnonzero(np.abs(gaps - self.interval_s) > 1e-6)
            if off.size:
                raise _error(f"demand: timestamps must be every {self.interval_s:g} s; {ds[off[0] + 1]} is "
                             f"{gaps[off[0]]:g} s after {ds[off[0]]}")
        if self.aht_s is not None:
            aht = np.asarray(self.aht_s, dtype=np.float64)
            if aht.shape != (n,):
                raise ValueError(f"Demand.aht_s must have one value per interval ({n}), got shape {aht.shape}")
            _check_aht(aht, ds, "aht_s")
            aht.flags.writeable = False
            object.__setattr__(self, "aht_s", aht)
        object.__setattr__(self, "types", tuple(str(t) for t in self.types))
        nt = len(self.types)
        for name in ("type_calls", "type_aht_s"):
            arr = getattr(self, name)
            if arr is None:
                continue
            arr = np.asarray(arr, dtype=np.float64)
            if arr.shape != (n, nt) or nt == 0:
                raise ValueError(f"Demand.{name} must have shape (intervals, types) = ({n}, {nt}), got {arr.shape}")
            if name == "type_calls":
                if not np.all(np.isfinite(arr)) or (arr < 0).any():
                    raise _error("demand: calls per call type must be finite numbers >= 0")
                if not np.allclose(arr.sum(axis=1), calls, rtol=1e-9, atol=1e-9):
                    raise ValueError("Demand.type_calls must sum to calls in every interval")
            else:
                _check_aht(arr, ds, "aht_s per call type")
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        if self.type_aht_s is not None and self.type_calls is None:
            raise ValueError("Demand.type_aht_s needs type_calls (calls per call type)")
        if self.arrivals is not None:
            object.__setattr__(self, "arrivals", _check_arrivals(self.arrivals, n * self.interval_s))
        object.__setattr__(self, "notes", tuple(self.notes))

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, interval: Any = None, series: str | None = None,
                   value: str | None = None) -> Demand:
        """Demand from a forecast, a history or a plain table (see the module docstring).

        frame: ``ds`` (column or DatetimeIndex) and the calls in ``calls``, else ``yhat`` (a forecast),
            else ``y`` (a history), or the column named by ``value``; optionally ``aht_s`` (seconds) and
            ``call_type`` (then one row per interval and type). A ``series`` column with several names
            keeps ``series`` (default: "calls" when present, or the only one); a series named
            ``aht_s`` in a long history supplies the handle time.
        interval: the planning interval (seconds or "30min"); default from :func:`planning_interval`.
        Raises forecast.DataError naming the column, the row and what was expected.
        """
        if isinstance(frame, Demand):
            return frame if interval is None else frame.resample(interval)
        if not isinstance(frame, pd.DataFrame):
            raise _error(f"demand must be a DataFrame with ds and calls columns, got {type(frame).__name__}")
        df = frame
        if "ds" not in df.columns:
            if isinstance(df.index, pd.DatetimeIndex):
                df = df.rename_axis("ds").reset_index()
            else:
                raise _error(f"demand: expected a 'ds' column (or a DatetimeIndex) of interval start times, got "
                             f"columns {list(df.columns)}")
        if len(df) == 0:
            raise _error("demand: the table has no rows")
        df, aht_from_series = _pick_series(df, series)
        col = value or next((c for c in ("calls", "yhat", "y") if c in df.columns), None)
        if col is None or col not in df.columns:
            raise _error(f"demand: expected a 'calls', 'yhat' or 'y' column, got columns {list(df.columns)}")
        ds = _timestamps(df["ds"])
        calls = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(~np.isfinite(calls) | (calls < 0))
        if bad.size:
            r = int(bad[0])
            raise _error(f"demand: column {col!r} at row {r + 1} ({ds[r]}) must be a finite number >= 0, got "
                         f"{_shown(df[col].iloc[r])!r}")
        aht = None
        if "aht_s" in df.columns:
            aht = pd.to_numeric(df["aht_s"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            badv = np.flatnonzero(np.isfinite(aht) & (aht <= 0))
            if badv.size:
                r = int(badv[0])
                raise _error(f"demand: column 'aht_s' at row {r + 1} ({ds[r]}) must be a handle time in seconds "
                             f"> 0 (or empty), got {_shown(df['aht_s'].iloc[r])!r}")
        types: list[str] = []
        ctype = None
        if "call_type" in df.columns:
            ctype = df["call_type"].astype(str).to_numpy()
            types = list(pd.unique(ctype))
        notes: list[str] = []
        # one row per (ds, type)
        key = pd.DataFrame({"ds": ds, "t": ctype if ctype is not None else ""})
        dup = key.duplicated()
        if dup.any():
            r = int(np.flatnonzero(dup.to_numpy())[0])
            what = f" and call_type {ctype[r]!r}" if ctype is not None else ""
            raise _error(f"demand: row {r + 1}: timestamp {ds[r]}{what} appears twice; expected one row per "
                         "interval" + (" and call type" if ctype is not None else ""))
        distinct = ds.unique()
        grain = interval_of(distinct) if len(distinct) > 1 else None
        if grain is None:
            if interval is None:
                raise _error("demand: a single interval needs its length: pass interval='30min'")
            grain = _seconds(interval, "interval")
        step = planning_interval(grain, interval)
        origin = distinct.min()
        offs = (ds - origin).total_seconds().to_numpy()
        on_grid = np.abs(offs / grain - np.round(offs / grain)) < 1e-6
        if not on_grid.all():
            r = int(np.flatnonzero(~on_grid)[0])
            raise _error(f"demand: row {r + 1}: timestamp {ds[r]} is not on the {grain / 60:g}-minute grid that "
                         f"starts at {origin}; expected one row per {grain / 60:g} minutes")
        # the planning grid starts at the planning interval that holds the first row, counted from midnight
        start = origin - pd.Timedelta(seconds=_seconds_since_midnight(origin) % step)
        slot = np.floor((ds - start).total_seconds().to_numpy() / step + 1e-9).astype(np.int64)
        n = int(slot.max()) + 1
        grid = pd.date_range(start=start, periods=n, freq=pd.Timedelta(seconds=step))
        nt = max(len(types), 1)
        tidx = np.zeros(len(ds), dtype=np.int64) if ctype is None else pd.Index(types).get_indexer(ctype)
        per_type = np.zeros((n, nt))
        np.add.at(per_type, (slot, tidx), calls)
        present = np.zeros(n, dtype=bool)
        present[slot] = True
        if grain < step:
            notes.append(f"{grain / 60:g}-minute data summed into {step / 60:g}-minute planning intervals"
                         + (" (handle time: volume-weighted mean)" if aht is not None else ""))
        missing = int((~present).sum())
        if missing:
            first_missing = grid[int(np.flatnonzero(~present)[0])]
            notes.append(f"{missing} of {n} intervals are not in the table (first {first_missing}); they are "
                         "taken as closed (0 calls)")
        aht_out = type_aht = None
        if aht is not None:
            type_aht = _weighted_aht(slot, tidx, calls, aht, (n, nt))
            aht_out = _mix_aht(type_aht, per_type)
        if aht_from_series is not None:
            aht_out = _series_aht(aht_from_series, grid, step)
        typed = ctype is not None
        return cls(ds=grid, calls=per_type.sum(axis=1), interval_s=step, aht_s=aht_out,
                   types=tuple(types) if typed else (), type_calls=per_type if typed else None,
                   type_aht_s=type_aht if typed else None, notes=tuple(notes))

    @classmethod
    def from_arrivals(cls, calls: pd.DataFrame, *, interval: Any = "30min", start: Any = None, end: Any = None,
                      time: str = "arrival", call_type: str | None = "call_type",
                      service: str | None = "service_s", patience: str | None = "patience_s") -> Demand:
        """Demand that replays exact arrival times: one row per call (a call log).

        calls: a frame with the arrival timestamp in column ``time``, optionally the call type (column
        ``call_type``), the observed handle time in seconds (column ``service``; NaN = draw one) and the
        caller's patience in seconds (column ``patience``; NaN = draw one).
        interval: the planning interval; start/end: the period (default: the day boundaries around the
        calls). ``calls`` per interval are the observed counts, so staffing and Erlang see the same
        volumes the replay uses.
        """
        if not isinstance(calls, pd.DataFrame) or time not in calls.columns:
            raise _error(f"arrivals: expected a frame with a {time!r} column of arrival timestamps")
        ts = _timestamps(calls[time])
        step = _seconds(interval, "interval")
        planning_interval(step, step)
        first = ts.min() if start is None else pd.Timestamp(start)
        last = ts.max() if end is None else pd.Timestamp(end)
        if start is None:
            first = first.floor("D") if first.tz is None else first.tz_localize(None).floor("D").tz_localize(first.tz)
        if end is None:
            last = (last.floor("D") if last.tz is None else last.tz_localize(None).floor("D").tz_localize(last.tz)) \
                + pd.DateOffset(days=1)
        n = int(math.ceil((last - first).total_seconds() / step - 1e-9))
        if n < 1:
            raise _error("arrivals: the period has no intervals (end must be after start)")
        grid = pd.date_range(start=first, periods=n, freq=pd.Timedelta(seconds=step))
        t_s = (ts - first).total_seconds().to_numpy()
        inside = (t_s >= 0) & (t_s < n * step)
        if not inside.all():
            r = int(np.flatnonzero(~inside)[0])
            raise _error(f"arrivals: row {r + 1}: arrival {ts[r]} lies outside the period {first} to {last}")
        order = np.argsort(t_s, kind="stable")
        out = pd.DataFrame({"t_s": t_s[order]})
        types: tuple[str, ...] = ()
        if call_type and call_type in calls.columns:
            names = calls[call_type].astype(str).to_numpy()[order]
            out["call_type"] = names
            types = tuple(pd.unique(names))
        if service and service in calls.columns:
            out["service_s"] = pd.to_numeric(calls[service], errors="coerce").to_numpy(dtype=np.float64)[order]
        if patience and patience in calls.columns:
            out["patience_s"] = pd.to_numeric(calls[patience], errors="coerce").to_numpy(dtype=np.float64)[order]
        k = np.minimum((out["t_s"].to_numpy() // step).astype(np.int64), n - 1)
        counts = np.bincount(k, minlength=n).astype(np.float64)
        type_calls = None
        aht = None
        if types:
            tidx = pd.Index(types).get_indexer(out["call_type"].to_numpy())
            type_calls = np.zeros((n, len(types)))
            np.add.at(type_calls, (k, tidx), 1.0)
        if "service_s" in out.columns:
            svc = out["service_s"].to_numpy()
            ok = np.isfinite(svc)
            tot = np.bincount(k[ok], weights=svc[ok], minlength=n)
            cnt = np.bincount(k[ok], minlength=n)
            with np.errstate(invalid="ignore", divide="ignore"):
                aht = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
        return cls(ds=grid, calls=counts, interval_s=step, aht_s=aht, types=types, type_calls=type_calls,
                   arrivals=out.reset_index(drop=True), notes=(f"replay of {len(out):,} observed arrivals",))

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return len(self.calls)

    @property
    def open(self) -> np.ndarray:
        """Intervals with calls expected, bool (n,)."""
        return self.calls > 0

    @property
    def tz(self) -> Any:
        return self.ds.tz

    @property
    def end(self) -> pd.Timestamp:
        """The end of the last interval."""
        return self.ds[-1] + pd.Timedelta(seconds=self.interval_s)

    def to_frame(self) -> pd.DataFrame:
        """A tidy frame: ds, calls, then aht_s and calls_<type> / aht_s_<type> when present."""
        out = pd.DataFrame({"ds": self.ds, "calls": self.calls})
        if self.aht_s is not None:
            out["aht_s"] = self.aht_s
        for i, name in enumerate(self.types):
            if self.type_calls is not None:
                out[f"calls_{name}"] = self.type_calls[:, i]
            if self.type_aht_s is not None:
                out[f"aht_s_{name}"] = self.type_aht_s[:, i]
        return out

    def with_calls(self, calls: np.ndarray) -> Demand:
        """The same intervals and handle times with other expected calls (type mix kept per interval)."""
        calls = np.asarray(calls, dtype=np.float64)
        type_calls = None
        if self.type_calls is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(self.calls[:, None] > 0, self.type_calls / np.maximum(self.calls[:, None], 1e-300),
                                 1.0 / len(self.types))
            type_calls = share * calls[:, None]
        return Demand(ds=self.ds, calls=calls, interval_s=self.interval_s, aht_s=self.aht_s, types=self.types,
                      type_calls=type_calls, type_aht_s=self.type_aht_s, notes=self.notes)

    def resample(self, interval: Any) -> Demand:
        """The same demand in a coarser planning interval (calls summed, handle time volume-weighted)."""
        return Demand.from_frame(self._long_frame(), interval=interval)

    def _long_frame(self) -> pd.DataFrame:
        if self.type_calls is None:
            return self.to_frame()[["ds", "calls"] + (["aht_s"] if self.aht_s is not None else [])]
        parts = []
        for i, name in enumerate(self.types):
            part = pd.DataFrame({"ds": self.ds, "call_type": name, "calls": self.type_calls[:, i]})
            if self.type_aht_s is not None:
                part["aht_s"] = self.type_aht_s[:, i]
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def day_index(self) -> np.ndarray:
        """Index of each interval's calendar day (local wall-clock days), int64 (n,)."""
        codes, _ = pd.factorize(self.ds.tz_localize(None).normalize() if self.ds.tz is not None
                                else self.ds.normalize())
        return codes.astype(np.int64)


def _seconds_since_midnight(ts: pd.Timestamp) -> float:
    """Wall-clock seconds since local midnight (what a planner means by 08:30)."""
    return float(ts.hour * 3600 + ts.minute * 60 + ts.second + ts.microsecond / 1e6)


def _weighted_aht(slot: np.ndarray, tidx: np.ndarray, calls: np.ndarray, aht: np.ndarray,
                  shape: tuple[int, int]) -> np.ndarray:
    """Handle time per (interval, type): volume-weighted mean of the rows that carry one (s).

    A slot whose rows carry a handle time but no calls takes their plain mean (the time is known even
    if no call came); a slot with none is NaN (the scenario's aht applies)."""
    ok = np.isfinite(aht)
    work = np.zeros(shape)
    weight = np.zeros(shape)
    plain = np.zeros(shape)
    count = np.zeros(shape)
    np.add.at(work, (slot[ok], tidx[ok]), calls[ok] * aht[ok])
    np.add.at(weight, (slot[ok], tidx[ok]), calls[ok])
    np.add.at(plain, (slot[ok], tidx[ok]), aht[ok])
    np.add.at(count, (slot[ok], tidx[ok]), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, work / weight, np.where(count > 0, plain / count, np.nan))


def _mix_aht(type_aht: np.ndarray, type_calls: np.ndarray) -> np.ndarray:
    """Handle time per interval over the call types (s): weighted by calls, NaN where none is known."""
    known = np.isfinite(type_aht)
    w = np.where(known, type_calls, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted = (np.where(known, type_aht, 0.0) * w).sum(axis=1) / w.sum(axis=1)
        plain = np.where(known, type_aht, 0.0).sum(axis=1) / known.sum(axis=1)
    return np.where(w.sum(axis=1) > 0, weighted, plain)


def _check_aht(aht: np.ndarray, ds: pd.DatetimeIndex, what: str) -> None:
    bad = np.flatnonzero(~np.isnan(aht) & (~np.isfinite(aht) | (aht <= 0)))
    if bad.size:
        r = np.unravel_index(int(bad[0]), aht.shape)[0]
        raise _error(f"demand: {what} at {ds[r]} must be a handle time in seconds > 0 (or empty), "
                     f"got {_shown(aht.flat[bad[0]])!r}")
    from forecast import limits

    hi = float(limits.MAX_AHT_S)
    big = np.flatnonzero(np.nan_to_num(aht, nan=0.0) > hi)
    if big.size:
        r = np.unravel_index(int(big[0]), aht.shape)[0]
        raise _error(f"demand: {what} at {ds[r]} is {aht.flat[big[0]]:g} s, above the limit of {hi:g} s "
                     "(10 hours); check the unit (seconds, not milliseconds)")


def _check_arrivals(arrivals: pd.DataFrame, horizon_s: float) -> pd.DataFrame:
    if not isinstance(arrivals, pd.DataFrame) or "t_s" not in arrivals.columns:
        raise ValueError("Demand.arrivals must be a frame with a 't_s' column (seconds from ds[0])")
    t = arrivals["t_s"].to_numpy(dtype=np.float64)
    if len(t) and (not np.all(np.isfinite(t)) or t.min() < 0 or t.max() >= horizon_s or np.any(np.diff(t) < 0)):
        raise ValueError("Demand.arrivals.t_s must be sorted seconds within the demand's intervals")
    return arrivals


def _timestamps(values: pd.Series) -> pd.DatetimeIndex:
    """Parse a timestamp column: tz-aware or naive, never mixed; errors name the row."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.DatetimeTZDtype | np.dtypes.DateTime64DType):
        ds = pd.DatetimeIndex(values)
    else:
        try:
            parsed = pd.to_datetime(values, errors="coerce", format="mixed")
        except (ValueError, TypeError) as exc:
            if "mixed time" in str(exc).lower() or "tz-aware" in str(exc).lower() or "timezone" in str(exc).lower():
                raise _error("demand: column 'ds' mixes time zones (or offsets with naive times); read the file "
                             "with forecast.read_history(path, tz='America/Toronto') or make every timestamp "
                             "carry the same offset") from None
            raise _error(f"demand: column 'ds' cannot be read as timestamps ({exc})") from None
        if parsed.dtype == object:
            raise _error("demand: column 'ds' mixes time zones (or offsets with naive times); read the file with "
                         "forecast.read_history(path, tz='America/Toronto') or make every timestamp carry the "
                         "same offset")
        ds = pd.DatetimeIndex(parsed)
    if ds.hasnans:
        r = int(np.flatnonzero(ds.isna())[0])
        raise _error(f"demand: column 'ds' at row {r + 1} is empty or not a timestamp, got "
                     f"{_shown(values.iloc[r] if hasattr(values, 'iloc') else values[r])!r}")
    return ds


def _pick_series(df: pd.DataFrame, series: str | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Keep one series of a long frame; a series named ``aht_s`` (or ``<name>_aht_s``) is returned apart."""
    if "series" not in df.columns:
        return df, None
    names = [str(s) for s in pd.unique(df["series"].astype(str))]
    aht_names = [n for n in names if n == "aht_s" or n.endswith("_aht_s")]
    volume = [n for n in names if n not in aht_names]
    if series is not None:
        if series not in volume:
            raise _error(f"demand: series {series!r} is not in the table (series: {sorted(names)[:8]})")
        keep = series
    elif len(volume) == 1:
        keep = volume[0]
    elif "calls" in volume:
        keep = "calls"
    else:
        raise _error(f"demand: the table holds {len(volume)} series ({sorted(volume)[:8]}); say which holds the "
                     "calls (series='calls')")
    s = df["series"].astype(str)
    part = df[s == keep]
    aht_name = f"{keep}_aht_s" if f"{keep}_aht_s" in aht_names else ("aht_s" if "aht_s" in aht_names else None)
    aht = df[s == aht_name] if aht_name is not None and "aht_s" not in part.columns else None
    return part.reset_index(drop=True), aht


def _series_aht(aht: pd.DataFrame, grid: pd.DatetimeIndex, step: float) -> np.ndarray:
    """Handle time from a long ``aht_s`` series: its value in each planning interval (mean when finer)."""
    col = next((c for c in ("yhat", "y", "aht_s") if c in aht.columns), None)
    if col is None:
        return np.full(len(grid), np.nan)
    ds = _timestamps(aht["ds"])
    v = pd.to_numeric(aht[col], errors="coerce").to_numpy(dtype=np.float64)
    slot = np.floor(((ds - grid[0]).total_seconds().to_numpy()) / step + 1e-9).astype(np.int64)
    ok = (slot >= 0) & (slot < len(grid)) & np.isfinite(v) & (v > 0)
    tot = np.bincount(slot[ok], weights=v[ok], minlength=len(grid))
    cnt = np.bincount(slot[ok], minlength=len(grid))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)


def as_demand(demand: Any, *, interval: Any = None) -> Demand:
    """A :class:`Demand` from a Demand or a frame (see :meth:`Demand.from_frame`)."""
    if isinstance(demand, Demand):
        return demand if interval is None or abs(_seconds(interval, "interval") - demand.interval_s) < 1e-9 \
            else demand.resample(interval)
    return Demand.from_frame(demand, interval=interval)
