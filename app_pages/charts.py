"""Altair charts with a text alternative: every chart is followed by a caption with its key numbers
and an expandable data table, so nothing is carried by the picture (or by colour) alone.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies); lines of
different scenarios also differ by dash pattern, and heat maps use the perceptually uniform
"viridis" scheme with the value in the tooltip and the table.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.i18n import t

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3]]
HEIGHT = 280


def _alt_text(caption: str, data: pd.DataFrame, key: str) -> None:
    """Caption with the key numbers, then the chart's data in an expander."""
    st.caption(caption)
    with st.expander(t("chart.data_table")):
        st.dataframe(data, hide_index=True, width="stretch", key=f"table_{key}")


def forecast_chart(history: pd.DataFrame, fc: pd.DataFrame, *, title: str, caption: str, key: str) -> None:
    """History (line) and forecast (line) with 80% and 95% bands (areas).

    history: ds, y; fc: ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95.
    """
    hist = pd.DataFrame({"ds": history["ds"], "value": history["y"].astype(float),
                         "kind": t("demand.history")})
    fut = pd.DataFrame({"ds": fc["ds"], "value": fc["yhat"].astype(float), "kind": t("demand.forecast")})
    lines = pd.concat([hist, fut], ignore_index=True)
    x = alt.X("ds:T", title=t("chart.time"))
    base = alt.Chart(fc).encode(x=x)
    band95 = base.mark_area(opacity=0.25, color=OKABE_ITO[4]).encode(
        y=alt.Y("yhat_lo_95:Q", title=t("chart.calls_per_interval")), y2="yhat_hi_95:Q")
    band80 = base.mark_area(opacity=0.45, color=OKABE_ITO[0]).encode(y="yhat_lo_80:Q", y2="yhat_hi_80:Q")
    line = alt.Chart(lines).mark_line(strokeWidth=1.5).encode(
        x=x, y=alt.Y("value:Q", title=t("chart.calls_per_interval")),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(range=[OKABE_ITO[7], OKABE_ITO[5]])),
        strokeDash=alt.StrokeDash("kind:N", title=None, scale=alt.Scale(range=[[1, 0], [5, 3]])),
        tooltip=[alt.Tooltip("ds:T", title=t("chart.time")), alt.Tooltip("value:Q", format=",.1f", title=t("chart.calls")),
                 alt.Tooltip("kind:N", title=" ")])
    chart = (band95 + band80 + line).properties(title=title, height=HEIGHT)
    st.altair_chart(chart, width="stretch", key=f"chart_{key}")
    table = fc[["ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]].rename(columns={
        "ds": t("chart.time"), "yhat": t("demand.forecast"), "yhat_lo_80": t("demand.lo80"),
        "yhat_hi_80": t("demand.hi80"), "yhat_lo_95": t("demand.lo95"), "yhat_hi_95": t("demand.hi95")})
    _alt_text(caption, table, key)


def daily_lines(df: pd.DataFrame, columns: dict[str, str], *, title: str, caption: str, key: str,
                y_title: str, marker: str | None = None) -> None:
    """Several daily series (wide frame with ``ds``) as lines told apart by colour and dash.

    columns: {column: translated label}. marker: optional ds value (a vertical rule: "projection starts").
    """
    long = df.melt(id_vars="ds", value_vars=list(columns), var_name="series", value_name="value")
    long["series"] = long["series"].map(columns)
    labels = list(columns.values())
    chart = alt.Chart(long).mark_line(strokeWidth=1.4).encode(
        x=alt.X("ds:T", title=t("chart.date")),
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color("series:N", title=None, sort=labels, scale=alt.Scale(domain=labels, range=OKABE_ITO)),
        strokeDash=alt.StrokeDash("series:N", title=None, sort=labels, scale=alt.Scale(domain=labels, range=DASHES)),
        tooltip=[alt.Tooltip("ds:T", title=t("chart.date")), alt.Tooltip("series:N", title=" "),
                 alt.Tooltip("value:Q", format=",.0f", title=t("chart.value"))])
    if marker is not None:
        rule = alt.Chart(pd.DataFrame({"ds": [marker]})).mark_rule(color="#555555", strokeDash=[2, 2]).encode(x="ds:T")
        chart = chart + rule
    st.altair_chart(chart.properties(title=title, height=HEIGHT), width="stretch", key=f"chart_{key}")
    table = df[["ds", *columns]].rename(columns={"ds": t("chart.date"), **columns})
    _alt_text(caption, table, key)


def scenario_lines(frames: dict[str, pd.DataFrame], metric: str, *, title: str, y_title: str, caption: str,
                   key: str, percent: bool = False) -> None:
    """One line per scenario of a per-interval metric (``ds`` and ``metric`` columns in each frame)."""
    parts = []
    for name, iv in frames.items():
        parts.append(pd.DataFrame({"ds": iv["ds"], "value": iv[metric].astype(float), "scenario": name}))
    long = pd.concat(parts, ignore_index=True)
    names = list(frames)
    fmt = ".0%" if percent else ",.1f"
    chart = alt.Chart(long).mark_line(strokeWidth=1.4).encode(
        x=alt.X("ds:T", title=t("chart.time")),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=fmt)),
        color=alt.Color("scenario:N", title=t("compare.scenario"), sort=names,
                        scale=alt.Scale(domain=names, range=OKABE_ITO)),
        strokeDash=alt.StrokeDash("scenario:N", title=t("compare.scenario"), sort=names,
                                  scale=alt.Scale(domain=names, range=DASHES)),
        tooltip=[alt.Tooltip("ds:T", title=t("chart.time")), alt.Tooltip("scenario:N", title=t("compare.scenario")),
                 alt.Tooltip("value:Q", format=fmt, title=y_title)])
    st.altair_chart(chart.properties(title=title, height=HEIGHT), width="stretch", key=f"chart_{key}")
    table = long.pivot(index="ds", columns="scenario", values="value").reset_index()
    table.columns.name = None
    _alt_text(caption, table.rename(columns={"ds": t("chart.time")}), key)


def heatmap(df: pd.DataFrame, *, value_title: str, title: str, caption: str, key: str) -> None:
    """Day x time-of-day heat map; df has ``day`` (text, sorted), ``time`` (HH:MM) and ``value``."""
    days = list(pd.unique(df["day"]))
    chart = alt.Chart(df).mark_rect().encode(
        x=alt.X("time:O", title=t("chart.time_of_day")),
        y=alt.Y("day:O", title=t("chart.day"), sort=days),
        color=alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="viridis")),
        tooltip=[alt.Tooltip("day:O", title=t("chart.day")), alt.Tooltip("time:O", title=t("chart.time_of_day")),
                 alt.Tooltip("value:Q", title=value_title, format=",.0f")])
    st.altair_chart(chart.properties(title=title, height=alt.Step(34)), width="stretch", key=f"chart_{key}")
    table = df.pivot(index="day", columns="time", values="value").reindex(days).reset_index()
    table.columns.name = None
    _alt_text(caption, table.rename(columns={"day": t("chart.day")}), key)


def bars(df: pd.DataFrame, x: str, y: str, *, x_title: str, y_title: str, title: str, caption: str, key: str,
         percent: bool = False) -> None:
    """A simple bar chart (one colour; values also in the caption and the table)."""
    fmt = ".0%" if percent else ",.0f"
    chart = alt.Chart(df).mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X(f"{x}:O", title=x_title, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=fmt)),
        tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title, format=fmt)])
    st.altair_chart(chart.properties(title=title, height=HEIGHT), width="stretch", key=f"chart_{key}")
    _alt_text(caption, df.rename(columns={x: x_title, y: y_title}), key)
