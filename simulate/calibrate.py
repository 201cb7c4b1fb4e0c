"""Calibrate from call records: a centre's own call log becomes a demand, a policy and a staffing plan.

Every telephone platform (ACD) exports one row per call: when it arrived, left the menu, joined the
agent queue, was answered or hung up, when it ended, which agent took it, and often the caller's
number. :func:`calibrate` reads such a log and returns a :class:`Calibration`:

* ``demand``: first attempts per interval with the observed handle time per interval (and per call
  type, with the mix by interval), a :class:`simulate.Demand`;
* ``scenario``: the policy read off the log (handle-time distribution, patience, redials, the menu);
* ``staffing``: the agents on duty per interval, estimated from the agents' activity (the rule
  below), with the bounds the records imply;
* ``report``: tables and tidy frames for the fit report (Kaplan-Meier vs the fits, handle time by
  hour, arrivals by interval, the staffing estimate), and ``replay(...)`` for a replay of the month
  (see :func:`simulate.validate`).

The column contract
-------------------
One row per call attempt. Contract names (map other names with ``columns={"arrival": "StartTime"}``):

=============  =========  ================================================================================
``arrival``    required   when the call reached the centre (before the menu), a timestamp
``outcome``    required   ``answered``, ``abandoned`` (hung up on hold), ``contained`` (ended in the menu)
                          or ``blocked`` (busy signal); other codes are mapped with ``outcomes=``
``queue_entry`` optional  when the caller left the menu and joined the agent queue (empty for calls that
                          never joined); without the column, callers join at ``arrival``
``queue_exit`` see note   answered: when an agent answered; abandoned: when the caller hung up
``answer``     optional   answered: when an agent answered, where the platform keeps it apart from queue_exit
``end``        see note   answered: when the agent finished with the call (after-call work included when
                          the platform records it); contained: when the caller left the menu (optional)
``agent``      optional   id of the agent who answered
``caller``     optional   caller id (a number or its hash): repeated ids after a failure are redials
``call_type``  optional   kind of call (queue, skill, service)
``date``       optional   the day, when the time columns hold only times of day (``08:15:30``)
``wait_s``     optional   seconds on hold, instead of ``queue_exit``
``handle_s``   optional   handle time in seconds, instead of ``end``
=============  =========  ================================================================================

Note: answered calls need ``queue_exit`` (or ``answer``, or ``wait_s``) and ``end`` (or ``handle_s``);
abandoned calls need ``queue_exit`` (or ``wait_s``). Timestamps are ISO 8601 (``2026-03-02 08:15:30``, fractions
of a second and UTC offsets allowed) or follow ``time_format`` (strptime, e.g.
``"%d/%m/%Y %H:%M:%S"``); day and month are never guessed. With ``date``, a time of day earlier than
the call's arrival belongs to the next day (a call that crossed midnight). An abandoned call whose
``queue_entry`` is empty (when the column is given) hung up in the menu: it is counted as a menu-only
call (``contained``); an answered call with no ``queue_entry`` was answered without waiting. Cells that
mean "none" in a platform's export (``0:00:00`` for a queue never joined, ``NO_SERVER``, caller ``0``)
are emptied with ``empty=``. Rows mapped to ``"ignore"`` by ``outcomes=`` are left out and counted in
the notes. Every other problem is a :class:`forecast.DataError` naming the file, the line, the column,
the value and what was expected; with ``on_error="skip"`` rows whose times contradict each other are
left out instead and each rule's count and first line go into the notes. No row is dropped silently.

The estimates and why
---------------------
* **Demand**: first attempts by arrival interval (redials are made by the model from
  ``redial_prob``); ``aht_s`` per interval (and per type) is the mean handle time of the answered
  attempts that arrived in it.
* **Handle time**: the shape is fitted to each handle time divided by the mean of its hour of day and
  call type (the demand carries the level per interval; the engines scale the shape to it).
  Lognormal (sigma from the pooled within-cell variance of the logs) and exponential are compared by
  the Kolmogorov-Smirnov distance; with ``handle="auto"`` the closer one is kept unless the data reject
  it at 5% (distance above 1.36 / sqrt(n)), then the empirical distribution (a quantile table).
* **Patience** cannot be read off: abandoners show their patience, answered callers only a lower bound
  (their wait). Kaplan-Meier treats answered waits as censored (scipy.stats.ecdf). Exponential (the
  Mandelbaum-Zeltyn estimate, abandonments / total time on hold, which is its censored maximum
  likelihood), Weibull and lognormal are fitted by censored maximum likelihood, and the family chosen is
  the one that follows Kaplan-Meier best over the observed waits (smallest largest gap). With
  ``patience="auto"`` the Kaplan-Meier curve itself is used (completed beyond the longest wait by the
  chosen family) when even the best family strays from it by more than 4 Greenwood standard errors
  and 2 points somewhere. Brown et al. (2005), JASA 100:36-50.
* **Redials**: attempts of the same caller within ``redial_window`` of a failed attempt (abandoned
  or blocked) are redials; ``redial_prob`` and ``redial_delay`` (exponential mean) are the maximum
  likelihood pair, failures near the end of the log counted as censored (their redial could fall after
  it). ``max_attempts`` is the longest chain seen.
* **After-call work** (with agent ids): an agent who finishes a call while callers are on hold takes one as
  soon as they are free; so when an agent's next caller had already been on hold (longer than
  ``hold_threshold_s``) at the recorded end of the agent's call, the time between that end and the next
  answer is work the log does not record (wrap-up). Its median (gaps over 5 minutes are breaks; the median
  rather than the mean because agents leaving at a shift change make long gaps that are not wrap-up; under
  1 s is routing, taken as 0) is added to every handle time: the model's handle time is what keeps an agent
  from the next caller. On a simulated log without wrap-up the mean was 9 s, the median 0.
* **The menu**: ``ivr_containment`` = menu-only calls / calls that got a line; ``ivr_time`` = mean time
  in the menu. ``residual_aht_factor`` is 1: the handle times observed are already those of the calls
  the menu did not contain.
* **Staffing** (agents are not in the records): while callers are on hold, every agent available is
  talking (the platform is work-conserving), so the agents on duty in an interval are estimated as the
  average number talking while someone had been on hold longer than ``hold_threshold_s`` (routing
  delays are not waits), rounded. In an interval where nobody waited that long: the agents at work
  (with agent ids: an agent is at work from a call to the end of the last call that follows with idle gaps
  of at most 15 minutes, ``SPELL_GAP_S``; averaged over the interval, rounded), and at least the most
  agents talking at once (the only figure without agent ids). Bounds reported beside it: ``lower`` =
  average number talking over the interval (the work done needs at least that many on average) and
  ``upper`` = distinct agents who took calls in the interval (agents who took none are invisible).
  The estimate is made per interval (``report.staffing``, ``staffing``) and per 5-minute replay step
  (``report.replay_staffing``, ``replay_staffing``): agents come and go within a half-hour.

All durations are seconds. This module never imports Streamlit.
"""
from __future__ import annotations

import csv
import dataclasses
import difflib
import gzip
import io
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from forecast import limits as _limits
from forecast.errors import DataError
from simulate.demand import Demand, _seconds, planning_interval
from simulate.empirical import Empirical
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CALLBACK,
    OUTCOME_CONTAINED,
)
from simulate.scenario import CallType, Scenario, duration_quantile, weibull_shape_for_cv
from simulate.staffing_plan import StaffingPlan

__all__ = ["CONTRACT", "OUTCOMES", "Calibration", "FitReport", "calibrate", "to_call_log"]

#: the column contract: name -> (required, what it holds)
CONTRACT: dict[str, tuple[bool, str]] = {
    "arrival": (True, "when the call reached the centre (timestamp)"),
    "outcome": (True, "answered, abandoned, contained or blocked"),
    "queue_entry": (False, "when the caller joined the agent queue (timestamp; empty if never)"),
    "queue_exit": (False, "answered: when an agent answered; abandoned: when the caller hung up (timestamp)"),
    "answer": (False, "answered: when an agent answered (timestamp; default: queue_exit)"),
    "end": (False, "when the call ended (timestamp): the agent's end of work, or the end of the menu"),
    "agent": (False, "id of the agent who answered"),
    "caller": (False, "caller id (repeated after a failure: a redial)"),
    "call_type": (False, "kind of call"),
    "date": (False, "the day, when time columns hold times of day only"),
    "wait_s": (False, "seconds on hold (instead of queue_exit)"),
    "handle_s": (False, "handle time in seconds (instead of end)"),
}
_TIMES = ("arrival", "queue_entry", "queue_exit", "answer", "end")

#: outcome codes of the contract, in the records' numbering
OUTCOMES = {"blocked": OUTCOME_BLOCKED, "contained": OUTCOME_CONTAINED, "abandoned": OUTCOME_ABANDONED,
            "answered": OUTCOME_ANSWERED}
# codes recognised without a mapping (compared in lower case, spaces and dashes as underscores)
_OUTCOME_WORDS = {
    "answered": ("answered", "answer", "served", "agent", "handled", "connected", "completed", "ans"),
    "abandoned": ("abandoned", "abandon", "aband", "abn", "hang", "hangup", "hung_up", "lost", "abandoned_in_queue"),
    "contained": ("contained", "ivr", "vru", "self_service", "selfservice", "menu", "ivr_only"),
    "blocked": ("blocked", "busy", "busy_signal", "rejected"),
}
_NA = frozenset({"", "na", "n/a", "nan", "nat", "null", "none", "#n/a"})

#: longest time on hold or in the menu accepted for one call (s): no caller holds a day
MAX_WAIT_S = 86_400.0
#: the Kaplan-Meier curve replaces the best parametric patience fit when the fit strays by more than
#: this many Greenwood standard errors AND by more than STRAY_MIN_GAP (patience="auto")
STRAY_SE = 4.0
STRAY_MIN_GAP = 0.02
#: the fits are compared with Kaplan-Meier while at least this share of the waits is still on hold
GAP_AT_RISK = 0.01
#: the step of a replay and of its staffing estimate (s): agents come and go within a planning interval
REPLAY_STEP_S = 300.0
#: an agent idle longer than this between two calls was away (a break, the end of a shift) (s)
SPELL_GAP_S = 900.0
#: after-call work: gaps longer than this are breaks; a median under WRAP_MIN_S is a routing delay (s)
WRAP_MAX_S = 300.0
WRAP_MIN_S = 1.0
#: durations recorded as 0 (timestamps to the second) enter the log-scale fits at this value (s)
ZERO_DURATION_S = 0.5


def _limit(name: str) -> float:
    """The product's limit ``name`` (forecast.limits: one place for every limit), read when used."""
    return getattr(_limits, name)


# =====================================================================================================
# reading


@dataclass(frozen=True)
class _Source:
    """Where rows come from, so messages say "line 7" (CSV), "sheet 'Calls', row 7" or "row 7 (index 5)"."""

    label: str
    kind: str  # "csv" | "xlsx" | "frame"
    lines: np.ndarray  # the person's line/row number of each row (header = 1)
    sheet: str | None = None
    index: pd.Index | None = None

    def where(self, row: int) -> str:
        line = int(self.lines[row])
        if self.kind == "csv":
            return f"line {line}"
        if self.kind == "xlsx":
            return f"sheet {self.sheet!r}, row {line}"
        return f"row {line} (index {self.index[row]!r})" if self.index is not None else f"row {line}"

    def error(self, problem: str, row: int | None = None, column: str | None = None, value: Any = None,
              expected: str | None = None) -> DataError:
        return DataError(problem, path=self.label, line=None if row is None else int(self.lines[row]),
                         column=column, value=value, expected=expected,
                         where=None if row is None else self.where(row))


def _read(records: Any, name: str | None) -> tuple[pd.DataFrame, _Source]:
    """The raw table (cells as read) and where its rows come from."""
    if isinstance(records, pd.DataFrame):
        frame = records.reset_index(drop=True)
        src_index = records.index if not isinstance(records.index, pd.RangeIndex) else None
        label = name or "DataFrame"
        _check_shape(frame, label)
        lines = np.arange(len(frame), dtype=np.int64) + 2
        return frame, _Source(label, "frame", lines, index=src_index)
    if isinstance(records, (str, Path)):
        path = Path(records)
        label = name or str(records)
        try:
            size = path.stat().st_size
            if size > _limit("MAX_UPLOAD_BYTES"):
                raise DataError(f"the file is {size:,} bytes, above the limit of {_limit('MAX_UPLOAD_BYTES'):,} "
                                "bytes (MAX_UPLOAD_BYTES)", path=label, expected="a call log split by month")
            data = path.read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read the file ({exc.strerror or exc})", path=label) from None
        suffix = "".join(path.suffixes[-2:]).lower()
    elif isinstance(records, (bytes, bytearray, memoryview)):
        data = bytes(records)
        label = name or "upload"
        suffix = "".join(Path(name).suffixes[-2:]).lower() if name else ""
    elif hasattr(records, "read"):
        data = records.read()
        label = name or Path(str(getattr(records, "name", "upload"))).name
        suffix = "".join(Path(label).suffixes[-2:]).lower()
    else:
        raise DataError(f"call records must be a path, bytes, a file object or a DataFrame, got "
                        f"{type(records).__name__}")
    if len(data) > _limit("MAX_UPLOAD_BYTES"):
        raise DataError(f"the data is {len(data):,} bytes, above the limit of {_limit('MAX_UPLOAD_BYTES'):,} bytes "
                        "(MAX_UPLOAD_BYTES)", path=label, expected="a call log split by month")
    if data[:2] == b"\x1f\x8b" or suffix.endswith(".gz"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = gz.read(int(_limit("MAX_UPLOAD_BYTES")) + 1)
        except (OSError, EOFError) as exc:
            raise DataError(f"the gzip file is damaged ({exc})", path=label) from None
        if len(data) > _limit("MAX_UPLOAD_BYTES"):
            raise DataError("the file decompresses to more than the limit of "
                            f"{_limit('MAX_UPLOAD_BYTES'):,} bytes (MAX_UPLOAD_BYTES)", path=label)
    if data[:4] == b"PK\x03\x04" or suffix.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, label)
    return _read_csv(data, label)


def _check_shape(frame: pd.DataFrame, label: str) -> None:
    if frame.shape[1] > _limit("MAX_COLUMNS"):
        raise DataError(f"{frame.shape[1]:,} columns is above the limit of {_limit('MAX_COLUMNS')} columns "
                        "(MAX_COLUMNS)", path=label, expected="only the columns of the call-log contract")
    if len(frame) > _limit("MAX_ROWS"):
        raise DataError(f"{len(frame):,} rows is above the limit of {_limit('MAX_ROWS'):,} rows (MAX_ROWS)",
                        path=label, expected="one month of calls per file")
    if len(frame) == 0:
        raise DataError("the call log has no rows", path=label, expected="one row per call attempt")


def _decode(data: bytes, label: str) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DataError("the file is neither UTF-8 nor Windows-1252 text", path=label,
                    expected="a CSV file saved as UTF-8")


def _read_csv(data: bytes, label: str) -> tuple[pd.DataFrame, _Source]:
    text = _decode(data, label)
    head = text.split("\n", 1)[0]
    delim = max((",", ";", "\t", "|"), key=head.count)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL)
    except pd.errors.ParserError as exc:
        msg = str(exc)
        m = re.search(r"line (\d+), saw (\d+)", msg)
        if m:
            raise DataError(f"this line has {m.group(2)} fields but the header has fewer", path=label,
                            line=int(m.group(1)), expected="the same number of fields on every line") from None
        raise DataError(f"the CSV cannot be read ({msg})", path=label) from None
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty", path=label, expected="a header line and one row per call") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    blank = (frame.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy() if len(frame) else np.zeros(0, bool)
    lines = np.arange(len(frame), dtype=np.int64) + 2
    frame = frame.loc[~blank].reset_index(drop=True)
    _check_shape(frame, label)
    return frame, _Source(label, "csv", lines[~blank])


def _read_xlsx(data: bytes, label: str) -> tuple[pd.DataFrame, _Source]:
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        sheet = book.sheet_names[0]
        frame = pd.read_excel(book, sheet_name=sheet, dtype=object)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise DataError(f"the workbook cannot be read ({type(exc).__name__}: {exc})", path=label,
                        expected="an .xlsx workbook whose first sheet holds the call log") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    blank = frame.isna().all(axis=1).to_numpy()
    lines = np.arange(len(frame), dtype=np.int64) + 2
    frame = frame.loc[~blank].reset_index(drop=True)
    _check_shape(frame, label)
    return frame, _Source(label, "xlsx", lines[~blank], sheet=sheet)


def _resolve_columns(frame: pd.DataFrame, columns: Mapping[str, str] | None, src: _Source) -> dict[str, str]:
    """Contract name -> the table's column, from ``columns`` and exact (case-insensitive) names."""
    columns = dict(columns or {})
    unknown = sorted(set(columns) - set(CONTRACT))
    if unknown:
        raise ValueError(f"calibrate: columns= maps unknown contract names {unknown}; the contract names are "
                         f"{list(CONTRACT)}")
    have = {c.lower(): c for c in frame.columns}
    out: dict[str, str] = {}
    for key, col in columns.items():
        if col not in frame.columns:
            close = difflib.get_close_matches(str(col), list(frame.columns), n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            raise src.error(f"columns= maps {key!r} to column {col!r}, which is not in the file{hint}",
                            expected=f"one of the file's columns {list(frame.columns)[:12]}")
        out[key] = col
    taken = set(out.values())
    for key in CONTRACT:
        if key not in out and key in have and have[key] not in taken:
            out[key] = have[key]
    for key, (required, what) in CONTRACT.items():
        if required and key not in out:
            close = difflib.get_close_matches(key, list(frame.columns), n=3, cutoff=0.4)
            hint = f"; map yours with columns={{{key!r}: {close[0]!r}}}" if close else \
                f"; map yours with columns={{{key!r}: '<your column>'}}"
            raise src.error(f"no {key!r} column ({what}){hint}",
                            expected=f"the contract's columns {[k for k, v in CONTRACT.items() if v[0]]} "
                                     f"(the file has {list(frame.columns)[:12]})")
    return out


# =====================================================================================================
# parsing cells

_TIME_OF_DAY = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_OFFSET = re.compile(r"(?:[+-]\d{2}:?\d{2}|Z)$")
EXPECT_TIME = "a timestamp such as 2026-03-02 08:15:30 (ISO 8601), or give time_format="


def _text(col: pd.Series) -> pd.Series:
    """Cells as stripped text ('' for empty); datetimes and times in ISO form."""
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=False) != "string":
        def one(v: Any) -> str:
            if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                return ""
            if isinstance(v, pd.Timestamp):
                return v.isoformat(sep=" ")
            if hasattr(v, "isoformat"):
                return v.isoformat()
            return str(v)
        col = col.map(one)
    return col.astype(str).str.strip()


def _empty(text: pd.Series) -> np.ndarray:
    return text.str.lower().isin(_NA).to_numpy()


def _parse_times(frame: pd.DataFrame, col: str, src: _Source, tz: str | None, time_format: str | None,
                 day: pd.Series | None) -> pd.Series:
    """One timestamp column as datetime64 (NaT where empty); tz-aware when offsets or ``tz`` say so.

    Cells are ISO 8601 timestamps (or follow ``time_format``), or times of day added to ``day`` (the date
    column). One UTC offset is kept as it is; several (daylight saving) need ``tz``."""
    raw = frame[col]
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return _to_zone(pd.Series(pd.DatetimeIndex(raw)), src, col, tz, raw)
    text = _text(raw)
    todo = ~_empty(text)
    rows = np.arange(len(text))
    naive = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if day is not None:
        tod = text.str.match(_TIME_OF_DAY).to_numpy() & todo
        if tod.any():
            delta = pd.to_timedelta(text[tod], errors="coerce")
            bad = (delta.isna() | (delta >= pd.Timedelta(days=1))).to_numpy()
            if bad.any():
                r = int(rows[tod][bad][0])
                raise src.error(f"{text.iloc[r]!r} is not a time of day", r, col, text.iloc[r],
                                "a time of day such as 08:15:30")
            nat = day[tod].isna().to_numpy()
            if nat.any():
                r = int(rows[tod][nat][0])
                raise src.error("a time of day needs a date, and the date column is empty on this row", r, col,
                                text.iloc[r], "a date in the date column")
            naive[tod] = day[tod] + delta
            todo = todo & ~tod
    if not todo.any():
        return _to_zone(naive, src, col, tz, text)
    part = text[todo]
    offs = part.str.contains(_OFFSET).to_numpy() if time_format is None else np.zeros(len(part), bool)
    if offs.any() and not offs.all():
        minority = ~offs if offs.mean() >= 0.5 else offs
        r = int(rows[todo][minority][0])
        raise src.error("timestamps with and without UTC offsets are mixed in this column", r, col, text.iloc[r],
                        "every timestamp with an offset (e.g. 2026-03-02 08:15:30-05:00), or none")
    try:
        parsed = pd.to_datetime(part, format=time_format or "ISO8601", errors="coerce", utc=bool(offs.any()))
    except (ValueError, TypeError) as exc:
        raise src.error(f"the column cannot be read as timestamps ({exc})", None, col, expected=EXPECT_TIME) from None
    bad = parsed.isna().to_numpy()
    if bad.any():
        r = int(rows[todo][bad][0])
        raise src.error(f"{text.iloc[r]!r} is not a timestamp", r, col, text.iloc[r],
                        EXPECT_TIME if time_format is None else f"a timestamp in the format {time_format!r}")
    if not offs.any():
        naive[todo] = parsed
        return _to_zone(naive, src, col, tz, text)
    if naive.notna().any():
        r = int(np.flatnonzero(naive.notna().to_numpy())[0])
        raise src.error("times of day and timestamps with UTC offsets are mixed in this column", r, col,
                        text.iloc[r], "one kind of time per column")
    if tz is None:
        off = part.str.extract(r"([+-]\d{2}:?\d{2}|Z)$")[0].str.replace(":", "", regex=False)
        other = (off != off.iloc[0]).to_numpy()
        if other.any():
            r = int(rows[todo][other][0])
            raise src.error("the UTC offsets change within the log (daylight saving?)", r, col, text.iloc[r],
                            "the centre's time zone: calibrate(..., tz='America/Toronto')")
        zone = pd.Timestamp(part.iloc[0]).tz
    else:
        zone = tz
    out = pd.Series(pd.NaT, index=text.index, dtype=parsed.dtype)
    out[todo] = parsed
    try:
        out = out.dt.tz_convert(zone)
    except Exception as exc:  # an unknown zone name
        raise ValueError(f"calibrate: tz must be an IANA time zone such as 'America/Toronto', got {tz!r} "
                         f"({exc})") from None
    return _to_zone(out, src, col, tz, text)


def _to_zone(ts: pd.Series, src: _Source, col: str, tz: str | None, shown: pd.Series) -> pd.Series:
    if tz is not None and ts.dt.tz is None:
        try:
            ts = ts.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        except Exception as exc:  # an unknown zone name
            raise ValueError(f"calibrate: tz must be an IANA time zone such as 'America/Toronto', got {tz!r} "
                             f"({exc})") from None
        lost = ts.isna().to_numpy() & ~_empty(_text(shown) if shown.dtype == object else shown.astype(str))
        if lost.any():
            r = int(np.flatnonzero(lost)[0])
            raise src.error(f"{shown.iloc[r]} does not exist or happens twice in {tz} (a daylight-saving change)",
                            r, col, shown.iloc[r], "timestamps with UTC offsets around clock changes")
    elif tz is not None:
        ts = ts.dt.tz_convert(tz)
    years = ts.dt.year.to_numpy(dtype=np.float64, na_value=np.nan)
    off = np.flatnonzero((years < _limit("EARLIEST_YEAR")) | (years > _limit("LATEST_YEAR")))
    if off.size:
        r = int(off[0])
        raise src.error(f"year {int(years[r])} is outside {_limit('EARLIEST_YEAR')}-{_limit('LATEST_YEAR')}", r, col,
                        shown.iloc[r], "a date in a plausible year (a day and month swapped?)")
    return ts.reset_index(drop=True)


def _parse_seconds(frame: pd.DataFrame, col: str, src: _Source, upper: float) -> np.ndarray:
    text = _text(frame[col]) if frame[col].dtype == object else frame[col].astype(str)
    empty = _empty(text)
    vals = pd.to_numeric(text.where(~empty, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(~empty & (~np.isfinite(vals) | (vals < 0) | (vals > upper)))
    if bad.size:
        r = int(bad[0])
        raise src.error(f"{text.iloc[r]!r} is not a duration", r, col, text.iloc[r],
                        f"seconds from 0 to {upper:,.0f}")
    return vals


def _parse_outcomes(frame: pd.DataFrame, col: str, src: _Source, outcomes: Mapping[str, str] | None) -> np.ndarray:
    """Outcome of each row as a contract word, or "ignore"."""
    lookup: dict[str, str] = {}
    for word, codes in _OUTCOME_WORDS.items():
        for c in codes:
            lookup[c] = word
    for code, word in (outcomes or {}).items():
        if word not in OUTCOMES and word != "ignore":
            raise ValueError(f"calibrate: outcomes={{{code!r}: {word!r}}}: map each code to one of "
                             f"{list(OUTCOMES) + ['ignore']}")
        lookup[_norm(str(code))] = word
    text = _text(frame[col])
    keys = text.map(_norm)
    mapped = keys.map(lookup)
    bad = mapped.isna().to_numpy()
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        seen = sorted(set(text[bad].head(1000)))[:8]
        raise src.error(f"outcome {text.iloc[r]!r} is not known (codes not recognised: {seen})", r, col, text.iloc[r],
                        f"one of {list(OUTCOMES)}, or map your codes with outcomes={{{text.iloc[r]!r}: 'answered'}} "
                        "('ignore' leaves such rows out)")
    return mapped.to_numpy(dtype=object)


def _norm(code: str) -> str:
    return re.sub(r"[\s\-]+", "_", code.strip().lower())


def _ids(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Identifiers as text, None where empty."""
    text = _text(frame[col])
    out = text.to_numpy(dtype=object)
    out[_empty(text)] = None
    return out


# =====================================================================================================
# the log in one tidy frame


def _blank(frame: pd.DataFrame, cols: dict[str, str], empty: Any) -> pd.DataFrame:
    """The table with the cells that mean "none" emptied (see ``empty`` in :func:`calibrate`)."""
    if not empty:
        return frame
    if isinstance(empty, Mapping):
        unknown = sorted(set(empty) - set(CONTRACT))
        if unknown:
            raise ValueError(f"calibrate: empty= names unknown contract names {unknown}; the contract names are "
                             f"{list(CONTRACT)}")
        rules = {k: {str(v) for v in ([vals] if isinstance(vals, str) else vals)} for k, vals in empty.items()}
    elif isinstance(empty, (str, bytes)) or not isinstance(empty, Sequence):
        raise ValueError(f"calibrate: empty= must be a list of texts or a mapping of contract names to lists, "
                         f"got {empty!r}")
    else:
        rules = {k: {str(v) for v in empty} for k in CONTRACT if k not in ("arrival", "date", "outcome")}
    frame = frame.copy()
    for key, values in rules.items():
        if key in cols and values:
            text = _text(frame[cols[key]])
            frame[cols[key]] = text.where(~text.isin(values), "")
    return frame


def _read_log(records: Any, *, columns, outcomes, tz, name, time_format, date_format, empty, on_error
              ) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """Validate the call log: one tidy row per attempt (see :attr:`Calibration.calls`), notes, and the
    contract columns found (contract name -> the file's column)."""
    frame, src = _read(records, name)
    cols = _resolve_columns(frame, columns, src)
    frame = _blank(frame, cols, empty)
    notes: list[str] = []
    day = None
    if "date" in cols:
        dtext = _text(frame[cols["date"]])
        if pd.api.types.is_datetime64_any_dtype(frame[cols["date"]].dtype):
            day = pd.Series(pd.DatetimeIndex(frame[cols["date"]]).normalize())
        else:
            day = pd.to_datetime(dtext.where(~_empty(dtext), None), format=date_format or "ISO8601", errors="coerce")
            bad = day.isna().to_numpy() & ~_empty(dtext)
            if bad.any():
                r = int(np.flatnonzero(bad)[0])
                raise src.error(f"{dtext.iloc[r]!r} is not a date", r, cols["date"], dtext.iloc[r],
                                "a date such as 2026-03-02, or give date_format= (e.g. '%y%m%d')")
            day = day.dt.normalize()
    out = pd.DataFrame({"line": src.lines})
    for key in _TIMES:
        if key in cols:
            out[key] = _parse_times(frame, cols[key], src, tz, time_format, day)
    # one awareness for every column: the arrival's
    zone = out["arrival"].dt.tz
    for key in _TIMES[1:]:
        if key in out and out[key].dt.tz != zone:
            if (out[key].dt.tz is None) != (zone is None):
                r = int(np.flatnonzero(out[key].notna().to_numpy())[0])
                raise src.error("this column has UTC offsets and 'arrival' has none (or the reverse)", r, cols[key],
                                frame[cols[key]].iloc[r], "the same kind of timestamps as the arrival column")
            out[key] = out[key].dt.tz_convert(zone)
    if day is not None:  # a time of day before the arrival's belongs to the next day
        for key in _TIMES[1:]:
            if key in out:
                back = (out[key] < out["arrival"]).to_numpy() & out[key].notna().to_numpy()
                out.loc[back, key] = out.loc[back, key] + pd.DateOffset(days=1)
    out["outcome"] = _parse_outcomes(frame, cols["outcome"], src, outcomes)
    for key in ("agent", "caller", "call_type"):
        if key in cols:
            out[key] = _ids(frame, cols[key])
    for key, upper in (("wait_s", MAX_WAIT_S), ("handle_s", _limit("MAX_AHT_S"))):
        if key in cols:
            out[f"_{key}"] = _parse_seconds(frame, cols[key], src, upper)
    ignore = (out["outcome"] == "ignore").to_numpy()
    if ignore.any():
        notes.append(f"{int(ignore.sum()):,} rows mapped to 'ignore' by outcomes= were left out")
    keep = _check_consistency(out, cols, src, frame, notes, on_error) & ~ignore
    if not keep.any():
        raise src.error("no row is left to calibrate from", expected="calls with the contract's columns")
    out = out.loc[keep].reset_index(drop=True)
    for c in ("_wait_s", "_handle_s", "answer"):
        if c in out:
            del out[c]
    return out, notes, cols


def _check_consistency(out: pd.DataFrame, cols: dict[str, str], src: _Source, frame: pd.DataFrame,
                       notes: list[str], on_error: str) -> np.ndarray:
    """Fill derived times and check each row's times against its outcome (in place).

    Returns the rows to keep: all of them, as the first bad row raises a DataError naming it; with
    ``on_error="skip"`` the bad rows are left out and each rule's count and first line go into ``notes``."""
    bad = np.zeros(len(out), dtype=bool)
    live = (out["outcome"] != "ignore").to_numpy()

    def refuse(mask: np.ndarray, key: str, problem: str, expected: str) -> None:
        mask = mask & live & ~bad
        if not mask.any():
            return
        r = int(np.flatnonzero(mask)[0])
        col = cols.get(key, key)
        value = frame[col].iloc[r] if col in frame.columns else None
        if on_error == "skip":
            bad[mask] = True
            notes.append(f"{int(mask.sum()):,} row{'s' if mask.sum() > 1 else ''} left out: {problem} (first at "
                         f"{src.where(r)}, column {col!r}, value {value!r}; expected {expected})")
            return
        raise src.error(problem, r, col, value, expected)

    def masks():
        o = out["outcome"].to_numpy()
        return o == "answered", o == "abandoned", o == "contained", o == "blocked"

    ans, ab, cont, blk = masks()
    refuse(out["arrival"].isna().to_numpy(), "arrival", "the arrival time is empty", EXPECT_TIME)
    if "queue_exit" not in out:
        if "_wait_s" in out:
            if "queue_entry" not in out:
                out["queue_exit"] = out["arrival"] + pd.to_timedelta(out["_wait_s"], unit="s")
            else:
                out["queue_exit"] = out["queue_entry"] + pd.to_timedelta(out["_wait_s"], unit="s")
        elif "answer" not in out:
            raise src.error("no 'queue_exit' and no 'wait_s' column: the time callers spent on hold is unknown",
                            expected="a queue_exit timestamp (answer or hang-up time) or wait_s seconds; map yours "
                                     "with columns={'queue_exit': '<your column>'}")
        else:
            out["queue_exit"] = pd.Series(pd.NaT, index=out.index, dtype=out["answer"].dtype)
    if "answer" in out:  # the answer time of answered calls is their queue exit
        out["queue_exit"] = out["queue_exit"].where(~ans | out["answer"].isna(), out["answer"])
    if "queue_entry" not in out:
        out["queue_entry"] = out["arrival"].where(ans | ab)
    else:
        menu_hangup = ab & out["queue_entry"].isna().to_numpy()
        if menu_hangup.any():
            notes.append(f"{int(menu_hangup.sum()):,} abandoned calls never joined the queue (no queue_entry): they "
                         "hung up in the menu and are counted as menu-only calls (contained)")
            out.loc[menu_hangup, "outcome"] = "contained"
            out.loc[menu_hangup, "queue_exit"] = pd.NaT
            ans, ab, cont, blk = masks()
        direct = ans & out["queue_entry"].isna().to_numpy() & out["queue_exit"].notna().to_numpy()
        if direct.any():
            notes.append(f"{int(direct.sum()):,} answered calls have no queue entry time: answered without waiting "
                         "(queue entry = answer time)")
            out.loc[direct, "queue_entry"] = out.loc[direct, "queue_exit"]
        refuse((cont | blk) & out["queue_entry"].notna().to_numpy(), "queue_entry",
               f"a {'contained' if (cont & out['queue_entry'].notna().to_numpy()).any() else 'blocked'} call has a "
               "queue entry time", "empty (the call never joined the queue), or another outcome")
    refuse((ans | ab) & out["queue_exit"].isna().to_numpy(),
           "answer" if "answer" in cols else ("queue_exit" if "queue_exit" in cols else "wait_s"),
           "an answered or abandoned call has no queue exit time",
           "the answer time (answered) or hang-up time (abandoned)")
    refuse((cont | blk) & out["queue_exit"].notna().to_numpy(), "queue_exit",
           "a contained or blocked call has a queue exit time", "empty (the call never joined the queue)")
    if "end" not in out:
        if "_handle_s" in out:
            out["end"] = (out["queue_exit"] + pd.to_timedelta(out["_handle_s"], unit="s")).where(ans)
        else:
            raise src.error("no 'end' and no 'handle_s' column: handle times are unknown",
                            expected="an end timestamp or handle_s seconds; map yours with columns={'end': '<col>'}")
    refuse(ans & out["end"].isna().to_numpy(), "end" if "end" in cols else "handle_s",
           "an answered call has no end time", "the time the agent finished with the call")
    for a, b in (("arrival", "queue_entry"), ("queue_entry", "queue_exit"), ("queue_exit", "end")):
        mask = (out[b] < out[a]).to_numpy() & out[a].notna().to_numpy() & out[b].notna().to_numpy()
        if b == "end":
            mask &= ans
        col_b = "answer" if b == "queue_exit" and "answer" in cols and (mask & ans).any() else b
        first = int(np.flatnonzero(mask & live & ~bad)[0]) if (mask & live & ~bad).any() else 0
        refuse(mask, col_b, f"{b} ({out[b].iloc[first]}) is before {a} ({out[a].iloc[first]})", f"{a} <= {b}")
    refuse(cont & out["end"].notna().to_numpy() & (out["end"] < out["arrival"]).to_numpy(), "end",
           "the menu ended before the call arrived", "arrival <= end")
    wait = (out["queue_exit"] - out["queue_entry"]).dt.total_seconds().to_numpy()
    refuse(np.nan_to_num(wait) > MAX_WAIT_S, "queue_exit", f"the wait is longer than {MAX_WAIT_S:,.0f} s",
           "a wait under a day")
    menu = (out["queue_entry"] - out["arrival"]).dt.total_seconds().to_numpy()
    refuse(np.nan_to_num(menu) > MAX_WAIT_S, "queue_entry", f"the time in the menu is longer than {MAX_WAIT_S:,.0f} s",
           "a menu time under a day")
    handle = np.where(ans, (out["end"] - out["queue_exit"]).dt.total_seconds().to_numpy(), np.nan)
    refuse(np.nan_to_num(handle) > _limit("MAX_AHT_S"), "end",
           f"the handle time is longer than {_limit('MAX_AHT_S'):,.0f} s", "a handle time under 10 hours")
    named = ans & pd.isna(out["agent"]).to_numpy() if "agent" in out else np.zeros(len(out), bool)
    if named.any():
        notes.append(f"{int(named.sum()):,} answered calls carry no agent id (the staffing bounds count only the "
                     "agents named)")
    keys = [c for c in ("arrival", "outcome", "queue_entry", "queue_exit", "end", "agent", "caller", "call_type")
            if c in out]
    dup = out.duplicated(subset=keys, keep=False).to_numpy() & live & ~bad
    if dup.any():
        rows = np.flatnonzero(dup)
        first = rows[0]
        key = tuple(out.loc[first, keys])
        twin = next(int(r) for r in rows[1:] if tuple(out.loc[r, keys]) == key)
        if on_error != "skip":
            raise DataError(f"lines {src.lines[first]} and {src.lines[twin]} are the same call twice", path=src.label,
                            line=int(src.lines[twin]), where=f"{src.where(first)} and {src.where(twin)}",
                            expected="each call attempt once (remove the duplicated export rows)")
        again = out.duplicated(subset=keys, keep="first").to_numpy() & live & ~bad
        bad |= again
        notes.append(f"{int(again.sum()):,} row{'s' if again.sum() > 1 else ''} left out: the same call twice "
                     f"(first at {src.where(twin)}, the same as {src.where(first)})")
    arrivals = out.loc[live & ~bad, "arrival"]
    span = (arrivals.max() - arrivals.min()).total_seconds() / 86400.0 if len(arrivals) else 0.0
    if span > _limit("MAX_HORIZON_DAYS"):
        raise DataError(f"the log covers {span:,.0f} days, above the limit of {_limit('MAX_HORIZON_DAYS')} days "
                        "(MAX_HORIZON_DAYS)", path=src.label, expected="a month or a year of calls per file")
    return ~bad


# =====================================================================================================
# fits


def _num_hess(nll, x: np.ndarray) -> np.ndarray:
    """Numerical Hessian of ``nll`` at ``x`` (central differences)."""
    x = np.asarray(x, dtype=np.float64)
    k = len(x)
    h = 1e-4 * np.maximum(np.abs(x), 1.0)
    H = np.empty((k, k))
    f0 = nll(x)
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            if i == j:
                v = (nll(x + ei) - 2 * f0 + nll(x - ei)) / h[i] ** 2
            else:
                v = (nll(x + ei + ej) - nll(x + ei - ej) - nll(x - ei + ej) + nll(x - ei - ej)) / (4 * h[i] * h[j])
            H[i, j] = H[j, i] = v
    return H


def _covariance(nll, x: np.ndarray) -> np.ndarray:
    """Covariance of a maximum-likelihood estimate: the inverse observed information (NaN if singular)."""
    try:
        cov = np.linalg.inv(_num_hess(nll, x))
    except np.linalg.LinAlgError:
        return np.full((len(x), len(x)), np.nan)
    return cov if np.all(np.diag(cov) > 0) else np.full((len(x), len(x)), np.nan)


def _delta_se(grad: np.ndarray, cov: np.ndarray) -> float:
    v = float(grad @ cov @ grad)
    return math.sqrt(v) if math.isfinite(v) and v >= 0 else float("nan")


@dataclass(frozen=True)
class _PatienceFit:
    family: str
    mean: float
    cv: float
    params: dict[str, float]
    loglik: float
    n_params: int
    se_mean: float
    se_cv: float

    def frozen(self):
        p = self.params
        if self.family == "exponential":
            return stats.expon(scale=p["scale"])
        if self.family == "weibull":
            return stats.weibull_min(p["shape"], scale=p["scale"])
        return stats.lognorm(p["sigma"], scale=math.exp(p["mu"]))


def _fit_exponential(w: np.ndarray, ev: np.ndarray) -> _PatienceFit:
    d = int(ev.sum())
    mean = float(w.sum() / d)  # Mandelbaum-Zeltyn: total time on hold / abandonments
    ll = -d * math.log(mean) - float(w.sum()) / mean
    return _PatienceFit("exponential", mean, 1.0, {"scale": mean}, ll, 1, mean / math.sqrt(d), 0.0)


def _weibull_ll(log_k: float, log_lam: float, w: np.ndarray, lw_ev: np.ndarray, d: int) -> float:
    """Censored Weibull log-likelihood: sum over abandonments of log f(w) plus sum over all of log S(w)."""
    k = math.exp(log_k)
    tail = np.exp(k * (np.log(w[w > 0]) - log_lam)).sum()  # sum of (w / lam)^k; a wait of 0 adds nothing
    return d * (log_k - log_lam) + (k - 1) * float((lw_ev - log_lam).sum()) - float(tail)


def _weibull_moments(k: float, lam: float) -> tuple[float, float]:
    g1 = special.gammaln(1 + 1 / k)
    g2 = special.gammaln(1 + 2 / k)
    return lam * math.exp(g1), math.sqrt(max(math.expm1(g2 - 2 * g1), 0.0))


def _fit_weibull(w: np.ndarray, ev: np.ndarray) -> _PatienceFit:
    d = int(ev.sum())
    lw_ev = np.log(np.maximum(w[ev], ZERO_DURATION_S))
    pos = w > 0
    lw_pos = np.log(np.where(ev, np.maximum(w, ZERO_DURATION_S), w)[pos])

    def profile(log_k: float) -> float:  # scale profiled out: lam^k = sum w^k / d
        k = math.exp(log_k)
        log_s = special.logsumexp(k * lw_pos)
        return -(d * log_k - d * (log_s - math.log(d)) + (k - 1) * float(lw_ev.sum()) - d)

    res = optimize.minimize_scalar(profile, bounds=(math.log(0.1), math.log(20.0)), method="bounded",
                                   options={"xatol": 1e-9})
    k = math.exp(res.x)
    log_lam = (special.logsumexp(k * lw_pos) - math.log(d)) / k
    w_fit = np.where(ev, np.maximum(w, ZERO_DURATION_S), w)

    def nll(theta: np.ndarray) -> float:
        return -_weibull_ll(theta[0], theta[1], w_fit, lw_ev, d)

    theta = np.array([res.x, log_lam])
    cov = _covariance(nll, theta)
    lam = math.exp(log_lam)
    mean, cv = _weibull_moments(k, lam)
    # delta method for the mean and cv through (log k, log lam)
    eps = 1e-5
    m2, c2 = _weibull_moments(k * math.exp(eps), lam)
    se_mean = _delta_se(np.array([(m2 - mean) / eps, mean]), cov)
    se_cv = _delta_se(np.array([(c2 - cv) / eps, 0.0]), cov)
    return _PatienceFit("weibull", mean, cv, {"shape": k, "scale": lam}, -float(res.fun), 2, se_mean, se_cv)


def _fit_lognormal(w: np.ndarray, ev: np.ndarray) -> _PatienceFit:
    lw_ev = np.log(np.maximum(w[ev], ZERO_DURATION_S))
    cens = w[~ev]
    lw_c = np.log(cens[cens > 0])

    def nll(theta: np.ndarray) -> float:
        mu, log_s = theta
        s = math.exp(log_s)
        z_ev = (lw_ev - mu) / s
        z_c = (lw_c - mu) / s
        return -float((-0.5 * z_ev * z_ev - log_s - 0.5 * math.log(2 * math.pi) - lw_ev).sum()
                      + special.log_ndtr(-z_c).sum())

    x0 = np.array([lw_ev.mean() + 0.5, math.log(max(lw_ev.std(), 0.1))])
    res = optimize.minimize(nll, x0, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 4000})
    mu, s = float(res.x[0]), math.exp(float(res.x[1]))
    mean = math.exp(mu + s * s / 2)
    cv = math.sqrt(math.expm1(s * s))
    cov = _covariance(nll, res.x)
    se_mean = _delta_se(np.array([mean, mean * s * s]), cov)
    se_cv = _delta_se(np.array([0.0, math.exp(s * s) * s * s / cv if cv > 0 else 0.0]), cov)
    return _PatienceFit("lognormal", mean, cv, {"mu": mu, "sigma": s}, -float(res.fun), 2, se_mean, se_cv)


def _scale_mle(fit: _PatienceFit, w: np.ndarray, ev: np.ndarray) -> float:
    """Mean patience of a subgroup with the shape of ``fit`` kept (censored maximum likelihood)."""
    d = int(ev.sum())
    if fit.family == "exponential":
        return float(w.sum() / d)
    if fit.family == "weibull":
        k = fit.params["shape"]
        wf = np.where(ev, np.maximum(w, ZERO_DURATION_S), w)
        lam = (np.power(wf, k).sum() / d) ** (1 / k)
        return _weibull_moments(k, lam)[0]
    s = fit.params["sigma"]
    lw_ev = np.log(np.maximum(w[ev], ZERO_DURATION_S))
    cens = w[~ev]
    lw_c = np.log(cens[cens > 0])

    def nll(mu: float) -> float:
        return -float((-0.5 * ((lw_ev - mu) / s) ** 2).sum() + special.log_ndtr(-(lw_c - mu) / s).sum())

    mu = optimize.minimize_scalar(nll, bounds=(lw_ev.min() - 10, lw_ev.max() + 10), method="bounded").x
    return math.exp(mu + s * s / 2)


def _kaplan_meier(w: np.ndarray, ev: np.ndarray) -> dict[str, np.ndarray]:
    """Kaplan-Meier survival of patience at its event times (scipy.stats.ecdf), with Greenwood's se, the 95%
    log-log band and the number still waiting: arrays t, s (after the jump), s_before, se, lo, hi, at_risk."""
    res = stats.ecdf(stats.CensoredData(uncensored=w[ev], right=w[~ev]))
    t_all = res.sf.quantiles
    s_all = res.sf.probabilities
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # undefined where the curve reaches 0: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = res.sf.confidence_interval(0.95, method="log-log")
    ev_t, d = np.unique(w[ev], return_counts=True)
    keep = np.isin(t_all, ev_t)
    t, s = t_all[keep], s_all[keep]
    ws = np.sort(w)
    at_risk = len(ws) - np.searchsorted(ws, ev_t, side="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > d, d / (at_risk * (at_risk - d)), 0.0)
    return {"t": t, "s": s, "s_before": np.r_[1.0, s[:-1]], "se": s * np.sqrt(np.cumsum(terms)),
            "lo": ci.low.probabilities[keep], "hi": ci.high.probabilities[keep], "at_risk": at_risk}


def _km_gap(km: dict[str, np.ndarray], fit: _PatienceFit, n: int) -> tuple[float, bool]:
    """Largest distance between the fit's survival and Kaplan-Meier at its event times while at least
    GAP_AT_RISK of the ``n`` waits (and 20) are still on hold (beyond, a handful of callers make the curve),
    and whether the fit strays (see STRAY_SE, STRAY_MIN_GAP)."""
    body = km["at_risk"] >= max(20, GAP_AT_RISK * n)
    if not body.any():
        return 0.0, False
    t = km["t"][body]
    sf = fit.frozen().sf(t)
    after, before, se = km["s"][body], km["s_before"][body], km["se"][body]
    gap = np.maximum(np.abs(sf - after), np.abs(sf - before))
    stray = (np.abs(sf - after) > np.maximum(STRAY_SE * se, STRAY_MIN_GAP)).any()
    return float(gap.max()), bool(stray)


def _km_quantile(km: dict[str, np.ndarray], fit: _PatienceFit, t_max: float):
    """Quantile function of Kaplan-Meier, completed beyond the longest observed wait by ``fit`` (conditional)."""
    t, s = km["t"], km["s"]
    dist = fit.frozen()
    s_last = float(s[-1]) if len(s) else 1.0
    p_star = 1.0 - s_last
    f_tmax = float(dist.cdf(t_max))

    def q(p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=np.float64)
        out = np.empty_like(p)
        body = p <= p_star
        idx = np.searchsorted(1.0 - s, p[body] - 1e-12, side="left")
        out[body] = t[np.minimum(idx, len(t) - 1)]
        tail = ~body
        if tail.any():
            frac = (p[tail] - p_star) / max(1.0 - p_star, 1e-300)
            out[tail] = np.maximum(dist.ppf(f_tmax + frac * (1.0 - f_tmax)), t_max)
        return out

    return q


@dataclass(frozen=True)
class _HandleFit:
    aht: float
    dist: str
    cv: float
    quantiles: tuple[float, ...] | None
    table: pd.DataFrame
    quantile_frame: pd.DataFrame
    se_aht: float
    se_cv: float
    n: int


def _fit_handle(h: np.ndarray, cell: np.ndarray, choice: str) -> _HandleFit:
    """Handle-time shape relative to the mean of its cell (hour of day x call type); see the module docstring."""
    n = len(h)
    aht = float(h.mean())
    se_aht = float(h.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    codes, cell_idx = np.unique(cell, return_inverse=True)
    cnt = np.bincount(cell_idx)
    cell_mean = np.bincount(cell_idx, weights=h) / cnt
    hp = np.maximum(h, ZERO_DURATION_S)
    lh = np.log(hp)
    lmean = np.bincount(cell_idx, weights=lh) / cnt
    dev = lh - lmean[cell_idx]
    df = int(n - len(codes))
    sigma2 = float((dev * dev).sum() / df) if df > 0 else float(np.var(lh))
    cv_ln = math.sqrt(math.expm1(sigma2))
    se_sigma2 = sigma2 * math.sqrt(2.0 / df) if df > 0 else float("nan")
    se_cv = 0.5 * math.exp(sigma2) / cv_ln * se_sigma2 if cv_ln > 0 else float("nan")
    ratio = h / np.where(cell_mean[cell_idx] > 0, cell_mean[cell_idx], 1.0)
    sigma = math.sqrt(sigma2)
    lognorm = stats.lognorm(sigma, scale=math.exp(-sigma2 / 2))
    expo = stats.expon(scale=1.0)
    ks_ln = float(stats.kstest(ratio, lognorm.cdf).statistic)
    ks_ex = float(stats.kstest(ratio, expo.cdf).statistic)
    crit = 1.36 / math.sqrt(n)
    best = "lognormal" if ks_ln <= ks_ex else "exponential"
    best_ks = min(ks_ln, ks_ex)
    if choice == "auto":
        dist = "empirical" if best_ks > crit and n >= 2 else best
    else:
        dist = choice
    cv = {"lognormal": cv_ln, "exponential": 1.0}.get(dist, cv_ln)
    quantiles = None
    if dist == "empirical":
        emp = Empirical.from_samples(ratio * aht)
        quantiles = emp.values
        cv = emp.cv
    table = pd.DataFrame({
        "family": ["lognormal", "exponential", "empirical"],
        "mean_s": [aht, aht, aht],
        "cv": [cv_ln, 1.0, float(np.std(ratio) / np.mean(ratio))],
        "ks_distance": [ks_ln, ks_ex, 0.0],
        "ks_critical_5pct": [crit, crit, crit],
        "chosen": [dist == "lognormal", dist == "exponential", dist == "empirical"],
    })
    p = (np.arange(99) + 1) / 100.0
    qf = pd.DataFrame({"probability": p, "observed_s": np.quantile(ratio, p) * aht,
                       "lognormal_s": lognorm.ppf(p) * aht, "exponential_s": expo.ppf(p) * aht})
    return _HandleFit(aht, dist, float(cv), quantiles, table, qf, se_aht, float(se_cv), n)


# =====================================================================================================
# redials


def _fit_redials(p0: float, c_not: np.ndarray, delays: np.ndarray) -> tuple[float, float, float, float]:
    """Maximum likelihood redial probability and mean delay (s, exponential), with standard errors.

    delays: the delay of each failed attempt that was redialled (s); c_not: for each failed attempt that
    could have been redialled but was not, how long a redial could have been seen (s: the window, or up to
    the end of the log). Likelihood: p f(x) for a redial after x; (1 - p) + p S(c) for none seen by c."""
    r = len(delays)
    if r == 0:
        return 0.0, float("nan"), float("nan"), float("nan")
    total = float(delays.sum())

    def nll(theta: np.ndarray) -> float:
        p = special.expit(theta[0])
        dmean = math.exp(theta[1])
        ll = r * math.log(p) - r * theta[1] - total / dmean
        ll += float(np.log1p(p * np.expm1(-c_not / dmean)).sum())
        return -ll

    x0 = np.array([special.logit(min(max(p0, 1e-3), 1 - 1e-3)), math.log(max(delays.mean(), 1.0))])
    res = optimize.minimize(nll, x0, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000})
    p = float(special.expit(res.x[0]))
    dmean = float(math.exp(res.x[1]))
    cov = _covariance(nll, res.x)
    return p, dmean, _delta_se(np.array([p * (1 - p), 0.0]), cov), _delta_se(np.array([0.0, dmean]), cov)


# =====================================================================================================
# staffing from the agents' activity


def _step_stats(n: int, L: float, busy_on: np.ndarray, busy_off: np.ndarray, held_on: np.ndarray,
                held_off: np.ndarray) -> dict[str, np.ndarray]:
    """Per interval: mean and peak agents talking, time with someone held, mean talking while someone held."""
    T = n * L
    bounds = np.arange(n + 1, dtype=np.float64) * L
    t = np.concatenate([busy_on, busy_off, held_on, held_off, bounds])
    db = np.concatenate([np.ones(len(busy_on)), -np.ones(len(busy_off)), np.zeros(len(held_on) + len(held_off)),
                         np.zeros(n + 1)])
    dh = np.concatenate([np.zeros(len(busy_on) + len(busy_off)), np.ones(len(held_on)), -np.ones(len(held_off)),
                         np.zeros(n + 1)])
    order = np.argsort(t, kind="stable")
    t, db, dh = t[order], db[order], dh[order]
    busy = np.cumsum(db)
    held = np.cumsum(dh)
    length = np.diff(t)
    start = t[:-1]
    ok = (length > 0) & (start >= 0) & (start < T)
    k = np.minimum((start[ok] // L).astype(np.int64), n - 1)
    b, h, ln = busy[:-1][ok], held[:-1][ok], length[ok]
    mean_busy = np.bincount(k, weights=b * ln, minlength=n) / L
    peak = np.zeros(n)
    np.maximum.at(peak, k, b)
    on_hold = h > 0
    held_time = np.bincount(k[on_hold], weights=ln[on_hold], minlength=n)
    busy_held = np.bincount(k[on_hold], weights=(b * ln)[on_hold], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        while_held = np.where(held_time > 0, busy_held / np.maximum(held_time, 1e-300), np.nan)
    return {"mean_busy": mean_busy, "peak": peak, "held_s": held_time, "while_held": while_held}


def _in_spells(n: int, L: float, on: np.ndarray, off: np.ndarray, agent: np.ndarray) -> np.ndarray:
    """Average agents at work per interval: an agent is at work from the start of a call to the end of the last
    call that follows with idle gaps of at most SPELL_GAP_S (a longer gap is a break or the end of a shift)."""
    named = pd.notna(agent)
    if not named.any():
        return np.zeros(n)
    codes = pd.factorize(pd.Series(agent[named], dtype=object))[0]
    order = np.lexsort((on[named], codes))
    c, s0, s1 = codes[order], on[named][order], off[named][order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    # the end of each agent's work so far (one agent's calls may overlap in a log)
    run_end = np.concatenate([np.maximum.accumulate(seg) for seg in np.split(s1, starts[1:])])
    new = np.r_[True, (c[1:] != c[:-1]) | (s0[1:] - run_end[:-1] > SPELL_GAP_S)]
    spell = np.cumsum(new) - 1
    last = np.zeros(spell[-1] + 1)
    np.maximum.at(last, spell, s1)
    return _step_stats(n, L, s0[new], last, np.zeros(0), np.zeros(0))["mean_busy"]


def _distinct_agents(n: int, L: float, on: np.ndarray, off: np.ndarray, agent: np.ndarray) -> np.ndarray:
    """Distinct agent ids talking in each interval (calls [on, off) overlap it)."""
    named = np.array([a is not None for a in agent], dtype=bool)
    if not named.any():
        return np.full(n, np.nan)
    codes, _ = pd.factorize(pd.Series(agent[named], dtype=object))
    a = np.clip((on[named] // L).astype(np.int64), 0, n - 1)
    b = np.clip((np.maximum(off[named] - 1e-9, on[named]) // L).astype(np.int64), 0, n - 1)
    span = b - a + 1
    k = np.repeat(a, span) + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
    who = np.repeat(codes, span)
    pairs = np.unique(k * (codes.max() + 1) + who)
    return np.bincount(pairs // (codes.max() + 1), minlength=n).astype(np.float64)


# =====================================================================================================
# the result


@dataclass(frozen=True, eq=False)
class FitReport:
    """The fit report: tables, and tidy frames for the charts (the app draws them).

    parameters: one row per estimated parameter: ``name, value, se, unit, method`` (se: standard error,
        NaN where not defined).
    handle_fits: ``family, mean_s, cv, ks_distance, ks_critical_5pct, chosen``.
    patience_fits: ``family, mean_s, cv, se_mean_s, loglik, aic, max_gap_km, strays, chosen`` (exponential
        is the Mandelbaum-Zeltyn estimate).
    kaplan_meier: tidy curves ``wait_s, curve, survival, lo, hi`` with curve in ``kaplan_meier`` (band in
        lo/hi) and the fitted families (lo/hi NaN), over the observed waits.
    handle_by_hour: ``hour, call_type, calls, aht_s, p25_s, median_s, p75_s`` ("all" rows for every type).
    handle_quantiles: ``probability, observed_s, lognormal_s, exponential_s`` (a Q-Q plot at the mean).
    arrivals: per interval ``ds, attempts, first_attempts, queued, answered, abandoned, contained, blocked``.
    staffing: per interval ``ds, agents, lower, upper, peak, held_s, rule``.
    replay_staffing: the same per replay step (5 minutes), what a replay runs on.
    """

    parameters: pd.DataFrame
    handle_fits: pd.DataFrame
    patience_fits: pd.DataFrame
    kaplan_meier: pd.DataFrame
    handle_by_hour: pd.DataFrame
    handle_quantiles: pd.DataFrame
    arrivals: pd.DataFrame
    staffing: pd.DataFrame
    replay_staffing: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Calibration:
    """What :func:`calibrate` read off a call log (see the module docstring).

    demand: first attempts per interval, ``aht_s`` per interval (and per call type, with the mix).
    scenario: the calibrated policy. staffing: the estimated :class:`simulate.StaffingPlan` (a table).
    calls: the validated log, one row per attempt: ``line`` (in the file), ``arrival, queue_entry,
        queue_exit, end`` (timestamps), ``outcome`` (contract word), ``agent, caller, call_type`` when
        given, and derived ``interval`` (index of the arrival interval), ``t_s`` (arrival, seconds from
        ``demand.ds[0]``), ``ivr_s, wait_s, talk_s`` (seconds, NaN where not defined), ``handle_s``
        (``talk_s`` plus the after-call work, the model's handle time), ``attempt``
        (1 = first, then redials of the same caller), ``replay_t_s`` (queue entry minus the mean menu
        time: when the attempt arrives in a replay; NaN for calls that never joined the queue).
    observed: per interval ``ds, queued, answered, abandoned, answered_within, wait_answered_s,
        service_level, abandon_rate, asa_s, aht_s, agents`` (queued attempts by replay arrival interval;
        metric definitions as in :data:`simulate.METRICS`).
    report: the :class:`FitReport`. patience_mz_s: the Mandelbaum-Zeltyn exponential patience mean (s),
    what Erlang A takes. replay_staffing / replay_interval_s: the staffing estimated per replay step
    (:data:`REPLAY_STEP_S`, 5 minutes, when it divides the interval): agents come and go within a
    half-hour, and a whole number per 5 minutes keeps what rounding per half-hour loses; a replay runs on
    it. notes: sentences about what was read and assumed.
    """

    demand: Demand
    scenario: Scenario
    staffing: StaffingPlan
    calls: pd.DataFrame
    observed: pd.DataFrame
    report: FitReport
    patience_mz_s: float | None
    replay_staffing: StaffingPlan | None = None
    replay_interval_s: float | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def interval_s(self) -> float:
        return self.demand.interval_s

    @property
    def replay_scenario(self) -> Scenario:
        """The scenario of a replay: the calibrated policy with the menu's containment, lines and redials
        off (a replay holds exactly the attempts that joined the queue, each at ``replay_t_s``; the menu time
        is kept so that each joins the queue when it did)."""
        return self.scenario.replace(ivr_containment=0.0, lines=None, redial_prob=0.0, residual_aht_factor=1.0,
                                     callback_threshold=None)

    def replay(self, *, handle: str = "observed", patience: str = "drawn", seed: int = 0) -> Demand:
        """A :class:`simulate.Demand` replaying every attempt that joined the queue at its observed time.

        handle: "observed" (answered calls keep their handle time; the others draw one) or "drawn" (every
        handle time drawn from the scenario, at the interval's mean).
        patience: "drawn" (every caller draws a patience: the model's check) or "observed" (an abandoned
        caller's patience is its wait; an answered caller's is drawn from the fitted patience given that it
        exceeds its wait, with ``seed``): with the true staffing and observed handle times this reproduces
        every wait of the log exactly (the strongest check of the queue logic).
        The demand is on the replay step (:attr:`replay_interval_s`). Run it with :attr:`replay_scenario` and
        a staffing plan (:attr:`replay_staffing`, the estimate, or any plan).
        """
        if handle not in ("observed", "drawn"):
            raise ValueError(f"replay: handle must be 'observed' or 'drawn', got {handle!r}")
        if patience not in ("observed", "drawn"):
            raise ValueError(f"replay: patience must be 'observed' or 'drawn', got {patience!r}")
        c = self.calls
        q = c["outcome"].isin(["answered", "abandoned"]).to_numpy()
        part = c.loc[q]
        frame = pd.DataFrame({"arrival": self.demand.ds[0] + pd.to_timedelta(part["replay_t_s"].to_numpy(), unit="s")})
        if "call_type" in part:
            frame["call_type"] = part["call_type"].to_numpy()
        answered = (part["outcome"] == "answered").to_numpy()
        frame["service_s"] = np.where(answered, part["handle_s"].to_numpy(), np.nan) if handle == "observed" \
            else np.nan
        if patience == "observed":
            frame["patience_s"] = self._observed_patience(part, answered, seed)
        replay = Demand.from_arrivals(frame, interval=self.replay_interval_s or self.interval_s,
                                      start=self.demand.ds[0], end=self.demand.end,
                                      call_type="call_type" if "call_type" in frame else None, service="service_s",
                                      patience="patience_s" if patience == "observed" else None)
        # handle times drawn in the replay are around the calibrated interval's (and type's) mean
        steps = int(round(self.interval_s / replay.interval_s))
        assert self.demand.aht_s is not None  # calibrate() measures handle time in every interval
        aht = np.repeat(self.demand.aht_s, steps)
        type_aht = None
        if replay.type_calls is not None and self.demand.type_aht_s is not None:
            cols = pd.Index(self.demand.types).get_indexer(list(replay.types))
            type_aht = np.repeat(self.demand.type_aht_s[:, cols], steps, axis=0)
        return dataclasses.replace(replay, aht_s=aht, type_aht_s=type_aht)

    def _observed_patience(self, part: pd.DataFrame, answered: np.ndarray, seed: int) -> np.ndarray:
        s = self.scenario
        if s.patience is None:
            return np.where(answered, np.inf, part["wait_s"].to_numpy())
        wait = part["wait_s"].to_numpy()
        table = s.type_table()
        if "call_type" in part and s.call_types:
            idx = pd.Index([str(x) for x in table["names"]]).get_indexer(part["call_type"].astype(str))
            mean = table["patience"][idx]
        else:
            mean = np.full(len(part), table["patience"][0])
        f_w = _duration_cdf(wait, mean, s.patience_dist, s.patience_cv, s.patience_quantiles)
        u = np.random.default_rng(seed).random(len(part))
        p = np.minimum(f_w + u * (1.0 - f_w), np.nextafter(1.0, 0.0))
        drawn = duration_quantile(p, mean, s.patience_dist, s.patience_cv, s.patience_quantiles)
        beyond = np.where(drawn > wait, drawn, wait + 1.0)
        return np.where(answered, beyond, wait)

    def summary(self) -> str:
        """The calibration in plain sentences and a parameter table (what ``str()`` prints)."""
        p = self.report.parameters
        lines = [f"Calibration of {len(self.calls):,} call attempts, {self.demand.ds[0]} to {self.demand.end} "
                 f"({len(self.demand)} intervals of {self.interval_s / 60:g} min)", ""]
        width = max(len(n) for n in p["name"])
        for row in p.itertuples(index=False):
            val = row.value
            shown = f"{val:,.4g}" if isinstance(val, (int, float, np.floating)) and not isinstance(val, bool) \
                else str(val)
            se = f" ± {row.se:.2g}" if isinstance(row.se, float) and math.isfinite(row.se) else ""
            lines.append(f"  {row.name:<{width}}  {shown}{se} {row.unit}  ({row.method})")
        if self.notes:
            lines += ["", "Notes:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _duration_cdf(x: np.ndarray, mean: np.ndarray, dist: str, cv: float, quantiles) -> np.ndarray:
    """P(duration <= x) for a scenario's duration family at the given means (the inverse of
    :func:`simulate.scenario.duration_quantile`)."""
    x = np.asarray(x, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if dist == "exponential":
            return -np.expm1(-x / mean)
        if dist == "weibull":
            k = weibull_shape_for_cv(cv)
            lam = mean / math.gamma(1 + 1 / k)
            return -np.expm1(-np.power(x / lam, k))
        if dist == "lognormal":
            sig = math.sqrt(math.log1p(cv * cv))
            return special.ndtr((np.log(np.maximum(x, 1e-300)) - (np.log(mean) - sig * sig / 2)) / sig)
        emp = Empirical(quantiles)
        return emp.cdf(x / mean * emp.mean)


# =====================================================================================================
# calibrate


@dataclass(frozen=True, eq=False)
class _Times:
    """The log on the demand's grid: seconds from ``start`` of every event and the outcome masks."""

    start: pd.Timestamp
    n: int
    L: float
    arrival: np.ndarray
    queue_entry: np.ndarray
    queue_exit: np.ndarray
    end: np.ndarray
    answered: np.ndarray
    abandoned: np.ndarray
    contained: np.ndarray
    blocked: np.ndarray

    @property
    def queued(self) -> np.ndarray:
        return self.answered | self.abandoned

    @property
    def grid(self) -> pd.DatetimeIndex:
        return pd.date_range(start=self.start, periods=self.n, freq=pd.Timedelta(seconds=self.L))


def _times(log: pd.DataFrame, step: float, label: str) -> _Times:
    """Seconds of every event from local midnight of the first day; the grid ends at midnight after the last."""
    start = _day_start(log["arrival"].min())
    end = _day_start(log["arrival"].max()) + pd.DateOffset(days=1)
    n = int(math.ceil((end - start).total_seconds() / step - 1e-9))

    def secs(col: str) -> np.ndarray:
        return (log[col] - start).dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan)

    o = log["outcome"].to_numpy()
    t = _Times(start, n, step, secs("arrival"), secs("queue_entry"), secs("queue_exit"), secs("end"),
               o == "answered", o == "abandoned", o == "contained", o == "blocked")
    if not t.queued.any():
        raise DataError("no call in the log joined the agent queue (no answered or abandoned calls)", path=label,
                        expected="answered and abandoned calls to calibrate the queue from")
    if not t.answered.any():
        raise DataError("no call in the log was answered: handle times cannot be read", path=label,
                        expected="answered calls with their end times")
    return t


def _day_start(ts: pd.Timestamp) -> pd.Timestamp:
    """Local midnight of the day of ``ts`` (the demand's period starts on a day boundary)."""
    if ts.tz is None:
        return ts.floor("D")
    return ts.tz_localize(None).floor("D").tz_localize(ts.tz)


def _param(name: str, value: Any, se: float, unit: str, method: str) -> dict[str, Any]:
    return {"name": name, "value": value, "se": se, "unit": unit, "method": method}


_NAN = float("nan")


def _redials(t: _Times, log: pd.DataFrame, window: float, base: Scenario, params: list, notes: list
             ) -> tuple[np.ndarray, float, float, int]:
    """Attempt number of each row, and redial_prob, redial_delay, max_attempts (see the module docstring)."""
    attempt = np.ones(len(log), dtype=np.int64)
    if "caller" not in log or not pd.notna(log["caller"]).any():
        notes.append("no caller ids: every attempt is counted as a new call and redials cannot be told apart "
                     "(redial_prob = 0)")
        return attempt, 0.0, base.redial_delay, base.max_attempts
    fail_time = np.where(t.abandoned, t.queue_exit, np.where(t.blocked, t.arrival, np.nan))
    caller = log["caller"].to_numpy(dtype=object)
    named = pd.notna(caller)
    codes = np.full(len(log), -1, dtype=np.int64)
    codes[named] = pd.factorize(pd.Series(caller[named], dtype=object))[0]
    order = np.lexsort((t.arrival, codes))
    c, arr, fail = codes[order], t.arrival[order], fail_time[order]
    gap = arr[1:] - fail[:-1]
    is_redial = np.r_[False, (c[1:] == c[:-1]) & (c[1:] >= 0) & np.isfinite(gap) & (gap >= -1e-9) & (gap <= window)]
    chain = np.cumsum(~is_redial)
    pos = np.arange(len(order)) - np.flatnonzero(~is_redial)[chain - 1] + 1
    attempt[order] = pos
    max_attempts = int(attempt.max())
    # failures that could have been redialled; the delay of those that were; how long the others were watched
    redialled = np.r_[is_redial[1:], False]
    eligible = np.isfinite(fail) & (pos < max_attempts)
    delays = (arr[1:] - fail[:-1])[(redialled & eligible)[:-1]]
    watched = np.clip(np.minimum(window, t.n * t.L - fail), 0.0, None)
    p0 = len(delays) / max(int(eligible.sum()), 1)
    prob, delay, se_p, se_d = _fit_redials(p0, watched[eligible & ~redialled], delays)
    if not math.isfinite(delay) or delay <= 0:
        delay = base.redial_delay
    params += [
        _param("redial_prob", prob, se_p, "share", f"maximum likelihood over {int(eligible.sum()):,} failed attempts "
               f"that could be redialled ({len(delays):,} were, within {window / 3600:g} h)"),
        _param("redial_delay", delay, se_d, "s", "exponential mean, same likelihood (failures near the end of the "
               "log censored)"),
        _param("max_attempts", max_attempts, _NAN, "attempts", "longest chain of attempts seen"),
    ]
    return attempt, prob, delay, max_attempts


def _menu(t: _Times, ivr: np.ndarray, has_queue_entry: bool, params: list) -> tuple[float, float]:
    """ivr_containment and ivr_time (s)."""
    got_line = ~t.blocked
    share = float(t.contained.sum() / max(got_line.sum(), 1))
    se = math.sqrt(share * (1 - share) / max(got_line.sum(), 1))
    known = ivr[np.isfinite(ivr)]
    if has_queue_entry and known.size:
        ivr_time = float(max(known.mean(), 0.0))
        se_t = float(known.std(ddof=1) / math.sqrt(known.size)) if known.size > 1 else 0.0
        how = "mean time in the menu (queue entry - arrival; end - arrival for menu-only calls)"
    else:
        ivr_time, se_t = 0.0, _NAN
        how = "no queue_entry column: callers join the queue when they arrive"
    params += [
        _param("ivr_containment", share, se, "share", f"menu-only calls / calls that got a line "
               f"({int(t.contained.sum()):,} / {int(got_line.sum()):,})"),
        _param("ivr_time", ivr_time, se_t, "s", how),
    ]
    return share, ivr_time


@dataclass(frozen=True)
class _Patience:
    mean: float | None
    dist: str
    cv: float
    quantiles: tuple[float, ...] | None
    mz: float | None
    fits: dict[str, _PatienceFit]
    table: pd.DataFrame
    curves: pd.DataFrame


def _patience(w: np.ndarray, ev: np.ndarray, choice: str, params: list, notes: list) -> _Patience:
    """Kaplan-Meier, the three censored fits, the choice (see the module docstring)."""
    table_cols = ["family", "mean_s", "cv", "se_mean_s", "loglik", "aic", "max_gap_km", "strays", "chosen"]
    if not ev.any():
        notes.append("no caller abandoned: patience cannot be estimated (callers never hang up in the scenario)")
        return _Patience(None, "exponential", 1.0, None, None, {}, pd.DataFrame(columns=table_cols),
                         pd.DataFrame(columns=["wait_s", "curve", "survival", "lo", "hi"]))
    km = _kaplan_meier(w, ev)
    fits = {"exponential": _fit_exponential(w, ev)}
    if ev.sum() >= 2:
        for fam, fn in (("weibull", _fit_weibull), ("lognormal", _fit_lognormal)):
            try:
                fits[fam] = fn(w, ev)
            except (ValueError, FloatingPointError, np.linalg.LinAlgError, OverflowError) as exc:
                notes.append(f"the {fam} patience fit failed ({exc}); not considered")
    gaps = {f: _km_gap(km, fit, len(w)) for f, fit in fits.items()}
    best = min(gaps, key=lambda f: gaps[f][0])
    chosen = ("empirical" if gaps[best][1] else best) if choice == "auto" else choice
    if chosen not in fits and chosen != "empirical":
        raise ValueError(f"calibrate: the {chosen} patience fit is not available ({len(w)} waits, "
                         f"{int(ev.sum())} abandonments)")
    fit = fits[best] if chosen == "empirical" else fits[chosen]
    quantiles = None
    if chosen == "empirical":
        emp = Empirical.from_quantile(_km_quantile(km, fit, float(w.max())))
        mean, cv, quantiles = emp.mean, emp.cv, emp.values
    else:
        mean, cv = fit.mean, float(min(max(fit.cv, 0.05), 20.0))
    rows = [{"family": f, "mean_s": x.mean, "cv": x.cv, "se_mean_s": x.se_mean, "loglik": x.loglik,
             "aic": 2 * x.n_params - 2 * x.loglik, "max_gap_km": gaps[f][0], "strays": gaps[f][1],
             "chosen": f == chosen} for f, x in fits.items()]
    if chosen == "empirical":
        rows.append({"family": "empirical", "mean_s": mean, "cv": cv, "se_mean_s": _NAN, "loglik": _NAN,
                     "aic": _NAN, "max_gap_km": 0.0, "strays": False, "chosen": True})
    grid = np.linspace(0.0, float(w.max()), 200)
    curves = [pd.DataFrame({"wait_s": km["t"], "curve": "kaplan_meier", "survival": km["s"], "lo": km["lo"],
                            "hi": km["hi"]})]
    curves += [pd.DataFrame({"wait_s": grid, "curve": f, "survival": x.frozen().sf(grid), "lo": np.nan, "hi": np.nan})
               for f, x in fits.items()]
    mz = fits["exponential"]
    params += [
        _param("patience", mean, fit.se_mean if chosen != "empirical" else _NAN, "s",
               f"{chosen} fit to {len(w):,} waits ({int(ev.sum()):,} abandoned; answered waits censored)"),
        _param("patience_dist", chosen, _NAN, "", f"the family closest to Kaplan-Meier (largest gap "
               f"{gaps[best][0]:.3f}: {best})" + ("; it strays, so Kaplan-Meier itself" if chosen == "empirical"
                                                   and choice == "auto" else "")),
        _param("patience_cv", cv, fit.se_cv if chosen in ("weibull", "lognormal") else _NAN, "",
               "of the chosen distribution"),
        _param("patience_mz", mz.mean, mz.se_mean, "s", "Mandelbaum-Zeltyn: total time on hold / abandonments (the "
               "exponential fit; Erlang A's input)"),
    ]
    return _Patience(mean, chosen, cv, quantiles, mz.mean, fits, pd.DataFrame(rows, columns=table_cols),
                     pd.concat(curves, ignore_index=True))


def _call_types(log: pd.DataFrame, t: _Times, attempt: np.ndarray, pat: _Patience) -> tuple[CallType, ...]:
    """One CallType per type seen: share of first attempts, mean handle time, patience mean (shape kept)."""
    ctype = log["call_type"].to_numpy(dtype=object)
    share = pd.Series(ctype[attempt == 1]).value_counts(normalize=True, sort=False)
    wait = log["wait_s"].to_numpy()
    out = []
    for name in pd.unique(ctype):
        mine = ctype == name
        h = log["handle_s"].to_numpy()[mine & t.answered]
        q = mine & t.queued
        ev = t.abandoned[q]
        mean_pat = None
        if pat.mean is not None and ev.sum() >= 30:  # fewer abandonments: the type takes the pooled patience
            if pat.dist == "empirical":
                assert pat.mz is not None  # fitted with every patience model
                mean_pat = pat.mean * float(wait[q].sum() / ev.sum()) / pat.mz
            else:
                mean_pat = _scale_mle(pat.fits[pat.dist], wait[q], ev)
        out.append(CallType(name=str(name), share=float(share.get(name, 0.0)),
                            aht=float(h.mean()) if h.size else None, patience=mean_pat))
    total = sum(c.share for c in out)
    return tuple(dataclasses.replace(c, share=c.share / total) for c in out)


def _lines(t: _Times, interval: np.ndarray, ivr_time: float, params: list, notes: list) -> int | None:
    """Trunk lines: the most calls in the centre at once, when calls were blocked while it took others."""
    took = np.bincount(interval[~t.blocked], minlength=t.n) > 0
    blocked_open = t.blocked & took[interval]
    if not blocked_open.any():
        if t.blocked.any():
            notes.append(f"{int(t.blocked.sum()):,} blocked attempts, all in intervals where the centre took no call "
                         "(closed): lines are not estimated")
        return None
    held_until = np.where(t.answered, t.end, np.where(t.abandoned, t.queue_exit,
                                                      np.where(np.isfinite(t.end), t.end, t.arrival + ivr_time)))
    on, off = t.arrival[~t.blocked], held_until[~t.blocked]
    tt = np.concatenate([on, off])
    dd = np.concatenate([np.ones(len(on)), -np.ones(len(off))])
    lines = int(np.cumsum(dd[np.lexsort((dd, tt))]).max())  # a call ending frees its line before another starts
    params.append(_param("lines", lines, _NAN, "lines", f"most calls in the centre at once "
                         f"({int(blocked_open.sum()):,} calls blocked while the centre took calls)"))
    return lines


def _after_call_work(t: _Times, log: pd.DataFrame, hold_threshold_s: float, given: str | float, params: list,
                     notes: list) -> float:
    """Seconds an agent stays unavailable after the recorded end of a call (see the module docstring)."""
    if given != "auto":
        params.append(_param("after_call_work", float(given), _NAN, "s", "given"))
        return float(given)
    if "agent" not in log:
        return 0.0
    ids = log["agent"].to_numpy(dtype=object)[t.answered]
    named = pd.notna(ids)
    if named.sum() < 2:
        return 0.0
    on, off = t.queue_exit[t.answered][named], t.end[t.answered][named]
    joined = t.queue_entry[t.answered][named]
    codes = pd.factorize(pd.Series(ids[named], dtype=object))[0]
    order = np.lexsort((on, codes))
    same = codes[order][1:] == codes[order][:-1]
    gap = (on[order][1:] - off[order][:-1])[same]
    # the agent's next caller was already on hold (past a routing delay) when this call ended: the agent went to
    # them as soon as free, so the gap is the work after the call
    waiting = (joined[order][1:] + hold_threshold_s <= off[order][:-1])[same]
    use = waiting & (gap >= 0) & (gap <= WRAP_MAX_S)
    if use.sum() < 30:
        notes.append(f"after-call work not estimated: only {int(use.sum())} agents went from a call to a caller "
                     "already on hold; handle time is the recorded time (end - answer)")
        return 0.0
    # the median, not the mean: agents who leave at a shift change (fewer on duty: "finish the call, then
    # leave") or take a break make long gaps that are not after-call work, and they are a minority; in a log
    # without after-call work most gaps are exactly 0 and so is the median
    g = gap[use]
    wrap = float(np.median(g))
    # standard error of the median from the order statistics around it (a 95% distribution-free interval / 3.92)
    k = int(round(1.96 * math.sqrt(len(g)) / 2))
    srt = np.sort(g)
    mid = len(g) // 2
    se = float((srt[min(mid + k, len(g) - 1)] - srt[max(mid - k, 0)]) / 3.92)
    if wrap < WRAP_MIN_S:
        wrap = 0.0
    params.append(_param("after_call_work", wrap, se, "s", f"median time from an agent's recorded end of a call to "
                         f"their next answer, when that caller was already on hold ({int(use.sum()):,} calls; under "
                         f"{WRAP_MIN_S:g} s taken as 0); added to every handle time"))
    return wrap


def _staffing(t: _Times, log: pd.DataFrame, hold_threshold_s: float, step: float) -> pd.DataFrame:
    """The staffing estimate per ``step`` seconds and its bounds (see the module docstring)."""
    n = int(round(t.n * t.L / step))
    wait = log["wait_s"].to_numpy()
    held = t.queued & (wait > hold_threshold_s)
    st = _step_stats(n, step, t.queue_exit[t.answered], t.end[t.answered],
                     t.queue_entry[held] + hold_threshold_s, t.queue_exit[held])
    quiet = st["peak"]
    upper = np.full(n, np.nan)
    if "agent" in log:
        ids = log["agent"].to_numpy(dtype=object)[t.answered]
        upper = _distinct_agents(n, step, t.queue_exit[t.answered], t.end[t.answered], ids)
        quiet = np.maximum(quiet, np.floor(_in_spells(n, step, t.queue_exit[t.answered], t.end[t.answered], ids) + 0.5))
    agents = np.where(st["held_s"] > 0, np.floor(np.nan_to_num(st["while_held"]) + 0.5), quiet).astype(np.int64)
    grid = pd.date_range(start=t.start, periods=n, freq=pd.Timedelta(seconds=step))
    return pd.DataFrame({"ds": grid, "agents": agents, "lower": st["mean_busy"], "upper": upper,
                         "peak": st["peak"], "held_s": st["held_s"],
                         "rule": np.where(st["held_s"] > 0, "talking while callers held",
                                          "agents at work" if "agent" in log else "most talking at once")})


def _demand(t: _Times, log: pd.DataFrame, attempt: np.ndarray, types: list[str]) -> Demand:
    """First attempts per interval (and type), handle time per interval (and type) of the answered attempts."""
    k = log["interval"].to_numpy()
    nt = max(len(types), 1)
    tidx = pd.Index(types).get_indexer(log["call_type"]) if types else np.zeros(len(log), np.int64)
    first = attempt == 1
    calls = np.zeros((t.n, nt))
    np.add.at(calls, (k[first], tidx[first]), 1.0)
    h = log["handle_s"].to_numpy()
    a = t.answered
    work = np.zeros((t.n, nt))
    cnt = np.zeros((t.n, nt))
    np.add.at(work, (k[a], tidx[a]), h[a])
    np.add.at(cnt, (k[a], tidx[a]), 1.0)
    floor = _limit("MIN_AHT_S")  # a mean under it (calls recorded as 0 s) is taken at the limit
    with np.errstate(invalid="ignore", divide="ignore"):
        type_aht = np.where(cnt > 0, np.maximum(work / np.maximum(cnt, 1), floor), np.nan)
        aht = np.where(cnt.sum(axis=1) > 0, np.maximum(work.sum(axis=1) / np.maximum(cnt.sum(axis=1), 1), floor),
                       np.nan)
    return Demand(ds=t.grid, calls=calls.sum(axis=1), interval_s=t.L, aht_s=aht, types=tuple(types),
                  type_calls=calls if types else None, type_aht_s=type_aht if types else None,
                  notes=(f"calibrated from {len(log):,} call attempts ({int(first.sum()):,} first attempts)",))


def _observed(t: _Times, log: pd.DataFrame, threshold: float, agents: np.ndarray) -> pd.DataFrame:
    """Observed KPIs per interval of the attempts that joined the queue, by replay arrival interval."""
    q = t.queued
    k = np.minimum(log["replay_t_s"].to_numpy()[q] // t.L, t.n - 1).astype(np.int64)
    ans, ab = t.answered[q], t.abandoned[q]
    wait, h = log["wait_s"].to_numpy()[q], log["handle_s"].to_numpy()[q]

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(k[mask], weights=None if weights is None else weights[mask], minlength=t.n).astype(float)

    answered, abandoned = count(ans), count(ab)
    within, wait_sum, work = count(ans & (wait <= threshold)), count(ans, wait), count(ans, h)
    offered = answered + abandoned
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "ds": t.grid, "queued": offered, "answered": answered, "abandoned": abandoned, "answered_within": within,
            "wait_answered_s": wait_sum,
            "service_level": np.where(offered > 0, within / offered, np.nan),
            "abandon_rate": np.where(offered > 0, abandoned / offered, np.nan),
            "asa_s": np.where(answered > 0, wait_sum / answered, np.nan),
            "aht_s": np.where(answered > 0, work / answered, np.nan),
            "agents": agents})


def calibrate(records: Any, *, columns: Mapping[str, str] | None = None, outcomes: Mapping[str, str] | None = None,
              interval: Any = "30min", tz: str | None = None, name: str | None = None,
              time_format: str | None = None, date_format: str | None = None, scenario: Scenario | None = None,
              sl_threshold: float | None = None, handle: str = "auto", patience: str = "auto",
              redial_window: Any = "1D", hold_threshold_s: float = 3.0,
              after_call_work: str | float = "auto", empty: Sequence[str] | Mapping[str, Sequence[str]] = (),
              on_error: str = "raise") -> Calibration:
    """Read a call-by-call log and calibrate demand, policy and staffing from it (see the module docstring).

    records: a path, the file's bytes, a binary file object (CSV, gzipped CSV or XLSX) or a DataFrame, one
        row per call attempt, with the contract's columns (:data:`CONTRACT`).
    columns: contract name -> the file's column, for other exports (``{"arrival": "StartTime"}``); columns
        already named as in the contract (any case) are found without it.
    outcomes: the file's outcome codes -> contract words (``{"AGENT": "answered", "HANG": "abandoned",
        "PHANTOM": "ignore"}``); common words are known without it.
    interval: the planning interval ("15min", "30min", "60min" or seconds). tz: the centre's IANA time zone
        (timestamps with offsets are converted to it, naive ones localised); None keeps naive times naive.
    name: the file name for messages (an upload's own name). time_format / date_format: strptime formats when
        timestamps are not ISO 8601 (``"%d/%m/%Y %H:%M:%S"``) or dates not ISO (``"%y%m%d"``).
    scenario: the policy whose other fields (targets, costs, closing rule...) are kept; default Scenario().
    sl_threshold: the service-level threshold (s), default the scenario's.
    handle: "auto", "lognormal", "exponential" or "empirical"; patience: "auto", "exponential", "weibull",
        "lognormal" or "empirical" (see the module docstring for "auto").
    redial_window: how soon after a failed attempt the same caller's next attempt counts as a redial.
    hold_threshold_s: waits up to this long are routing delays for the staffing estimate (s).
    after_call_work: seconds an agent stays busy after the recorded end of each call, or "auto" (estimated
        from agent ids, see the module docstring; 0 without them).
    empty: texts that mean "none" in the export: a list (for every column but arrival, date and outcome, e.g.
        ``["0:00:00"]``) or per contract name (``{"caller": ["0"], "agent": ["NO_SERVER"]}``).
    on_error: "raise" (default: the first row whose times contradict each other is a DataError) or "skip"
        (such rows are left out, counted in the notes with the first line of each rule).

    Raises forecast.DataError for bad data (file, line, column, value, expected) and ValueError for bad
    arguments.
    """
    if handle not in ("auto", "lognormal", "exponential", "empirical"):
        raise ValueError(f"calibrate: handle must be 'auto', 'lognormal', 'exponential' or 'empirical', got {handle!r}")
    if patience not in ("auto", "exponential", "weibull", "lognormal", "empirical"):
        raise ValueError("calibrate: patience must be 'auto', 'exponential', 'weibull', 'lognormal' or 'empirical', "
                         f"got {patience!r}")
    base = Scenario(name="calibrated") if scenario is None else scenario
    if not isinstance(base, Scenario):
        raise ValueError(f"calibrate: scenario must be a simulate.Scenario, got {type(base).__name__}")
    if sl_threshold is not None:
        base = base.replace(sl_threshold=sl_threshold)
    step = _seconds(interval, "interval")
    planning_interval(step, step)
    window = _seconds(redial_window, "redial_window")
    if on_error not in ("raise", "skip"):
        raise ValueError(f"calibrate: on_error must be 'raise' or 'skip', got {on_error!r}")
    if after_call_work != "auto" and (isinstance(after_call_work, bool) or not isinstance(after_call_work, (int, float))
                                      or not 0 <= after_call_work <= 3600):
        raise ValueError(f"calibrate: after_call_work must be 'auto' or seconds from 0 to 3600, "
                         f"got {after_call_work!r}")
    if isinstance(hold_threshold_s, bool) or not isinstance(hold_threshold_s, (int, float)) \
            or not math.isfinite(hold_threshold_s) or hold_threshold_s < 0:
        raise ValueError(f"calibrate: hold_threshold_s must be seconds >= 0, got {hold_threshold_s!r}")

    log, notes, given = _read_log(records, columns=columns, outcomes=outcomes, tz=tz, name=name,
                                  time_format=time_format, date_format=date_format, empty=empty, on_error=on_error)
    t = _times(log, step, name or "call log")
    log["interval"] = np.minimum((t.arrival // t.L).astype(np.int64), t.n - 1)
    log["t_s"] = t.arrival
    ivr = np.where(t.queued, t.queue_entry - t.arrival,
                   np.where(t.contained & np.isfinite(t.end), t.end - t.arrival, np.nan))
    log["ivr_s"] = ivr
    log["wait_s"] = np.where(t.queued, t.queue_exit - t.queue_entry, np.nan)
    log["talk_s"] = np.where(t.answered, t.end - t.queue_exit, np.nan)
    params: list[dict[str, Any]] = []
    wrap = _after_call_work(t, log, hold_threshold_s, after_call_work, params, notes)
    log["handle_s"] = log["talk_s"] + wrap
    t = dataclasses.replace(t, end=np.where(t.answered, t.end + wrap, t.end))  # agents are busy until then
    types: list[str] = []
    if "call_type" in log and pd.notna(log["call_type"]).any():
        missing = pd.isna(log["call_type"]).to_numpy()
        if missing.any():
            notes.append(f"{int(missing.sum()):,} attempts have no call type: counted as type 'other'")
            log.loc[missing, "call_type"] = "other"
        log["call_type"] = log["call_type"].astype(str)
        types = [str(x) for x in pd.unique(log["call_type"])]
    elif "call_type" in log:
        del log["call_type"]

    attempt, redial_prob, redial_delay, max_attempts = _redials(t, log, window, base, params, notes)
    log["attempt"] = attempt
    containment, ivr_time = _menu(t, ivr, "queue_entry" in given, params)
    log["replay_t_s"] = np.where(t.queued, np.clip(t.queue_entry - ivr_time, 0.0, t.n * t.L - 1e-6), np.nan)
    hours = log["arrival"].dt.hour.to_numpy()[t.answered]
    types_ans = log["call_type"].to_numpy(dtype=object)[t.answered] if types else np.full(t.answered.sum(), "")
    hf = _fit_handle(log["handle_s"].to_numpy()[t.answered], np.char.add(hours.astype(str), types_ans.astype(str)),
                     handle)
    params += [
        _param("aht", hf.aht, hf.se_aht, "s", f"mean handle time of {hf.n:,} answered calls (per interval in the "
               "demand)"),
        _param("aht_dist", hf.dist, _NAN, "", "Kolmogorov-Smirnov on handle time / mean of its hour and type"
               + ("; both families rejected at 5%, so the empirical distribution" if hf.dist == "empirical"
                  and handle == "auto" else "")),
        _param("aht_cv", hf.cv, hf.se_cv if hf.dist == "lognormal" else _NAN, "",
               {"lognormal": "pooled within hour-and-type variance of log handle time",
                "exponential": "1 by definition"}.get(hf.dist, "of the empirical table")),
    ]
    pat = _patience(log["wait_s"].to_numpy()[t.queued], t.abandoned[t.queued], patience, params, notes)
    call_types = _call_types(log, t, attempt, pat) if types else ()
    lines = _lines(t, log["interval"].to_numpy(), ivr_time, params, notes)
    staffing = _staffing(t, log, hold_threshold_s, t.L)
    plan = StaffingPlan.table(staffing[["ds", "agents"]], interval=t.L)
    fine_step = REPLAY_STEP_S if not t.L % REPLAY_STEP_S else t.L
    fine = staffing if fine_step == t.L else _staffing(t, log, hold_threshold_s, fine_step)
    replay_plan = StaffingPlan.table(fine[["ds", "agents"]], interval=fine_step)
    demand = _demand(t, log, attempt, types)
    fields: dict[str, Any] = dict(
        aht=hf.aht, aht_dist=hf.dist, aht_cv=float(min(max(hf.cv, 1e-6), 20.0)), aht_quantiles=hf.quantiles,
        patience=pat.mean, patience_dist=pat.dist, patience_cv=float(pat.cv), patience_quantiles=pat.quantiles,
        lines=lines, redial_prob=redial_prob, redial_delay=redial_delay, max_attempts=max_attempts,
        ivr_containment=containment, ivr_time=ivr_time, residual_aht_factor=1.0, call_types=call_types,
        callback_threshold=None)
    calibrated = base.replace(**fields)
    observed = _observed(t, log, calibrated.sl_threshold, staffing["agents"].to_numpy())

    first = attempt == 1
    k = log["interval"].to_numpy()
    counts = {key: np.bincount(k[m], minlength=t.n).astype(np.int64) for key, m in (
        ("attempts", np.ones(len(log), bool)), ("first_attempts", first), ("queued", t.queued),
        ("answered", t.answered), ("abandoned", t.abandoned), ("contained", t.contained), ("blocked", t.blocked))}
    hb = pd.DataFrame({"hour": hours, "call_type": types_ans if types else "all",
                       "h": log["handle_s"].to_numpy()[t.answered]})
    handle_by_hour = (pd.concat([hb.assign(call_type="all")] + ([hb] if types else []))
                      .groupby(["hour", "call_type"])["h"]
                      .agg(calls="size", aht_s="mean", p25_s=lambda x: x.quantile(0.25), median_s="median",
                           p75_s=lambda x: x.quantile(0.75)).reset_index())
    params.insert(0, _param("first_attempts", int(first.sum()), _NAN, "calls",
                            f"of {len(log):,} attempts ({int(t.queued.sum()):,} joined the queue)"))
    report = FitReport(
        parameters=pd.DataFrame(params, columns=["name", "value", "se", "unit", "method"]),
        handle_fits=hf.table, patience_fits=pat.table, kaplan_meier=pat.curves, handle_by_hour=handle_by_hour,
        handle_quantiles=hf.quantile_frame, arrivals=pd.DataFrame({"ds": t.grid, **counts}), staffing=staffing,
        replay_staffing=fine)
    notes.append("staffing estimated per interval: agents talking on average while callers were held longer than "
                 f"{hold_threshold_s:g} s; elsewhere " + ("the agents at work (from their calls), at least "
                                                          if "agent" in log else "") +
                 "the most talking at once (report.staffing has the bounds)")
    return Calibration(demand=demand, scenario=calibrated, staffing=plan, calls=log, observed=observed,
                       report=report, patience_mz_s=pat.mz, replay_staffing=replay_plan,
                       replay_interval_s=float(fine_step), notes=tuple(notes))


# =====================================================================================================
# a simulated run as a call log


def to_call_log(result: Any, *, replication: int = 0) -> pd.DataFrame:
    """The attempts of one replication of ``result`` (``simulate.run(..., keep_calls=True)``) as a call log
    in the contract's format: ``arrival, queue_entry, queue_exit, end, outcome, agent, caller, call_type``.

    Timestamps are ``result.demand.ds[0]`` plus the records' seconds (nanosecond precision). Agents are the
    run's staffing: ``agent`` names the agent who answered, chosen as an ACD would (the agent idle longest
    among those on duty; agents leaving at a shift change finish their call). Callbacks cannot be written
    (the contract has no callback outcome): a run with callbacks is refused.
    """
    from simulate.workload import on_duty

    calls = getattr(result, "calls", None)
    if calls is None:
        raise ValueError("to_call_log: the result keeps no calls; run with keep_calls=True")
    c = calls.loc[calls["replication"] == replication]
    if len(c) == 0:
        raise ValueError(f"to_call_log: replication {replication} has no calls")
    if (c["outcome"] == OUTCOME_CALLBACK).any():
        raise ValueError("to_call_log: the run has callbacks, which the call-log contract cannot hold")
    s = result.scenario
    demand = result.demand
    L = demand.interval_s
    ds0 = demand.ds[0]
    names = [str(x) for x in s.type_table()["names"]]
    o = c["outcome"].to_numpy()
    arr = c["arrival_s"].to_numpy()
    menu = s.ivr_time if s.uses_ivr else 0.0
    queued = (o == OUTCOME_ANSWERED) | (o == OUTCOME_ABANDONED)
    qe = np.where(queued, arr + menu, np.nan)
    qx = np.where(queued, qe + c["wait_s"].to_numpy(), np.nan)
    ans = o == OUTCOME_ANSWERED
    qx = np.where(ans, c["answer_s"].to_numpy(), qx)
    end = np.where(ans, c["answer_s"].to_numpy() + c["service_s"].to_numpy(),
                   np.where(o == OUTCOME_CONTAINED, arr + menu, np.nan))
    agents = result.intervals["agents"].to_numpy(dtype=np.int64)
    closed = (demand.calls == 0) & (agents == 0)
    duty = on_duty(agents, closed, s.at_close == "drop")
    agent = _assign_agents(qx[ans], end[ans], duty, L)
    agent_col = np.full(len(c), None, dtype=object)
    agent_col[ans] = [f"A{a:03d}" for a in agent]
    words = {v: k for k, v in OUTCOMES.items()}

    def stamp(x: np.ndarray) -> pd.Series:
        return pd.Series(ds0 + pd.to_timedelta(x, unit="s"))

    out = pd.DataFrame({
        "arrival": stamp(arr), "queue_entry": stamp(qe), "queue_exit": stamp(qx), "end": stamp(end),
        "outcome": [words[int(x)] for x in o], "agent": agent_col,
        "caller": [f"C{int(x)}" for x in c["caller"].to_numpy()],
    })
    if len(names) > 1:
        out["call_type"] = np.asarray(names, dtype=object)[c["call_type"].to_numpy(dtype=np.int64)]
    return out.sort_values("arrival", kind="stable").reset_index(drop=True)


def _assign_agents(answer: np.ndarray, end: np.ndarray, duty: np.ndarray, L: float) -> np.ndarray:
    """Agent number of each answered call: the agent idle longest among agents 0..duty[k]-1 of the answer's
    interval (free agents beyond them, leaving, are used only when none of them is free)."""
    order = np.argsort(answer, kind="stable")
    size = int(max(duty.max(initial=0), 1)) + 64
    free_at = np.zeros(size)
    out = np.empty(len(answer), dtype=np.int64)
    n = len(duty)
    for i in order:
        t = answer[i]
        k = min(int(t // L), n - 1)
        m = int(duty[k])
        free = free_at <= t + 1e-9
        pool = np.flatnonzero(free[:m]) if m > 0 else np.empty(0, np.int64)
        if pool.size == 0:
            pool = np.flatnonzero(free)
        if pool.size == 0:
            free_at = np.r_[free_at, np.zeros(size)]
            pool = np.flatnonzero(free_at <= t + 1e-9)
        a = int(pool[np.argmin(free_at[pool])])
        out[i] = a
        free_at[a] = end[i]
    return out
