"""The app in a real browser: `streamlit run app.py` driven by Playwright in Debian's Chromium.

Marked ``browser`` (deselect with ``-m "not browser"``). Skipped only when /usr/bin/chromium is not
installed (no browser is ever downloaded). One app server and one browser serve the whole module.

Every page is rendered in English and French at 1280 and 1920 px and checked for what a reviewer
would see (issues 17 and 20): no traceback; no English leftover on a French page (and none of
Streamlit's own English on any page); zero axe-core violations of impact serious or critical and no
heading-order violation (axe-core from the ``axe-playwright-python`` package, which ships
axe.min.js: nothing is downloaded at test time); no button, label or metric whose text overflows
its box; no overlapping axis labels in the charts' rendered SVG; no "None" cell in a shown table.
Screenshots of every page go to ``artifacts/`` (git-ignored), named ``<page>_<lang>_<width>.png``.
"""
from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
FIRST_RUN_MS = 300_000  # a page's first run: forecast, simulations, sizing by simulation on a shared 2-core machine
PAGES = {"compare": "", "scenarios": "scenarios", "demand": "demand", "staffing": "staffing", "capacity": "capacity"}
WIDTHS = (1280, 1920)
#: English that must never show on a French page (issue 17's list, and Streamlit's own widget texts)
FRENCH_LEFTOVERS = ("Current staffing", "Status line", "unpaid", "erlang_c", "erlang_a", "95% CI", "Upload",
                    "Choose an option", "Show data", "Deploy", "1 jours", "Browse files", "Drag and drop",
                    "per file", "Service level", "Agents at the peak", "Compare scenarios", "Forecast")
#: Streamlit's own English that must not show on any page
ANY_LEFTOVERS = ("Choose an option", "Show data", "Deploy", "200MB", "per file", "Drag and drop", "Browse files")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")


@pytest.fixture(scope="module")
def app_url():
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            yield b
        finally:
            b.close()


CHARTS_DRAWN_JS = """() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
  .every(c => c.querySelector('svg, canvas'))"""


def _wait_idle(page, timeout_ms: int = FIRST_RUN_MS) -> None:
    """Until the app's run has finished (Streamlit's own state attribute) and every chart is drawn."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=30_000)
    page.wait_for_timeout(300)


def _full_height(page, width: int) -> None:
    """Streamlit scrolls inside its main section: grow the viewport to the content for a whole-page shot."""
    height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stAppViewContainer], section'))"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 16000)})
    page.wait_for_timeout(400)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=30_000)


AXE_JS = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def _axe_problems(page) -> list[str]:
    page.evaluate(AXE_JS)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['help']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"]


OVERFLOW_JS = """() => Array.from(document.querySelectorAll(
    'button, [data-testid="stWidgetLabel"] p, [data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] div,'
    + ' [data-testid="stMetricDelta"] div, [data-testid="stMarkdownContainer"] p, label p,'
    + ' [data-testid="stSelectbox"] input'))
  .filter(e => e.offsetParent !== null && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
  .map(e => (e.innerText || e.value || e.getAttribute('aria-label') || e.tagName).slice(0, 60))"""

AXIS_OVERLAP_JS = """() => {
  const out = [];
  document.querySelectorAll('.vega-embed svg').forEach((svg, k) => {
    svg.querySelectorAll('g.mark-text.role-axis-label').forEach(group => {
      const boxes = Array.from(group.querySelectorAll('text'))
        .filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== '0' && t.getAttribute('opacity') !== '0')
        .map(t => [t.textContent, t.getBoundingClientRect()]);
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i][1], b = boxes[j][1];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.push(`chart ${k}: '${boxes[i][0]}' over '${boxes[j][0]}'`);
      }
    });
  });
  return out;
}"""

NONE_CELLS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stTable"] td, [data-testid="stTable"] th'))
  .map(e => e.innerText.trim()).filter(t => ['None', 'nan', 'NaN', 'NaT', '<NA>'].includes(t))"""


def _check_page(page, name: str, lang: str, width: int) -> list[str]:
    problems = []
    if page.locator('[data-testid="stException"]').count():
        problems.append("a traceback is shown")
    text = page.evaluate("() => document.body.innerText")
    # what a reader sees or hears beside the page's text: placeholders, the values in text inputs
    # (a ready scenario's name), and the names screen readers announce (aria-label)
    extra = " ".join(page.evaluate(
        "() => [...Array.from(document.querySelectorAll('input[placeholder], textarea[placeholder]'))"
        ".map(e => e.getAttribute('placeholder')),"
        " ...Array.from(document.querySelectorAll('input[type=text], textarea')).map(e => e.value),"
        " ...Array.from(document.querySelectorAll('[aria-label]')).map(e => e.getAttribute('aria-label'))]"))
    shown = f"{text}\n{extra}"
    words = FRENCH_LEFTOVERS if lang == "fr" else ANY_LEFTOVERS
    problems += [f"English leftover {w!r}" for w in words if w in shown]
    problems += [f"text overflows its box: {t!r}" for t in page.evaluate(OVERFLOW_JS)]
    problems += [f"axis labels overlap: {t}" for t in page.evaluate(AXIS_OVERLAP_JS)]
    problems += [f"a table cell reads {t!r}" for t in page.evaluate(NONE_CELLS_JS)]
    problems += [f"axe: {p}" for p in _axe_problems(page)]
    return [f"{name} {lang} {width}px: {p}" for p in problems]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_reads_well_in_both_languages_at_two_widths(app_url, browser, lang):
    """Each page is run once, then looked at in a 1280 px and a 1920 px window (a resize lays the
    page out again without running it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    page = browser.new_page(viewport={"width": WIDTHS[0], "height": 1000}, locale="fr-CA" if lang == "fr" else "en-CA")
    try:
        for name, path in PAGES.items():
            page.set_viewport_size({"width": WIDTHS[0], "height": 1000})
            page.goto(f"{app_url}/{path}?lang={lang}")
            _wait_idle(page)
            for width in WIDTHS:
                _full_height(page, width)
                page.screenshot(path=str(ARTIFACTS / f"{name}_{lang}_{width}.png"), full_page=True)
                problems += _check_page(page, name, lang, width)
    finally:
        page.close()
    print(f"screenshots in {ARTIFACTS}")
    assert not problems, "\n".join(problems)


def test_compare_downloads_the_comparison_as_a_workbook_with_each_scenarios_assumptions(app_url, browser, tmp_path):
    import openpyxl

    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    try:
        page.goto(f"{app_url}/?lang=fr")
        _wait_idle(page)
        button = page.locator(".st-key-dl_compare_xlsx button")
        button.wait_for(timeout=FIRST_RUN_MS)
        with page.expect_download(timeout=60_000) as info:
            button.click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
        header = [c.value for c in book[book.sheetnames[-1]][1]]
        assert "Effectif actuel" in header and "Ligne d'état + rappels" in header, header
        assert page.locator(".st-key-dl_compare_csv button").count() == 1
    finally:
        page.close()


def test_staffing_and_capacity_files_are_built_when_their_button_is_pressed(app_url, browser, tmp_path):
    """The Staffing and Capacity downloads are deferred (built on the click, not on every rerun):
    the files that arrive are the real ones, in the page's language."""
    import openpyxl

    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    try:
        for path, key, sheet in (("staffing", "dl_excel", "Sommaire"), ("capacity", "cap_dl_excel", "Semaines")):
            page.goto(f"{app_url}/{path}?lang=fr")
            _wait_idle(page)
            button = page.locator(f".st-key-{key} button")
            button.wait_for(timeout=FIRST_RUN_MS)
            with page.expect_download(timeout=120_000) as info:
                button.click()
            saved = tmp_path / info.value.suggested_filename
            info.value.save_as(saved)
            book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
            assert sheet in book.sheetnames, (path, book.sheetnames)
            assert book[sheet].max_row > 1, (path, sheet)
    finally:
        page.close()


def test_a_scenario_edit_changes_its_figures_and_only_its_in_a_browser(app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(f"{app_url}/scenarios?lang=fr")
        _wait_idle(page)
        rows_js = """() => Array.from(document.querySelector('[data-testid="stTable"]').querySelectorAll('tbody tr'))
          .map(r => Array.from(r.querySelectorAll('th, td')).map(c => c.innerText.trim()))"""
        page.wait_for_selector('[data-testid="stTable"] tbody tr', timeout=FIRST_RUN_MS)
        rows_before = page.evaluate(rows_js)
        page.get_by_role("tab", name="Durée de traitement").click()
        aht = page.locator(".st-key-aht_2 input")  # the status line scenario: the others do not follow it
        aht.fill("400")
        aht.press("Enter")
        _wait_idle(page)
        rows_after = page.evaluate(rows_js)
        assert rows_after != rows_before
        assert len(rows_after) == len(rows_before) >= 4 and all(len(r) == 4 for r in rows_after), rows_after
        assert [r[1:3] for r in rows_after] == [r[1:3] for r in rows_before]  # the other scenarios: unchanged
        assert [r[3] for r in rows_after] != [r[3] for r in rows_before]
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
