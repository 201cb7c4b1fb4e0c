"""Confidence intervals that stay inside the range of what they measure, and the tests built on them.

Across R replications a KPI is reported as its mean with a 95% interval. The textbook t interval,
``mean ± t·se`` (``se`` = sd / √R, ``t`` Student's quantile with R − 1 degrees of freedom), is
symmetric and ignores what the KPI can be: with two replications a service level of 75% gets an
upper end of 108%, a count of 2.6 callbacks a lower end of −0.3. Here each interval is still built
from the replications' mean and standard error, but on a scale where the KPI cannot leave its range:

* **Shares** (service level, abandon rate, occupancy, ...: range [0, 1]): the **Wilson score
  interval** with an *effective* number of trials ``n_eff = p(1 − p) / se²`` and the t quantile
  (the effective-sample-size idea of Korn & Graubard 1998). Wilson is the interval recommended for
  proportions near 0 and 1 (Agresti & Coull 1998; Brown, Cai & DasGupta 2001); using ``n_eff``
  instead of the number of calls carries the variation *between* replications, which is what
  matters here: callers of one interval share one queue, so their outcomes are correlated and the
  binomial count of calls would claim far too much precision. Far from 0 and 1 (large ``n_eff``)
  it is the t interval; near them it bends inward; it always contains the mean.
* **Counts and durations** (attempts, callbacks, ASA, queue length: range [0, ∞)): the **log-t**
  interval ``mean · exp(± t · se / mean)``, a t interval for log(mean) by the delta method. Counts
  and waits vary multiplicatively (their spread grows with their level), the interval never goes
  below 0, always contains the mean, and is the t interval when ``se ≪ mean``. It needs only the
  mean, so replications scoring exactly 0 are fine (a log of each replication would not be). A
  lower bound other than 0 (attempts per caller ≥ 1) shifts the scale: ``a + (mean − a) · exp(...)``.
* No known range: the plain t interval.

Bootstrap intervals were rejected: with the 2-10 replications a planner runs, a percentile
bootstrap can never reach beyond the replications seen and covers far less than it claims.
:func:`wilson` (plain binomial) is for independent trials, such as demand scenarios drawn in
:func:`simulate.staffing.risk_of_missing`.

With one valid replication the interval is the mean itself (nothing to measure spread with); with
none, NaN. When every replication agrees (se = 0) it is the mean itself too.

Whether a staffing plan keeps its promise is a test, not an interval: :func:`p_worse` (one-sided t
test per interval) and :func:`worse_than_target` (all open intervals together, Benjamini-Hochberg),
used by :func:`simulate.staff` to say which intervals fall significantly short of the target.
"""
from __future__ import annotations

import functools

import numpy as np
from scipy import stats

__all__ = ["mean_interval", "p_worse", "worse_than_target", "wilson", "metric_bounds", "BOUNDS"]

#: Range of each KPI whose range is not implied by its unit (see :func:`metric_bounds`).
BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "attempts_per_caller": (1.0, None),  # every caller makes at least one attempt
}
_UNIT_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "share": (0.0, 1.0), "calls": (0.0, None), "callers": (0.0, None), "seconds": (0.0, None),
}


def metric_bounds(name: str) -> tuple[float | None, float | None]:
    """The (lower, upper) range of a KPI of :data:`simulate.metrics.METRICS` (None = unbounded).

    Shares lie in [0, 1]; counts, callers and seconds are >= 0; :data:`BOUNDS` holds the exceptions.
    An unknown name is unbounded."""
    if name in BOUNDS:
        return BOUNDS[name]
    from simulate.metrics import METRICS

    metric = METRICS.get(name)
    return _UNIT_BOUNDS.get(metric.unit, (None, None)) if metric is not None else (None, None)


def _moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, se, n valid) along axis 0, ignoring NaN."""
    valid = ~np.isnan(values)
    n = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.where(valid, values, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)
        dev = np.where(valid, values - mean, 0.0)
        sd = np.sqrt((dev ** 2).sum(axis=0) / np.maximum(n - 1, 1))
    se = np.where(n > 1, sd / np.sqrt(np.maximum(n, 1)), 0.0)
    return mean, se, n


@functools.lru_cache(maxsize=512)
def _t_quantile(q: float, df: int) -> float:
    return float(stats.t.ppf(q, df))


def _quantile(confidence: float, n: np.ndarray) -> np.ndarray:
    """Student's t quantile for each count of replications in ``n`` (degrees of freedom n - 1, at
    least 1); computed once per distinct count (scipy's ppf costs about 0.5 ms a call, and a run asks
    for it per metric with the same count)."""
    df = np.maximum(np.asarray(n, dtype=np.int64) - 1, 1)
    uniq, inverse = np.unique(df, return_inverse=True)
    q = 0.5 + confidence / 2.0
    return np.array([_t_quantile(q, int(u)) for u in uniq])[inverse].reshape(df.shape)


def mean_interval(values: np.ndarray, confidence: float = 0.95, *, lower: float | None = None,
                  upper: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean across replications (axis 0, NaN ignored) and its two-sided interval within [lower, upper].

    values: shape (R, ...), one row per replication. confidence: two-sided level in (0, 1).
    lower/upper: the KPI's range (None = unbounded): both given -> Wilson with an effective number
    of trials on the share ``(x - lower) / (upper - lower)``; only ``lower`` -> log-t on
    ``x - lower``; neither -> the t interval (see the module docstring for each and why).
    Returns (mean, lo, hi), each of shape values.shape[1:]; lo <= mean <= hi and both inside the
    range whenever the replications are; lo == hi == mean with one valid replication (or none
    differing); NaN with none.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    if upper is not None and lower is None:
        raise ValueError("mean_interval: an upper bound needs a lower bound (give lower=...)")
    if lower is not None and upper is not None and not upper > lower:
        raise ValueError(f"mean_interval: upper ({upper}) must be above lower ({lower})")
    values = np.asarray(values, dtype=np.float64)
    mean, se, n = _moments(values)
    t = _quantile(confidence, n)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if lower is None:
            half = t * se
            lo, hi = mean - half, mean + half
        elif upper is None:
            x = np.maximum(mean - lower, 0.0)
            factor = np.exp(np.where(x > 0, t * se / np.where(x > 0, x, 1.0), 0.0))
            lo, hi = lower + x / factor, lower + x * factor
        else:
            width = upper - lower
            p = np.clip((mean - lower) / width, 0.0, 1.0)
            s = se / width
            # Wilson with n_eff = p(1-p)/s^2, written so that s = 0 (n_eff infinite) gives p itself:
            # centre (p + z^2/(2n)) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/(4n^2)) / (1 + z^2/n).
            pq = p * (1.0 - p)
            k = np.where(pq > 0, (t * s) ** 2 / np.where(pq > 0, pq, 1.0), 0.0)  # z^2 / n_eff
            centre = (p + k / 2.0) / (1.0 + k)
            half = np.sqrt(k * pq + (k / 2.0) ** 2) / (1.0 + k)
            lo = lower + width * np.clip(centre - half, 0.0, 1.0)
            hi = lower + width * np.clip(centre + half, 0.0, 1.0)
    one = n <= 1
    lo = np.where(one | (se == 0), mean, np.minimum(lo, mean))
    hi = np.where(one | (se == 0), mean, np.maximum(hi, mean))
    return mean, lo, hi


def p_worse(values: np.ndarray, target: float, *, direction: str) -> np.ndarray:
    """One-sided p-values that each column's mean is worse than ``target`` (shape values.shape[1:]).

    Student's one-sample t test, ``t = (mean - target) / se`` with R - 1 degrees of freedom
    (``direction="higher"``: small p when the mean is significantly below the target; ``"lower"``:
    above it). The test makes no assumption about how the spread changes with the level: an
    interval's service level varies between replications mostly through the queue it inherits,
    far more than a binomial share and not in proportion to p(1 - p), so a score test on the
    Wilson scale would call intervals near 100% short too readily. NaN with fewer than two valid
    replications (no spread to judge by); 0 or 1 when every replication agrees.
    """
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")
    mean, se, n = _moments(np.asarray(values, dtype=np.float64))
    gap = mean - target if direction == "higher" else target - mean
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, gap / np.where(se > 0, se, 1.0), np.where(gap >= 0, np.inf, -np.inf))
    return np.where(n >= 2, stats.t.cdf(z, np.maximum(n - 1, 1)), np.nan)


def worse_than_target(values: np.ndarray, target: float, *, direction: str, alpha: float = 0.05) -> np.ndarray:
    """Which columns are significantly worse than ``target``, testing all columns together (bool).

    :func:`p_worse` per column, then the Benjamini-Hochberg step-up rule at level ``alpha`` over the
    columns with a p-value. When every column truly meets its target, the chance that any is flagged
    is at most ``alpha`` (with every null hypothesis true, the false discovery rate *is* the chance
    of any false flag; Benjamini & Hochberg 1995, valid for independent or positively dependent
    tests, as neighbouring intervals of one queue are). Unlike Bonferroni (each column at
    ``alpha / m``), many columns that miss together are flagged together: forty-eight intervals at
    70% against an 80% target are nearly all flagged from ten replications, where Bonferroni flags
    a few.
    Columns without a p-value (fewer than two valid replications) are never flagged.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    p = p_worse(values, target, direction=direction)
    flat = p.ravel()
    have = np.flatnonzero(np.isfinite(flat))
    flagged = np.zeros(flat.shape, dtype=bool)
    m = have.size
    if m:
        order = have[np.argsort(flat[have], kind="stable")]
        passed = flat[order] <= alpha * np.arange(1, m + 1) / m
        if passed.any():
            flagged[order[: int(np.flatnonzero(passed)[-1]) + 1]] = True
    return flagged.reshape(p.shape)


def wilson(successes: np.ndarray | float, trials: np.ndarray | float, confidence: float = 0.95
           ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (lo, hi) of a binomial share ``successes / trials`` (independent trials).

    Shapes broadcast; NaN where ``trials`` is 0. Always inside [0, 1]."""
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
        lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi
