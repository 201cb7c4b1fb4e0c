"""A :class:`Scenario`: everything about a call centre the simulators need, in one frozen value.

Durations are **seconds** everywhere (``aht``, ``patience``, ``redial_delay``, ``ivr_time``,
``callback_threshold``, ``callback_deadline``, ``sl_threshold``). Rates and shares are in [0, 1].

A scenario is the *policy*: how the centre works (handle time and patience, lines, IVR,
redials, callbacks, call types, closing, targets and costs). It holds no per-interval arrays and
no staffing: who is on duty is a :class:`simulate.StaffingPlan`, what calls come is a
:class:`simulate.Demand`; both are aligned by timestamp when a run starts. So one scenario file is
valid for any week, horizon or data set.

The plainest scenario with a constant staffing of n agents is exactly M/M/n (Erlang C); adding
``patience`` gives M/M/n+M (Erlang A); ``lines=n`` with ``patience=None`` and ``max_attempts=1``
and a queue that can never form (``lines`` equal to the agents) gives Erlang B.

Skills and agent groups (both official languages). Each call type may name the ``skill`` it needs
(e.g. ``"fr"``; by default its own name), and ``agent_groups`` lists who answers: each group has a
name, the skills it serves and an hourly cost (a bilingual premium), in order of preference among
equals. Routing between groups (``pick``, ``overflow_after``) is stated exactly in
:mod:`simulate.engine_simpy`. Without ``agent_groups`` there is one pool of agents serving every
call type, exactly as before groups existed. In TOML::

    [call_types.English]
    share = 0.8
    skill = "en"
    priority = 1

    [call_types.French]
    share = 0.2
    skill = "fr"
    priority = 0          # French first at bilingual agents (with pick = "priority")

    [agent_groups.en]
    skills = ["en"]
    [agent_groups.fr]
    skills = ["fr"]
    [agent_groups.bilingual]
    skills = ["en", "fr"]
    hourly_cost = 38.41

A scenario is hashable (``call_types`` and ``agent_groups`` are tuples), so it is a safe cache
key. It round-trips through plain dicts, TOML and JSON::

    s = Scenario(name="surge", aht=420.0, patience=300.0)
    assert Scenario.from_toml(s.to_toml()) == s

This module also holds the helper both engines share to draw durations,
:func:`duration_quantile` (turns uniforms into handle times or patience, so scenarios share common
random numbers).
"""
from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w
from scipy import optimize, special

from simulate.empirical import empirical_unit, quantile_table

__all__ = [
    "AHT_DISTS",
    "AT_CLOSE",
    "PATIENCE_DISTS",
    "PICK_RULES",
    "AgentGroup",
    "CallType",
    "Scenario",
    "duration_quantile",
    "weibull_shape_for_cv",
]

AHT_DISTS = ("exponential", "lognormal", "empirical")
PATIENCE_DISTS = ("exponential", "lognormal", "weibull", "empirical")
AT_CLOSE = ("serve", "drop")
PICK_RULES = ("priority", "oldest")
DEFAULT_GROUP = "agents"  # the name of the one pool of a scenario without agent_groups


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _is_int(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer()


def _positive(owner: str, name: str, value: Any, *, allow_zero: bool = False, unit: str = "") -> float:
    unit_txt = f" {unit}" if unit else ""
    bound = ">= 0" if allow_zero else "> 0"
    if not _is_number(value) or not math.isfinite(float(value)) or (
        float(value) < 0 if allow_zero else float(value) <= 0
    ):
        raise ValueError(f"{owner}.{name} must be {bound}{unit_txt}, got {value!r}")
    return float(value)


def _within(owner: str, name: str, value: float, low: str, high: str) -> float:
    """``value`` if it lies within the limits ``low`` and ``high`` of :mod:`forecast.limits` (a sentence
    naming the field, the limit and what to do otherwise): bounds where nonsense begins."""
    from forecast import limits

    if low:
        limits.check(low, value, f"{owner}.{name}")
    if high:
        limits.check(high, value, f"{owner}.{name}")
    return value


def _name(owner: str, value: Any) -> str:
    """A non-empty name of at most MAX_NAME_LENGTH characters, without control characters."""
    from forecast import limits

    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{owner}.name must be a non-empty string, got {value!r}")
    limits.check("MAX_NAME_LENGTH", len(value), f"{owner}.name")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069
           for ch in value):
        raise ValueError(f"{owner}.name must be plain text: it holds control or text-direction characters "
                         f"({value.encode('unicode_escape').decode('ascii')[:80]!r})")
    return value


def _share(owner: str, name: str, value: Any, *, upper_open: bool = False, lower_open: bool = False) -> float:
    ok = _is_number(value) and math.isfinite(float(value))
    if ok:
        v = float(value)
        ok = (v > 0 if lower_open else v >= 0) and (v < 1 if upper_open else v <= 1)
    if not ok:
        lo = "(0" if lower_open else "[0"
        hi = "1)" if upper_open else "1]"
        raise ValueError(f"{owner}.{name} must be in {lo}, {hi}, got {value!r}")
    return float(value)


def _quantiles(owner: str, what: str, dist: str, value: Any) -> tuple[float, ...] | None:
    """The quantile table of an empirical duration; refused when the distribution is not empirical."""
    name = f"{what}_quantiles"
    if dist == "empirical":
        if value is None:
            raise ValueError(f"{owner}.{what}_dist 'empirical' needs {name}: a sorted list of durations in seconds "
                             "(at most 1,001), e.g. Empirical.from_samples(observed).values")
        return quantile_table(owner, name, value)
    if value is not None:
        raise ValueError(f"{owner}.{name} is only used with {what}_dist='empirical' (it is {dist!r}); "
                         f"set {name}=None")
    return None


@dataclass(frozen=True)
class CallType:
    """One kind of call (e.g. "status enquiry", "urgent travel").

    name: label; share: share of first calls of this type (the shares of a scenario sum to 1);
    aht: mean handle time in seconds (None = the scenario's ``aht``); patience: mean patience in
    seconds (None = the scenario's ``patience``); priority: lower number is answered first;
    skill: what an agent needs to answer it, e.g. "fr" (None = the type's own name; scenario files
    may say ``language = "fr"``, read as the skill).
    """

    name: str
    share: float
    aht: float | None = None
    patience: float | None = None
    priority: int = 0
    skill: str | None = None

    def __post_init__(self) -> None:
        _name("CallType", self.name)
        owner = f"CallType({self.name!r})"
        object.__setattr__(self, "share", _share(owner, "share", self.share))
        if self.aht is not None:
            object.__setattr__(self, "aht", _within(owner, "aht", _positive(owner, "aht", self.aht, unit="seconds"),
                                                    "MIN_AHT_S", "MAX_AHT_S"))
        if self.patience is not None:
            object.__setattr__(self, "patience", _within(owner, "patience", _positive(
                owner, "patience", self.patience, unit="seconds"), "MIN_PATIENCE_S", "MAX_PATIENCE_S"))
        if not _is_int(self.priority):
            raise ValueError(f"{owner}.priority must be an integer, got {self.priority!r}")
        object.__setattr__(self, "priority", int(self.priority))
        if self.skill is not None and (not isinstance(self.skill, str) or not self.skill.strip()):
            raise ValueError(f"{owner}.skill must be a non-empty string such as 'fr' (or None), got {self.skill!r}")

    @property
    def skill_name(self) -> str:
        """The skill this type needs: ``skill``, else the type's own name."""
        return self.name if self.skill is None else self.skill

    def to_dict(self) -> dict[str, Any]:
        """``{share, aht, patience, priority, skill}`` (the name is the key in a scenario's mapping)."""
        return {"share": self.share, "aht": self.aht, "patience": self.patience, "priority": self.priority,
                "skill": self.skill}


@dataclass(frozen=True)
class AgentGroup:
    """A group of interchangeable agents (e.g. "en", "fr", "bilingual").

    name: label (unique in a scenario); skills: the skills its agents serve (call types' ``skill``),
    a tuple of strings; hourly_cost: cost per paid agent-hour (None = the scenario's
    ``hourly_cost``), e.g. with a bilingual premium.
    """

    name: str
    skills: tuple[str, ...]
    hourly_cost: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"AgentGroup.name must be a non-empty string, got {self.name!r}")
        owner = f"AgentGroup({self.name!r})"
        skills = (self.skills,) if isinstance(self.skills, str) else self.skills
        if isinstance(skills, (bytes, Mapping)) or not isinstance(skills, Sequence) or not skills \
                or not all(isinstance(k, str) and k.strip() for k in skills):
            raise ValueError(f"{owner}.skills must be a non-empty list of skill names such as ['en', 'fr'], "
                             f"got {self.skills!r}")
        if len(set(skills)) != len(skills):
            raise ValueError(f"{owner}.skills lists a skill twice: {list(skills)}")
        object.__setattr__(self, "skills", tuple(str(k) for k in skills))
        if self.hourly_cost is not None:
            object.__setattr__(self, "hourly_cost", _positive(owner, "hourly_cost", self.hourly_cost,
                                                              allow_zero=True))

    def to_dict(self) -> dict[str, Any]:
        """``{skills, hourly_cost}`` (the name is the key in a scenario's mapping)."""
        return {"skills": list(self.skills), "hourly_cost": self.hourly_cost}


def _call_types(value: Any) -> tuple[CallType, ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        items = []
        for name, spec in value.items():
            if isinstance(spec, CallType):
                items.append(dataclasses.replace(spec, name=str(name)))
            elif isinstance(spec, Mapping):
                spec = _language_as_skill(spec, name)
                unknown = set(spec) - {"share", "aht", "patience", "priority", "skill"}
                if unknown:
                    raise ValueError(f"Scenario.call_types[{name!r}]: unknown keys {sorted(unknown)}")
                if "share" not in spec:
                    raise ValueError(f"Scenario.call_types[{name!r}]: 'share' is required")
                items.append(CallType(name=str(name), **dict(spec)))
            else:
                raise ValueError(f"Scenario.call_types[{name!r}] must be a mapping, got {spec!r}")
        return tuple(items)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValueError(f"Scenario.call_types must be a sequence of CallType or a mapping, got {value!r}")
    items = []
    for i, spec in enumerate(value):
        if isinstance(spec, CallType):
            items.append(spec)
        elif isinstance(spec, Mapping):
            unknown = set(spec) - {"name", "share", "aht", "patience", "priority", "skill", "language"}
            if unknown:
                raise ValueError(f"Scenario.call_types[{i}]: unknown keys {sorted(map(str, unknown))}; a call type has "
                                 "name, share, aht, patience, priority and skill")
            if "name" not in spec or "share" not in spec:
                raise ValueError(f"Scenario.call_types[{i}]: 'name' and 'share' are required, got keys "
                                 f"{sorted(map(str, spec))}")
            items.append(CallType(**_language_as_skill(spec, spec.get("name"))))
        else:
            raise ValueError(f"Scenario.call_types entries must be CallType or mappings, got {spec!r}")
    return tuple(items)


def _language_as_skill(spec: Mapping[str, Any], name: Any) -> dict[str, Any]:
    """A call type's ``language`` (e.g. ``language = "fr"``) is its skill."""
    spec = dict(spec)
    if "language" in spec:
        if "skill" in spec:
            raise ValueError(f"Scenario.call_types[{name!r}]: give 'skill' or 'language' (the same thing), not both")
        spec["skill"] = spec.pop("language")
    return spec


def _agent_groups(value: Any) -> tuple[AgentGroup, ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        items = []
        for name, spec in value.items():
            if isinstance(spec, AgentGroup):
                items.append(dataclasses.replace(spec, name=str(name)))
            elif isinstance(spec, Mapping):
                unknown = set(spec) - {"skills", "hourly_cost"}
                if unknown:
                    raise ValueError(f"Scenario.agent_groups[{name!r}]: unknown keys {sorted(unknown)} "
                                     "(a group has skills and hourly_cost)")
                if "skills" not in spec:
                    raise ValueError(f"Scenario.agent_groups[{name!r}]: 'skills' is required, e.g. ['en', 'fr']")
                items.append(AgentGroup(name=str(name), **dict(spec)))
            else:
                raise ValueError(f"Scenario.agent_groups[{name!r}] must be a mapping with skills, got {spec!r}")
        return tuple(items)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValueError(f"Scenario.agent_groups must be a sequence of AgentGroup or a mapping, got {value!r}")
    items = []
    for spec in value:
        if isinstance(spec, AgentGroup):
            items.append(spec)
        elif isinstance(spec, Mapping):
            items.append(AgentGroup(**dict(spec)))
        else:
            raise ValueError(f"Scenario.agent_groups entries must be AgentGroup or mappings, got {spec!r}")
    return tuple(items)


@dataclass(frozen=True)
class Scenario:
    """How a call centre works (the policy). All durations in seconds; see :mod:`simulate.engine_simpy`.

    aht: mean handle time (s), the default where the demand carries no handle time per interval
    (``Demand.aht_s``); aht_dist "exponential" | "lognormal" with coefficient of variation aht_cv, or
    "empirical" with aht_quantiles (a sorted table of at most 1,001 durations in seconds, see
    :mod:`simulate.empirical`: it gives the shape, scaled to the mean asked for).
    patience: mean patience (s), None = callers never hang up; patience_dist "exponential" |
    "lognormal" | "weibull" (weibull shape chosen so its cv equals patience_cv) | "empirical" (with
    patience_quantiles, as for handle time).
    lines: trunk lines (calls in IVR + queue + service), None = unlimited.
    redial_prob / redial_delay (mean, exponential) / max_attempts: blocked or abandoned callers try again.
    ivr_containment / ivr_time / residual_aht_factor: the self-service menu.
    callback_threshold / callback_accept / callback_deadline: the callback offer.
    call_types: kinds of call with share, aht, patience, priority, skill (empty = one type).
    agent_groups: who answers which skills, with an hourly cost each (empty = one pool serving every
    type); pick: what a freed agent takes among the queues it serves, "priority" (the call types'
    priority, then the longest-waiting) or "oldest" (the longest-waiting caller among its skills);
    overflow_after: seconds a caller waits before groups other than its preferred ones (the
    eligible groups with the fewest skills) may answer it (None = any eligible group at once).
    The routing rules are stated exactly in :mod:`simulate.engine_simpy`.
    at_close: "serve" (default: when an open period ends, callers already in the centre are served by
    the agents on duty at closing; nobody new gets in) or "drop" (everyone on hold is let go at closing).
    sl_threshold / sl_target: service standard (sl_target of calls answered within sl_threshold s).
    max_abandon_rate / max_occupancy: optional staffing constraints.
    shrinkage (share of paid time off the phones), paid_hours_per_week, hourly_cost: costing.
    """

    name: str = "scenario"
    aht: float = 300.0
    aht_dist: str = "exponential"
    aht_cv: float = 1.0
    aht_quantiles: tuple[float, ...] | None = None
    patience: float | None = None
    patience_dist: str = "exponential"
    patience_cv: float = 1.0
    patience_quantiles: tuple[float, ...] | None = None
    lines: int | None = None
    redial_prob: float = 0.0
    redial_delay: float = 600.0
    max_attempts: int = 10
    ivr_containment: float = 0.0
    ivr_time: float = 0.0
    residual_aht_factor: float = 1.0
    callback_threshold: float | None = None
    callback_accept: float = 0.5
    callback_deadline: float | None = None
    call_types: tuple[CallType, ...] = field(default=())
    agent_groups: tuple[AgentGroup, ...] = field(default=())
    pick: str = "priority"
    overflow_after: float | None = None
    at_close: str = "serve"
    sl_threshold: float = 20.0
    sl_target: float = 0.8
    max_abandon_rate: float | None = None
    max_occupancy: float | None = None
    shrinkage: float = 0.0
    paid_hours_per_week: float = 37.5
    hourly_cost: float = 0.0

    def __post_init__(self) -> None:
        o = "Scenario"
        put = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 - frozen dataclass setter
        _name(o, self.name)
        put("aht", _within(o, "aht", _positive(o, "aht", self.aht, unit="seconds"), "MIN_AHT_S", "MAX_AHT_S"))
        if self.aht_dist not in AHT_DISTS:
            raise ValueError(f"Scenario.aht_dist must be one of {AHT_DISTS}, got {self.aht_dist!r}")
        put("aht_cv", _within(o, "aht_cv", _positive(o, "aht_cv", self.aht_cv), "MIN_CV", "MAX_CV"))
        put("aht_quantiles", _quantiles(o, "aht", self.aht_dist, self.aht_quantiles))
        if self.patience is not None:
            put("patience", _within(o, "patience", _positive(o, "patience", self.patience, unit="seconds"),
                                    "MIN_PATIENCE_S", "MAX_PATIENCE_S"))
        if self.patience_dist not in PATIENCE_DISTS:
            raise ValueError(f"Scenario.patience_dist must be one of {PATIENCE_DISTS}, got {self.patience_dist!r}")
        put("patience_cv", _within(o, "patience_cv", _positive(o, "patience_cv", self.patience_cv), "MIN_CV", "MAX_CV"))
        put("patience_quantiles", _quantiles(o, "patience", self.patience_dist, self.patience_quantiles))
        if self.patience_dist == "weibull" and not 0.05 <= self.patience_cv <= 20:
            raise ValueError(f"Scenario.patience_cv must be in [0.05, 20] for weibull patience, got {self.patience_cv}")
        if self.lines is not None:
            if not _is_int(self.lines) or int(self.lines) < 1:
                raise ValueError(f"Scenario.lines must be a whole number >= 1 or None, got {self.lines!r}")
            put("lines", int(self.lines))
        put("redial_prob", _share(o, "redial_prob", self.redial_prob))
        put("redial_delay", _positive(o, "redial_delay", self.redial_delay, unit="seconds"))
        if not _is_int(self.max_attempts) or int(self.max_attempts) < 1:
            raise ValueError(f"Scenario.max_attempts must be a whole number >= 1, got {self.max_attempts!r}")
        put("max_attempts", int(_within(o, "max_attempts", int(self.max_attempts), "", "MAX_ATTEMPTS")))
        from forecast import limits

        # a redial loop multiplies the calls: bound the worst case (every attempt fails)
        limits.check("MAX_EXPECTED_ATTEMPTS", limits.expected_attempts(self.redial_prob, self.max_attempts),
                     f"{o}: expected attempts per caller with redial_prob={self.redial_prob:g} and "
                     f"max_attempts={self.max_attempts}")
        put("ivr_containment", _share(o, "ivr_containment", self.ivr_containment))
        put("ivr_time", _within(o, "ivr_time", _positive(o, "ivr_time", self.ivr_time, allow_zero=True, unit="seconds"),
                                "", "MAX_AHT_S"))
        put("residual_aht_factor", _positive(o, "residual_aht_factor", self.residual_aht_factor))
        if self.callback_threshold is not None:
            put("callback_threshold",
                _positive(o, "callback_threshold", self.callback_threshold, allow_zero=True, unit="seconds"))
        put("callback_accept", _share(o, "callback_accept", self.callback_accept))
        if self.callback_deadline is not None:
            put("callback_deadline",
                _positive(o, "callback_deadline", self.callback_deadline, allow_zero=True, unit="seconds"))
        types = _call_types(self.call_types)
        if types:
            names = [t.name for t in types]
            if len(set(names)) != len(names):
                raise ValueError(f"Scenario.call_types names must be unique, got {names}")
            total = sum(t.share for t in types)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"Scenario.call_types shares must sum to 1, got {total:.6g}")
        put("call_types", types)
        groups = _agent_groups(self.agent_groups)
        if groups:
            gnames = [g.name for g in groups]
            if len(set(gnames)) != len(gnames):
                raise ValueError(f"Scenario.agent_groups names must be unique, got {gnames}")
            if not types:
                raise ValueError("Scenario.agent_groups needs call_types: give each kind of call a skill "
                                 "(e.g. call_types = {English = {share = 0.8, skill = 'en'}, ...})")
            served = {k for g in groups for k in g.skills}
            for t in types:
                if t.skill_name not in served:
                    raise ValueError(f"Scenario.agent_groups: no group serves skill {t.skill_name!r} of call type "
                                     f"{t.name!r}; add {t.skill_name!r} to a group's skills (groups: "
                                     f"{ {g.name: list(g.skills) for g in groups} })")
            needed = {t.skill_name for t in types}
            for g in groups:
                extra = [k for k in g.skills if k not in needed]
                if extra:
                    raise ValueError(f"Scenario.agent_groups[{g.name!r}] serves skill(s) {extra} that no call type "
                                     f"needs (the call types' skills are {sorted(needed)})")
        put("agent_groups", groups)
        if self.pick not in PICK_RULES:
            raise ValueError(f"Scenario.pick must be one of {PICK_RULES}, got {self.pick!r}")
        if self.overflow_after is not None:
            put("overflow_after", _positive(o, "overflow_after", self.overflow_after, allow_zero=True, unit="seconds"))
            if not groups:
                raise ValueError("Scenario.overflow_after only applies with agent_groups (it delays non-preferred "
                                 "groups); remove it or add agent_groups")
        if self.at_close not in AT_CLOSE:
            raise ValueError(f"Scenario.at_close must be one of {AT_CLOSE}, got {self.at_close!r}")
        put("sl_threshold", _positive(o, "sl_threshold", self.sl_threshold, allow_zero=True, unit="seconds"))
        put("sl_target", _share(o, "sl_target", self.sl_target))
        if self.max_abandon_rate is not None:
            put("max_abandon_rate", _share(o, "max_abandon_rate", self.max_abandon_rate))
        if self.max_occupancy is not None:
            put("max_occupancy", _share(o, "max_occupancy", self.max_occupancy, lower_open=True))
        put("shrinkage", _share(o, "shrinkage", self.shrinkage, upper_open=True))
        put("paid_hours_per_week", _positive(o, "paid_hours_per_week", self.paid_hours_per_week, unit="hours"))
        put("hourly_cost", _positive(o, "hourly_cost", self.hourly_cost, allow_zero=True))

    # ----------------------------------------------------------------- derived values
    def type_table(self) -> dict[str, np.ndarray]:
        """Per call type arrays (one entry when there are no call types), inheritance resolved.

        Returns ``names`` and ``skill`` (object), ``share``, ``aht`` (s), ``patience`` (s, ``inf`` =
        never abandons) as float64 and ``priority`` as int64; all of shape (n_types,).
        """
        base_pat = math.inf if self.patience is None else self.patience
        if not self.call_types:
            return {"names": np.array([self.name], dtype=object), "share": np.ones(1),
                    "aht": np.array([self.aht]), "patience": np.array([base_pat]),
                    "priority": np.zeros(1, dtype=np.int64), "skill": np.array([self.name], dtype=object)}
        ts = self.call_types
        return {
            "names": np.array([t.name for t in ts], dtype=object),
            "share": np.array([t.share for t in ts], dtype=np.float64),
            "aht": np.array([self.aht if t.aht is None else t.aht for t in ts], dtype=np.float64),
            "patience": np.array([base_pat if t.patience is None else t.patience for t in ts], dtype=np.float64),
            "priority": np.array([t.priority for t in ts], dtype=np.int64),
            "skill": np.array([t.skill_name for t in ts], dtype=object),
        }

    def group_table(self) -> dict[str, np.ndarray]:
        """Per agent group arrays (one group, named "agents", serving every type when there are no
        ``agent_groups``), with the routing relations the engines use.

        Returns ``names`` (object, (G,)), ``n_skills`` (int64, (G,)), ``hourly_cost`` (float64, (G,);
        the scenario's where a group has none), ``eligible`` (bool, (T, G): group g may answer type t)
        and ``preferred`` (bool, (T, G): among the eligible groups of t, those with the fewest skills).
        """
        types = self.type_table()
        n_types = len(types["names"])
        if not self.agent_groups:
            return {"names": np.array([DEFAULT_GROUP], dtype=object), "n_skills": np.ones(1, dtype=np.int64),
                    "hourly_cost": np.array([self.hourly_cost]), "eligible": np.ones((n_types, 1), dtype=bool),
                    "preferred": np.ones((n_types, 1), dtype=bool)}
        gs = self.agent_groups
        eligible = np.array([[t in g.skills for g in gs] for t in types["skill"]], dtype=bool).reshape(n_types, len(gs))
        n_skills = np.array([len(g.skills) for g in gs], dtype=np.int64)
        fewest = np.where(eligible, n_skills[None, :], np.iinfo(np.int64).max).min(axis=1)
        return {
            "names": np.array([g.name for g in gs], dtype=object),
            "n_skills": n_skills,
            "hourly_cost": np.array([self.hourly_cost if g.hourly_cost is None else g.hourly_cost for g in gs],
                                    dtype=np.float64),
            "eligible": eligible,
            "preferred": eligible & (n_skills[None, :] == fewest[:, None]),
        }

    @property
    def group_names(self) -> tuple[str, ...]:
        """The agent groups' names in order (``("agents",)`` without agent_groups)."""
        return tuple(g.name for g in self.agent_groups) or (DEFAULT_GROUP,)

    @property
    def routes_by_skill(self) -> bool:
        """True when routing is more than one pool serving every call type by priority: several agent
        groups, or ``pick = "oldest"`` (only the SimPy engine simulates these)."""
        return len(self.agent_groups) > 1 or self.pick != "priority"

    @property
    def uses_ivr(self) -> bool:
        """True when attempts pass through the IVR (ivr_time > 0 or ivr_containment > 0)."""
        return self.ivr_time > 0 or self.ivr_containment > 0

    # ----------------------------------------------------------------- conversions
    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (validated again)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"Scenario has no field(s) {sorted(unknown)}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict; ``call_types`` as name -> {share, aht, patience, priority, skill},
        ``agent_groups`` as name -> {skills, hourly_cost}."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in ("call_types", "agent_groups"):
                v = {t.name: t.to_dict() for t in v}
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Inverse of :meth:`to_dict`; missing keys take defaults; unknown keys are refused."""
        if not isinstance(data, Mapping):
            raise ValueError(f"Scenario.from_dict expects a mapping, got {type(data).__name__}")
        if set(data) == {"scenario"} and isinstance(data["scenario"], Mapping):
            data = data["scenario"]
        if not data:
            raise ValueError("the scenario is empty: give at least its name and the fields that differ from the "
                             "defaults (aht, patience, sl_target...); an empty file is not taken as the default "
                             "scenario")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if "agents" in unknown:
            raise ValueError("Scenario: 'agents' is not part of a scenario any more: a scenario is the policy "
                             "(valid for any week); give the staffing separately as a simulate.StaffingPlan "
                             "(a number, a weekly pattern such as {'Mon-Fri 08:00-20:00': 40}, a table, or "
                             "StaffingPlan.sized('erlang_a'))")
        if unknown:
            raise ValueError(f"Scenario: unknown field(s) {sorted(unknown)}; known fields are {sorted(known)}")
        try:
            return cls(**dict(data))
        except TypeError as exc:  # a nested spec with a wrong shape: a sentence, not a traceback
            raise ValueError(f"Scenario: {exc}") from None

    def to_toml(self) -> str:
        """TOML text; fields that are None are left out (None is their default), and so is ``pick`` when
        there are no agent groups (it only says how agents of several groups choose)."""
        d = {k: v for k, v in self.to_dict().items() if v is not None}
        for key in ("call_types", "agent_groups"):
            if d[key]:
                d[key] = {n: {k: v for k, v in spec.items() if v is not None} for n, spec in d[key].items()}
            else:
                del d[key]
        if "agent_groups" not in d and d.get("pick") == "priority":
            del d["pick"]
        return tomli_w.dumps(d)

    @classmethod
    def from_toml(cls, text: str) -> Scenario:
        _check_text(text, "TOML")
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            raise ValueError(f"Scenario TOML is not valid: {str(exc)[:200]}") from None
        return cls.from_dict(data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        _check_text(text, "JSON")
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"Scenario JSON is not valid: {str(exc)[:200]}") from None
        return cls.from_dict(data)

    def save(self, path: str | Path) -> Path:
        """Write to ``.toml`` or ``.json`` (chosen by suffix)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".toml":
            path.write_text(self.to_toml(), encoding="utf-8")
        elif suffix == ".json":
            path.write_text(self.to_json(), encoding="utf-8")
        else:
            raise ValueError(f"Scenario.save: path must end in .toml or .json, got {path.name!r}")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read a ``.toml`` or ``.json`` file written by :meth:`save` (or by hand)."""
        from forecast import limits

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".toml", ".json"):
            raise ValueError(f"Scenario.load: path must end in .toml or .json, got {path.name!r}")
        try:
            with path.open("rb") as fh:
                raw = limits.read_bounded(fh, limit="MAX_SCENARIO_FILE_BYTES", subject=path.name)
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{path.name}: a scenario file must be UTF-8 text") from None
        if suffix == ".toml":
            return cls.from_toml(text)
        if suffix == ".json":
            return cls.from_json(text)
        raise ValueError(f"Scenario.load: path must end in .toml or .json, got {path.name!r}")


def _check_text(text: str, kind: str) -> None:
    """Bound a scenario text before parsing it: size and nesting depth (forecast.limits)."""
    from forecast import limits

    if not isinstance(text, str):
        raise ValueError(f"Scenario {kind} must be text, got {type(text).__name__}")
    limits.check("MAX_SCENARIO_FILE_BYTES", len(text.encode("utf-8", "surrogatepass")), f"scenario {kind}")
    depth = deepest = 0
    opening, closing = ("[{", "]}")
    for ch in text:  # brackets in strings count too: a conservative bound, and linear
        if ch in opening:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in closing:
            depth -= 1
    limits.check("MAX_NESTING_DEPTH", deepest, f"scenario {kind}")


# --------------------------------------------------------------------- random durations
@lru_cache(maxsize=256)
def weibull_shape_for_cv(cv: float) -> float:
    """Weibull shape k whose coefficient of variation is ``cv`` (cv = 1 gives k = 1, exponential)."""
    if not 0.05 <= cv <= 20:
        raise ValueError(f"weibull cv must be in [0.05, 20], got {cv}")

    def gap(log_k: float) -> float:
        k = math.exp(log_k)
        g1 = special.gammaln(1 + 1 / k)
        g2 = special.gammaln(1 + 2 / k)
        return 0.5 * math.log(math.expm1(max(g2 - 2 * g1, 1e-300))) - math.log(cv)

    return float(math.exp(optimize.brentq(gap, math.log(0.05), math.log(200.0), xtol=1e-12)))


def duration_quantile(u: np.ndarray, mean: np.ndarray | float, dist: str, cv: float = 1.0,
                      quantiles: tuple[float, ...] | None = None) -> np.ndarray:
    """Durations (s) with the given mean from uniforms ``u`` in [0, 1) by the inverse CDF.

    Using the inverse CDF makes a duration monotone in its uniform and proportional to ``mean``,
    so two scenarios fed the same uniforms get common random numbers. ``mean`` may be an array
    (one per uniform) and may be ``inf`` (never ends: patience of callers who never hang up).
    dist: "exponential", "lognormal" (coefficient of variation cv), "weibull" (shape from cv) or
    "empirical" (the quantile table ``quantiles``, rescaled to mean one).
    """
    u = np.asarray(u, dtype=np.float64)
    if dist == "exponential":
        # 1 - u is exact for numpy's uniforms (multiples of 2**-53) and log is twice as fast as log1p
        unit = -np.log(1.0 - u)
    elif dist == "lognormal":
        sigma = math.sqrt(math.log1p(cv * cv))
        unit = np.exp(sigma * special.ndtri(u) - 0.5 * sigma * sigma)
    elif dist == "weibull":
        k = weibull_shape_for_cv(cv)
        unit = np.power(-np.log1p(-u), 1.0 / k) / math.gamma(1.0 + 1.0 / k)
    elif dist == "empirical":
        if quantiles is None:
            raise ValueError("quantiles: the empirical distribution needs its quantile table")
        unit = empirical_unit(u, quantiles)
    else:
        raise ValueError(f"unknown duration distribution {dist!r}")
    mean = np.asarray(mean, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(mean), np.inf, unit * mean)
