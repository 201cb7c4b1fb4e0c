"""Specifications of the app's single translation table (app_pages/i18n.py).

Every key has English and French; both use the same {placeholders}; every t("...") key written in
app.py or app_pages/*.py exists; keys built at run time (f-strings) exist for every value they
can take.
"""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import simulate
from app_pages import i18n, state

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
# t("key") or t('key'), not f-strings (those are checked by family below)
CALL = re.compile(r"""(?<![\w.])t\(\s*(["'])([^"'{}]+)\1\s*\)""")


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("key", sorted(i18n.TEXT))
def test_every_key_has_english_and_french_with_the_same_placeholders(key):
    entry = i18n.TEXT[key]
    assert set(entry) == set(i18n.LANGUAGES), f"{key}: languages {sorted(entry)}"
    for code in i18n.LANGUAGES:
        assert isinstance(entry[code], str) and entry[code].strip(), f"{key}: empty {code} text"
    assert _placeholders(entry["en"]) == _placeholders(entry["fr"]), key


def test_every_key_used_in_the_app_is_in_the_table():
    used = {}
    for path in SOURCES:
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(2), path.name)
    assert len(used) > 100  # the scan really finds the app's keys
    missing = {k: f for k, f in used.items() if k not in i18n.TEXT}
    assert not missing, f"keys missing from app_pages/i18n.py: {missing}"


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


def test_a_scan_would_catch_a_missing_key(tmp_path):
    sample = 'st.title(t("nav.compare"))\nst.write(t(\'no.such_key\'))\nst.write(t(f"kpi.{m}"))\n'
    found = {m.group(2) for m in CALL.finditer(sample)}
    assert found == {"nav.compare", "no.such_key"}
    assert "no.such_key" not in i18n.TEXT


def test_t_returns_english_outside_a_session_and_refuses_unknown_keys():
    assert i18n.t("nav.compare") == "Compare"
    with pytest.raises(KeyError):
        i18n.t("no.such_key")
