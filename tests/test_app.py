"""Specifications of the planner's app, driven headless with streamlit.testing.v1.AppTest.

The first test pays for the forecast and the simulations (a few seconds); st.cache_data is shared
by every AppTest of this process, so the others re-use it. Widgets are addressed by key.
"""
from __future__ import annotations

import base64
import io
import json
import re
import zipfile
import zlib
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


def plain(text: str) -> str:
    """What a reader sees of a Markdown text the app escaped (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", str(text))


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
                            (str(cfg["spread"]), str(cfg["opening_hours"])), "bundled" if up is None else "upload")


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


def scenario_kpis(at: AppTest) -> list[list[str]]:
    """The Scenarios page's headline table: one list per scenario (its column of figures)."""
    frame = at.table[0].value
    return [[str(v) for v in frame[c]] for c in list(frame.columns)[1:]]


def test_changing_a_scenarios_staffing_rule_changes_its_kpis_and_only_its():
    at = run_app("app_pages/scenarios.py")
    assert at.title[0].value == "Scenarios"
    before = scenario_kpis(at)
    at.selectbox(key="stkind_2").set_value("agents").run()
    at.number_input(key="stagents_2").set_value(60).run()
    assert not at.exception
    after = scenario_kpis(at)
    assert len(after) == len(before) == 3 and all(len(col) == 4 for col in after)  # 4 KPIs x 3 scenarios
    assert after[2] != before[2]  # the edited scenario changed ...
    assert after[:2] == before[:2]  # ... and the others did not
    assert at.session_state["scenarios"][2]["staffing"] == {"agents": 60}
    # the whole state is in the URL, compactly encoded
    decoded = state.decode_state(at.query_params["s"])
    assert decoded["scenarios"][2]["staffing"] == {"agents": 60}


def test_a_relative_scenario_follows_its_base_when_the_base_changes():
    at = run_app("app_pages/scenarios.py")
    at.selectbox(key="stkind_0").set_value("agents").run()
    at.number_input(key="stagents_0").set_value(80).run()
    assert not at.exception
    shown = [m.value for m in at.markdown if "at peak" in m.value]
    assert any(s.startswith("80 at peak") for s in shown)
    assert any(s.startswith("100 at peak") for s in shown)  # +25% of 80


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
    # every input's own label names its scenario, in the page's language
    assert at.number_input(key="aht_0").label == "Durée moyenne de traitement (s) — Effectif actuel"
    # ... as a screen reader reads it: no Markdown escapes in a plain name
    assert at.number_input(key="aht_1").label == "Durée moyenne de traitement (s) — +25 % d'agents"
    assert at.text_input(key="name_0").value == "Effectif actuel"  # a ready scenario's name in the page's language


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
    errors = [plain(e.value) for e in at.error]
    assert errors, "the data error must be shown"
    assert "my_calls.csv" in errors[0] and "line 3" in errors[0] and "'y'" in errors[0]
    assert at.session_state["upload"] is None  # the bundled data stay in use


def test_demand_page_shows_forecast_backtest_surge_and_backlog():
    at = run_app("app_pages/demand.py")
    assert at.title[0].value == "Demand"
    captions = " ".join(plain(c.value) for c in at.caption)
    assert "Forecast:" in captions and "Backlog" in captions
    at.radio(key="surge_mode").set_value("custom").run()
    at.number_input(key="surge_peak").set_value(2.0).run()
    assert not at.exception
    cap = next(plain(c.value) for c in at.caption if plain(c.value).startswith("Forecast:"))
    assert "+" in cap.split("(")[1]  # the surge raises the forecast used by the scenarios
    at.slider(key="deflection").set_value(50).run()
    assert not at.exception


def test_staffing_page_recommends_by_simulation_and_shows_the_plan_simulated_beside_the_target():
    """Issue 13: the default method is "auto"; the page shows the simulated service level, abandonment
    and ASA, the verdict (green when every open interval meets the target, red when not), Erlang C/A as
    quick estimates with the gap in words, one set of workforce figures and the downloads."""
    at = run_app("app_pages/staffing.py")
    assert at.title[0].value == "Staffing & export"
    assert at.selectbox(key="staff_method").value == "auto"
    labels = [m.label for m in at.metric]
    for label in ("Simulated service level", "Callers who hang up", "Average wait to answer",
                  "Intervals meeting the target", "Paid hours", "Agents at the peak"):
        assert label in labels, labels
    verdicts = [e.value for e in at.success] + [e.value for e in at.error]
    assert any("answers" in v and "within" in v for v in verdicts), verdicts
    methods = at.table[0].value
    assert any("Erlang C" in str(v) for v in methods.iloc[:, 0])
    assert any("Quick estimates" in plain(c.value) for c in at.caption)
    assert any("pays" in c.value and "shift granularity" in c.value for c in at.caption)
    assert len(at.get("download_button")) == 5
    # a red verdict when the plan misses: Erlang A on the bundled scenario (redials, lines) falls short
    at.selectbox(key="staff_method").set_value("erlang_a").run()
    assert not at.exception
    assert any("misses" in e.value or "short" in e.value for e in at.error), [e.value for e in at.error]


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


# ----------------------------------------------------------------------------- issue 19: doors
EVIL = "[Session expired - log in](https://evil.example) ![](https://evil.example/x.png)"
_UNESCAPED_LINK = re.compile(r"(?<!\\)\]\((?!\\)|(?<!\\)!\[")


def _link_with(**changes) -> str:
    """A share link of the ready state with the first scenario changed (policy fields, or staffing=)."""
    at = run_app()
    decoded = state.decode_state(at.query_params["s"])
    raw = json.loads(zlib.decompress(base64.urlsafe_b64decode(at.query_params["s"] + "==")))
    rule = changes.pop("staffing", None)
    raw["scenarios"][0]["scenario"].update(changes)
    if rule is not None:
        raw["scenarios"][0]["staffing"] = rule
    assert decoded["scenarios"]
    text = json.dumps(raw, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(text, 9)).decode().rstrip("=")


def _markdown_texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in ("number_input", "text_input", "selectbox", "checkbox", "button"):
        out += [str(e.label) for e in getattr(at, kind)]
    return out


def test_a_scenario_name_is_text_never_a_link_or_an_image_on_any_page():
    link = _link_with(name=EVIL)
    at = run_app(s=link)
    assert at.session_state["scenarios"][0]["scenario"].name == EVIL
    for page in ("app_pages/compare.py", "app_pages/scenarios.py", "app_pages/staffing.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        shown = [s for s in _markdown_texts(at) if "evil" in s]
        assert shown or page.endswith("staffing.py"), page  # the name is shown (staffing: as an option) ...
        bad = [s for s in shown if _UNESCAPED_LINK.search(s)]
        assert not bad, (page, bad)  # ... escaped, so Markdown shows it literally


def test_a_link_with_values_the_widgets_cannot_show_is_refused_with_a_sentence():
    for changes, word in (({"aht": 50_000.0}, "handle time"), ({"aht": 0.5}, "handle time"),
                          ({"staffing": {"agents": 200_000}}, "Agents"), ({"name": "x" * 300}, "300")):
        at = run_app("app_pages/scenarios.py", s=_link_with(**changes))
        warnings = [w.value for w in at.warning]
        assert any(word in w for w in warnings), (changes, warnings)
        # the ready scenarios are shown instead, every widget showing its real value
        assert at.session_state["scenarios"][0]["scenario"].aht == 545.0
        assert at.number_input(key="aht_0").value == 545.0


def test_a_scenario_file_with_out_of_range_values_is_refused_at_the_door():
    at = run_app("app_pages/scenarios.py")
    n = len(at.session_state["scenarios"])
    at.file_uploader(key="scenario_upload").set_value(("big.toml", b"aht = 1000000.0\n", "application/toml")).run()
    assert not at.exception
    errors = [plain(e.value) for e in at.error]
    assert any("big.toml" in e and "1,000,000" in e for e in errors), errors
    assert len(at.session_state["scenarios"]) == n
    assert not any("/tmp" in e or "site-packages" in e for e in errors)  # never a server path


def test_add_starts_from_the_baseline_defaults_not_from_the_edited_first_scenario():
    at = run_app("app_pages/scenarios.py")
    at.number_input(key="aht_0").set_value(900.0).run()
    at.button(key="add_scenario").click().run()
    assert not at.exception
    added = at.session_state["scenarios"][-1]
    assert added["scenario"].aht == state.default_scenarios()[0].aht == 545.0
    uid = added["uid"]
    assert at.number_input(key=f"aht_{uid}").value == 545.0


def test_six_scenarios_each_label_naming_its_scenario():
    at = run_app("app_pages/scenarios.py")
    for _ in range(3):
        at.button(key="add_scenario").click().run()
    assert len(at.session_state["scenarios"]) == 6
    assert at.button(key="add_scenario").disabled
    names = [state.display_name(e) for e in at.session_state["scenarios"]]
    for e in at.session_state["scenarios"]:
        label = at.number_input(key=f"aht_{e['uid']}").label
        assert label.split(" — ")[1].replace("\\", "") in [n for n in names], label


def test_compare_offers_the_comparison_as_excel_and_csv():
    at = run_app()
    keys = [b.key for b in at.get("download_button")]
    assert "dl_compare_xlsx" in keys and "dl_compare_csv" in keys
    # the bytes behind the buttons: every scenario's assumptions side by side
    results, _ = {}, None
    import openpyxl

    from app_pages import state as st_state

    spec = _spec_of(at)
    runs = tuple((e["scenario"].name, e["scenario"], _plan_of(at, e)) for e in at.session_state["scenarios"])
    files = {kind: st_state.comparison_file(spec, None, runs, "fr", kind) for kind in ("xlsx", "csv")}
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert len(book.sheetnames) >= 3
    last = book[book.sheetnames[-1]]
    header = [c.value for c in last[1]]
    names = [e["scenario"].name for e in at.session_state["scenarios"]]
    assert all(n in header or f"'{n}" in header for n in names), header  # "+25%..." kept as text
    with zipfile.ZipFile(io.BytesIO(files["csv"])) as zf:
        assert any(n.endswith(".csv") for n in zf.namelist())
    assert results == {}


def test_compare_says_when_an_erlang_sized_scenario_misses_in_simulation_and_which_figure_to_trust():
    at = run_app()
    warnings = [plain(w.value).replace("**", "") for w in at.warning]
    current = [w for w in warnings if w.startswith("Current staffing: Sized by Erlang A")]
    assert len(current) == 1, warnings  # the ready baseline, sized by Erlang A, misses on the bundled week
    assert "below its 80% target" in current[0] and "Trust the simulation" in current[0]
    assert not any(w.startswith("+25% agents") for w in warnings)  # relative plans are not a quick estimate's


def test_shown_tables_have_no_none_cells_on_any_page():
    at = run_app()
    for page in ("app_pages/compare.py", "app_pages/scenarios.py", "app_pages/demand.py", "app_pages/staffing.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        for table in [*at.table, *at.dataframe]:
            frame = table.value
            frame = frame.data if hasattr(frame, "data") else frame
            cells = [str(v) for v in frame.to_numpy().ravel()] + [str(c) for c in frame.columns]
            assert not [c for c in cells if c in ("None", "nan", "NaN", "NaT", "<NA>")], (page, frame.head())


def test_own_call_records_calibrate_and_become_the_demand_with_a_calibrated_scenario():
    """Issue 14 on the app: the fit report is shown, and "use" puts the log's demand under every
    scenario and adds a scenario with the calibrated policy and a table staffing rule."""
    log = (Path(__file__).resolve().parent.parent / "examples" / "call_log_2024-11-13.csv").read_bytes()
    at = run_app("app_pages/demand.py")
    at.file_uploader(key="records_upload").set_value(("my_log.csv", log, "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Kaplan-Meier" in plain(c.value) for c in at.caption)
    at.button(key="records_use").click().run()
    assert not at.exception
    added = at.session_state["scenarios"][-1]
    assert added["scenario"].name == "Calibrated" and "table" in added["staffing"]
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.message for e in at.exception]
    d = state.demand(at.session_state["cfg"] and state.DemandSpec(
        "my_log.csv", state._digest(log), 7, "auto", "CA", ("none",), "auto", ("profile", ""), "records",
        at.session_state["records_in_use"][2]), log)
    assert len(d) == 48 and d.aht_s is not None  # the log's own day, with handle time per interval
    assert "Calibrated" in list(at.table[0].value.columns)
    decoded = state.decode_state(at.query_params["s"])
    assert decoded["data"] == "records:my_log.csv"  # the link asks for the file again, never carries it


def _capacity_forecast(weeks: int = 6) -> bytes:
    """A daily forecast of two queues named by a 'group' column, as 'queuecast forecast' writes one per group."""
    days = pd.date_range("2025-01-06", periods=7 * weeks, freq="D")
    rows = [{"ds": d.date().isoformat(), "group": g, "yhat": level * (1.0 + 0.05 * (d - days[0]).days / 7),
             "yhat_lo_80": 0.9 * level, "yhat_hi_80": 1.3 * level}
            for g, level in (("english", 900.0), ("french", 300.0)) for d in days]
    return pd.DataFrame(rows).to_csv(index=False).encode()


def test_capacity_plans_an_uploaded_forecast_per_group_with_one_what_if_at_first():
    at = run_app()
    at.session_state["cap_source"] = "upload"  # straight to the upload (the bundled surge is planned elsewhere)
    at.switch_page("app_pages/capacity.py").run()
    at.file_uploader(key="cap_upload").set_value(("prevision.csv", _capacity_forecast(), "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    # the 'group' column names the two queues (read by forecast.read_history): one chart each
    titles = " ".join(plain(x.value) for x in [*at.markdown, *at.caption])
    assert "english" in titles and "french" in titles
    # the first load plans the base and the surge only; the caption says more can be picked
    assert at.multiselect(key="cap_w_pick").value == ["Surge +20%"]
    assert list(at.table[-1].value.columns) == ["Plan", "Surge +20%"]
    assert simulate.i18n.text("cap.whatif_pick_caption", "en") in [c.value for c in at.caption]


# ----------------------------------------------------------------------------- both official languages (issue 15)
def weekday_calls(days: int = 14, series: tuple[str, ...] = ("English", "French"), french: float = 0.3) -> bytes:
    """Monday-Friday 08:00-20:00 30-minute calls (UTC offsets -05:00) ending on a Thursday, so that a
    one-day horizon is an open Friday. With two series, English and French: ``french`` of the calls
    in French in the morning, a third of it in the afternoon (a share that changes through the day)."""
    rng = np.random.default_rng(7)
    rows = []
    for day in pd.bdate_range("2025-01-06", periods=days):
        for k in range(24):  # 08:00 .. 19:30
            stamp = (day + pd.Timedelta(hours=8, minutes=30 * k)).strftime("%Y-%m-%d %H:%M:%S") + "-05:00"
            shape = 40 + 30 * np.sin(np.pi * k / 24)
            share = french if k < 12 else french / 3
            if len(series) == 2:
                rows += [f"{series[0]},{stamp},{rng.poisson(shape * (1 - share))}",
                         f"{series[1]},{stamp},{rng.poisson(shape * share)}"]
            else:
                rows.append(f"{series[0]},{stamp},{rng.poisson(shape)}")
    return ("series,ds,y\n" + "\n".join(rows) + "\n").encode()


def _one_day_upload(data: bytes) -> AppTest:
    at = run_app("app_pages/demand.py")
    at.file_uploader(key="history_upload").set_value(("calls.csv", data, "text/csv")).run()
    at.number_input(key="horizon_days").set_value(1).run()  # after the upload: the bundled data is not re-forecast
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _rows(table) -> dict[str, list[str]]:
    """A shown table as {first cell: the other cells}."""
    return {str(r[0]): [str(v) for v in r[1:]] for r in table.value.itertuples(index=False)}


def test_a_history_per_language_splits_the_calls_by_interval_and_every_page_shows_each_language():
    """Issue 15 in the app: a history with English and French series gives the French share interval
    by interval (Demand); the bilingual scenario is simulated on that split and shows each
    language's service (Scenarios, Compare with the equal-service sentence) and its staffing per
    agent group, the per-group CSV and the bilingual-agents answer (Staffing & export)."""
    data = weekday_calls()
    at = _one_day_upload(data)
    assert "french_share_pct" not in [n.key for n in at.number_input]  # the history says it, by interval
    spec = _spec_of(at)
    share = state.language_share(spec, data)
    d = state.demand(spec, data)
    open_ = d.calls > 0
    morning, afternoon = open_ & (d.ds.hour < 14), open_ & (d.ds.hour >= 14)
    assert 0.2 < share[morning].mean() < 0.4 and 0.03 < share[afternoon].mean() < 0.17
    assert any("French-speaking" in plain(c.value) for c in at.caption)

    at.switch_page("app_pages/scenarios.py").run()
    at.button(key="add_bilingual").click().run()
    assert not at.exception, [e.message for e in at.exception]
    added = at.session_state["scenarios"][-1]
    assert added["scenario"].group_names == ("en", "fr", "bilingual") and added["staffing"] == {"sized": "erlang_a"}
    split = state.demand_for(spec, data, added["scenario"])  # what it is simulated on: the history's split
    french = list(split.types).index("French")
    assert np.allclose(split.type_calls[open_, french] / split.calls[open_], share[open_])
    kpis = _rows(at.table[0])
    assert kpis["Service level, French-speaking callers"][:3] == ["–"] * 3  # one-line scenarios: no languages
    assert kpis["Service level, French-speaking callers"][3].endswith("%")

    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.message for e in at.exception]
    sentences = [plain(x.value) for x in [*at.success, *at.warning] if "answered in time" in x.value]
    assert len(sentences) == 1 and "English-speaking callers" in sentences[0] and "French-speaking" in sentences[0]
    by_language = next(_rows(tb) for tb in at.table if "Service level, French-speaking callers" in _rows(tb))
    assert len(by_language) == 6  # service level, average wait and hang-ups, in each language
    assert any("Agent occupancy: Bilingual agents" in _rows(tb) for tb in at.table)

    at.session_state["staff_scenario"] = added["uid"]
    at.switch_page("app_pages/staffing.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert {"dl_group_plan", "dl_group_excel"} <= {b.key for b in at.get("download_button")}
    frame = pd.read_csv(io.BytesIO(state.group_downloads(spec, data, added["scenario"], simulate.StaffingPlan.sized(
        "erlang_a"), "en")["plan"]))
    assert list(frame.columns) == ["ds", "group", "agents"] and set(frame["group"]) == {"en", "fr", "bilingual"}
    assert len(frame) == 3 * len(d) and frame["agents"].sum() > 0
    # "How many bilingual agents?": one hour of the day, sized both ways by simulation
    at.selectbox(key="pools_hours").set_value(1).run()
    at.button(key="pools_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    pools = next(tb for tb in at.table if "Saving against separate pools" in _rows(tb))
    assert list(pools.value.columns)[1:] == ["Separate pools", "With bilingual agents"]
    assert any("With bilingual agents, this window costs" in plain(m.value) for m in at.markdown)


def test_the_planners_french_share_and_agent_groups_are_edited_on_the_pages_and_kept_in_the_link():
    """Without a series per language the Demand page's share of French callers applies; on Scenarios
    a scenario is answered in both languages, staffed group by group, with the bilingual agents'
    order, overflow wait and cost; all of it travels in the link, and turning languages off gives
    back one team."""
    at = _one_day_upload(weekday_calls(series=("calls",)))
    at.number_input(key="french_share_pct").set_value(35.0).run()
    assert at.session_state["cfg"]["french_share"] == pytest.approx(0.35)

    at.switch_page("app_pages/scenarios.py").run()
    at.checkbox(key="bil_0").check().run()
    assert not at.exception, [e.message for e in at.exception]
    sc = at.session_state["scenarios"][0]["scenario"]
    assert sc.group_names == ("en", "fr", "bilingual")
    assert {t.name: t.share for t in sc.call_types} == pytest.approx({"English": 0.65, "French": 0.35})
    assert sc.name == "Current staffing"  # the same scenario, now in both languages
    assert "Service level, French-speaking callers" in _rows(at.table[0])

    at.selectbox(key="stkind_0").set_value("groups").run()
    at.text_input(key="stgroup_en_0").input("12")  # the three groups' rules, then one run
    at.text_input(key="stgroup_fr_0").input("4")
    at.text_input(key="stgroup_bilingual_0").input("Mon-Fri 08:00-20:00=3").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error]
    rule = at.session_state["scenarios"][0]["staffing"]
    assert rule == {"groups": {"en": {"agents": 12}, "fr": {"agents": 4},
                               "bilingual": {"pattern": {"Mon-Fri 08:00-20:00": 3}}}}
    peaks = [m.value for m in at.caption if "English-only agents" in m.value]
    assert peaks, "the staffing row shows each group's agent-hours"
    at.selectbox(key="bilpick_0").set_value("en_first")
    at.number_input(key="bilover_0").set_value(60.0)
    at.number_input(key="gcost_bilingual_0").set_value(45.0).run()
    assert not at.exception, [e.message for e in at.exception]
    sc = at.session_state["scenarios"][0]["scenario"]
    assert sc.pick == "priority" and {t.name: t.priority for t in sc.call_types} == {"English": 0, "French": 1}
    assert sc.overflow_after == 60.0
    assert {g.name: g.hourly_cost for g in sc.agent_groups}["bilingual"] == 45.0

    decoded = state.decode_state(at.query_params["s"])  # the link carries the groups and the share
    assert decoded["cfg"]["french_share"] == pytest.approx(0.35)
    linked = decoded["scenarios"][0]
    assert linked["staffing"] == rule
    assert linked["scenario"].agent_groups == sc.agent_groups and linked["scenario"].overflow_after == 60.0

    at.switch_page("app_pages/demand.py").run()
    at.number_input(key="french_share_pct").set_value(10.0).run()
    sc = at.session_state["scenarios"][0]["scenario"]
    assert {t.name: t.share for t in sc.call_types}["French"] == pytest.approx(0.10)

    at.switch_page("app_pages/scenarios.py").run()
    at.checkbox(key="bil_0").uncheck().run()
    assert not at.exception, [e.message for e in at.exception]
    e = at.session_state["scenarios"][0]
    assert not e["scenario"].agent_groups and not e["scenario"].call_types
    assert e["staffing"] == {"sized": "erlang_a"}  # a rule per group cannot staff one team
    assert "Service level, French-speaking callers" not in _rows(at.table[0])
