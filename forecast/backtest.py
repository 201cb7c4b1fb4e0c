"""Rolling-origin backtests: accuracy and interval coverage of each model, and what ``auto`` picks.

Shape of :func:`backtest`'s result: one row per (series, model, origin) plus one aggregate row per
(series, model) whose ``origin`` is ``"all"``. Columns:

``series`` name; ``model`` (``"auto"`` rows carry the members chosen in ``chosen``); ``origin`` the
cutoff timestamp (the models train on ``ds < origin`` and are scored on ``[origin, origin + horizon)``)
or ``"all"``; ``mase`` mean absolute error divided by the in-sample seasonal-naive (one-week lag) MAE of
the training window (aggregate: mean over origins); ``rmse``; ``bias`` mean of forecast - actual;
``coverage_80`` / ``coverage_95`` share of actuals inside the intervals; ``n`` scored intervals;
``chosen`` (auto only).

Only **open** intervals are scored: inside the opening hours learned from the training window, on days
that were open in the actuals (day total above 5% of a typical same weekday), with an observation.
Scoring the zeros of closed hours would flatter every model.

Coverage is **nested**: the intervals at an origin are calibrated (conformal, see
:mod:`forecast.core`) on the scaled errors of up to ``origins`` *earlier* cutoffs only, the same way
``forecast()`` calibrates its intervals on the backtest before its own origin. To give the first
reported origins such a history, the run adds up to ``origins`` extra cutoffs before them (they are
not reported); a cutoff whose typical error is more than 3 times the others' (a surge) is left out
of the calibration, and so are the cells of holidays and unseen special days (their errors are about
the calendar, not about a normal day's uncertainty). ``horizon_buckets`` adds accuracy and coverage
by how far ahead (day 1, days 2-7, ...). ``auto`` is scored the same honest way: at each origin it chooses among
the candidates by their MASE on earlier cutoffs only, exactly what ``forecast(model="auto")`` would have done then.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .calendar import CLOSED_SHARE, day_matrix, slots_per_day
from .core import (
    DAY,
    LEVELS,
    GridForecast,
    apply_intervals,
    auto_candidates,
    conformal_quantiles,
    horizon_bucket,
    horizon_steps,
    interval_scale,
    mean_forecast,
    pool_width,
    predict_grid,
    prepare,
    split_series,
    to_grid,
)
from .models import AUTO_CANDIDATES, MODELS

__all__ = ["backtest", "run_backtest", "score_table", "BacktestRun"]

#: earlier cutoffs needed before an origin's intervals (and auto's choice) count
MIN_CAL_ORIGINS = 2
#: a cutoff whose median scaled error exceeds this multiple of the other cutoffs' median is an
#: anomaly (surge, outage) and does not calibrate intervals
OUTLIER_ORIGIN = 3.0


@dataclass
class Origin:
    """One cutoff: actuals and every model's forecast over ``[cutoff, cutoff + horizon)``.

    ``yhat`` holds each model's point forecast and ``fc`` its :class:`~forecast.core.GridForecast`
    (bands, caps and special days) cut to the horizon; ``special``
    marks the cells of holidays and unseen special days (as the calendar of that cutoff knew them).
    """

    cutoff: pd.Timestamp
    index: pd.DatetimeIndex
    actual: np.ndarray
    scored: np.ndarray
    scale: float
    buckets: np.ndarray
    open: np.ndarray
    special: np.ndarray | None = None
    yhat: dict[str, np.ndarray] = field(default_factory=dict)
    fc: dict[str, GridForecast] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.special is None:
            self.special = np.zeros(len(self.actual), dtype=bool)


@dataclass
class BacktestRun:
    """All cutoffs of one series (chronological); the last ``n_report`` are reported."""

    freq: str
    h: int
    origins: list[Origin]
    n_report: int
    window: int

    def forecast_at(self, k: int, members: Sequence[str]) -> np.ndarray:
        return np.mean([self.origins[k].yhat[m] for m in members], axis=0)

    def grid_at(self, k: int, members: Sequence[str]) -> GridForecast:
        return mean_forecast([self.origins[k].fc[m] for m in members])

    def residuals(self, members: Sequence[str], ks: Iterable[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Scaled errors ``z = (actual - yhat) / scale(yhat)`` and horizon buckets, on scored cells of
        ordinary days: the errors of holidays and unseen special days (a closure assumed where the
        centre opened) say nothing about the uncertainty of a normal day and would inflate every band."""
        ks = range(len(self.origins)) if ks is None else ks
        zs, bs = [np.zeros(0)], [np.zeros(0, dtype=int)]
        for k in ks:
            o = self.origins[k]
            assert o.special is not None  # filled in by __post_init__
            use = o.scored & ~o.special
            yh = self.forecast_at(k, members)[use]
            zs.append((o.actual[use] - yh) / interval_scale(yh))
            bs.append(o.buckets[use])
        # an origin whose typical error is far above the others' (a surge, an outage) would blow
        # every interval up: it is left out of the calibration
        typical = np.array([np.median(np.abs(z)) if len(z) else np.nan for z in zs[1:]])
        if np.isfinite(typical).sum() >= 3:
            keep = ~(typical > OUTLIER_ORIGIN * np.nanmedian(typical))
            zs = zs[:1] + [z for z, k in zip(zs[1:], keep) if k]
            bs = bs[:1] + [b for b, k in zip(bs[1:], keep) if k]
        return np.concatenate(zs), np.concatenate(bs)


def _day_open_actual(mat: np.ndarray, days: pd.DatetimeIndex) -> np.ndarray:
    """Bool per day: observed and its total above CLOSED_SHARE of a typical same weekday."""
    tot = np.nansum(mat, axis=1)
    has = ~np.all(np.isnan(mat), axis=1)
    wd = days.day_of_week.to_numpy()
    ref = np.zeros(7)
    for w in range(7):
        sel = has & (wd == w) & (tot > 0)
        ref[w] = np.median(tot[sel]) if sel.any() else 0.0
    return has & (tot > 0) & (tot > CLOSED_SHARE * ref[wd])


def run_backtest(y: pd.Series, freq: str, h: int, models: Sequence[str], *, holidays=None, origins: int = 8,
                 extra: int = 0, step: int | None = None, min_train_days: int | None = None,
                 events: pd.DataFrame | None = None) -> BacktestRun:
    """Fit every model at each cutoff of one grid series and keep forecasts and actuals.

    Cutoffs are midnights spaced by the horizon (``step`` grid steps when given, rounded to whole
    days), the last one leaving a full horizon of history after it; ``origins`` are reported and up
    to ``extra`` earlier cutoffs are run for nested calibration. Cutoffs with fewer than
    ``min_train_days`` days before them are skipped.
    """
    for m in models:
        if m not in MODELS:
            raise ValueError(f"models: {m!r} is not one of {sorted(MODELS)}")
    P = slots_per_day(freq)
    gstep = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    start = y.index[0].normalize()
    n_days = int((y.index[-1].normalize() - start) // DAY) + 1
    days = pd.date_range(start, periods=n_days, freq="D")
    mat = day_matrix(y, freq, start, n_days)
    flat = mat.reshape(-1)
    day_open = _day_open_actual(mat, days)
    end = y.index[-1] + gstep
    H = h * gstep
    stride = max(DAY, pd.Timedelta(int(np.ceil((step * gstep if step else H) / DAY)), "D"))
    min_train = min_train_days or (28 if P > 1 else 56)
    cutoffs: list[pd.Timestamp] = []
    c = (end - H).normalize() if P > 1 else end - H
    while len(cutoffs) < origins + extra and c - start >= min_train * DAY:
        cutoffs.append(c)
        c = c - stride
    cutoffs = cutoffs[::-1]
    run_origins: list[Origin] = []
    instances = {m: MODELS[m]() for m in models}  # refitted origin after origin (warm starts)
    for c in cutoffs:
        train = y[y.index < c]
        until = c + H - gstep
        prep = prepare(train, freq, holidays, until, events=events)
        pos0 = int((c - start) // gstep)
        actual = flat[pos0:pos0 + h]
        index = pd.date_range(c, periods=h, freq=freq)
        slot_of_day = ((index - index.normalize()) // gstep).to_numpy().astype(int) % P
        slots = prep.cal.open_slots[index.day_of_week.to_numpy(), slot_of_day]
        didx = ((index.normalize() - start) // DAY).to_numpy().astype(int)
        scored = ~np.isnan(actual) & slots & day_open[didx]
        # in-sample seasonal naive (one-week lag) MAE of the training window, on open cells
        tm = mat[: int((c - start) // DAY)].copy()
        tdays = days[: tm.shape[0]]
        tm[~day_open[: tm.shape[0]]] = np.nan
        tm[~prep.cal.open_slots[tdays.day_of_week.to_numpy()]] = np.nan
        tv = tm.reshape(-1)
        diff = np.abs(tv[7 * P:] - tv[: -7 * P]) if len(tv) > 7 * P else np.array([np.nan])
        scale = float(np.nanmean(diff)) if np.isfinite(diff).any() else np.nan
        o = Origin(cutoff=c, index=index, actual=actual, scored=scored, scale=scale,
                   buckets=horizon_bucket(index, c, P), open=np.ones(h, dtype=bool))
        for m in models:
            g = predict_grid(prep, m, until, instances[m])
            sel = (g.index >= c) & (g.index <= until)
            o.fc[m] = GridForecast(index=g.index[sel], yhat=g.yhat[sel], open=g.open[sel], normal=g.normal[sel],
                                   special=g.special[sel], unseen=g.unseen[sel], cap=g.cap[sel])
            o.yhat[m] = o.fc[m].yhat
            o.open, o.special = o.fc[m].open, o.fc[m].special
        run_origins.append(o)
    return BacktestRun(freq=freq, h=h, origins=run_origins, n_report=min(origins, len(run_origins)), window=origins)


def select_members(run: BacktestRun, candidates: Sequence[str], ks: Sequence[int]) -> list[str]:
    """The two best candidates by mean MASE over cutoffs ``ks``, to be averaged.

    Averaging two good models is steadier than picking one when the choice rests on a handful
    of origins (the rules compared are in benchmarks/NOTES.md).

    A cutoff where every candidate failed (its median MASE over the candidates is more than
    ``OUTLIER_ORIGIN`` times the lower quartile of that over the cutoffs: a surge, an outage) does
    not vote: its errors are tens of times the others' and would pick whichever model happened to
    be least wrong about an event none of them could see. The lower quartile, not the median, is
    the reference because a surge can fill half of the cutoffs of a long horizon's window.
    """
    table = np.full((len(ks), len(candidates)), np.nan)
    for i, k in enumerate(ks):
        o = run.origins[k]
        if o.scored.any() and np.isfinite(o.scale) and o.scale > 0:
            for j, m in enumerate(candidates):
                e = run.forecast_at(k, [m])[o.scored] - o.actual[o.scored]
                table[i, j] = np.mean(np.abs(e)) / o.scale
    rows = np.isfinite(table).all(axis=1)
    table = table[rows]
    if len(table) >= 3:
        typical = np.median(table, axis=1)
        table = table[~(typical > OUTLIER_ORIGIN * np.quantile(typical, 0.25))]
    scores = {m: float(np.mean(table[:, j])) if len(table) else np.inf for j, m in enumerate(candidates)}
    ranked = sorted(candidates, key=lambda m: (scores[m], m))
    if not np.isfinite(scores[ranked[0]]):
        return ["profile" if "profile" in candidates else ranked[0]]
    return ranked[:2]


def score_table(run: BacktestRun, model_lists: Sequence[Sequence[str]], series: str = "y",
                candidates: Sequence[str] | None = None, levels: Sequence[int] = LEVELS,
                horizon_buckets: Sequence[tuple[int, int]] | None = None) -> pd.DataFrame:
    """Per-origin and aggregate metrics (see the module docstring) of models or ensembles.

    ``model_lists`` holds member lists (``["ets"]``, ``["ets", "profile"]``) or ``["auto"]``, which
    chooses among ``candidates`` at each origin from earlier cutoffs only. ``horizon_buckets``
    (e.g. ``[(1, 1), (2, 7), (8, 28)]``, days after the cutoff, inclusive) adds a column ``horizon``
    (``"all"`` on the usual rows) and one aggregate row per model and bucket (``origin == "all"``,
    ``horizon == "1"``, ``"2-7"``...), scored on the cells of those horizon days only.
    """
    rows = []
    K = len(run.origins)
    report = range(K - run.n_report, K)
    buckets = list(horizon_buckets or [])
    for members in model_lists:
        label = "+".join(members)
        cells: list[dict] = []
        for k in report:
            o = run.origins[k]
            earlier = list(range(max(0, k - run.window), k))
            chosen = ""
            if list(members) == ["auto"]:
                mem = select_members(run, candidates or AUTO_CANDIDATES, earlier) if earlier else ["profile"]
                chosen = "+".join(mem)
            else:
                mem = list(members)
            g = run.grid_at(k, mem)
            s = o.scored
            cell: dict[str | int, Any] = {"e": g.yhat[s] - o.actual[s], "scale": o.scale,
                    "day": ((o.index[s].normalize() - o.cutoff.normalize()) // DAY).to_numpy().astype(int) + 1}
            if len(earlier) >= MIN_CAL_ORIGINS and s.any():
                z, b = run.residuals(mem, earlier)
                q = conformal_quantiles(z, b, levels, pool_width(slots_per_day(run.freq)))
                iv = apply_intervals(g, None, o.buckets, q)
                for lvl in levels:
                    cell[lvl] = (iv[f"yhat_lo_{lvl}"][s] <= o.actual[s]) & (o.actual[s] <= iv[f"yhat_hi_{lvl}"][s])
            cells.append(cell)
            rows.append({"series": series, "model": label, "origin": o.cutoff, **_scores([cell], levels),
                         "chosen": chosen, "horizon": "all"})
        rows.append({"series": series, "model": label, "origin": "all", **_scores(cells, levels), "chosen": "",
                     "horizon": "all"})
        for lo, hi in buckets:
            part = [{key: (v[(c["day"] >= lo) & (c["day"] <= hi)] if isinstance(v, np.ndarray) else v)
                     for key, v in c.items()} for c in cells]
            rows.append({"series": series, "model": label, "origin": "all", **_scores(part, levels), "chosen": "",
                         "horizon": str(lo) if lo == hi else f"{lo}-{hi}"})
    cols = ["series", "model", "origin", *(["horizon"] if buckets else []), "mase", "rmse", "bias",
            *[f"coverage_{lvl}" for lvl in levels], "n", "chosen"]
    df = pd.DataFrame(rows)[cols]
    df["origin"] = df["origin"].astype(object)
    return df


def _scores(cells: list[dict], levels: Sequence[int]) -> dict:
    """mase (mean over origins), rmse, bias, coverage (over calibrated origins) and n of scored cells."""
    errs = [c["e"] for c in cells]
    e = np.concatenate(errs) if errs else np.zeros(0)
    mases = [float(np.mean(np.abs(c["e"])) / c["scale"]) for c in cells if len(c["e"]) and c["scale"] > 0]
    out = {"mase": float(np.mean(mases)) if mases else np.nan,
           "rmse": float(np.sqrt(np.mean(e**2))) if len(e) else np.nan,
           "bias": float(np.mean(e)) if len(e) else np.nan}
    for lvl in levels:
        parts = [c[lvl] for c in cells if lvl in c]
        inside = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
        out[f"coverage_{lvl}"] = float(inside.mean()) if len(inside) else np.nan
    out["n"] = int(len(e))
    return out


def backtest(
    history: pd.DataFrame,
    horizon: int | str | pd.Timedelta,
    *,
    models: Sequence[str] | None = None,
    origins: int = 8,
    freq: str | None = None,
    holidays=None,
    series: str | Sequence[str] | None = None,
    step: int | None = None,
    horizon_buckets: Sequence[tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of models on every series of a history.

    ``models``: names of :data:`forecast.MODELS` and/or ``"auto"`` (default: all auto candidates and
    ``"auto"``). ``origins``: reported cutoffs, the last ones spaced by the horizon (or ``step`` grid
    steps). Returns the table described in the module docstring: per (series, model) ``origins`` rows
    and one ``origin == "all"`` row. ``horizon_buckets`` (days after the cutoff, inclusive, e.g.
    ``[(1, 1), (2, 7), (8, 28)]``) adds a ``horizon`` column and one aggregate row per bucket
    (:func:`score_table`): accuracy and coverage by how far ahead.
    """
    models = list(models) if models is not None else [*AUTO_CANDIDATES, "auto"]
    if origins < 1:
        raise ValueError(f"origins: must be >= 1, got {origins}")
    tables = []
    for name, y in split_series(history, series).items():
        y, f = to_grid(y, freq)
        h = horizon_steps(horizon, f)
        cands = list(auto_candidates(f))
        fit = sorted(set(m for m in models if m != "auto") | (set(cands) if "auto" in models else set()),
                     key=lambda m: list(MODELS).index(m))
        run = run_backtest(y, f, h, fit, holidays=holidays, origins=origins, extra=origins, step=step)
        if not run.origins:
            raise ValueError(f"history: series {name!r} is too short for a backtest with horizon {horizon!r}")
        tables.append(score_table(run, [[m] for m in models], series=name, candidates=cands,
                                  horizon_buckets=horizon_buckets))
    return pd.concat(tables, ignore_index=True)
