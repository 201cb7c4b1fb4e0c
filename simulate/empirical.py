"""Empirical durations: a handle time or a patience given by what was observed, not by a formula.

A planner who has a month of call records knows the handle times themselves; no lognormal is needed.
:class:`Empirical` holds such a distribution as a small table of quantiles (at most
:data:`MAX_QUANTILES` values, so a scenario file stays short) and turns uniforms into durations by
its inverse CDF, exactly as the parametric families do in :func:`simulate.scenario.duration_quantile`:
a duration is monotone in its uniform, so two scenarios fed the same uniforms keep common random
numbers.

The table: ``m`` sorted values ``v_0 <= ... <= v_{m-1}`` at the probabilities ``p_i = (i + 0.5) / m``
(Hazen's plotting positions). The inverse CDF is the straight line between neighbouring points and
is flat beyond the ends (``Q(u) = v_0`` for ``u < p_0``, ``v_{m-1}`` above ``p_{m-1}``). With that
rule the mean of the distribution is exactly the plain mean of the values, and a table built from at
most ``m`` samples is the samples themselves (their Hazen quantile function): nothing is lost. More
samples are reduced to ``m`` Hazen quantiles.

In a scenario the table gives the *shape*: durations are ``Q(u) / mean(values)`` times the mean the
scenario or the interval asks for (``Scenario.aht``, a call type's ``aht``, the demand's ``aht_s``
per interval, or the patience mean), like the parametric families, so "+10% handle time" keeps
working on an empirical distribution.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MAX_QUANTILES", "Empirical", "empirical_unit", "quantile_table"]

#: most values an empirical distribution keeps (a scenario file stays a few kilobytes)
MAX_QUANTILES = 1001


def quantile_table(owner: str, name: str, value: Any) -> tuple[float, ...]:
    """Validate a quantile table given as an :class:`Empirical` or a sequence of numbers (seconds).

    Returns the values as a tuple of floats, sorted as given. Raises ValueError naming
    ``owner.name`` when the table is empty, longer than :data:`MAX_QUANTILES`, not sorted, or holds
    a value that is not a finite number >= 0, or when its mean is 0."""
    if isinstance(value, Empirical):
        return value.values
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise ValueError(f"{owner}.{name} must be a list of durations in seconds (quantiles, sorted), "
                         f"got {type(value).__name__}")
    if not 1 <= len(value) <= MAX_QUANTILES:
        raise ValueError(f"{owner}.{name} must hold 1 to {MAX_QUANTILES} values, got {len(value)}")
    out = []
    for i, v in enumerate(value):
        ok = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
        if not ok or not math.isfinite(float(v)) or float(v) < 0:
            raise ValueError(f"{owner}.{name}[{i}] must be a finite duration >= 0 seconds, got {v!r}")
        out.append(float(v))
    bad = [i for i in range(1, len(out)) if out[i] < out[i - 1]]
    if bad:
        i = bad[0]
        raise ValueError(f"{owner}.{name} must be sorted (quantiles): value {i} ({out[i]:g}) is below value "
                         f"{i - 1} ({out[i - 1]:g})")
    if sum(out) <= 0:
        raise ValueError(f"{owner}.{name}: the durations must not all be 0")
    return tuple(out)


def _probabilities(m: int) -> np.ndarray:
    return (np.arange(m, dtype=np.float64) + 0.5) / m


def empirical_unit(u: np.ndarray, values: Sequence[float]) -> np.ndarray:
    """Mean-one durations from uniforms ``u`` by the inverse CDF of the quantile table ``values``.

    u: float64 array in [0, 1); values: the table (see the module docstring). Returns
    ``Q(u) / mean(values)``, float64 of u's shape."""
    v = np.asarray(values, dtype=np.float64)
    return np.interp(np.asarray(u, dtype=np.float64), _probabilities(len(v)), v) / v.mean()


@dataclass(frozen=True)
class Empirical:
    """A duration distribution given by its quantiles (seconds); see the module docstring.

    values: sorted durations >= 0 at the probabilities ``(i + 0.5) / m``, m <= :data:`MAX_QUANTILES`.
    Build one from observations with :meth:`from_samples`, or from any quantile function with
    :meth:`from_quantile`.
    """

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", quantile_table("Empirical", "values", list(self.values)
                                                          if isinstance(self.values, np.ndarray) else self.values))

    @classmethod
    def from_samples(cls, samples: Sequence[float] | np.ndarray, *, size: int = MAX_QUANTILES) -> Empirical:
        """The empirical distribution of observed durations (seconds, finite, >= 0).

        Up to ``size`` samples are kept as they are (sorted); more are reduced to ``size`` Hazen
        quantiles. Raises ValueError for no samples or a bad value (naming its position)."""
        x = np.asarray(samples, dtype=np.float64).ravel()
        if x.size == 0:
            raise ValueError("Empirical.from_samples: no samples")
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0))
        if bad.size:
            raise ValueError(f"Empirical.from_samples: sample {int(bad[0])} must be a finite duration >= 0 "
                             f"seconds, got {x[bad[0]]!r}")
        if not 1 <= size <= MAX_QUANTILES:
            raise ValueError(f"Empirical.from_samples: size must be 1 to {MAX_QUANTILES}, got {size}")
        x = np.sort(x)
        if x.size > size:
            x = np.quantile(x, _probabilities(size), method="hazen")
        return cls(tuple(float(v) for v in x))

    @classmethod
    def from_quantile(cls, quantile: Callable[[np.ndarray], np.ndarray], *, size: int = MAX_QUANTILES
                      ) -> Empirical:
        """A table of ``size`` points of a quantile function (probabilities -> seconds), e.g. a
        Kaplan-Meier curve completed by a fitted tail."""
        v = np.maximum.accumulate(np.asarray(quantile(_probabilities(size)), dtype=np.float64))
        return cls(tuple(float(x) for x in v))

    @property
    def probabilities(self) -> np.ndarray:
        """The probabilities of the values, ``(i + 0.5) / m``, float64 (m,)."""
        return _probabilities(len(self.values))

    @property
    def mean(self) -> float:
        """Mean duration (s): exactly the mean of the values (see the module docstring)."""
        return float(np.mean(self.values))

    @property
    def cv(self) -> float:
        """Coefficient of variation of the distribution (piecewise-linear quantile function)."""
        v = np.asarray(self.values)
        m = len(v)
        a, b = v[:-1], v[1:]
        second = (v[0] ** 2 + v[-1] ** 2) * 0.5 / m + np.sum((a * a + a * b + b * b) / 3.0) / m
        var = max(second - self.mean ** 2, 0.0)
        return math.sqrt(var) / self.mean

    def quantile(self, u: np.ndarray | float) -> np.ndarray:
        """Durations (s) at probabilities ``u`` (the inverse CDF)."""
        return np.interp(np.asarray(u, dtype=np.float64), self.probabilities, np.asarray(self.values))

    def cdf(self, x: np.ndarray | float) -> np.ndarray:
        """P(duration <= x) for durations ``x`` (s): the inverse of :meth:`quantile`."""
        v = np.asarray(self.values)
        p = self.probabilities
        x = np.asarray(x, dtype=np.float64)
        # on a run of equal values the CDF jumps to the run's last probability
        hi = np.searchsorted(v, x, side="right")
        lo = np.clip(hi - 1, 0, len(v) - 1)
        hi_c = np.clip(hi, 0, len(v) - 1)
        span = v[hi_c] - v[lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(span > 0, (x - v[lo]) / span, 0.0)
        out = p[lo] + frac * (p[hi_c] - p[lo])
        return np.where(x < v[0], 0.0, np.where(x >= v[-1], 1.0, out))

    def unit(self, u: np.ndarray) -> np.ndarray:
        """Mean-one durations from uniforms ``u`` (see :func:`empirical_unit`)."""
        return empirical_unit(u, self.values)

    def to_list(self) -> list[float]:
        """The values as a plain list (for TOML and JSON)."""
        return list(self.values)
