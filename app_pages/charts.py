"""Altair charts that show the working day, each with a text alternative and its data table.

Time axes leave out what a planner does not staff: closed nights and days are hidden, not drawn
at full width. Per-interval series over a few days are *small multiples by day* (one panel per
open day, x the time of day on the 24-hour clock) so lines of several scenarios never cross
through the night; longer horizons become a *day by time-of-day heat map*; a demand history and
its forecast run on a *working-time axis* (open days side by side, closed hours left out, gaps
where data are missing).

Scenarios are told apart by colour (Okabe-Ito, safe for the common colour-vision deficiencies)
AND by marker shape AND by dash, never by colour alone. Numbers, dates and times follow the page's
language (Vega-Lite ``config.locale`` from :func:`app_pages.i18n.vega_locale`). Every chart gets
a description in the page's language (the SVG's accessible name; Vega's own English ARIA texts
are switched off), a caption with its key numbers, and its data (open intervals only, values
written the page's way) in an expander.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from app_pages import ui
from app_pages.i18n import fmt_date, fmt_time, lang, t, time_formats, vega_locale

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
OKABE_ITO = PALETTE  # the name the capacity page uses
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 2]]
HEIGHT = 260
TEXT = "#1B1B1B"
MUTED = "#595959"  # 7:1 on white
#: small multiples: at most this many day panels (beyond: a heat map), this many per row
MAX_PANELS = 8
COLUMNS = 4


# ----------------------------------------------------------------------------- shared pieces
def wall_clock(ds) -> pd.DatetimeIndex:
    """Timestamps as the wall-clock times they were lived (a zone-aware index loses its zone)."""
    idx = pd.DatetimeIndex(pd.to_datetime(ds))
    return idx.tz_localize(None) if idx.tz is not None else idx


def open_days(ds, open_mask) -> list[pd.Timestamp]:
    """The days (midnight, wall clock) that have at least one open interval."""
    days = wall_clock(ds).normalize()
    return list(days[np.asarray(open_mask, dtype=bool)].unique().sort_values())


def _hour_label_expr() -> str:
    """A Vega expression writing an hour-of-day tick (8, 12.5) the page's way: 08:00 / 8 h."""
    if lang() == "fr":
        return ("floor(datum.value) + ' h' + (datum.value % 1 ? ' ' + "
                "format(round((datum.value % 1) * 60), '02d') : '')")
    return "format(floor(datum.value), '02d') + ':' + format(round((datum.value % 1) * 60), '02d')"


def _hour_ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = 1 if span <= 6 else 2 if span <= 12 else 4
    first = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(first, hi + 1e-9, step)]


def finish(chart: alt.TopLevelMixin, description: str) -> alt.TopLevelMixin:
    """The page's locale, readable colours, no English ARIA from Vega, and ``description`` as the
    chart's accessible name."""
    return (chart.properties(description=description)
            .configure(locale=vega_locale(), aria=False)
            .configure_mark(aria=False)
            .configure_axis(aria=False, labelColor=TEXT, titleColor=TEXT, labelFontSize=12, titleFontSize=12,
                            titleFontWeight="normal", labelOverlap=True, gridColor="#E3E3E3")
            .configure_legend(aria=False, labelColor=TEXT, titleColor=TEXT, labelFontSize=12, titleFontSize=12,
                              labelLimit=280, symbolStrokeWidth=2)
            .configure_header(labelColor=TEXT, titleColor=TEXT, labelFontSize=12, titleFontSize=12)
            .configure_title(color=TEXT, fontSize=14, anchor="start", subtitleColor=MUTED)
            .configure_view(stroke="#D0D0D0"))


def show(chart: alt.TopLevelMixin, *, description: str, key: str, stretch: bool = True) -> None:
    st.altair_chart(finish(chart, description), width="stretch" if stretch else "content", key=f"chart_{key}")


def alt_text(caption: str, table: pd.DataFrame, key: str) -> None:
    """The chart's text alternative: a caption with its key numbers (Markdown-safe), then its data
    (already written the page's way, one row per open interval) in an expander."""
    st.caption(ui.md(caption))
    with st.expander(t("chart.data_table")):
        st.dataframe(table, hide_index=True, width="stretch", key=f"table_{key}")


def _series_scales(names: Sequence[str]) -> dict:
    names = list(names)
    k = len(names)
    return {
        "color": alt.Scale(domain=names, range=(PALETTE * 2)[:k]),
        "shape": alt.Scale(domain=names, range=(SHAPES * 2)[:k]),
        "dash": alt.Scale(domain=names, range=(DASHES * 2)[:k]),
    }


def _legend(names: Sequence[str], title: str | None) -> alt.Legend:
    return alt.Legend(title=title, orient="top", direction="horizontal",
                      columns=min(len(names), 3), symbolSize=90, labelLimit=300)


# ----------------------------------------------------------------------------- per-interval series
def day_frame(ds, open_mask, values: Mapping[str, np.ndarray], *, interval_s: float,
              extra: Mapping[str, Mapping[str, np.ndarray]] | None = None) -> pd.DataFrame:
    """Long frame of per-interval series on open intervals only: ds, day (label), day_order,
    hour (time of day in hours), time (label), series, value, segment (a run of consecutive open
    intervals: lines break between runs), plus the ``extra`` columns per series (e.g. lo, hi)."""
    wall = wall_clock(ds)
    open_ = np.asarray(open_mask, dtype=bool)
    parts = []
    for name, vals in values.items():
        v = np.asarray(vals, dtype=float)
        frame = pd.DataFrame({"ds": wall, "value": v})
        for col, per in (extra or {}).get(name, {}).items():
            frame[col] = np.asarray(per, dtype=float)
        breaks = np.r_[True, ~open_[:-1]] | np.r_[True, wall.normalize()[1:] != wall.normalize()[:-1]]
        frame["segment"] = np.cumsum(breaks)
        frame["series"] = name
        parts.append(frame[open_])
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["ds", "value", "series"])
    day = long["ds"].dt.normalize()
    long["day_order"] = (day.rank(method="dense").astype(int) - 1) if len(long) else 0
    long["day"] = [fmt_date(d) for d in day]
    long["hour"] = long["ds"].dt.hour + long["ds"].dt.minute / 60.0
    long["time"] = [fmt_time(d) for d in long["ds"]]
    long["segment"] = long["series"].astype(str) + "/" + long["segment"].astype(str)
    long.attrs["interval_h"] = interval_s / 3600.0
    return long


def by_day(long: pd.DataFrame, *, y_title: str, title: str, fmt: str, series_title: str | None,
           band: bool = False, target: float | None = None, flag: str | None = None,
           names: Sequence[str] | None = None) -> alt.FacetChart:
    """Small multiples: one panel per open day, x the time of day (24-hour), one line per series
    told apart by colour, marker and dash; optional 95% band (``lo``/``hi``), target rule, and red
    points where ``flag`` is true."""
    names = list(names or pd.unique(long["series"]))
    scales = _series_scales(names)
    interval_h = float(long.attrs.get("interval_h", 0.5))
    lo_h = float(long["hour"].min()) if len(long) else 8.0
    hi_h = float(long["hour"].max()) + interval_h if len(long) else 20.0
    days = long.drop_duplicates("day").sort_values("day_order")["day"].tolist()
    n = max(len(days), 1)
    columns = min(n, COLUMNS)
    width = {1: 640, 2: 330, 3: 215}.get(columns, 158)
    x = alt.X("hour:Q", title=None, scale=alt.Scale(domain=[lo_h, hi_h], nice=False, zero=False),
              axis=alt.Axis(values=_hour_ticks(lo_h, hi_h), labelExpr=_hour_label_expr(), labelAngle=0,
                            labelFlush=True))
    y_axis = alt.Axis(format=fmt, tickCount=4, titlePadding=6)
    tooltip = [alt.Tooltip("day:N", title=t("chart.day")), alt.Tooltip("time:N", title=t("chart.time_of_day")),
               alt.Tooltip("series:N", title=series_title or " "),
               alt.Tooltip("value:Q", title=y_title, format=fmt)]
    color = alt.Color("series:N", scale=scales["color"], legend=_legend(names, series_title), sort=names)
    shape = alt.Shape("series:N", scale=scales["shape"], legend=_legend(names, series_title), sort=names)
    dash = alt.StrokeDash("series:N", scale=scales["dash"], legend=_legend(names, series_title), sort=names)
    base = alt.Chart().encode(x=x)
    layers = []
    if band:
        layers.append(base.mark_area(opacity=0.18).encode(
            y=alt.Y("lo:Q", title=y_title, axis=y_axis), y2="hi:Q", color=color, detail="segment:N"))
    layers.append(base.mark_line(strokeWidth=1.6).encode(
        y=alt.Y("value:Q", title=y_title, axis=y_axis), color=color, strokeDash=dash, detail="segment:N"))
    layers.append(base.mark_point(size=22, filled=True, opacity=0.9).encode(
        y="value:Q", color=color, shape=shape, tooltip=tooltip))
    if target is not None:
        layers.append(alt.Chart().mark_rule(color=MUTED, strokeDash=[4, 3], strokeWidth=1).encode(
            y=alt.datum(target)))
    if flag is not None:
        layers.append(base.transform_filter(f"datum.{flag}").mark_point(
            size=60, shape="cross", color="#C00000", filled=True).encode(y="value:Q", tooltip=tooltip))
    header = alt.Header(labelFontSize=12, labelColor=TEXT, labelPadding=4, title=None)
    chart = alt.layer(*layers).properties(width=width, height=150).facet(
        facet=alt.Facet("day:N", sort=days, header=header, title=None), columns=columns, data=long,
        spacing={"row": 12, "column": 10})
    return chart.properties(title=alt.TitleParams(title, subtitle=t("chart.by_day_subtitle")))


def series_by_day(long: pd.DataFrame, *, y_title: str, title: str, caption: str, key: str, fmt: str,
                  series_title: str | None, value_kind: str, band: bool = False, target: float | None = None,
                  flag: str | None = None, names: Sequence[str] | None = None) -> None:
    """:func:`by_day`, shown with its description, caption and data table (one column per series)."""
    chart = by_day(long, y_title=y_title, title=title, fmt=fmt, series_title=series_title, band=band,
                   target=target, flag=flag, names=names)
    show(chart, description=f"{title}. {caption}", key=key, stretch=False)
    alt_text(caption, wide_table(long, value_kind, names=names), key)


def wide_table(long: pd.DataFrame, kind: str, names: Sequence[str] | None = None) -> pd.DataFrame:
    """The chart's data, one row per open interval, one column per series, written the page's way."""
    if not len(long):
        return pd.DataFrame({t("chart.time"): []})
    table = long.pivot_table(index="ds", columns="series", values="value", aggfunc="first").sort_index()
    cols = [n for n in (names or table.columns) if n in table.columns]
    out = pd.DataFrame({t("chart.time"): [ui.fmt_when(d) for d in table.index]})
    for c in cols:
        out[c] = [ui.fmt_kind(v, kind) for v in table[c]]
    return out


# ----------------------------------------------------------------------------- heat map
def heatmap(ds, open_mask, values: np.ndarray, *, interval_s: float, value_title: str, title: str,
            caption: str, key: str, fmt: str = ",.0f", value_kind: str = "int", scheme: str = "viridis",
            reverse: bool = False) -> None:
    """Day x time-of-day heat map of one per-interval series (open days and the opening window
    only); the value in the tooltip and in the data table (days x times)."""
    long = day_frame(ds, open_mask, {"v": values}, interval_s=interval_s)
    long = long[np.isfinite(long["value"].to_numpy(dtype=float))]
    ih = interval_s / 3600.0
    long = long.assign(hour2=long["hour"] + ih)
    days = long.drop_duplicates("day").sort_values("day_order")["day"].tolist()
    lo_h = float(long["hour"].min()) if len(long) else 8.0
    hi_h = float(long["hour2"].max()) if len(long) else 20.0
    chart = alt.Chart(long).mark_rect().encode(
        x=alt.X("hour:Q", title=t("chart.time_of_day"), scale=alt.Scale(domain=[lo_h, hi_h], nice=False, zero=False),
                axis=alt.Axis(values=_hour_ticks(lo_h, hi_h), labelExpr=_hour_label_expr(), labelAngle=0)),
        x2="hour2:Q",
        y=alt.Y("day:N", title=None, sort=days, axis=alt.Axis(labelLimit=200)),
        color=alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme=scheme, reverse=reverse),
                        legend=alt.Legend(format=fmt, orient="right", gradientLength=120)),
        tooltip=[alt.Tooltip("day:N", title=t("chart.day")), alt.Tooltip("time:N", title=t("chart.time_of_day")),
                 alt.Tooltip("value:Q", title=value_title, format=fmt)],
    ).properties(title=title, height=alt.Step(22) if len(days) > 10 else alt.Step(30))
    show(chart, description=f"{title}. {caption}", key=key)
    if len(long):
        grid = long.pivot_table(index="day_order", columns="hour", values="value", aggfunc="first").sort_index()
        table = pd.DataFrame({t("chart.day"): days})
        times = long.drop_duplicates("hour").set_index("hour")["time"]
        for h in grid.columns:
            table[times[h]] = [ui.fmt_kind(v, value_kind) for v in grid[h]]
    else:
        table = pd.DataFrame({t("chart.day"): []})
    alt_text(caption, table, key)


# ----------------------------------------------------------------------------- working-time axis
def working_time(ds, *, keep: np.ndarray, interval_s: float) -> pd.DataFrame:
    """Positions on a working-time axis: the kept days side by side, each over the same opening
    window (the earliest to the latest kept time of day), closed days left out.

    Returns a frame aligned with ``ds``: pos (float, NaN outside the kept days or window), day
    (midnight), day_order."""
    wall = wall_clock(ds)
    keep = np.asarray(keep, dtype=bool)
    ih = interval_s / 3600.0
    hour = np.asarray(wall.hour + wall.minute / 60.0, dtype=float)
    if not keep.any():
        return pd.DataFrame({"pos": np.full(len(wall), np.nan), "day": wall.normalize(), "day_order": -1})
    lo_h, hi_h = float(hour[keep].min()), float(hour[keep].max()) + ih
    days = wall.normalize()
    kept_days = list(days[keep].unique().sort_values())
    order = {d: i for i, d in enumerate(kept_days)}
    day_order = np.array([order.get(d, -1) for d in days])
    span = hi_h - lo_h
    gap = max(span * 0.08, ih)
    inside = (day_order >= 0) & (hour >= lo_h - 1e-9) & (hour < hi_h - 1e-9)
    pos = np.where(inside, day_order * (span + gap) + (hour - lo_h), np.nan)
    out = pd.DataFrame({"pos": pos, "day": days, "day_order": day_order})
    out.attrs.update(span=span, gap=gap, days=kept_days, lo_h=lo_h)
    return out


def working_time_axis(frame: pd.DataFrame, title: str) -> alt.X:
    """An x axis over :func:`working_time` positions: one labelled tick per day (the day's name),
    thinned so that labels never overlap."""
    days = frame.attrs.get("days", [])
    span, gap = frame.attrs.get("span", 12.0), frame.attrs.get("gap", 1.0)
    every = max(1, int(np.ceil(len(days) / 8)))
    values = [i * (span + gap) for i in range(0, len(days), every)]
    style = "weekday" if every == 1 else "day"
    names = {str(round(v, 6)): fmt_date(days[i * every], style=style) for i, v in enumerate(values)}
    cases = " : ".join(f"abs(datum.value - {k}) < 1e-6 ? {ui.js_string(v)}" for k, v in names.items())
    expr = f"{cases} : ''" if cases else "''"
    return alt.X("pos:Q", title=title, scale=alt.Scale(domain=[0, max(len(days), 1) * (span + gap) - gap],
                                                       nice=False, zero=False),
                 axis=alt.Axis(values=values, labelExpr=expr, labelAlign="left", labelAngle=0, grid=True,
                               labelOverlap=True, ticks=True, tickSize=6))


def forecast_chart(history: pd.DataFrame, fc: pd.DataFrame, *, baseline: pd.DataFrame | None, interval_s: float,
                   title: str, caption: str, key: str) -> None:
    """History (solid where observed, gaps where missing), forecast (solid, its own colour) with its
    80% and 95% bands, and the forecast without the surge (dashed) when a surge is applied; on a
    working-time axis (open days only, opening window only).

    history: ds, y; fc: ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95 (with the surge);
    baseline: ds, yhat (without the surge) or None."""
    hist = pd.DataFrame({"ds": wall_clock(history["ds"]), "value": history["y"].astype(float).to_numpy()})
    grid_step = pd.Timedelta(seconds=interval_s)
    if len(hist):  # a regular grid, so a missing interval is a gap and not a straight line
        full = pd.date_range(hist["ds"].min(), hist["ds"].max(), freq=grid_step)
        hist = hist.drop_duplicates("ds").set_index("ds").reindex(full).rename_axis("ds").reset_index()
    f = pd.DataFrame({"ds": wall_clock(fc["ds"]), "value": fc["yhat"].astype(float).to_numpy(),
                      **{c: fc[c].astype(float).to_numpy() for c in
                         ("yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95")}})
    all_ds = pd.DatetimeIndex(pd.concat([hist["ds"], f["ds"]], ignore_index=True))
    hv = hist["value"].to_numpy(dtype=float)
    keep = np.r_[np.nan_to_num(hv) > 0, f["yhat_hi_95"].to_numpy(dtype=float) > 0]
    pos = working_time(all_ds, keep=keep, interval_s=interval_s)
    hist["pos"] = pos["pos"].to_numpy()[:len(hist)]
    f["pos"] = pos["pos"].to_numpy()[len(hist):]
    kinds = [t("demand.history"), t("demand.forecast"), t("demand.without_surge")]
    colours = [TEXT, PALETTE[0], PALETTE[5]]
    dashes = [[1, 0], [1, 0], [5, 3]]
    lines = [hist.assign(kind=kinds[0], seg=_segments(hist["pos"], hist["value"], interval_s / 3600.0))]
    lines.append(f.assign(kind=kinds[1], seg=_segments(f["pos"], f["value"], interval_s / 3600.0)))
    shown = kinds[:2]
    if baseline is not None:
        b = pd.DataFrame({"ds": wall_clock(baseline["ds"]), "value": baseline["yhat"].astype(float).to_numpy()})
        b["pos"] = f["pos"].to_numpy()
        lines.append(b.assign(kind=kinds[2], seg=_segments(b["pos"], b["value"], interval_s / 3600.0)))
        shown = kinds
    long = pd.concat(lines, ignore_index=True)
    long = long[long["pos"].notna()]
    long["when"] = [ui.fmt_when(d) for d in long["ds"]]
    long["segkey"] = long["kind"] + "/" + long["seg"].astype(str)
    x = working_time_axis(pos, t("chart.working_time"))
    y_title = t("chart.calls_per_interval")
    bands = f[f["pos"].notna()].assign(seg=lambda d: _segments(d["pos"], d["value"], interval_s / 3600.0))
    band95 = alt.Chart(bands).mark_area(opacity=0.22, color=PALETTE[4]).encode(
        x=x, y=alt.Y("yhat_lo_95:Q", title=y_title), y2="yhat_hi_95:Q", detail="seg:N")
    band80 = alt.Chart(bands).mark_area(opacity=0.35, color=PALETTE[0]).encode(
        x=x, y="yhat_lo_80:Q", y2="yhat_hi_80:Q", detail="seg:N")
    line = alt.Chart(long).mark_line(strokeWidth=1.6).encode(
        x=x, y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=",.0f")),
        color=alt.Color("kind:N", scale=alt.Scale(domain=shown, range=colours[:len(shown)]),
                        legend=alt.Legend(title=None, orient="top", direction="horizontal")),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=shown, range=dashes[:len(shown)]), legend=None),
        detail="segkey:N",
        tooltip=[alt.Tooltip("when:N", title=t("chart.time")), alt.Tooltip("kind:N", title=" "),
                 alt.Tooltip("value:Q", format=",.0f", title=t("chart.calls"))])
    start = f["pos"].dropna()
    layers = [band95, band80, line]
    if len(start):
        rule = alt.Chart(pd.DataFrame({"pos": [float(start.iloc[0])]})).mark_rule(
            color=MUTED, strokeDash=[2, 2]).encode(x="pos:Q")
        layers.append(rule)
    chart = alt.layer(*layers).properties(title=title, height=HEIGHT)
    show(chart, description=f"{title}. {caption}", key=key)
    table = pd.DataFrame({t("chart.time"): [ui.fmt_when(d) for d in f["ds"][f["pos"].notna()]]})
    ff = f[f["pos"].notna()]
    cols = {"value": t("demand.forecast"), "yhat_lo_80": t("demand.lo80"), "yhat_hi_80": t("demand.hi80"),
            "yhat_lo_95": t("demand.lo95"), "yhat_hi_95": t("demand.hi95")}
    for c, label in cols.items():
        table[label] = [ui.fmt_kind(v, "int") for v in ff[c]]
    if baseline is not None:
        table[t("demand.without_surge")] = [ui.fmt_kind(v, "int") for v in
                                            baseline["yhat"].astype(float).to_numpy()[f["pos"].notna().to_numpy()]]
    alt_text(caption, table, key)


def _segments(pos: pd.Series, value: pd.Series, step_h: float) -> np.ndarray:
    """Run ids: a new run after a missing value or a jump in position (a new day)."""
    p = pos.to_numpy(dtype=float)
    v = value.to_numpy(dtype=float)
    ok = np.isfinite(p) & np.isfinite(v)
    jump = np.r_[True, np.abs(np.diff(p)) > step_h * 1.5]
    return np.cumsum(jump | ~np.r_[True, ok[:-1]])


# ----------------------------------------------------------------------------- calendar series
def _date_axis(ds: pd.Series, title: str) -> alt.X:
    """A calendar axis written the page's way, one tick per year, month or week as the span allows
    (never two ticks with the same label)."""
    span = (pd.Timestamp(ds.max()) - pd.Timestamp(ds.min())).days if len(ds) else 0
    formats = time_formats()
    if span > 3 * 365:
        fmt, ticks = "%Y", alt.TickCount(interval="year", step=1)
    elif span > 120:
        fmt, ticks = formats["month"], alt.TickCount(interval="month", step=1 if span < 400 else 3)
    else:
        fmt, ticks = formats["date"], alt.TickCount(interval="week", step=1 if span < 60 else 2)
    return alt.X("ds:T", title=title, axis=alt.Axis(format=fmt, tickCount=ticks, labelOverlap=True, labelAngle=0,
                                                    labelFlush=True))


def daily_lines(df: pd.DataFrame, columns: dict[str, str], *, title: str, caption: str, key: str,
                y_title: str, marker=None, kinds: Mapping[str, str] | None = None, fmt: str = ",.0f") -> None:
    """Several daily (or weekly) series as lines told apart by colour, marker and dash, on a date
    axis written the page's way. columns: {column: translated label}; marker: optional ds value (a
    vertical dashed rule, e.g. "projection starts"); kinds: display kind per column for the table."""
    frame = df.copy()
    frame["ds"] = wall_clock(frame["ds"])
    long = frame.melt(id_vars="ds", value_vars=list(columns), var_name="series", value_name="value")
    long["series"] = long["series"].map(columns)
    long["when"] = [fmt_date(d, style="iso") for d in long["ds"]]
    labels = list(columns.values())
    scales = _series_scales(labels)
    points = len(frame) <= 60
    legend = _legend(labels, None)
    x = _date_axis(frame["ds"], t("chart.date"))
    tooltip = [alt.Tooltip("when:N", title=t("chart.date")), alt.Tooltip("series:N", title=" "),
               alt.Tooltip("value:Q", format=fmt, title=y_title)]
    line = alt.Chart(long).mark_line(strokeWidth=1.6, point=False).encode(
        x=x, y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=fmt)),
        color=alt.Color("series:N", sort=labels, scale=scales["color"], legend=legend),
        strokeDash=alt.StrokeDash("series:N", sort=labels, scale=scales["dash"], legend=legend),
        tooltip=tooltip)
    layers = [line]
    if points:
        layers.append(alt.Chart(long).mark_point(size=26, filled=True).encode(
            x=x, y="value:Q", color=alt.Color("series:N", sort=labels, scale=scales["color"], legend=legend),
            shape=alt.Shape("series:N", sort=labels, scale=scales["shape"], legend=legend), tooltip=tooltip))
    else:  # too many points for markers: a direct label at each line's end tells them apart
        last = long.dropna(subset=["value"]).sort_values("ds").groupby("series", sort=False).tail(1)
        layers.append(alt.Chart(last).mark_point(size=60, filled=True).encode(
            x=x, y="value:Q", color=alt.Color("series:N", sort=labels, scale=scales["color"], legend=legend),
            shape=alt.Shape("series:N", sort=labels, scale=scales["shape"], legend=legend)))
    if marker is not None:
        layers.append(alt.Chart(pd.DataFrame({"ds": [wall_clock([marker])[0]]})).mark_rule(
            color=MUTED, strokeDash=[2, 2]).encode(x="ds:T"))
    chart = alt.layer(*layers).properties(title=title, height=HEIGHT)
    show(chart, description=f"{title}. {caption}", key=key)
    table = pd.DataFrame({t("chart.date"): [fmt_date(d, style="iso") for d in frame["ds"]]})
    for col, label in columns.items():
        kind = (kinds or {}).get(col, "int")
        table[label] = [ui.fmt_kind(v, kind) for v in frame[col]]
    alt_text(caption, table, key)


def bars(df: pd.DataFrame, x: str, y: str, *, x_title: str, y_title: str, title: str, caption: str, key: str,
         percent: bool = False, lo: str | None = None, hi: str | None = None) -> None:
    """A bar chart (one colour, values in the tooltip, the caption and the table), with optional
    error bars ``lo``..``hi``."""
    fmt = ".0%" if percent else ",.0f"
    kind = "pct" if percent else "int"
    base = alt.Chart(df)
    xx = alt.X(f"{x}:N", title=x_title, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=140))
    tooltip = [alt.Tooltip(f"{x}:N", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title, format=fmt)]
    layers = [base.mark_bar(color=PALETTE[0]).encode(
        x=xx, y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=fmt),
                      scale=alt.Scale(domain=[0, 1]) if percent else alt.Undefined), tooltip=tooltip)]
    if lo and hi:
        layers.append(base.mark_rule(color=TEXT, strokeWidth=1.5).encode(
            x=xx, y=alt.Y(f"{lo}:Q", title=y_title), y2=f"{hi}:Q"))
    chart = alt.layer(*layers).properties(title=title, height=HEIGHT)
    show(chart, description=f"{title}. {caption}", key=key)
    table = pd.DataFrame({x_title: df[x].astype(str).to_numpy(), y_title: [ui.fmt_kind(v, kind) for v in df[y]]})
    if lo and hi:
        table[t("chart.interval95")] = [f"{ui.fmt_kind(a, kind)} – {ui.fmt_kind(b, kind)}"
                                        for a, b in zip(df[lo], df[hi])]
    alt_text(caption, table, key)
