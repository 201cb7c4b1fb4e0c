"""Every limit of the product, stated once: sizes, counts and bounds that every door checks.

A door is any place where outside data comes in: :func:`forecast.read_history` (API, CLI, app
upload), a scenario file, a share link, a CLI argument. Each limit below is a named constant
(import it: ``from forecast import limits``; ``limits.MAX_ROWS``) registered with its unit, why it
exists and what a planner should do on meeting it, so that every refusal reads the same way::

    upload.csv: 20,000 columns is above the limit of 200 columns (MAX_COLUMNS); keep only the
    columns ds, y and series (a wide table, one column per series, must be reshaped to series,ds,y)

:func:`check` raises that sentence as a :class:`~forecast.errors.LimitError` (a ``ValueError``);
:func:`sentence` returns it, for doors that wrap it in their own error (the reader raises a
:class:`~forecast.errors.DataError` naming the file and line). The table of all limits, with
their documentation, is :data:`LIMITS` (name -> :class:`Limit`) and is appended to this module's
docstring, so ``help(forecast.limits)`` lists them.

Values are read at call time (``limits.MAX_UPLOAD_BYTES``), so a test may lower one with
``monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1_000)``.

How the numbers were chosen: the largest realistic input with room to spare (a national
centre's five years of 5-minute counts, Excel's own row limit, the app's widget ranges), and the
point where memory or time would hurt a shared server (each limit says which).
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any, Protocol

from forecast.errors import LimitError

__all__ = [
    "Limit", "LIMITS", "check", "sentence", "beyond", "exceeds", "expected_attempts", "read_bounded", "inflate",
    # files and tables
    "MAX_UPLOAD_BYTES", "MAX_ROWS", "MAX_COLUMNS", "MAX_SERIES", "MAX_NAME_LENGTH", "MAX_VALUE",
    "EARLIEST_YEAR", "LATEST_YEAR",
    # scenarios, links, files of settings
    "MAX_SCENARIOS", "MAX_SHARE_LINK_CHARS", "MAX_SHARE_STATE_BYTES", "MAX_SCENARIO_FILE_BYTES",
    "MAX_NESTING_DEPTH",
    # simulation work
    "MAX_CALLS_PER_INTERVAL", "MAX_CALLS_PER_REPLICATION", "MAX_CALLS_PER_RUN", "SIMPY_SLOW_CALLS",
    "MAX_ATTEMPTS", "MAX_EXPECTED_ATTEMPTS", "MAX_AGENTS", "MAX_HORIZON_DAYS",
    # scenario field bounds
    "MIN_AHT_S", "MAX_AHT_S", "MIN_PATIENCE_S", "MAX_PATIENCE_S", "MIN_CV", "MAX_CV",
]


@dataclass(frozen=True)
class Limit:
    """One limit: ``value`` in ``unit``; ``counts`` says what is counted; ``why`` the reason;
    ``advice`` what to do on meeting it. ``kind``: ``"max"`` (values above are refused),
    ``"min"`` (values below are refused) or ``"warn"`` (values above are accepted with a warning)."""

    name: str
    value: float
    unit: str
    counts: str
    why: str
    advice: str
    kind: str = "max"

    @property
    def doc(self) -> str:
        """The limit's documentation: value and unit, what is counted, why, what to do."""
        bound = {"max": "at most", "min": "at least", "warn": "a warning above"}[self.kind]
        unit = f" {self.unit}" if self.unit else ""
        return (f"{self.name} = {_fmt(self.value)}{unit}: {self.counts}, {bound} this. "
                f"Why: {self.why} What to do: {self.advice}")


LIMITS: dict[str, Limit] = {}


def _limit(name: str, value: Any, unit: str, counts: str, why: str, advice: str, kind: str = "max") -> Any:
    LIMITS[name] = Limit(name, value, unit, counts, why, advice, kind)
    return value


# ------------------------------------------------------------------------------------------------
# files and tables (read_history, uploads, the CLI's input files)

MAX_UPLOAD_BYTES: int = _limit(
    "MAX_UPLOAD_BYTES", 100_000_000, "bytes",
    "size of one input file once decompressed (CSV text after gzip, the members of an XLSX zip, "
    "the uncompressed data a Parquet file declares)",
    "reading takes several times the text size in memory, and a 2 MB gzip bomb would otherwise "
    "decompress to gigabytes; 100 MB holds about 3 million rows of series,ds,y.",
    "split the file (by year or by series) or drop columns you do not need; sum 5-minute counts "
    "to 15- or 30-minute intervals.")

MAX_ROWS: int = _limit(
    "MAX_ROWS", 5_000_000, "rows",
    "data rows in one history or arrivals file or frame",
    "five years of 5-minute counts for ten series is 5.3 million rows; beyond that a forecast or a "
    "simulation would take minutes and gigabytes.",
    "split the file by series (series=) or by period, or sum to a coarser interval.")

MAX_COLUMNS: int = _limit(
    "MAX_COLUMNS", 200, "columns",
    "columns in one history or arrivals file or frame (header cells, or cells of any row in a sheet)",
    "the contract is long format (series, ds, y and a few notes); a 169 KB file with 20,000 columns "
    "took minutes to read.",
    "keep only the columns ds, y and series (a wide table, one column per series, must be reshaped "
    "to series,ds,y, e.g. df.melt(id_vars='ds', var_name='series', value_name='y')).")

MAX_SERIES: int = _limit(
    "MAX_SERIES", 1_000, "series",
    "distinct series names in one history",
    "each series is forecast and reported on its own; a thousand is more than any centre's queues.",
    "split the file, or read one series with series= (queuecast --series).")

MAX_NAME_LENGTH: int = _limit(
    "MAX_NAME_LENGTH", 200, "characters",
    "length of a series name or a scenario name",
    "names are shown in tables, charts, sheet names and links; a 30 MB name froze a browser tab.",
    "use a short name (a few words); put descriptions in a separate column or note.")

MAX_VALUE: float = _limit(
    "MAX_VALUE", 1e9, "",
    "plausibility limit of one history value y (calls, applications, backlog...) in one row",
    "no call-centre series counts a billion in one row; such a value (1e308, an overflow or a pasted "
    "ID) is a unit or export error and would turn every total and forecast into nonsense.",
    "check the value at that line (a unit error, an ID pasted into the count column); arrivals "
    "files are held to MAX_CALLS_PER_INTERVAL instead.")

EARLIEST_YEAR: int = _limit(
    "EARLIEST_YEAR", 1900, "",
    "earliest year of a timestamp in a history or arrivals file",
    "call-centre data starts in the 20th century; a year such as 1500 is a typing or export error "
    "(and lies outside what nanosecond timestamps can hold).",
    "correct the date at that line (a two-digit year read wrongly? a day and month swapped?).",
    kind="min")

LATEST_YEAR: int = _limit(
    "LATEST_YEAR", 2200, "",
    "latest year of a timestamp in a history or arrivals file",
    "a year such as 2300 is a typing or export error (and lies beyond what nanosecond timestamps "
    "can hold after a forecast horizon is added).",
    "correct the date at that line.")

# ------------------------------------------------------------------------------------------------
# scenarios, share links and settings files

MAX_SCENARIOS: int = _limit(
    "MAX_SCENARIOS", 6, "scenarios",
    "scenarios compared at once: in the app, in one share link, in one file holding several",
    "each scenario is simulated and drawn side by side; a 427-character link decompressing to "
    "100,000 scenarios slowed every other user of the server.",
    "compare at most six; run larger studies with queuecast sweep.")

MAX_SHARE_LINK_CHARS: int = _limit(
    "MAX_SHARE_LINK_CHARS", 8_192, "characters",
    "length of the app's share-link state (the ?s= value)",
    "six scenarios with their staffing rules take about 2,000 characters; longer values are not "
    "links the app wrote, and some browsers and proxies cut addresses beyond 8 KB.",
    "open the app without the link and set the scenarios again, or save them to a scenario file.")

MAX_SHARE_STATE_BYTES: int = _limit(
    "MAX_SHARE_STATE_BYTES", 65_536, "bytes",
    "size of the share-link state once decompressed",
    "the state of six scenarios is a few kilobytes; a short link that decompresses to megabytes "
    "is a compression bomb.",
    "open the app without the link and set the scenarios again.")

MAX_SCENARIO_FILE_BYTES: int = _limit(
    "MAX_SCENARIO_FILE_BYTES", 1_000_000, "bytes",
    "size of one scenario file (TOML or JSON)",
    "a scenario is policy, not data: a few kilobytes; per-interval data belongs in the arrivals or "
    "staffing files.",
    "move per-interval values into a staffing table (ds, agents) and keep the scenario short.")

MAX_NESTING_DEPTH: int = _limit(
    "MAX_NESTING_DEPTH", 20, "levels",
    "nesting depth of tables/lists in a scenario file or a share link",
    "a scenario nests three levels at most; deeply nested JSON exhausts Python's recursion.",
    "flatten the file; see the bundled scenarios in examples/.")

# ------------------------------------------------------------------------------------------------
# simulation work

MAX_CALLS_PER_INTERVAL: float = _limit(
    "MAX_CALLS_PER_INTERVAL", 1_000_000, "calls",
    "expected calls in one arrival interval",
    "a million calls in half an hour is beyond any centre; 10^9 allocated 22 GiB before failing.",
    "check the arrivals file (a unit error? a cumulative count instead of per-interval counts?).")

MAX_CALLS_PER_REPLICATION: float = _limit(
    "MAX_CALLS_PER_REPLICATION", 20_000_000, "calls",
    "expected calls (first attempts) over the whole horizon of one replication",
    "each call is a record of about 60 bytes held in memory: 20 million is about 1.2 GB.",
    "simulate a shorter horizon (a typical week or month), or fewer intervals.")

MAX_CALLS_PER_RUN: float = _limit(
    "MAX_CALLS_PER_RUN", 200_000_000, "calls",
    "expected calls over all replications of one run (calls per replication x replications)",
    "the compiled engine simulates about 10 million calls a second: this is a 20-60 s run.",
    "use fewer replications (10-30 give stable averages) or a shorter horizon.")

SIMPY_SLOW_CALLS: float = _limit(
    "SIMPY_SLOW_CALLS", 1_000_000, "calls",
    "expected calls over a run on the SimPy (reference) engine before a warning",
    "the SimPy engine runs about 100,000 calls a second: a million calls is ten seconds or more.",
    "use engine='fast' (or 'auto'), which gives the same results call for call where it applies.",
    kind="warn")

MAX_ATTEMPTS: int = _limit(
    "MAX_ATTEMPTS", 100, "attempts",
    "Scenario.max_attempts, attempts one caller may make (first call and redials)",
    "callers who redial a hundred times do not exist; 10^21 overflowed the compiled engine.",
    "set max_attempts to what callers do (3-10 is typical).")

MAX_EXPECTED_ATTEMPTS: float = _limit(
    "MAX_EXPECTED_ATTEMPTS", 20, "attempts",
    "expected attempts per caller when every attempt fails, (1 - p^m) / (1 - p) for redial_prob p "
    "and max_attempts m (m when p = 1); see expected_attempts()",
    "a redial probability of 1 with many attempts and tiny patience multiplies the calls without "
    "bound (a 122-character link grew the server to 12 GB).",
    "lower redial_prob or max_attempts (redial_prob 0.6 with max_attempts 5 gives 2.3).")

MAX_AGENTS: int = _limit(
    "MAX_AGENTS", 100_000, "agents",
    "agents on duty in one interval (per group or in total)",
    "the largest centres staff a few thousand; the app's widgets stop at 100,000.",
    "check the staffing table (a cumulative count? hours instead of agents?).")

MAX_HORIZON_DAYS: int = _limit(
    "MAX_HORIZON_DAYS", 366, "days",
    "length of a forecast or simulation horizon",
    "beyond a year a forecast is a capacity plan, and a simulation holds every call in memory.",
    "forecast or simulate one year at a time; use the capacity plan for longer views.")

# ------------------------------------------------------------------------------------------------
# scenario field bounds (seconds, as everywhere in simulate)

MIN_AHT_S: float = _limit(
    "MIN_AHT_S", 1, "s",
    "mean handle time of a call (Scenario.aht, a call type's aht, an interval's aht_s)",
    "a handle time under a second is a unit error (minutes or hours typed as seconds?).",
    "give handle time in seconds: 5 minutes is 300.", kind="min")

MAX_AHT_S: float = _limit(
    "MAX_AHT_S", 36_000, "s",
    "mean handle time of a call (Scenario.aht, a call type's aht, an interval's aht_s)",
    "ten hours per call is beyond any service; the app's widget stops there.",
    "give handle time in seconds: 5 minutes is 300, not 300 minutes.")

MIN_PATIENCE_S: float = _limit(
    "MIN_PATIENCE_S", 1, "s",
    "mean patience of callers in queue (Scenario.patience, a call type's patience)",
    "callers who hang up within a second with redials make calls without end.",
    "give patience in seconds (callers typically wait 1-5 minutes, 60-300 s), or None for callers "
    "who never hang up.", kind="min")

MAX_PATIENCE_S: float = _limit(
    "MAX_PATIENCE_S", 86_400, "s",
    "mean patience of callers in queue",
    "no caller waits a day on hold.",
    "use None for callers who never hang up.")

MIN_CV: float = _limit(
    "MIN_CV", 0.05, "",
    "coefficient of variation of handle time or patience (aht_cv, patience_cv)",
    "below 0.05 the Weibull shape has no solution and durations are constant in practice.",
    "use 0.05 or more (0.3-1.5 is typical for handle times).", kind="min")

MAX_CV: float = _limit(
    "MAX_CV", 20, "",
    "coefficient of variation of handle time or patience (aht_cv, patience_cv)",
    "above 20 the lognormal draws overflow (aht_cv = 1e300 gave NaN handle times) and the engines "
    "disagree.",
    "use 20 or less (0.3-1.5 is typical for handle times).")


# ------------------------------------------------------------------------------------------------
# helpers


def _fmt(value: float) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) and math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))  # 1900, not 1,900
    if isinstance(value, (int, float)):
        return f"{value:.6g}"
    return repr(value)


def _get(name: str) -> tuple[Limit, float]:
    """The limit's record and its value now (read at call time, so a monkeypatched value counts)."""
    if name not in LIMITS:
        raise KeyError(f"limits: no limit named {name!r}; the limits are {sorted(LIMITS)}")
    return LIMITS[name], globals()[name]


def exceeds(name: str, value: float) -> bool:
    """True when ``value`` breaks the limit ``name`` (above a ``max`` or ``warn`` limit, below a
    ``min`` one). NaN breaks every limit."""
    lim, bound = _get(name)
    if value != value:  # NaN
        return True
    return value < bound if lim.kind == "min" else value > bound


def sentence(name: str, value: float | str, subject: str = "") -> str:
    """The refusal sentence for ``value`` against the limit ``name``.

    ``subject`` names what is measured, e.g. ``"upload.csv"`` or ``"Scenario.aht"``; the sentence
    then reads ``"upload.csv: 20,000 columns is above the limit of 200 columns (MAX_COLUMNS);
    keep only ..."``. Units print after the numbers; unit-less limits print bare numbers. A text
    ``value`` (``"more than 100,000,000"``) is printed as given.
    """
    lim, bound = _get(name)
    unit = f" {lim.unit}" if lim.unit else ""
    rel = {"max": "above the limit of", "warn": "above the warning level of", "min": "below the minimum of"}[lim.kind]
    head = f"{subject}: " if subject else ""
    shown = value if isinstance(value, str) else _fmt(value)
    return f"{head}{shown}{unit} is {rel} {_fmt(bound)}{unit} ({name}); {lim.advice.rstrip('.')}"


def check(name: str, value: float, subject: str = "") -> float:
    """Return ``value`` if it keeps the limit ``name``; else raise :class:`~forecast.errors.LimitError`
    (a ``ValueError``) whose message is :func:`sentence`. ``"warn"`` limits never raise: the caller
    warns, e.g. ``if limits.exceeds(...): warnings.warn(limits.sentence(...))``."""
    lim, _ = _get(name)
    if lim.kind != "warn" and exceeds(name, value):
        raise LimitError(sentence(name, value, subject), limit=name, value=value)
    return value


def beyond(name: str, subject: str = "") -> str:
    """The refusal sentence when a count was stopped past the limit ``name`` (the exact amount is
    unknown because reading stopped): ``"subject: more than 5,000,000 rows, above the limit
    (MAX_ROWS: data rows in one ...); split the file ..."``."""
    lim, bound = _get(name)
    unit = f" {lim.unit}" if lim.unit else ""
    head = f"{subject}: " if subject else ""
    return f"{head}more than {_fmt(bound)}{unit}, above the limit ({name}: {lim.counts}); {lim.advice.rstrip('.')}"


def expected_attempts(redial_prob: float, max_attempts: float) -> float:
    """Expected attempts of a caller whose every attempt fails: ``(1 - p^m) / (1 - p)``.

    ``p`` is the redial probability in [0, 1], ``m`` the most attempts (>= 1, any size: 10^21 gives
    ``1 / (1 - p)`` for p < 1 and ``m`` for p = 1, without overflow). This is the worst case by
    which a redial loop multiplies the calls; :data:`MAX_EXPECTED_ATTEMPTS` bounds it.
    """
    p, m = float(redial_prob), float(max_attempts)
    if p >= 1.0:
        return m
    if p <= 0.0:
        return 1.0
    return -math.expm1(m * math.log(p)) / (1.0 - p)  # 1 - p^m, exact even when p^m is near 1


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def read_bounded(stream: _Readable, *, limit: str = "MAX_UPLOAD_BYTES", subject: str = "",
                 chunk: int = 1 << 20) -> bytes:
    """All bytes of a binary stream, refused as soon as they pass the limit ``limit``.

    Reads ``chunk`` bytes at a time, so a decompressing stream (``gzip.GzipFile``) that would
    expand to gigabytes is stopped after at most the limit plus one chunk, never allocating more.
    Raises :class:`~forecast.errors.LimitError`; errors of the stream itself (a damaged gzip
    file) pass through for the caller to name its file.
    """
    bound = int(_get(limit)[1])
    parts: list[bytes] = []
    total = 0
    while True:
        got = stream.read(chunk)
        if not got:
            return b"".join(parts)
        total += len(got)
        if total > bound:
            parts.clear()
            raise LimitError(beyond(limit, subject), limit=limit, value=total)
        parts.append(got)


def inflate(data: bytes, *, limit: str = "MAX_SHARE_STATE_BYTES", subject: str = "",
            wbits: int = zlib.MAX_WBITS) -> bytes:
    """Decompress zlib data (``wbits`` as in :mod:`zlib`; the share link uses the default) without
    ever holding more than the limit ``limit``; see :func:`read_bounded`.

    Raises :class:`~forecast.errors.LimitError` past the limit, :class:`zlib.error` for damaged
    data and :class:`EOFError` for truncated data.
    """
    return read_bounded(_Inflater(data, wbits), limit=limit, subject=subject, chunk=1 << 16)


class _Inflater:
    """A read()-able view of zlib-compressed bytes, producing at most ``n`` bytes per read."""

    def __init__(self, data: bytes, wbits: int) -> None:
        self._d = zlib.decompressobj(wbits)
        self._pending = bytes(data)

    def read(self, n: int) -> bytes:
        while not self._d.eof:
            out = self._d.decompress(self._pending, n)
            self._pending = self._d.unconsumed_tail
            if out:
                return out
            if not self._pending:
                raise EOFError("the compressed data ends before its end marker (truncated)")
        return b""


def _table() -> str:
    lines = ["", "The limits", "----------"]
    for lim in LIMITS.values():
        lines.append(f"* {lim.doc}")
    return "\n".join(lines)


__doc__ = (__doc__ or "") + _table()
