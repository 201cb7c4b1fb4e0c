"""Scenario (the policy): validation naming the field, hashability, round trips, no staffing inside,
and the policy files shipped in data/scenarios/ and examples/."""
from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from simulate import CallType, Scenario, StaffingPlan
from simulate.scenario import duration_quantile, weibull_shape_for_cv


def surge_scenario() -> Scenario:
    return Scenario(
        name="passport surge", aht=420.0, aht_dist="lognormal", aht_cv=0.8,
        patience=300.0, patience_dist="weibull", patience_cv=0.7, lines=120, redial_prob=0.4,
        ivr_containment=0.1, ivr_time=45.0, residual_aht_factor=1.1, callback_threshold=600.0,
        callback_deadline=7200.0, sl_threshold=30.0, max_abandon_rate=0.1, shrinkage=0.3, hourly_cost=32.5,
        call_types={"status": {"share": 0.7}, "urgent": {"share": 0.3, "aht": 600.0, "priority": -1}},
    )


def test_default_scenario_is_plain_erlang_c():
    s = Scenario()
    assert s.patience is None and s.lines is None and s.call_types == ()
    assert s.aht == 300.0 and s.sl_threshold == 20.0 and s.at_close == "serve"
    assert not hasattr(s, "agents")  # who is on duty is a StaffingPlan, not part of the policy


def test_a_scenario_is_hashable_and_equal_scenarios_hash_alike():
    a = surge_scenario()
    b = Scenario.from_dict(a.to_dict())
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert a != a.replace(at_close="drop")


def test_agents_are_refused_with_a_sentence_pointing_to_the_staffing_plan():
    with pytest.raises(TypeError):
        Scenario(agents=10)
    for load in (Scenario.from_dict, lambda d: Scenario.from_toml(__import__("tomli_w").dumps(d))):
        with pytest.raises(ValueError, match="StaffingPlan"):
            load({"name": "old", "agents": [1, 2, 3]})


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
    assert d["call_types"]["urgent"] == {"share": 0.3, "aht": 600.0, "patience": None, "priority": -1, "skill": None}
    assert "agents" not in d and d["at_close"] == "serve"


@pytest.mark.parametrize("changes, field", [
    ({"aht": 0}, "aht"), ({"aht": -5.0}, "aht"), ({"at_close": "keep"}, "at_close"), ({"patience": 0}, "patience"),
    ({"lines": 0}, "lines"),
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
    t = s.replace(patience=500.0)
    assert t.patience == 500.0 and t.aht == s.aht and t.call_types == s.call_types
    with pytest.raises(ValueError, match="aht"):
        s.replace(aht=0)
    with pytest.raises(ValueError, match="no field"):
        s.replace(staff=3)
    with pytest.raises(ValueError, match="no field"):
        s.replace(agents=50)


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


# ----------------------------------------------------------------------------- the files shipped
REPO = Path(__file__).resolve().parents[1]
TOML_FILES = sorted(p for d in ("data/scenarios", "examples") for p in (REPO / d).glob("*.toml"))


def _kind(path: Path) -> str:
    """'ready' (the app's list of ready scenarios), 'plan' (a staffing plan), 'supply' (a capacity plan's
    supply assumptions) or 'policy' (a scenario)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if "scenario" in data:
        return "ready"
    if "staffing" in data:
        return "plan"
    return "supply" if "groups" in data or "plan" in data else "policy"


POLICY_FILES = [p for p in TOML_FILES if _kind(p) == "policy"]


def _arrays(value, where: str = "") -> list[str]:
    """Paths of every list (a per-interval array) inside a parsed TOML value."""
    if isinstance(value, list):
        return [where or "."]
    if isinstance(value, dict):
        return [w for k, v in value.items() for w in _arrays(v, f"{where}.{k}")]
    return []


def test_the_shipped_policy_files_are_found():
    names = {f"{p.parent.name}/{p.name}" for p in POLICY_FILES}
    assert {"scenarios/current_staffing.toml", "scenarios/status_line_callbacks.toml", "examples/current.toml",
            "examples/status_line_callbacks.toml"} <= names
    assert not (REPO / "data/scenarios/more_agents.toml").exists()  # "+25%" is a staffing rule now
    assert not (REPO / "examples/more_agents.toml").exists()


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_policy_files_hold_no_per_interval_array_and_round_trip_exactly(path):
    text = path.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    arrays = [a for a in _arrays(raw) if not (a.startswith(".agent_groups.") and a.endswith(".skills"))]
    assert arrays == [], f"{path.name} holds arrays {arrays}: a policy has no per-interval values"
    assert "agents" not in raw
    s = Scenario.load(path)
    if not any(line.lstrip().startswith("#") for line in text.splitlines()):
        assert s.to_toml() == text  # written by Scenario.save: the text itself round-trips
    else:  # written by hand with its sources in comments: the values round-trip
        assert tomllib.loads(s.to_toml()) == raw
    assert Scenario.from_toml(s.to_toml()) == s and Scenario.from_json(s.to_json()) == s
    assert Scenario.from_dict(s.to_dict()) == s


def test_the_staffing_plan_file_and_the_ready_scenarios_name_valid_rules():
    (plan_file,) = [p for p in TOML_FILES if _kind(p) == "plan"]
    plan = StaffingPlan.from_dict(tomllib.loads(plan_file.read_text(encoding="utf-8"))["staffing"])
    assert plan.kind == "pattern" and StaffingPlan.from_dict(plan.to_dict()) == plan
    (ready,) = [p for p in TOML_FILES if _kind(p) == "ready"]
    seen: list[str] = []
    for entry in tomllib.loads(ready.read_text(encoding="utf-8"))["scenario"]:
        Scenario.load(ready.parent / entry["policy"])
        assert set(entry["name"]) == {"en", "fr"}
        rule = dict(entry["staffing"])
        base = rule.pop("relative_to", None)
        if base is not None:
            assert base in seen, f"{entry['name']['en']} is relative to {base!r}, not an earlier scenario"
            StaffingPlan.relative(StaffingPlan.constant(10), rule.pop("factor", 1.0), rule.pop("add", 0))
            assert rule == {}
        else:
            StaffingPlan.from_dict(rule)
        seen.append(entry["name"]["en"])

