"""Scenario: validation naming the field, hashability, round trips, agents broadcasting, arrivals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulate import CallType, Scenario, arrivals_from_frame
from simulate.scenario import duration_quantile, weibull_shape_for_cv


def surge_scenario() -> Scenario:
    return Scenario(
        name="passport surge", agents=[20, 40, 40, 20], aht=420.0, aht_dist="lognormal", aht_cv=0.8,
        patience=300.0, patience_dist="weibull", patience_cv=0.7, lines=120, redial_prob=0.4,
        ivr_containment=0.1, ivr_time=45.0, residual_aht_factor=1.1, callback_threshold=600.0,
        callback_deadline=7200.0, sl_threshold=30.0, max_abandon_rate=0.1, shrinkage=0.3, hourly_cost=32.5,
        call_types={"status": {"share": 0.7}, "urgent": {"share": 0.3, "aht": 600.0, "priority": -1}},
    )


def test_default_scenario_is_plain_erlang_c():
    s = Scenario()
    assert s.patience is None and s.lines is None and s.call_types == ()
    assert s.agents == 10 and s.aht == 300.0 and s.sl_threshold == 20.0


def test_agents_given_as_list_or_array_become_a_tuple_and_the_scenario_is_hashable():
    a = Scenario(agents=[3, 4, 5])
    b = Scenario(agents=np.array([3, 4, 5]))
    assert a.agents == (3, 4, 5) and a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1


@pytest.mark.parametrize("fmt", ["dict", "toml", "json"])
def test_round_trip_keeps_every_field(fmt):
    s = surge_scenario()
    back = {"dict": lambda: Scenario.from_dict(s.to_dict()),
            "toml": lambda: Scenario.from_toml(s.to_toml()),
            "json": lambda: Scenario.from_json(s.to_json())}[fmt]()
    assert back == s
    assert back.call_types[1] == CallType("urgent", 0.3, aht=600.0, priority=-1)


def test_save_and_load_by_suffix(tmp_path):
    s = surge_scenario()
    for suffix in (".toml", ".json"):
        assert Scenario.load(s.save(tmp_path / f"s{suffix}")) == s
    with pytest.raises(ValueError, match="toml or .json"):
        s.save(tmp_path / "s.yaml")


def test_call_types_in_a_dict_are_a_mapping_from_name():
    d = surge_scenario().to_dict()
    assert d["call_types"]["urgent"] == {"share": 0.3, "aht": 600.0, "patience": None, "priority": -1}
    assert d["agents"] == [20, 40, 40, 20]


@pytest.mark.parametrize("changes, field", [
    ({"aht": 0}, "aht"), ({"aht": -5.0}, "aht"), ({"agents": -1}, "agents"), ({"agents": [2, 1.5]}, r"agents\[1\]"),
    ({"agents": []}, "agents"), ({"patience": 0}, "patience"), ({"lines": 0}, "lines"),
    ({"redial_prob": 1.2}, "redial_prob"), ({"max_attempts": 0}, "max_attempts"),
    ({"ivr_containment": -0.1}, "ivr_containment"), ({"shrinkage": 1.0}, "shrinkage"),
    ({"aht_dist": "gamma"}, "aht_dist"), ({"patience_dist": "normal"}, "patience_dist"),
    ({"callback_accept": 2}, "callback_accept"), ({"sl_target": 1.5}, "sl_target"),
    ({"max_occupancy": 0}, "max_occupancy"), ({"name": ""}, "name"),
    ({"call_types": {"a": {"share": 0.5}, "b": {"share": 0.4}}}, "shares must sum to 1"),
    ({"call_types": {"a": {"share": 1.0, "colour": "red"}}}, "unknown keys"),
])
def test_invalid_values_raise_naming_the_field(changes, field):
    with pytest.raises(ValueError, match=field):
        Scenario(**changes)


def test_from_dict_refuses_unknown_fields():
    with pytest.raises(ValueError, match="agnets"):
        Scenario.from_dict({"agnets": 5})


def test_replace_validates_and_keeps_the_rest():
    s = surge_scenario()
    t = s.replace(agents=50)
    assert t.agents == 50 and t.aht == s.aht
    with pytest.raises(ValueError, match="aht"):
        s.replace(aht=0)
    with pytest.raises(ValueError, match="no field"):
        s.replace(staff=3)


def test_agents_for_broadcasts_a_scalar_and_checks_a_tuple_length():
    assert Scenario(agents=7).agents_for(3).tolist() == [7, 7, 7]
    assert Scenario(agents=7).agents_for(3).dtype == np.int64
    assert surge_scenario().agents_for(4).tolist() == [20, 40, 40, 20]
    with pytest.raises(ValueError, match="agents"):
        surge_scenario().agents_for(5)


def test_type_table_resolves_inheritance():
    t = surge_scenario().type_table()
    assert t["aht"].tolist() == [420.0, 600.0]
    assert t["patience"].tolist() == [300.0, 300.0]
    assert t["priority"].tolist() == [0, -1]
    assert Scenario().type_table()["patience"].tolist() == [np.inf]


@pytest.mark.parametrize("dist, cv", [("exponential", 1.0), ("lognormal", 0.5), ("lognormal", 1.5),
                                      ("weibull", 0.5), ("weibull", 1.5)])
def test_durations_have_the_requested_mean_and_cv(dist, cv):
    u = np.random.default_rng(3).random(400_000)
    x = duration_quantile(u, 300.0, dist, cv)
    assert x.mean() == pytest.approx(300.0, rel=0.02)
    assert x.std() / x.mean() == pytest.approx(cv, rel=0.04)


def test_weibull_with_cv_one_is_exponential():
    assert weibull_shape_for_cv(1.0) == pytest.approx(1.0, abs=1e-9)


def test_infinite_mean_patience_means_never():
    assert np.isinf(duration_quantile(np.array([0.0, 0.5]), np.inf, "exponential")).all()


def test_arrivals_from_frame_reads_calls_yhat_or_y():
    ds = pd.date_range("2022-06-01 08:00", periods=3, freq="30min", tz="America/Toronto")
    for col in ("calls", "yhat", "y"):
        got_ds, calls, step = arrivals_from_frame(pd.DataFrame({"ds": ds, col: [1.0, 2.0, 0.0]}))
        assert step == 1800.0 and calls.tolist() == [1.0, 2.0, 0.0] and len(got_ds) == 3


def test_arrivals_from_frame_refuses_irregular_negative_or_missing_values():
    ds = pd.date_range("2022-06-01", periods=4, freq="h")
    with pytest.raises(ValueError, match="'ds'.*row 2"):
        arrivals_from_frame(pd.DataFrame({"ds": ds.delete(2).insert(2, ds[2] + pd.Timedelta("1min")),
                                          "calls": 1.0}))
    with pytest.raises(ValueError, match="'calls' at row 1"):
        arrivals_from_frame(pd.DataFrame({"ds": ds, "calls": [1.0, -1.0, 2.0, 3.0]}))
    with pytest.raises(ValueError, match="'yhat' at row 3"):
        arrivals_from_frame(pd.DataFrame({"ds": ds, "yhat": [1.0, 1.0, 2.0, np.nan]}))
    with pytest.raises(ValueError, match="calls"):
        arrivals_from_frame(pd.DataFrame({"ds": ds, "volume": 1.0}))
    with pytest.raises(ValueError, match="interval_s"):
        arrivals_from_frame(pd.DataFrame({"ds": ds[:1], "calls": 1.0}))
    assert arrivals_from_frame(pd.DataFrame({"ds": ds[:1], "calls": 1.0}), interval_s=900)[2] == 900.0
