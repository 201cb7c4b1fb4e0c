"""THE message catalogue of Queuecast, and locale-correct numbers, dates and times (English and
Canadian French; Canada's public service works in both official languages).

Every visible string of the app (``app_pages``), the exports (Excel sheets and headers, CSV
headers, the HTML report, chart titles and captions) and the staffing sentences
(``StaffingRecommendation.verdict``/``gap``) lives once, in ``messages.toml`` beside this file,
as one entry per key with its English and its French::

    [staff.title]
    en = "Staffing & export"
    fr = "Effectifs et export"

**Why one table (TOML) and not gettext catalogues.** Keys are stable identifiers the code already
uses (``t("staff.title")``), not English source sentences, so a change of English wording does not
orphan the French; the two languages sit side by side, so a translator or a reviewer reads each
French sentence against its English one in one file, with no extraction, merge or compile step
(gettext's ``.pot``/``.po``/``.mo`` cycle) and no tool beyond a text editor; ``tomllib`` reads it
(standard library). There are two languages, not forty, which is where gettext's tooling pays.
Plurals, gettext's other strength, come from Babel's CLDR data in :func:`fmt_count` ("1 jour",
"2 jours"), so sentences take a counted phrase as a placeholder. Lives in ``simulate`` so that
exports and the CLI use it without Streamlit; the app reads the same catalogue through
``app_pages.i18n``.

**Placeholders** use Python's format syntax (``{calls:,.0f}``, ``{share:.1%}``, ``{name}``) and are the
same in both languages (``tests/test_i18n.py`` checks it). :func:`text` with values fills them
through :class:`LocaleFormatter`, which writes numbers the locale's way: ``{calls:,.0f}`` is
``28,043`` in English and ``28 043`` in French (no-break space), ``{share:.1%}`` is ``58.1%`` /
``58,1 %``. Rounding is Python's (the same digits as an f-string), the symbols Babel's (CLDR).

**Formats** (Babel, CLDR data for ``en_CA`` and ``fr_CA``): :func:`fmt_number` (``28 043``),
:func:`fmt_percent` (``58,1 %``), :func:`fmt_money` (``1 234,50``), :func:`fmt_date`
(``jeu. 2 janv.``), :func:`fmt_time` (``14 h 30``; 24-hour clock in both languages:
``14:30``), :func:`fmt_datetime`, :func:`fmt_duration` (``2 min 5 s``), :func:`fmt_count`
(``1 jour``), :func:`fmt_value` (by display kind). Missing values (None, NaN, NaT) are ``–``.
Charts: :func:`vega_locale` gives the d3 ``number``/``time`` locale dicts that Vega-Lite takes as
``config.locale`` (Altair: ``chart.configure(locale=vega_locale("fr"))``) or as vl-convert's and
vega-embed's ``formatLocale``/``timeFormatLocale``; :data:`VEGA_TIME_FORMATS` the axis formats.
"""
from __future__ import annotations

import datetime as _dt
import functools
import math
import string
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel import Locale, dates, numbers, units

__all__ = [
    "LANGUAGES", "LANGUAGE_NAMES", "LOCALES", "MISSING", "CATALOGUE_FILE",
    "check_language", "catalogue", "text", "has", "keys", "placeholders", "problems", "load_catalogue",
    "LocaleFormatter", "format_text",
    "fmt_number", "fmt_percent", "fmt_money", "fmt_date", "fmt_time", "fmt_datetime", "fmt_duration",
    "fmt_count", "fmt_value", "vega_locale", "VEGA_TIME_FORMATS",
]

LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
#: the Babel (CLDR) locale of each language
LOCALES = {"en": "en_CA", "fr": "fr_CA"}
#: what a missing value (None, NaN, NaT) is shown as
MISSING = "–"
CATALOGUE_FILE = Path(__file__).with_name("messages.toml")


def check_language(language: str) -> str:
    """``language`` if it is one of :data:`LANGUAGES`; else a ValueError naming the choices."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return language


# ---------------------------------------------------------------------------------------------
# the catalogue


def load_catalogue(source: str) -> dict[str, dict[str, str]]:
    """Parse catalogue TOML text into ``{key: {"en": ..., "fr": ...}}``; a key is the dotted path of
    its table (``[staff.title]`` -> ``"staff.title"``). A table holding only ``en``/``fr`` strings is
    an entry; anything else is a section. Raises ValueError for a value that is neither."""
    out: dict[str, dict[str, str]] = {}

    def walk(table: Mapping[str, Any], prefix: str) -> None:
        for name, value in table.items():
            key = prefix + name
            if not isinstance(value, dict):
                raise ValueError(f"messages: {key} = {value!r}: expected a table with en and fr texts")
            if value and set(value) <= set(LANGUAGES) and all(isinstance(v, str) for v in value.values()):
                out[key] = dict(value)
            else:
                walk(value, key + ".")

    walk(tomllib.loads(source), "")
    return out


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """The catalogue (read once): ``{key: {"en": text, "fr": text}}``, read-only."""
    data = load_catalogue(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return MappingProxyType({k: MappingProxyType(v) for k, v in data.items()})


def has(key: str) -> bool:
    """Whether ``key`` is in the catalogue."""
    return key in catalogue()


def keys(prefix: str = "") -> list[str]:
    """The catalogue's keys starting with ``prefix``, in file order."""
    return [k for k in catalogue() if k.startswith(prefix)]


def placeholders(template: str) -> set[str]:
    """The field names of a format template: ``"{n} of {total:,}"`` -> ``{"n", "total"}``."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


def problems(entries: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Every defect of a catalogue, as sentences: a language missing or empty, placeholders that
    differ between the languages, a template Python cannot parse. Empty when all is well."""
    found = []
    for key, entry in entries.items():
        for lang in LANGUAGES:
            value = entry.get(lang)
            if not isinstance(value, str) or not value.strip():
                found.append(f"{key}: no {LANGUAGE_NAMES[lang]} text")
        if all(isinstance(entry.get(lang), str) for lang in LANGUAGES):
            try:
                en, fr = placeholders(entry["en"]), placeholders(entry["fr"])
            except ValueError as exc:
                found.append(f"{key}: not a valid template ({exc})")
                continue
            if en != fr:
                found.append(f"{key}: placeholders differ: en {sorted(en)}, fr {sorted(fr)}")
    return found


def text(key: str, language: str = "en", /, **values: Any) -> str:
    """The text of ``key`` in ``language``; with ``values``, its placeholders filled the locale's way
    (:func:`format_text`). KeyError for an unknown key (a bug: add it to messages.toml)."""
    entry = catalogue()[key]
    template = entry.get(check_language(language)) or entry["en"]
    return format_text(template, language, **values) if values else template


# ---------------------------------------------------------------------------------------------
# numbers


@functools.cache
def _symbols(language: str) -> tuple[str, str, str, str]:
    """(decimal, group, percent prefix, percent suffix) of the language's locale, from CLDR."""
    loc = LOCALES[check_language(language)]
    pattern = Locale.parse(loc).percent_formats[None].pattern  # "#,##0 %" (fr_CA, no-break space)
    first, last = pattern.find("#") if "#" in pattern else pattern.find("0"), pattern.rfind("0")
    return numbers.get_decimal_symbol(loc), numbers.get_group_symbol(loc), pattern[:first], pattern[last + 1:]


def _missing(value: Any) -> bool:
    """None, NaN or NaT (``x != x`` holds for NaN and NaT only)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _decimal(value: Any, decimals: int) -> Decimal:
    """``value`` rounded as Python's format does (``f"{value:.{decimals}f}"``), as a Decimal."""
    return Decimal(format(float(value), f".{decimals}f"))


def _pattern(decimals: int, grouping: bool) -> str:
    base = "#,##0" if grouping else "0"
    return base + ("." + "0" * decimals if decimals > 0 else "")


def fmt_number(value: Any, language: str = "en", *, decimals: int = 0, grouping: bool = True) -> str:
    """A number the locale's way: ``fmt_number(28043, "fr")`` is ``"28 043"`` (no-break space),
    ``fmt_number(3.5, "fr", decimals=1)`` ``"3,5"``; ``–`` when missing; ``∞`` for infinity."""
    if _missing(value):
        return MISSING
    if isinstance(value, float) and math.isinf(value):
        return "-∞" if value < 0 else "∞"
    return numbers.format_decimal(_decimal(value, decimals), format=_pattern(decimals, grouping),
                                  locale=LOCALES[check_language(language)], decimal_quantization=True)


def fmt_percent(share: Any, language: str = "en", *, decimals: int = 1) -> str:
    """A share in [0, 1] as a percentage: ``fmt_percent(0.581, "fr")`` is ``"58,1 %"``, ``"58.1%"``
    in English; ``–`` when missing."""
    if _missing(share):
        return MISSING
    digits = Decimal(format(float(share), f".{decimals}%")[:-1]) / 100
    _, _, prefix, suffix = _symbols(language)
    pattern = prefix + _pattern(decimals, True) + suffix
    return numbers.format_percent(digits, format=pattern, locale=LOCALES[language], decimal_quantization=True)


def fmt_money(value: Any, language: str = "en", *, decimals: int = 2, currency: str | None = None) -> str:
    """An amount with ``decimals`` decimals (``1 234,50``); with a currency code, its symbol where the
    locale puts it (``fmt_money(1234.5, "fr", currency="CAD")`` is ``"1 234,50 $"``)."""
    if _missing(value):
        return MISSING
    if currency is None:
        return fmt_number(value, language, decimals=decimals)
    return numbers.format_currency(_decimal(value, decimals), currency, locale=LOCALES[check_language(language)],
                                   currency_digits=False, format_type="standard", decimal_quantization=False)


class LocaleFormatter(string.Formatter):
    """``str.format`` that writes numbers the locale's way: the digits are Python's (the same
    rounding as an f-string), the decimal sign, the group separator and the percent sign the
    locale's (``{x:,.1f}`` -> ``1 234,5``, ``{s:.0%}`` -> ``58 %`` in French). Booleans, text and
    other objects are formatted as usual; NaN and None with a numeric format are ``–``."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = check_language(language)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, bool) or not _is_number(value):
            if value is None and format_spec:
                return MISSING
            return super().format_field(value, format_spec)
        value = value.item() if hasattr(value, "item") else value
        if isinstance(value, float) and value != value:
            return MISSING
        return _localize(format(value, format_spec), self.language, percent=format_spec.endswith("%"))


def _is_number(value: Any) -> bool:
    import numbers as _numbers

    return isinstance(value, _numbers.Number) and not isinstance(value, complex)


def _localize(formatted: str, language: str, *, percent: bool) -> str:
    """Python's number text (``1,234.5``, ``58.1%``) with the locale's symbols."""
    decimal, group, prefix, suffix = _symbols(language)
    marks: dict[str, str | int | None] = {",": group, ".": decimal}
    if percent and formatted.endswith("%"):
        formatted = formatted[:-1]
        body = formatted.translate(str.maketrans(marks))
        sign = body[:1] if body[:1] in "+-" else ""
        return sign + prefix + body[len(sign):] + suffix
    return formatted.translate(str.maketrans(marks))


def format_text(template: str, language: str = "en", /, **values: Any) -> str:
    """``template.format(**values)`` with numbers written the locale's way (:class:`LocaleFormatter`)."""
    return LocaleFormatter(language).vformat(template, (), values)


# ---------------------------------------------------------------------------------------------
# dates, times, durations

#: 24-hour times: ``14:30`` in English, ``14 h 30`` in French (CLDR fr_CA's short time)
_TIME_PATTERN = {"en": "HH:mm", "fr": "HH 'h' mm"}
#: a weekday and a date without the year: ``Thu, Jan 2`` / ``jeu. 2 janv.`` (CLDR skeleton MMMEd)
_DATE_STYLES = {"weekday": "MMMEd", "day": "MMMd", "month": "yMMM"}


def _timestamp(value: Any) -> _dt.datetime:
    import pandas as pd

    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:  # the wall-clock time where it happened
        ts = ts.tz_localize(None)
    return ts.to_pydatetime()


def fmt_date(value: Any, language: str = "en", *, style: str = "weekday") -> str:
    """A date: ``style="weekday"`` ``jeu. 2 janv.`` / ``Thu, Jan 2``; ``"day"`` ``2 janv.``;
    ``"long"`` ``jeudi 2 janvier 2025``; ``"month"`` ``janv. 2025``; ``"iso"`` ``2025-01-02``.
    tz-aware timestamps are shown in their own wall-clock time; ``–`` when missing."""
    if _missing(value):
        return MISSING
    ts = _timestamp(value)
    if style == "iso":
        return ts.strftime("%Y-%m-%d")
    if style == "long":
        return dates.format_date(ts, "full", locale=LOCALES[check_language(language)])
    if style not in _DATE_STYLES:
        raise ValueError(f"style must be one of {(*_DATE_STYLES, 'long', 'iso')}, got {style!r}")
    return dates.format_skeleton(_DATE_STYLES[style], ts, locale=LOCALES[check_language(language)])


def fmt_time(value: Any, language: str = "en") -> str:
    """A time of day on the 24-hour clock: ``14 h 30`` in French, ``14:30`` in English."""
    if _missing(value):
        return MISSING
    return dates.format_time(_timestamp(value), _TIME_PATTERN[check_language(language)],
                             locale=LOCALES[language])


def fmt_datetime(value: Any, language: str = "en", *, style: str = "weekday") -> str:
    """A date and a time: ``jeu. 2 janv. 14 h 30`` / ``Thu, Jan 2, 14:30`` (the locale's glue)."""
    if _missing(value):
        return MISSING
    glue = Locale.parse(LOCALES[check_language(language)]).datetime_formats["short"]
    return glue.replace("{1}", fmt_date(value, language, style=style)).replace("{0}", fmt_time(value, language))


def fmt_count(value: Any, unit: str, language: str = "en", *, decimals: int = 0) -> str:
    """A counted quantity with its unit word, singular or plural by the language's rule (CLDR):
    ``fmt_count(1, "day", "fr")`` is ``"1 jour"``, ``fmt_count(2, "day", "fr")`` ``"2 jours"``.
    ``unit``: a CLDR unit such as ``"day"``, ``"hour"``, ``"minute"``, ``"week"``, ``"month"``."""
    if _missing(value):
        return MISSING
    amount = _decimal(value, decimals)
    return units.format_unit(amount, _unit_id(unit), length="long", format=_pattern(decimals, True),
                             locale=LOCALES[check_language(language)])


def _unit_id(unit: str) -> str:
    return unit if "-" in unit else f"duration-{unit}"


def fmt_duration(seconds: Any, language: str = "en", *, decimals: int = 0) -> str:
    """A duration in seconds, in the largest sensible units (SI symbols, the same in both languages):
    ``37 s``, ``2 min 5 s``, ``1 h 30 min``; a day or more is counted in words (``2 jours 3 h``).
    ``decimals`` applies below a minute (``37,4 s``)."""
    if _missing(seconds):
        return MISSING
    s = float(seconds)
    sign, s = ("-" if s < 0 else ""), abs(s)
    if s < 60:
        return f"{sign}{fmt_number(s, language, decimals=decimals)}\u00a0s"
    total = int(round(s))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        parts = [fmt_count(days, "day", language)] + ([f"{hours}\u00a0h"] if hours else [])
    elif hours:
        parts = [f"{hours}\u00a0h"] + ([f"{minutes}\u00a0min"] if minutes else [])
    else:
        parts = [f"{minutes}\u00a0min"] + ([f"{secs}\u00a0s"] if secs else [])
    return sign + " ".join(parts)


#: display kinds of exported values and how each is shown
KINDS = ("pct", "sec", "int", "num", "money", "datetime", "date", "text")


def fmt_value(value: Any, kind: str, language: str = "en") -> str:
    """A value shown by its display kind: ``pct`` (a share, ``58,1 %``), ``sec`` (seconds,
    ``37,4 s``), ``int`` (``28 043``), ``num`` (one decimal), ``money`` (two decimals),
    ``datetime``, ``date`` (ISO), ``text`` (``str``; None is ``–``)."""
    if _missing(value):
        return MISSING
    if kind == "text" or isinstance(value, (str, bool)):
        return str(value)
    if kind == "pct":
        return fmt_percent(value, language)
    if kind == "sec":
        return f"{fmt_number(value, language, decimals=1)}\u00a0s"
    if kind == "int":
        return fmt_number(round(float(value)), language)
    if kind == "num":
        return fmt_number(value, language, decimals=1)
    if kind == "money":
        return fmt_money(value, language)
    if kind == "datetime":
        return fmt_datetime(value, language)
    if kind == "date":
        return fmt_date(value, language, style="iso")
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


# ---------------------------------------------------------------------------------------------
# charts (Vega-Lite / Altair): d3 locales and axis formats

#: d3-time-format axis formats, 24-hour clock: ``hour`` for ticks within a day, ``day`` at each
#: day's start, ``date`` for sparse day ticks on long horizons
VEGA_TIME_FORMATS = {
    "en": {"hour": "%H:%M", "day": "%a %b %-d", "date": "%b %-d", "month": "%b %Y"},
    "fr": {"hour": "%H h %M", "day": "%a %-d %b", "date": "%-d %b", "month": "%b %Y"},
}


@functools.cache
def _vega(language: str) -> dict[str, dict[str, Any]]:
    loc = Locale.parse(LOCALES[check_language(language)])
    decimal, group, prefix, suffix = _symbols(language)
    currency = loc.currency_formats["standard"].pattern  # "¤#,##0.00" / "#,##0.00 ¤"
    symbol = numbers.get_currency_symbol("CAD", locale=LOCALES[language])
    before, _, after = currency.partition("#")
    after = after[after.rfind("0") + 1:] if "0" in after else after
    number = {"decimal": decimal, "thousands": group, "grouping": [3],
              "currency": [before.replace("¤", symbol), after.replace("¤", symbol)],
              "percent": suffix, "minus": numbers.get_minus_sign_symbol(LOCALES[language]), "nan": MISSING}
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # CLDR numbers days from Monday, d3 from Sunday
    days, months = loc.days["format"], loc.months["format"]
    time = {"dateTime": "%a %-d %b %Y %H:%M:%S" if language == "fr" else "%a, %b %-d, %Y, %H:%M:%S",
            "date": "%Y-%m-%d", "time": "%H:%M:%S",
            "periods": [loc.day_periods["format"]["abbreviated"].get(p, p) for p in ("am", "pm")],
            "days": [days["wide"][i] for i in sunday_first],
            "shortDays": [days["abbreviated"][i] for i in sunday_first],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i] for i in range(1, 13)]}
    return {"number": number, "time": time}


def vega_locale(language: str = "en") -> dict[str, dict[str, Any]]:
    """The d3 locales of ``language`` for Vega-Lite charts, from CLDR:
    ``{"number": d3-format locale, "time": d3-time-format locale}``.

    Use as Vega-Lite's ``config.locale`` (Altair: ``chart.configure(locale=vega_locale("fr"))``,
    which ``st.altair_chart`` passes through), or give the two parts to vl-convert /
    vega-embed as ``format_locale`` / ``time_format_locale`` (``formatLocale`` /
    ``timeFormatLocale``). French: decimal comma, no-break space between thousands, ``58,1 %``,
    day and month names ``jeu.``, ``janv.``. Pair with :data:`VEGA_TIME_FORMATS` for 24-hour axes.
    A fresh copy each call."""
    import copy

    return copy.deepcopy(_vega(language))
