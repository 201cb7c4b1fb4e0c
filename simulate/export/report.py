"""The one-page printable HTML report for a manager.

Self-contained (inline CSS with print rules, an inline SVG chart, no script, no external resource),
in one language throughout: the sentences come from the message catalogue, numbers, dates and times
are written the locale's way (``85,4 %``, ``jeu. 2 janv. 14 h 30``), the chart's axes too. Sections:
the recommendation in one paragraph (red when the plan misses its target in its own simulation),
the headline figures (each with its 95% interval or its source), the chart with a caption that
says its key numbers in words, and the assumptions.
"""
from __future__ import annotations

import datetime as _dt
import functools
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast import writers as _out
from simulate import i18n
from simulate.export import labels as L
from simulate.export.charts import line_chart_svg
from simulate.export.table import tables, tool_version
from simulate.result import SimulationResult
from simulate.staffing import StaffingRecommendation, workforce_totals

__all__ = ["report_html", "to_report"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;
margin:2rem auto;max-width:52rem;padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin:0 0 .2rem} h2{font-size:1.1rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #ccc}
.meta{color:#555;font-size:.85rem}
.rec{font-size:1.15rem;background:#f3f7fb;border-left:4px solid #2b6cb0;padding:.6rem .9rem}
.rec.miss{background:#fdecea;border-left-color:#c00000;color:#8b0000}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.5rem}
.card{border:1px solid #ddd;border-radius:4px;padding:.4rem .6rem} .card .v{font-size:1.3rem;font-weight:600}
.card .l{font-size:.8rem;color:#555} .card .n{font-size:.8rem;color:#222}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border-bottom:1px solid #e2e2e2;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#f4f4f4} figure{margin:0} figcaption{font-size:.85rem;color:#444}
@media print{body{margin:0;max-width:none;font-size:10pt} .rec{background:none} h2{break-after:avoid}
figure,table,.cards{break-inside:avoid} @page{size:A4;margin:12mm}}
"""


@dataclass(frozen=True)
class _Card:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class _Page:
    cards: list[_Card]
    recommendation: str
    svg: str
    caption: str
    alert: bool


def _w(key: str, language: str, **values: Any) -> str:
    return L.word(key, language, **values)


def _fmt(value: Any, kind: str, language: str) -> str:
    return i18n.fmt_value(value, kind, language)


def _ci(summary: pd.DataFrame, metric: str, kind: str, language: str) -> _Card | None:
    if metric not in summary.index:
        return None
    m, lo, hi = (float(summary.at[metric, c]) for c in ("mean", "lo", "hi"))
    return _Card("", _fmt(m, kind, language),
                 _w("ci_range", language, lo=_fmt(lo, kind, language), hi=_fmt(hi, kind, language)))


def _labelled(card: _Card | None, label: str, language: str) -> _Card:
    return _Card(label, card.value, card.note) if card is not None else _Card(label, i18n.MISSING)


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    v = values.to_numpy(dtype=float)
    w = weights.to_numpy(dtype=float)
    ok = np.isfinite(v) & (w > 0)
    return float(np.sum(v[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else float("nan")


def _sl_label(scenario: Any, language: str) -> str:
    return _w("sl_card", language, label=_w("sl_expected", language), target=scenario.sl_target,
              thr=scenario.sl_threshold)


@functools.singledispatch
def _page(obj: Any, language: str, name: str, result: Any) -> _Page:
    raise ValueError(f"to_report: expected a StaffingRecommendation or a SimulationResult, got {type(obj).__name__}")


@_page.register
def _(res: SimulationResult, language: str, name: str, result: Any) -> _Page:
    sc, iv = res.scenario, res.intervals
    totals = workforce_totals(iv["agents"].to_numpy(), res.interval_s, sc)
    s = res.summary
    cards = [
        _Card(_w("peak_agents", language), _fmt(float(iv["agents"].max()), "int", language)),
        _Card(_w("agent_hours", language), _fmt(totals["agent_hours"], "num", language)),
        _Card(_w("fte", language), _fmt(totals["fte"], "num", language)),
        _Card(_w("cost", language), _fmt(totals["cost"], "money", language)),
        _labelled(_ci(s, "service_level", "pct", language), _sl_label(sc, language), language),
        _labelled(_ci(s, "abandon_rate", "pct", language), _w("abandonment", language), language),
        _labelled(_ci(s, "got_through_rate", "pct", language), _w("got_through", language), language),
        _labelled(_ci(s, "asa_s", "sec", language), L.metric("asa_s", language)[0], language),
    ]
    sl = float(s.at["service_level", "mean"]) if "service_level" in s.index else float("nan")
    key = "rec_result_met" if sl >= sc.sl_target else "rec_result_missed"
    rec = _w(key, language, peak=int(iv["agents"].max()), hours=totals["agent_hours"], name=name, sl=sl,
             thr=sc.sl_threshold, target=sc.sl_target)
    values = iv["service_level"].to_numpy(dtype=float)
    lo = iv["service_level_lo"] if "service_level_lo" in iv else iv["service_level"]
    hi = iv["service_level_hi"] if "service_level_hi" in iv else iv["service_level"]
    low_i = int(np.nanargmin(values)) if np.isfinite(values).any() else 0
    desc = _w("chart_sl_desc", language, target=sc.sl_target, sl=sl, low=float(np.nanmin(values)) if
              np.isfinite(values).any() else float("nan"), when=i18n.fmt_datetime(iv["ds"].iloc[low_i], language))
    label = L.metric("service_level", language)[0]
    svg = line_chart_svg(iv["ds"], [(label, values, "line")], language=language,
                         title=_w("chart_sl_title", language), desc=desc, y_title=label, percent=True,
                         band=(_w("ci_band", language), lo.to_numpy(dtype=float), hi.to_numpy(dtype=float)),
                         rule=(_w("target_line", language, target=sc.sl_target), sc.sl_target))
    return _Page(cards, rec, svg, desc, alert=sl < sc.sl_target)


@_page.register
def _(rec: StaffingRecommendation, language: str, name: str, result: Any) -> _Page:
    s, sc, req = rec.summary, rec.scenario, rec.requirements
    sim = result if result is not None else rec.simulation
    if sim is not None:
        sl_card = _ci(sim.summary, "service_level", "pct", language)
        ab_card = _ci(sim.summary, "abandon_rate", "pct", language)
        asa_card = _ci(sim.summary, "asa_s", "sec", language)
        gt_card = _ci(sim.summary, "got_through_rate", "pct", language)
    else:
        note = _w("estimate", language, method=i18n.text(f"value.method.{rec.method}", language))
        sl_card = _Card("", _fmt(_weighted(req["service_level"], req["calls"]), "pct", language), note)
        ab_card = _Card("", _fmt(_weighted(req["abandon_rate"], req["calls"]), "pct", language), note)
        asa_card = _Card("", _fmt(_weighted(req["asa_s"], req["calls"]), "sec", language), note)
        gt_card = _Card("", _w("not_simulated", language))
    basis = s.get("basis", "requirement")
    cards = [
        _labelled(sl_card, _sl_label(sc, language), language),
        _labelled(ab_card, _w("abandonment", language), language),
        _labelled(asa_card, L.metric("asa_s", language)[0], language),
        _labelled(gt_card, _w("got_through", language), language),
    ]
    if s.get("intervals_meeting_target") is not None and s.get("intervals_open"):
        cards.append(_Card(_w("intervals_meeting_target", language),
                           f"{_fmt(s['intervals_meeting_target'], 'int', language)} / "
                           f"{_fmt(s['intervals_open'], 'int', language)}"))
    cards += [
        _Card(_w("peak_agents", language), _fmt(s.get("peak_agents"), "int", language)),
        _Card(_w("peak_scheduled", language), _fmt(s.get("peak_scheduled"), "int", language)),
        _Card(_w("agent_hours", language), _fmt(s.get("agent_hours"), "num", language)),
        _Card(_w("with_basis", language, label=_w("paid_hours", language), basis=_w(f"basis_{basis}", language)),
              _fmt(s.get("paid_hours"), "num", language)),
        _Card(_w("fte", language), _fmt(s.get("fte"), "num", language)),
        _Card(_w("cost", language), _fmt(s.get("cost"), "money", language)),
    ]
    sched = rec.schedule
    if sched is not None:
        cards += [_Card(_w("ideal_paid_hours", language), _fmt(s.get("ideal_paid_hours"), "num", language)),
                  _Card(_w("ideal_cost", language), _fmt(s.get("ideal_cost"), "money", language)),
                  _Card(_w("granularity_hours", language), _fmt(s.get("granularity_hours"), "num", language)),
                  _Card(_w("schedule_shifts", language), _fmt(sched.headcount, "int", language))]
    text = _w("rec_plan", language, peak=s.get("peak_scheduled", 0), paid=s.get("paid_hours", 0.0),
              fte=s.get("fte", float("nan")), cost=s.get("cost", 0.0))
    if sched is not None:
        text += " " + _w("rec_shifts", language, shifts=sched.headcount, ideal=s.get("ideal_paid_hours", 0.0),
                         gran=s.get("granularity_hours", 0.0))
        if not sched.feasible:
            text += ", " + _w("rec_short", language, short=int(len(sched.short)))
    text += "."
    if result is None:
        text = rec.verdict(language) + " " + text
    alert = s.get("meets_target") is False
    if result is not None:
        alert = float(result.summary.at["service_level", "mean"]) < sc.sl_target
    series = [(_w("agents_required", language), req["agents_required"].to_numpy(dtype=float), "line"),
              (_w("agents", language), req["agents"].to_numpy(dtype=float), "step")]
    if sched is not None and len(sched.coverage) == len(req):
        series.append((_w("scheduled", language), req["scheduled"].to_numpy(dtype=float), "line"))
        series.append((_w("on_duty", language), sched.coverage["scheduled"].to_numpy(dtype=float), "step"))
    peak_i = int(np.argmax(req["agents"].to_numpy())) if len(req) else 0
    desc = _w("chart_agents_desc", language, peak=int(req["agents"].max()) if len(req) else 0,
              when=i18n.fmt_datetime(req["ds"].iloc[peak_i], language) if len(req) else i18n.MISSING,
              hours=s.get("agent_hours", 0.0))
    if sched is not None:
        desc += " " + _w("chart_schedule_desc", language, shifts=sched.headcount, paid=sched.paid_hours,
                         most=float(sched.coverage["scheduled"].max()) if len(sched.coverage) else 0.0)
        if not sched.feasible:
            desc += " " + _w("chart_schedule_short", language, short=int(len(sched.short)))
    svg = line_chart_svg(req["ds"], series, language=language, title=_w("chart_agents_title", language),
                         desc=desc, y_title=i18n.text("compare.agents", language))
    return _Page(cards, text, svg, desc, alert)


def report_html(obj: Any, *, language: str = "en", title: str | None = None,
                name: str | Mapping[str, str] | None = None, result: SimulationResult | None = None) -> bytes:
    """The printable one-page report of ``obj`` as UTF-8 HTML bytes.

    ``obj``: a :class:`~simulate.StaffingRecommendation` (its verdict opens the recommendation;
    service level, abandonment, ASA and callers who got through with 95% intervals from its own
    simulation, ``rec.simulation``, or from ``result`` when given; without any simulation the
    method's own estimates, weighted by calls; paid hours, FTE and cost are ``rec.summary``, the
    schedule's when one is attached, with the ideal figures and the difference beside them) or a
    :class:`~simulate.SimulationResult`. ``language``: "en" or "fr", for every word, number, date
    and the chart. ``name``: the scenario's name to show (string or ``{"en": ..., "fr": ...}``;
    default the scenario's own); ``title``: the page title (default "Staffing report: <name>").
    Every text from the user is HTML-escaped. Raises ValueError for other objects or languages.
    """
    i18n.check_language(language)
    if not isinstance(obj, (StaffingRecommendation, SimulationResult)):
        _page(obj, language, "", result)  # raises the sentence
    shown = L.display_name(name, language, obj.scenario.name)
    page = _page(obj, language, shown, result)
    title = title or _w("title_with_name", language, title=_w("report_title", language), name=shown)
    assumptions = next(t for t in tables(obj, language=language, name=shown) if t.key == "assumptions")
    frame = assumptions.frame
    shown_cols = [c for c in frame.columns if c != _w("parameter", language)]  # field ids are for files, not readers
    shown_cols = shown_cols[-1:] + shown_cols[:-1]  # description first
    esc = html.escape
    rows = []
    for r in range(len(frame)):
        cells = []
        for col in shown_cols:
            v = frame[col].iloc[r]
            text = _fmt(v, assumptions.kind(r, str(col)), language) if isinstance(
                v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) else (
                "" if v is None else str(v))
            cells.append(f"<td>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in shown_cols)
    cards = "".join(
        f'<div class="card"><div class="v">{esc(c.value)}</div>'
        + (f'<div class="n">{esc(c.note)}</div>' if c.note else "")
        + f'<div class="l">{esc(c.label)}</div></div>' for c in page.cards)
    made = _w("made_with", language, version=tool_version(),
              date=i18n.fmt_datetime(_dt.datetime.now(_dt.UTC), language, style="long"))
    lang_tag = i18n.LOCALES[language].replace("_", "-")
    doc = f"""<!DOCTYPE html>
<html lang="{lang_tag}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{esc(title)}</h1>
<p class="meta">{esc(made)}</p>
<h2>{esc(_w('recommendation', language))}</h2>
<p class="{'rec miss' if page.alert else 'rec'}">{esc(page.recommendation)}</p>
<h2>{esc(_w('headline', language))}</h2>
<div class="cards">{cards}</div>
<h2>{esc(_w('chart', language))}</h2>
<figure>{page.svg}<figcaption>{esc(page.caption)}</figcaption></figure>
<h2>{esc(_w('Assumptions', language))}</h2>
<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>
</body></html>
"""
    return doc.encode("utf-8")


def to_report(obj: Any, path: str | Path, *, language: str = "en", title: str | None = None,
              name: str | Mapping[str, str] | None = None, result: SimulationResult | None = None,
              force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    """Write :func:`report_html` to ``path`` whole or not at all; returns the path. Refuses one of
    ``inputs`` and, unless ``force``, an existing file (:class:`forecast.OutputError`)."""
    data = report_html(obj, language=language, title=title, name=name, result=result)
    return _out.write_output(path, data, inputs=inputs, force=force)
