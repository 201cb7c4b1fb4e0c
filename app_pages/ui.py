"""Small display helpers shared by the pages: number formats and plain-words errors."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import forecast
import simulate
from app_pages.i18n import t


def fmt_value(value: float, unit: str, metric: str | None = None) -> str:
    """A KPI value in its unit: shares as percentages, seconds with "s", counts as whole numbers
    (one decimal below 100), attempts per caller with two decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "seconds":
        return f"{value:,.0f} s"
    if unit == "currency":
        return f"{value:,.0f}"
    if metric == "attempts_per_caller":
        return f"{value:,.2f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def day_label(ts) -> str:
    """"Thu 2025-01-02" with the weekday in the current language."""
    ts = pd.Timestamp(ts)
    return f"{t(f'day.{ts.weekday()}')} {ts:%Y-%m-%d}"


def fmt_metric(result: simulate.SimulationResult, metric: str, *, split: bool = False):
    """Mean of a metric with its 95% interval, e.g. ``78.7% (77.5–79.9%)``; with ``split`` the pair
    ``(mean text, interval text)`` (interval "" with one replication)."""
    unit = simulate.METRICS[metric].unit
    row = result.summary.loc[metric]
    mean, lo, hi = float(row["mean"]), float(row["lo"]), float(row["hi"])
    mean_text = fmt_value(mean, unit, metric)
    ci = "" if lo == hi else f"{fmt_value(lo, unit, metric)}–{fmt_value(hi, unit, metric)}"
    if split:
        return mean_text, ci
    return f"{mean_text} ({ci})" if ci else mean_text


def show_error(exc: Exception) -> None:
    """A data or parameter problem in plain words (never a traceback)."""
    if isinstance(exc, forecast.DataError):
        st.error(t("common.data_error").format(msg=str(exc)))
    else:
        st.error(t("common.param_error").format(msg=str(exc)))
