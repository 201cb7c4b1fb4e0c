"""The per-attempt record every engine returns: the one contract between engines and metrics.

An engine (SimPy or compiled) simulates one replication and returns a :class:`CallRecords`: a
dict-like bundle of equal-length 1-D numpy arrays, one element per *attempt* (a first call or a
redial), plus the staffed agent-seconds per interval. :mod:`simulate.metrics` turns records into
every KPI, so a KPI is defined once whatever engine produced the calls.

All times are seconds from the start of the first arrival interval (``ds[0]``).

Fields (one entry per attempt):

=================  ========  ==============================================================
``caller``         int64     caller id, unique within a replication (a redial keeps its id)
``attempt``        int32     1 for a first call, 2 for the first redial, ...
``call_type``      int16     index into ``scenario.call_types`` order (0 when no types)
``interval``       int32     index of the arrival interval of this attempt
``arrival_s``      float64   arrival time of the attempt
``outcome``        int8      one of the ``OUTCOME_*`` codes below (every attempt has one)
``wait_s``         float64   seconds in the agent queue: until answer (answered), until
                             hang-up (abandoned), until the callback offer was taken
                             (callback); NaN for blocked and contained attempts
``answer_s``       float64   time an agent started on this call (answered) or called the
                             caller back (callback, NaN if never called back); else NaN
``service_s``      float64   agent handle time of the answered call or of the callback; NaN
                             when no agent served it
``group``          int16     index into ``scenario.group_names`` of the agent group that served
                             the call (answered, or called back); -1 when no agent served it
=================  ========  ==============================================================

Per replication, also ``staffed_s``: float64 array of length n_intervals, the agent-seconds
on shift in each interval (agents x interval length, as scheduled); ``staffed_group_s``:
float64 (n_intervals, G), the same per agent group; and ``closed``: bool array of length
n_intervals, the intervals when the centre is closed (no calls expected and no agents; all False
when not given); ``ivr_s``: seconds an attempt that got a line spends in the IVR menu before it
joins the agent queue (the scenario's ``ivr_time``; 0 when not given), so a hold lasts from
``arrival_s + ivr_s`` for ``wait_s`` seconds.

``group`` and ``staffed_group_s`` are optional when a record is built: an engine that simulates
one pool of agents (the compiled engine) may leave them out; they are then filled trivially (group
0 for every served call, -1 otherwise; ``staffed_s`` as the one column).

Record order (every engine): first attempts in arrival order, whose callers are 0..m-1, then
redials in the order they were made. :mod:`simulate.metrics` reads this layout directly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "OUTCOME_BLOCKED",
    "OUTCOME_CONTAINED",
    "OUTCOME_ABANDONED",
    "OUTCOME_ANSWERED",
    "OUTCOME_CALLBACK",
    "OUTCOME_NAMES",
    "RECORD_FIELDS",
    "OPTIONAL_FIELDS",
    "CallRecords",
]

OUTCOME_BLOCKED = 0  # busy signal: all lines taken, or the line is closed
OUTCOME_CONTAINED = 1  # resolved by self-service in the IVR
OUTCOME_ABANDONED = 2  # hung up in the queue (patience ran out, or still waiting at closing)
OUTCOME_ANSWERED = 3  # an agent answered
OUTCOME_CALLBACK = 4  # accepted a callback offer and left the queue
OUTCOME_NAMES = ("blocked", "contained", "abandoned", "answered", "callback")

RECORD_FIELDS: dict[str, type] = {
    "caller": np.int64,
    "attempt": np.int32,
    "call_type": np.int16,
    "interval": np.int32,
    "arrival_s": np.float64,
    "outcome": np.int8,
    "wait_s": np.float64,
    "answer_s": np.float64,
    "service_s": np.float64,
    "group": np.int16,
}
OPTIONAL_FIELDS = ("group",)  # filled from the other fields when an engine leaves them out


_FIELD_DTYPES = tuple((name, np.dtype(dtype)) for name, dtype in RECORD_FIELDS.items())


@dataclass(frozen=True)
class CallRecords:
    """One replication's attempts (see module docstring) and staffed agent-seconds per interval."""

    caller: np.ndarray
    attempt: np.ndarray
    call_type: np.ndarray
    interval: np.ndarray
    arrival_s: np.ndarray
    outcome: np.ndarray
    wait_s: np.ndarray
    answer_s: np.ndarray
    service_s: np.ndarray
    staffed_s: np.ndarray
    group: np.ndarray | None = None
    staffed_group_s: np.ndarray | None = None
    closed: np.ndarray | None = None
    ivr_s: float = 0.0

    def __post_init__(self) -> None:
        n = len(self.caller)
        if self.group is None:  # one pool: group 0 served every call an agent served
            served = ~np.isnan(np.asarray(self.service_s, dtype=np.float64))
            object.__setattr__(self, "group", np.where(served, 0, -1).astype(np.int16))
        for name, dtype in _FIELD_DTYPES:
            arr = getattr(self, name)
            if not (type(arr) is np.ndarray and arr.dtype == dtype):  # the engines' arrays need no copy
                arr = np.asarray(arr, dtype=dtype)
                object.__setattr__(self, name, arr)
            if arr.ndim != 1 or len(arr) != n:
                raise ValueError(f"CallRecords.{name}: expected a 1-D array of length {n}, got shape {arr.shape}")
        staffed = np.asarray(self.staffed_s, dtype=np.float64)
        object.__setattr__(self, "staffed_s", staffed)
        if self.staffed_group_s is None:
            object.__setattr__(self, "staffed_group_s", staffed[:, None])
        else:
            sg = np.asarray(self.staffed_group_s, dtype=np.float64)
            if sg.ndim != 2 or sg.shape[0] != len(staffed):
                raise ValueError(f"CallRecords.staffed_group_s: expected shape ({len(staffed)}, groups), "
                                 f"got {sg.shape}")
            object.__setattr__(self, "staffed_group_s", sg)
        closed = np.zeros(len(staffed), np.bool_) if self.closed is None else np.asarray(self.closed, dtype=np.bool_)
        if closed.shape != staffed.shape:
            raise ValueError(f"CallRecords.closed: expected one value per interval ({len(staffed)}), got shape "
                             f"{closed.shape}")
        object.__setattr__(self, "closed", closed)
        ivr_s = float(self.ivr_s)
        if not ivr_s >= 0.0:
            raise ValueError(f"CallRecords.ivr_s: expected seconds >= 0, got {self.ivr_s!r}")
        object.__setattr__(self, "ivr_s", ivr_s)

    def __len__(self) -> int:
        return len(self.caller)

    @property
    def n_groups(self) -> int:
        assert self.staffed_group_s is not None  # filled in by __post_init__
        return self.staffed_group_s.shape[1]

    @classmethod
    def from_columns(cls, columns: dict[str, np.ndarray], staffed_s: np.ndarray, closed: np.ndarray | None = None,
                     staffed_group_s: np.ndarray | None = None, ivr_s: float = 0.0) -> CallRecords:
        """Build from a mapping holding every name in :data:`RECORD_FIELDS` (those in
        :data:`OPTIONAL_FIELDS` may be left out: see the module docstring)."""
        missing = [k for k in RECORD_FIELDS if k not in columns and k not in OPTIONAL_FIELDS]
        if missing:
            raise ValueError(f"CallRecords: missing fields {missing}")
        return cls(**{k: columns[k] for k in RECORD_FIELDS if k in columns}, staffed_s=staffed_s,
                   staffed_group_s=staffed_group_s, closed=closed, ivr_s=ivr_s)
