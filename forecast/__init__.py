"""Queuecast forecasting: history in, interval arrivals out.

Everything here speaks one data shape, the *history contract*: a long pandas frame with
``ds`` (timestamp), ``y`` (non-negative number) and an optional ``series`` column naming the
stream (``calls``, ``applications``...); handle time in seconds may ride along as a series
``aht_s`` (or ``<name>_aht_s``) or a column ``aht_s``. Forecasts come back in the same long shape:
``series, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95, model`` (+ ``aht_s``), from the
day after the history, in the history's time zone. :func:`to_intervals` spreads a daily forecast
over intervals.

This package never imports :mod:`simulate` nor Streamlit.
"""
from __future__ import annotations

__all__: list[str] = []

# --- history I/O and validation ---
from forecast.describe import describe_history
from forecast.errors import DataError, DataWarning
from forecast.io import DEFAULT_SERIES, read_history

__all__ += ["DataError", "DataWarning", "read_history", "describe_history", "DEFAULT_SERIES"]

# --- forecasting models and backtests ---
from .backtest import backtest  # noqa: E402
from .core import forecast  # noqa: E402
from .models import MODELS  # noqa: E402

__all__ += ["forecast", "backtest", "MODELS"]

# --- daily -> intervals, handle time ---
from .intervals import to_intervals  # noqa: E402

__all__ += ["to_intervals"]

# --- surges, backlog-driven calls, unconstraining ---
from .backlog import BacklogModel  # noqa: E402
from .surge import Surge, SurgeShape, apply_surge, surge_from_history  # noqa: E402
from .unconstrain import unconstrain  # noqa: E402

__all__ += ["Surge", "SurgeShape", "apply_surge", "surge_from_history", "BacklogModel", "unconstrain"]

# --- limits, reading paths/bytes/uploads, the one output writer ---
from . import limits, writers  # noqa: E402
from .errors import LimitError, OutputError  # noqa: E402
from .io import ARRIVALS_VALUES  # noqa: E402
from .writers import csv_bytes, escape_cell, excel_bytes, write_output, write_outputs  # noqa: E402

__all__ += ["limits", "writers", "LimitError", "OutputError", "ARRIVALS_VALUES", "csv_bytes", "escape_cell",
            "excel_bytes", "write_output", "write_outputs"]
