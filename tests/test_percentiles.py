"""p90_wait_s is numpy's linear percentile, computed exactly (to the last bit) by the compiled
selection, per interval and overall, whatever the values: ties, many zeros, one value, none."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from random_centres import random_case

from simulate import engine_fast, metrics
from simulate.metrics import _percentile
from simulate.records import OUTCOME_ANSWERED


def _samples(rng: np.random.Generator):
    for size in (1, 2, 3, 10, 16, 17, 18, 100, 1001, 25_000):
        yield rng.exponential(60.0, size)  # continuous
        yield np.where(rng.random(size) < 0.6, 0.0, rng.exponential(60.0, size))  # mostly answered at once
        yield rng.integers(0, 5, size).astype(float)  # heavy ties
        yield np.sort(rng.exponential(60.0, size))[::-1].copy()  # descending


@pytest.mark.parametrize("q", [0.9, 0.5, 0.0, 1.0, 0.95])
def test_percentile_equals_numpy_linear_percentile_bit_for_bit(q):
    rng = np.random.default_rng(1)
    for values in _samples(rng):
        work = values.copy()
        got = _percentile(work, 0, len(work), q)
        assert got == np.percentile(values, 100 * q), (len(values), q)
        assert np.array_equal(np.sort(work), np.sort(values))  # only rearranged


def test_percentile_of_nothing_is_nan_and_a_slice_leaves_the_rest_alone():
    assert np.isnan(_percentile(np.empty(0), 0, 0, 0.9))
    v = np.array([9.0, 5.0, 1.0, 4.0, 3.0, 2.0, 7.0])
    got = _percentile(v, 2, 6, 0.9)  # 1, 4, 3, 2
    assert got == np.percentile([1.0, 4.0, 3.0, 2.0], 90)
    assert v[0] == 9.0 and v[1] == 5.0 and v[6] == 7.0


def test_p90_per_interval_and_overall_equal_numpy_on_simulated_waits():
    rng = np.random.default_rng(9)
    checked = 0
    for i in range(20):
        work, scenario = random_case(rng)
        rec = engine_fast.simulate_replication(work, scenario, np.random.SeedSequence(i))
        _, p_interval, p_all = metrics.interval_totals(rec, work.interval_s, scenario.sl_threshold)
        answered = rec.outcome == OUTCOME_ANSWERED
        waits = pd.Series(rec.wait_s[answered]).groupby(rec.interval[answered])
        want = np.full(work.n, np.nan)
        for k, group in waits:
            want[k] = np.percentile(group.to_numpy(), 90)
        assert np.array_equal(p_interval, want, equal_nan=True)
        if answered.any():
            assert p_all == np.percentile(rec.wait_s[answered], 90)
            checked += 1
    assert checked > 10
