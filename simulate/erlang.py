"""Exact steady-state formulas for the M/M/n queue (Erlang B and C) and M/M/n+M (Erlang A).

Picture one interval of a call centre in steady state: calls arrive at ``rate`` per second
(Poisson), ``agents`` agents each handle one call at a time for an exponential time of mean ``aht``
seconds. Erlang B is the chance a call finds every agent busy when there is no queue; Erlang C the
chance it has to wait when callers wait forever; Erlang A adds exponential patience of mean
``patience`` seconds, so callers who wait too long hang up and overload stays finite.

Units: ``rate`` per second; ``aht``, ``patience``, ``threshold`` and every ``*_s`` result in
seconds; ``load`` in Erlangs (``rate * aht``). Every function broadcasts its array arguments
(numpy rules) and returns float arrays of the broadcast shape (0-d arrays for scalar input).

Numerics: no factorials. Erlang B uses its continuous extension
``1/B(x, a) = e^a a^-x Gamma(x+1) Q(x+1, a)`` (Jagerman 1974; ``Q`` = scipy's regularised upper
incomplete gamma) in logs, or its convergent series in ``x/a`` where ``Q`` would underflow, so it is
exact for integer agents, smooth for fractional ones, and stable for tens of thousands of agents.
Erlang A follows Garnett, Mandelbaum & Reiman (2002) and Mandelbaum & Zeltyn ("The Palm/Erlang-A
queue", 2007), all written through the Kummer function ``G(b, z) = 1F1(1; b+1; z)`` evaluated in
logs. The offered-wait density used below (derived from the birth-death chain) is
``f_V(v) = pi_n * n mu * exp(y - n mu v - y exp(-theta v))`` with ``y = rate / theta``.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from simulate._jit import jit

__all__ = [
    "erlang_b",
    "erlang_c",
    "service_level_c",
    "asa_c",
    "occupancy",
    "erlang_a",
]

_SERIES_SIGMAS = 25.0  # use a series where the incomplete gamma is ~exp(-25^2/2), close to underflow


def _as_float(*arrays: object) -> list[np.ndarray]:
    return [np.asarray(a, dtype=np.float64)
            for a in np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])]


def _check_nonneg(name: str, value: np.ndarray) -> None:
    if np.any(np.isnan(value)) or np.any(value < 0):
        raise ValueError(f"{name} must be >= 0 (and not NaN), got {value[(np.isnan(value)) | (value < 0)].ravel()[:3]}")


def _log_inv_erlang_b(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log(1 / B(x, a)) for x >= 0, a > 0 (continuous in x). Same shape as the inputs."""
    out = np.empty_like(x)
    series = a > x + _SERIES_SIGMAS * np.sqrt(x + 1.0) + _SERIES_SIGMAS
    g = ~series
    if np.any(g):
        xg, ag = x[g], a[g]
        out[g] = ag - xg * np.log(ag) + special.gammaln(xg + 1.0) + np.log(special.gammaincc(xg + 1.0, ag))
    if np.any(series):
        # 1/B = sum_j x(x-1)...(x-j+1) / a^j: terms shrink at least by x/a < 1 each step.
        xs, as_ = x[series], a[series]
        total = np.ones_like(xs)
        term = np.ones_like(xs)
        for j in range(100_000):
            term = term * (xs - j) / as_
            total += term
            if np.all(np.abs(term) < 1e-17 * total):
                break
        out[series] = np.log(total)
    return out


def _log_kummer(b: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log G(b, z) with G(b, z) = sum_j z^j / ((b+1)...(b+j)) = 1F1(1; b+1; z), for b >= 0, z >= 0."""
    out = np.zeros_like(b)
    series = (z < b - _SERIES_SIGMAS * np.sqrt(b + 1.0)) & (z > 0)
    g = (~series) & (z > 0)
    if np.any(g):
        bg, zg = b[g], z[g]
        # G = e^z z^-b Gamma(b+1) P(b, z); gammainc(0, z) is 1, as the limit requires.
        out[g] = zg - bg * np.log(zg) + special.gammaln(bg + 1.0) + np.log(special.gammainc(bg, zg))
    if np.any(series):
        bs, zs = b[series], z[series]
        total = np.ones_like(bs)
        term = np.ones_like(bs)
        for j in range(1, 100_000):
            term = term * zs / (bs + j)
            total += term
            if np.all(term < 1e-17 * total):
                break
        out[series] = np.log(total)
    return out


def erlang_b(agents: np.ndarray | float, load: np.ndarray | float) -> np.ndarray:
    """Blocking probability of M/M/n/n (Erlang B) for ``agents`` servers and offered ``load`` Erlangs.

    ``agents`` may be fractional (continuous extension, increasing smoothly between integers).
    B(0, a) = 1 for a > 0; B(n, 0) = 0 for n > 0.
    """
    n, a = _as_float(agents, load)
    _check_nonneg("agents", n)
    _check_nonneg("load", a)
    out = np.where(n == 0, 1.0, 0.0)
    m = (a > 0) & (n > 0)
    if np.any(m):
        out[m] = np.exp(-_log_inv_erlang_b(n[m], a[m]))
    return out


def erlang_c(agents: np.ndarray | float, load: np.ndarray | float) -> np.ndarray:
    """Probability of waiting in M/M/n (Erlang C); 1 when ``load >= agents`` (unstable), 0 at zero load."""
    n, a = _as_float(agents, load)
    _check_nonneg("agents", n)
    _check_nonneg("load", a)
    out = np.where(a > 0, 1.0, 0.0)
    m = (a > 0) & (a < n)
    if np.any(m):
        b = erlang_b(n[m], a[m])
        rho = a[m] / n[m]
        out[m] = b / (1.0 - rho * (1.0 - b))
    return out


def service_level_c(
    rate: np.ndarray | float, aht: np.ndarray | float, agents: np.ndarray | float, threshold: np.ndarray | float
) -> np.ndarray:
    """Share of calls answered within ``threshold`` s in M/M/n: ``1 - C * exp(-(n - a) t / aht)``.

    0 when unstable (``rate * aht >= agents``), 1 when ``rate`` is 0.
    """
    lam, s, n, t = _as_float(rate, aht, agents, threshold)
    _check_nonneg("rate", lam)
    _check_nonneg("threshold", t)
    if np.any(s <= 0):
        raise ValueError("aht must be > 0 seconds")
    a = lam * s
    c = erlang_c(n, a)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * t / s)
    return np.where(a >= n, np.where(a > 0, 0.0, 1.0), np.clip(sl, 0.0, 1.0))


def asa_c(rate: np.ndarray | float, aht: np.ndarray | float, agents: np.ndarray | float) -> np.ndarray:
    """Average speed of answer of M/M/n in seconds: ``C * aht / (n - a)``; inf when unstable."""
    lam, s, n = _as_float(rate, aht, agents)
    _check_nonneg("rate", lam)
    if np.any(s <= 0):
        raise ValueError("aht must be > 0 seconds")
    a = lam * s
    c = erlang_c(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = c * s / (n - a)
    return np.where(a <= 0, 0.0, np.where(a >= n, np.inf, asa))


def occupancy(rate: np.ndarray | float, aht: np.ndarray | float, agents: np.ndarray | float) -> np.ndarray:
    """Share of agent time busy in M/M/n: ``min(rate * aht / agents, 1)`` (1 when agents is 0 and rate > 0)."""
    lam, s, n = _as_float(rate, aht, agents)
    a = lam * s
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, a / np.where(n > 0, n, 1.0), np.where(a > 0, 1.0, 0.0))
    return np.minimum(occ, 1.0)


def _erlang_a_core(lam: np.ndarray, s: np.ndarray, n: np.ndarray, pat: np.ndarray,
                   t: np.ndarray) -> dict[str, np.ndarray]:
    """Erlang A without the (costlier) served-call ASA. Inputs: equal-shape float arrays, rate > 0, agents > 0."""
    mu = 1.0 / s
    theta = 1.0 / pat
    c = n * mu  # total service rate when all agents busy, 1/s
    x = c / theta
    y = lam / theta
    a = lam * s
    log_inv_b = _log_inv_erlang_b(n, a)
    log_g = _log_kummer(x, y)
    # pi_n = 1 / (1/B + G(x, y) - 1), in logs since both terms can be astronomically large.
    mx = np.maximum(log_inv_b, log_g)
    log_pi_n = -(mx + np.log(np.exp(log_inv_b - mx) + np.exp(log_g - mx) - np.exp(-mx)))
    p_wait = np.exp(log_pi_n + log_g)
    # Served among those who wait: pi_n * (c / lam) * (G - 1); G - 1 = G * (1 - 1/G) computed stably.
    p_served_waited = np.exp(log_pi_n + np.log(c / lam) + log_g + np.log1p(-np.exp(-log_g)))
    p_abandon = np.clip(p_wait - p_served_waited, 0.0, 1.0)
    p_wait = np.clip(p_wait, 0.0, 1.0)
    # Answered after a wait in (t, inf): pi_n x/(x+1) exp(y - y' - (c+theta) t) G(x+1, y'), y' = y e^{-theta t}.
    y_t = y * np.exp(-theta * t)
    log_k = log_pi_n + np.log(x / (x + 1.0))
    served_after_t = np.exp(log_k + (y - y_t) - (c + theta) * t + _log_kummer(x + 1.0, y_t))
    served_waited_all = np.exp(log_k + _log_kummer(x + 1.0, y))
    service_level = np.clip(1.0 - p_wait + served_waited_all - served_after_t, 0.0, 1.0)
    # Still waiting at t: P(V > t) e^{-theta t}, P(V > t) = pi_n exp(y - y' - c t) G(x, y').
    p_wait_gt_t = np.clip(np.exp(log_pi_n + (y - y_t) - c * t - theta * t + _log_kummer(x, y_t)), 0.0, 1.0)
    mean_wait = p_abandon / theta  # flow balance: theta E[queue] = rate P(Ab), then Little
    occ = np.minimum(a * (1.0 - p_abandon) / n, 1.0)
    return {
        "p_wait": p_wait,
        "p_abandon": p_abandon,
        "service_level": service_level,
        "p_wait_gt_t": p_wait_gt_t,
        "mean_wait_s": mean_wait,
        "occupancy": occ,
        "_log_pi_n": log_pi_n,
    }


def _served_wait_sum(lam: np.ndarray, s: np.ndarray, n: np.ndarray, pat: np.ndarray, log_pi_n: np.ndarray,
                     points: int = 1024) -> np.ndarray:
    """E[wait; served] in s: sum over j waiting ahead of pi_{n+j} * E[V e^{-theta V} | j].

    Given j ahead, V is a sum of Exp(c + i theta), i = 0..j, so E[V e^{-theta V}] =
    c / (c + (j+1) theta) * (psi(x+j+2) - psi(x+1)) / theta. The sum runs over the window where
    pi_{n+j} is not negligible (+-15 sd around its mode), exactly when that window has at most
    ``points`` terms, else on an evenly strided grid (Euler-Maclaurin; relative error ~1e-6 or less).
    """
    theta = 1.0 / pat
    c = n / s
    x = c / theta
    y = lam / theta
    mode = np.maximum(y - x, 0.0)
    half = 15.0 * np.sqrt(y + 1.0) + 15.0
    lo = np.floor(np.maximum(mode - half, 0.0))
    hi = mode + half
    # Below the mode-free threshold (y < x) terms fall at least geometrically by y/(x+1) per step.
    with np.errstate(divide="ignore"):
        geo = 45.0 / np.log((x + 1.0) / np.maximum(y, 1e-300)) + 10.0
    hi = np.ceil(np.where(y < x, np.minimum(hi, geo), hi))
    step = np.maximum(1.0, np.ceil((hi - lo) / (points - 1)))
    out = np.empty_like(lam)
    # rows whose window is summed term by term (step 1: nearly all): a compiled recurrence from the
    # window's first term (gammaln and digamma advance by log(x+j+1) and 1/(x+j+2) per step)
    unit = step == 1.0
    if unit.any():
        lo_u, x_u, y_u = lo[unit], x[unit], y[unit]
        log_pi_lo = log_pi_n[unit] + lo_u * np.log(y_u) + special.gammaln(x_u + 1.0) - special.gammaln(x_u + lo_u + 1.0)
        dpsi_lo = special.digamma(x_u + lo_u + 2.0) - special.digamma(x_u + 1.0)
        out[unit] = _served_wait_unit(lo_u, hi[unit], x_u, y_u, c[unit], theta[unit], log_pi_lo, dpsi_lo)
    if unit.all():
        return out
    strided = np.flatnonzero(~unit)
    lam, lo, step, hi = lam[strided], lo[strided], step[strided], hi[strided]
    x, y, c, theta, log_pi_n = x[strided], y[strided], c[strided], theta[strided], log_pi_n[strided]
    sub = np.empty_like(lam)
    # terms needed per row: its window, not always ``points`` (most rows need a few hundred); rows are
    # taken in order of need so each block evaluates only as many terms as its widest row
    need = np.minimum(np.ceil((hi - lo) / step) + 1.0, points).astype(np.int64)
    order = np.argsort(need, kind="stable")
    budget = 2_000_000
    i0 = 0
    while i0 < len(lam):
        take = max(1, budget // int(need[order[i0]]))
        while take > 1 and take * int(need[order[min(i0 + take, len(lam)) - 1]]) > budget:
            take //= 2  # rows are sorted by need: the block's last row is its widest
        rows = order[i0:i0 + take]
        width = int(need[rows].max())
        i0 += len(rows)
        k = np.arange(width, dtype=np.float64)
        sl = rows
        j = lo[sl, None] + step[sl, None] * k[None, :]
        xs, ys, cs, ths = x[sl, None], y[sl, None], c[sl, None], theta[sl, None]
        log_pi = log_pi_n[sl, None] + j * np.log(ys) + special.gammaln(xs + 1.0) - special.gammaln(xs + j + 1.0)
        term = (np.exp(log_pi) * cs / (cs + (j + 1.0) * ths)
                * (special.digamma(xs + j + 2.0) - special.digamma(xs + 1.0)) / ths)
        w = np.broadcast_to(step[sl, None], term.shape).copy()
        at_zero = (lo[sl] == 0) & (step[sl] > 1)
        w[at_zero, 0] = (step[sl][at_zero] + 1.0) / 2.0
        sub[sl] = np.sum(term * w, axis=1)
    out[strided] = sub
    return out


@jit()
def _served_wait_unit(lo, hi, x, y, c, theta, log_pi_lo, dpsi_lo):
    """:func:`_served_wait_sum` for rows summed term by term (j = lo..hi), each term's log pi and
    digamma difference advanced from the previous one; log_pi_lo / dpsi_lo: their values at j = lo."""
    out = np.empty(lo.shape[0])
    for r in range(lo.shape[0]):
        log_y = np.log(y[r])
        log_pi = log_pi_lo[r]
        dpsi = dpsi_lo[r]
        total = 0.0
        j = lo[r]
        while j <= hi[r]:
            total += np.exp(log_pi) * c[r] / (c[r] + (j + 1.0) * theta[r]) * dpsi / theta[r]
            log_pi += log_y - np.log(x[r] + j + 1.0)
            dpsi += 1.0 / (x[r] + j + 2.0)
            j += 1.0
        out[r] = total
    return out


def erlang_a(
    rate: np.ndarray | float,
    aht: np.ndarray | float,
    agents: np.ndarray | float,
    patience: np.ndarray | float,
    threshold: np.ndarray | float,
    *,
    with_asa: bool = True,
) -> dict[str, np.ndarray]:
    """Exact steady state of M/M/n+M (Erlang A): exponential service (mean ``aht`` s) and patience
    (mean ``patience`` s).

    Returns a dict of float arrays (broadcast shape of the inputs), each a share of ALL arrivals unless said:
      p_wait          chance an arrival waits at all (finds every agent busy)
      p_abandon       chance an arrival hangs up before an answer (= abandon_rate)
      service_level   answered within ``threshold`` s / arrivals. Every arrival is either answered or
                      abandons, so this is our metric answered_within / (answered + abandoned).
      p_wait_gt_t     chance an arrival is still waiting ``threshold`` s after arriving
      asa_s           mean wait of answered calls, s (inf if nobody is answered; skipped when with_asa=False)
      mean_wait_s     mean wait of all arrivals (answered and abandoned), s
      occupancy       busy share of agents' time = rate * aht * (1 - p_abandon) / agents
    ``agents`` must be whole for Erlang A (fractional requirements come from interpolation). Any load is
    allowed, including load > agents; results are finite (asa_s aside) and never NaN.
    """
    lam, s, n, pat, t = _as_float(rate, aht, agents, patience, threshold)
    _check_nonneg("rate", lam)
    _check_nonneg("agents", n)
    _check_nonneg("threshold", t)
    if np.any(s <= 0):
        raise ValueError("aht must be > 0 seconds")
    if np.any(~(pat > 0)) or np.any(~np.isfinite(pat)):
        raise ValueError("patience must be > 0 and finite seconds for Erlang A (use erlang_c without abandonment)")
    shape = lam.shape
    lam, s, n, pat, t = (v.ravel() for v in (lam, s, n, pat, t))
    size = lam.size
    res = {
        "p_wait": np.zeros(size), "p_abandon": np.zeros(size), "service_level": np.ones(size),
        "p_wait_gt_t": np.zeros(size), "asa_s": np.zeros(size), "mean_wait_s": np.zeros(size),
        "occupancy": np.zeros(size),
    }
    # Nobody to answer: every arrival waits and hangs up after its patience.
    none = (n == 0) & (lam > 0)
    res["p_wait"][none] = 1.0
    res["p_abandon"][none] = 1.0
    res["service_level"][none] = 0.0
    res["p_wait_gt_t"][none] = np.exp(-t[none] / pat[none])
    res["asa_s"][none] = np.inf
    res["mean_wait_s"][none] = pat[none]
    m = (n > 0) & (lam > 0)
    if np.any(m):
        core = _erlang_a_core(lam[m], s[m], n[m], pat[m], t[m])
        for key in ("p_wait", "p_abandon", "service_level", "p_wait_gt_t", "mean_wait_s", "occupancy"):
            res[key][m] = core[key]
        if with_asa:
            served = 1.0 - core["p_abandon"]
            ew = _served_wait_sum(lam[m], s[m], n[m], pat[m], core["_log_pi_n"])
            with np.errstate(divide="ignore", invalid="ignore"):
                res["asa_s"][m] = np.where(served > 0, np.maximum(ew, 0.0) / served, np.inf)
    if not with_asa:
        del res["asa_s"]
    return {k: v.reshape(shape) for k, v in res.items()}
