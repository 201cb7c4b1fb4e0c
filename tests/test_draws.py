"""The arrival times both engines share (simulate._draws)."""
import numpy as np
from scipy import stats

from simulate._draws import arrival_times


def test_arrival_times_keep_each_intervals_count_in_order_and_inside_the_interval():
    counts = np.array([0, 3, 0, 1, 250, 0, 7])
    t = arrival_times(counts, np.random.default_rng(5), 1800.0)
    assert t.shape == (counts.sum(),) and (np.diff(t) >= 0).all()
    np.testing.assert_array_equal(np.bincount((t // 1800.0).astype(int), minlength=len(counts)), counts)
    assert arrival_times(np.zeros(4, np.int64), np.random.default_rng(5), 60.0).shape == (0,)


def test_arrival_times_are_the_order_statistics_of_uniforms_in_their_interval():
    # given c calls in an interval, the j-th arrival's position in it is Beta(j, c + 1 - j)
    c, n_int = 5, 20_000
    t = arrival_times(np.full(n_int, c), np.random.default_rng(11), 60.0)
    pos = (t / 60.0 - np.repeat(np.arange(n_int), c)).reshape(n_int, c)
    for j in range(c):
        assert stats.kstest(pos[:, j], "beta", args=(j + 1, c - j)).pvalue > 0.001
    # and the positions, in random order, are independent uniforms: no pull between neighbours
    assert stats.kstest(pos.ravel(), "uniform").pvalue > 0.001
    assert abs(np.corrcoef(pos[:, 0], pos[:, 4])[0, 1] - 1 / c) < 0.03  # corr(U(1), U(c)) = 1/c


def test_the_same_generator_state_gives_the_same_times():
    counts = np.array([40, 0, 12])
    a = arrival_times(counts, np.random.default_rng(3), 900.0)
    b = arrival_times(counts, np.random.default_rng(3), 900.0)
    np.testing.assert_array_equal(a, b)


def test_poisson_counts_are_numpys_draws_for_few_and_many_intervals():
    from simulate._draws import poisson_counts

    for calls in (np.array([4560.0]), np.array([0.0, 3.5, 250.0]), np.linspace(0, 400, 100)):
        expected = np.random.default_rng(9).poisson(calls)
        got = poisson_counts(calls, np.random.default_rng(9))
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, expected)
