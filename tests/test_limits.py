"""forecast.limits: every limit of the product in one place, documented, refused in one voice."""
from __future__ import annotations

import math
import pickle
import zlib

import pytest

from forecast import LimitError, limits


def test_every_public_limit_is_registered_with_its_documentation():
    constants = [n for n in limits.__all__ if n.isupper() and n != "LIMITS"]
    assert sorted(constants) == sorted(limits.LIMITS)
    for name, lim in limits.LIMITS.items():
        assert getattr(limits, name) == lim.value
        assert lim.counts and lim.why.endswith(".") and lim.advice, name
        assert lim.kind in ("max", "min", "warn")
        assert name in limits.__doc__ and lim.advice in limits.__doc__


@pytest.mark.parametrize("name", ["MIN_AHT_S", "MAX_AHT_S", "MIN_PATIENCE_S", "MAX_PATIENCE_S", "MIN_CV", "MAX_CV",
                                  "EARLIEST_YEAR", "LATEST_YEAR"])
def test_bounds_come_in_sensible_pairs(name):
    low, high = {"AHT_S": ("MIN_AHT_S", "MAX_AHT_S"), "PATIENCE_S": ("MIN_PATIENCE_S", "MAX_PATIENCE_S"),
                 "CV": ("MIN_CV", "MAX_CV"), "YEAR": ("EARLIEST_YEAR", "LATEST_YEAR")}[name.split("_", 1)[1]]
    assert 0 < getattr(limits, low) < getattr(limits, high)


def test_check_refuses_with_a_sentence_saying_the_limit_and_what_to_do():
    assert limits.check("MAX_SCENARIOS", 6) == 6
    with pytest.raises(LimitError) as info:
        limits.check("MAX_SCENARIOS", 100_000, "share link")
    err = info.value
    assert isinstance(err, ValueError) and (err.limit, err.value) == ("MAX_SCENARIOS", 100_000)
    assert str(err) == ("share link: 100,000 scenarios is above the limit of 6 scenarios (MAX_SCENARIOS); "
                        "compare at most six; run larger studies with queuecast sweep")
    err = pickle.loads(pickle.dumps(err))
    assert (err.limit, err.value) == ("MAX_SCENARIOS", 100_000)


def test_minimum_limits_refuse_values_below_and_nan_breaks_every_limit():
    assert limits.check("MIN_AHT_S", 300.0) == 300.0
    with pytest.raises(LimitError, match=r"Scenario.aht: 0.001 s is below the minimum of 1 s \(MIN_AHT_S\)"):
        limits.check("MIN_AHT_S", 0.001, "Scenario.aht")
    assert limits.exceeds("MAX_CV", math.nan) and limits.exceeds("MIN_CV", math.nan)
    with pytest.raises(LimitError, match="MAX_CV"):
        limits.check("MAX_CV", 1e300, "Scenario.aht_cv")


def test_warning_levels_never_raise_but_say_when_they_are_passed():
    assert limits.check("SIMPY_SLOW_CALLS", 10**7) == 10**7
    assert limits.exceeds("SIMPY_SLOW_CALLS", 10**7)
    assert "above the warning level of 1,000,000 calls" in limits.sentence("SIMPY_SLOW_CALLS", 10**7)


def test_a_limit_lowered_at_run_time_counts_at_once(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 10)
    with pytest.raises(LimitError, match="above the limit of 10 rows"):
        limits.check("MAX_ROWS", 11)


def test_an_unknown_limit_name_is_a_key_error_listing_the_limits():
    with pytest.raises(KeyError, match="MAX_ROWS"):
        limits.check("MAX_ROW", 1)


@pytest.mark.parametrize("p,m,expected", [
    (0.0, 10, 1.0), (1.0, 10, 10.0), (0.5, 1, 1.0), (0.5, 2, 1.5), (0.6, 5, 2.3056), (0.9, 10, 6.5132),
    (1.0, 10**21, 1e21), (0.5, 10**21, 2.0), (0.999999, 10**21, 1e6),
])
def test_expected_attempts_of_a_caller_who_always_fails(p, m, expected):
    got = limits.expected_attempts(p, m)
    assert got == pytest.approx(expected, rel=1e-4)
    if m < 50:  # the sum it stands for: 1 + p + ... + p^(m-1)
        assert got == pytest.approx(sum(p ** k for k in range(m)))


def test_the_redial_loop_that_grew_the_server_to_12_gb_breaks_the_attempts_limit():
    assert limits.exceeds("MAX_EXPECTED_ATTEMPTS", limits.expected_attempts(1.0, 10**21))
    assert not limits.exceeds("MAX_EXPECTED_ATTEMPTS", limits.expected_attempts(0.6, 5))


def test_inflate_reads_a_share_link_and_refuses_a_bomb_after_the_limit():
    state = b'[{"name": "current", "aht": 300}]'
    assert limits.inflate(zlib.compress(state)) == state
    bomb = zlib.compress(b"[" * 5_000_000, 9)
    assert len(bomb) < 10_000
    with pytest.raises(LimitError,
                       match=r"share link: more than 65,536 bytes, above the limit \(MAX_SHARE_STATE_BYTES"):
        limits.inflate(bomb, subject="share link")
    with pytest.raises(EOFError):
        limits.inflate(zlib.compress(state)[:-6])
    with pytest.raises(zlib.error):
        limits.inflate(b"not zlib at all")
