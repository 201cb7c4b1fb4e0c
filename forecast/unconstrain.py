"""Unconstraining: from call attempts back to the callers who needed to call.

In an overloaded centre, one person's need shows up as many attempts: a busy signal, a redial, a hang-up
after 40 minutes on hold, another redial the next morning. Counting attempts as demand makes a surge look
several times larger than it is, and a forecast trained on it plans for people who do not exist.

The model is the simplest one that respects that story. Every attempt either gets through or *fails*
(blocked by a busy signal or abandoned in the queue). After a failure the caller tries again with
probability ``redial_prob`` (``redial_prob_abandoned`` may differ for abandoned calls), on the same day or
a few open days later (``redial_lags``). In expectation, then,

    redials_t  = sum_j lag_j * (p_b * blocked_{t-j} + p_a * abandoned_{t-j})      (j in open days)
    demand_t   = attempts_t - redials_t                (people whose need arrived on day t)
    callers_t  = attempts_t - lag_0 * (p_b * blocked_t + p_a * abandoned_t)
                                                      (different people who called on day t)

With all redials on the same day (the default ``redial_lags=(1.0,)``) and one ``p`` this is the geometric
formula: each caller makes ``1 / (1 - p f)`` attempts on average, with ``f`` the day's failure share, so
``callers_t = demand_t = attempts_t * (1 - p f_t)``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = ["unconstrain"]


def _data_error(problem: str, **where: Any) -> DataError:
    """A :class:`forecast.DataError` about an in-memory history frame (``column=``, ``expected=``...)."""
    return DataError(problem, path="history", **where)


def _long_to_wide(history: pd.DataFrame, series: Iterable[str], *, freq: str = "D",
                  required: bool = True) -> pd.DataFrame:
    """Selected series of a long ``series, ds, y`` frame as a wide frame on a regular ``freq`` grid.

    Values within one grid step are summed; steps without any row are NaN. Series that are absent
    raise :class:`forecast.DataError` when ``required`` (else they are left out).
    """
    if not isinstance(history, pd.DataFrame):
        raise _data_error(f"must be a pandas DataFrame with columns series, ds, y; got {type(history).__name__}")
    missing_cols = [c for c in ("series", "ds", "y") if c not in history.columns]
    if missing_cols:
        raise _data_error(f"missing column(s) {missing_cols}; expected a long frame series, ds, y "
                          f"(got {list(history.columns)})")
    names = list(series)
    present = set(history["series"].astype(str).unique())
    absent = [s for s in names if s not in present]
    if absent and required:
        raise _data_error(f"series {absent} not found; expected rows with series in {names} "
                          f"(found {sorted(present)})")
    names = [s for s in names if s in present]
    sub = history[history["series"].astype(str).isin(names)]
    ds = pd.to_datetime(sub["ds"])
    y = pd.to_numeric(sub["y"], errors="coerce")
    bad = y.isna() & sub["y"].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _data_error(f"row {sub.index[i]!r}: column y must be a number, got {sub['y'].iloc[i]!r}")
    frame = pd.DataFrame({"series": sub["series"].astype(str).to_numpy(),
                          "ds": ds.dt.floor(freq).to_numpy(), "y": y.to_numpy(dtype=float)})
    wide = frame.pivot_table(index="ds", columns="series", values="y", aggfunc="sum", dropna=False)
    if wide.empty:
        return pd.DataFrame(columns=names, index=pd.DatetimeIndex([], name="ds"), dtype=float)
    grid = pd.date_range(wide.index.min(), wide.index.max(), freq=freq, name="ds")
    wide = wide.reindex(grid)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reindex(columns=names)


def _probability(value: float, name: str) -> float:
    try:
        p = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}") from exc
    if not math.isfinite(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return p


def unconstrain(
    history: pd.DataFrame,
    *,
    redial_prob: float,
    redial_prob_abandoned: float | None = None,
    redial_lags: Sequence[float] = (1.0,),
    attempts: str = "calls",
    blocked: str = "calls_blocked",
    abandoned: str = "calls_abandoned",
    answered: str = "calls_answered",
    callers_name: str = "callers",
    demand_name: str = "demand",
) -> pd.DataFrame:
    """Estimate unique callers and true demand from attempts, blocked and abandoned calls.

    Parameters
    ----------
    history:
        Long frame ``series, ds, y`` with (at least) daily ``attempts`` (all call attempts, redials
        included) and the failures: ``blocked`` and/or ``abandoned``. When both failure series are
        missing but ``answered`` is there, failures = attempts - answered (all treated as blocked).
        Intraday rows are summed per day.
    redial_prob:
        Chance that a blocked caller (and an abandoned one, unless ``redial_prob_abandoned`` is given)
        tries again, in [0, 1].
    redial_prob_abandoned:
        Chance that a caller who abandoned tries again (default: ``redial_prob``).
    redial_lags:
        Shares of the redials made 0, 1, 2, ... *open days* after the failure (sum to 1). ``(1.0,)``:
        same day (the geometric formula); ``(0, 0.75, 0.25)``: 75 % the next open day, 25 % the one after.
        Open days are the days with attempts > 0.
    attempts, blocked, abandoned, answered:
        Names of the series in ``history``.
    callers_name, demand_name:
        Names of the two series added.

    Returns
    -------
    ``history`` with all its original rows, plus one row per day (days with an ``attempts`` value) for
    each of the two new series: ``callers_name`` (different people who called that day) and
    ``demand_name`` (people whose need arrived that day: attempts minus every redial). Values are
    expected counts (floats), never negative. Columns other than ``series, ds, y`` are left empty (NA)
    on the new rows.
    """
    p_b = _probability(redial_prob, "redial_prob")
    p_a = p_b if redial_prob_abandoned is None else _probability(redial_prob_abandoned, "redial_prob_abandoned")
    try:
        lags = np.asarray([float(w) for w in redial_lags], dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"redial_lags must be a sequence of shares (e.g. (0, 0.75, 0.25)), "
                         f"got {redial_lags!r}") from exc
    if (lags.size == 0 or np.any(~np.isfinite(lags)) or np.any(lags < 0)
            or not math.isclose(lags.sum(), 1.0, abs_tol=1e-6)):
        raise ValueError(f"redial_lags must be non-negative shares that sum to 1, got {tuple(redial_lags)!r}")
    for name in (callers_name, demand_name):
        if (history.get("series") is not None) and (history["series"].astype(str) == name).any():
            raise ValueError(f"history already has a {name!r} series; pass callers_name=/demand_name= to "
                             "name the estimates differently")

    wide = _long_to_wide(history, [attempts, blocked, abandoned, answered], required=False)
    if attempts not in wide.columns:
        raise _data_error(f"series {attempts!r} (call attempts) not found; pass attempts= to name it")
    att = wide[attempts].to_numpy(dtype=float)
    has_b, has_a = blocked in wide.columns, abandoned in wide.columns
    if has_b or has_a:
        blk = np.nan_to_num(wide[blocked].to_numpy(dtype=float)) if has_b else np.zeros_like(att)
        abn = np.nan_to_num(wide[abandoned].to_numpy(dtype=float)) if has_a else np.zeros_like(att)
    elif answered in wide.columns:
        blk = np.clip(np.nan_to_num(att) - np.nan_to_num(wide[answered].to_numpy(dtype=float)), 0.0, None)
        abn = np.zeros_like(att)
    else:
        raise _data_error(f"need failures to unconstrain: series {blocked!r} and/or {abandoned!r} "
                          f"(or {answered!r}); found none")
    known = np.isfinite(att)
    over = known & (blk + abn > att + 1e-9)
    if over.any():
        day = wide.index[np.flatnonzero(over)[0]]
        raise _data_error(f"{day.date()}: {blocked} + {abandoned} = {blk[over][0] + abn[over][0]:g} "
                          f"exceeds {attempts} = {att[over][0]:g}; failures must be a part of the attempts")

    failed_redials = p_b * blk + p_a * abn  # expected redials caused by each day's failures
    open_pos = np.flatnonzero(known & (np.nan_to_num(att) > 0))
    redials_in = np.zeros_like(att)
    src = failed_redials[open_pos]
    for j, w in enumerate(lags):
        if w == 0:
            continue
        shifted = np.zeros_like(src)
        if j == 0:
            shifted = src
        elif j < len(src):
            shifted[j:] = src[:-j]
        redials_in[open_pos] += w * shifted
    same_day = lags[0] * failed_redials

    a = np.nan_to_num(att)
    callers = np.clip(a - same_day, 0.0, None)
    demand = np.clip(a - redials_in, 0.0, None)
    days = wide.index[known]
    extra = pd.concat([
        pd.DataFrame({"series": callers_name, "ds": days, "y": callers[known]}),
        pd.DataFrame({"series": demand_name, "ds": days, "y": demand[known]}),
    ], ignore_index=True)
    out = pd.concat([history, extra], ignore_index=True)
    return out
