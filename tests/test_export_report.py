"""Specifications of the printable HTML report and of its chart (Altair/Vega-Lite drawn to SVG by vl-convert)."""
from __future__ import annotations

import importlib.metadata
import re
import subprocess

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate import export
from simulate.export import charts

HOSTILE_NAME = '=HYPERLINK("http://x")'


def demand(days: int = 1) -> simulate.Demand:
    ds = pd.date_range("2025-01-02 00:00", periods=48 * days, freq="30min")
    hour = ds.hour + ds.minute / 60
    calls = np.where((hour >= 8) & (hour < 16), 20.0 + 40.0 * np.exp(-0.5 * ((hour - 11) / 2) ** 2), 0.0)
    return simulate.Demand.from_frame(pd.DataFrame({"ds": ds, "calls": calls}))


SC = simulate.Scenario(name=HOSTILE_NAME, aht=300.0, patience=240.0, sl_threshold=60.0, shrinkage=0.3, hourly_cost=30.0)


@pytest.fixture(scope="module")
def rec() -> simulate.StaffingRecommendation:
    rec = simulate.staff(demand(), SC, method="erlang_a", replications=2, seed=0, engine="fast")
    return rec.with_schedule(simulate.schedule(rec.requirements, shift_lengths=("4h",), time_limit=5.0))


@pytest.fixture(scope="module")
def result(rec) -> simulate.SimulationResult:
    return rec.simulation


# ------------------------------------------------------------------------------ the page


def test_report_of_a_result_has_headline_numbers_an_accessible_svg_and_no_external_resources(result):
    text = export.report_html(result).decode("utf-8")
    assert re.search(r'<svg role="img" aria-labelledby="chart-title chart-desc"', text)
    assert '<title id="chart-title">' in text and '<desc id="chart-desc">' in text and "<figcaption>" in text
    assert f"{result['service_level']:.1%}" in text
    lo, hi = result.summary.loc["service_level", ["lo", "hi"]]
    assert f"95% CI {lo:.1%}–{hi:.1%}" in text
    assert f"{result['got_through_rate']:.1%}" in text and f"{result['abandon_rate']:.1%}" in text
    assert "Agents at peak" in text and "Full-time equivalents" in text
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert "<script" not in text.lower() and "@media print" in text
    assert importlib.metadata.version("queuecast") in text
    assert "aria-roledescription" not in text  # Vega's English descriptions are gone


def test_report_of_a_plan_recommends_in_one_paragraph_and_draws_the_schedule(rec):
    text = export.report_html(rec).decode("utf-8")
    s = rec.summary
    assert text.index(rec.verdict()[:40]) < text.index(f"Schedule {s['peak_scheduled']} agents at the peak")
    assert f"{s['fte']:,.1f}" in text and f"{s['cost']:,.2f}" in text
    assert f"{rec.schedule.headcount} shifts" in text
    assert ">People on duty</text>" in text and ">Agents required (fractional)</text>" in text  # the legend


def test_report_escapes_names_and_titles_and_takes_a_display_name(rec):
    text = export.report_html(rec, title="<b>Week 23</b>").decode("utf-8")
    assert "<b>Week" not in text and "&lt;b&gt;Week 23&lt;/b&gt;" in text
    named = export.report_html(rec, name={"en": "Current staffing", "fr": "Effectif actuel"}).decode("utf-8")
    assert "<title>Staffing report: Current staffing</title>" in named and HOSTILE_NAME not in named
    script = export.report_html(rec, name='<script>alert("x")</script>').decode("utf-8")
    assert "<script" not in script and "&lt;script&gt;" in script


def test_a_plan_that_misses_is_red_and_a_result_below_target_says_so(rec, result):
    lean = dataclass_replace_agents(result)
    page = export.report_html(lean).decode("utf-8")
    assert 'class="rec miss"' in page and "is NOT met" in page


def dataclass_replace_agents(result: simulate.SimulationResult) -> simulate.SimulationResult:
    """The same demand simulated with a third of the agents: far below the target."""
    plan = result.staffing * (1 / 3)
    return simulate.run(result.demand, result.scenario, plan, replications=2, seed=0, engine="fast")


# ------------------------------------------------------------------------------ the chart


def _font_file() -> str | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", charts.FONT.split(",")[0]], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def x_labels(svg: str) -> list[tuple[float, str, float, str]]:
    """(x, text, font size, anchor) of the horizontal axis labels, left to right."""
    for group in re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg, re.S):
        labels = re.findall(r'<text text-anchor="(\w+)" transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*'
                            r'font-size="([\d.]+)px"[^>]*>([^<]*)</text>', group)
        if len({y for _, _, y, _, _ in labels}) == 1:  # one row of labels: the horizontal axis
            return sorted((float(x), html_unescape(t), float(size), anchor) for anchor, x, _, size, t in labels)
    return []


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


@pytest.mark.parametrize("days", [1, 7, 28, 56])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_time_labels_never_overlap_and_use_the_24_hour_clock(days, language):
    from PIL import ImageFont

    font_file = _font_file()
    if font_file is None:
        pytest.skip("no font file to measure labels with")
    ds = pd.Series(pd.date_range("2025-01-02", periods=48 * days, freq="30min"))
    svg = charts.line_chart_svg(ds, [("a", np.arange(len(ds), dtype=float), "line")], language=language,
                                title="t", desc="d", y_title="y")
    labels = x_labels(svg)
    assert len(labels) >= 4
    boxes = []
    for x, text, size, anchor in labels:
        width = ImageFont.truetype(font_file, size).getlength(text)
        left = {"start": x, "end": x - width}.get(anchor, x - width / 2)
        boxes.append((left, left + width))
    for (_, right), (left, _) in zip(boxes, boxes[1:]):
        assert right + 2 <= left, labels  # at least 2 px between neighbours
    texts = [t for _, t, _, _ in labels]
    if days == 1:
        pattern = r"\d\d h \d\d" if language == "fr" else r"\d\d:\d\d"
        assert all(re.fullmatch(pattern, t) for t in texts), texts
        assert any(int(t[:2]) >= 13 for t in texts)  # afternoon hours, not "3 PM"
    elif days == 7:
        assert texts[0] == ("jeu. 2 janv." if language == "fr" else "Thu Jan 2")
    assert not any(re.search(r"\b(AM|PM|a\.m\.|p\.m\.)\b", t, re.I) for t in texts)


def test_a_label_overlap_would_be_caught():
    assert x_labels('<g class="mark-text role-axis-label"><text text-anchor="middle" transform="translate(10,5)" '
                    'font-size="11px" fill="#222">jeu. 2 janv.</text></g>') == [(10.0, "jeu. 2 janv.", 11.0, "middle")]


def test_french_chart_numbers_and_days_are_written_the_french_way():
    ds = pd.Series(pd.date_range("2025-01-02", periods=48 * 3, freq="30min", tz="America/Toronto"))
    svg = charts.line_chart_svg(ds, [("Appels", np.linspace(0, 2400, len(ds)), "line")], language="fr",
                                title="Titre", desc="Description", y_title="Appels")
    texts = [html_unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert "jeu. 2 janv." in texts and "2\u00a0000" in texts and "Date" in texts
    shares = charts.line_chart_svg(ds, [("NS", np.linspace(0, 1, len(ds)), "line")], language="fr", title="t",
                                   desc="d", y_title="NS", percent=True, rule=("Cible de 80\u00a0%", 0.8))
    assert "80\u00a0%" in [html_unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", shares)]
