"""Validate a calibration: does the model reproduce the month it was calibrated on, and is a miss real?

A planner trusts a simulator once it has replayed a month they lived through. :func:`validate` takes a
:class:`simulate.calibrate.Calibration`, replays every attempt that joined the queue at its observed time
(observed handle times by default, patience drawn from the calibrated distribution) on the estimated
staffing, several times, and puts the result beside what was observed, per interval, per hour of day and
for the whole period: abandonment, average speed of answer (ASA) and the share answered within the
threshold.

A single observed month is one draw of a random process, so the model cannot match it exactly even if it
were perfect. Beside each error stands the **noise floor**: the spread of one replication around the
model's own mean (the standard deviation across replications). If the model were exactly right, the
observed month would differ from the model's mean by about that much (times sqrt(1 + 1/R) for the mean of
R replications), so the root-mean-square error it would show is the noise floor; an error well above it
is a real miss.

Erlang A with the same inputs (per interval: the calls that joined the queue, the interval's mean handle
time, the same agents and the Mandelbaum-Zeltyn exponential patience) stands in a column of its own: the
steady-state formula every planner knows, for comparison.

Metric definitions are those of :data:`simulate.METRICS`: abandon_rate = abandoned / (answered +
abandoned); service_level = answered within ``sl_threshold`` / (answered + abandoned); asa_s = mean wait
of answered calls. All durations are seconds, shares in [0, 1].
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulate import erlang
from simulate.calibrate import Calibration
from simulate.run import prepare, replicate, resolve_engine
from simulate.staffing_plan import as_plan

__all__ = ["VALIDATED_METRICS", "Validation", "validate"]

#: the metrics compared, in order
VALIDATED_METRICS = ("abandon_rate", "asa_s", "service_level")
_LABELS = {"abandon_rate": "abandonment", "asa_s": "ASA", "service_level": "answered within threshold"}


@dataclass(frozen=True, eq=False)
class Validation:
    """Simulated vs observed, with the noise floor and Erlang A (see the module docstring).

    intervals: one row per interval: ``ds, hour, queued, agents``, then for each metric m of
        :data:`VALIDATED_METRICS`: ``m_observed, m_simulated`` (mean over replications), ``m_sd`` (sd across
        replications: the noise floor) and ``m_erlang_a``.
    hours: the same by hour of day (``hour`` 0-23, local wall clock; counts summed over the days first).
    month: one row per metric (index): ``observed, simulated, sd, erlang_a``.
    errors: one row per (``level`` "interval" or "hour", ``metric``): ``simulated_rmse``, ``noise_floor``
        (the RMSE a perfect model would show), ``erlang_a_rmse``, ``simulated_mae``, ``erlang_a_mae``,
        ``within_noise`` (share of units where the simulated error is within 2 noise sd) and ``units``
        (intervals or hours with calls); errors weighted by the calls that joined the queue.
    replications, seed, engine, handle, patience, staffing (its description), interval_s, sl_threshold.
    """

    intervals: pd.DataFrame
    hours: pd.DataFrame
    month: pd.DataFrame
    errors: pd.DataFrame
    replications: int
    seed: int
    engine: str
    handle: str
    patience: str
    staffing: str
    interval_s: float
    sl_threshold: float

    def report(self) -> str:
        """Simulated vs observed for the month and the errors beside the noise floor, as plain text."""
        def fmt(metric: str, v: float) -> str:
            if not math.isfinite(v):
                return "-"
            return f"{v:.1f} s" if metric == "asa_s" else f"{100 * v:.1f}%"

        def pts(metric: str, v: float) -> str:
            if not math.isfinite(v):
                return "-"
            return f"{v:.1f} s" if metric == "asa_s" else f"{100 * v:.1f} pts"

        lines = [f"Validation: replay of the calibrated period, {self.replications} replications "
                 f"(handle times {self.handle}, patience {self.patience}; staffing: {self.staffing}; "
                 f"engine {self.engine})", "",
                 f"{'whole period':<28}{'observed':>12}{'simulated':>12}{'(sd)':>10}{'Erlang A':>12}"]
        for m in VALIDATED_METRICS:
            r = self.month.loc[m]
            lines.append(f"{_LABELS[m] if m != 'service_level' else f'within {self.sl_threshold:g} s':<28}"
                         f"{fmt(m, r.observed):>12}{fmt(m, r.simulated):>12}{'(' + pts(m, r.sd) + ')':>10}"
                         f"{fmt(m, r.erlang_a):>12}")
        lines += ["", "Errors (RMSE weighted by calls; noise floor = what randomness alone gives a right model):",
                  f"{'':<28}{'simulated':>12}{'noise floor':>13}{'Erlang A':>12}{'within noise':>14}"]
        step = f"per {self.interval_s / 60:g}-min interval"
        for level, title in (("interval", step), ("hour", "by hour of day")):
            lines.append(title)
            for m in VALIDATED_METRICS:
                r = self.errors[(self.errors.level == level) & (self.errors.metric == m)].iloc[0]
                lines.append(f"  {_LABELS[m] if m != 'service_level' else f'within {self.sl_threshold:g} s':<26}"
                             f"{pts(m, r.simulated_rmse):>12}{pts(m, r.noise_floor):>13}{pts(m, r.erlang_a_rmse):>12}"
                             f"{100 * r.within_noise:>13.0f}%")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def _ratios(answered: np.ndarray, abandoned: np.ndarray, within: np.ndarray, wait: np.ndarray
            ) -> dict[str, np.ndarray]:
    offered = answered + abandoned
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"abandon_rate": np.where(offered > 0, abandoned / offered, np.nan),
                "asa_s": np.where(answered > 0, wait / answered, np.nan),
                "service_level": np.where(offered > 0, within / offered, np.nan)}


def _group(counts: dict[str, np.ndarray], codes: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """Sum counts (last axis: intervals) into groups."""
    out = {}
    for k, v in counts.items():
        v2 = np.atleast_2d(v)
        g = np.zeros(v2.shape[:-1] + (size,))
        for i in range(v2.shape[0]):
            g[i] = np.bincount(codes, weights=v2[i], minlength=size)
        out[k] = g if v.ndim > 1 else g[0]
    return out


def _errors(level: str, obs: dict[str, np.ndarray], sim_mean: dict[str, np.ndarray], sim_sd: dict[str, np.ndarray],
            ea: dict[str, np.ndarray], weight: np.ndarray, reps: int) -> list[dict[str, Any]]:
    rows = []
    inflate = math.sqrt(1.0 + 1.0 / reps)
    for m in VALIDATED_METRICS:
        ok = np.isfinite(obs[m]) & np.isfinite(sim_mean[m]) & (weight > 0)
        w = weight[ok] / weight[ok].sum() if ok.any() else np.zeros(0)
        e_sim = sim_mean[m][ok] - obs[m][ok]
        e_ea = ea[m][ok] - obs[m][ok]
        sd = np.nan_to_num(sim_sd[m][ok]) * inflate
        ea_ok = np.isfinite(e_ea)
        rows.append({
            "level": level, "metric": m,
            "simulated_rmse": float(np.sqrt((w * e_sim ** 2).sum())) if ok.any() else np.nan,
            "noise_floor": float(np.sqrt((w * sd ** 2).sum())) if ok.any() else np.nan,
            "erlang_a_rmse": float(np.sqrt((w[ea_ok] * e_ea[ea_ok] ** 2).sum() / w[ea_ok].sum()))
            if ea_ok.any() else np.nan,
            "simulated_mae": float((w * np.abs(e_sim)).sum()) if ok.any() else np.nan,
            "erlang_a_mae": float((w[ea_ok] * np.abs(e_ea[ea_ok])).sum() / w[ea_ok].sum()) if ea_ok.any() else np.nan,
            "within_noise": float((w * (np.abs(e_sim) <= 2 * sd + 1e-12)).sum()) if ok.any() else np.nan,
            "units": int(ok.sum()),
        })
    return rows


def validate(calibration: Calibration, replications: int = 20, *, seed: int = 0, handle: str = "observed",
             patience: str = "drawn", staffing: Any = None, engine: str = "auto") -> Validation:
    """Replay the calibrated period and compare it with what was observed (see the module docstring).

    calibration: what :func:`simulate.calibrate` returned. replications: independent replays (>= 2: the
    noise floor is their spread). seed: replication r uses ``SeedSequence(seed).spawn(replications)[r]``
    (as :func:`simulate.run`). handle / patience: see :meth:`Calibration.replay` ("observed" patience
    reproduces the log's abandonments and is no test of the model: use it only to check the queue logic).
    staffing: the plan to replay with (default: the calibration's estimate, per 5-minute replay step for
    the replay and per interval for Erlang A; anything :func:`simulate.as_plan` accepts, used for both).
    engine: "auto", "fast" or "simpy".
    """
    if not isinstance(calibration, Calibration):
        raise ValueError(f"validate: expected a Calibration (from simulate.calibrate), got "
                         f"{type(calibration).__name__}")
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 2:
        raise ValueError(f"validate: replications must be a whole number >= 2 (the noise floor is their spread), "
                         f"got {replications!r}")
    scenario = calibration.replay_scenario
    replay = calibration.replay(handle=handle, patience=patience, seed=seed)
    if staffing is None:
        fine_plan, plan = calibration.replay_staffing or calibration.staffing, calibration.staffing
    else:
        fine_plan = plan = as_plan(staffing)
    replay, _, _, work, _ = prepare(replay, scenario, fine_plan)
    used = resolve_engine(engine, scenario)
    children = np.random.SeedSequence(seed).spawn(int(replications))
    per = [replicate(used, work, scenario, child, False)[1] for child in children]
    R = len(per)
    fine = {k: np.stack([p[k] for p in per]) for k in ("answered", "abandoned", "answered_within")}
    fine["wait"] = np.nan_to_num(np.stack([p["asa_s"] for p in per]) * fine["answered"])
    # the replay's steps summed into the calibration's intervals
    demand = calibration.demand
    step = int(round(demand.interval_s / replay.interval_s))
    sim = _group(fine, np.arange(len(replay)) // step, len(demand))
    agents = plan.agents(demand, scenario)
    ob = calibration.observed
    obs = {"answered": ob["answered"].to_numpy(float), "abandoned": ob["abandoned"].to_numpy(float),
           "answered_within": ob["answered_within"].to_numpy(float), "wait": ob["wait_answered_s"].to_numpy(float)}
    # Erlang A, same inputs: calls that joined the queue, the interval's handle time, agents, MZ patience
    L = demand.interval_s
    lam = obs["answered"] + obs["abandoned"]
    aht = np.where(np.isfinite(ob["aht_s"].to_numpy(float)), ob["aht_s"].to_numpy(float), scenario.aht)
    pat = calibration.patience_mz_s if calibration.patience_mz_s else 1e9
    ea_raw = erlang.erlang_a(lam / L, aht, agents, pat, scenario.sl_threshold)
    with np.errstate(invalid="ignore"):
        ea_ans = lam * (1 - ea_raw["p_abandon"])
        ea = {"answered": ea_ans, "abandoned": lam * ea_raw["p_abandon"],
              "answered_within": lam * ea_raw["service_level"],
              "wait": np.where(ea_ans > 0, np.nan_to_num(ea_raw["asa_s"], posinf=0.0) * ea_ans, 0.0)}

    def block(counts_obs, counts_sim, counts_ea):
        o = _ratios(counts_obs["answered"], counts_obs["abandoned"], counts_obs["answered_within"], counts_obs["wait"])
        s = _ratios(counts_sim["answered"], counts_sim["abandoned"], counts_sim["answered_within"], counts_sim["wait"])
        e = _ratios(counts_ea["answered"], counts_ea["abandoned"], counts_ea["answered_within"], counts_ea["wait"])
        with warnings.catch_warnings():  # an interval with no call in any replication is NaN, as it should be
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = {m: np.nanmean(s[m], axis=0) for m in VALIDATED_METRICS}
            sd = {m: np.nanstd(s[m], axis=0, ddof=1) for m in VALIDATED_METRICS}
        return o, mean, sd, e

    o_i, m_i, sd_i, e_i = block(obs, sim, ea)
    intervals = pd.DataFrame({"ds": demand.ds, "hour": demand.ds.hour, "queued": lam, "agents": agents})
    for m in VALIDATED_METRICS:
        intervals[f"{m}_observed"], intervals[f"{m}_simulated"] = o_i[m], m_i[m]
        intervals[f"{m}_sd"], intervals[f"{m}_erlang_a"] = sd_i[m], e_i[m]
    hour = np.asarray(demand.ds.hour, dtype=np.int64)
    o_h, m_h, sd_h, e_h = block(_group(obs, hour, 24), _group(sim, hour, 24), _group(ea, hour, 24))
    q_h = np.bincount(hour, weights=lam, minlength=24)
    hours = pd.DataFrame({"hour": np.arange(24), "queued": q_h})
    for m in VALIDATED_METRICS:
        hours[f"{m}_observed"], hours[f"{m}_simulated"] = o_h[m], m_h[m]
        hours[f"{m}_sd"], hours[f"{m}_erlang_a"] = sd_h[m], e_h[m]
    hours = hours.loc[hours["queued"] > 0].reset_index(drop=True)
    zero = np.zeros(len(lam), dtype=np.int64)
    o_m, m_m, sd_m, e_m = block(_group(obs, zero, 1), _group(sim, zero, 1), _group(ea, zero, 1))
    month = pd.DataFrame({"observed": [o_m[m][0] for m in VALIDATED_METRICS],
                          "simulated": [m_m[m][0] for m in VALIDATED_METRICS],
                          "sd": [sd_m[m][0] for m in VALIDATED_METRICS],
                          "erlang_a": [e_m[m][0] for m in VALIDATED_METRICS]},
                         index=pd.Index(VALIDATED_METRICS, name="metric"))
    errors = pd.DataFrame(_errors("interval", o_i, m_i, sd_i, e_i, lam, R)
                          + _errors("hour", {m: o_h[m] for m in o_h}, m_h, sd_h, e_h, np.bincount(hour, weights=lam,
                                                                                                  minlength=24), R))
    desc = "estimated from the log" if staffing is None else plan.describe()
    return Validation(intervals=intervals, hours=hours, month=month, errors=errors, replications=R, seed=int(seed),
                      engine=used, handle=handle, patience=patience, staffing=desc, interval_s=float(L),
                      sl_threshold=float(scenario.sl_threshold))
