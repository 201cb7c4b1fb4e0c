"""Specifications of the planner's app, driven headless with streamlit.testing.v1.AppTest.

The first test pays for the forecast and the three simulations (a few seconds); st.cache_data is
shared by every AppTest of this process, so the others re-use it. Widgets are addressed by key.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import simulate
from app_pages import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 180


def run_app(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def kpi_cells(at: AppTest) -> list[list[str]]:
    """The comparison table's cells as text, one list per row (first cell: the indicator)."""
    frame = at.table[0].value
    return [[str(v) for v in row] for row in frame.itertuples(index=False)]


def metric_values(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def test_app_opens_on_the_three_ready_scenarios_already_compared():
    at = run_app()
    assert at.title[0].value == "Compare scenarios"
    assert len(at.table) == 1
    table = at.table[0].value
    names = [e["scenario"].name for e in at.session_state["scenarios"]]
    assert names == ["Current staffing", "+25% agents", "Status line + callbacks"]
    assert list(table.columns)[1:] == names
    rows = [r[0] for r in kpi_cells(at)]
    assert any(r.startswith("Service level") for r in rows)
    assert any(r.startswith("Busy signals") for r in rows)
    # the best scenario of each row is starred (bold is applied to the same cells)
    assert any("★" in cell for row in kpi_cells(at) for cell in row[1:])
    assert not at.error


def test_changing_agents_on_the_scenarios_page_changes_its_kpis():
    at = run_app("app_pages/scenarios.py")
    assert at.title[0].value == "Scenarios"
    before = metric_values(at)
    peak = at.number_input(key="agents_0").value
    at.number_input(key="agents_0").set_value(peak - 15).run()
    assert not at.exception
    after = metric_values(at)
    assert len(after) == len(before) == 12  # 4 KPIs x 3 scenarios
    assert after[:4] != before[:4]  # the edited scenario changed ...
    assert after[4:] == before[4:]  # ... the others did not
    sc = at.session_state["scenarios"][0]["scenario"]
    assert max(sc.agents) == peak - 15
    # the scenarios are in the URL, compactly encoded
    assert state.decode_scenarios(at.query_params["s"])[0] == sc


def test_switching_to_french_translates_labels_and_tables():
    at = run_app()
    at.radio(key="lang").set_value("fr").run()
    assert not at.exception
    assert at.title[0].value == "Comparer les scénarios"
    assert list(at.table[0].value.columns)[0] == "Indicateur"
    assert any(r[0].startswith("Niveau de service") for r in kpi_cells(at))
    at.switch_page("app_pages/scenarios.py").run()
    assert not at.exception
    assert at.number_input(key="aht_0").label == "Durée moyenne de traitement (s)"


def test_a_bad_history_upload_shows_the_problem_in_plain_words():
    at = run_app("app_pages/demand.py")
    bad = b"ds,y\n2024-07-02 08:00,12\n2024-07-02 08:30,-3\n"
    at.file_uploader(key="history_upload").set_value(("my_calls.csv", bad, "text/csv")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors, "the data error must be shown"
    assert "my_calls.csv" in errors[0] and "line 3" in errors[0] and "'y'" in errors[0]
    assert at.session_state["upload"] is None  # the bundled data stay in use


def test_demand_page_shows_forecast_backtest_surge_and_backlog():
    at = run_app("app_pages/demand.py")
    assert at.title[0].value == "Demand"
    captions = " ".join(c.value for c in at.caption)
    assert "Forecast:" in captions and "Backlog" in captions
    at.radio(key="surge_mode").set_value("custom").run()
    at.number_input(key="surge_peak").set_value(2.0).run()
    assert not at.exception
    cap = next(c.value for c in at.caption if c.value.startswith("Forecast:"))
    assert "+" in cap.split("(")[1]  # the surge raises the forecast used by the scenarios
    at.slider(key="deflection").set_value(50).run()
    assert not at.exception


def test_staffing_page_recommends_schedules_and_offers_downloads():
    at = run_app("app_pages/staffing.py")
    assert at.title[0].value == "Staffing & export"
    labels = [m.label for m in at.metric]
    assert "Agents at the peak" in labels
    assert len(at.get("download_button")) == 5
    assert not at.error


def test_a_scenario_file_round_trips_and_a_bad_one_is_refused():
    at = run_app("app_pages/scenarios.py")
    sc = at.session_state["scenarios"][1]["scenario"].replace(name="From a file")
    at.file_uploader(key="scenario_upload").set_value(("mine.toml", sc.to_toml().encode(), "application/toml")).run()
    assert not at.exception
    loaded = at.session_state["scenarios"][-1]["scenario"]
    assert loaded == sc
    at.file_uploader(key="scenario_upload").set_value(("bad.toml", b"aht = -5\n", "application/toml")).run()
    assert not at.exception
    assert any("aht" in e.value for e in at.error)


def test_scenarios_come_back_from_the_url():
    shared = [simulate.Scenario(name="Shared", agents=40, aht=500.0, patience=200.0)]
    at = run_app(s=state.encode_scenarios(shared))
    assert [e["scenario"] for e in at.session_state["scenarios"]] == shared
    assert list(at.table[0].value.columns)[1:] == ["Shared"]


def test_url_encoding_round_trips_and_refuses_garbage():
    scenarios = state.default_scenarios()
    assert state.decode_scenarios(state.encode_scenarios(scenarios)) == scenarios
    assert len(state.encode_scenarios(scenarios)) < 4000  # fits a URL comfortably
    with pytest.raises(ValueError):
        state.decode_scenarios("not-a-scenario")


def test_ready_scenario_files_load_and_match_the_default_demand():
    for name in state.DEFAULT_SCENARIO_FILES:
        sc = simulate.Scenario.load(state.SCENARIO_DIR / name)
        assert isinstance(sc.agents, tuple) and len(sc.agents) == 7 * 48
    status = simulate.Scenario.load(state.SCENARIO_DIR / "status_line_callbacks.toml")
    assert 0.25 <= status.ivr_containment <= 0.35 and 1.1 <= status.residual_aht_factor <= 1.2
    assert status.callback_threshold is not None
