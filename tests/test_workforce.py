"""One set of workforce figures (issue 13, item 4): ideal and scheduled hours, FTE and cost come from
simulate.workforce_totals, and the page, the Excel workbook, the CSV files and the report agree to the cent."""
from __future__ import annotations

import csv

import numpy as np
import openpyxl
import pandas as pd
import pytest

import simulate
from simulate import Scenario, export, workforce_totals

SC = Scenario(name="desk", aht=300.0, patience=240.0, sl_threshold=60.0, sl_target=0.8, shrinkage=0.3,
              paid_hours_per_week=37.5, hourly_cost=38.25)


def demand(days: int = 1) -> simulate.Demand:
    ds = pd.date_range("2026-03-02 00:00", periods=48 * days, freq="30min")
    hour = ds.hour + ds.minute / 60
    calls = np.where((hour >= 8) & (hour < 16), 40.0 + 60.0 * np.exp(-0.5 * ((hour - 11) / 2) ** 2), 0.0)
    return simulate.Demand.from_frame(pd.DataFrame({"ds": ds, "calls": calls}))


def test_without_a_schedule_the_headline_is_the_ideal_requirement():
    agents = np.array([0, 10, 10, 20, 0, 0])  # 40 agent-intervals of 30 minutes = 20 agent-hours
    w = workforce_totals(agents, 1800.0, SC)
    assert w["agent_hours"] == 20.0 and w["ideal_paid_hours"] == pytest.approx(20.0 / 0.7)
    assert w["paid_hours"] == w["ideal_paid_hours"] and w["basis"] == "requirement"
    assert w["fte"] == pytest.approx(20.0 / 0.7 * 7 / 37.5)  # a one-day horizon repeats every day of the week
    assert w["cost"] == pytest.approx(20.0 / 0.7 * 38.25) and "schedule_paid_hours" not in w


def test_with_a_schedule_the_headline_is_the_schedule_and_the_difference_is_the_shift_granularity():
    rec = simulate.staff(demand(2), SC, method="erlang_a", verify=False)
    sched = simulate.schedule(rec.requirements, shift_lengths=("8h",), time_limit=5.0)
    w = workforce_totals(rec.requirements["agents"].to_numpy(), 1800.0, SC, schedule=sched)
    assert w["basis"] == "schedule" and w["paid_hours"] == w["schedule_paid_hours"] == sched.paid_hours
    assert w["granularity_hours"] == pytest.approx(sched.paid_hours - w["ideal_paid_hours"])
    assert w["granularity_hours"] > 0 and w["schedule_shifts"] == sched.headcount
    assert w["fte"] == pytest.approx(sched.paid_hours / (2 / 7) / 37.5)
    assert w["cost"] == pytest.approx(sched.paid_hours * 38.25)
    on_phones = simulate.schedule(rec.requirements, shift_lengths=("8h",), column="agents", time_limit=5.0)
    grossed = workforce_totals(rec.requirements["agents"].to_numpy(), 1800.0, SC, schedule=on_phones)
    assert grossed["schedule_paid_hours"] == pytest.approx(on_phones.paid_hours / 0.7)  # people off the phones too
    assert rec.with_schedule(sched).summary["cost"] == w["cost"]


def _excel_summary(path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)["Summary"]
    return {row[0]: row[2] for row in ws.iter_rows(min_row=2, values_only=True)}


def _csv_summary(path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        return {row[0]: row[2] for row in list(csv.reader(fh))[1:]}


@pytest.mark.parametrize("with_schedule", [False, True])
def test_page_excel_csv_and_report_agree_to_the_cent(tmp_path, with_schedule):
    rec = simulate.staff(demand(), SC, method="erlang_a", replications=3, seed=0, engine="fast")
    if with_schedule:
        rec = rec.with_schedule(simulate.schedule(rec.requirements, shift_lengths=("4h",), time_limit=5.0))
    page = rec.summary  # what the Staffing page shows (workforce_totals of the plan and its schedule)
    assert page["basis"] == ("schedule" if with_schedule else "requirement")
    xlsx = _excel_summary(export.to_excel(rec, tmp_path / "plan.xlsx"))
    export.to_csv(rec, tmp_path / "plan.csv")
    table = _csv_summary(tmp_path / "plan_summary.csv")
    report = export.to_report(rec, tmp_path / "plan.html").read_text(encoding="utf-8")
    figures = {"Cost": "cost", "Paid hours": "paid_hours", "Full-time equivalents": "fte", "Ideal cost": "ideal_cost"}
    if with_schedule:
        figures |= {"Cost of the schedule": "schedule_cost", "Paid hours added by whole shifts": "granularity_hours"}
    for label, key in figures.items():
        assert round(float(xlsx[label]), 2) == round(page[key], 2), label
        assert round(float(table[label]), 2) == round(page[key], 2), label
    assert f"{page['cost']:,.2f}" in report and f"{page['fte']:,.1f}" in report
    assert f"{page['paid_hours']:,.1f}" in report
    if with_schedule:
        assert f"pays {page['granularity_hours']:,.0f} h for shift granularity" in report
        assert page["cost"] > page["ideal_cost"]
    else:
        assert "Cost of the schedule" not in xlsx and page["cost"] == page["ideal_cost"]


def test_a_plan_that_misses_is_flagged_in_red_in_excel_and_the_report(tmp_path):
    lean = SC.replace(redial_prob=0.8, redial_delay=300.0, lines=60, aht_dist="lognormal", aht_cv=0.6)
    rec = simulate.staff(demand(), lean, method="erlang_a", replications=4, seed=0, engine="fast")
    assert rec.meets_target is False
    wb = openpyxl.load_workbook(export.to_excel(rec, tmp_path / "plan.xlsx"))
    ws = wb["Summary"]
    red = {row[0].value: row[0].font.color.rgb for row in ws.iter_rows(min_row=2) if row[0].font.color is not None}
    assert red.get("Simulated result", "").endswith("C00000")
    assert red.get("Target met in simulation", "").endswith("C00000")
    assert str(ws["C2"].value).startswith("Simulated with redials")
    report = export.to_report(rec, tmp_path / "plan.html").read_text(encoding="utf-8")
    assert 'class="rec miss"' in report and "MISSES" in report
