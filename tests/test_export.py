"""Specifications of simulate.export: Excel, CSV and the printable HTML report."""
from __future__ import annotations

import csv
import dataclasses
import importlib.metadata
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

import simulate
from simulate import export

HOSTILE_NAME = '=HYPERLINK("http://x")'
HOSTILE_TYPE = "@SUM(1)"


def arrivals() -> pd.DataFrame:
    ds = pd.date_range("2022-06-06 08:00", periods=4, freq="30min")
    return pd.DataFrame({"ds": ds, "calls": [20.0, 40.0, 40.0, 20.0]})


def staffing(agents=(5, 8, 8, 5)) -> pd.DataFrame:
    """A staffing table by timestamp for :func:`arrivals`."""
    return pd.DataFrame({"ds": arrivals()["ds"], "agents": list(agents)})


def scenario(name: str = "baseline", **changes) -> simulate.Scenario:
    base = dict(name=name, aht=300.0, patience=120.0, shrinkage=0.3, hourly_cost=30.0,
                call_types=(simulate.CallType(name=HOSTILE_TYPE, share=0.5),
                            simulate.CallType(name="status", share=0.5, priority=1)))
    base.update(changes)
    return simulate.Scenario(**base)


@pytest.fixture(scope="module")
def result() -> simulate.SimulationResult:
    return simulate.run(arrivals(), scenario(HOSTILE_NAME), staffing(), replications=3, seed=1, engine="simpy")


@pytest.fixture(scope="module")
def other_result() -> simulate.SimulationResult:
    return simulate.run(arrivals(), scenario("more agents"), staffing((7, 10, 10, 7)), replications=3, seed=1,
                        engine="simpy")


@pytest.fixture(scope="module")
def plan() -> simulate.StaffingRecommendation:
    return simulate.staff(arrivals(), scenario(HOSTILE_NAME), method="erlang_a")


@pytest.fixture(scope="module")
def plan_with_schedule(plan) -> simulate.StaffingRecommendation:
    return dataclasses.replace(plan, schedule=simulate.schedule(plan.requirements, shift_lengths=("2h",)))


def all_cells(wb: openpyxl.Workbook):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def header(ws) -> list[str]:
    return [c.value for c in ws[1]]


# ------------------------------------------------------------------------------ escape_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(1)", "\tx", "\rx", HOSTILE_NAME])
def test_escape_cell_quotes_text_that_a_spreadsheet_would_run(text):
    assert export.escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "", "a=b", -1, -2.5, 0, 3.0, None, pd.Timestamp("2022-06-06")])
def test_escape_cell_leaves_numbers_and_harmless_text_alone(value):
    assert export.escape_cell(value) is value


# ------------------------------------------------------------------------------ Excel


def test_excel_of_a_result_has_the_sheets_with_bold_frozen_headers_and_units(result, tmp_path):
    path = export.to_excel(result, tmp_path / "result.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Intervals", "Assumptions"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1])
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])
    cols = header(wb["Intervals"])
    assert "ASA (s)" in cols and "Service level (%)" in cols and "Interval start" in cols
    assert "Service level, 95% CI low (%)" in cols
    # the Summary lists every metric of the result with its unit and definition
    summary = wb["Summary"]
    labels = [summary.cell(row=r, column=1).value for r in range(2, summary.max_row + 1)]
    assert len(labels) == len(result.summary) and "Service level" in labels and "ASA" in labels
    assert header(summary)[:5] == ["Metric", "Unit", "Mean", "95% CI low", "95% CI high"]


def test_excel_number_formats_show_rates_as_percent_seconds_with_one_decimal_and_dates(result, tmp_path):
    wb = openpyxl.load_workbook(export.to_excel(result, tmp_path / "result.xlsx"))
    ws = wb["Intervals"]
    cols = header(ws)
    fmt = {name: ws.cell(row=2, column=cols.index(name) + 1) for name in
           ("Interval start", "Service level (%)", "ASA (s)", "Agents on the phones")}
    assert fmt["Interval start"].number_format == "yyyy-mm-dd hh:mm" and fmt["Interval start"].is_date
    assert fmt["Service level (%)"].number_format == "0.0%"
    assert fmt["ASA (s)"].number_format == "0.0"
    assert fmt["Agents on the phones"].number_format == "#,##0" and fmt["Agents on the phones"].value == 5
    summary = wb["Summary"]
    row = [summary.cell(row=r, column=1).value for r in range(1, summary.max_row + 1)].index("Service level") + 1
    assert summary.cell(row=row, column=3).number_format == "0.0%"
    assert summary.cell(row=row, column=3).value == pytest.approx(result["service_level"])


def test_excel_assumptions_list_every_scenario_field_with_its_unit_and_the_tool_version(result, tmp_path):
    wb = openpyxl.load_workbook(export.to_excel(result, tmp_path / "result.xlsx"))
    ws = wb["Assumptions"]
    assert header(ws) == ["Parameter", "Unit", "Value", "Description"]
    rows = {ws.cell(row=r, column=1).value: (ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value)
            for r in range(2, ws.max_row + 1)}
    for f in dataclasses.fields(simulate.Scenario):
        assert f.name in rows, f.name
    assert rows["aht"] == ("s", 300.0)
    assert rows["patience"] == ("s", 120.0)
    assert rows["shrinkage"][0] == "%" and rows["shrinkage"][1] == pytest.approx(0.3)
    assert rows["paid_hours_per_week"][0] == "h"
    assert rows["tool_version"][1] == importlib.metadata.version("queuecast")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows["created"][1])
    assert rows["engine"][1] == "simpy" and rows["seed"][1] == 1 and rows["replications"][1] == 3


def test_excel_of_a_comparison_puts_one_assumption_column_per_scenario(result, other_result, tmp_path):
    wb = openpyxl.load_workbook(export.to_excel({"base": result, "more": other_result}, tmp_path / "cmp.xlsx"))
    assert wb.sheetnames == ["Summary", "Intervals", "Assumptions"]
    assert header(wb["Assumptions"]) == ["Parameter", "Unit", "base", "more", "Description"]
    cols = header(wb["Summary"])
    assert {"base", "more", "base, 95% CI low", "more, 95% CI high", "Best scenario"} <= set(cols)
    intervals = wb["Intervals"]
    assert header(intervals)[0] == "scenario" and intervals.max_row == 1 + 2 * len(result.intervals)


def test_excel_of_a_plan_shows_its_schedule_or_else_its_requirements(plan, plan_with_schedule, tmp_path):
    bare = openpyxl.load_workbook(export.to_excel(plan, tmp_path / "plan.xlsx"))
    assert bare.sheetnames[:3] == ["Summary", "Intervals", "Schedule"] and "Assumptions" in bare.sheetnames
    assert header(bare["Schedule"]) == header(bare["Intervals"])
    assert "Agents required (fractional)" in header(bare["Intervals"])
    full = openpyxl.load_workbook(export.to_excel(plan_with_schedule, tmp_path / "plan_s.xlsx"))
    assert {"Summary", "Intervals", "Schedule", "Coverage", "Methods", "Assumptions"} <= set(full.sheetnames)
    shifts = full["Schedule"]
    assert header(shifts)[:4] == ["Shift start", "Shift end", "Shift length (h)", "Paid hours per person (h)"]
    people = sum(shifts.cell(row=r, column=header(shifts).index("People") + 1).value
                 for r in range(2, shifts.max_row + 1))
    assert people == plan_with_schedule.schedule.headcount
    rows = {full["Assumptions"].cell(row=r, column=1).value: full["Assumptions"].cell(row=r, column=3).value
            for r in range(2, full["Assumptions"].max_row + 1)}
    assert rows["method"] == "erlang_a"


def test_hostile_names_are_escaped_in_excel_and_no_cell_is_a_formula(result, plan_with_schedule, tmp_path):
    for i, obj in enumerate((result, plan_with_schedule, {HOSTILE_NAME: result})):
        wb = openpyxl.load_workbook(export.to_excel(obj, tmp_path / f"h{i}.xlsx"))
        cells = list(all_cells(wb))
        assert all(c.data_type != "f" for c in cells)
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert "'" + HOSTILE_NAME in texts
        assert any(t.startswith("'" + HOSTILE_TYPE) for t in texts)
        assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)


def test_interval_bounds_stay_numbers_in_excel_and_counts_never_go_below_zero(result, tmp_path):
    wb = openpyxl.load_workbook(export.to_excel(result, tmp_path / "result.xlsx"))
    numbers = [c for c in all_cells(wb) if isinstance(c.value, (int, float))]
    assert numbers and all(c.data_type == "n" for c in numbers)  # never text, never a formula
    lows = result.intervals[[c for c in result.intervals.columns if c.endswith("_lo")]]
    assert (lows.fillna(0.0) >= 0).all().all()  # 95% intervals of counts stay in their range (>= 0)
    assert not [c for c in numbers if c.value < 0]


# ------------------------------------------------------------------------------ CSV


def read_csv_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_csv_writes_the_main_table_and_summary_and_assumptions_beside_it(result, tmp_path):
    written = export.to_csv(result, tmp_path / "run.csv")
    assert sorted(p.name for p in written) == ["run.csv", "run_assumptions.csv", "run_summary.csv"]
    main = pd.read_csv(tmp_path / "run.csv")
    assert len(main) == len(result.intervals)
    # rates are written as percentages under a "(%)" header
    np.testing.assert_allclose(main["Service level (%)"], result.intervals["service_level"] * 100)
    np.testing.assert_allclose(main["ASA (s)"], result.intervals["asa_s"])
    assumptions = pd.read_csv(tmp_path / "run_assumptions.csv")
    params = dict(zip(assumptions["Parameter"], assumptions["Value"]))
    assert params["tool_version"] == importlib.metadata.version("queuecast")
    assert {f.name for f in dataclasses.fields(simulate.Scenario)} <= set(params)


def test_hostile_names_are_escaped_in_csv_while_numbers_stay_numbers(result, plan_with_schedule, tmp_path):
    for i, obj in enumerate((result, plan_with_schedule)):
        for path in export.to_csv(obj, tmp_path / f"h{i}.csv"):
            cells = [c for row in read_csv_rows(path) for c in row]
            for cell in cells:
                if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                    float(cell)  # only numbers (negative ones) may start like a formula
            if path.name.endswith("_assumptions.csv"):
                assert "'" + HOSTILE_NAME in cells
                assert any(c.startswith("'" + HOSTILE_TYPE) for c in cells)


def test_schedule_exports_shifts_coverage_and_settings(tmp_path):
    req = pd.DataFrame({"ds": pd.date_range("2022-06-06 08:00", periods=8, freq="1h"), "agents": 2.5})
    sched = simulate.schedule(req, shift_lengths=("8h",), start_every="1h", breaks=None)
    written = export.to_csv(sched, tmp_path / "s.csv")
    assert sorted(p.name for p in written) == ["s.csv", "s_assumptions.csv", "s_coverage.csv", "s_summary.csv"]
    shifts = pd.read_csv(tmp_path / "s.csv")
    assert shifts["People"].sum() == 3
    wb = openpyxl.load_workbook(export.to_excel(sched, tmp_path / "s.xlsx"))
    assert wb.sheetnames == ["Summary", "Schedule", "Intervals", "Assumptions"]
    params = {wb["Assumptions"].cell(row=r, column=1).value for r in range(2, wb["Assumptions"].max_row + 1)}
    assert {"shift_lengths_h", "start_every_min", "breaks", "tool_version"} <= params


# ------------------------------------------------------------------------------ report


def test_report_of_a_result_has_headline_numbers_an_accessible_svg_and_no_external_resources(result, tmp_path):
    text = export.to_report(result, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<svg" in text and "<title" in text and "<desc" in text and "<figcaption>" in text
    assert f"{result['service_level']:.1%}" in text  # expected service level with its CI
    lo, hi = result.summary.loc["service_level", ["lo", "hi"]]
    assert f"95% CI {lo:.1%}–{hi:.1%}" in text
    assert f"{result['got_through_rate']:.1%}" in text and f"{result['abandon_rate']:.1%}" in text
    assert "Agents at peak" in text and "Full-time equivalents" in text
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert "<script" not in text.lower() and "@media print" in text
    assert importlib.metadata.version("queuecast") in text


def test_report_escapes_hostile_names(tmp_path):
    res = simulate.run(arrivals(), scenario('<script>alert("x")</script>'), staffing(), replications=2, seed=3,
                       engine="simpy")
    text = export.to_report(res, tmp_path / "r.html", title="<b>Week 23</b>").read_text(encoding="utf-8")
    assert "<script" not in text and "&lt;script&gt;" in text
    assert "<b>Week" not in text and "&lt;b&gt;Week 23&lt;/b&gt;" in text


def test_report_of_a_plan_recommends_in_one_sentence_and_shows_the_schedule(plan_with_schedule, result, tmp_path):
    text = export.to_report(plan_with_schedule, tmp_path / "p.html", result=result).read_text(encoding="utf-8")
    s = plan_with_schedule.summary
    assert f"Schedule {s['peak_scheduled']} agents at the peak" in text
    assert f"{s['fte']:.1f}" in text and f"{s['cost']:,.2f}" in text
    assert f"{plan_with_schedule.schedule.headcount} shifts" in text
    assert "People on duty" in text  # the schedule's coverage is drawn
    assert "=HYPERLINK(&quot;http://x&quot;)" in text and HOSTILE_NAME not in text


def test_report_in_french(plan, tmp_path):
    text = export.to_report(plan, tmp_path / "fr.html", language="fr").read_text(encoding="utf-8")
    assert 'lang="fr"' in text and "Recommandation" in text and "Hypothèses" in text


def test_unknown_objects_and_languages_are_refused_with_a_clear_message(result, tmp_path):
    with pytest.raises(ValueError, match="expected a SimulationResult"):
        export.to_excel(pd.DataFrame(), tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="language"):
        export.to_excel(result, tmp_path / "x.xlsx", language="de")


def test_simulation_plan_exports_its_verification_and_risk(tmp_path):
    sc = scenario("sim", call_types=())
    plan = simulate.staff(arrivals(), sc, method="simulation", replications=2, engine="simpy")
    forecast = arrivals().rename(columns={"calls": "yhat"}).assign(yhat_lo_80=lambda d: d["yhat"] * 0.8,
                                                                   yhat_hi_80=lambda d: d["yhat"] * 1.2)
    risk = simulate.risk_of_missing(forecast, sc, plan, draws=3, seed=0, engine="simpy")
    plan = dataclasses.replace(plan, risk=risk)
    wb = openpyxl.load_workbook(export.to_excel(plan, tmp_path / "sim.xlsx"))
    assert "Risk" in wb.sheetnames
    assert "Chance of missing the target (%)" in header(wb["Risk"])
    cols = header(wb["Intervals"])
    assert "Simulated service level (%)" in cols and "Simulated service level, 95% CI low (%)" in cols
    rows = {wb["Assumptions"].cell(row=r, column=1).value: wb["Assumptions"].cell(row=r, column=3).value
            for r in range(2, wb["Assumptions"].max_row + 1)}
    assert rows["method"] == "simulation" and rows["engine"] == "simpy"
    assert rows["replications"] == plan.verification.attrs["replications"]
    text = export.to_report(plan, tmp_path / "sim.html").read_text(encoding="utf-8")
    assert f"{plan.summary['intervals_meeting_target']} / {plan.summary['intervals_open']}" in text


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


def test_time_zone_aware_intervals_are_written_as_local_time_with_the_zone_in_the_header(tmp_path):
    req = pd.DataFrame({"ds": pd.date_range("2022-06-06 08:00", periods=4, freq="1h", tz="America/Toronto"),
                        "agents": 2.0})
    sched = simulate.schedule(req, shift_lengths=("4h",), start_every="1h", breaks=None)
    wb = openpyxl.load_workbook(export.to_excel(sched, tmp_path / "tz.xlsx"))
    ws = wb["Schedule"]
    assert header(ws)[0] == "Shift start (America/Toronto)"
    assert ws.cell(row=2, column=1).value == pd.Timestamp("2022-06-06 08:00").to_pydatetime()
