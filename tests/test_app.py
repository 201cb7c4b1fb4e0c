"""Specifications of the planner's app, driven headless with streamlit.testing.v1.AppTest.

The first test pays for the forecast and the simulations (a few seconds); st.cache_data is shared
by every AppTest of this process, so the others re-use it. Widgets are addressed by key.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import simulate
from app_pages import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 240


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


def weekday_history(weeks: int = 6, offsets: bool = True) -> bytes:
    """A Monday-Friday 08:00-20:00 history of 30-minute calls with UTC offsets (-05:00, January-February:
    no daylight-saving change), as a planner's own export would be."""
    rng = np.random.default_rng(5)
    days = pd.bdate_range("2025-01-06", periods=weeks * 5)
    rows = []
    for day in days:
        for k in range(24):  # 08:00 .. 19:30
            ts = day + pd.Timedelta(hours=8, minutes=30 * k)
            shape = 40 + 30 * np.sin(np.pi * k / 24)
            stamp = ts.strftime("%Y-%m-%d %H:%M:%S") + ("-05:00" if offsets else "")
            rows.append(f"{stamp},{int(rng.poisson(shape))}")
    return ("ds,y\n" + "\n".join(rows) + "\n").encode()


def test_app_opens_on_the_ready_scenarios_already_compared():
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
    assert any("★" in cell for row in kpi_cells(at) for cell in row[1:])
    assert not at.error
    # staffing is a rule per scenario, not a vector tied to the bundled week
    rules = [e["staffing"] for e in at.session_state["scenarios"]]
    assert rules[0] == {"sized": "erlang_a"}
    assert rules[1]["factor"] == 1.25 and rules[1]["relative_to"] == at.session_state["scenarios"][0]["uid"]


def test_a_planners_weekday_history_with_offsets_and_a_14_day_horizon_flows_through_every_page():
    """Issue 12: upload a Monday-Friday 30-minute history with UTC offsets, horizon 14 days; Compare shows
    staffing that follows the uploaded demand and "+25%" has 25% more agent-hours than the baseline."""
    at = run_app("app_pages/demand.py")
    at.file_uploader(key="history_upload").set_value(("weekdays.csv", weekday_history(), "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["upload"][0] == "weekdays.csv"
    at.number_input(key="horizon_days").set_value(14).run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    scen = at.session_state["scenarios"]
    d = state.demand(_spec_of(at), at.session_state["upload"][1])
    assert d.tz is not None  # the offsets are kept
    assert len(d) == 14 * 48 and d.ds[0].hour == 0 and d.ds[0].minute == 0  # whole days from midnight
    weekend = np.asarray(d.ds.day_of_week >= 5)
    open_ = d.open
    agents = {}
    for e in scen:
        plan = _plan_of(at, e)
        agents[e["scenario"].name] = plan.agents(d, e["scenario"])
    base = agents["Current staffing"]
    assert base[weekend].sum() == 0  # nobody on closed days
    assert np.all(base[open_] > 0)  # every open interval staffed
    assert not np.any(base[~open_] > 0)
    plus = agents["+25% agents"]
    assert abs(plus.sum() / base.sum() - 1.25) < 0.01
    # the page shows the same plans: the KPI table has every scenario and no scenario failed
    assert list(at.table[0].value.columns)[1:] == [e["scenario"].name for e in scen]
    for page in ("app_pages/scenarios.py", "app_pages/staffing.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])


def _spec_of(at: AppTest) -> state.DemandSpec:
    cfg = at.session_state["cfg"]
    up = at.session_state["upload"]
    import zlib

    digest = None if up is None else zlib.crc32(up[1]).to_bytes(4, "big").hex() + f"-{len(up[1])}"
    return state.DemandSpec(None if up is None else up[0], digest, int(cfg["horizon_days"]), cfg["model"],
                            cfg["holidays"] or None, ("none",), str(cfg["interval"]),
                            (str(cfg["spread"]), str(cfg["opening_hours"])))


def _plan_of(at: AppTest, e: dict) -> simulate.StaffingPlan:
    rule = e["staffing"]
    if "relative_to" in rule:
        base = next(x for x in at.session_state["scenarios"] if x["uid"] == rule["relative_to"])
        d = state.demand(_spec_of(at), at.session_state["upload"][1] if at.session_state["upload"] else None)
        table = simulate.StaffingPlan.table(pd.DataFrame({"ds": d.ds, "agents": _plan_of(at, base).agents(
            d, base["scenario"])}), interval=d.interval_s)
        return simulate.StaffingPlan.relative(table, rule.get("factor", 1.0), rule.get("add", 0))
    return simulate.StaffingPlan.from_dict(rule)


def test_a_daily_history_is_spread_over_the_day_and_staffed_without_a_raw_error():
    days = pd.date_range("2024-01-01", periods=20 * 7, freq="D")
    y = np.where(days.day_of_week < 5, 1200, 0)
    csv = ("ds,y\n" + "\n".join(f"{d:%Y-%m-%d},{v}" for d, v in zip(days, y)) + "\n").encode()
    at = run_app("app_pages/demand.py")
    at.file_uploader(key="history_upload").set_value(("daily.csv", csv, "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    at.radio(key="spread").set_value("hours").run()
    assert not at.exception, [e.message for e in at.exception]
    for page in ("app_pages/compare.py", "app_pages/scenarios.py", "app_pages/staffing.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
    d = state.demand(_spec_of(at), at.session_state["upload"][1])
    assert d.interval_s == 1800.0
    hours = np.asarray(d.ds.hour)
    assert d.calls[(hours < 8) | (hours >= 20)].sum() == 0  # spread over the opening hours only


def test_changing_a_scenarios_staffing_rule_changes_its_kpis_and_only_its():
    at = run_app("app_pages/scenarios.py")
    assert at.title[0].value == "Scenarios"
    before = metric_values(at)
    at.selectbox(key="stkind_0").set_value("agents").run()
    at.number_input(key="stagents_0").set_value(60).run()
    assert not at.exception
    after = metric_values(at)
    assert len(after) == len(before) == 12  # 4 KPIs x 3 scenarios
    assert after[:4] != before[:4]  # the edited scenario changed ...
    assert at.session_state["scenarios"][0]["staffing"] == {"agents": 60}
    # the whole state is in the URL, compactly encoded
    decoded = state.decode_state(at.query_params["s"])
    assert decoded["scenarios"][0]["staffing"] == {"agents": 60}


def test_a_relative_scenario_follows_its_base_when_the_base_changes():
    at = run_app("app_pages/scenarios.py")
    at.selectbox(key="stkind_0").set_value("agents").run()
    at.number_input(key="stagents_0").set_value(80).run()
    assert not at.exception
    caption = [c.value for c in at.caption if "agents at the peak" in c.value]
    assert any("80 agents at the peak" in c for c in caption)
    assert any("100 agents at the peak" in c for c in caption)  # +25% of 80


def test_switching_to_french_translates_labels_tables_and_ready_scenario_names():
    at = run_app()
    at.radio(key="lang").set_value("fr").run()
    assert not at.exception
    assert at.title[0].value == "Comparer les scénarios"
    cols = list(at.table[0].value.columns)
    assert cols[0] == "Indicateur"
    assert "Effectif actuel" in cols
    assert any(r[0].startswith("Niveau de service") for r in kpi_cells(at))
    assert at.query_params["lang"] == "fr"
    at.switch_page("app_pages/scenarios.py").run()
    assert not at.exception
    assert at.number_input(key="aht_0").label == "Durée moyenne de traitement (s)"


def test_the_language_and_the_state_come_back_from_the_link():
    at = run_app()
    at.radio(key="lang").set_value("fr").run()
    link = dict(at.query_params)
    again = run_app(**link)
    assert again.session_state["lang"] == "fr"
    assert [e["staffing"] for e in again.session_state["scenarios"]] == \
        [e["staffing"] for e in at.session_state["scenarios"]]
    assert [e["scenario"] for e in again.session_state["scenarios"]] == \
        [e["scenario"] for e in at.session_state["scenarios"]]
    assert again.title[0].value == "Comparer les scénarios"


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


def test_url_state_round_trips_and_refuses_garbage():
    at = run_app()
    text = at.query_params["s"]
    decoded = state.decode_state(text)
    assert [i["scenario"] for i in decoded["scenarios"]] == [e["scenario"] for e in at.session_state["scenarios"]]
    assert len(text) < 4000  # fits a URL comfortably
    with pytest.raises(ValueError):
        state.decode_state("not-a-state")


def test_ready_scenarios_hold_policies_and_staffing_rules_only():
    items = state.ready_scenarios()
    assert [i["label"]["en"] for i in items] == ["Current staffing", "+25% agents", "Status line + callbacks"]
    for item in items:
        assert "agents" not in item["scenario"].to_dict()
        assert all(item["label"].get(lang) for lang in ("en", "fr"))
    status = items[2]["scenario"]
    assert 0.25 <= status.ivr_containment <= 0.35 and 1.1 <= status.residual_aht_factor <= 1.2
    assert status.callback_threshold is not None
