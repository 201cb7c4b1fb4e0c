"""Specifications of the French exports: French headers and words, fr-CA number and date formats, no
English left in the Excel workbook, the CSV files or the HTML report, and the same figures to the cent
as the recommendation (simulate.staff) in either language."""
from __future__ import annotations

import csv
import dataclasses
import html
import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

import simulate
from simulate import export, i18n

NBSP = "\u00a0"
READY_NAME = {"en": "Current staffing", "fr": "Effectif actuel"}  # as in data/scenarios/ready.toml
#: English that must never show in French (the issue's list of leftovers)
LEFTOVERS = ("Current staffing", "unpaid", "erlang_c", "erlang_a", "fast", "simpy", "None", "95% CI", "Upload",
             "Choose an option", "Show data", "1 jours", "lognormal", "exponential", "serve", "nan")
#: English words a French reader must not meet in the report (none of them is also French)
ENGLISH = {"the", "and", "of", "with", "within", "per", "calls", "hours", "paid", "shift", "shifts", "schedule",
           "target", "level", "wait", "hang", "answered", "people", "simulated", "recommended", "staffing",
           "interval", "intervals", "required", "cost", "report", "chart", "made", "mean", "low", "high", "yes",
           "no", "none", "unpaid", "fast", "current", "time", "phone", "phones", "lines", "redials",
           "callers", "who", "this", "meets", "misses", "every", "average", "answer", "estimate", "quick", "not",
           "is", "at", "in", "for", "by", "from", "to", "up", "than", "was", "assumptions", "headline",
           "recommendation",
           "mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar.", "am", "pm", "minutes", "day", "days"}


def demand(days: int = 2) -> simulate.Demand:
    ds = pd.date_range("2025-01-02 00:00", periods=48 * days, freq="30min")  # Thursday 2 January
    hour = ds.hour + ds.minute / 60
    calls = np.where((hour >= 8) & (hour < 18), 30.0 + 90.0 * np.exp(-0.5 * ((hour - 11) / 2) ** 2), 0.0)
    return simulate.Demand.from_frame(pd.DataFrame({"ds": ds, "calls": calls}))


SC = simulate.Scenario(name="Current staffing", aht=420.0, aht_dist="lognormal", aht_cv=0.8, patience=300.0,
                       lines=120, redial_prob=0.4, redial_delay=900.0, sl_threshold=120.0, sl_target=0.8,
                       shrinkage=0.3, hourly_cost=41.37)


@pytest.fixture(scope="module")
def rec() -> simulate.StaffingRecommendation:
    rec = simulate.staff(demand(), SC, method="erlang_c", replications=2, seed=0, engine="fast")
    rec = rec.with_schedule(simulate.schedule(rec.requirements, shift_lengths=("8h", "4h"), time_limit=5.0))
    assert "unpaid" in " ".join(rec.schedule.shifts["breaks"])  # the English the exports must translate
    return rec


@pytest.fixture(scope="module")
def french(rec) -> dict[str, object]:
    return {"xlsx": export.excel_bytes(rec, language="fr", name=READY_NAME),
            "csv": export.csv_files(rec, language="fr", name=READY_NAME, stem="plan"),
            "html": export.report_html(rec, language="fr", name=READY_NAME).decode("utf-8")}


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark: French Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def visible_text(page: str) -> str:
    """What a reader (or a screen reader) meets: text, the chart's title and description."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def leftovers(text: str) -> list[str]:
    return re.findall(r"(?<![\w'])(" + "|".join(re.escape(w) for w in LEFTOVERS) + r")(?![\w])", text)


# ------------------------------------------------------------------------------ Excel


def test_french_workbook_has_french_sheets_and_headers(rec, french):
    wb, en = workbook(french["xlsx"]), workbook(export.excel_bytes(rec, name=READY_NAME))
    assert wb.sheetnames == ["Sommaire", "Intervalles", "Horaire", "Couverture", "Méthodes", "Hypothèses"]
    same_in_both = {e["fr"] for e in i18n.catalogue().values() if e["en"] == e["fr"]}
    for ws, ws_en in zip(wb.worksheets, en.worksheets):
        headers = [c.value for c in ws[1]]
        assert all("_" not in h for h in headers), headers  # no raw column name
        common = set(headers) & {c.value for c in ws_en[1]}
        assert {h.split(" (")[0] for h in common} <= same_in_both, (ws.title, common)
    intervals = [c.value for c in wb["Intervalles"][1]]
    assert "Début de l'intervalle" in intervals and "Niveau de service (%)" in intervals
    assert "Simulé : niveau de service (%)" in intervals


def test_french_workbook_keeps_numbers_as_numbers_with_french_formats(french):
    wb = workbook(french["xlsx"])
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    ws = wb["Intervalles"]
    head = [c.value for c in ws[1]]
    first = {h: ws.cell(row=2, column=k + 1) for k, h in enumerate(head)}
    start = first["Début de l'intervalle"]
    assert start.is_date and start.number_format == 'yyyy-mm-dd hh" h "mm'
    share = first["Niveau de service (%)"]
    assert share.data_type == "n" and share.number_format == f'0.0"{NBSP}"%'
    assert first["Agents au téléphone"].number_format == "#,##0"
    summary = {r[0].value: r[2] for r in wb["Sommaire"].iter_rows(min_row=2)}
    assert summary["Coût"].data_type == "n" and summary["Coût"].number_format == "#,##0.00"
    assert summary["Niveau de service simulé"].number_format == f'0.0"{NBSP}"%'
    assert summary["Méthode de dotation"].value == "Erlang C"


def test_french_workbook_names_the_ready_scenario_in_french(french):
    wb = workbook(french["xlsx"])
    ws = wb["Hypothèses"]
    assert [c.value for c in ws[1]] == ["Unité", "Valeur", "Description"]  # no English identifier column
    rows = {r[2]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["Nom du scénario"] == "Effectif actuel" and rows["Moteur de simulation"] == "moteur compilé (rapide)"
    assert rows["Loi de la durée de traitement"] == "lognormale"
    assert rows["À la fermeture : servir les appelants encore en ligne, ou les libérer"] == (
        "servir les appelants encore en ligne")
    breaks = [r[4] for r in wb["Horaire"].iter_rows(min_row=2, values_only=True) if r[4]]
    assert breaks and all(re.fullmatch(r"\d+ h \d\d–\d+ h \d\d non payée(, .*)?", b) for b in breaks)


# ------------------------------------------------------------------------------ CSV


def test_french_csv_has_french_names_headers_and_decimal_commas(rec, french):
    files = french["csv"]
    assert set(files) == {"plan.csv", "plan_sommaire.csv", "plan_horaire.csv", "plan_couverture.csv",
                          "plan_methodes.csv", "plan_hypotheses.csv"}
    main = pd.read_csv(io.BytesIO(files["plan.csv"]), sep=";", decimal=",", encoding="utf-8-sig")
    assert main.columns[0] == "Début de l'intervalle" and main.iloc[0, 0] == "2025-01-02 00:00"
    np.testing.assert_allclose(main["Niveau de service (%)"], rec.requirements["service_level"] * 100)
    assert all("_" not in c for c in main.columns)
    summary = {r[0]: r[2] for r in csv_rows(files["plan_sommaire.csv"])[1:]}
    assert re.fullmatch(r"\d+,\d+", summary["Coût"])  # a decimal comma, no thousands separator


# ------------------------------------------------------------------------------ no English left


def test_no_known_english_leftover_in_any_french_export(french):
    wb = workbook(french["xlsx"])
    excel_text = " ".join([ws.title for ws in wb.worksheets] + [
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)])
    csv_text = " ".join(cell for data in french["csv"].values() for row in csv_rows(data) for cell in row)
    for where, text in (("Excel", excel_text), ("CSV", csv_text), ("report", visible_text(french["html"]))):
        assert not leftovers(text), (where, leftovers(text))
        assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text), where  # no code name (redial_prob, erlang_a...)


def test_a_leftover_would_be_found():
    assert leftovers("Horaire : 8 h, 12 h 00–12 h 30 unpaid; moteur fast; None") == ["unpaid", "fast", "None"]
    assert ENGLISH & set(re.findall(r"[\w.]+", "Schedule 12 agents at the peak".lower()))


def test_the_french_report_has_no_english_sentence(french):
    page = french["html"]
    assert '<html lang="fr-CA">' in page
    words = set(re.findall(r"[^\W\d_]+\.?|[^\W\d_]+", visible_text(page).lower()))
    words |= {w.rstrip(".") for w in words}
    assert not words & ENGLISH, sorted(words & ENGLISH)
    assert "<title>Rapport de dotation : Effectif actuel</title>" in page
    assert "jeu. 2 janv." in page and "ven. 3 janv." in page  # the chart's days, and the caption's peak
    assert re.search(r"\d\d h \d\d", page) and not re.search(r"\b\d{1,2}(:\d\d)? ?[AaPp]\.?[Mm]\b", page)


# ------------------------------------------------------------------------------ the same figures in both languages


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_export_agrees_to_the_cent_with_the_recommendation(rec, language):
    page = rec.summary
    names = {"cost": "cost", "paid_hours": "paid_hours", "fte": "fte", "ideal_cost": "ideal_cost",
             "schedule_cost": "schedule_cost", "granularity_hours": "granularity_hours"}
    labels = {key: i18n.text(f"export.{key}", language) for key in names}
    wb = workbook(export.excel_bytes(rec, language=language))
    excel = {r[0]: r[2] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    files = export.csv_files(rec, language=language, stem="p")
    part = i18n.text("export.file.summary", language)
    sep = ";" if language == "fr" else ","
    table = {r[0]: r[2] for r in list(csv.reader(io.StringIO(files[f"p_{part}.csv"].decode("utf-8-sig")),
                                                 delimiter=sep))[1:]}
    report = export.report_html(rec, language=language).decode("utf-8")
    for key, label in labels.items():
        assert round(float(excel[label]), 2) == round(page[key], 2), label
        assert round(float(table[label].replace(",", ".")), 2) == round(page[key], 2), label
    assert i18n.fmt_money(page["cost"], language) in report
    assert i18n.fmt_number(page["fte"], language, decimals=1) in report
    assert i18n.fmt_number(page["paid_hours"], language, decimals=1) in report
    if language == "fr":
        assert f"coût {i18n.fmt_money(page['cost'], 'fr')}" in report


def test_every_known_figure_column_setting_field_and_code_has_words_in_both_languages():
    from simulate.export import labels
    from simulate.scenario import AHT_DISTS, AT_CLOSE, PATIENCE_DISTS

    keys = [f"export.{k}" for k in (*labels.SUMMARY_KEYS, *labels.COLUMNS, "verdict", "gap", "method", "engine",
                                    "requested_method", "meets_target", "basis", "converged", "seed", "replications")]
    keys += [f"export.setting.{k}" for k in labels.SETTINGS]
    keys += [f"field.{f.name}" for f in dataclasses.fields(simulate.Scenario)]
    codes = {"method": simulate.staffing.METHODS, "engine": ("fast", "simpy", "auto"), "dist": PATIENCE_DISTS,
             "dists": AHT_DISTS + PATIENCE_DISTS, "at_close": AT_CLOSE}
    keys += [f"value.{family}.{code}" for family, values in codes.items() for code in values]
    assert [k for k in keys if not i18n.has(k)] == []
