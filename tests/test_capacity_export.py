"""Specifications of a capacity plan's exports (simulate.export on simulate.capacity, issues 16 and 17):
the same tables in English and Canadian French, sheet names and headers from the message catalogue,
numbers as numbers, user text (group and plan names) escaped against formulas and never translated,
and ``queuecast capacity --language fr``."""
from __future__ import annotations

import io
import zipfile
from types import MappingProxyType

import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_capacity import (
    REPO,
    SCENARIO,
    START,
    _backoffice_plan,
    _daily,
    backlog_model,  # noqa: F401  (the module's fixture, shared)
)

import queuecast_cli
from simulate import capacity as cap
from simulate import export, i18n

FORMULA = "=HYPERLINK(\"http://x\",\"y\")"


@pytest.fixture(scope="module")
def plans() -> dict[str, cap.CapacityPlan]:
    """A two-group plan from a daily forecast (one group named like a formula) and its surge what-if."""
    demand = {"phones": _daily(weeks=4), FORMULA: _daily(weeks=4, level=300.0)}
    problem = cap.CapacityProblem(
        demand=demand, scenarios={g: SCENARIO.replace(name=g) for g in demand},
        supply={g: cap.Supply(headcount=20, training_weeks=1, weekly_cost=1500.0) for g in demand})
    return cap.what_ifs(problem, {"surge +20%": {"surge": 1.2}, "=1+1": {"attrition": 2.0}})


@pytest.fixture(scope="module")
def french(plans) -> openpyxl.Workbook:
    data = export.excel_bytes(cap.PlanWithWhatIfs(plans["plan"], cap.compare(plans)), language="fr")
    return openpyxl.load_workbook(io.BytesIO(data))


def _header(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def test_the_french_workbook_is_named_and_headed_in_french(french):
    assert french.sheetnames == ["Sommaire", "Semaines", "Cohortes", "Début au plus tard", "Variantes", "Hypothèses"]
    weeks = _header(french["Semaines"])
    assert weeks[:4] == ["Groupe", "Numéro de semaine (à partir de 0)", "Semaine du", "Requis (ETP)"]
    assert {"Manque (ETP)", "Coût (devise)", "Niveau de service prévu (%)", "Appels prévus (appels)"} <= set(weeks)
    assert _header(french["Sommaire"]) == ["Indicateur", "Unité", "Valeur"]
    assert _header(french["Hypothèses"]) == ["Section", "Unité", "Valeur", "Description"]  # no English identifiers
    variantes = _header(french["Variantes"])
    assert variantes[0] == "Plan" and "Manque sur l'ensemble du plan (ETP-semaines)" in variantes
    # the tool's own plan names in French; the user's own name as given (escaped)
    assert [r[0].value for r in french["Variantes"].iter_rows(min_row=2)] == ["Plan", "Hausse +20 %", "'=1+1"]
    words = {str(c.value) for ws in french for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert not {"erlang_a", "None", "True", "False", "nan"} & words


def test_sheet_names_and_headers_come_from_the_catalogue(plans, monkeypatch):
    patched = {k: dict(v) for k, v in i18n.catalogue().items()}
    patched["export.Weeks"]["fr"] = "Semaines du plan"
    patched["export.cap.shortfall"]["fr"] = "Déficit"
    patched["export.u_fte"]["fr"] = "ETP payés"
    monkeypatch.setattr(i18n, "catalogue", lambda: MappingProxyType(patched))
    book = openpyxl.load_workbook(io.BytesIO(export.excel_bytes(plans["plan"], language="fr")))
    assert "Semaines du plan" in book.sheetnames
    assert {"Déficit (ETP payés)", "Requis (ETP payés)"} <= set(_header(book["Semaines du plan"]))
    files = export.csv_files(plans["plan"], language="fr", stem="plan")
    assert files["plan.csv"].decode("utf-8-sig").splitlines()[0].count("Déficit (ETP payés)") == 1


def test_numbers_stay_numbers_with_their_formats(plans, french):
    sheet = french["Semaines"]
    head = _header(sheet)
    required, sl, week = (head.index(h) for h in ("Requis (ETP)", "Niveau de service prévu (%)", "Semaine du"))
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(plans["plan"].weeks) == 8
    assert all(isinstance(r[required].value, (int, float)) for r in rows)
    np.testing.assert_allclose([r[required].value for r in rows], plans["plan"].weeks["required"])
    assert rows[0][sl].number_format == '0.0"\u00a0"%' and 0 < rows[0][sl].value <= 1
    assert rows[0][week].is_date and rows[0][week].value == START
    summary = {r[0].value: r[2] for r in french["Sommaire"].iter_rows(min_row=2)}
    assert summary["Coût"].value == pytest.approx(plans["plan"].summary["cost"])
    assert summary["Coût"].number_format == "#,##0.00"
    assert summary["Méthode de dotation"].value == "Erlang A"


def test_a_formula_like_group_name_is_text_never_a_formula(plans, french):
    groups = {r[0].value for r in french["Semaines"].iter_rows(min_row=2)}
    assert groups == {"phones", "'" + FORMULA}
    assert all(c.data_type != "f" for ws in french for row in ws.iter_rows() for c in row)
    assert "Début de cohorte au plus tard : " + FORMULA in _header(french["Variantes"])  # in a header, not first
    csv = export.csv_files(plans["plan"], language="en", stem="plan")["plan.csv"].decode()
    assert "'" + FORMULA.replace('"', '""') in csv


def test_english_keeps_the_sheet_names_and_capacity_to_excel_delegates(plans, tmp_path):
    data = cap.excel_bytes(plans["plan"], what_ifs=cap.compare(plans))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Weeks", "Classes", "Latest start", "What-ifs", "Assumptions"]
    assert _header(book["Assumptions"]) == ["Section", "Parameter", "Unit", "Value", "Description"]
    fr = cap.to_excel(plans["plan"], tmp_path / "plan.xlsx", language="fr")
    assert openpyxl.load_workbook(fr).sheetnames[0] == "Sommaire"
    with zipfile.ZipFile(io.BytesIO(export.csv_bytes(plans["plan"], language="fr", stem="plan"))) as zf:
        assert sorted(zf.namelist()) == ["plan.csv", "plan_cohortes.csv", "plan_debut_au_plus_tard.csv",
                                         "plan_hypotheses.csv", "plan_sommaire.csv"]


def test_what_if_labels_are_the_catalogues():
    assert export.what_if_label({"surge": 1.2}, "fr") == i18n.text("cap.wn_surge", "fr", v=20) == "Hausse +20 %"
    assert export.plan_label("attrition doubled", "fr") == "Départs ×2"
    assert export.plan_label("plan", "fr") == "Plan" and export.plan_label("my plan", "fr") == "my plan"
    with pytest.raises(ValueError, match="unknown change 'hiring'"):
        export.what_if_label({"hiring": 2}, "en")


def test_cli_capacity_writes_the_french_workbook_and_csv(tmp_path, monkeypatch, capsys):
    hist = pd.DataFrame({"series": "callers", "ds": _daily(3)["ds"].dt.strftime("%Y-%m-%d"), "y": _daily(3)["yhat"]})
    hist.to_csv(tmp_path / "history.csv", index=False)
    monkeypatch.chdir(tmp_path)
    argv = ["capacity", "history.csv", "--series", "callers",
            "--supply", str(REPO / "examples" / "capacity_supply.toml"), "--language", "fr"]
    assert queuecast_cli.main([*argv, "--out", "plan.xlsx"]) == 0
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert book.sheetnames == ["Sommaire", "Semaines", "Cohortes", "Début au plus tard", "Hypothèses"]
    assert "Requis (ETP)" in _header(book["Semaines"])
    assert queuecast_cli.main([*argv, "--out", "plan.csv"]) == 0
    weeks = pd.read_csv(tmp_path / "plan.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert len(weeks) == 3 and weeks["Requis (ETP)"].dtype.kind == "f" and (weeks["Requis (ETP)"] > 0).all()
    assert (tmp_path / "plan_hypotheses.csv").exists()
    assert "plan_sommaire.csv" in capsys.readouterr().out


def test_a_back_office_plan_exports_its_daily_projection_and_its_assumptions_in_french(backlog_model):  # noqa: F811
    model, apps = backlog_model
    plan = _backoffice_plan(model, apps, 1500, weeks=4)
    book = openpyxl.load_workbook(io.BytesIO(export.excel_bytes(plan, language="fr")))
    assert book.sheetnames == ["Sommaire", "Semaines", "Cohortes", "Début au plus tard", "Traitement quotidien",
                               "Hypothèses"]
    daily = book["Traitement quotidien"]
    assert _header(daily)[:4] == ["Jour", "Demandes reçues (demandes)", "Demandes traitées (demandes)",
                                  "Arriéré en fin de journée (demandes)"]
    assert daily.max_row - 1 == len(plan.daily) and isinstance(daily.cell(2, 2).value, (int, float))
    sections = {r[0].value for r in book["Hypothèses"].iter_rows(min_row=2)}
    assert {"Plan", "Effectif : phones", "Effectif : processing", "Politique : phones", "Traitement des demandes",
            "Outil"} <= sections


def test_csv_days_are_written_as_days_not_midnights():
    from pathlib import Path

    import forecast
    root = Path(__file__).resolve().parent.parent
    daily = forecast.read_history(root / "data" / "passport" / "passport_daily.csv", series="callers")
    problem = cap.problem_from_toml(daily, root / "examples" / "capacity_supply.toml", start="2022-01-17",
                                    end="2022-02-13")
    files = export.csv_files(cap.plan(problem), language="fr", stem="plan")
    weeks = files["plan.csv"].decode("utf-8-sig").splitlines()
    assert weeks[1].split(";")[2] == "2022-01-17"  # Semaine du
    summary = files["plan_sommaire.csv"].decode("utf-8-sig").splitlines()
    assert "Début du plan;;2022-01-17" in summary
