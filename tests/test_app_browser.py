"""The app in a real browser: `streamlit run app.py` driven by Playwright in Debian's Chromium.

Marked ``browser`` (deselect with ``-m "not browser"``). Skipped only when /usr/bin/chromium is not
installed (no browser is ever downloaded). Screenshots go to artifacts/ (git-ignored).
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import simulate

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
FIRST_RUN_MS = 240_000  # first page: forecast + three simulations on a shared 2-core machine

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


def _metric_texts(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def _wait_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the app has finished its run (Streamlit's "running" indicator is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout_ms)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_planner_compares_translates_edits_and_downloads_in_a_browser(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        _wait_healthy(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"])
            try:
                page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
                page.goto(url)
                # opens on the comparison of the three ready scenarios
                table = page.locator('[data-testid="stTable"]').first
                expect(table).to_be_visible(timeout=FIRST_RUN_MS)
                expect(table).to_contain_text("Current staffing")
                expect(table).to_contain_text("Status line + callbacks")
                expect(table).to_contain_text("★")
                _no_exception(page)
                page.screenshot(path=str(ARTIFACTS / "app_compare_en.png"), full_page=True)

                # French
                page.get_by_text("Français", exact=True).click()
                expect(page.get_by_role("heading", name="Comparer les scénarios")).to_be_visible(timeout=60_000)
                expect(page.locator('[data-testid="stTable"]').first).to_contain_text("Niveau de service")
                _no_exception(page)

                # change a scenario parameter: the KPIs under it change
                page.get_by_role("link", name="Scénarios").click()
                agents = page.locator(".st-key-agents_0 input")
                expect(agents).to_be_visible(timeout=60_000)
                expect(page.locator('[data-testid="stMetricValue"]')).to_have_count(12, timeout=120_000)
                before = _metric_texts(page)
                peak = int(agents.input_value())
                agents.fill(str(peak - 20))
                agents.press("Enter")
                deadline = time.monotonic() + 120
                after = before
                while time.monotonic() < deadline and (after[:4] == before[:4] or len(after) != 12):
                    page.wait_for_timeout(500)
                    _wait_idle(page)
                    after = _metric_texts(page)
                assert after[:4] != before[:4], (before, after)
                assert after[4:] == before[4:]
                _no_exception(page)
                page.screenshot(path=str(ARTIFACTS / "app_scenarios_fr.png"), full_page=True)

                # download the edited scenario file from the Staffing & export page
                page.get_by_role("link", name="Effectifs et export").click()
                button = page.locator(".st-key-dl_toml button")
                expect(button).to_be_visible(timeout=180_000)
                with page.expect_download(timeout=60_000) as info:
                    button.click()
                saved = tmp_path / info.value.suggested_filename
                info.value.save_as(saved)
                scenario = simulate.Scenario.load(saved)
                assert max(scenario.agents) == peak - 20
                _no_exception(page)
                page.screenshot(path=str(ARTIFACTS / "app_staffing_fr.png"), full_page=True)
            finally:
                browser.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
