"""Random streams and arrival times, shared by both engines so that they see the same callers."""
from __future__ import annotations

import numpy as np
from numpy.random.bit_generator import ISeedSequence

from simulate._jit import jit

__all__ = ["STREAMS", "arrival_times", "call_types", "interval_at", "interval_index", "n_spacings", "poisson_counts",
           "spawn_streams"]

STREAMS = ("arrivals", "call_type", "ivr", "service", "patience", "callback", "redial")
_SEED_WORDS = 3  # SFC64 takes three 64-bit words


class _Words(ISeedSequence):
    """Seed words already drawn from a SeedSequence, handed to a bit generator (numpy's
    ``ISeedSequence`` interface): building a child SeedSequence per stream costs about 8 us, this
    nothing."""

    __slots__ = ("_words",)

    def __init__(self, words: np.ndarray) -> None:
        self._words = words

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if np.dtype(dtype) != np.uint64 or n_words > len(self._words):
            raise ValueError(f"only up to {len(self._words)} uint64 seed words, asked {n_words} {dtype}")
        return self._words[:n_words]


class _Streams(dict):
    """``{stream name: Generator}`` that builds each generator the first time it is asked for (a
    scenario often uses only three of the seven).

    The bit generators are SFC64, numpy's fastest (about 1.5x PCG64's speed for doubles here,
    2 ns each), period at least 2**64 per stream, far beyond what one replication draws. Stream
    ``i`` is seeded with words ``3i..3i+2`` of ``seed.generate_state(21, uint64)`` (SeedSequence's
    hash output, as numpy seeds its own bit generators): one hash per replication, then about
    2 us per stream instead of 20 us for a SeedSequence child each."""

    def __init__(self, seed: np.random.SeedSequence) -> None:
        super().__init__()
        self._seed = seed
        self._words: np.ndarray | None = None

    def __missing__(self, name: str) -> np.random.Generator:
        try:
            i = STREAMS.index(name)
        except ValueError:
            raise KeyError(name) from None
        if self._words is None:
            self._words = self._seed.generate_state(_SEED_WORDS * len(STREAMS), np.uint64)
        words = _Words(self._words[_SEED_WORDS * i:_SEED_WORDS * (i + 1)])
        rng = np.random.Generator(np.random.SFC64(words))  # type: ignore[arg-type]  # numpy takes any ISeedSequence
        self[name] = rng
        return rng



def spawn_streams(seed: np.random.SeedSequence | int) -> dict[str, np.random.Generator]:
    """One generator per source of randomness (see :data:`STREAMS`), all from ``seed``, made when
    first used (see :class:`_Streams`). Calling this twice with the same SeedSequence gives the
    same streams (the seed is not consumed)."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    return _Streams(seed)


def poisson_counts(calls: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Callers per interval: one Poisson draw per interval with mean ``calls[k]``; int64 shape (n,).

    The same values as ``rng.poisson(calls)``. For a few intervals they are drawn one by one:
    numpy's array path has a fixed cost of about 20 us on a new generator, a scalar draw about
    1 us (a one-interval replication of 4,600 calls takes about 0.5 ms in all)."""
    if len(calls) <= 24:
        return np.array([rng.poisson(c) for c in calls.tolist()], dtype=np.int64)
    return rng.poisson(calls).astype(np.int64)


@jit()
def _times_from_spacings(counts, e, interval_s, out):
    # interval k takes counts[k] + 1 exponentials; a running sum restarted in each interval keeps
    # full precision however many calls came before. ``out`` may be ``e`` itself: arrival j + h is
    # written at or before exponential i + h, which has been read by then
    below_one = 1.0 - 2.0 ** -53  # the largest float64 below 1: a time never lands on the next boundary
    i = 0  # next exponential
    j = 0  # next arrival
    for k in range(counts.shape[0]):
        c = counts[k]
        if c == 0:
            continue
        s = 0.0
        for h in range(c):
            s += e[i + h]
            out[j + h] = s
        scale = 1.0 / (s + e[i + c])
        for h in range(c):
            out[j + h] = (k + min(out[j + h] * scale, below_one)) * interval_s
        i += c + 1
        j += c


def n_spacings(counts: np.ndarray) -> int:
    """Exponentials :func:`arrival_times` draws for ``counts`` (int, shape (n,)): one per caller
    plus one per interval with any caller."""
    return int(counts.sum()) + int(np.count_nonzero(counts))


def arrival_times(counts: np.ndarray, rng: np.random.Generator, interval_s: float,
                  work: np.ndarray | None = None) -> np.ndarray:
    """Sorted arrival times (s) of ``counts[k]`` callers in each interval k of ``interval_s`` seconds.

    Given its count, the arrivals of a Poisson process in an interval are the order statistics of
    that many uniforms. They are drawn directly in order, from exponential spacings (Devroye,
    *Non-Uniform Random Variate Generation*, 1986, V.2): with E_1..E_{c+1} iid exponential and
    S_j = E_1 + ... + E_j, (S_1, ..., S_c) / S_{c+1} are c sorted uniforms. This takes
    :func:`n_spacings` exponentials from ``rng`` and no sort, about half the time of sorting
    uniforms. counts: int64 shape (n,); returns float64 shape (counts.sum(),): a view of ``work``
    (float64, at least ``n_spacings(counts)`` long) when it is given.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_draws = n_spacings(counts)
    e = np.empty(n_draws) if work is None else work[:n_draws]
    rng.standard_exponential(out=e)
    _times_from_spacings(counts, e, float(interval_s), e)
    return e[:int(counts.sum())]


@jit(inline="always")
def interval_at(t, interval_s, n):
    """The interval (0..n-1) holding time ``t`` >= 0 seconds, the last one for times past the end:
    ``min(t // interval_s, n - 1)`` exactly, from a multiplication and one correction step (a
    float ``//`` is several times slower, and the engines and the KPIs ask this for every call).
    For compiled code; :func:`interval_index` does arrays."""
    k = int(t * (1.0 / interval_s))
    if k * interval_s > t:
        k -= 1
    elif (k + 1) * interval_s <= t:
        k += 1
    return min(k, n - 1)


@jit()
def _interval_index(t, interval_s, n, out):
    for i in range(t.shape[0]):
        out[i] = interval_at(t[i], interval_s, n)


def interval_index(t_s: np.ndarray, interval_s: float, n: int) -> np.ndarray:
    """The interval of each time (seconds from the start of interval 0, >= 0): int64 array,
    ``t_s // interval_s`` capped at ``n - 1`` (see :func:`interval_at`)."""
    t_s = np.ascontiguousarray(t_s, dtype=np.float64)
    out = np.empty(len(t_s), np.int64)
    _interval_index(t_s, float(interval_s), int(n), out)
    return out


@jit()
def _call_types(u, interval, cum_share, out):
    last = cum_share.shape[1] - 1
    for i in range(u.shape[0]):
        row = interval[i]
        c = 0
        while c < last and cum_share[row, c] <= u[i]:
            c += 1
        out[i] = c


def call_types(u: np.ndarray, interval: np.ndarray, cum_share: np.ndarray, out: np.ndarray | None = None
               ) -> np.ndarray:
    """Call type of each caller from its uniform ``u`` and the cumulative type shares of its interval.

    u: float64 (N,); interval: int (N,) each caller's arrival interval; cum_share: float64 (n, T)
    cumulative shares per interval (last column 1). A caller takes the first type whose cumulative
    share exceeds its uniform (the inverse CDF), so with the same uniforms two scenarios with the
    same mix give every caller the same type. Returns int64 (N,) (or fills ``out``)."""
    if out is None:
        out = np.empty(len(u), dtype=np.int64)
    if cum_share.shape[1] == 1:
        out[:] = 0
        return out
    _call_types(np.asarray(u, dtype=np.float64), np.asarray(interval, dtype=np.int64),
                np.ascontiguousarray(cum_share, dtype=np.float64), out)
    return out
