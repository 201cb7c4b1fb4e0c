"""Manager-ready exports: Excel workbooks, CSV files and a one-page printable HTML report, in English
or Canadian French.

What can be exported (``obj``): a :class:`~simulate.SimulationResult`; a comparison, a mapping
``{scenario name: SimulationResult}``; a :class:`~simulate.StaffingRecommendation` (with its
:class:`~simulate.Schedule` and risk frame when attached); a :class:`~simulate.Schedule`; a capacity
plan, :class:`simulate.capacity.CapacityPlan`, or :class:`simulate.capacity.PlanWithWhatIfs` to add
the what-ifs comparison (:mod:`~simulate.export.capacity`).

Four parts, each usable alone:

* :mod:`~simulate.export.labels`: what each column, figure and value is called (from the message
  catalogue, :mod:`simulate.i18n`), its unit and its display kind, and the Excel formats;
* :mod:`~simulate.export.table`: :func:`tables`, pure functions from an object to its tables
  (Summary, Intervals, Schedule, Coverage, Risk, Methods, Assumptions: every scenario parameter
  with its unit, the tool version, the creation time, engine, seed, replications, method), so
  Excel, CSV and the report always agree;
* :mod:`~simulate.export.writers`: bytes for downloads (:func:`excel_bytes`, :func:`csv_bytes`,
  a zip when there are several tables, :func:`csv_files`) and thin path wrappers
  (:func:`to_excel`, :func:`to_csv`) that write whole files or nothing, refuse to overwrite an
  input or, unless ``force=True``, an existing file;
* :mod:`~simulate.export.report`: :func:`report_html` (bytes) and :func:`to_report`, the
  self-contained HTML page with its chart drawn by Altair/Vega-Lite to SVG (vl-convert).

Every writer goes through :mod:`forecast.writers`: text cells starting like a formula (``=``,
``+``, ``-``, ``@``...) are escaped and stored as text, numbers stay numbers. Every function takes
``language`` ("en" or "fr": headers, sheet and file names, words, number and date formats) and
``name``, the scenario's name to show (a string, or ``{"en": ..., "fr": ...}`` for a ready
scenario named in both languages).
"""
from __future__ import annotations

from forecast.writers import escape_cell
from simulate.i18n import LANGUAGES

from .table import EXPORTABLE, Table, tables
from .writers import csv_bytes, csv_files, excel_bytes, to_csv, to_excel

# isort: split
from .report import report_html, to_report  # after the writers it builds on

# isort: split
from . import capacity as _capacity  # noqa: F401  (registers capacity plans with tables)
from .capacity import plan_label, what_if_label

__all__ = ["LANGUAGES", "EXPORTABLE", "Table", "tables", "escape_cell", "excel_bytes", "csv_bytes", "csv_files",
           "report_html", "to_excel", "to_csv", "to_report", "plan_label", "what_if_label"]
