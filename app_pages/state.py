"""Session state of the planner's app, its defaults, and the cached calls into the packages.

Nothing here models anything: demand comes from :mod:`forecast`, queues, staffing and exports
from :mod:`simulate`. This module only decides *which* call to make with *which* inputs, keeps
the planner's scenarios between page switches, and caches results (``st.cache_data``) keyed on
the small inputs that matter (a :class:`DemandSpec`, a :class:`simulate.Scenario`, a
:class:`simulate.StaffingPlan`), never on a large frame.

Three separate things, as in :mod:`simulate`: the *demand* (the bundled history or an upload,
forecast over the horizon, with a surge), each scenario's *policy* (:class:`simulate.Scenario`) and
its *staffing rule* (a plain dict, see :func:`plan_for`): rules, not vectors, so a new upload,
horizon or surge re-evaluates every scenario's staffing ("+25%" stays 25% above its base).

Session keys (``st.session_state``):
  ``scenarios``  list of ``{"uid": int, "scenario": Scenario, "staffing": rule dict, "label": {en, fr} | None}``;
                 ``label`` names a ready scenario in both languages until the planner renames it.
  ``next_uid``   the next scenario id (widget keys are ``<field>_<uid>``, stable across edits).
  ``cfg``        demand settings (horizon, model, holidays, surge, planning interval, daily spread),
                 the source of truth for the Demand page's widgets.
  ``upload``     ``(file name, bytes)`` of an uploaded history, or None for the bundled data.

Staffing rules (``entry["staffing"]``), each re-evaluated on the current demand:
  ``{"sized": "erlang_a"}`` (or erlang_c, simulation), ``{"relative_to": uid, "factor": 1.25, "add": 0}``,
  ``{"agents": 40}``, ``{"pattern": {"Mon-Fri 08:00-20:00": 40}}``, ``{"table": [[ds, agents], ...]}``,
  and for a scenario with agent groups ``{"groups": {"en": {"agents": 20}, "fr": {"pattern": {...}}, ...}}``
  (one rule per group; "sized" sizes the groups together; "relative" scales each group of its base).

Both official languages (issue 15). A scenario *answers in both languages* when its call types are
those of ``data/scenarios/bilingual.toml`` (English and French, skills en and fr); the app then
simulates it on the demand split by language: by interval when the history has a series per
language (series named after the call types), else with its French call type's share, which the
Demand page sets in every such scenario (``cfg["french_share"]``; a new share leaves the demand,
and so every other scenario's figures, as they were). Other scenarios see the calls of both
languages together, as one line.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import tomllib
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import forecast
import simulate
from forecast import limits
from simulate.demand import interval_of, planning_interval

ROOT = Path(__file__).resolve().parent.parent
INTRADAY = ROOT / "data" / "passport" / "passport_intraday_30min.csv"
DAILY = ROOT / "data" / "passport" / "passport_daily.csv"
SCENARIO_DIR = ROOT / "data" / "scenarios"
READY_FILE = SCENARIO_DIR / "ready.toml"
#: the bundled policy that answers in English and in French (call types, agent groups, routing)
BILINGUAL_FILE = SCENARIO_DIR / "bilingual.toml"

REPLICATIONS = 5
SEED = 0
ENGINE = "auto"
MODELS = ("auto", *sorted(forecast.MODELS))
SURGE_SHAPES = ("linear", "smooth", "exponential")
SURGE_MODES = ("none", "custom", "replay")
INTERVAL_CHOICES = ("auto", "15min", "30min", "60min")
SPREAD_MODES = ("profile", "hours")
MAX_HORIZON_DAYS = 56  # the app's forecast horizon (days); forecast.limits.MAX_HORIZON_DAYS bounds the API
MAX_SCENARIOS = limits.MAX_SCENARIOS
#: the 2022 episode replayed by "replay 2022" (daily calls of the bundled history)
REPLAY_START, REPLAY_END = "2022-03-01", "2022-12-31"

DEFAULT_CFG: dict[str, Any] = {
    "horizon_days": 7,
    "model": "auto",
    "holidays": "CA",
    "interval": "auto",
    "spread": "profile",
    "opening_hours": "Mon-Fri 08:00-20:00",
    "surge_mode": "none",
    "surge_start": None,  # None = the first forecast day
    "surge_peak": 1.5,
    "surge_ramp": 2,
    "surge_plateau": 3,
    "surge_decay": 2,
    "surge_shape": "linear",
    "replay_offset": 120,
    "replay_peak": 1.5,
    "french_share": None,  # None = the bundled bilingual policy's share (see french_share())
}

QUERY_KEY = "s"
LANG_KEY = "lang"
LANGS = ("en", "fr")

#: rows of the Compare page's KPI table, in order (names of simulate.METRICS; "cost" is added by the app)
KPI_ROWS = ("service_level", "asa_s", "p90_wait_s", "abandon_rate", "blocked", "got_through_rate",
            "attempts_per_caller", "occupancy", "callbacks", "contained", "attempts", "cost")
#: staffing methods offered (simulate.staffing.METHODS) and shift-length choices for simulate.schedule
STAFF_METHODS = ("auto", "erlang_a", "erlang_c", "simulation")
SHIFT_CHOICES = {"8h": ("8h",), "8h+4h": ("8h", "4h"), "7.5h": ("7.5h",), "10h+6h": ("10h", "6h")}
#: kinds of staffing rule the Scenarios page offers
STAFFING_KINDS = ("sized", "relative", "agents", "pattern", "table")
#: kinds of staffing rule for a scenario with agent groups (one-pool rules cannot staff groups)
GROUP_STAFFING_KINDS = ("sized", "relative", "groups")

#: the Scenarios page's inputs, grouped as the page shows them: widget field -> (Scenario field,
#: display unit, lowest, highest, step, group). "pct" fields are shares shown in percent; bounds
#: come from forecast.limits where a limit exists, so a value the widget could not show is refused
#: at the door (share link, scenario file) with a sentence instead of being clipped (issue 19).
FIELDS: dict[str, tuple[str, str, float, float, float, str]] = {
    "aht": ("aht", "s", limits.MIN_AHT_S, limits.MAX_AHT_S, 10.0, "handle"),
    "ahtcv": ("aht_cv", "x", limits.MIN_CV, limits.MAX_CV, 0.1, "handle"),
    "patience": ("patience", "s0", 0.0, limits.MAX_PATIENCE_S, 10.0, "patience"),
    "redial": ("redial_prob", "pct", 0.0, 1.0, 5.0, "patience"),
    "redialdelay": ("redial_delay", "s", 0.0, 7 * 86400.0, 60.0, "patience"),
    "maxatt": ("max_attempts", "int", 1, limits.MAX_ATTEMPTS, 1, "patience"),
    "lines": ("lines", "int0", 0, 1_000_000, 10, "lines"),
    "ivr": ("ivr_containment", "pct", 0.0, 1.0, 5.0, "lines"),
    "ivrtime": ("ivr_time", "s", 0.0, limits.MAX_AHT_S, 10.0, "lines"),
    "ivrfactor": ("residual_aht_factor", "x", 0.1, 5.0, 0.05, "lines"),
    "cbthr": ("callback_threshold", "s", 0.0, limits.MAX_PATIENCE_S, 30.0, "callbacks"),
    "cbaccept": ("callback_accept", "pct", 0.0, 1.0, 5.0, "callbacks"),
    "slthr": ("sl_threshold", "s", 0.0, limits.MAX_PATIENCE_S, 5.0, "targets"),
    "sltgt": ("sl_target", "pct", 0.0, 1.0, 1.0, "targets"),
    "shrink": ("shrinkage", "pct", 0.0, 0.95, 1.0, "targets"),
    "paidweek": ("paid_hours_per_week", "h", 1.0, 168.0, 0.5, "targets"),
    "cost": ("hourly_cost", "money", 0.0, 10_000.0, 1.0, "targets"),
}
#: the groups of inputs, in the order of the page's tabs
GROUPS = ("staffing", "handle", "patience", "lines", "callbacks", "targets")
#: agents a staffing rule may put on duty in one interval (the constant widget's range)
AGENTS_RANGE = (0, limits.MAX_AGENTS)


def out_of_range(scenario: simulate.Scenario, rule: dict | None = None) -> list[tuple[str, float, float, float]]:
    """The scenario's values (and the staffing rule's agents) that the page's widgets cannot show:
    ``[(field, value, lowest, highest), ...]`` in the widgets' units (shares as shares)."""
    bad = []
    for field, (attr, _unit, lo, hi, _step, _group) in FIELDS.items():
        value = getattr(scenario, attr)
        if value is None:
            continue
        v = float(value)
        if not (lo <= v <= hi):
            bad.append((field, v, float(lo), float(hi)))
    if rule:
        for c in _rule_counts(rule):
            try:
                v = float(c)
            except (TypeError, ValueError):
                continue
            if not (AGENTS_RANGE[0] <= v <= AGENTS_RANGE[1]):
                bad.append(("agents", v, float(AGENTS_RANGE[0]), float(AGENTS_RANGE[1])))
                break
    return bad


def _rule_counts(rule: Any) -> list:
    """Every agent count a staffing rule states (constant, pattern, table, and inside each group's rule)."""
    if not isinstance(rule, dict):
        return []
    counts: list = []
    if "agents" in rule:
        counts.append(rule["agents"])
    pattern = rule.get("pattern")
    counts += list(pattern.values()) if isinstance(pattern, dict) else []
    table = rule.get("table")
    counts += [row[-1] for row in table or [] if isinstance(row, (list, tuple)) and len(row) > 1] \
        if isinstance(table, list) else []
    groups = rule.get("groups")
    for sub in (groups.values() if isinstance(groups, dict) else ()):
        counts += [sub] if not isinstance(sub, dict) else _rule_counts(sub)
    return counts


def check_door(scenario: simulate.Scenario, rule: dict | None, subject: str) -> None:
    """Refuse a scenario (from a link or a file) whose name is too long or whose values the page
    could not show: ValueError with a sentence in the page's language naming the field, the value
    and the range (forecast.limits)."""
    from app_pages.i18n import fmt_number, t

    if len(scenario.name) > limits.MAX_NAME_LENGTH:
        raise ValueError(t("door.name_too_long", subject=subject, n=len(scenario.name), max=limits.MAX_NAME_LENGTH))
    for field, value, lo, hi in out_of_range(scenario, rule):
        label = t("scen.st_agents") if field == "agents" else t(f"scen.{field}")
        def num(v: float) -> str:
            return fmt_number(v, decimals=0 if float(v).is_integer() else 2)

        raise ValueError(t("door.out_of_range", subject=subject, field=label, value=num(value), lo=num(lo), hi=num(hi)))


# ----------------------------------------------------------------------------- value objects
@dataclass(frozen=True)
class DemandSpec:
    """Everything the demand depends on: a small, hashable cache key."""

    upload_name: str | None
    upload_digest: str | None
    horizon_days: int
    model: str
    holidays: str | None
    surge: tuple
    interval: str
    spread: tuple
    #: "bundled" | "upload" (a history, forecast) | "records" (a call log's own demand, calibrated)
    source: str = "bundled"
    #: the calibration's settings (records only): see :func:`calibration`
    records: tuple = ()


@dataclass(frozen=True)
class ScenarioError:
    uid: int
    message: str


# ----------------------------------------------------------------------------- cached package calls
@st.cache_data(show_spinner=False, max_entries=8)
def load_history(upload_name: str | None, data: bytes | None) -> tuple[pd.DataFrame, list[str]]:
    """The history (bundled intraday calls, or an upload) read by forecast.read_history, with its warnings.

    Raises forecast.DataError (plain words: file, row, column) for bad data."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", forecast.DataWarning)
        if data is None:
            frame = forecast.read_history(INTRADAY)
        else:
            frame = _read_upload(upload_name or "upload.csv", data)
    notes = [str(w.message) for w in caught if issubclass(w.category, forecast.DataWarning)]
    return frame, notes


def _read_upload(name: str, data: bytes) -> pd.DataFrame:
    """forecast.read_history on uploaded bytes, the file named as the planner knows it."""
    return forecast.read_history(data, name=name)


def calls_series(history: pd.DataFrame) -> str | None:
    """The series the app forecasts: the only one, or "calls"; a handle-time series is not a volume."""
    names = [str(n) for n in pd.unique(history["series"])] if "series" in history.columns else []
    volume = [n for n in names if n != "aht_s" and not n.endswith("_aht_s")]
    if len(names) <= 1:
        return None
    if "calls" in volume:
        return "calls"
    return volume[0] if volume else names[0]


# ----------------------------------------------------------------------------- both official languages
@st.cache_resource(show_spinner=False)
def bilingual_policy() -> simulate.Scenario:
    """The bundled policy answering in English and in French (data/scenarios/bilingual.toml)."""
    return simulate.Scenario.load(BILINGUAL_FILE)


def language_types() -> tuple[str, str]:
    """The call types of the bilingual policy: (the English one, the French one), by their skills."""
    types = bilingual_policy().call_types
    french = next(t.name for t in types if t.skill_name == "fr")
    english = next(t.name for t in types if t.name != french)
    return english, french


def default_french_share() -> float:
    """The bilingual policy's share of French callers (its file says where it comes from)."""
    return next(t.share for t in bilingual_policy().call_types if t.name == language_types()[1])


def french_share() -> float:
    """The planner's share of French callers (Demand page), else the bilingual policy's."""
    value = st.session_state.get("cfg", {}).get("french_share")
    return default_french_share() if value is None else float(value)


def is_bilingual(scenario: simulate.Scenario) -> bool:
    """True when the scenario answers callers by language: its call types are the bilingual policy's."""
    return {t.name for t in scenario.call_types} == set(language_types())


def editable_languages(scenario: simulate.Scenario) -> bool:
    """True when the Scenarios page can edit the scenario's languages: the bilingual policy's call
    types and skills, and agent groups among its English-only, French-only and bilingual groups."""
    if not scenario.call_types:
        return True  # one line: the page can turn languages on
    pol = bilingual_policy()
    skills = {t.name: t.skill_name for t in pol.call_types}
    if {t.name: t.skill_name for t in scenario.call_types} != skills:
        return False
    known = {g.name: set(g.skills) for g in pol.agent_groups}
    return bool(scenario.agent_groups) and all(known.get(g.name) == set(g.skills) for g in scenario.agent_groups)


def with_languages(scenario: simulate.Scenario, share: float) -> simulate.Scenario:
    """The scenario answering in both languages: the bilingual policy's call types (French share
    ``share``), agent groups (English-only and French-only at the scenario's hourly cost, bilingual
    agents with the policy's premium on top) and routing."""
    pol = bilingual_policy()
    share = float(min(max(share, 0.0), 1.0))
    french = language_types()[1]
    types = tuple(dataclasses.replace(t, share=share if t.name == french else 1.0 - share) for t in pol.call_types)
    groups = []
    for g in pol.agent_groups:
        premium = None if g.hourly_cost is None else g.hourly_cost - pol.hourly_cost
        cost = None if premium is None else round(scenario.hourly_cost + premium, 2)
        groups.append(dataclasses.replace(g, hourly_cost=cost))
    return scenario.replace(call_types=types, agent_groups=tuple(groups), pick=pol.pick,
                            overflow_after=pol.overflow_after)


def one_line(scenario: simulate.Scenario) -> simulate.Scenario:
    """The scenario with one pool of agents answering every caller (no call types, no groups)."""
    return scenario.replace(call_types=(), agent_groups=(), pick="priority", overflow_after=None)


def with_french_share(scenario: simulate.Scenario, share: float) -> simulate.Scenario:
    """A bilingual scenario with its call types' shares set to ``share`` French callers."""
    if not is_bilingual(scenario):
        return scenario
    french = language_types()[1]
    types = tuple(dataclasses.replace(t, share=share if t.name == french else 1.0 - share)
                  for t in scenario.call_types)
    return scenario if types == scenario.call_types else scenario.replace(call_types=types)


def language_series(history: pd.DataFrame) -> tuple[str, ...] | None:
    """The history's series per language (named after the bilingual policy's call types, e.g.
    English and French), or None when it has no such split."""
    if "series" not in history.columns:
        return None
    names = {str(n) for n in pd.unique(history["series"])}
    types = language_types()
    return types if set(types) <= names else None


def history_calls(history: pd.DataFrame) -> pd.DataFrame:
    """``ds, y`` of the calls the app forecasts: the calls series, or the languages' series summed."""
    langs = language_series(history)
    if langs is not None:
        part = history[history["series"].isin(langs)]
        return part.groupby("ds", as_index=False)["y"].sum()
    series = calls_series(history)
    part = history if series is None or "series" not in history.columns else history[history["series"] == series]
    return part[["ds", "y"]]


def _sum_languages(fc: pd.DataFrame) -> pd.DataFrame:
    """A forecast of several language series as one: calls and bands summed per timestamp (the
    bands of a sum are at most the sum of the bands: a cautious band), handle time weighted by the
    calls; the per-language forecast kept in ``attrs["language_calls"]`` (series, ds, yhat)."""
    value_cols = [c for c in fc.columns if c.startswith("yhat")]
    parts = fc.copy()
    if "aht_s" in parts.columns:
        parts["_work"] = parts["aht_s"].fillna(0.0) * parts["yhat"]
    total = parts.groupby("ds", as_index=False, sort=True)[value_cols + (["_work"] if "_work" in parts else [])].sum()
    if "_work" in total.columns:
        total["aht_s"] = np.where(total["yhat"] > 0, total["_work"] / total["yhat"].where(total["yhat"] > 0, 1.0),
                                  np.nan)
        total = total.drop(columns="_work")
    total.insert(0, "series", "calls")
    if "model" in fc.columns:
        total["model"] = str(fc["model"].iloc[0])
    total.attrs = dict(fc.attrs)
    total.attrs["language_calls"] = fc[["series", "ds", "yhat"]].reset_index(drop=True)
    return total


def history_grain_s(history: pd.DataFrame) -> float:
    """The grain of the history's calls series in seconds (the one rule: simulate.demand.interval_of)."""
    series = calls_series(history)
    part = history if series is None else history[history["series"] == series]
    return interval_of(pd.DatetimeIndex(pd.to_datetime(part["ds"])))


def planning_interval_s(history: pd.DataFrame, choice: str) -> float:
    """The planning interval (s): the planner's choice, or the default for the history's grain
    (simulate.demand.planning_interval); 30 minutes for a daily history spread over the day."""
    grain = history_grain_s(history)
    if grain >= 86400 - 1e-6:
        return 1800.0 if choice == "auto" else planning_interval(300.0, choice)
    return planning_interval(grain, None if choice == "auto" else choice)


@st.cache_data(show_spinner=False, max_entries=8)
def forecast_frame(spec: DemandSpec, data: bytes | None) -> pd.DataFrame:
    """forecast.forecast of the history's calls series over the horizon, on the planning interval.

    A daily history is forecast by day, then spread over intervals with forecast.to_intervals (the
    bundled intraday profile, or the opening hours the planner gave)."""
    history, _ = load_history(spec.upload_name, data)
    langs = language_series(history)
    series = list(langs) if langs is not None else calls_series(history)
    step = planning_interval_s(history, spec.interval)
    freq = f"{int(step // 60)}min"
    daily = history_grain_s(history) >= 86400 - 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if not daily:
            fc = forecast.forecast(history, f"{int(spec.horizon_days)}D", freq=freq, model=spec.model,
                                   holidays=spec.holidays or None, series=series)
        else:
            fc = forecast.forecast(history, f"{int(spec.horizon_days)}D", freq="D", model=spec.model,
                                   holidays=spec.holidays or None, series=series)
            mode, hours = spec.spread
            if mode == "hours":
                fc = forecast.to_intervals(fc, opening_hours=parse_opening_hours(hours), freq=freq)
            else:
                profile, _ = load_history(None, None)
                fc = forecast.to_intervals(fc, profile=profile, freq=freq)
    return _sum_languages(fc) if langs is not None else fc


def parse_opening_hours(text: str) -> dict[str, str]:
    """"Mon-Fri 08:00-20:00; Sat 09:00-13:00" -> {"Mon-Fri": "08:00-20:00", "Sat": "09:00-13:00"}."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in str(text).replace("\n", ";").split(";"))):
        days, _, hours = part.rpartition(" ")
        if not days or "-" not in hours:
            raise ValueError(f"opening hours: {part!r} should read like 'Mon-Fri 08:00-20:00'")
        out[days.strip()] = hours.strip()
    if not out:
        raise ValueError("opening hours: give at least one line such as 'Mon-Fri 08:00-20:00'")
    return out


@st.cache_data(show_spinner=False, max_entries=4)
def daily_history() -> pd.DataFrame:
    """The bundled daily passport history (applications, backlog, calls...)."""
    return forecast.read_history(DAILY)


@st.cache_resource(show_spinner=False)
def backlog_model() -> forecast.BacklogModel:
    """BacklogModel fitted once on the bundled daily history (shared, read-only)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return forecast.BacklogModel().fit(daily_history())


@st.cache_data(show_spinner=False, max_entries=32)
def backlog_projection(applications: float, capacity: float, status_deflection: float, days: int) -> pd.DataFrame:
    """BacklogModel.project from the day after the history with constant daily inputs."""
    return backlog_model().project(float(applications), float(capacity), status_deflection=float(status_deflection),
                                   periods=int(days))


@st.cache_resource(show_spinner=False)
def replay_shape() -> forecast.SurgeShape:
    """The 2022 calls surge measured on the bundled daily history (surge_from_history)."""
    return forecast.surge_from_history(daily_history(), REPLAY_START, REPLAY_END, series="calls")


def _surge_objects(surge: tuple, start: pd.Timestamp) -> list:
    """The forecast.Surge / replayed SurgeShape described by a DemandSpec.surge tuple."""
    if not surge or surge[0] == "none":
        return []
    if surge[0] == "custom":
        _, first, peak, ramp, plateau, decay, shape = surge
        begin = pd.Timestamp(first) if first else start
        if begin.tz is None and start.tz is not None:
            begin = begin.tz_localize(start.tz)
        return [forecast.Surge(start=begin, peak=peak, ramp_up=f"{ramp}D", plateau=f"{plateau}D",
                               decay=f"{decay}D", shape=shape)]
    _, offset, peak = surge
    return [replay_shape().replay(start.normalize() - pd.Timedelta(days=int(offset)), peak=peak)]


@st.cache_data(show_spinner=False, max_entries=4)
def calibration(name: str, data: bytes, settings: tuple) -> Any:
    """simulate.calibrate of an uploaded call log (bytes read by the package, named as uploaded).

    settings: (interval "15min"|"30min"|"60min", sl_threshold s, on_error "raise"|"skip", empty texts
    (tuple), column mapping (tuple of (contract name, file column)))."""
    interval, threshold, on_error, empty, columns = settings
    return simulate.calibrate(data, name=name, interval=interval, sl_threshold=float(threshold),
                              on_error=on_error, empty=list(empty), columns=dict(columns) or None)


def records_frame(spec: DemandSpec, data: bytes) -> pd.DataFrame:
    """The calibrated log's demand as a forecast-shaped frame (ds, yhat and bands equal to yhat: the
    month as it was lived, no uncertainty to draw from)."""
    frame = calibration(spec.upload_name, data, spec.records).demand.to_frame()
    calls = frame["calls"].astype(float)
    out = pd.DataFrame({"ds": frame["ds"], "yhat": calls})
    for c in ("yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"):
        out[c] = calls
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def demand_frame(spec: DemandSpec, data: bytes | None) -> pd.DataFrame:
    """The forecast with the surge applied (forecast.apply_surge): the demand every scenario uses."""
    if spec.source == "records":
        return records_frame(spec, data)
    fc = forecast_frame(spec, data)
    surges = _surge_objects(spec.surge, pd.Timestamp(fc["ds"].iloc[0]))
    out = forecast.apply_surge(fc, surges) if surges else fc
    out.attrs = {}  # the model's backtest tables stay with forecast_frame; the demand needs none
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def demand(spec: DemandSpec, data: bytes | None) -> simulate.Demand:
    """The demand (simulate.Demand) of the current settings (a calibrated log's own demand, with its
    handle time per interval and call-type mix, when the planner uses their call records)."""
    if spec.source == "records":
        return calibration(spec.upload_name, data, spec.records).demand
    return simulate.Demand.from_frame(demand_frame(spec, data))


def language_share(spec: DemandSpec, data: bytes | None) -> np.ndarray | None:
    """The share of French callers per interval of the demand, from the history's series per
    language (forecast); None when the history has no such series (the planner's share applies)."""
    if spec.source == "records":
        return None
    fc = forecast_frame(spec, data)
    per = fc.attrs.get("language_calls")
    if per is None:
        return None
    d = demand(spec, data)
    french = language_types()[1]
    wide = per.pivot_table(index="ds", columns="series", values="yhat", aggfunc="sum")
    wide.index = pd.DatetimeIndex(wide.index)
    total = wide.sum(axis=1)
    share = (wide[french] / total.where(total > 0)).reindex(d.ds)
    fallback = float(wide[french].sum() / total.sum()) if total.sum() > 0 else default_french_share()
    return share.fillna(fallback).clip(0.0, 1.0).to_numpy(dtype=float)


@st.cache_data(show_spinner=False, max_entries=16)
def language_demand(spec: DemandSpec, data: bytes | None, french: float) -> simulate.Demand:
    """The demand with its calls split by language (the bilingual policy's call types): by interval
    from the history's series per language, else ``french`` of the calls in French (the scenario's
    share, which the Demand page sets). A calibrated call log that already has both call types
    keeps its own split."""
    d = demand(spec, data)
    english, french_type = language_types()
    if d.type_calls is not None and {english, french_type} <= set(d.types):
        return d
    share = language_share(spec, data)
    if share is None:
        share = np.full(len(d), float(french))
    fr = d.calls * share
    return simulate.Demand(ds=d.ds, calls=d.calls, interval_s=d.interval_s, aht_s=d.aht_s,
                           types=(english, french_type), type_calls=np.column_stack([d.calls - fr, fr]), notes=d.notes)


def demand_for(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario) -> simulate.Demand:
    """The demand a scenario is simulated and staffed on: split by language when it answers in both
    languages (its French call type's share where the history has no series per language; the
    share is the scenario's, so a new share re-runs only those scenarios), else the calls of every
    language together."""
    if not is_bilingual(scenario):
        return demand(spec, data)
    french = next(ct.share for ct in scenario.call_types if ct.name == language_types()[1])
    return language_demand(spec, data, float(french))


@st.cache_data(show_spinner=False, max_entries=64)
def agents_of(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario,
              plan: simulate.StaffingPlan) -> np.ndarray:
    """A staffing plan evaluated on the demand (agents per interval, every agent group together;
    sized plans use the scenario)."""
    return plan.agents(demand_for(spec, data, scenario), scenario)


@st.cache_data(show_spinner=False, max_entries=64)
def group_frame_of(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario,
                   plan: simulate.StaffingPlan) -> pd.DataFrame:
    """A staffing plan per agent group on the demand: ``ds, group, agents`` (StaffingPlan.group_frame)."""
    return plan.group_frame(demand_for(spec, data, scenario), scenario)


@st.cache_data(show_spinner=False, max_entries=64)
def simulate_scenario(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario,
                      plan: simulate.StaffingPlan) -> simulate.SimulationResult:
    """simulate.run on the demand with a staffing plan, engine auto, REPLICATIONS replications, seed SEED."""
    return simulate.run(demand_for(spec, data, scenario), scenario, plan, replications=REPLICATIONS, seed=SEED,
                        engine=ENGINE)


@st.cache_data(show_spinner=False, max_entries=16)
def recommendation(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario,
                   method: str) -> simulate.StaffingRecommendation:
    """simulate.staff (the recommendation, simulated on seeds the sizing never used)."""
    return simulate.staff(demand_for(spec, data, scenario), scenario, method=method, seed=SEED, engine=ENGINE)


#: replications of each sizing in "How many bilingual agents?" (simulate.compare_pools; its check on
#: unseen seeds uses twice as many)
POOL_REPLICATIONS = 4


@st.cache_data(show_spinner=False, max_entries=8)
def pool_comparison(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, start: str, end: str):
    """simulate.compare_pools on the demand's intervals from ``start`` to ``end`` (ISO timestamps,
    inclusive): separate pools against pools with bilingual agents, each sized by simulation."""
    d = demand_for(spec, data, scenario)
    keep = np.asarray((d.ds >= pd.Timestamp(start)) & (d.ds <= pd.Timestamp(end)))
    def cut(a):
        return None if a is None else a[keep]

    window = simulate.Demand(ds=d.ds[keep], calls=d.calls[keep], interval_s=d.interval_s, aht_s=cut(d.aht_s),
                             types=d.types, type_calls=cut(d.type_calls), type_aht_s=cut(d.type_aht_s))
    return simulate.compare_pools(window, scenario, replications=POOL_REPLICATIONS, seed=SEED, engine=ENGINE)


@st.cache_data(show_spinner=False, max_entries=16)
def shift_schedule(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, method: str,
                   shift_lengths: tuple[str, ...]):
    """simulate.schedule of the recommendation's requirements (cached apart: a new shift length
    does not size the staffing again)."""
    rec = recommendation(spec, data, scenario, method)
    return simulate.schedule(rec.requirements, shift_lengths=shift_lengths, time_limit=10.0)


def staffing_plan(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, method: str,
                  shift_lengths: tuple[str, ...]) -> simulate.StaffingRecommendation:
    """The recommendation with its shift schedule attached (its paid hours become the headline)."""
    rec = recommendation(spec, data, scenario, method)
    return rec.with_schedule(shift_schedule(spec, data, scenario, method, shift_lengths))


@st.cache_data(show_spinner=False, max_entries=16)
def quantile_staffing(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, method: str) -> pd.DataFrame:
    """simulate.staffing_by_quantile at P50 / P80 / P95 (the recommendation is the P50 reference)."""
    rec = recommendation(spec, data, scenario, method)
    return simulate.staffing_by_quantile(demand_frame(spec, data), scenario, quantiles=(0.5, 0.8, 0.95),
                                         method=method, reference=rec, seed=SEED, engine=ENGINE)


@st.cache_data(show_spinner=False, max_entries=16)
def risk(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario,
         plan: simulate.StaffingPlan) -> pd.DataFrame:
    """simulate.risk_of_missing for a staffing plan (10 demand draws)."""
    return simulate.risk_of_missing(demand_frame(spec, data), scenario, plan, draws=10, seed=SEED, engine=ENGINE)


# ----------------------------------------------------------------------------- exports (bytes)
def _export_name(obj: Any, name: Any) -> Any:
    """The name to print in an export: ``name`` if given; else, for a ready scenario the planner has
    not renamed, its names in both languages (so a French export says "Effectif actuel")."""
    if name is not None:
        return name
    scenario = getattr(obj, "scenario", None)
    for e in st.session_state.get("scenarios", []):
        label = e.get("label")
        if scenario is not None and label and e["scenario"].name == scenario.name == label.get("en"):
            return dict(label)
    return None


def _export_language(language: str | None) -> str:
    return language if language in LANGS else st.session_state.get(LANG_KEY, "en")


def excel_bytes(obj: Any, language: str | None = None, name: Any = None) -> bytes:
    """simulate.export.excel_bytes in the page's language (or ``language``)."""
    return simulate.export.excel_bytes(obj, language=_export_language(language), name=_export_name(obj, name))


def csv_zip_bytes(obj: Any, language: str | None = None, name: Any = None) -> bytes:
    """simulate.export.csv_bytes (a zip of one CSV file per table) in the page's language."""
    return simulate.export.csv_bytes(obj, language=_export_language(language), name=_export_name(obj, name),
                                     stem="queuecast")


def report_bytes(obj: Any, language: str | None = None, result: Any = None, name: Any = None) -> bytes:
    """simulate.export.report_html (printable HTML) in the page's language."""
    return simulate.export.report_html(obj, language=_export_language(language), result=result,
                                       name=_export_name(obj, name))


@st.cache_data(show_spinner=False, max_entries=32)
def staffing_file(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, method: str,
                  shift_lengths: tuple[str, ...], language: str, kind: str) -> bytes:
    """One of the Staffing page's files ("xlsx", "csv" or "html"), built once per recommendation,
    language and kind. The page hands the download buttons this function (deferred: a file is built
    when it is asked for, not on every rerun after an edit)."""
    rec = staffing_plan(spec, data, scenario, method, shift_lengths)
    build = {"xlsx": lambda: excel_bytes(rec, language), "csv": lambda: csv_zip_bytes(rec),
             "html": lambda: report_bytes(rec, language)}
    return build[kind]()


@st.cache_data(show_spinner=False, max_entries=16)
def group_downloads(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, plan: simulate.StaffingPlan,
                    language: str) -> dict[str, bytes]:
    """A scenario with agent groups, its files built once per staffing and language: the simulation
    ("xlsx", "csv": simulate.export) and its staffing per group ("plan": CSV ``ds, group, agents``,
    the table ``StaffingPlan.table`` and ``queuecast simulate --staffing`` read back)."""
    res = simulate_scenario(spec, data, scenario, plan)
    return {"xlsx": excel_bytes(res, language), "csv": csv_zip_bytes(res),
            "plan": group_plan_csv(group_frame_of(spec, data, scenario, plan))}


def group_plan_csv(frame: pd.DataFrame) -> bytes:
    """A staffing per agent group (``ds, group, agents``) as CSV through the one output writer
    (formula-like text escaped), timestamps ISO with their offset: machine-readable, so the same in
    both languages."""
    from forecast import writers

    out = frame[["ds", "group", "agents"]].copy()
    out["agents"] = out["agents"].astype(int)
    return writers.csv_bytes(out)


@st.cache_data(show_spinner=False, max_entries=32)
def comparison_file(spec: DemandSpec, data: bytes | None, runs: tuple, language: str, kind: str) -> bytes:
    """One of the Compare page's files ("xlsx" or "csv"), built once per set of results, language and
    kind, when it is asked for (the page's download buttons are handed this function).

    runs: ((shown name, Scenario, StaffingPlan), ...); each result comes from simulate_scenario's cache."""
    results = {name: simulate_scenario(spec, data, sc, plan) for name, sc, plan in runs}
    return excel_bytes(results, language) if kind == "xlsx" else csv_zip_bytes(results)


# ----------------------------------------------------------------------------- session state
def init() -> None:
    """Fill session state with defaults once per session (from the URL when it carries a state)."""
    ss = st.session_state
    if "cfg" not in ss:
        ss["cfg"] = dict(DEFAULT_CFG)
    if "upload" not in ss:
        ss["upload"] = None
    if LANG_KEY not in ss:
        lang = st.query_params.get(LANG_KEY, "en")
        ss[LANG_KEY] = lang if lang in LANGS else "en"
    if "scenarios" not in ss:
        ss["next_uid"] = 0
        ss["scenarios"] = []
        ss["url_error"] = None
        ss["url_upload"] = None
        loaded = False
        if QUERY_KEY in st.query_params:
            try:
                apply_state(decode_state(st.query_params[QUERY_KEY]))
                loaded = True
            except ValueError as exc:
                ss["url_error"] = str(exc)
                ss["scenarios"] = []
        if not loaded:
            load_ready()


def ready_scenarios() -> list[dict]:
    """The ready scenarios of data/scenarios/ready.toml: [{"scenario", "staffing", "label"}], staffing rules
    with ``relative_to`` as an index into this list."""
    spec = tomllib.loads(READY_FILE.read_text(encoding="utf-8"))
    items = spec.get("scenario", [])
    names = [i["name"]["en"] for i in items]
    out = []
    for item in items:
        scenario = simulate.Scenario.load(SCENARIO_DIR / item["policy"]).replace(name=item["name"]["en"])
        rule = dict(item["staffing"])
        if "relative_to" in rule:
            rule["relative_to"] = names.index(rule["relative_to"])
        out.append({"scenario": scenario, "staffing": rule, "label": dict(item["name"])})
    return out


def bilingual_label() -> dict[str, str]:
    """The bundled bilingual scenario's name in both languages."""
    from simulate import i18n

    return {lang: i18n.text("scen.bilingual_name", lang) for lang in LANGS}


def add_bilingual() -> int:
    """Add the bundled bilingual policy (data/scenarios/bilingual.toml) with the planner's share of
    French callers, its agent groups sized together to the target; its uid."""
    label = bilingual_label()
    scenario = with_french_share(bilingual_policy(), french_share()).replace(name=label["en"])
    return add_scenario(scenario, staffing={"sized": "erlang_a"}, label=label)


def set_french_share(share: float | None) -> None:
    """The planner's share of French callers (None = the bilingual policy's), written into every
    scenario that answers in both languages too (so its call types, exports and link agree)."""
    st.session_state["cfg"]["french_share"] = None if share is None else float(share)
    value = french_share()
    for e in entries():
        e["scenario"] = with_french_share(e["scenario"], value)


def default_scenarios() -> list[simulate.Scenario]:
    """The ready scenarios' policies (data/scenarios/ready.toml)."""
    return [r["scenario"] for r in ready_scenarios()]


def load_ready() -> None:
    """Replace the session's scenarios with the ready ones."""
    st.session_state["scenarios"] = []
    _add_all(ready_scenarios())


def _add_all(items: list[dict]) -> None:
    """Add scenarios whose staffing ``relative_to`` is an index into ``items`` (turned into uids)."""
    uids = []
    for item in items:
        uids.append(add_scenario(item["scenario"], staffing=None, label=item.get("label")))
    for uid, item in zip(uids, items):
        rule = dict(item["staffing"])
        if "relative_to" in rule:
            base = int(rule["relative_to"])
            if not 0 <= base < len(uids) or uids[base] == uid:
                raise ValueError(f"staffing of {item['scenario'].name!r}: relative_to must name another scenario")
            rule["relative_to"] = uids[base]
        entry(uid)["staffing"] = rule


def add_scenario(scenario: simulate.Scenario, staffing: dict | None = None, label: dict | None = None) -> int:
    """Append a scenario (name made unique) with a staffing rule (default: sized by Erlang A); its uid."""
    ss = st.session_state
    uid = int(ss["next_uid"])
    ss["next_uid"] = uid + 1
    scenario = scenario.replace(name=unique_name(scenario.name))
    ss["scenarios"].append({"uid": uid, "scenario": scenario,
                            "staffing": dict(staffing) if staffing else {"sized": "erlang_a"}, "label": label})
    return uid


def unique_name(name: str, exclude_uid: int | None = None) -> str:
    taken = {e["scenario"].name for e in st.session_state.get("scenarios", []) if e["uid"] != exclude_uid}
    if name not in taken:
        return name
    k = 2
    while f"{name} ({k})" in taken:
        k += 1
    return f"{name} ({k})"


def entries() -> list[dict]:
    return st.session_state["scenarios"]


def entry(uid: int) -> dict:
    return next(e for e in st.session_state["scenarios"] if e["uid"] == uid)


def display_name(e: dict) -> str:
    """A scenario's name in the page's language (ready scenarios carry both)."""
    label = e.get("label")
    if label and e["scenario"].name == label.get("en"):
        return label.get(st.session_state.get(LANG_KEY, "en"), e["scenario"].name)
    return e["scenario"].name


def shown_names() -> dict[str, str]:
    """{scenario name: the name shown in the page's language}, unique (a clash keeps the own name)."""
    out: dict[str, str] = {}
    for e in entries():
        shown = display_name(e)
        out[e["scenario"].name] = shown if shown not in out.values() else e["scenario"].name
    return out


def remove_scenario(uid: int) -> None:
    """Remove a scenario; rules relative to it become its evaluated rule's base (sized by Erlang A)."""
    gone = entry(uid)
    st.session_state["scenarios"] = [e for e in entries() if e["uid"] != uid]
    for e in entries():
        if e["staffing"].get("relative_to") == uid:
            e["staffing"] = dict(gone["staffing"]) if "relative_to" not in gone["staffing"] else {"sized": "erlang_a"}


def set_scenario(uid: int, scenario: simulate.Scenario) -> None:
    entry(uid)["scenario"] = scenario


def set_staffing(uid: int, rule: dict) -> None:
    """Set a scenario's staffing rule (validated: the plan it makes must be buildable)."""
    _rule_plan(rule, uid, set())  # raises ValueError naming the problem
    entry(uid)["staffing"] = dict(rule)


def _rule_plan(rule: dict, uid: int, seen: set[int]) -> simulate.StaffingPlan | tuple[int, float, int]:
    """A rule as a StaffingPlan, or (base uid, factor, add) for a rule relative to another scenario."""
    if "relative_to" in rule:
        base = int(rule["relative_to"])
        if base == uid or base in seen:
            raise ValueError("a staffing rule cannot be relative to itself (directly or through others)")
        if not any(e["uid"] == base for e in entries()):
            raise ValueError("the scenario this staffing is relative to no longer exists")
        factor = float(rule.get("factor", 1.0))
        add = int(rule.get("add", 0))
        simulate.StaffingPlan.relative(simulate.StaffingPlan.constant(0), factor, add)  # validates
        return base, factor, add
    return simulate.StaffingPlan.from_dict(rule)


def plan_for(uid: int, _seen: frozenset[int] = frozenset()) -> simulate.StaffingPlan:
    """The scenario's staffing as a StaffingPlan on the current demand.

    A rule relative to another scenario takes that scenario's agents (evaluated with *its* policy, so
    "+25%" of a plan sized to the baseline's target), as a table, then scales it: group by group when
    both scenarios have the same agent groups, else all of the base's agents together."""
    e = entry(uid)
    made = _rule_plan(e["staffing"], uid, set(_seen))
    if isinstance(made, simulate.StaffingPlan):
        return made
    base_uid, factor, add = made
    base = entry(base_uid)
    spec, data = demand_spec(), upload_bytes()
    base_plan = plan_for(base_uid, _seen | {uid})
    d = demand(spec, data)
    if len(base["scenario"].agent_groups) > 1 and e["scenario"].group_names == base["scenario"].group_names:
        # the same agent groups: each group of the base, scaled (else all of the base's agents together)
        frame = group_frame_of(spec, data, base["scenario"], base_plan)
        return simulate.StaffingPlan.relative(simulate.StaffingPlan.table(frame, interval=d.interval_s), factor, add)
    base_agents = agents_of(spec, data, base["scenario"], base_plan)
    table = simulate.StaffingPlan.table(pd.DataFrame({"ds": d.ds, "agents": base_agents}), interval=d.interval_s)
    return simulate.StaffingPlan.relative(table, factor, add)


def describe_rule(rule: dict) -> dict:
    """The parts of a rule for display: {"kind": one of STAFFING_KINDS, ...}."""
    if "relative_to" in rule:
        return {"kind": "relative", "base": rule["relative_to"], "factor": float(rule.get("factor", 1.0)),
                "add": int(rule.get("add", 0))}
    if "sized" in rule:
        return {"kind": "sized", "method": rule["sized"]}
    if "agents" in rule:
        return {"kind": "agents", "agents": int(rule["agents"])}
    if "pattern" in rule:
        return {"kind": "pattern", "pattern": dict(rule["pattern"])}
    if "groups" in rule:
        return {"kind": "groups", "groups": dict(rule["groups"])}
    return {"kind": "table", "rows": len(rule.get("table", []))}


def demand_spec() -> DemandSpec:
    cfg = st.session_state["cfg"]
    rec = st.session_state.get("records_in_use")
    if rec is not None:
        name, data, settings = rec
        return DemandSpec(name, _digest(data), int(cfg["horizon_days"]), cfg["model"], cfg["holidays"] or None,
                          ("none",), str(cfg.get("interval", "auto")), ("profile", ""), "records", tuple(settings))
    up = st.session_state.get("upload")
    digest = None if up is None else _digest(up[1])
    if cfg["surge_mode"] == "custom":
        start = cfg["surge_start"]
        surge: tuple = ("custom", None if start is None else str(start), float(cfg["surge_peak"]),
                        int(cfg["surge_ramp"]), int(cfg["surge_plateau"]), int(cfg["surge_decay"]),
                        cfg["surge_shape"])
    elif cfg["surge_mode"] == "replay":
        surge = ("replay", int(cfg["replay_offset"]), float(cfg["replay_peak"]))
    else:
        surge = ("none",)
    return DemandSpec(None if up is None else up[0], digest, int(cfg["horizon_days"]), cfg["model"],
                      cfg["holidays"] or None, surge, str(cfg.get("interval", "auto")),
                      (str(cfg.get("spread", "profile")), str(cfg.get("opening_hours", ""))),
                      "bundled" if up is None else "upload")


def _digest(data: bytes) -> str:
    return zlib.crc32(data).to_bytes(4, "big").hex() + f"-{len(data)}"


def upload_bytes() -> bytes | None:
    """The bytes behind the current demand: the call log in use, the uploaded history, or None."""
    rec = st.session_state.get("records_in_use")
    if rec is not None:
        return rec[1]
    up = st.session_state.get("upload")
    return None if up is None else up[1]


def has_bands() -> bool:
    """True when the demand is a forecast with bands (P50/P80/P95 and the risk can be drawn from it)."""
    return st.session_state.get("records_in_use") is None


def current_demand() -> simulate.Demand:
    return demand(demand_spec(), upload_bytes())


def current_demand_frame() -> pd.DataFrame:
    return demand_frame(demand_spec(), upload_bytes())


def current_forecast() -> pd.DataFrame:
    return forecast_frame(demand_spec(), upload_bytes())


def results(progress: Any = None) -> tuple[dict[str, simulate.SimulationResult], list[ScenarioError]]:
    """Simulate every scenario with its staffing on the current demand (cached):
    ({name: result}, errors per scenario). Raises ValueError when the demand itself cannot be built."""
    spec, data = demand_spec(), upload_bytes()
    current_demand()  # a bad upload or forecast fails here, for every scenario at once
    out: dict[str, simulate.SimulationResult] = {}
    errors: list[ScenarioError] = []
    items = entries()
    for i, e in enumerate(items):
        if progress is not None:
            progress(i, len(items), display_name(e))
        try:
            out[e["scenario"].name] = simulate_scenario(spec, data, e["scenario"], plan_for(e["uid"]))
        except ValueError as exc:
            errors.append(ScenarioError(e["uid"], str(exc)))
    return out, errors


def needs_simulation(scenario: simulate.Scenario, d: simulate.Demand) -> bool:
    """True when "auto" staffing sizes this scenario by simulation (it has what Erlang cannot see)."""
    from simulate.staffing import resolve_method

    return resolve_method("auto", scenario, d) == "simulation"


def paid_cost(result: simulate.SimulationResult) -> float:
    """Paid cost of a simulated staffing (currency), as simulate.workforce_totals defines it."""
    iv = result.intervals
    return simulate.workforce_totals(iv["agents"].to_numpy(), result.interval_s, result.scenario)["cost"]


# ----------------------------------------------------------------------------- sharing (URL, files)
_DEFAULTS = simulate.Scenario().to_dict()
_STATE_VERSION = 2


def encode_state() -> str:
    """The whole shareable state (data choice, demand settings, scenarios with their staffing rules,
    language) as base64url(zlib(JSON)): a compact URL value."""
    ss = st.session_state
    items = entries()
    index = {e["uid"]: i for i, e in enumerate(items)}
    scen = []
    for e in items:
        rule = dict(e["staffing"])
        if "relative_to" in rule:
            rule["relative_to"] = index.get(rule["relative_to"], 0)
        compact = {k: v for k, v in e["scenario"].to_dict().items() if v != _DEFAULTS.get(k) or k == "name"}
        scen.append({"scenario": compact, "staffing": rule, **({"label": e["label"]} if e.get("label") else {})})
    cfg = {k: (str(v) if k == "surge_start" and v is not None else v) for k, v in ss["cfg"].items()
           if v != DEFAULT_CFG.get(k)}
    up = ss.get("upload")
    rec = ss.get("records_in_use")
    data = f"records:{rec[0]}" if rec is not None else "bundled" if up is None else f"upload:{up[0]}"
    state = {"v": _STATE_VERSION, "cfg": cfg, "scenarios": scen, "lang": ss.get(LANG_KEY, "en"), "data": data}
    raw = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def decode_state(text: str) -> dict:
    """Inverse of :func:`encode_state` (checked, bounded); ValueError in plain words when it is not valid."""
    if not isinstance(text, str):
        raise ValueError("the link's settings are not text")
    limits.check("MAX_SHARE_LINK_CHARS", len(text), "share link")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise ValueError("the link's settings cannot be read (not base64)") from None
    try:  # bounded: a small link cannot expand without limit
        raw = limits.inflate(packed, subject="share link")
    except (zlib.error, EOFError):
        raise ValueError("the link's settings cannot be read (damaged or cut short)") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise ValueError(f"the link's settings cannot be read ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("v") != _STATE_VERSION or not isinstance(data.get("scenarios"), list):
        raise ValueError("the link's settings are not from this version of Queuecast")
    if not 1 <= len(data["scenarios"]) <= MAX_SCENARIOS:
        raise ValueError(f"a link holds 1 to {MAX_SCENARIOS} scenarios, this one {len(data['scenarios'])}")
    items = []
    for i, item in enumerate(data["scenarios"]):
        if not isinstance(item, dict) or not isinstance(item.get("scenario"), dict):
            raise ValueError(f"scenario {i + 1} of the link is not valid")
        name = item["scenario"].get("name")
        if isinstance(name, str) and len(name) > limits.MAX_NAME_LENGTH:
            from app_pages.i18n import t

            raise ValueError(t("door.name_too_long", subject=f"#{i + 1}", n=len(name), max=limits.MAX_NAME_LENGTH))
        sc = simulate.Scenario.from_dict(item["scenario"])
        rule = item.get("staffing") or {"sized": "erlang_a"}
        if not isinstance(rule, dict):
            raise ValueError(f"the staffing of scenario {i + 1} of the link is not valid")
        check_door(sc, rule, f"#{i + 1}")
        if "relative_to" in rule:
            base = rule["relative_to"]
            if not isinstance(base, int) or not 0 <= base < len(data["scenarios"]) or base == i:
                raise ValueError(f"the staffing of scenario {i + 1} is relative to a scenario that is not in the link")
        else:
            simulate.StaffingPlan.from_dict(rule)
        label = item.get("label")
        if label is not None and not (isinstance(label, dict) and all(
                isinstance(v, str) and len(v) <= limits.MAX_NAME_LENGTH for v in label.values())):
            label = None
        items.append({"scenario": sc, "staffing": rule, "label": label})
    cfg = data.get("cfg", {})
    if not isinstance(cfg, dict) or set(cfg) - set(DEFAULT_CFG):
        raise ValueError("the link's demand settings are not valid")
    share = cfg.get("french_share")
    if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float))
                              or not 0.0 <= float(share) <= 1.0):
        from app_pages.i18n import t

        raise ValueError(t("door.french_share", value=str(share)[:40]))
    lang = data.get("lang", "en")
    return {"cfg": cfg, "scenarios": items, "lang": lang if lang in LANGS else "en", "data": str(data.get("data", ""))}


def apply_state(state: dict) -> None:
    """Put a decoded link state into the session (demand settings, scenarios, language)."""
    ss = st.session_state
    cfg = dict(DEFAULT_CFG)
    cfg.update(state["cfg"])
    if cfg.get("surge_start"):
        cfg["surge_start"] = pd.Timestamp(cfg["surge_start"]).date()
    cfg["horizon_days"] = int(min(max(int(cfg["horizon_days"]), 1), MAX_HORIZON_DAYS))
    ss["cfg"] = cfg
    if st.query_params.get(LANG_KEY) not in LANGS:  # an explicit ?lang= wins over the link's language
        ss[LANG_KEY] = state["lang"]
    ss["scenarios"] = []
    _add_all(state["scenarios"])
    for prefix in ("upload:", "records:"):
        if state["data"].startswith(prefix):
            ss["url_upload"] = state["data"][len(prefix):][:limits.MAX_NAME_LENGTH]


def sync_url() -> None:
    """Write the current state and language into the URL (values are strings); only when they changed."""
    try:
        value = encode_state()
    except (KeyError, ValueError):
        return
    if st.query_params.get(QUERY_KEY) != value:
        st.query_params[QUERY_KEY] = value
    lang = st.session_state.get(LANG_KEY, "en")
    if st.query_params.get(LANG_KEY) != lang:
        st.query_params[LANG_KEY] = lang


def scenario_from_upload(name: str, data: bytes) -> simulate.Scenario:
    """Scenario.from_toml / from_json of an uploaded scenario file; ValueError when it is not valid."""
    limits.check("MAX_SCENARIO_FILE_BYTES", len(data), name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{name}: not a UTF-8 text file") from None
    if not text.strip():
        raise ValueError(f"{name}: the file is empty; a scenario file holds at least one setting such as aht = 300")
    try:
        sc = simulate.Scenario.from_json(text) if name.lower().endswith(".json") else simulate.Scenario.from_toml(text)
    except (TypeError, RecursionError, OverflowError) as exc:  # a malformed structure is a sentence, not a crash
        raise ValueError(f"{name}: not a valid scenario file ({type(exc).__name__})") from None
    except ValueError as exc:  # the package's sentence, with the file named as the planner knows it
        raise ValueError(f"{name}: {exc}") from None
    check_door(sc, None, name)
    return sc


def staffing_table_from_upload(name: str, data: bytes) -> dict:
    """A staffing rule {"table": [[ds, agents], ...]} from an uploaded CSV/XLSX with ds and agents columns,
    read and checked by forecast.read_history (file, line, column in every message)."""
    frame = forecast.read_history(data, name=name, value="agents")
    top = float(frame["y"].max()) if len(frame) else 0.0
    if top > AGENTS_RANGE[1]:
        raise ValueError(limits.sentence("MAX_AGENTS", top, name))
    plan = simulate.StaffingPlan.table(frame.rename(columns={"y": "agents"})[["ds", "agents"]])
    return plan.to_dict()
