"""Specifications of simulate.export: tables, Excel and CSV (bytes and files), formula escaping, dispatch.

The French exports are specified in test_export_french.py, the HTML report and its chart in
test_export_report.py.
"""
from __future__ import annotations

import csv
import dataclasses
import importlib.metadata
import io
import re
import types
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

import forecast
import simulate
from simulate import export

HOSTILE_NAME = '=HYPERLINK("http://x")'
HOSTILE_TYPE = "@SUM(1)"


def arrivals() -> pd.DataFrame:
    ds = pd.date_range("2022-06-06 08:00", periods=4, freq="30min")
    return pd.DataFrame({"ds": ds, "calls": [20.0, 40.0, 40.0, 20.0]})


def staffing() -> pd.DataFrame:
    return pd.DataFrame({"ds": arrivals()["ds"], "agents": [5, 8, 8, 5]})


def scenario(name: str = "baseline", **changes) -> simulate.Scenario:
    base = dict(name=name, aht=300.0, patience=120.0, shrinkage=0.3, hourly_cost=30.0,
                call_types=(simulate.CallType(name=HOSTILE_TYPE, share=0.5),
                            simulate.CallType(name="status", share=0.5, priority=1)))
    base.update(changes)
    return simulate.Scenario(**base)


@pytest.fixture(scope="module")
def result() -> simulate.SimulationResult:
    return simulate.run(arrivals(), scenario(HOSTILE_NAME), staffing(), replications=3, seed=1)


@pytest.fixture(scope="module")
def other_result() -> simulate.SimulationResult:
    more = staffing().assign(agents=[7, 10, 10, 7])
    return simulate.run(arrivals(), scenario("more agents"), more, replications=3, seed=1)


@pytest.fixture(scope="module")
def plan() -> simulate.StaffingRecommendation:
    return simulate.staff(arrivals(), scenario(HOSTILE_NAME), method="erlang_a", verify=False)


@pytest.fixture(scope="module")
def plan_with_schedule(plan) -> simulate.StaffingRecommendation:
    return plan.with_schedule(simulate.schedule(plan.requirements, shift_lengths=("2h",)))


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def all_cells(wb: openpyxl.Workbook):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def column(ws, name: str) -> list:
    k = header(ws).index(name)
    return [row[k] for row in ws.iter_rows(min_row=2, values_only=True)]


def rows_by_first_cell(ws, value_column: int = 2) -> dict:
    return {row[0]: row[value_column] for row in ws.iter_rows(min_row=2, values_only=True)}


# ------------------------------------------------------------------------------ the one rule of text cells


def test_escaping_is_the_one_rule_of_forecast_writers():
    assert export.escape_cell is forecast.writers.escape_cell
    assert export.escape_cell(HOSTILE_NAME) == "'" + HOSTILE_NAME and export.escape_cell(-2.5) == -2.5


@pytest.mark.parametrize("kind", ["result", "plan", "comparison"])
def test_formula_like_names_are_escaped_in_excel_csv_and_report(kind, result, other_result, plan_with_schedule):
    obj = {"result": result, "plan": plan_with_schedule,
           "comparison": {HOSTILE_NAME: result, "more": other_result}}[kind]
    for language in ("en", "fr"):
        wb = workbook(export.excel_bytes(obj, language=language))
        cells = list(all_cells(wb))
        assert all(c.data_type != "f" for c in cells)
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert any(t.startswith("'" + HOSTILE_NAME) for t in texts)
        assert any(t.startswith("'" + HOSTILE_TYPE) or ("'" + HOSTILE_TYPE) in t for t in texts) or kind == "comparison"
        assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
        cells = [cell for data in export.csv_files(obj, language=language).values()
                 for row in csv.reader(io.StringIO(data.decode("utf-8-sig")),
                                       delimiter=";" if language == "fr" else ",")
                 for cell in row]
        for cell in cells:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                float(cell.replace(",", "."))  # only numbers (negative ones) may start like a formula
        assert any(cell.startswith("'" + HOSTILE_NAME) for cell in cells)
    if kind != "comparison":
        page = export.report_html(obj).decode("utf-8")
        assert HOSTILE_NAME not in page and "=HYPERLINK(&quot;http://x&quot;)" in page


def test_negative_numbers_stay_numbers(tmp_path):
    rec = simulate.staff(arrivals(), scenario("c"), method="erlang_c", verify=False)
    gaps = rec.comparison["gap_agent_hours"]
    assert (gaps < 0).any()  # Erlang A asks for fewer agent-hours than the Erlang C plan
    ws = workbook(export.excel_bytes(rec))["Methods"]
    lows = [c for c in all_cells(ws.parent) if isinstance(c.value, (int, float)) and c.value < 0]
    assert len(lows) >= int((gaps < 0).sum()) and all(c.data_type == "n" for c in lows)
    methods = export.csv_files(rec, stem="p")["p_methods.csv"].decode()
    assert re.search(r"(^|,)-\d", methods)  # written as a number, not as escaped text


# ------------------------------------------------------------------------------ Excel


def test_excel_of_a_result_has_the_sheets_with_bold_frozen_headers_and_units(result):
    wb = workbook(export.excel_bytes(result))
    assert wb.sheetnames == ["Summary", "Intervals", "Assumptions"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1])
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])
    cols = header(wb["Intervals"])
    assert "ASA (s)" in cols and "Service level (%)" in cols and "Interval start" in cols
    assert "Service level, 95% CI low (%)" in cols
    summary = wb["Summary"]
    labels = column(summary, "Metric")
    assert len(labels) == len(result.summary) and "Service level" in labels and "ASA" in labels
    assert header(summary)[:5] == ["Metric", "Unit", "Mean", "95% CI low", "95% CI high"]


def test_excel_numbers_are_numbers_with_formats_by_kind(result):
    wb = workbook(export.excel_bytes(result))
    ws = wb["Intervals"]
    cols = header(ws)
    cell = {name: ws.cell(row=2, column=cols.index(name) + 1) for name in
            ("Interval start", "Service level (%)", "ASA (s)", "Agents on the phones")}
    assert cell["Interval start"].number_format == "yyyy-mm-dd hh:mm" and cell["Interval start"].is_date
    assert cell["Service level (%)"].number_format == "0.0%" and cell["Service level (%)"].data_type == "n"
    assert cell["ASA (s)"].number_format == "#,##0.0"
    assert cell["Agents on the phones"].number_format == "#,##0" and cell["Agents on the phones"].value == 5
    summary = wb["Summary"]
    row = column(summary, "Metric").index("Service level") + 2
    assert summary.cell(row=row, column=3).number_format == "0.0%"
    assert summary.cell(row=row, column=3).value == pytest.approx(result["service_level"])
    asa = column(summary, "Metric").index("ASA") + 2
    assert summary.cell(row=asa, column=3).number_format == "#,##0.0"  # formats vary by row in a summary


def test_excel_assumptions_list_every_scenario_field_with_its_unit_and_the_tool_version(result):
    ws = workbook(export.excel_bytes(result))["Assumptions"]
    assert header(ws) == ["Parameter", "Unit", "Value", "Description"]
    rows = {r[0]: (r[1], r[2]) for r in ws.iter_rows(min_row=2, values_only=True)}
    for f in dataclasses.fields(simulate.Scenario):
        assert f.name in rows, f.name
    assert rows["aht"] == ("s", 300.0) and rows["patience"] == ("s", 120.0)
    assert rows["shrinkage"][0] == "%" and rows["shrinkage"][1] == pytest.approx(0.3)
    assert rows["paid_hours_per_week"][0] == "h" and rows["aht_dist"][1] == "exponential"
    assert rows["tool_version"][1] == importlib.metadata.version("queuecast")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows["created"][1])
    assert rows["engine"][1] in ("compiled engine (fast)", "SimPy engine (reference)")
    assert rows["seed"][1] == 1 and rows["replications"][1] == 3
    assert rows["call_types"][1].startswith("'@SUM(1): share 50%, handle time as the scenario")


def test_excel_of_a_comparison_puts_one_assumption_column_per_scenario(result, other_result):
    wb = workbook(export.excel_bytes({"base": result, "more": other_result}))
    assert wb.sheetnames == ["Summary", "Intervals", "Assumptions"]
    assert header(wb["Assumptions"]) == ["Parameter", "Unit", "base", "more", "Description"]
    assert {"base", "more", "base, 95% CI low", "more, 95% CI high", "Best scenario"} <= set(header(wb["Summary"]))
    intervals = wb["Intervals"]
    assert header(intervals)[0] == "Scenario" and intervals.max_row == 1 + 2 * len(result.intervals)
    assert rows_by_first_cell(wb["Assumptions"])["name"] == "base"  # the name it is compared under


def test_excel_of_a_plan_shows_its_schedule_or_else_its_requirements(plan, plan_with_schedule):
    bare = workbook(export.excel_bytes(plan))
    assert bare.sheetnames[:3] == ["Summary", "Intervals", "Schedule"] and "Assumptions" in bare.sheetnames
    assert header(bare["Schedule"]) == header(bare["Intervals"])
    assert "Agents required (fractional)" in header(bare["Intervals"])
    full = workbook(export.excel_bytes(plan_with_schedule))
    assert {"Summary", "Intervals", "Schedule", "Coverage", "Methods", "Assumptions"} <= set(full.sheetnames)
    shifts = full["Schedule"]
    assert header(shifts)[:4] == ["Shift start", "Shift end", "Shift length (h)", "Paid hours per person (h)"]
    assert sum(column(shifts, "People")) == plan_with_schedule.schedule.headcount
    assert rows_by_first_cell(full["Assumptions"])["method"] == "Erlang A"
    summary = rows_by_first_cell(full["Summary"])
    assert summary["Staffing method"] == "Erlang A" and summary["Simulated result"].startswith("This plan was not")


def test_a_simulation_plan_exports_its_verification_and_risk():
    sc = scenario("sim", call_types=())
    rec = simulate.staff(arrivals(), sc, method="simulation", replications=2, engine="fast")
    forecast_frame = arrivals().rename(columns={"calls": "yhat"}).assign(yhat_lo_80=lambda d: d["yhat"] * 0.8,
                                                                         yhat_hi_80=lambda d: d["yhat"] * 1.2)
    risk = simulate.risk_of_missing(forecast_frame, sc, rec.plan, draws=3, seed=0, engine="fast")
    rec = dataclasses.replace(rec, risk=risk)
    wb = workbook(export.excel_bytes(rec))
    assert "Risk" in wb.sheetnames and "Chance of missing the target (%)" in header(wb["Risk"])
    assert wb["Risk"].cell(row=2, column=1).number_format == "yyyy-mm-dd"  # a day, not a time
    cols = header(wb["Intervals"])
    assert "Simulated service level (%)" in cols and "Simulated service level, 95% CI low (%)" in cols
    rows = rows_by_first_cell(wb["Assumptions"])
    assert rows["method"] == "simulation" and rows["engine"] == "compiled engine (fast)"
    assert rows["replications"] == rec.simulation.replications
    summary = rows_by_first_cell(wb["Summary"])
    assert {"Converged", "Iterations", "Simulation engine"} <= set(summary)  # the search's facts, in words
    assert all(simulate.i18n.has(f"export.{key}") for key in rec.summary)


# ------------------------------------------------------------------------------ CSV


def test_csv_writes_the_main_table_and_the_others_beside_it(result, tmp_path):
    written = export.to_csv(result, tmp_path / "run.csv")
    assert sorted(p.name for p in written) == ["run.csv", "run_assumptions.csv", "run_summary.csv"]
    main = pd.read_csv(tmp_path / "run.csv")
    assert len(main) == len(result.intervals)
    np.testing.assert_allclose(main["Service level (%)"], result.intervals["service_level"] * 100)  # shares x 100
    np.testing.assert_allclose(main["ASA (s)"], result.intervals["asa_s"])
    assert main["Interval start"].iloc[0] == "2022-06-06 08:00"
    assumptions = pd.read_csv(tmp_path / "run_assumptions.csv")
    params = dict(zip(assumptions["Parameter"], assumptions["Value"]))
    assert params["tool_version"] == importlib.metadata.version("queuecast")
    assert {f.name for f in dataclasses.fields(simulate.Scenario)} <= set(params)


def test_csv_bytes_are_a_zip_of_the_same_files(plan_with_schedule, tmp_path):
    data = export.csv_bytes(plan_with_schedule, stem="plan")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    written = export.to_csv(plan_with_schedule, tmp_path / "plan.csv")
    assert sorted(members) == sorted(p.name for p in written)
    assert {"plan.csv", "plan_summary.csv", "plan_schedule.csv", "plan_coverage.csv", "plan_methods.csv",
            "plan_assumptions.csv"} == set(members)
    assert members["plan.csv"] == (tmp_path / "plan.csv").read_bytes()


def test_a_plan_without_schedule_does_not_repeat_its_requirements_in_csv(plan):
    assert "q_schedule.csv" not in export.csv_files(plan, stem="q")


def test_schedule_exports_shifts_coverage_and_settings(tmp_path):
    req = pd.DataFrame({"ds": pd.date_range("2022-06-06 08:00", periods=8, freq="1h"), "agents": 2.5})
    sched = simulate.schedule(req, shift_lengths=("8h",), start_every="1h", breaks=None)
    written = export.to_csv(sched, tmp_path / "s.csv")
    assert sorted(p.name for p in written) == ["s.csv", "s_assumptions.csv", "s_coverage.csv", "s_summary.csv"]
    assert pd.read_csv(tmp_path / "s.csv")["People"].sum() == 3
    wb = workbook(export.excel_bytes(sched))
    assert wb.sheetnames == ["Summary", "Schedule", "Intervals", "Assumptions"]
    params = set(column(wb["Assumptions"], "Parameter"))
    assert {"shift_lengths_h", "start_every_min", "breaks", "tool_version"} <= params
    assert rows_by_first_cell(wb["Summary"])["Solver status"] == "optimal"


def test_time_zone_aware_intervals_are_written_as_local_time_with_the_zone_in_the_header():
    req = pd.DataFrame({"ds": pd.date_range("2022-06-06 08:00", periods=4, freq="1h", tz="America/Toronto"),
                        "agents": 2.0})
    sched = simulate.schedule(req, shift_lengths=("4h",), start_every="1h", breaks=None)
    ws = workbook(export.excel_bytes(sched))["Schedule"]
    assert header(ws)[0] == "Shift start (America/Toronto)"
    assert ws.cell(row=2, column=1).value == pd.Timestamp("2022-06-06 08:00").to_pydatetime()
    shifts = export.csv_files(sched, stem="s")["s.csv"].decode()
    assert shifts.splitlines()[1].startswith("2022-06-06 08:00,")


# ------------------------------------------------------------------------------ files: whole or nothing


def test_files_are_never_overwritten_without_force_nor_written_over_an_input(result, tmp_path):
    target = tmp_path / "run.xlsx"
    export.to_excel(result, target)
    before = target.read_bytes()
    with pytest.raises(forecast.OutputError, match="already exists"):
        export.to_excel(result, target)
    assert target.read_bytes() == before
    assert export.to_excel(result, target, force=True) == target
    history = tmp_path / "history.csv"
    history.write_text("ds,y\n2022-06-06 08:00,1\n")
    with pytest.raises(forecast.OutputError, match="input"):
        export.to_csv(result, history, inputs=[history], force=True)
    assert history.read_text() == "ds,y\n2022-06-06 08:00,1\n"
    (tmp_path / "run_summary.csv").write_text("mine")  # a sibling the user never named
    with pytest.raises(forecast.OutputError, match="run_summary.csv"):
        export.to_csv(result, tmp_path / "run.csv")
    assert not (tmp_path / "run.csv").exists() and (tmp_path / "run_summary.csv").read_text() == "mine"
    report = export.to_report(result, tmp_path / "r.html")
    with pytest.raises(forecast.OutputError):
        export.to_report(result, report)


# ------------------------------------------------------------------------------ what can be exported


def test_objects_are_recognised_by_type_not_by_their_attributes(result):
    look_alike = types.SimpleNamespace(summary=result.summary, intervals=result.intervals,
                                       per_replication=result.per_replication, scenario=result.scenario)
    for obj in (look_alike, pd.DataFrame(), {"a": pd.DataFrame()}, {}):
        with pytest.raises(ValueError, match="expected a SimulationResult"):
            export.excel_bytes(obj)
    with pytest.raises(ValueError, match="expected a StaffingRecommendation or a SimulationResult"):
        export.report_html(look_alike)
    with pytest.raises(ValueError, match="language"):
        export.excel_bytes(result, language="de")


def test_cli_schedule_writes_csv_or_xlsx_and_reports_a_short_schedule(tmp_path, capsys):
    import queuecast_cli

    req = pd.DataFrame({"ds": pd.date_range("2022-06-06 08:00", periods=16, freq="30min"), "scheduled": 4.2})
    req.to_csv(tmp_path / "req.csv", index=False)
    assert queuecast_cli.main(["schedule", str(tmp_path / "req.csv"), "--out", str(tmp_path / "s.csv"),
                               "--shift-lengths", "8h,4h", "--start-every", "30min"]) == 0
    assert pd.read_csv(tmp_path / "s.csv")["People"].sum() >= 5
    assert (tmp_path / "s_coverage.csv").exists() and (tmp_path / "s_assumptions.csv").exists()
    assert queuecast_cli.main(["schedule", str(tmp_path / "req.csv"), "--out", str(tmp_path / "s.xlsx"),
                               "--max-headcount", "2"]) == 0
    captured = capsys.readouterr()
    assert "impossible" in captured.out and "short" in captured.err
    assert openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames[0] == "Summary"
    assert queuecast_cli.main(["schedule", str(tmp_path / "req.csv"), "--out", str(tmp_path / "s.txt")]) == 2
