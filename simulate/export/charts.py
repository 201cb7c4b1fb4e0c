"""The report's charts: Altair (Vega-Lite) specifications drawn to SVG by vl-convert, no JavaScript.

Time axes are 24-hour and in the report's language (d3 locales from :func:`simulate.i18n.vega_locale`:
``14 h 30``, ``jeu. 2 janv.``); ticks are chosen from the span (hours within a day, one day or a
few days apart over a week or more) so that labels fit, and Vega's greedy overlap removal drops
any label that would still touch its neighbour. Timestamps are drawn as wall-clock times (a zone,
if any, is dropped after conversion), on a UTC scale so that the machine's own zone never shifts
them. Vega's automatic ARIA descriptions are English, so they are turned off; the SVG gets a
``<title>`` and ``<desc>`` in the report's language instead (role ``img``).
"""
from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulate import i18n

__all__ = ["line_chart_svg"]

OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]
WIDTH, HEIGHT = 640, 220
_LABEL_PX = 90  # room for one time label ("jeu. 2 janv.") at 11 px
#: Liberation Sans has Arial's metrics: labels are laid out (vl-convert measures them) with the
#: widths a reader's Arial, Helvetica or Liberation Sans will draw, so they cannot run into each other
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"


def _gaps(v: np.ndarray) -> np.ndarray:
    """Values as objects, None where not finite (a gap in the drawn line, not a zero)."""
    out = v.astype(object)
    out[~np.isfinite(v)] = None
    return out


def _time_axis(ds: pd.Series, language: str) -> dict[str, Any]:
    """Axis settings for wall-clock timestamps ``ds``: tick values (on the hour within a day, at
    noon over several days, under the middle of each day, ``step`` apart so that labels fit
    ``WIDTH``) and their format."""
    formats = i18n.VEGA_TIME_FORMATS[language]
    start, end = ds.min(), ds.max()
    span_h = max((end - start).total_seconds() / 3600.0, 1.0)
    fits = max(2, WIDTH // _LABEL_PX)
    if span_h <= 36:
        step = next(s for s in (1, 2, 3, 4, 6, 12, 24) if span_h / s <= fits)
        ticks = pd.date_range(start.ceil("h"), end, freq="h")
        ticks = ticks[ticks.hour % step == 0]
        fmt = formats["hour"]
        within_day = True
    else:
        step = max(1, math.ceil(span_h / 24.0 / fits))
        noon = start.normalize() + pd.Timedelta(hours=12)  # a day's label under the middle of the day
        ticks = pd.date_range(noon if noon >= start else noon + pd.Timedelta(days=1), end, freq="D")[::step]
        fmt = formats["day" if step == 1 else "date"]
        within_day = False
    ms = (ticks - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1)  # read as UTC: wall-clock kept
    return {"format": fmt, "values": [int(v) for v in ms], "within_day": within_day}


def _top(series: Sequence[tuple[str, np.ndarray, str]], band: tuple[str, np.ndarray, np.ndarray] | None,
         rule: tuple[str, float] | None, percent: bool) -> float:
    """The top of the value axis: 100% for shares; else 8% above the highest value, so that no line
    runs along the frame."""
    if percent:
        return 1.0
    values = [np.asarray(v, dtype=float) for _, v, _ in series] + ([np.asarray(band[2], dtype=float)] if band else [])
    values.append(np.array([rule[1] if rule else 0.0, 1.0]))
    top = float(np.nanmax(np.concatenate(values)))
    return top * 1.08


def _wall_clock(ds: pd.Series) -> pd.Series:
    ds = pd.to_datetime(pd.Series(ds)).reset_index(drop=True)
    if getattr(ds.dtype, "tz", None) is not None:
        ds = ds.dt.tz_localize(None)
    return ds


def line_chart_svg(ds: pd.Series, series: Sequence[tuple[str, np.ndarray, str]], *, language: str, title: str,
                   desc: str, y_title: str, percent: bool = False,
                   band: tuple[str, np.ndarray, np.ndarray] | None = None,
                   rule: tuple[str, float] | None = None) -> str:
    """An accessible SVG line chart of several series over time.

    series: ``(label, values, style)`` with style ``"line"`` or ``"step"`` (values held over each
    interval); band: ``(label, lo, hi)`` drawn as a shaded area; rule: ``(label, y)`` a dashed
    horizontal line (a target). ``percent``: values are shares, the axis shows percentages. NaN
    values leave gaps. Returns the ``<svg>`` element, with ``role="img"``, a ``<title>`` (``title``)
    and a ``<desc>`` (``desc``).
    """
    import altair as alt
    import vl_convert

    wall = _wall_clock(ds)
    t = wall.dt.strftime("%Y-%m-%dT%H:%M:%SZ")  # wall-clock time, read on a UTC scale
    labels = [s[0] for s in series] + ([rule[0]] if rule else [])
    colours = OKABE_ITO[: len(labels)]
    axis = _time_axis(wall, language)
    x = alt.X("t:T", title=i18n.text("chart.time" if axis.pop("within_day") else "chart.date", language),
              scale=alt.Scale(type="utc"), axis=alt.Axis(labelOverlap="greedy", grid=False, **axis))
    y_axis = alt.Axis(format=".0%" if percent else ",.0f", tickCount=5)
    y_scale = alt.Scale(domain=[0.0, _top(series, band, rule, percent)], nice=not percent)
    colour = alt.Color("series:N", title=None, sort=labels, scale=alt.Scale(domain=labels, range=colours),
                       legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="stroke"))
    dash = alt.StrokeDash("series:N", title=None, sort=labels,
                          scale=alt.Scale(domain=labels, range=(DASHES * 3)[: len(labels)]), legend=None)
    layers = []
    if band is not None:
        lo, hi = (np.asarray(v, dtype=float) for v in band[1:])
        area = pd.DataFrame({"t": t, "lo": _gaps(lo), "hi": _gaps(hi)})
        layers.append(alt.Chart(area).mark_area(opacity=0.3, color="#56B4E9", interpolate="step-after").encode(
            x=x, y=alt.Y("lo:Q", title=y_title, axis=y_axis, scale=y_scale), y2="hi:Q"))
    long = []
    for label, values, style in series:
        v = np.asarray(values, dtype=float)
        long.append(pd.DataFrame({"t": t, "value": _gaps(v), "series": label,
                                  "step": style == "step"}))
    lines = pd.concat(long, ignore_index=True)
    for style in ("line", "step"):
        part = lines[lines["step"] == (style == "step")].drop(columns="step")
        if part.empty:
            continue
        mark = alt.Chart(part).mark_line(strokeWidth=1.8, interpolate="step-after" if style == "step" else "linear")
        layers.append(mark.encode(x=x, y=alt.Y("value:Q", title=y_title, axis=y_axis, scale=y_scale), color=colour,
                                  strokeDash=dash, detail="series:N"))
    if rule is not None:
        frame = pd.DataFrame({"y": [rule[1]], "series": [rule[0]]})
        layers.append(alt.Chart(frame).mark_rule(strokeDash=[6, 4], strokeWidth=1.5).encode(
            y=alt.Y("y:Q", scale=y_scale), color=colour))
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT).configure(
        aria=False, font=FONT,
        axis={"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#222", "titleColor": "#222"},
        legend={"labelFontSize": 11, "labelColor": "#222", "labelLimit": 300})
    locale = i18n.vega_locale(language)
    svg = vl_convert.vegalite_to_svg(chart.to_dict(), format_locale=locale["number"],
                                     time_format_locale=locale["time"])
    return _accessible(svg, title, desc)


def _accessible(svg: str, title: str, desc: str) -> str:
    """The SVG as an image with a title and a description, scaling to its container; Vega's
    English role descriptions removed."""
    svg = re.sub(r'\s(aria-roledescription|aria-label)="[^"]*"', "", svg)
    svg = svg.replace("<svg ", '<svg role="img" aria-labelledby="chart-title chart-desc" '
                      'style="max-width:100%;height:auto" ', 1)
    head_end = svg.index(">") + 1
    return (svg[:head_end] + f'<title id="chart-title">{html.escape(title)}</title>'
            f'<desc id="chart-desc">{html.escape(desc)}</desc>' + svg[head_end:])
