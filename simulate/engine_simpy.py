"""The SimPy engine: the life of a call, one caller at a time.

The life of a call, as a planner would tell it
----------------------------------------------
The day is cut into arrival intervals (say 30 minutes). For each interval the demand gives the
calls we expect (and their handle time), and the staffing plan gives the agents on the phones. An
interval with no calls expected and no agents is *closed* (nights, weekends).

1. **A caller dials.** New callers arrive at random (a Poisson process at the forecast rate of
   the interval), or at the exact times of a replayed call log. Each caller has a type (e.g.
   "status enquiry", by the interval's mix), a handle time (around the mean of its interval and
   type) and a patience drawn at random.
2. **Lines or a busy signal.** If the centre is closed, or every trunk line is taken (``lines``
   counts callers in the menu, in the queue and talking to an agent), the caller hears a busy
   signal: *blocked*.
3. **The menu (IVR).** The caller spends ``ivr_time`` seconds in the menu on a line. Some
   (``ivr_containment``) get their answer there and hang up happy: *contained*.
4. **The callback offer.** If the estimated wait is longer than ``callback_threshold``, the caller
   is offered a callback; some accept, hang up (freeing the line) and wait for an agent to call
   them back when no one is queueing (or sooner, once ``callback_deadline`` has passed): *callback*.
5. **The queue.** The others wait on hold, the most urgent type first, then first come, first
   served.
6. **Patience.** If the wait reaches the caller's patience, they hang up: *abandoned*. When the
   centre closes, the doors close: nobody new gets in, and the callers already inside (in the menu
   or on hold) are served by the agents on duty at closing, who stay until they are done
   (``at_close = "serve"``, the default; with nobody on duty at closing they are let go then); or,
   with ``at_close = "drop"``, everyone still on hold is let go at closing time. Callbacks are only
   made while the centre is open.
7. **Answered.** When an agent is free the call is *answered*; the agent talks for the handle time
   and the line is freed. Calls in progress at a shift change always finish; an agent leaving at
   the change finishes the current call first.
8. **Redial.** A blocked or abandoned caller may try again later (``redial_prob``, after about
   ``redial_delay`` seconds), up to ``max_attempts`` tries, possibly the next day. A redial into
   a closed centre is blocked.

9. **Agent groups (routing by skill).** A centre may have several groups of agents, e.g. English,
   French and bilingual (``Scenario.agent_groups``); each call type needs one skill (``"en"``,
   ``"fr"``). A group is *eligible* for a call when it serves the call's skill; the call's
   *preferred* groups are its eligible groups with the fewest skills (the specialists). Its other
   eligible groups may answer it at once, or, with ``overflow_after`` set, only once it has waited
   ``overflow_after`` seconds; until then they are *not yet open* to it.

   - *An arriving caller* (after the menu) takes an idle agent of the group with the fewest skills
     among the groups open to it, ties by group order (specialists first, bilingual agents last);
     when no such agent is idle: the callback offer, else the queue of its call type.
   - *A free agent* (one who finishes a call, agents coming on duty at a shift change, or a waiting
     caller whose overflow delay ends) takes work, groups in order of fewest skills then group
     order, one agent at a time: an overdue callback of its skills (the first accepted); else a
     caller on hold in a queue it serves and open to its group: with ``pick = "priority"`` the
     caller of the most urgent call type (lowest ``priority``; e.g. French first at bilingual
     agents), then the longest-waiting; with ``pick = "oldest"`` the longest-waiting caller among
     its skills; else a callback of its skills (the first accepted). Ties in waiting time go to the
     caller who joined first.
   - Callbacks may be made by any eligible group (the overflow delay applies to callers on hold).
     The offer announces (callers on hold in the queues sharing a group with the call + 1) x the
     interval's mean handle time / agents on duty in the call's eligible groups.
   - Shift changes and closing apply group by group: each group's agents at closing stay for the
     callers still inside. A caller joins the queue only while the centre is open or some eligible
     group has agents on duty; after the horizon, callers whose eligible groups have nobody on duty
     are let go.

   Without agent groups there is one group serving every type, and these rules are the one-pool
   rules of 5 and 7: answered at once when an agent is free; a free agent takes the most urgent
   type, then the longest wait.

Over several days the same rules repeat; callbacks not made by closing are carried to the next
open interval. After the last interval no one new calls; calls already in the centre are served
by the last interval's agents, and callbacks still not made stay unmade (``answer_s`` NaN). In a
replay the log's attempts are all arrivals, so no redial is generated.

Every attempt ends with exactly one outcome and becomes a row of :class:`simulate.records.CallRecords`.

Implementation notes: one SimPy process per attempt (:meth:`_Centre.attempt`) tells the story
above; the agents are hand-managed (per call type a FIFO of waiting calls and a FIFO of callbacks,
per group a busy count and the interval's target) because agent numbers change at interval
boundaries with the "finish the call, then leave" rule. Random values
are drawn up front in numpy arrays from one generator per stream (arrivals, call type, IVR,
service, patience, callback, redial), so two scenarios run with the same seed share common random
numbers: same arrival times, types and draws for every first attempt. The per-interval inputs
(mix, handle times, agents on duty, closing) come resolved in a :class:`simulate.workload.Workload`.
Events due at the same instant follow the tie rules of ``simulate/ENGINE.md`` (an agent finishing,
then patience running out, then an overflow delay ending, then the interval boundary, then callers
leaving the menu, then redials, then new callers; agents finishing at the same instant in the order
they answered), which :mod:`simulate.engine_fast` follows too: the two engines give the same
records, call for call, agent groups included. Who may answer whom comes from
:func:`simulate.workload.routing`, which both engines read.
"""
from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Sequence

import numpy as np
import simpy
from simpy.events import EventPriority

from simulate._draws import STREAMS, arrival_times, call_types, interval_index, poisson_counts, spawn_streams
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CALLBACK,
    OUTCOME_CONTAINED,
    CallRecords,
)
from simulate.scenario import Scenario, duration_quantile
from simulate.workload import Workload, routing

__all__ = ["STREAMS", "simulate_replication", "spawn_streams", "draw_first_attempts"]

_NAN = math.nan
_INF = math.inf

# Tie rules (simulate/ENGINE.md): events due at the same instant happen in this order, each after
# SimPy's own immediate events (a process starting or resuming: priorities 0 and 1), which carry
# out the consequences of the event before.
_FINISH = EventPriority(2)  # an agent finishes a call
_PATIENCE = EventPriority(3)  # a caller on hold runs out of patience
_OVERFLOW = EventPriority(4)  # a caller on hold has waited overflow_after (agent groups)
_BOUNDARY = EventPriority(5)  # an interval starts: agents change, maybe closing
_IVR_EXIT = EventPriority(6)  # a caller leaves the menu
_REDIAL = EventPriority(7)  # a redial rings
_ARRIVAL = EventPriority(8)  # a new caller rings


def draw_first_attempts(work: Workload, scenario: Scenario, rngs: dict[str, np.random.Generator]
                        ) -> dict[str, np.ndarray]:
    """Draw every new caller of a replication at once (vectorised).

    work: the replication's :class:`~simulate.workload.Workload`. Returns arrays of length N
    (callers, in arrival order): ``arrival_s``, ``interval`` (int64), ``call_type`` (int64), ``u_ivr``,
    ``service_s`` (handle time in seconds: the mean of the caller's interval and type, residual
    factor included, times a mean-one draw; or the observed one in a replay), ``patience_s``
    (inf = never abandons), ``u_callback``.
    """
    n = work.n
    if work.is_replay:
        arrival = work.replay_t_s
        assert arrival is not None  # is_replay: replay_t_s is set
        n_calls = len(arrival)
    else:
        counts = poisson_counts(work.calls, rngs["arrivals"])
        n_calls = int(counts.sum())
        arrival = arrival_times(counts, rngs["arrivals"], work.interval_s)
    interval = interval_index(arrival, work.interval_s, n)
    table = scenario.type_table()
    u_type = rngs["call_type"].random(n_calls)
    if work.replay_type is not None:
        ctype = work.replay_type.astype(np.int64)
    else:
        ctype = call_types(u_type, interval, work.cum_share)
    service = duration_quantile(rngs["service"].random(n_calls), work.aht_s[interval, ctype],
                                scenario.aht_dist, scenario.aht_cv, scenario.aht_quantiles)
    if work.replay_service_s is not None:
        service = np.where(np.isfinite(work.replay_service_s), work.replay_service_s, service)
    patience = duration_quantile(rngs["patience"].random(n_calls), table["patience"][ctype],
                                 scenario.patience_dist, scenario.patience_cv, scenario.patience_quantiles)
    if work.replay_patience_unit is not None:
        given = np.isfinite(work.replay_patience_unit)
        patience[given] = work.replay_patience_unit[given] * table["patience"][ctype[given]]
    return {
        "arrival_s": arrival,
        "interval": interval,
        "call_type": ctype,
        "u_ivr": rngs["ivr"].random(n_calls),
        "service_s": service,
        "patience_s": patience,
        "u_callback": rngs["callback"].random(n_calls),
    }


class _Timeout(simpy.Event):
    """``simpy.Timeout`` with a rank instead of NORMAL priority: events due at the same instant
    happen in rank order (the tie rules above). Its body is Timeout's, which sets the same
    attributes."""

    def __init__(self, env: simpy.Environment, delay: float, rank: EventPriority, value=None):
        self.env = env
        self.callbacks = []
        self._value = value
        self._ok = True
        env.schedule(self, rank, delay)


class _Call:
    """One attempt: what is known about it and how it ended."""

    __slots__ = ("caller", "attempt", "ctype", "interval", "arrival", "outcome", "wait", "answer",
                 "service", "patience", "priority", "u_ivr", "u_cb", "event", "waiting", "join", "seq",
                 "group", "overflow_at")

    def __init__(self, caller, attempt, ctype, interval, arrival, service, patience, priority, u_ivr, u_cb):
        self.caller = caller
        self.attempt = attempt
        self.ctype = ctype
        self.interval = interval
        self.arrival = arrival
        self.service = service
        self.patience = patience
        self.priority = priority
        self.u_ivr = u_ivr
        self.u_cb = u_cb
        self.outcome = -1
        self.wait = _NAN
        self.answer = _NAN
        self.event = None
        self.waiting = False
        self.join = _NAN
        self.seq = 0
        self.group = -1
        self.overflow_at = _INF


class _RedialDraws:
    """Blocks of pre-drawn values for redials (decision, delay and fresh per-attempt draws)."""

    _BLOCK = 1024

    def __init__(self, rng: np.random.Generator, scenario: Scenario):
        self.rng = rng
        self.scenario = scenario
        self.i = self._BLOCK
        self.rows: list[tuple] = []

    def next(self) -> tuple:
        if self.i >= self._BLOCK:
            s = self.scenario
            u = self.rng.random((6, self._BLOCK))
            delay = -np.log1p(-u[1]) * s.redial_delay
            unit_service = duration_quantile(u[3], 1.0, s.aht_dist, s.aht_cv, s.aht_quantiles)
            unit_patience = duration_quantile(u[4], 1.0, s.patience_dist, s.patience_cv, s.patience_quantiles)
            self.rows = list(zip(u[0].tolist(), delay.tolist(), u[2].tolist(), unit_service.tolist(),
                                 unit_patience.tolist(), u[5].tolist()))
            self.i = 0
        row = self.rows[self.i]
        self.i += 1
        return row


class _Centre:
    """The call centre of one replication: lines, the queues, the agent groups and the clock."""

    def __init__(self, work: Workload, scenario: Scenario, seed):
        self.env = simpy.Environment()
        self.scenario = scenario
        self.interval_s = float(work.interval_s)
        self.n_intervals = work.n
        self.horizon_s = self.n_intervals * self.interval_s
        assert work.group_on_duty is not None  # Workload.__post_init__ fills it in
        self.on_duty = work.group_on_duty.tolist()  # [interval][group] agents on duty, closing rule applied
        self.closed = work.closed
        self.open = [not c for c in work.closed.tolist()]
        self.let_go = work.let_go.tolist()  # closings where everyone on hold is let go
        self.redials_on = not work.is_replay  # a replayed log holds every attempt already
        self.rngs = spawn_streams(seed)
        table = scenario.type_table()
        self.aht = work.aht_s.tolist()  # [interval][type] mean handle time (s)
        self.mean_aht = work.mean_aht_s.tolist()
        self.staffed = np.asarray(work.agents, dtype=np.float64) * self.interval_s  # agent-seconds scheduled
        self.staffed_group = np.asarray(work.group_agents, dtype=np.float64) * self.interval_s
        self.type_patience = table["patience"].tolist()
        self.type_priority = table["priority"].tolist()
        self.redials = _RedialDraws(self.rngs["redial"], scenario)
        self._routing(scenario)
        # live state
        self.current = 0  # the interval the clock is in
        self.target = list(self.on_duty[0])  # agents on duty now, per group
        self.busy = [0] * self.n_groups  # agents talking to a caller, per group
        self.in_system = 0  # lines held (IVR + queue + service)
        # per type, join order; hung-up entries skipped
        self.queues: list[deque[_Call]] = [deque() for _ in range(self.n_types)]
        self.n_wait = [0] * self.n_types  # callers on hold, per type
        self.callbacks: list[deque[tuple[float, int, _Call, simpy.Event]]] = [
            deque() for _ in range(self.n_types)]  # per type: (deadline_s, order, call, event)
        self.n_callbacks = 0
        self.seq = 0  # callers who joined a queue
        self.cb_seq = 0  # callbacks accepted
        self.ended = False  # past the end of the horizon
        self.first_calls: list[_Call] = []  # in caller order
        self.redial_calls: list[_Call] = []  # in the order they were made
        self.uses_ivr = scenario.uses_ivr
        self.cb_threshold = scenario.callback_threshold
        self.cb_deadline = _INF if scenario.callback_deadline is None else scenario.callback_deadline

    def _routing(self, scenario: Scenario) -> None:
        """Who may answer whom (rule 9 of the module docstring), resolved once by
        :func:`simulate.workload.routing`, which both engines read."""
        r = routing(scenario)
        self.n_groups = r.n_groups
        self.n_types = r.n_types
        # read only for types with late groups, which exist only when overflow_after is set
        self.overflow_after = _INF if r.overflow_after is None else r.overflow_after
        self.by_skills = list(r.order)  # fewest skills, then group order
        self.open_groups = [list(x) for x in r.open_groups]  # open to a type on arrival, in routing order
        self.late_groups = [list(x) for x in r.late_groups]  # open to a type once it waited overflow_after
        self.eligible_groups = [list(x) for x in r.eligible_groups]
        self.serves = [list(x) for x in r.serves]  # per group: (type, waits for overflow) of the queues it serves
        self.serves_types = [[t for t, _ in sv] for sv in r.serves]
        self.related = [list(x) for x in r.related]  # types whose callers on hold the callback offer counts
        self.by_priority = r.by_priority

    def at(self, delay: float, rank: EventPriority, value=None) -> simpy.Event:
        """An event ``delay`` seconds from now that, at equal times, comes in the order of ``rank``
        (see the tie rules above)."""
        return _Timeout(self.env, delay, rank, value)

    # ------------------------------------------------------------ the story of one attempt
    def attempt(self, call: _Call):
        """The life of one attempt, from dialling to hanging up (a SimPy process)."""
        env = self.env
        s = self.scenario
        # 1-2. A closed centre or every line taken: busy signal.
        if not self.open[call.interval] or (s.lines is not None and self.in_system >= s.lines):
            call.outcome = OUTCOME_BLOCKED
            self.maybe_redial(call)
            return
        self.in_system += 1
        # 3. The menu: some callers are helped by self-service.
        if self.uses_ivr:
            if s.ivr_time > 0:
                yield self.at(s.ivr_time, _IVR_EXIT)
            if call.u_ivr < s.ivr_containment:
                call.outcome = OUTCOME_CONTAINED
                self.in_system -= 1
                return
        call.join = env.now
        # An agent of a group open to this caller is free: answered at once (rule 9).
        group = self.idle_group(self.open_groups[call.ctype])
        if group >= 0:
            self.busy[group] += 1
            call.group = group
            call.answer = call.join
            call.wait = 0.0
        else:
            # 4. The callback offer, when the wait looks long.
            if self.cb_threshold is not None and self.estimated_wait(call.ctype) > self.cb_threshold \
                    and call.u_cb < s.callback_accept:
                call.outcome = OUTCOME_CALLBACK
                call.wait = 0.0
                self.in_system -= 1
                called_back = env.event()
                self.cb_seq += 1
                self.callbacks[call.ctype].append((call.join + self.cb_deadline, self.cb_seq, call, called_back))
                self.n_callbacks += 1
                self.dispatch()  # an idle agent not yet open to callers on hold may call back at once
                yield called_back  # an agent calls back (dispatch set call.answer); never, past the horizon
                yield self.at(call.service, _FINISH)
                self.release(call.group)
                return
            # 5-6. On hold until an agent answers or patience runs out (or the centre closes).
            if not self.serving(call.ctype):
                call.outcome = OUTCOME_ABANDONED
                call.wait = 0.0
                self.in_system -= 1
                self.maybe_redial(call)
                return
            call.event = env.event()
            call.waiting = True
            self.seq += 1
            call.seq = self.seq
            self.queues[call.ctype].append(call)
            self.n_wait[call.ctype] += 1
            if call.patience < _INF:
                self.at(call.patience, _PATIENCE, call).callbacks.append(self.patience_runs_out)
            if self.late_groups[call.ctype]:
                call.overflow_at = env.now + self.overflow_after  # the same float the event fires at
                self.at(self.overflow_after, _OVERFLOW, call).callbacks.append(self.overflow_due)
            answered = yield call.event
            if not answered:
                call.outcome = OUTCOME_ABANDONED
                self.in_system -= 1
                self.maybe_redial(call)
                return
            call.wait = call.answer - call.join
        # 7. Answered: the agent handles the call, then takes the next one.
        call.outcome = OUTCOME_ANSWERED
        yield self.at(call.service, _FINISH)
        self.in_system -= 1
        self.release(call.group)

    # ------------------------------------------------------------ agents and queues
    def idle_group(self, groups: list[int]) -> int:
        """The first of ``groups`` (already in routing order) with an idle agent on duty, else -1."""
        busy, target = self.busy, self.target
        for j in groups:
            if busy[j] < target[j]:
                return j
        return -1

    def estimated_wait(self, ctype: int) -> float:
        """What the centre announces to a caller of type ``ctype``: (callers on hold in the queues
        sharing a group with it + 1) x the interval's mean handle time / agents on duty in its
        eligible groups (s). With one pool: (callers on hold + 1) x mean handle time / agents."""
        groups = self.eligible_groups[ctype]
        if self.idle_group(groups) >= 0:
            return 0.0
        agents = sum(self.target[j] for j in groups)
        if agents == 0:
            return _INF
        waiting = sum(self.n_wait[u] for u in self.related[ctype])
        return (waiting + 1) * self.mean_aht[self.current] / agents

    def serving(self, ctype: int) -> bool:
        """Whether a caller of type ``ctype`` may join the queue now: the centre is open, or agents of
        its eligible groups are on duty for the callers still inside (closing with "serve", or past
        the horizon)."""
        return any(self.target[j] > 0 for j in self.eligible_groups[ctype]) or (
            not self.ended and self.open[self.current])

    def patience_runs_out(self, event) -> None:
        call = event._value
        if call.waiting:
            call.waiting = False
            call.wait = self.env.now - call.join
            t = call.ctype
            self.n_wait[t] -= 1
            if self.n_wait[t] == 0:
                self.queues[t].clear()  # only hung-up entries are left
            call.event.succeed(False)

    def overflow_due(self, event) -> None:
        """A caller has waited ``overflow_after``: groups other than its preferred ones may answer it."""
        if event._value.waiting:
            self.dispatch()

    def release(self, group: int) -> None:
        self.busy[group] -= 1
        self.dispatch()

    def next_caller(self, group: int, now: float) -> _Call | None:
        """The caller on hold an agent of ``group`` takes now (rule 9: by ``pick``), or None. Leaves
        the caller in its queue."""
        best: _Call | None = None
        best_key: tuple | None = None  # set together with best
        queues = self.queues
        for t, late in self.serves[group]:
            if not self.n_wait[t]:
                continue
            q = queues[t]
            while not q[0].waiting:
                q.popleft()  # hung up earlier
            c = q[0]  # the longest-waiting caller of this type
            if late and now < c.overflow_at:
                continue  # not yet open to this group (nor are those who joined after it)
            key = (c.priority, c.join, c.seq) if self.by_priority else (c.join, c.seq)
            if best_key is None or key < best_key:
                best, best_key = c, key
        return best

    def next_callback(self, group: int) -> deque | None:
        """The callback queue whose head is the first accepted callback ``group`` may make, or None."""
        if not self.n_callbacks:
            return None
        best = None
        for t in self.serves_types[group]:
            q = self.callbacks[t]
            if q and (best is None or q[0][1] < best[0][1]):
                best = q
        return best

    def dispatch(self) -> None:
        """Give free agents work, group by group (fewest skills first): overdue callbacks, then
        callers on hold, then callbacks (rule 9)."""
        now = self.env.now
        busy, target = self.busy, self.target
        for g in self.by_skills:
            while busy[g] < target[g]:
                call = self.next_caller(g, now)
                cbq = self.next_callback(g) if not self.ended and self.open[self.current] else None
                if cbq is not None and (call is None or now >= cbq[0][0]):
                    _, _, cb_call, called_back = cbq.popleft()
                    self.n_callbacks -= 1
                    busy[g] += 1
                    cb_call.group = g
                    cb_call.answer = now
                    called_back.succeed()
                    continue
                if call is None:
                    break
                self.queues[call.ctype].popleft()
                call.waiting = False
                self.n_wait[call.ctype] -= 1
                busy[g] += 1
                call.group = g
                call.answer = now
                call.event.succeed(True)

    def let_waiting_go(self, types: list[int] | None = None) -> None:
        """Everyone on hold (of ``types``; all types when None) hangs up now, in the one-pool queue order
        (priority, join time, arrival order): which caller goes first decides which redial values
        each gets, so it must not depend on how the queues are kept."""
        now = self.env.now
        which: Sequence[int] = range(self.n_types) if types is None else types
        leaving = [c for t in which for c in self.queues[t] if c.waiting]
        for call in sorted(leaving, key=lambda c: (c.priority, c.join, c.seq)):
            call.waiting = False
            call.wait = now - call.join
            call.event.succeed(False)
        for t in which:
            self.queues[t].clear()
            self.n_wait[t] = 0

    # ------------------------------------------------------------ arrivals, redials, the clock
    def maybe_redial(self, call: _Call) -> None:
        s = self.scenario
        if call.attempt >= s.max_attempts or s.redial_prob <= 0 or not self.redials_on:
            return
        u, delay, u_ivr, unit_service, unit_patience, u_cb = self.redials.next()
        if u >= s.redial_prob:
            return
        t = self.env.now + delay
        if t >= self.horizon_s:
            return
        ctype = call.ctype
        interval = min(int(t // self.interval_s), self.n_intervals - 1)
        again = _Call(call.caller, call.attempt + 1, ctype, interval, t, unit_service * self.aht[interval][ctype],
                      unit_patience * self.type_patience[ctype], self.type_priority[ctype], u_ivr, u_cb)
        self.redial_calls.append(again)
        self.at(delay, _REDIAL, again).callbacks.append(self._start)

    def _start(self, event) -> None:
        self.env.process(self.attempt(event._value))

    def source(self, first: dict[str, np.ndarray]):
        """New callers dial at their pre-drawn times. They are put on the clock an interval at a time,
        at the interval's start: from there the delay to each call is exact, so every call rings at
        exactly its time (SimPy's clock adds delays, and ``now + (t - now)`` can miss ``t``)."""
        prio = self.type_priority
        cols = zip(first["arrival_s"].tolist(), first["interval"].tolist(), first["call_type"].tolist(),
                   first["service_s"].tolist(), first["patience_s"].tolist(), first["u_ivr"].tolist(),
                   first["u_callback"].tolist())
        starts = np.searchsorted(first["interval"], np.arange(self.n_intervals + 1)).tolist()
        caller = 0
        for k in range(self.n_intervals):
            if k:
                yield self.at(k * self.interval_s - self.env.now, _BOUNDARY)
            now = self.env.now
            for t, interval, ctype, svc, pat, u_ivr, u_cb in itertools.islice(cols, starts[k + 1] - starts[k]):
                call = _Call(caller, 1, ctype, interval, t, svc, pat, prio[ctype], u_ivr, u_cb)
                self.first_calls.append(call)
                self.at(t - now, _ARRIVAL, call).callbacks.append(self._start)
                caller += 1

    def clock(self):
        """Interval boundaries: shift changes, closing time, end of the horizon."""
        env = self.env
        for k in range(1, self.n_intervals):
            yield self.at(k * self.interval_s - env.now, _BOUNDARY)
            self.current = k
            self.target = list(self.on_duty[k])
            if self.let_go[k]:
                self.let_waiting_go()
            self.dispatch()
        yield self.at(self.horizon_s - env.now, _BOUNDARY)
        self.ended = True
        for q in self.callbacks:  # callbacks not made by the end of the horizon stay unmade
            q.clear()
        self.n_callbacks = 0
        unserved = [t for t in range(self.n_types) if not any(self.target[j] for j in self.eligible_groups[t])]
        if unserved:
            self.let_waiting_go(unserved)

    def run(self, first: dict[str, np.ndarray]) -> CallRecords:
        self.env.process(self.source(first))
        self.env.process(self.clock())
        self.env.run()
        calls = self.first_calls + self.redial_calls  # the record order of every engine
        if any(c.waiting for c in calls):  # cannot happen: the horizon lets everyone go or serves them
            raise RuntimeError("engine_simpy: a call was still waiting when the simulation ended")
        columns: dict[str, np.ndarray] = {
            "caller": np.fromiter((c.caller for c in calls), np.int64, len(calls)),
            "attempt": np.fromiter((c.attempt for c in calls), np.int32, len(calls)),
            "call_type": np.fromiter((c.ctype for c in calls), np.int16, len(calls)),
            "interval": np.fromiter((c.interval for c in calls), np.int32, len(calls)),
            "arrival_s": np.fromiter((c.arrival for c in calls), np.float64, len(calls)),
            "outcome": np.fromiter((c.outcome for c in calls), np.int8, len(calls)),
            "wait_s": np.fromiter((c.wait for c in calls), np.float64, len(calls)),
            "answer_s": np.fromiter((c.answer for c in calls), np.float64, len(calls)),
        }
        served = (columns["outcome"] == OUTCOME_ANSWERED) | (
            (columns["outcome"] == OUTCOME_CALLBACK) & ~np.isnan(columns["answer_s"]))
        service = np.fromiter((c.service for c in calls), np.float64, len(calls))
        columns["service_s"] = np.where(served, service, np.nan)
        group = np.fromiter((c.group for c in calls), np.int16, len(calls))
        columns["group"] = np.where(served, group, -1).astype(np.int16)
        return CallRecords.from_columns(columns, self.staffed, self.closed, self.staffed_group,
                                        ivr_s=self.scenario.ivr_time)


def simulate_replication(work: Workload, scenario: Scenario, seed: np.random.SeedSequence) -> CallRecords:
    """Simulate one replication with SimPy and return one record per attempt.

    work: the run's :class:`~simulate.workload.Workload` (demand, handle times and agents per
    interval, built by :func:`simulate.workload.build_workload`); seed: this replication's
    SeedSequence (see :func:`spawn_streams`). Times in the records are seconds from the start of
    interval 0.
    """
    if not isinstance(work, Workload):
        raise ValueError(f"work must be a simulate.workload.Workload, got {type(work).__name__}")
    centre = _Centre(work, scenario, seed)
    first = draw_first_attempts(work, scenario, centre.rngs)
    return centre.run(first)
