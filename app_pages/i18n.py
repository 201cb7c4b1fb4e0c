"""The app's door to THE message catalogue (``simulate/i18n/messages.toml``, shared with the
exports): ``t(key)`` returns the text in the language chosen in the sidebar
(``st.session_state["lang"]``), English by default, and the ``fmt_*`` functions write numbers,
percentages, dates and times the way that language does (``28 043``, ``58,1 %``, ``14 h 30``,
``jeu. 2 janv.`` in French).

Texts with ``{placeholders}``: ``t(key, **values)`` fills them with numbers written the locale's
way (``t("compare.demand_caption", calls=28043.0, ...)`` -> ``28 043 appels prévus``); plain
``t(key).format(...)`` still works but writes numbers the English way. Both languages use the same
placeholders (tests/test_i18n.py checks it, and that every key used in the app exists).
Charts: ``chart.configure(locale=vega_locale())`` and the axis formats of ``time_formats()``.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from simulate import i18n as catalogue

LANGUAGES = catalogue.LANGUAGE_NAMES
#: the whole catalogue, read-only: ``{key: {"en": text, "fr": text}}``
TEXT = catalogue.catalogue()


def lang() -> str:
    """The language chosen in the sidebar ("en" or "fr")."""
    code = st.session_state.get("lang", "en")
    return code if code in LANGUAGES else "en"


def t(key: str, **values: Any) -> str:
    """The text of ``key`` in the current language, its placeholders filled from ``values`` with
    locale-correct numbers (KeyError for an unknown key: a bug to fix in messages.toml)."""
    return catalogue.text(key, lang(), **values)


def fmt_number(value: Any, *, decimals: int = 0, grouping: bool = True) -> str:
    """``28 043`` / ``28,043`` (``–`` when missing)."""
    return catalogue.fmt_number(value, lang(), decimals=decimals, grouping=grouping)


def fmt_percent(share: Any, *, decimals: int = 1) -> str:
    """A share in [0, 1]: ``58,1 %`` / ``58.1%``."""
    return catalogue.fmt_percent(share, lang(), decimals=decimals)


def fmt_money(value: Any, *, decimals: int = 2, currency: str | None = None) -> str:
    """``1 234,50`` / ``1,234.50`` (with ``currency="CAD"``: ``1 234,50 $`` / ``$1,234.50``)."""
    return catalogue.fmt_money(value, lang(), decimals=decimals, currency=currency)


def fmt_date(value: Any, *, style: str = "weekday") -> str:
    """``jeu. 2 janv.`` / ``Thu, Jan 2`` (styles: weekday, day, long, month, iso)."""
    return catalogue.fmt_date(value, lang(), style=style)


def fmt_time(value: Any) -> str:
    """``14 h 30`` / ``14:30`` (24-hour clock)."""
    return catalogue.fmt_time(value, lang())


def fmt_datetime(value: Any, *, style: str = "weekday") -> str:
    """``jeu. 2 janv. 14 h 30`` / ``Thu, Jan 2, 14:30``."""
    return catalogue.fmt_datetime(value, lang(), style=style)


def fmt_duration(seconds: Any, *, decimals: int = 0) -> str:
    """``37 s``, ``2 min 5 s``, ``1 h 30 min``, ``2 jours 3 h``."""
    return catalogue.fmt_duration(seconds, lang(), decimals=decimals)


def fmt_count(value: Any, unit: str, *, decimals: int = 0) -> str:
    """A counted unit, singular or plural by the language's rule: ``1 jour``, ``2 jours``."""
    return catalogue.fmt_count(value, unit, lang(), decimals=decimals)


def vega_locale() -> dict[str, dict[str, Any]]:
    """Vega-Lite ``config.locale`` of the current language: ``chart.configure(locale=vega_locale())``."""
    return catalogue.vega_locale(lang())


def time_formats() -> dict[str, str]:
    """d3 axis formats of the current language (24-hour): ``hour``, ``day``, ``date``, ``month``."""
    return dict(catalogue.VEGA_TIME_FORMATS[lang()])
