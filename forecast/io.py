"""Reading history files into the history contract, refusing bad data with a clear :class:`DataError`.

A call centre's history comes from many hands: a CSV exported by the telephony platform, a
spreadsheet a planner kept by hand in French-locale Excel, a Parquet file from the data team.
:func:`read_history` reads all of them into one long frame ``series, ds, y`` (plus any extra
columns, carried through untouched) or says exactly which line is wrong and why. The file may be a
path, its bytes (an upload, never written to a temporary file) or an open binary file; ``name=``
says what messages call it. An arrivals table (``ds, calls`` or a forecast's ``ds, yhat``) reads
through the same checks with ``value=ARRIVALS_VALUES``.

Reading and validation are vectorised: pyarrow's C++ CSV reader and string kernels
(:mod:`pyarrow.compute`) and numpy work on whole columns, and the first offending row is found with
a mask, never by looping over rows in Python; a 300,000-row CSV reads in about half a second.
Every size is bounded by :mod:`forecast.limits` before the work it would cost is done: a gzip or
zip bomb is stopped while it decompresses, a 20,000-column file at its header line.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import difflib
import gzip
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from forecast import limits
from forecast.errors import DataError, DataWarning, LimitError, visible

__all__ = ["read_history", "DEFAULT_SERIES", "ARRIVALS_VALUES"]

#: name given to the one series of a file that has no ``series`` column
DEFAULT_SERIES = "y"

#: the value columns of an arrivals table, in order of preference (``value=ARRIVALS_VALUES``):
#: interval calls, else a forecast's ``yhat``, else a history's ``y``
ARRIVALS_VALUES = ("calls", "yhat", "y")

#: what read_history accepts as a source besides a DataFrame
Readable = str | Path | bytes | bytearray | memoryview | BinaryIO

EXPECT_DS = "a date or timestamp such as 2024-12-31 or 2024-12-31 14:30"
EXPECT_Y = "a non-negative number such as 42 or 12.5"
EXPECT_SERIES = "the name of a series, such as calls"
EXPECT_HEADER = "a header line naming the columns ds (timestamp) and y (number), e.g. ds,y or series,ds,y"

#: texts of ``y`` read as missing (compared case-insensitively, after stripping spaces)
NA_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a", "#na"})

# Common names people give the two columns. Used only to *suggest* a rename in the error message.
_ALIASES = {
    "ds": ("date", "datetime", "timestamp", "time", "period", "day", "interval", "start", "date_time"),
    "y": ("value", "values", "count", "calls", "volume", "n", "arrivals", "offered", "demand", "qty", "total"),
}

# Non-ISO date layouts tried when ISO 8601 does not read every row, as (regex, order, example). Each may
# be followed by a time of day (HH:MM or HH:MM:SS, after a space or a T). Parsed with arrow regexes and
# numpy calendar arithmetic: pandas' strptime path costs ~3 us a row, this ~0.1 us, and it refuses
# impossible dates such as 31/02/2024 instead of rolling them over.
_DATE_FORMATS = (
    (r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})", "day/month/year", "31/12/2024"),
    (r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})", "month/day/year", "12/31/2024"),
    (r"(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})", "year/month/day", "2024/12/31"),
    (r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})", "day/month/year", "31.12.2024"),
    (r"(?P<day>\d{1,2})-(?P<month>\d{1,2})-(?P<year>\d{4})", "day/month/year", "31-12-2024"),
    (r"(?P<month>\d{1,2})-(?P<day>\d{1,2})-(?P<year>\d{4})", "month/day/year", "12-31-2024"),
)
_TIME_RE = r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel workbook saved with the wrong extension? name it .xlsx)"),
    (b"PAR1", "a Parquet file (name it .parquet)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls or other Office binary file (save it as .xlsx or CSV)"),
)


@dataclass(frozen=True)
class _Source:
    """Where rows come from, so messages can say "line 7" or "sheet 'Data', row 7"."""

    label: str  # the path as the user gave it, or "DataFrame"
    kind: str  # "csv" | "xlsx" | "parquet" | "frame"
    sheet: str | None = None
    index: pd.Index | None = None  # labels of a DataFrame source
    series_column: str = "series"  # the file's own name for the series column (messages use it)

    def where(self, line: int | None) -> str | None:
        if line is None:
            return None
        if self.kind == "csv":
            return f"line {line}"
        if self.kind == "xlsx":
            return f"sheet {self.sheet!r}, row {line}"
        if self.kind == "frame" and self.index is not None:
            return f"row {line} (index {_label(self.index[line - 2])})"
        return f"row {line}"

    def where_pair(self, first: int, second: int) -> str:
        if self.kind == "csv":
            return f"lines {first} and {second}"
        if self.kind == "xlsx":
            return f"sheet {self.sheet!r}, rows {first} and {second}"
        if self.kind == "frame" and self.index is not None:
            return (f"rows {first} and {second} (index {_label(self.index[first - 2])} "
                    f"and {_label(self.index[second - 2])})")
        return f"rows {first} and {second}"

    def header(self) -> str | None:
        return {"csv": "line 1", "xlsx": f"sheet {self.sheet!r}, row 1"}.get(self.kind)

    def error(self, problem: str, *, line: int | None = None, column: str | None = None,
              value: object = None, expected: str | None = None, where: str | None = None) -> DataError:
        return DataError(problem, path=self.label, line=line, column=column, value=value,
                         expected=expected, where=where if where is not None else self.where(line))


@dataclass
class _Table:
    """Raw cells as read, before any interpretation, with the line number of each row."""

    frame: pd.DataFrame  # columns named as in the header, RangeIndex
    lines: np.ndarray  # int64, header = 1
    source: _Source
    decimal_comma: bool = False
    dayfirst: bool = False


def read_history(
    source: Readable | pd.DataFrame,
    *,
    series: str | None = None,
    tz: str | None = None,
    name: str | None = None,
    value: str | Sequence[str] = "y",
    numeric: Sequence[str] = (),
    value_limit: str = "MAX_VALUE",
    series_column: str = "series",
) -> pd.DataFrame:
    """Read a demand history (or an arrivals table) and check it against the history contract.

    Parameters
    ----------
    source:
        A path (``str`` or :class:`~pathlib.Path`), the file's bytes (``bytes``, ``bytearray``,
        ``memoryview``), or a binary file-like object (``open(path, "rb")``, :class:`io.BytesIO`,
        a Streamlit ``UploadedFile``), holding a CSV (``.csv``, ``.txt``, ``.tsv``, gzipped
        ``.csv.gz``), an Excel workbook (``.xlsx``/``.xlsm``, first sheet) or a Parquet file
        (``.parquet``/``.pq``); or a :class:`pandas.DataFrame` already in memory. The format is
        told by the file name's suffix; bytes or a file without a known suffix are recognised by
        their first bytes (ZIP: a workbook; ``PAR1``: Parquet; otherwise text, gzipped or not).
    series:
        Keep only the series with this name (exact match). A name not in the file raises a
        :class:`DataError` listing the names present. Rows of other series are not validated.
    tz:
        IANA time zone (``"America/Toronto"``). Timestamps carrying UTC offsets are converted to
        it; naive timestamps are taken as local times in it (localised). ``None`` leaves naive
        timestamps naive.
    name:
        The file name messages use. Default: a path as given (``data/passport.csv``); for a
        file-like object, the base name of its ``name`` attribute (an upload's own file name);
        otherwise ``"upload"`` (``"DataFrame"`` for a frame). Give it whenever the bytes came from
        somewhere else (an upload: its original name), so no message shows a temporary path.
    value:
        The column holding the numbers, ``"y"`` for a history. A sequence names alternatives, the
        first present is used: ``value=ARRIVALS_VALUES`` (``("calls", "yhat", "y")``) reads an
        arrivals table such as ``examples/arrivals_2024-11-13.csv`` (``ds, calls``) or a forecast
        (``ds, yhat, ...``). The column keeps its name in the result.
    numeric:
        Other columns that, when present, are validated like the value column (non-negative,
        finite, at most ``value_limit``; blanks loaded as NaN with a warning) and returned as
        ``float64``, e.g. ``numeric=("aht_s",)`` for handle time per interval. Absent ones are
        ignored.
    series_column:
        The file's column naming the series, ``"series"`` by default; ``"group"`` reads a capacity
        forecast with one series per agent group. The result calls it ``series``; messages use the
        file's own name. A file holding both this column and a ``series`` column is refused.
    value_limit:
        Name of the limit in :mod:`forecast.limits` that bounds the values: ``"MAX_VALUE"`` for a
        history (one billion), ``"MAX_CALLS_PER_INTERVAL"`` for arrivals. A larger value is
        refused with a :class:`DataError` naming the line (a value such as ``1e308`` is a unit or
        export error; accepting it would make every total and forecast meaningless).

    Returns
    -------
    pandas.DataFrame
        One row per data row of the input, none dropped, none added; sorted by ``series`` then
        ``ds``, with a fresh ``RangeIndex``. Columns, in order:

        * ``series`` (str): the series name exactly as written, never stripped nor evaluated, so
          ``=SUM(A1)`` or ``-calls`` stay as they are. Without a ``series`` column every row gets
          ``series = "y"`` (:data:`DEFAULT_SERIES`).
        * ``ds`` (``datetime64[ns]``): naive when the input is naive and ``tz`` is ``None``;
          tz-aware when ``tz`` is given, or when the input carries UTC offsets (then in that one
          fixed offset).
        * ``y`` (``float64``), or the ``value`` column under its own name: non-negative, finite and
          at most the ``value_limit``, or NaN where the input was blank.
        * every other column of the input, in input order, as read: text columns of a CSV stay
          text (a formula-like ``=1+1`` is kept verbatim), typed columns of Parquet/Excel/frames
          keep their type; ``numeric`` columns as ``float64``.

    The contract, what is accepted
    ------------------------------
    * Long format with a header: ``ds`` and ``y`` required, ``series`` optional, any other
      columns kept. Column names are matched exactly after trimming surrounding spaces
      (``Date`` is *not* taken for ``ds``: the error suggests the rename instead).
    * Rows in any order; several series in one file; CRLF or LF line ends; a UTF-8 byte-order
      mark; UTF-8, or Windows-1252/Latin-1 text as saved by older Excel; UTF-16 with a BOM.
    * Delimiter ``,`` ``;`` tab or ``|``, detected from the header line. A ``;`` file is taken as
      written by French-locale Excel: ``12,5`` is 12.5, spaces (also no-break spaces) group
      thousands (``1 234,5``), and ``1.234,5`` also reads as 1234.5. In a ``,`` file a quoted
      ``"1,234"`` reads as 1234.
    * Timestamps in ISO 8601 (``2024-12-31``, ``2024-12-31 14:30``, ``2024-12-31T14:30:00-05:00``)
      or, when ISO does not read every row, one of ``31/12/2024``, ``12/31/2024``, ``2024/12/31``,
      ``31.12.2024``, ``31-12-2024`` optionally followed by ``14:30`` or ``14:30:00``. The layout
      must read *every* row. When both day/month and month/day do, a ``;`` file is day-first,
      otherwise the reading giving the most regular spacing wins, and a true tie is refused.
      Excel date cells and Parquet/DataFrame datetime columns are used as they are.
    * In a workbook, a formula cell is read as the value Excel last computed and saved; nothing is
      ever evaluated here (a formula never computed, e.g. written by a script, reads as blank).
    * UTC offsets (``Z``, ``+02:00``, ``-0500``): all timestamps of the file carry one, or none
      does. If the offsets differ (a daylight-saving change, ``-05:00`` in winter, ``-04:00`` in
      summer) and ``tz`` is not given, the first time zone whose offsets match every timestamp
      (Canadian zones tried first, e.g. ``America/Toronto``) is used and named in a
      :class:`~forecast.errors.DataWarning`; with ``tz`` every timestamp is converted to that zone.
      Offsets no zone explains are refused.
    * A blank ``y`` (or ``NA``, ``N/A``, ``NaN``, ``null``, ``None``, ``#N/A``) is loaded as NaN and
      reported with a :class:`~forecast.errors.DataWarning` naming the lines; it is never dropped.
    * Blank lines, and rows whose every field is blank (Excel writes ``;;;`` for formatted empty
      rows), are not data rows and are skipped; line numbers still count them.
    * Quoted fields (``"a,b"``, with doubled quotes inside), even ones holding line breaks.

    What is refused, always with a :class:`~forecast.errors.DataError`
    -----------------------------------------------------------------
    An empty file; a header without data rows; no ``ds`` or no ``y`` column (with the closest
    existing name suggested); a column named twice; a blank or unreadable timestamp; a non-numeric,
    negative or infinite ``y``; a blank ``series`` name; the same ``(series, ds)`` twice (both
    lines named); timestamps with and without UTC offsets mixed; differing offsets without ``tz``;
    a local time that does not exist or is ambiguous in ``tz`` (daylight-saving change); a row
    with more or fewer fields than the header; a file that is not a text table (an image, a ZIP or
    an Office binary renamed ``.csv``, HTML, JSON); an unreadable workbook or Parquet file; a
    damaged or truncated gzip file.

    Limits (:mod:`forecast.limits`, each refused with a sentence saying the limit and what to do):
    more than ``MAX_UPLOAD_BYTES`` once decompressed (a gzip or zip bomb is stopped while it
    decompresses, never held in memory), more than ``MAX_ROWS`` data rows or ``MAX_COLUMNS``
    columns (the whole reading is linear in the size of the input), more than ``MAX_SERIES``
    series, a series name longer than ``MAX_NAME_LENGTH`` or holding a control character (ESC,
    a line break, a bidirectional override: shown escaped, ``'\\x1b'``), a timestamp outside the
    years ``EARLIEST_YEAR``-``LATEST_YEAR`` (1900-2200), a value above ``value_limit``.
    No message quotes text raw: control characters in values and file names appear escaped.

    Every message names the file, the row, the column, the value and what was expected::

        passport.csv, line 7, column 'y': '12,5x' is not a number; expected a non-negative number such as 42 or 12.5

    Rows are counted as a person counts them in the file: header = line 1, first data row =
    line 2. In a workbook: ``sheet 'Data', row 7`` with the header in row 1. For a Parquet file
    or a DataFrame, ``row N`` counts the same way (first record = row 2, as in a spreadsheet
    with a header row); for a DataFrame the index label is added: ``row 7 (index 5)``. The error
    carries the facts as attributes too: ``path``, ``line``, ``column``, ``value``, ``expected``.

    Raises
    ------
    DataError
        The data breaks the contract (a :class:`ValueError`).
    ValueError
        ``tz`` is not a known time zone, or ``value``/``value_limit`` is not a column/limit name.
    FileNotFoundError
        ``source`` is a path that does not exist.
    TypeError
        ``source`` is none of the above (a text-mode file: open it with ``"rb"``).
    """
    tz = _check_tz(tz)
    values = (value,) if isinstance(value, str) else tuple(value)
    if not values or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"value: expected a column name or a sequence of them, got {value!r}")
    if isinstance(numeric, str):
        numeric = (numeric,)
    if value_limit not in limits.LIMITS:
        raise ValueError(f"value_limit: expected the name of a limit in forecast.limits such as 'MAX_VALUE' or "
                         f"'MAX_CALLS_PER_INTERVAL', got {value_limit!r}")
    try:
        if isinstance(source, pd.DataFrame):
            table = _table_from_frame(source, _Source(name or "DataFrame", "frame", index=source.index))
        else:
            data, label, kind = _load(source, name)
            reader = {"xlsx": _read_xlsx, "parquet": _read_parquet, "text": _read_text}[kind]
            table = reader(data, label)
            del data
        if series_column != "series":
            table = _rename_series(table, series_column)
        return _validate(table, series, tz, values, tuple(numeric), value_limit)
    except MemoryError:
        label = name or ("DataFrame" if isinstance(source, pd.DataFrame) else
                         str(source) if isinstance(source, (str, Path)) else "upload")
        raise DataError("is too large to read in the memory available", path=label,
                        expected="a smaller file: " + limits.LIMITS["MAX_UPLOAD_BYTES"].advice) from None


# ----------------------------------------------------------------------------------------------
# reading raw cells


def _check_tz(tz: str | None) -> str | None:
    if tz is None:
        return None
    try:
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"tz: unknown time zone {tz!r}; expected an IANA name such as 'America/Toronto'") from exc
    return tz


_TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".gz", ".dat")
_GZIP_MAGIC = b"\x1f\x8b"


def _load(source: Readable, name: str | None) -> tuple[bytes, str, str]:
    """The bytes of ``source`` (at most MAX_UPLOAD_BYTES), the label for messages and the kind of
    table: ``"text"`` (CSV, gzipped or not), ``"xlsx"`` or ``"parquet"``."""
    limit = limits.MAX_UPLOAD_BYTES
    if isinstance(source, (str, Path)):
        path = Path(source)
        label = name if name is not None else str(source)
        if not path.exists():
            raise FileNotFoundError(f"{visible(label)}: no such file")
        if path.is_dir():
            raise DataError("is a folder, not a file", path=label, expected="a CSV, XLSX or Parquet file")
        kind = _kind(path.name, None, label)
        size = path.stat().st_size
        if size > limit:
            raise _too_big(size, label)
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)  # a buffered file reads it all at once; +1 tells a file grown since
        if len(data) > limit:
            raise _too_big(len(data), label)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        label = name if name is not None else "upload"
        data = bytes(source)
        if len(data) > limit:
            raise _too_big(len(data), label)
        kind = _kind(name or "", data, label)
    elif hasattr(source, "read"):
        own = getattr(source, "name", None)
        own = Path(own).name if isinstance(own, str) and own else None  # never a server path
        label = name if name is not None else (own or "upload")
        data = _read_all(source, label)
        kind = _kind(name or own or "", data, label)
    else:
        raise TypeError(f"source: expected a path, bytes, a binary file object or a pandas DataFrame, "
                        f"got {type(source).__name__}")
    return data, label, kind


def _read_all(stream: BinaryIO, label: str) -> bytes:
    if isinstance(stream, io.TextIOBase):
        raise TypeError(f"source: {visible(label)} is open in text mode; open it in binary mode, open(path, 'rb')")
    try:
        return limits.read_bounded(stream)
    except LimitError as exc:
        raise DataError("holds " + str(exc), path=label) from None


def _reason(exc: BaseException) -> str:
    """A library's exception in a few words: its message, or its type when it has none."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _too_big(size: int, label: str) -> DataError:
    return DataError(limits.sentence("MAX_UPLOAD_BYTES", size), path=label)


def _kind(file_name: str, data: bytes | None, label: str) -> str:
    low = file_name.lower()
    if low.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if low.endswith((".parquet", ".pq")):
        return "parquet"
    if low.endswith(".xls"):
        raise DataError("old-style .xls workbooks are not read", path=label,
                        expected="an .xlsx workbook or a CSV file (save it again from Excel)")
    if data is not None and not low.endswith(_TEXT_SUFFIXES):  # no telling name: the first bytes decide
        if data.startswith(b"PK\x03\x04"):
            return "xlsx"
        if data.startswith(b"PAR1"):
            return "parquet"
    return "text"


# a character that takes several bytes in UTF-8 (é is C3 A9); one-byte encodings such as cp1252 put
# accented letters in single bytes that do not form these pairs
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _decode(data: bytes, label: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataError(f"is not readable UTF-16 text ({exc.reason})", path=label,
                            expected="a text table (CSV)") from exc
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise DataError(f"is not a text table: it looks like {what}", path=label,
                            expected="a CSV text file with a header line such as ds,y")
    if b"\x00" in data[:65536]:
        raise DataError("is not a text table: it holds binary data (NUL bytes)", path=label,
                        expected="a CSV text file with a header line such as ds,y")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    # a file that is UTF-8 in places and another encoding elsewhere (lines pasted from two
    # exports) would be garbled whichever single encoding we chose: say where, lose nothing
    utf8 = _UTF8_MULTIBYTE.search(data)
    if utf8 is not None:
        bad_line = data.count(b"\n", 0, bad_at) + 1
        good_line = data.count(b"\n", 0, utf8.start()) + 1
        raise DataError(f"mixes two text encodings: line {good_line} is UTF-8 "
                        f"({utf8.group().decode('utf-8')!r}), but line {bad_line} holds byte "
                        f"0x{data[bad_at]:02X}, which is not", path=label, line=bad_line,
                        expected="one encoding throughout: open the file in a text editor and save it again as UTF-8")
    try:
        return data.decode("cp1252")  # Excel on Windows: "Enregistrer sous CSV (séparateur: point-virgule)"
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _sniff_delimiter(header: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])  # ties keep the first: ","
    return best if counts[best] else ","


def _gunzip(data: bytes, label: str) -> bytes:
    """Decompress a gzip file (every member), stopping at MAX_UPLOAD_BYTES while it decompresses."""
    expected = "a readable .csv.gz (compress the CSV again, or upload it uncompressed)"
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            return limits.read_bounded(gz)
    except LimitError as exc:
        raise DataError("decompresses to " + str(exc), path=label) from None
    except EOFError:
        raise DataError("is a damaged gzip file: it ends before its compressed data does (a truncated "
                        "download or copy?)", path=label, expected=expected) from None
    except zlib.error as exc:
        raise DataError(f"is a damaged gzip file: its compressed data is corrupt ({exc})", path=label,
                        expected=expected) from None
    except OSError as exc:  # gzip.BadGzipFile: a bad header, a CRC or length check failed
        raise DataError(f"is a damaged gzip file ({exc})", path=label, expected=expected) from None


def _read_text(data: bytes, label: str) -> _Table:
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, label)
    text = _decode(data, label)
    if re.search(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]", text[:65536]):
        raise DataError("is not a text table: it holds control characters (a binary file?)", path=label,
                        expected="a CSV text file with a header line such as ds,y")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip()
    if not stripped:
        raise DataError("the file is empty", path=label, expected=EXPECT_HEADER + " and at least one data row")
    if stripped[0] == "<":
        raise DataError("is not a text table: it looks like HTML or XML (a web page saved as .csv?)",
                        path=label, expected="a CSV text file with a header line such as ds,y")
    if stripped[0] in "{[":
        raise DataError("is not a text table: it looks like JSON", path=label,
                        expected="a CSV text file with a header line such as ds,y")
    first = text.split("\n", 1)[0]
    src = _Source(label, "csv")
    if not first.strip():
        raise src.error("the first line is blank", line=1, value="", expected=EXPECT_HEADER)
    delim = _sniff_delimiter(first)
    width = len(next(csv.reader([first], delimiter=delim))) if '"' in first else first.count(delim) + 1
    if width > limits.MAX_COLUMNS:
        raise src.error(limits.sentence("MAX_COLUMNS", width), line=1, value=None)
    header, body, line_no = _split_fast(text, first, delim, src)
    _check_rows(len(body), src)
    names = _header_names(header, src)
    body.columns = names
    table = _Table(body, line_no, src, decimal_comma=delim == ";", dayfirst=delim == ";")
    if body.empty:
        raise src.error("the file has a header but no data rows", line=1, value=first,
                        expected="at least one data row under the header")
    return table


def _check_rows(rows: int, src: _Source) -> None:
    if rows > limits.MAX_ROWS:
        raise src.error(limits.sentence("MAX_ROWS", rows), value=None)


def _ragged(src: _Source, line: int, fields: int, expected: int, text: str, delim: str) -> DataError:
    shown = text if len(text) <= 80 else text[:77] + "..."
    name = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}[delim]
    hint = ""
    if delim == "," and fields > expected and re.search(r"\d,\d", text):
        hint = " (a decimal comma? use ';' as the separator, or quote the number)"
    return src.error(f"the row {shown!r} has {fields} fields but the header has {expected}{hint}", line=line,
                     value=shown, expected=f"{expected} values separated by {name}, one per header column")


def _split_fast(text: str, first: str, delim: str, src: _Source):
    """Arrow counts the fields of every line, then its C++ CSV reader splits them.

    Line numbers come from the per-line field counts, so a ragged row is named by its line without
    parsing rows in Python. Quoted fields are fine as long as none spans several lines (then every
    line holds an even number of quotes); otherwise the exact, slower csv-module reader takes over.
    """
    if "\x1f" in text:  # the unit separator is our "no delimiter" for reading whole lines
        return _split_quoted(text, delim, src)
    raw = text.encode("utf-8")
    quoted = '"' in text
    header = next(csv.reader([first], delimiter=delim)) if quoted else first.split(delim)
    n = len(header)
    body_lines = pcsv.read_csv(
        io.BytesIO(raw),
        read_options=pcsv.ReadOptions(column_names=["line"], skip_rows=1),
        parse_options=pcsv.ParseOptions(delimiter="\x1f", quote_char=False, ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(column_types={"line": pa.string()}, strings_can_be_null=False),
    )["line"]
    unquoted = body_lines
    if quoted:
        quotes = np.asarray(pc.count_substring(body_lines, '"').to_numpy(zero_copy_only=False), dtype=np.int64)
        if (quotes % 2).any():  # a quoted field holds a line break
            return _split_quoted(text, delim, src)
        unquoted = pc.replace_substring_regex(body_lines, r'"[^"]*"', "")
    blank = _np(pc.equal(pc.utf8_trim_whitespace(body_lines), ""))
    fields = np.asarray(pc.count_substring(unquoted, delim).to_numpy(zero_copy_only=False), dtype=np.int64) + 1
    bad = (~blank) & (fields != n)
    if bad.any():
        i = int(np.argmax(bad))
        raise _ragged(src, i + 2, int(fields[i]), n, body_lines[i].as_py(), delim)
    present = fields == n  # lines the CSV reader turns into rows; blank ones with n-1 delimiters too
    try:
        table = pcsv.read_csv(
            io.BytesIO(raw),
            read_options=pcsv.ReadOptions(column_names=[str(k) for k in range(n)], skip_rows=1),
            parse_options=pcsv.ParseOptions(delimiter=delim, quote_char='"' if quoted else False,
                                            double_quote=True, ignore_empty_lines=True,
                                            invalid_row_handler=lambda row: "skip"),  # only blank lines
            convert_options=pcsv.ConvertOptions(column_types={str(k): pa.string() for k in range(n)},
                                                strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return _split_quoted(text, delim, src)
    if table.num_rows != int(present.sum()):  # never expected; the exact, slower reader decides
        return _split_quoted(text, delim, src)
    body = table.to_pandas()
    body.columns = list(range(n))
    keep = ~_all_blank(body)
    line_no = np.flatnonzero(present)[keep].astype(np.int64) + 2
    return header, body[keep].reset_index(drop=True), line_no


def _all_blank(body: pd.DataFrame) -> np.ndarray:
    """Rows whose every field is blank (Excel writes ';;;' for formatted but empty rows): not data."""
    empty = np.ones(len(body), dtype=bool)
    for c in body.columns:
        empty &= _np(pc.equal(pc.utf8_trim_whitespace(_text(body[c])), ""))
        if not empty.any():
            break
    return empty


def _split_quoted(text: str, delim: str, src: _Source):
    """Exact path for files with quoted fields (which may hold delimiters or line breaks)."""
    reader = csv.reader(io.StringIO(text), delimiter=delim, strict=True)
    records: list[list[str]] = []
    starts: list[int] = []
    prev = 0
    try:
        for rec in reader:
            records.append(rec)
            starts.append(prev + 1)
            prev = reader.line_num
    except csv.Error as exc:
        raise src.error(f"the quoting is broken ({exc})", line=prev + 1, value=None,
                        expected='fields quoted as "like this", with any quote inside doubled ("")') from exc
    header = records[0]
    n = len(header)
    sizes = np.fromiter((len(r) for r in records), dtype=np.int64, count=len(records))
    blank = np.fromiter((not "".join(r).strip() for r in records), dtype=bool, count=len(records))
    bad = (~blank) & (sizes != n)
    bad[0] = False
    if bad.any():
        i = int(np.argmax(bad))
        raise _ragged(src, starts[i], int(sizes[i]), n, delim.join(records[i]), delim)
    keep = ~blank
    keep[0] = False
    idx = np.flatnonzero(keep)
    body = pd.DataFrame([records[i] for i in idx], columns=list(range(n)), dtype=str)
    if body.shape[1] != n:  # zero rows
        body = pd.DataFrame({k: pd.Series([], dtype=str) for k in range(n)})
    return header, body, np.asarray(starts, dtype=np.int64)[idx]


def _header_names(header: list, src: _Source) -> list[str]:
    names = []
    for k, raw in enumerate(header):
        name = "" if raw is None else str(raw).strip()
        names.append(name if name else f"column_{k + 1}")
    seen: dict[str, int] = {}
    for k, name in enumerate(names):
        if name in seen:
            raise src.error(f"the column {name!r} appears twice (columns {seen[name] + 1} and {k + 1})",
                            line=1 if src.header() else None, column=name, value=name, where=src.header(),
                            expected="each column named once")
        seen[name] = k
    return names


def _read_xlsx(data: bytes, label: str) -> _Table:
    import openpyxl
    from openpyxl.utils import get_column_letter

    if not data.startswith(b"PK\x03\x04"):
        raise DataError("is not an Excel .xlsx workbook (it is not a ZIP container)", path=label,
                        expected="an .xlsx file saved by Excel or LibreOffice")
    unreadable = "an .xlsx file saved by Excel or LibreOffice"
    try:
        # a zip bomb is refused before openpyxl opens it: zipfile never yields more bytes than a
        # member declares (and checks its CRC), so the declared sizes bound the decompressed total
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(f"is not a readable Excel workbook ({exc})", path=label, expected=unreadable) from None
    if unpacked > limits.MAX_UPLOAD_BYTES:
        raise DataError(limits.sentence("MAX_UPLOAD_BYTES", unpacked) + " (the workbook's content once unzipped)",
                        path=label)
    # openpyxl parsing a damaged or hostile workbook can raise almost anything (ParseError,
    # IndexError, KeyError, NotImplementedError...): every one is "not a readable workbook"
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - see above
        raise DataError(f"is not a readable Excel workbook ({_reason(exc)})", path=label, expected=unreadable) from None
    try:
        ws = wb.worksheets[0]
        sheet = ws.title
        src = _Source(label, "xlsx", sheet=sheet)
        # the <dimension> a file declares is not trusted: openpyxl would pad every row to it
        # (A1:XFD1048576 in a 5 KB file makes 17 billion cells); rows are read as they are
        ws.reset_dimensions()
        rows: list[tuple] = []
        for k, row in enumerate(ws.iter_rows(min_row=1, values_only=True)):
            if k > limits.MAX_ROWS:
                raise src.error("the sheet has " + limits.beyond("MAX_ROWS"), value=None)
            if len(row) > limits.MAX_COLUMNS:
                raise src.error(f"the row has cells up to column {get_column_letter(len(row))}: "
                                + limits.sentence("MAX_COLUMNS", len(row)), line=k + 1, value=None)
            rows.append(row)
    except DataError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - the rows are parsed lazily: same as load_workbook above
        raise DataError(f"is not a readable Excel workbook ({_reason(exc)})", path=label, expected=unreadable) from None
    finally:
        wb.close()

    def is_blank(v: object) -> bool:
        # from_records turns empty cells of a date column into NaT, which must count as empty too
        if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
            return True
        if isinstance(v, np.datetime64):
            return bool(np.isnat(v))
        return isinstance(v, str) and not v.strip()

    if not rows or all(is_blank(v) for v in rows[0]):
        if not any(not is_blank(v) for r in rows for v in r):
            raise DataError(f"sheet {sheet!r} is empty", path=label,
                            expected=EXPECT_HEADER + " in row 1 and at least one data row")
        raise src.error("row 1 is blank", line=1, value="", expected=EXPECT_HEADER + " in row 1")
    header = list(rows[0])
    while header and is_blank(header[-1]):
        header.pop()
    n = len(header)
    names = _header_names(header, src)
    body_rows = rows[1:]
    width = max(map(len, body_rows), default=0)  # rows come unpadded (see reset_dimensions above)
    body_rows = [r if len(r) == width else tuple(r) + (None,) * (width - len(r)) for r in body_rows]
    wide = pd.DataFrame.from_records(body_rows) if body_rows else pd.DataFrame()
    if wide.shape[1] > n:
        extra = wide.iloc[:, n:].map(lambda v: not is_blank(v)).any(axis=1).to_numpy()
        if extra.any():
            i = int(np.argmax(extra))
            col = wide.columns[n:][np.argmax(wide.iloc[i, n:].map(lambda v: not is_blank(v)).to_numpy())]
            value = wide.iat[i, col]
            raise src.error(f"the row has the value {_show(value)} in column "
                            f"{get_column_letter(col + 1)}, beyond the header", line=i + 2, value=value,
                            expected=f"values only under the {n} named columns")
        wide = wide.iloc[:, :n]
    for k in range(wide.shape[1], n):
        wide[k] = None
    blank = wide.map(is_blank).all(axis=1).to_numpy(dtype=bool) if len(wide) else np.zeros(0, bool)
    body = wide[~blank].reset_index(drop=True)
    body.columns = names
    if body.empty:
        raise src.error("the sheet has a header but no data rows", line=1, where=src.header(),
                        expected="at least one data row under the header")
    _check_rows(len(body), src)
    return _Table(body, np.flatnonzero(~blank).astype(np.int64) + 2, src)


def _read_parquet(data: bytes, label: str) -> _Table:
    import pyarrow.parquet as pq

    if not data.startswith(b"PAR1"):
        raise DataError("is not a Parquet file (it does not start with PAR1)", path=label,
                        expected="a .parquet file written by pandas, pyarrow, Spark or DuckDB")
    expected = "a .parquet file written by pandas, pyarrow, Spark or DuckDB"
    src = _Source(label, "parquet")
    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
        # sizes the file declares, checked before any column is decompressed
        if meta.num_columns > limits.MAX_COLUMNS:
            raise src.error(limits.sentence("MAX_COLUMNS", meta.num_columns), value=None)
        _check_rows(meta.num_rows, src)
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if unpacked > limits.MAX_UPLOAD_BYTES:
            raise DataError(limits.sentence("MAX_UPLOAD_BYTES", unpacked) + " (the data once uncompressed)",
                            path=label)
        frame = pd.read_parquet(io.BytesIO(data))
    except DataError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file can fail anywhere in pyarrow's reader
        raise DataError(f"is not a readable Parquet file ({_reason(exc)})", path=label, expected=expected) from None
    return _table_from_frame(frame, src)


def _table_from_frame(frame: pd.DataFrame, src: _Source) -> _Table:
    if frame.shape[1] == 0 and len(frame) == 0:
        raise src.error("the table is empty", expected=EXPECT_HEADER + " and at least one data row")
    if frame.shape[1] > limits.MAX_COLUMNS:
        raise src.error(limits.sentence("MAX_COLUMNS", frame.shape[1]), value=None)
    _check_rows(len(frame), src)
    names = [str(c).strip() for c in frame.columns]
    _header_names(names, src)
    body = frame.reset_index(drop=True)
    body.columns = names
    if body.empty:
        raise src.error("the table has columns but no rows", expected="at least one data row")
    return _Table(body, np.arange(len(body), dtype=np.int64) + 2, src)


# ----------------------------------------------------------------------------------------------
# validation, vectorised: string work in pyarrow.compute (C++), the first bad row found with a mask

_NUMBER_RE = r"(?i)^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$"
# a UTC offset after a time of day: 14:30Z, 14:30:00+02:00, 14:30-0500, 14:30+05
_OFFSET_ANY_RE = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_OFFSET_GROUP_RE = r"(?P<off>[Zz]|[+-]\d{2}(?::?\d{2})?)$"


def _text(col: pd.Series) -> pa.ChunkedArray:
    """Cells as an arrow string array, blanks (None, NaN) as ""; string cells unchanged."""
    if col.dtype != object and pd.api.types.is_string_dtype(col.dtype):
        arr = pa.array(col)  # zero-copy for pandas 3's arrow-backed str
        if not isinstance(arr, pa.ChunkedArray):
            arr = pa.chunked_array([arr])
    else:
        vals = col.astype(object).where(col.notna(), "").astype(str).to_numpy(dtype=object)
        arr = pa.chunked_array([pa.array(vals, type=pa.large_string())])
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    return arr


def _label(value: object) -> str:
    """An index label as a pandas user would type it: 12, 'a', 2024-01-01 00:00:00."""
    value = value.item() if isinstance(value, np.generic) else value
    return repr(value) if isinstance(value, str) else str(value)


def _show(value: object) -> str:
    """A cell value as the message quotes it: text in quotes, numbers plainly."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return repr(value if isinstance(value, str) else str(value))


def _np(mask: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def _i8(ds: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds (UTC for tz-aware), for sorting and equality."""
    if getattr(ds.dt, "tz", None) is not None:
        ds = ds.dt.tz_convert("UTC").dt.tz_localize(None)
    return ds.dt.as_unit("ns").to_numpy().view(np.int64)


def _rename_series(t: _Table, column: str) -> _Table:
    """The table with its ``column`` read as the series column (``series_column=`` of read_history)."""
    src = dataclasses.replace(t.source, series_column=column)
    cols = list(t.frame.columns)
    if column in cols and "series" in cols:
        raise src.error(f"the file has both a {column!r} and a 'series' column; expected one column naming the "
                        f"series", line=1 if src.header() else None, column="series", value=None,
                        where=src.header())
    frame = t.frame.rename(columns={column: "series"}) if column in cols else t.frame
    return dataclasses.replace(t, frame=frame, source=src)


def _shown_columns(cols: list[str]) -> str:
    return repr(cols) if len(cols) <= 20 else repr(cols[:20])[:-1] + f", ... ({len(cols)} columns)]"


def _require_columns(t: _Table, values: tuple[str, ...]) -> str:
    """Check that ``ds`` and a value column are present; return the value column's name."""
    cols = list(t.frame.columns)
    src = t.source
    value = next((v for v in values if v in cols), None)
    for need in ("ds", values[0]):
        if need in cols or (need != "ds" and value is not None):
            continue
        lower = {c.lower(): c for c in cols}
        taken = ("ds", "series", *values)
        guess = [lower[c] for c in difflib.get_close_matches(need, list(lower), n=1, cutoff=0.6)]
        guess = [g for g in guess if g not in taken]
        if not guess:
            aliases = _ALIASES.get("ds" if need == "ds" else "y", ())
            guess = [c for c in cols if c.lower() in aliases and c not in taken][:1]
        hint = (f"; did you mean {guess[0]!r}? rename it to {need!r} (columns are never renamed silently)"
                if guess else "")
        if need != "ds" and "ds" in cols and len([c for c in cols if c not in ("ds", "series")]) >= 2 and not guess:
            hint += ("; it looks like a wide table (one column per series): reshape it to the long format "
                     f"series,ds,{need}, e.g. df.melt(id_vars='ds', var_name='series', value_name={need!r})")
        if src.kind == "frame" and src.index is not None and src.index.name == need:
            hint += f"; {need!r} is the index: call .reset_index() first"
        what = "timestamp" if need == "ds" else "number"
        named = repr(need) if need == "ds" or len(values) == 1 else (
            ", ".join(repr(v) for v in values[:-1]) + f" or {values[-1]!r}")
        expected = EXPECT_HEADER if values == ("y",) else (
            f"a header line naming the columns ds (timestamp) and {' or '.join(values)} (number), e.g. ds,{values[0]}")
        raise src.error(f"there is no column {named} ({what}); the columns are {_shown_columns(cols)}{hint}",
                        line=1 if src.header() else None, column=need, value=None, where=src.header(),
                        expected=expected)
    assert value is not None  # refused above when no value column is present
    return value


# C0 and C1 controls (ESC, line breaks, tabs, NUL...), DEL, and the bidirectional overrides and
# isolates that reorder how a line is displayed
_CONTROL_RE = r"[\x{0000}-\x{001f}\x{007f}-\x{009f}\x{202a}-\x{202e}\x{2066}-\x{2069}]"
_CONTROL_PY = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _check_names(names: pa.ChunkedArray, lines: np.ndarray, src: _Source, column: pd.Series) -> None:
    """Series names: short, free of control characters, and not too many distinct ones. Checked on
    the distinct names (a handful), then the first row holding an offending one is found."""
    unique = pc.unique(names)
    if len(unique) > limits.MAX_SERIES:
        raise src.error(f"the file has {len(unique):,} series: " + limits.sentence("MAX_SERIES", len(unique)),
                        column=src.series_column, value=None)
    control = pc.match_substring_regex(unique, _CONTROL_RE)
    length = pc.utf8_length(unique)
    bad = pc.or_(control, pc.greater(length, limits.MAX_NAME_LENGTH))
    if not pc.any(bad).as_py():
        return
    i = _first(_np(pc.is_in(names, value_set=pc.filter(unique, bad))))
    name = names[i].as_py()
    control_char = _CONTROL_PY.search(name)
    if control_char:
        raise src.error(f"the series name {_show(column.iat[i])} holds the control character {control_char.group()!r}",
                        line=int(lines[i]), column=src.series_column, value=column.iat[i],
                        expected="a name of letters, digits, spaces and punctuation, without control characters")
    raise src.error(f"the series name {name[:40]!r}... is too long: " + limits.sentence("MAX_NAME_LENGTH", len(name)),
                    line=int(lines[i]), column=src.series_column, value=column.iat[i])


def _validate(t: _Table, series: str | None, tz: str | None, values: tuple[str, ...] = ("y",),
              numeric: tuple[str, ...] = (), value_limit: str = "MAX_VALUE") -> pd.DataFrame:
    vcol = _require_columns(t, values)
    df, lines, src = t.frame, t.lines, t.source

    names = None
    if "series" in df.columns:
        names = _text(df["series"])
        blank = _np(pc.equal(pc.utf8_trim_whitespace(names), ""))
        if blank.any():
            i = _first(blank)
            raise src.error("the series name is blank", line=int(lines[i]), column=src.series_column,
                            value=df["series"].iat[i], expected=EXPECT_SERIES)

    if series is not None:
        if names is None:
            if series != DEFAULT_SERIES:
                raise src.error(f"there is no series {series!r}: the file has no 'series' column, so its one "
                                f"series is named {DEFAULT_SERIES!r}", column=src.series_column, value=series,
                                expected=f"series={DEFAULT_SERIES!r} or no series filter")
        else:
            keep = _np(pc.equal(names, series))
            if not keep.any():
                present = sorted(pc.unique(names).to_pylist())
                shown = ", ".join(repr(p) for p in present[:20]) + (" ..." if len(present) > 20 else "")
                raise src.error(f"there is no series {series!r}; the series present are {shown}",
                                column=src.series_column, value=series, expected="one of the series present")
            df = df[keep].reset_index(drop=True)
            names = names.filter(pa.chunked_array([pa.array(keep)]))
            lines = lines[keep]
    if names is not None:
        _check_names(names, lines, src, df["series"])

    ds = _parse_ds(t, df["ds"], lines, tz)
    y = _parse_y(t, df[vcol], lines, column=vcol, limit=value_limit)
    extra_numbers = {c: _parse_y(t, df[c], lines, column=c, limit=value_limit)
                     for c in numeric if c in df.columns and c not in ("series", "ds", vcol)}

    if names is None:
        names = pa.chunked_array([pa.array(np.full(len(df), DEFAULT_SERIES, dtype=object), type=pa.large_string())])
    labels = pc.array_sort_indices(pc.unique(names))
    labels = pc.take(pc.unique(names), labels)
    codes = np.asarray(pc.index_in(names, value_set=labels).to_numpy(zero_copy_only=False), dtype=np.int64)
    stamps = _i8(ds)
    order = np.lexsort((stamps, codes))  # stable: equal keys keep file order
    c, s = codes[order], stamps[order]
    same = (c[1:] == c[:-1]) & (s[1:] == s[:-1])
    if same.any():
        pairs = np.flatnonzero(same)
        later = np.maximum(order[pairs], order[pairs + 1])
        k = pairs[np.argmin(later)]
        a, b = sorted((int(order[k]), int(order[k + 1])))
        raise src.error(f"series {names[b].as_py()!r} has the timestamp {ds.iat[b]} twice",
                        line=int(lines[b]), column="ds", value=df["ds"].iat[b],
                        where=src.where_pair(int(lines[a]), int(lines[b])),
                        expected="one row per series and timestamp")

    take = pa.array(order)
    out = pd.DataFrame({
        "series": pc.take(names, take).to_pandas().astype(str),
        "ds": ds.take(order).reset_index(drop=True),
        vcol: y[order],
    })
    rest = [k for k, col in enumerate(df.columns) if col not in ("series", "ds", vcol)]
    if not rest:
        return out
    # the other columns in one take and one concat: adding them one by one costs time in the square of their number
    others = df.iloc[order, rest].reset_index(drop=True)
    for col, numbers in extra_numbers.items():
        others[col] = numbers[order]
    return pd.concat([out, others], axis=1)


def _parse_y(t: _Table, col: pd.Series, lines: np.ndarray, column: str = "y", limit: str = "MAX_VALUE") -> np.ndarray:
    """The numbers of one column (``y`` or another value column), float64, NaN where blank."""
    src = t.source
    expect = EXPECT_Y
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        y = col.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(y)
    else:
        text = pc.utf8_trim_whitespace(_text(col))
        missing = _np(pc.is_in(pc.utf8_lower(text), value_set=pa.array(sorted(NA_TOKENS))))
        clean = text
        if t.decimal_comma:
            clean = pc.replace_substring_regex(clean, r"[\s\x{00a0}\x{202f}']", "")
            # English grouping ("1,234.5") in a decimal-comma file would silently read 1000x too small
            english = _np(pc.match_substring_regex(clean, r"^-?\d+(?:,\d{3})*,\d{3}\.\d*$|^-?\d+,\d+\.\d+$"))
            if english.any():
                i = _first(english)
                raise src.error(f"{_show(col.iat[i])} uses ',' to group thousands and '.' as the decimal mark, "
                                "but this ';'-separated file is read with ',' as the decimal mark",
                                line=int(lines[i]), column=column, value=col.iat[i],
                                expected="one convention in the whole file, e.g. 1234,5 or 1 234,5 or 1.234,5")
            # where the column groups thousands with '.' (1.234,5), a bare 12.345 is twelve thousand too
            if pc.any(pc.match_substring_regex(clean, r"^-?\d{1,3}(?:\.\d{3})+,\d*$")).as_py():
                dot_grouped = pc.match_substring_regex(clean, r"^-?\d{1,3}(?:\.\d{3})+$")
                clean = pc.if_else(dot_grouped, pc.replace_substring(clean, ".", ""), clean)
            has_comma = pc.match_substring(clean, ",")
            if pc.any(has_comma).as_py():
                swapped = pc.replace_substring(pc.replace_substring(clean, ".", ""), ",", ".")
                clean = pc.if_else(has_comma, swapped, clean)
        elif pc.any(pc.match_substring(clean, ",")).as_py():
            grouped = pc.match_substring_regex(clean, r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
            clean = pc.if_else(grouped, pc.replace_substring(clean, ",", ""), clean)
        clean = pc.if_else(pa.chunked_array([pa.array(missing)]), pa.scalar("nan", clean.type), clean)
        try:
            y = np.asarray(pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        except pa.ArrowInvalid:
            bad = ~_np(pc.match_substring_regex(clean, _NUMBER_RE))
            if not bad.any():  # arrow refused something the pattern allows: let pandas decide
                y = pd.to_numeric(pd.Series(clean.to_numpy(zero_copy_only=False)), errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan)
                bad = np.isnan(y) & ~missing
            if bad.any():
                i = _first(bad)
                shown = text[i].as_py()
                hint = (" (a ',' decimal mark is read only in ';'-separated files)"
                        if re.fullmatch(r"-?\d+,\d+", shown) and not t.decimal_comma else "")
                raise src.error(f"{_show(col.iat[i])} is not a number{hint}", line=int(lines[i]), column=column,
                                value=col.iat[i], expected=expect) from None
    inf = np.isinf(y)
    if inf.any():
        i = _first(inf)
        raise src.error(f"{_show(col.iat[i])} is infinite", line=int(lines[i]), column=column, value=col.iat[i],
                        expected=expect)
    neg = y < 0
    if neg.any():
        i = _first(neg)
        raise src.error(f"{_show(col.iat[i])} is negative", line=int(lines[i]), column=column, value=col.iat[i],
                        expected=expect)
    big = y > getattr(limits, limit)
    if big.any():
        i = _first(big)
        raise src.error(f"{_show(col.iat[i])} is not a plausible value: " + limits.sentence(limit, float(y[i])),
                        line=int(lines[i]), column=column, value=col.iat[i])
    if missing.any():
        where = [str(src.where(int(line))) for line in lines[missing][:5]]
        more = " ..." if missing.sum() > 5 else ""
        warnings.warn(visible(f"{src.label}: {int(missing.sum())} blank {column!r} value(s) loaded as NaN "
                              f"({', '.join(where)}{more})"), DataWarning, stacklevel=4)
    return y + 0.0  # -0.0 -> 0.0


def _offset_tz(offset: str) -> _dt.timezone:
    sign = -1 if offset[0] == "-" else 1
    return _dt.timezone(sign * _dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))


def _parse_ds(t: _Table, col: pd.Series, lines: np.ndarray, tz: str | None) -> pd.Series:
    src = t.source
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        ds = col.reset_index(drop=True)
        nat = ds.isna().to_numpy()
        if nat.any():
            i = _first(nat)
            raise src.error("the timestamp is blank", line=int(lines[i]), column="ds", value=None, expected=EXPECT_DS)
        _check_years(t, ds, lines, col)
        if tz is not None:
            ds = ds.dt.tz_convert(tz) if getattr(ds.dt, "tz", None) is not None else _localize(t, ds, lines, col, tz)
        return ds.dt.as_unit("ns")

    text = pc.utf8_trim_whitespace(_text(col))
    blank = _np(pc.equal(text, ""))
    if blank.any():
        i = _first(blank)
        raise src.error("the timestamp is blank", line=int(lines[i]), column="ds", value=col.iat[i], expected=EXPECT_DS)
    strings = pd.Series(text.to_numpy(zero_copy_only=False), dtype=object)

    has_off = _np(pc.match_substring_regex(text, _OFFSET_ANY_RE))
    if has_off.any():
        if not has_off.all():
            i = _first(has_off != has_off[0])
            raise src.error(
                f"{strings.iat[i]!r} {'has no' if has_off[0] else 'has a'} UTC offset but "
                f"{src.where(int(lines[0]))} ({strings.iat[0]!r}) {'has one' if has_off[0] else 'has none'}",
                line=int(lines[i]), column="ds", value=col.iat[i],
                expected="every timestamp with a UTC offset (2024-12-31T14:30-05:00) or none of them")
        off = pc.struct_field(pc.extract_regex(text, _OFFSET_GROUP_RE), [0])
        off = pc.replace_substring_regex(off, r"^[Zz]$", "+00:00")
        off = pc.replace_substring_regex(off, r"^([+-]\d{2})$", r"\1:00")
        off = pc.replace_substring_regex(off, r"^([+-]\d{2})(\d{2})$", r"\1:\2")
        ds = pd.to_datetime(strings, format="ISO8601", utc=True, errors="coerce")
        nat = ds.isna().to_numpy()
        if nat.any():
            i = _first(nat)
            raise src.error(f"{_show(col.iat[i])} is not a timestamp", line=int(lines[i]), column="ds",
                            value=col.iat[i], expected="an ISO 8601 timestamp such as 2024-12-31T14:30:00-05:00")
        _check_years(t, ds, lines, col)
        if tz is not None:
            return ds.dt.tz_convert(tz).dt.as_unit("ns")
        first_off = off[0].as_py()
        differs = ~_np(pc.equal(off, first_off))
        if differs.any():
            zone = _zone_of_offsets(ds, off)
            if zone is not None:
                warnings.warn(f"{src.label}: the timestamps' UTC offsets change ({first_off} and "
                              f"{sorted(set(off.to_pylist()) - {first_off})[0]}: daylight saving); they match the "
                              f"time zone {zone}, used for local times; pass tz= (queuecast --tz) to choose another",
                              DataWarning, stacklevel=4)
                return ds.dt.tz_convert(zone).dt.as_unit("ns")
            i = _first(differs)
            raise src.error(
                f"{strings.iat[i]!r} has the UTC offset {off[i].as_py()} but {src.where(int(lines[0]))} has "
                f"{first_off} (a daylight-saving change?)", line=int(lines[i]), column="ds", value=col.iat[i],
                expected="one UTC offset throughout, or pass tz= (queuecast --tz) naming the zone, "
                         "e.g. tz='America/Toronto', to convert them all to it")
        return ds.dt.tz_convert(_offset_tz(first_off)).dt.as_unit("ns")

    ds = _parse_naive(t, text, strings, col, lines)
    _check_years(t, ds, lines, col)
    if tz is not None:
        ds = _localize(t, ds, lines, col, tz)
    return ds.dt.as_unit("ns")


#: zones tried first when timestamps carry changing UTC offsets (Canada first, then the US, Europe and
#: the rest); every other zone of the tz database is tried after them, in name order
_PREFERRED_ZONES = (
    "America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/Halifax",
    "America/St_Johns", "America/Regina", "America/Whitehorse", "America/New_York", "America/Chicago",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
    "Europe/London", "Europe/Paris", "Europe/Berlin", "Asia/Jerusalem", "Australia/Sydney",
)


def _zone_of_offsets(ds: pd.Series, off: pa.Array) -> str | None:
    """The first time zone whose UTC offset equals every timestamp's own offset, or None.

    Timestamps with offsets that change (-05:00 in winter, -04:00 in summer) are instants in some
    zone with daylight saving; the zone decides local times (opening hours, weekday patterns). Only
    the first and last instant of each run of equal offsets are checked, so this is fast however
    long the file."""
    from zoneinfo import ZoneInfo, available_timezones

    offsets = pd.Series(off.to_pylist())
    minutes = offsets.map(lambda o: (1 if o[0] == "+" else -1) * (int(o[1:3]) * 60 + int(o[4:6]))
                          if isinstance(o, str) and len(o) == 6 else None)
    if minutes.isna().any():
        return None
    order = np.argsort(ds.to_numpy(), kind="stable")
    utc = ds.to_numpy()[order]
    mins = minutes.to_numpy()[order]
    edges = np.flatnonzero(np.r_[True, mins[1:] != mins[:-1], True])
    probe = np.unique(np.r_[edges[:-1], edges[1:] - 1])
    instants = pd.DatetimeIndex(utc[probe]).tz_localize("UTC") if pd.DatetimeIndex(utc[probe]).tz is None \
        else pd.DatetimeIndex(utc[probe])
    want = mins[probe]
    for zone in (*_PREFERRED_ZONES, *sorted(available_timezones() - set(_PREFERRED_ZONES))):
        try:
            local = instants.tz_convert(ZoneInfo(zone))
        except Exception:  # noqa: BLE001 - a zone the platform's tz data cannot load is skipped
            continue
        got = np.array([t.utcoffset().total_seconds() / 60 for t in local])
        if np.array_equal(got, want):
            return zone
    return None


def _check_years(t: _Table, ds: pd.Series, lines: np.ndarray, col: pd.Series) -> None:
    """Refuse timestamps outside EARLIEST_YEAR-LATEST_YEAR (before converting to nanoseconds,
    which cannot hold years before 1678 or after 2261)."""
    values = ds.to_numpy() if getattr(ds.dt, "tz", None) is None else ds.dt.tz_localize(None).to_numpy()
    early = values < np.datetime64(f"{limits.EARLIEST_YEAR:04d}-01-01")
    late = values >= np.datetime64(f"{limits.LATEST_YEAR + 1:04d}-01-01")
    bad = early | late  # NaT compares false
    if bad.any():
        i = _first(bad)
        raise _year_error(t.source, int(ds.iat[i].year), int(lines[i]), col.iat[i])


def _year_error(src: _Source, year: int, line: int, value: object) -> DataError:
    name = "EARLIEST_YEAR" if year < limits.EARLIEST_YEAR else "LATEST_YEAR"
    return src.error(f"{_show(value)}: the year " + limits.sentence(name, year), line=line, column="ds",
                     value=value, expected=f"{EXPECT_DS}, between {limits.EARLIEST_YEAR} and {limits.LATEST_YEAR}")


def _localize(t: _Table, ds: pd.Series, lines: np.ndarray, col: pd.Series, tz: str) -> pd.Series:
    out = ds.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    nat = out.isna().to_numpy()
    if nat.any():
        i = _first(nat)
        raise t.source.error(
            f"{_show(col.iat[i])} does not exist or is ambiguous in {tz} (a daylight-saving change)",
            line=int(lines[i]), column="ds", value=col.iat[i],
            expected="a local time that exists once in the zone, or timestamps with UTC offsets")
    return out


def _parse_layout(text: pa.ChunkedArray, date_re: str) -> pd.Series:
    """Timestamps of one date layout (optionally with a time), ``datetime64[ns]``, NaT where they do not fit."""
    parts = pc.extract_regex(text, "^" + date_re + _TIME_RE + "$")
    matched = _np(pc.is_valid(parts))

    def field(name: str, optional: bool = False) -> np.ndarray:
        got = pc.struct_field(parts, name)
        if optional:  # an absent time reads as midnight
            got = pc.if_else(pc.equal(got, ""), pa.scalar("0", got.type), got)
        got = pc.fill_null(got, "0")
        return np.asarray(pc.cast(got, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)

    year, month, day = field("year"), field("month"), field("day")
    hour, minute, second = field("hour", True), field("minute", True), field("second", True)
    ok = (matched & (year >= limits.EARLIEST_YEAR) & (year <= limits.LATEST_YEAR) & (month >= 1) & (month <= 12)
          & (day >= 1) & (hour < 24) & (minute < 60) & (second < 60))
    first_of_month = ((np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1).astype("datetime64[M]")
    first_day = first_of_month.astype("datetime64[D]")
    days_in_month = ((first_of_month + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    ok &= day <= days_in_month
    seconds = (first_day.astype(np.int64) + day - 1) * 86_400 + hour * 3600 + minute * 60 + second
    values = np.where(ok, seconds * 1_000_000_000, np.iinfo(np.int64).min).view("datetime64[ns]")
    return pd.Series(values)


def _regularity(ds: pd.Series) -> int:
    uniq = np.unique(ds.to_numpy())
    return len(np.unique(np.diff(uniq)))


def _iso_naive(strings: pd.Series) -> pd.Series:
    """ISO 8601 timestamps without UTC offsets, NaT where a string is not one.

    pandas refuses a mix of strings with and without offsets even with ``errors="coerce"``
    ("Mixed timezones detected"); in a file without offsets (those go another way) a string that
    pandas reads with one is malformed (``08:0-0``), so the halves are parsed apart until the
    offending strings are found, and they become NaT, to be told as "not a date" with their line.
    """
    try:
        got = pd.to_datetime(strings, format="ISO8601", errors="coerce")
    except ValueError:
        if len(strings) == 1:
            return pd.Series([pd.NaT], index=strings.index, dtype="datetime64[ns]")
        mid = len(strings) // 2
        return pd.concat([_iso_naive(strings.iloc[:mid]), _iso_naive(strings.iloc[mid:])])
    if getattr(got.dt, "tz", None) is not None:  # every one with an offset: none is naive
        return pd.Series(pd.NaT, index=strings.index, dtype="datetime64[ns]")
    return got


def _parse_naive(t: _Table, text: pa.ChunkedArray, strings: pd.Series, col: pd.Series,
                 lines: np.ndarray) -> pd.Series:
    if not _iso_naive(strings.iloc[:1]).isna().iat[0]:
        iso = _iso_naive(strings)
        if not iso.isna().any():
            return iso
    tries: list[tuple[str, str, pd.Series]] = []
    full: list[tuple[str, str, pd.Series]] = []
    head = text.slice(0, 1)
    for date_re, order, example in _DATE_FORMATS:
        if _parse_layout(head, date_re).isna().iat[0]:
            continue
        if full and (t.dayfirst or order not in ("day/month/year", "month/day/year")):
            break  # a reading of every row is found; another is needed only to judge day/month ambiguity
        got = _parse_layout(text, date_re)
        rest = got.isna().to_numpy()
        if rest.any():  # ISO rows may sit among them (Excel shows midnight without a time, others with)
            iso = _iso_naive(strings[rest])
            years = iso.dt.year
            iso[(years < limits.EARLIEST_YEAR) | (years > limits.LATEST_YEAR)] = pd.NaT  # told below
            got[rest] = iso.dt.as_unit("ns")
        tries.append((example, order, got))
        if not got.isna().any():
            full.append((example, order, got))
    if not full:
        if not tries:
            tries.append(("ISO 8601", "ISO 8601", _iso_naive(strings)))
        fmt, order, best = max(tries, key=lambda x: int(x[2].notna().sum()))
        i = _first(best.isna().to_numpy())
        year = re.search(r"(?<!\d)(\d{4})(?!\d)", strings.iat[i])
        if year and not limits.EARLIEST_YEAR <= int(year.group(1)) <= limits.LATEST_YEAR:
            raise _year_error(t.source, int(year.group(1)), int(lines[i]), col.iat[i])
        how = "" if fmt == "ISO 8601" or i == 0 else f" (earlier rows read as {order}, like {fmt})"
        raise t.source.error(f"{_show(col.iat[i])} is not a date{how}", line=int(lines[i]), column="ds",
                             value=col.iat[i], expected=EXPECT_DS)
    orders = {order for _, order, _ in full}
    if {"day/month/year", "month/day/year"} <= orders:
        dayfirst = next(got for _, order, got in full if order == "day/month/year")
        monthfirst = next(got for _, order, got in full if order == "month/day/year")
        if t.dayfirst:
            return dayfirst
        rd, rm = _regularity(dayfirst), _regularity(monthfirst)
        if rd == rm:
            raise t.source.error(
                f"dates such as {_show(col.iat[0])} read both as day/month/year and as month/day/year",
                line=int(lines[0]), column="ds", value=col.iat[0],
                expected="ISO dates (2024-12-31) or a file where some day is above 12")
        return dayfirst if rd < rm else monthfirst
    return full[0][2]
