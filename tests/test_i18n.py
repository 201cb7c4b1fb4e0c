"""Specifications of THE message catalogue (simulate/i18n/messages.toml through simulate.i18n) and of
the app's door to it (app_pages/i18n.py).

Every key has English and French with the same {placeholders}; every t("...") key written in app.py
or app_pages/*.py exists; keys built at run time exist for every value they can take; numbers,
percentages, dates and times are written the fr-CA / en-CA way (Babel, CLDR).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulate
from app_pages import i18n, state
from simulate import i18n as cat

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
# t("key") or t('key'), not f-strings (those are checked by family below)
CALL = re.compile(r"""(?<![\w.])t\(\s*(["'])([^"'{}]+)\1\s*[,)]""")
NBSP = "\u00a0"
#: English that must never show in French (the issue's list of leftovers)
LEFTOVERS = ("Current staffing", "unpaid", "erlang_c", "erlang_a", "fast", "None", "95% CI", "Upload",
             "Choose an option", "Show data", "1 jours")


# ------------------------------------------------------------------------------ the catalogue


def test_every_key_has_english_and_french_with_the_same_placeholders():
    assert len(cat.catalogue()) > 500  # the app's texts and the exports' texts
    assert cat.problems(cat.catalogue()) == []


def test_a_missing_language_or_a_different_placeholder_is_found():
    broken = cat.load_catalogue('[a.b]\nen = "{n} calls"\nfr = "{m} appels"\n\n[a.c]\nen = "Only English"\n'
                                '\n[a.d]\nen = "x"\nfr = "  "\n')
    assert set(broken) == {"a.b", "a.c", "a.d"}
    found = cat.problems(broken)
    assert any(p.startswith("a.b: placeholders differ") for p in found)
    assert "a.c: no Français text" in found and "a.d: no Français text" in found


def test_the_french_texts_carry_none_of_the_known_english_leftovers():
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in LEFTOVERS) + r")(?!\w)")
    bad = {k: pattern.findall(e["fr"]) for k, e in cat.catalogue().items() if pattern.search(e["fr"])}
    assert not bad


def test_every_metric_has_a_name_and_a_definition_in_both_languages():
    for name, metric in simulate.METRICS.items():
        assert cat.has(f"metric.{name}") and cat.has(f"metric_def.{name}"), name
        # the English definition is METRICS' own: a change there must be translated here too
        assert cat.text(f"metric_def.{name}", "en") == metric.definition, name


def test_text_fills_placeholders_with_locale_numbers_and_refuses_unknown_keys_and_languages():
    assert cat.text("compare.surge_on", "fr") == "avec hausse soudaine"
    caption = cat.text("staff.scenario", "fr")
    assert caption == "Scénario"
    sentence = cat.text("verdict.gap_row", "fr", method="Erlang C", hours=4480.4, diff=0.11, sim="")
    assert sentence == f"Erlang C demande 4{NBSP}480 heures-agents (+11{NBSP}% par rapport au plan recommandé)"
    assert cat.text("verdict.gap_row", "en", method="Erlang C", hours=4480.4, diff=-0.1, sim="") == (
        "Erlang C asks for 4,480 agent-hours (-10% against the recommended plan)")
    with pytest.raises(KeyError):
        cat.text("no.such_key", "en")
    with pytest.raises(ValueError, match="language"):
        cat.text("staff.title", "de")


# ------------------------------------------------------------------------------ formats


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", (f"28{NBSP}043", f"58,1{NBSP}%", "14 h 30", "jeu. 2 janv.", f"1{NBSP}234,50", f"3{NBSP}630,5")),
    ("en", ("28,043", "58.1%", "14:30", "Thu, Jan 2", "1,234.50", "3,630.5")),
])
def test_numbers_percentages_times_and_dates_follow_the_canadian_locale(language, expected):
    when = pd.Timestamp("2025-01-02 14:30")
    got = (cat.fmt_number(28043.2, language), cat.fmt_percent(0.581, language), cat.fmt_time(when, language),
           cat.fmt_date(when, language), cat.fmt_money(1234.5, language),
           cat.fmt_number(3630.51, language, decimals=1))
    assert got == expected


def test_french_dates_and_times_use_the_24_hour_clock_and_the_wall_clock_of_their_zone():
    evening = pd.Timestamp("2025-01-02 21:05", tz="America/Toronto")
    assert cat.fmt_datetime(evening, "fr") == "jeu. 2 janv. 21 h 05"
    assert cat.fmt_datetime(evening, "en") == "Thu, Jan 2, 21:05"
    assert cat.fmt_date(dt.date(2025, 1, 2), "fr", style="long") == "jeudi 2 janvier 2025"
    assert cat.fmt_date(evening, "fr", style="iso") == "2025-01-02"


def test_counted_words_take_the_plural_of_the_language():
    assert [cat.fmt_count(n, "day", "fr") for n in (0, 1, 2, 1500)] == [
        f"0{NBSP}jour", f"1{NBSP}jour", f"2{NBSP}jours", f"1{NBSP}500{NBSP}jours"]
    assert [cat.fmt_count(n, "day", "en") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]


def test_durations_read_in_the_largest_sensible_units():
    assert [cat.fmt_duration(s, "fr") for s in (37.4, 125, 5400, 2 * 86400 + 3 * 3600)] == [
        f"37{NBSP}s", f"2{NBSP}min 5{NBSP}s", f"1{NBSP}h 30{NBSP}min", f"2{NBSP}jours 3{NBSP}h"]
    assert cat.fmt_duration(37.44, "fr", decimals=1) == f"37,4{NBSP}s"


def test_missing_values_are_a_dash_in_every_format():
    for value in (None, float("nan"), np.nan, pd.NaT):
        assert cat.fmt_number(value, "fr") == cat.fmt_percent(value, "fr") == cat.MISSING
        assert cat.fmt_date(value, "fr") == cat.fmt_time(value, "fr") == cat.fmt_duration(value, "fr") == cat.MISSING
    assert cat.format_text("{x:.1%}", "fr", x=float("nan")) == cat.MISSING


def test_sentences_and_format_functions_write_the_same_digits_as_python():
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.uniform(-1e6, 1e6, 200), [0.125, 2.675, 1234.5, -0.0001, 0.9995]])
    for v in values:
        for lang in ("en", "fr"):
            assert cat.format_text("{v:,.2f}", lang, v=float(v)) == cat.fmt_number(v, lang, decimals=2)
            assert cat.format_text("{v:.1%}", lang, v=float(v) / 1e6) == cat.fmt_percent(v / 1e6, lang)
        # English is exactly Python's own formatting (f-strings elsewhere agree to the digit)
        assert cat.fmt_number(v, "en", decimals=2) == f"{v:,.2f}"
        assert cat.fmt_percent(v / 1e6, "en") == f"{v / 1e6:.1%}"
        assert cat.fmt_number(v, "fr", decimals=2) == f"{v:,.2f}".replace(",", NBSP).replace(".", ",")


def test_vega_locales_come_from_the_same_cldr_data():
    fr, en = cat.vega_locale("fr"), cat.vega_locale("en")
    assert fr["number"]["decimal"] == "," and fr["number"]["thousands"] == NBSP
    assert fr["number"]["percent"] == f"{NBSP}%"
    assert en["number"]["decimal"] == "." and en["number"]["thousands"] == ","
    assert fr["time"]["shortDays"][0] == "dim." and fr["time"]["shortDays"][4] == "jeu."  # d3 weeks start on Sunday
    assert fr["time"]["shortMonths"][0] == "janv." and en["time"]["months"][0] == "January"
    for lang in ("en", "fr"):
        assert "%I" not in str(cat.VEGA_TIME_FORMATS[lang]) and "%p" not in str(cat.VEGA_TIME_FORMATS[lang])
    fr["number"]["decimal"] = "?"  # a copy: the next caller is not affected
    assert cat.vega_locale("fr")["number"]["decimal"] == ","


# ------------------------------------------------------------------------------ the app's door


def test_every_key_used_in_the_app_is_in_the_catalogue():
    used = {}
    for path in SOURCES:
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(2), path.name)
    assert len(used) > 100  # the scan really finds the app's keys
    missing = {k: f for k, f in used.items() if k not in i18n.TEXT}
    assert not missing, f"keys missing from simulate/i18n/messages.toml: {missing}"


def test_keys_built_at_run_time_exist_for_every_value():
    families = {
        "kpi.": state.KPI_ROWS,
        "demand.surge_": state.SURGE_MODES,
        "demand.shape_": state.SURGE_SHAPES,
        "staff.m_": state.STAFF_METHODS,
        "staff.": ("recommended", "current"),
        "day.": tuple(str(i) for i in range(7)),
    }
    missing = [prefix + v for prefix, values in families.items() for v in values if prefix + v not in i18n.TEXT]
    assert not missing
    assert all(m in simulate.METRICS for m in state.KPI_ROWS if m != "cost")


def test_a_scan_would_catch_a_missing_key():
    sample = 'st.title(t("nav.compare"))\nst.write(t(\'no.such_key\', n=2))\nst.write(t(f"kpi.{m}"))\n'
    found = {m.group(2) for m in CALL.finditer(sample)}
    assert found == {"nav.compare", "no.such_key"}
    assert "no.such_key" not in i18n.TEXT


def test_t_returns_english_outside_a_session_fills_values_and_refuses_unknown_keys():
    assert i18n.t("nav.compare") == "Compare"
    assert i18n.t("scen.staffing_caption", peak=1234, hours=5678.9) == (
        "On this demand: 1,234 agents at the peak, 5,679 agent-hours.")
    assert i18n.fmt_percent(0.581) == "58.1%" and i18n.fmt_time(pd.Timestamp("2025-01-02 14:30")) == "14:30"
    with pytest.raises(KeyError):
        i18n.t("no.such_key")
