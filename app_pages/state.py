"""Session state of the planner's app, its defaults, and the cached calls into the packages.

Nothing here models anything: demand comes from :mod:`forecast`, queues, staffing and exports
from :mod:`simulate`. This module only decides *which* call to make with *which* inputs, keeps
the planner's scenarios between page switches, and caches results (``st.cache_data``) keyed on
the small inputs that matter (a :class:`DemandSpec` and a :class:`simulate.Scenario`), never on
a large frame.

Session keys (``st.session_state``):
  ``scenarios``  list of ``{"uid": int, "scenario": Scenario, "shape": tuple | None}``; ``shape``
                 is the per-interval staffing pattern the "agents at peak" control scales.
  ``next_uid``   the next scenario id (widget keys are ``<field>_<uid>``, stable across edits).
  ``cfg``        demand settings (horizon, model, holidays, surge), the source of truth for the
                 Demand page's widgets, which are re-created from it after a page switch.
  ``upload``     ``(file name, bytes)`` of an uploaded history, or None for the bundled data.
"""
from __future__ import annotations

import base64
import dataclasses
import io
import json
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import forecast
import simulate

ROOT = Path(__file__).resolve().parent.parent
INTRADAY = ROOT / "data" / "passport" / "passport_intraday_30min.csv"
DAILY = ROOT / "data" / "passport" / "passport_daily.csv"
SCENARIO_DIR = ROOT / "data" / "scenarios"
DEFAULT_SCENARIO_FILES = ("current_staffing.toml", "more_agents.toml", "status_line_callbacks.toml")

REPLICATIONS = 5
SEED = 0
ENGINE = "auto"
MODELS = ("auto", *sorted(forecast.MODELS))
SURGE_SHAPES = ("linear", "smooth", "exponential")
SURGE_MODES = ("none", "custom", "replay")
#: the 2022 episode replayed by "replay 2022" (daily calls of the bundled history)
REPLAY_START, REPLAY_END = "2022-03-01", "2022-12-31"

DEFAULT_CFG: dict[str, Any] = {
    "horizon_days": 7,
    "model": "auto",
    "holidays": "CA",
    "surge_mode": "none",
    "surge_start": None,  # None = the first forecast day
    "surge_peak": 1.5,
    "surge_ramp": 2,
    "surge_plateau": 3,
    "surge_decay": 2,
    "surge_shape": "linear",
    "replay_offset": 120,
    "replay_peak": 1.5,
}

QUERY_KEY = "s"

#: rows of the Compare page's KPI table, in order (names of simulate.METRICS; "cost" is added by the app)
KPI_ROWS = ("service_level", "asa_s", "p90_wait_s", "abandon_rate", "blocked", "got_through_rate",
            "attempts_per_caller", "occupancy", "callbacks", "contained", "attempts", "cost")
#: staffing methods offered (simulate.staffing.METHODS) and shift-length choices for simulate.schedule
STAFF_METHODS = ("erlang_a", "erlang_c", "simulation")
SHIFT_CHOICES = {"8h": ("8h",), "8h+4h": ("8h", "4h"), "7.5h": ("7.5h",), "10h+6h": ("10h", "6h")}


# ----------------------------------------------------------------------------- value objects
@dataclass(frozen=True)
class DemandSpec:
    """Everything the demand (interval arrivals) depends on: a small, hashable cache key."""

    upload_name: str | None
    upload_digest: str | None
    horizon_days: int
    model: str
    holidays: str | None
    surge: tuple


@dataclass(frozen=True)
class ScenarioError:
    uid: int
    message: str


# ----------------------------------------------------------------------------- cached package calls
@st.cache_data(show_spinner=False, max_entries=8)
def load_history(upload_name: str | None, data: bytes | None) -> tuple[pd.DataFrame, list[str]]:
    """The history (bundled intraday calls, or an upload) read by forecast.read_history, with warnings.

    An upload is written to a temporary file with its original suffix so read_history can tell
    CSV from Excel. Raises forecast.DataError (plain words: file, row, column) for bad data.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", forecast.DataWarning)
        if data is None:
            frame = forecast.read_history(INTRADAY)
        else:
            suffix = "".join(Path(upload_name or "upload.csv").suffixes[-2:]) or ".csv"
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                path.write_bytes(data)
                try:
                    frame = forecast.read_history(path)
                except forecast.DataError as exc:
                    # name the file as the planner knows it, not our temporary copy
                    raise forecast.DataError(str(exc).replace(str(path), upload_name or "upload")
                                             .replace(path.name, upload_name or "upload")) from None
    notes = [str(w.message) for w in caught if issubclass(w.category, forecast.DataWarning)]
    return frame, notes


@st.cache_data(show_spinner=False, max_entries=8)
def forecast_frame(upload_name: str | None, data: bytes | None, horizon_days: int, model: str,
                   holidays: str | None) -> pd.DataFrame:
    """forecast.forecast of the (single-series) history over ``horizon_days`` days."""
    history, _ = load_history(upload_name, data)
    series = _calls_series(history)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return forecast.forecast(history, f"{int(horizon_days)}D", model=model, holidays=holidays or None,
                                 series=series)


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


def _calls_series(history: pd.DataFrame) -> str | None:
    names = list(pd.unique(history["series"])) if "series" in history.columns else []
    if len(names) <= 1:
        return None
    return "calls" if "calls" in names else str(names[0])


def _surge_objects(surge: tuple, start: pd.Timestamp) -> list:
    """The forecast.Surge / replayed SurgeShape described by a DemandSpec.surge tuple."""
    if not surge or surge[0] == "none":
        return []
    if surge[0] == "custom":
        _, first, peak, ramp, plateau, decay, shape = surge
        return [forecast.Surge(start=first or start, peak=peak, ramp_up=f"{ramp}D", plateau=f"{plateau}D",
                               decay=f"{decay}D", shape=shape)]
    _, offset, peak = surge
    return [replay_shape().replay(start.normalize() - pd.Timedelta(days=int(offset)), peak=peak)]


@st.cache_data(show_spinner=False, max_entries=16)
def demand(spec: DemandSpec, data: bytes | None) -> pd.DataFrame:
    """The forecast with the surge applied (forecast.apply_surge): the arrivals every scenario uses."""
    fc = forecast_frame(spec.upload_name, data, spec.horizon_days, spec.model, spec.holidays)
    surges = _surge_objects(spec.surge, pd.Timestamp(fc["ds"].iloc[0]))
    out = forecast.apply_surge(fc, surges) if surges else fc
    out.attrs = {}  # the model's backtest tables stay with forecast_frame; arrivals need none
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def simulate_scenario(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario) -> simulate.SimulationResult:
    """simulate.run on the demand, engine auto, REPLICATIONS replications, seed SEED."""
    return simulate.run(demand(spec, data), scenario, replications=REPLICATIONS, seed=SEED, engine=ENGINE)


@st.cache_data(show_spinner=False, max_entries=16)
def required(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, method: str = "erlang_a") -> pd.DataFrame:
    """simulate.required_agents on the demand."""
    return simulate.required_agents(demand(spec, data), scenario, method=method)


@st.cache_data(show_spinner=False, max_entries=16)
def staffing_plan(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, method: str,
                  shift_lengths: tuple[str, ...]):
    """simulate.staff with a simulate.schedule attached."""
    plan = simulate.staff(demand(spec, data), scenario, method=method)
    sched = simulate.schedule(plan.requirements, shift_lengths=shift_lengths, time_limit=10.0)
    return dataclasses.replace(plan, schedule=sched)


@st.cache_data(show_spinner=False, max_entries=16)
def quantile_staffing(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario) -> pd.DataFrame:
    """simulate.staffing_by_quantile at P50 / P80 / P95."""
    return simulate.staffing_by_quantile(demand(spec, data), scenario, quantiles=(0.5, 0.8, 0.95))


@st.cache_data(show_spinner=False, max_entries=16)
def risk(spec: DemandSpec, data: bytes | None, scenario: simulate.Scenario, agents: tuple[int, ...]) -> pd.DataFrame:
    """simulate.risk_of_missing for the given per-interval agents (10 demand draws)."""
    return simulate.risk_of_missing(demand(spec, data), scenario, np.asarray(agents), draws=10, seed=SEED,
                                    engine=ENGINE)


# ----------------------------------------------------------------------------- exports (bytes)
def _export_bytes(write, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"queuecast{suffix}"
        out = write(path)
        paths = out if isinstance(out, list) else [path]
        if len(paths) == 1:
            return Path(paths[0]).read_bytes()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, arcname=Path(p).name)
        return buf.getvalue()


def excel_bytes(obj: Any, language: str) -> bytes:
    """simulate.export.to_excel into memory."""
    return _export_bytes(lambda p: simulate.export.to_excel(obj, p, language=language), ".xlsx")


def csv_zip_bytes(obj: Any) -> bytes:
    """simulate.export.to_csv (one file per table) zipped into memory."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = simulate.export.to_csv(obj, Path(tmp) / "queuecast.csv")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, arcname=Path(p).name)
        return buf.getvalue()


def report_bytes(obj: Any, language: str, result: Any = None) -> bytes:
    """simulate.export.to_report (printable HTML) into memory."""
    return _export_bytes(lambda p: simulate.export.to_report(obj, p, language=language, result=result), ".html")


# ----------------------------------------------------------------------------- session state
def init() -> None:
    """Fill session state with defaults once per session (from the URL when it carries scenarios)."""
    ss = st.session_state
    if "cfg" not in ss:
        ss["cfg"] = dict(DEFAULT_CFG)
    if "upload" not in ss:
        ss["upload"] = None
    if "scenarios" not in ss:
        ss["next_uid"] = 0
        ss["scenarios"] = []
        ss["url_error"] = None
        loaded = None
        if QUERY_KEY in st.query_params:
            try:
                loaded = decode_scenarios(st.query_params[QUERY_KEY])
            except ValueError as exc:
                ss["url_error"] = str(exc)
        if not loaded:
            loaded = default_scenarios()
        for sc in loaded:
            add_scenario(sc)


def default_scenarios() -> list[simulate.Scenario]:
    """The three ready scenarios in data/scenarios (written with Scenario.save)."""
    return [simulate.Scenario.load(SCENARIO_DIR / name) for name in DEFAULT_SCENARIO_FILES]


def add_scenario(scenario: simulate.Scenario, shape: Any = "auto") -> int:
    """Append a scenario (name made unique) and return its uid.

    shape: the staffing pattern the "agents at peak" control scales ("auto": the scenario's own
    per-interval agents, or None for a single number)."""
    ss = st.session_state
    uid = int(ss["next_uid"])
    ss["next_uid"] = uid + 1
    scenario = scenario.replace(name=unique_name(scenario.name))
    if shape == "auto":
        shape = scenario.agents if isinstance(scenario.agents, tuple) else None
    ss["scenarios"].append({"uid": uid, "scenario": scenario, "shape": shape})
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


def remove_scenario(uid: int) -> None:
    st.session_state["scenarios"] = [e for e in entries() if e["uid"] != uid]
    sync_url()


def set_scenario(uid: int, scenario: simulate.Scenario, shape: Any = "keep") -> None:
    e = entry(uid)
    e["scenario"] = scenario
    if shape != "keep":
        e["shape"] = shape
    sync_url()


def peak_agents(scenario: simulate.Scenario) -> int:
    a = scenario.agents
    return int(a) if isinstance(a, int) else int(max(a))


def scaled_agents(shape: tuple[int, ...] | None, peak: int) -> int | tuple[int, ...]:
    """The staffing pattern ``shape`` scaled so its peak is ``peak`` (a scalar when there is no pattern)."""
    if shape is None:
        return int(peak)
    top = max(shape)
    if top <= 0:
        return tuple(int(peak) if s > 0 else 0 for s in shape)
    return tuple(int(v) for v in np.rint(np.asarray(shape, dtype=float) * peak / top))


def demand_spec() -> DemandSpec:
    cfg = st.session_state["cfg"]
    up = st.session_state.get("upload")
    digest = None if up is None else zlib.crc32(up[1]).to_bytes(4, "big").hex() + f"-{len(up[1])}"
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
                      cfg["holidays"] or None, surge)


def upload_bytes() -> bytes | None:
    up = st.session_state.get("upload")
    return None if up is None else up[1]


def current_demand() -> pd.DataFrame:
    return demand(demand_spec(), upload_bytes())


def current_forecast() -> pd.DataFrame:
    spec = demand_spec()
    return forecast_frame(spec.upload_name, upload_bytes(), spec.horizon_days, spec.model, spec.holidays)


def results(progress: Any = None) -> tuple[dict[str, simulate.SimulationResult], list[ScenarioError]]:
    """Simulate every scenario on the current demand (cached): ({name: result}, errors per scenario)."""
    spec, data = demand_spec(), upload_bytes()
    out: dict[str, simulate.SimulationResult] = {}
    errors: list[ScenarioError] = []
    items = entries()
    for i, e in enumerate(items):
        try:
            out[e["scenario"].name] = simulate_scenario(spec, data, e["scenario"])
        except ValueError as exc:
            errors.append(ScenarioError(e["uid"], str(exc)))
        if progress is not None:
            progress(i + 1, len(items), e["scenario"].name)
    return out, errors


def interval_hours(frame: pd.DataFrame) -> float:
    """Length of one interval of a frame with a regular ``ds`` column, in hours (0 for one row)."""
    ds = pd.to_datetime(frame["ds"])
    return (ds.iloc[1] - ds.iloc[0]).total_seconds() / 3600.0 if len(ds) > 1 else 0.0


def paid_cost(result: simulate.SimulationResult) -> float:
    """Paid cost of a simulated staffing (currency), as simulate.workforce_totals defines it."""
    iv = result.intervals
    return simulate.workforce_totals(iv["agents"].to_numpy(), interval_hours(iv) * 3600.0, result.scenario)["cost"]


# ----------------------------------------------------------------------------- sharing (URL, files)
_DEFAULTS = simulate.Scenario().to_dict()


def encode_scenarios(scenarios: list[simulate.Scenario]) -> str:
    """base64url(zlib(JSON list of each scenario's non-default fields)): a compact URL value."""
    compact = [{k: v for k, v in sc.to_dict().items() if v != _DEFAULTS.get(k)} for sc in scenarios]
    raw = json.dumps(compact, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def decode_scenarios(text: str) -> list[simulate.Scenario]:
    """Inverse of :func:`encode_scenarios`; ValueError when the value is not a valid scenario list."""
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, zlib.error) as exc:
        raise ValueError(f"the link's scenarios cannot be read ({exc})") from None
    if not isinstance(data, list):
        raise ValueError("the link's scenarios must be a list")
    return [simulate.Scenario.from_dict(d) for d in data]


def sync_url() -> None:
    """Write the current scenarios into the URL (st.query_params values are strings)."""
    st.query_params[QUERY_KEY] = encode_scenarios([e["scenario"] for e in entries()])


def scenario_from_upload(name: str, data: bytes) -> simulate.Scenario:
    """Scenario.from_toml / from_json of an uploaded scenario file; ValueError when it is not valid."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{name}: not a UTF-8 text file") from None
    if name.lower().endswith(".json"):
        return simulate.Scenario.from_json(text)
    return simulate.Scenario.from_toml(text)
