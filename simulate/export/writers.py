"""Tables to bytes (Excel, CSV), and bytes to files.

Everything goes through :mod:`forecast.writers`, the one output writer: its ``excel_bytes`` and
``csv_bytes`` escape every formula-like text cell and header (``=``, ``+``, ``-``, ``@``...) and
store text as text, and its ``write_output(s)`` write files whole or not at all, refusing an input
file and, unless ``force``, an existing one. Nothing here can bypass either rule.

Excel: one sheet per table; numbers stay numbers with an Excel number format by display kind and
language (:data:`simulate.export.labels.EXCEL_FORMATS`: ``0.0%``, ``#,##0``, dates
``yyyy-mm-dd hh:mm``; French ``58,1 %`` and ``14 h 30``), rows of a plan that misses its target
in red.

CSV (choice): one file per table, UTF-8, header row. English: comma-separated, decimal point.
French: semicolon-separated with a decimal comma and a byte-order mark, which is what a
French-locale Excel opens correctly. Shares are written as percentages (x 100) under a ``(%)``
header; timestamps ``2025-01-02 14:30`` (ISO, wall-clock; the zone, if any, in the header). Several
tables are one zip in memory (:func:`csv_bytes`) or sibling files on disk (:func:`to_csv`:
``plan.csv``, ``plan_summary.csv``...; French: ``plan_sommaire.csv``...).
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from forecast import writers as _out
from simulate import i18n
from simulate.export import labels as L
from simulate.export.table import Table, tables

__all__ = ["excel_bytes", "csv_bytes", "csv_files", "to_excel", "to_csv"]

_CSV = {"en": {"sep": ",", "decimal": ".", "encoding": "utf-8"},
        "fr": {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}}


# ---------------------------------------------------------------------------------------------
# Excel


def excel_bytes(obj: Any, *, language: str = "en", name: str | Mapping[str, str] | None = None) -> bytes:
    """``obj`` (see :func:`simulate.export.tables`) as an .xlsx workbook, as bytes.

    One sheet per table (Summary, Intervals, Schedule, Coverage, Risk, Methods, Assumptions as the
    object has them, named in ``language``); bold, frozen header row; every number a number with
    its format (percent for shares, ``#,##0.0`` for seconds and hours, ``#,##0`` for counts,
    ``#,##0.00`` for money, date-time for timestamps); no formula anywhere (formula-like text is
    escaped); the verdict and "target met" rows red (C00000) when a plan misses its target.
    ``name``: the scenario's name to show (string or ``{"en", "fr"}``)."""
    i18n.check_language(language)
    all_tables = tables(obj, language=language, name=name)
    formats = L.EXCEL_FORMATS[language]
    number_formats: dict[str | tuple[str, str], str] = {}
    for table in all_tables:
        for head, kind in table.kinds.items():
            if head not in table.row_kind_columns:
                number_formats[(table.name, head)] = formats.get(kind, "General")
    data = _out.excel_bytes({t.name: t.frame for t in all_tables}, number_formats=number_formats,
                            datetime_format=formats["datetime"])
    return _cell_styles(data, all_tables, formats)


def _cell_styles(data: bytes, all_tables: list[Table], formats: Mapping[str, str]) -> bytes:
    """Formats that vary by row (key/value tables such as the Summary), date-only columns and red
    alert rows, added to the workbook ``forecast.writers.excel_bytes`` wrote.

    ``excel_bytes`` formats whole columns; a Summary mixes shares, hours and money in one column.
    Loading and saving the workbook with openpyxl to style a few dozen cells costs as much as
    writing it (the interval sheets are the bulk), so the styles are added to the file's XML
    instead: new number formats, a red font and cell formats are appended to ``xl/styles.xml``
    (existing ones keep their indices) and the ``s`` attribute of the cells concerned is set in
    their sheet. Values are untouched: text stays escaped inline text, numbers stay numbers."""
    jobs: dict[int, dict[tuple[int, int], tuple[str | None, bool]]] = {}
    for i, table in enumerate(all_tables):
        cells: dict[tuple[int, int], tuple[str | None, bool]] = {}
        for c, head in enumerate(table.frame.columns, start=1):
            if head in table.row_kind_columns or table.kinds.get(head) == "date":
                for r in range(len(table.frame)):
                    cells[(r + 2, c)] = (formats.get(table.kind(r, head), "General"), r in table.alert_rows)
        for r in table.alert_rows:
            for c in range(1, table.frame.shape[1] + 1):
                cells.setdefault((r + 2, c), (None, True))
        if cells:
            jobs[i] = cells
    if not jobs:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    styles = _Styles(parts["xl/styles.xml"].decode("utf-8"))
    paths = _sheet_paths(parts)
    for i, cells in jobs.items():
        path = paths[i]
        parts[path] = _restyle_sheet(parts[path].decode("utf-8"), cells, styles).encode("utf-8")
    parts["xl/styles.xml"] = styles.xml().encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, payload in parts.items():
            zout.writestr(name, payload)
    return buffer.getvalue()


_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(/?)>')
_S_ATTR = re.compile(r'\s+s="\d+"')


def _restyle_sheet(xml: str, cells: Mapping[tuple[int, int], tuple[str | None, bool]], styles: _Styles) -> str:
    from openpyxl.utils import column_index_from_string

    def one(match: re.Match[str]) -> str:
        letters, row, attrs, empty = match.groups()
        want = cells.get((int(row), column_index_from_string(letters)))
        if want is None or empty:
            return match.group(0)
        fmt, red = want
        numeric = 't="' not in attrs or 't="n"' in attrs
        fmt = fmt if numeric else None
        if fmt is None and not red:
            return match.group(0)
        return f'<c r="{letters}{row}"{_S_ATTR.sub("", attrs)} s="{styles.xf(fmt, red)}">'

    return _CELL.sub(one, xml)


def _sheet_paths(parts: Mapping[str, bytes]) -> list[str]:
    """The XML file of each sheet, in the workbook's order."""
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel)
        target = re.search(r'Target="([^"]+)"', rel)
        if rid and target:
            t = target.group(1)
            targets[rid.group(1)] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return [targets[rid] for rid in re.findall(r'<sheet\b[^>]*\br:id="([^"]+)"', workbook)]


def _count(pattern: str, xml: str) -> int:
    """The count attribute matched by ``pattern`` in a workbook's styles.xml."""
    found = re.search(pattern, xml)
    if found is None:
        raise ValueError(f"xl/styles.xml: no {pattern!r} (not a workbook openpyxl wrote?)")
    return int(found.group(1))


class _Styles:
    """``xl/styles.xml`` with number formats, a red bold font and cell formats appended on demand."""

    def __init__(self, xml: str) -> None:
        self._xml = xml
        self._codes = {html.unescape(code): int(num) for num, code in
                       re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"\s*/>', xml)}
        self._new_fmts: list[str] = []
        self._fonts = _count(r'<fonts count="(\d+)"', xml)
        self._red_font: int | None = None
        self._xfs = _count(r'<cellXfs count="(\d+)"', xml)
        self._new_xfs: list[str] = []
        self._index: dict[tuple[str | None, bool], int] = {}

    def _fmt_id(self, code: str | None) -> int:
        if code is None or code == "General":
            return 0
        if code not in self._codes:
            self._codes[code] = max([163, *self._codes.values()]) + 1
            self._new_fmts.append(f'<numFmt numFmtId="{self._codes[code]}" formatCode="{html.escape(code)}"/>')
        return self._codes[code]

    def xf(self, code: str | None, red: bool) -> int:
        """The index of the cell format with number format ``code`` (bold red when ``red``)."""
        key = (code, red)
        if key not in self._index:
            font = 0
            if red:
                if self._red_font is None:
                    self._red_font = self._fonts
                font = self._red_font
            self._new_xfs.append(f'<xf numFmtId="{self._fmt_id(code)}" fontId="{font}" fillId="0" borderId="0" '
                                 f'xfId="0" applyNumberFormat="1" applyFont="1"/>')
            self._index[key] = self._xfs + len(self._new_xfs) - 1
        return self._index[key]

    def xml(self) -> str:
        xml = self._xml
        if self._new_fmts:
            if "<numFmts" in xml:
                xml = re.sub(r'<numFmts count="(\d+)">(.*?)</numFmts>',
                             lambda m: f'<numFmts count="{int(m.group(1)) + len(self._new_fmts)}">{m.group(2)}'
                                       f'{"".join(self._new_fmts)}</numFmts>', xml, count=1, flags=re.S)
            else:
                xml = re.sub(r"(<styleSheet\b[^>]*>)",
                             lambda m: f'{m.group(1)}<numFmts count="{len(self._new_fmts)}">'
                                       f'{"".join(self._new_fmts)}</numFmts>', xml, count=1)
        if self._red_font is not None:
            xml = re.sub(r'<fonts count="(\d+)">(.*?)</fonts>',
                         lambda m: f'<fonts count="{self._fonts + 1}">{m.group(2)}<font><b val="1"/>'
                                   f'<color rgb="FFC00000"/></font></fonts>', xml, count=1, flags=re.S)
        if self._new_xfs:
            xml = re.sub(r'<cellXfs count="(\d+)">(.*?)</cellXfs>',
                         lambda m: f'<cellXfs count="{self._xfs + len(self._new_xfs)}">{m.group(2)}'
                                   f'{"".join(self._new_xfs)}</cellXfs>', xml, count=1, flags=re.S)
        return xml


# ---------------------------------------------------------------------------------------------
# CSV


def _csv_frame(table: Table, language: str) -> pd.DataFrame:
    """The table as CSV wants it: shares x 100, and in French the numbers of mixed (key/value)
    columns written with a decimal comma (pandas' ``decimal`` only reaches float columns)."""
    decimal = _CSV[language]["decimal"]
    columns = {}
    for c, head in enumerate(table.frame.columns):
        col = table.frame.iloc[:, c]
        if head in table.row_kind_columns:
            values = []
            for r, v in enumerate(col.tolist()):
                if isinstance(v, (int, float)) and not isinstance(v, bool) and table.kind(r, head) == "pct":
                    v = v * 100.0
                if isinstance(v, pd.Timestamp) and table.kind(r, head) == "date":
                    v = v.strftime("%Y-%m-%d")
                if isinstance(v, float) and decimal != "." and v == v:
                    v = repr(v).replace(".", decimal)
                values.append(v)
            col = pd.Series(values, dtype=object)
        elif table.kinds.get(head) == "pct" and pd.api.types.is_numeric_dtype(col):
            col = col * 100.0
        elif table.kinds.get(head) == "date" and pd.api.types.is_datetime64_any_dtype(col):
            col = col.dt.strftime("%Y-%m-%d").astype(object).where(col.notna(), None)  # a day, not "00:00"
        columns[c] = col.reset_index(drop=True)
    frame = pd.DataFrame(columns)
    frame.columns = table.frame.columns
    return frame


def csv_files(obj: Any, *, language: str = "en", name: str | Mapping[str, str] | None = None,
              stem: str = "queuecast") -> dict[str, bytes]:
    """``{file name: CSV bytes}``, one file per table: the main table (intervals; a schedule's
    shifts) as ``<stem>.csv``, the others as ``<stem>_<table>.csv`` (table names in ``language``:
    ``summary``/``sommaire``, ``assumptions``/``hypotheses``...). A recommendation without a
    schedule has no separate schedule file (its rows are the main file's)."""
    i18n.check_language(language)
    out: dict[str, bytes] = {}
    options = _CSV[language]
    for table in tables(obj, language=language, name=name):
        if table.copy_of is not None:  # the same rows as another file
            continue
        part = "" if table.main else "_" + i18n.text(f"export.file.{table.key}", language)
        out[f"{stem}{part}.csv"] = _out.csv_bytes(_csv_frame(table, language), date_format="%Y-%m-%d %H:%M",
                                                  **options)
    return out


def csv_bytes(obj: Any, *, language: str = "en", name: str | Mapping[str, str] | None = None,
              stem: str = "queuecast") -> bytes:
    """``obj`` as CSV bytes: one table -> that CSV; several -> a zip of the files of
    :func:`csv_files` (named ``<stem>.csv``, ``<stem>_summary.csv``...)."""
    files = csv_files(obj, language=language, name=name, stem=stem)
    if len(files) == 1:
        return next(iter(files.values()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for file_name, data in files.items():
            info = zipfile.ZipInfo(file_name, date_time=(1980, 1, 1, 0, 0, 0))  # same bytes for the same tables
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# files


def to_excel(obj: Any, path: str | Path, *, language: str = "en", name: str | Mapping[str, str] | None = None,
             force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    """Write :func:`excel_bytes` to ``path`` whole or not at all; returns the path. Refuses a path
    that is one of ``inputs`` and, unless ``force``, an existing file
    (:class:`forecast.OutputError`, naming it)."""
    return _out.write_output(path, excel_bytes(obj, language=language, name=name), inputs=inputs, force=force)


def to_csv(obj: Any, path: str | Path, *, language: str = "en", name: str | Mapping[str, str] | None = None,
           force: bool = False, inputs: Iterable[str | Path] = ()) -> list[Path]:
    """Write the CSV files of :func:`csv_files`: the main table to ``path``, the others beside it
    (``plan_summary.csv``, ``plan_assumptions.csv``...; French ``plan_sommaire.csv``...); returns
    the paths written. All are checked before any is written (none an input, none existing unless
    ``force``) and all are replaced together (:func:`forecast.writers.write_outputs`)."""
    path = Path(path)
    files = csv_files(obj, language=language, name=name, stem=path.stem)
    targets: dict[str | Path, bytes] = {}
    for file_name, data in files.items():
        part = file_name[len(path.stem):-len(".csv")]
        targets[path if not part else _out.sibling_path(path, part[1:])] = data
    return _out.write_outputs(targets, inputs=inputs, force=force)
