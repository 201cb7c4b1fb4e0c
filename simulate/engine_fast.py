"""The compiled engine: the same queue as :mod:`simulate.engine_simpy`, as one numba event loop.

The life of a call is exactly the one told in :mod:`simulate.engine_simpy`, with the rules, their
order and the tie rules written down in ``simulate/ENGINE.md``: a caller arrives, gets a busy
signal if every line is taken or the centre is closed, spends ``ivr_time`` seconds in the IVR
where a share is contained, may accept a callback when the announced wait is long, else waits in
the agent queue (priority class first, then first come first served) until an agent answers or
patience runs out; a blocked or abandoned caller may redial later; with agent groups (English,
French, bilingual...) each call goes to the groups serving its skill, specialists first (rule 9 of
:mod:`simulate.engine_simpy`). Here that story is told as an event loop over arrays instead of one
SimPy process per caller, 100x faster or more, which is what makes sweeps, simulation staffing and
year-long runs practical. Every scenario feature is simulated, routing by skill included
(:func:`supports` is where a future rule that is not would say so).

How it works
------------
* All randomness is drawn in numpy before the loop, from the streams of
  :func:`simulate._draws.spawn_streams`, and used exactly as the SimPy engine uses them
  (first callers: arrival times, type, IVR, service, patience and callback uniforms; redials: one
  pre-drawn row per blocked or abandoned attempt that may redial, in the order they happen). Both
  engines thus see the same callers for the same seed and produce the same records, call for call
  (tested on random scenarios using every feature). Service and patience are mean-one factors from
  the inverse CDF of :func:`simulate.scenario.duration_quantile`, times the mean of the attempt's
  interval and call type.
* Attempts live in *slots*: first calls take slots ``0..m-1`` in time order, each redial takes
  the next free slot when it is made; the records come out in slot order.
* The event loop (:func:`_kernel`) keeps seven event sources and always handles the earliest, in
  the tie order of ENGINE.md at equal times: a heap of agent free times (bare times for one pool;
  with agent groups, keyed by (time, answer order) and holding the group), an indexed heap of the
  patience deadlines of callers on hold (an answered caller's deadline is removed), the overflow
  delays (a FIFO: everyone waits the same ``overflow_after``), the next interval boundary, the IVR
  (a FIFO: everyone stays the same ``ivr_time``), a binary heap of pending redials and the sorted
  first arrivals. Callers on hold wait in one linked FIFO per call type; a free agent compares the
  heads of the queues it serves (by ``pick``); a call that hung up is marked and skipped when it
  reaches the head. Accepted callbacks wait in one FIFO per call type. Agent groups take work in
  routing order (:func:`simulate.workload.routing`, shared with the SimPy engine); one pool is one
  group. When nothing depends on the exact moment callers hang up (no lines, no redials, no
  callbacks) the deadline heap is skipped: a head whose deadline has passed is recorded as
  abandoned at that deadline when an agent looks at it, which is exact: the moment a caller hangs
  up then changes nothing but its own record, and no agent takes a caller past its deadline.
* The rules are written once, as small compiled helpers both loops call: what a caller joining
  the queue meets (:func:`_join_rule`), when a free agent makes a callback (:func:`_callback_due`),
  what an interval boundary changes (:func:`_cross_boundary`), and how a failure becomes a redial
  (:func:`_new_redial`).
* When one queue is served first come, first served and the number of callers on the line does
  not matter (one pool, one priority class, no lines, no callbacks: the common planning case), the event
  loop gives way to an exact recursion over attempts in arrival order (:func:`_kernel_fcfs`): a
  later caller never changes an earlier one's fate, so each fate is settled when the caller joins;
  failures wait in a heap until their time comes and become redials exactly as in the event loop;
  and exponential patience is computed only for the callers who wait. Same records, call
  for call (tested on random scenarios), at about half the cost.
* If the pre-drawn redial rows run out (more than m/8 failures that may redial), the replication
  runs again with twice as many: the extra rows extend the same sequence, so the result is the
  same.

Durations are seconds.
"""
from __future__ import annotations

import functools
import math
import weakref
from collections import namedtuple

import numpy as np

from simulate._draws import (
    arrival_times,
    call_types,
    interval_at,
    interval_index,
    n_spacings,
    poisson_counts,
    spawn_streams,
)
from simulate._jit import jit
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

__all__ = ["simulate_replication", "supports", "unit_quantile"]

_INF = np.inf
# one priority class, no lines, no callbacks: use the first-come-first-served recursion (the same
# records as the event loop, about twice as fast); tests switch it off to compare the two
USE_RECURSION = True

# slots of the int64 state vector shared by the kernels' helpers
_S_NUSED = 0  # attempt slots used so far
_S_OVERFLOW = 1  # 1 when the pre-drawn redial rows ran out
_S_NR = 2  # size of the redial heap
_S_NS = 3  # size of the agent free-time heap
_S_ND = 4  # size of the deadline heap
_S_BUSY = 5  # agents on a call (inbound or callback)
_S_NW = 6  # inbound calls waiting (exact when the deadline heap is used)
_S_ROW = 7  # redial rows used
_S_NCBQ = 8  # accepted callbacks not yet made
_S_NCB = 9  # size of the heap of end times of callbacks in progress (they hold no line)
_S_NSTATE = 10

# per-slot status
_ST_NONE = 0
_ST_IVR = 1
_ST_WAITING = 2
_ST_DONE = 3

# what a caller joining the agent queue meets (:func:`_join_rule`)
_JOIN_ANSWER = 0
_JOIN_CALLBACK = 1
_JOIN_LET_GO = 2
_JOIN_HOLD = 3

# the scenario's rules as the kernels read them (a namedtuple: numba compiles one version per layout)
_Policy = namedtuple("_Policy", ("lines", "ivr_time", "ivr_containment", "has_ivr", "redial_prob", "max_attempts",
                                 "use_deadlines", "callbacks", "cb_threshold", "cb_accept", "cb_deadline"))
# who may answer whom (simulate.workload.Routing as arrays; group lists padded with -1): per type t the
# groups open to it on arrival ``open_g[t, :n_open[t]]``, its eligible groups ``elig_g[t, :n_elig[t]]``
# and whether it waits for overflow_after at some group (``late``); per group g the types it serves
# ``serve_t[g, :n_serve[g]]`` and whether each waits for overflow_after there (``serve_late``); types
# sharing a group (``related``, T x T); the groups in routing ``order``; the pick rule and the delay
_Route = namedtuple("_Route", ("order", "open_g", "n_open", "elig_g", "n_elig", "late", "serve_t", "serve_late",
                               "n_serve", "related", "by_priority", "overflow_after"))


# --------------------------------------------------------------------------------------------
# heaps
# --------------------------------------------------------------------------------------------
_jit = jit


@_jit(inline="always")
def _heap_push(keys, vals, n, key, val):
    i = n
    while i > 0:
        p = (i - 1) >> 1
        if keys[p] <= key:
            break
        keys[i] = keys[p]
        vals[i] = vals[p]
        i = p
    keys[i] = key
    vals[i] = val
    return n + 1


@_jit(inline="always")
def _heap_pop(keys, vals, n):
    """Remove the root of a heap of size ``n``; returns the new size."""
    n -= 1
    key = keys[n]
    val = vals[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and keys[c + 1] < keys[c]:
            c += 1
        if keys[c] >= key:
            break
        keys[i] = keys[c]
        vals[i] = vals[c]
        i = c
    keys[i] = key
    vals[i] = val
    return n


@_jit(inline="always")
def _time_push(keys, n, key):
    """Push onto a heap of bare times (agents' free times: which call does not matter).

    The time heaps are 8-ary (children of i: 8i+1..8i+8): half the depth of a binary heap for 52
    agents, and the earliest of 8 children is found with independent comparisons; a replace costs
    about half a binary heap's (2.85 M replaces with 52 agents: 67 ms, binary 123 ms)."""
    i = n
    while i > 0:
        p = (i - 1) >> 3
        if keys[p] <= key:
            break
        keys[i] = keys[p]
        i = p
    keys[i] = key
    return n + 1


@_jit(inline="always")
def _earliest_of_8(keys, c):
    """(index, value) of the earliest of keys[c..c+7], a tree of pairwise minima (no branch)."""
    a0, a1, a2, a3 = keys[c], keys[c + 1], keys[c + 2], keys[c + 3]
    a4, a5, a6, a7 = keys[c + 4], keys[c + 5], keys[c + 6], keys[c + 7]
    i01, v01 = c + (a1 < a0), min(a0, a1)
    i23, v23 = c + 2 + (a3 < a2), min(a2, a3)
    i45, v45 = c + 4 + (a5 < a4), min(a4, a5)
    i67, v67 = c + 6 + (a7 < a6), min(a6, a7)
    i03, v03 = (i23 if v23 < v01 else i01), min(v01, v23)
    i47, v47 = (i67 if v67 < v45 else i45), min(v45, v67)
    return (i47 if v47 < v03 else i03), min(v03, v47)


@_jit(inline="always")
def _time_replace(keys, n, key):
    """Remove the earliest of ``n`` times and add ``key`` (a pop then a push, in one pass).

    Floyd's variant: the hole left at the root walks down to a leaf along the earliest child (no
    unpredictable branch), then ``key`` sifts up from there, usually a step or none."""
    i = 0
    c = 1
    while c + 7 < n:
        m, v = _earliest_of_8(keys, c)
        keys[i] = v
        i = m
        c = 8 * i + 1
    if c < n:  # a last, partly filled family
        m = c
        for h in range(c + 1, n):
            if keys[h] < keys[m]:
                m = h
        keys[i] = keys[m]
        i = m
    while i > 0:
        p = (i - 1) >> 3
        if keys[p] <= key:
            break
        keys[i] = keys[p]
        i = p
    keys[i] = key


@_jit(inline="always")
def _time_pop(keys, n):
    """Remove the earliest of ``n`` times; returns the new size."""
    n -= 1
    _time_replace(keys, n, keys[n])
    return n


@_jit(inline="always")
def _iheap_push(keys, vals, pos, n, key, val):
    """Push onto a heap that keeps ``pos[val]`` = index of val, so any entry can be removed."""
    i = n
    while i > 0:
        p = (i - 1) >> 1
        if keys[p] <= key:
            break
        keys[i] = keys[p]
        vals[i] = vals[p]
        pos[vals[i]] = i
        i = p
    keys[i] = key
    vals[i] = val
    pos[val] = i
    return n + 1


@_jit(inline="always")
def _iheap_remove(keys, vals, pos, n, i):
    """Remove entry ``i`` of an indexed heap of size ``n``; returns the new size."""
    pos[vals[i]] = -1
    n -= 1
    if i == n:
        return n
    key = keys[n]
    val = vals[n]
    # sift up
    while i > 0:
        p = (i - 1) >> 1
        if keys[p] <= key:
            break
        keys[i] = keys[p]
        vals[i] = vals[p]
        pos[vals[i]] = i
        i = p
    # sift down
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and keys[c + 1] < keys[c]:
            c += 1
        if keys[c] >= key:
            break
        keys[i] = keys[c]
        vals[i] = vals[c]
        pos[vals[i]] = i
        i = c
    keys[i] = key
    vals[i] = val
    pos[val] = i
    return n



# --------------------------------------------------------------------------------------------
# the rules, written once (ENGINE.md, "the rules in order"); both kernels call these
# --------------------------------------------------------------------------------------------
@_jit(inline="always")
def _join_rule(open_idle, eligible_idle, on_duty, ended, closed_now, n_waiting, mean_aht_now, u_cb, p):
    """What a caller joining the agent queue meets (engine_simpy ``attempt``, steps 4-7 and rule 9):
    an agent of a group open to it is free (``open_idle``) -> answered at once; else a callback
    offer when the announced wait exceeds ``callback_threshold`` (accepted when ``u_cb <
    callback_accept``): 0 when an agent of an eligible group not yet open to it is free
    (``eligible_idle``), else (``n_waiting`` callers on hold in the queues sharing a group with it
    + 1) x the interval's mean handle time / the ``on_duty`` agents of its eligible groups (inf with
    none); else, closed (or past the horizon) with none of them on duty -> let go at once; else on
    hold. One pool: ``open_idle`` is busy < on duty, ``eligible_idle`` False, ``n_waiting`` every
    caller on hold."""
    if open_idle:
        return _JOIN_ANSWER
    if p.callbacks:
        if eligible_idle:
            announced = 0.0
        elif on_duty == 0:
            announced = _INF
        else:
            announced = (n_waiting + 1) * mean_aht_now / on_duty
        if announced > p.cb_threshold and u_cb < p.cb_accept:
            return _JOIN_CALLBACK
    if on_duty == 0 and (ended or closed_now):
        return _JOIN_LET_GO
    return _JOIN_HOLD


@_jit(inline="always")
def _callback_due(t, deadline, ended, closed_now, has_caller):
    """Whether a free agent makes the first accepted callback of its skills (deadline ``deadline``)
    rather than take a caller on hold (engine_simpy ``dispatch``): only while the centre is open and
    before the horizon; when it has no caller on hold to take, or once the callback's deadline has
    passed."""
    return not ended and not closed_now and (not has_caller or t >= deadline)


@_jit(inline="always")
def _cross_boundary(k, n_int, let_go, interval_s, t_end):
    """The end of interval ``k`` (engine_simpy ``clock``): returns (k, next boundary, at the horizon,
    closing), where ``closing`` says the centre closes now and everyone on hold is let go
    (``Workload.let_go``). The agents on duty become those of the new interval k; at the horizon k
    stays (the last interval's agents serve the callers still inside) and the callers on hold whose
    eligible groups have nobody on duty are let go."""
    if k + 1 >= n_int:
        return k, _INF, True, False
    k += 1
    return k, (k + 1) * interval_s if k + 1 < n_int else t_end, False, bool(let_go[k])


@_jit(inline="always")
def _new_redial(j, t, st, rec, draws, rows, rkeys, rvals, p, t_end):
    """After attempt ``j`` was blocked or abandoned at ``t``: maybe schedule the caller's redial
    (engine_simpy ``maybe_redial``).

    Every eligible failure uses the next column of ``rows`` (decide, delay_s, ivr, service factor,
    patience factor[, callback]) in the order failures happen, as engine_simpy does."""
    caller, attempt, ctype, interval, arrival, outcome, wait, answer, service = rec
    svc, pat, ivr_u, cb_u = draws
    if p.redial_prob <= 0.0 or attempt[j] >= p.max_attempts:
        return
    r = st[_S_ROW]
    if r >= rows.shape[1]:
        st[_S_OVERFLOW] = 1
        return
    st[_S_ROW] = r + 1
    if rows[0, r] >= p.redial_prob:
        return
    tr = t + rows[1, r]
    if tr >= t_end:
        return
    s = st[_S_NUSED]
    if s >= caller.shape[0]:
        st[_S_OVERFLOW] = 1
        return
    st[_S_NUSED] = s + 1
    caller[s] = caller[j]
    attempt[s] = attempt[j] + 1
    ctype[s] = ctype[j]
    arrival[s] = tr
    if ivr_u.shape[0] > 0:
        ivr_u[s] = rows[2, r]
    svc[s] = rows[3, r]
    pat[s] = rows[4, r]
    if cb_u.shape[0] > 0:
        cb_u[s] = rows[5, r]
    st[_S_NR] = _heap_push(rkeys, rvals, st[_S_NR], tr, s)


# --------------------------------------------------------------------------------------------
# the event loop
# --------------------------------------------------------------------------------------------
@_jit(inline="always")
def _abandon(j, t_ab, st, n_wait, status, rec, draws, rows, rkeys, rvals, p, t_end):
    """Attempt ``j`` on hold hangs up at ``t_ab``; ``wait`` held its queue-join time."""
    ctype, outcome, wait = rec[2], rec[5], rec[6]
    status[j] = _ST_DONE
    outcome[j] = OUTCOME_ABANDONED
    wait[j] = t_ab - wait[j]
    st[_S_NW] -= 1
    n_wait[ctype[j]] -= 1
    _new_redial(j, t_ab, st, rec, draws, rows, rkeys, rvals, p, t_end)


@_jit(inline="always")
def _served_before(a, b, ctype, wait, jseq, type_rank, by_priority):
    """Whether caller ``a`` on hold goes before caller ``b`` (engine_simpy ``next_caller``): the more
    urgent call type first (``by_priority``), then the longest wait (``wait`` holds the join time),
    then the first to join."""
    if by_priority:
        ra = type_rank[ctype[a]]
        rb = type_rank[ctype[b]]
        if ra != rb:
            return ra < rb
    if wait[a] != wait[b]:
        return wait[a] < wait[b]
    return jseq[a] < jseq[b]


@_jit(inline="always")
def _busy_until(j, t_free, g, multi, n_answers, busy, st, skeys, fkeys, fseq, fgrp, grp):
    """An agent of group ``g`` starts attempt ``j`` and is busy until ``t_free``. One pool: a heap of
    bare times (agents are interchangeable); with groups, (time, answer order) -> group, so agents
    finishing at the same instant do so in the order they answered (SimPy's order of events)."""
    busy[g] += 1
    st[_S_BUSY] += 1
    if multi:
        st[_S_NS] = _fail_push(fkeys, fseq, fgrp, st[_S_NS], t_free, n_answers, g)
        grp[j] = g
    else:
        st[_S_NS] = _time_push(skeys, st[_S_NS], t_free)


@_jit()
def _let_go(t, every, target, st, n_wait, status, queue, jseq, rec, draws, rows, rkeys, rvals, dheap, type_pat,
            type_rank, r, p, t_end):
    """Callers on hold hang up at ``t`` (engine_simpy ``let_waiting_go``): of ``every`` type at a
    closing; at the horizon, of the types whose eligible groups have nobody on duty. In the one-pool
    queue order (priority, join time, join order), which decides which redial row each gets; a
    caller whose patience ran out before ``t`` (not yet recorded: no deadline heap) at its deadline.
    Not inlined: it runs a few times per replication."""
    qhead, qtail, nxt = queue
    dkeys, dvals, dpos = dheap
    ctype, wait = rec[2], rec[6]
    pat = draws[1]
    n_types = qhead.shape[0]
    gone = np.zeros(n_types, np.bool_)
    for c in range(n_types):
        on = 0
        for i in range(r.n_elig[c]):
            on += target[r.elig_g[c, i]]
        gone[c] = every or on == 0
    while True:
        best = -1
        for c in range(n_types):
            if not gone[c]:
                continue
            j = qhead[c]
            while j >= 0 and status[j] != _ST_WAITING:
                j = nxt[j]
            qhead[c] = j
            if j < 0:
                qtail[c] = -1
            elif best < 0 or _served_before(j, best, ctype, wait, jseq, type_rank, True):
                best = j
        if best < 0:
            return
        c = ctype[best]
        qhead[c] = nxt[best]
        if qhead[c] < 0:
            qtail[c] = -1
        t_ab = t
        pt = type_pat[c]
        if pt < _INF:
            dl = wait[best] + pat[best] * pt
            if dl < t:
                t_ab = dl
        if p.use_deadlines and dpos[best] >= 0:
            st[_S_ND] = _iheap_remove(dkeys, dvals, dpos, st[_S_ND], dpos[best])
        _abandon(best, t_ab, st, n_wait, status, rec, draws, rows, rkeys, rvals, p, t_end)


@_jit()
def _kernel(first_t, draws, rows, interval_s, on_duty, closed, let_go, type_aht, mean_aht, type_pat, type_rank, p, r,
            out, work):
    """Simulate one replication with the event loop. First calls are slots ``0..m-1`` (``first_t``
    sorted); ``draws`` = (service, patience, ivr, callback) slot arrays hold the first calls' draws
    (service in seconds, patience as a mean-one factor; ivr and callback empty when unused) and
    receive each redial's from ``rows`` (5 or 6 x R) when it is made. ``on_duty``: int64 (n, G)
    agents on duty per interval and group (one column: one pool). ``out``: the record arrays of
    :data:`_OUT_FIELDS` with room for every slot, ``call_type`` and ``arrival_s`` filled for the
    first calls; ``work``: scratch arrays (:func:`_workspace`), whose last holds the group that
    served each slot (with several groups); ``p``: the :data:`_Policy`; ``r``: the :data:`_Route`.
    Returns n, the number of attempts, or -1 when the slots or rows ran out."""
    m = first_t.shape[0]
    n_int, n_groups = on_duty.shape
    n_types = type_pat.shape[0]
    multi = n_groups > 1
    t_end = n_int * interval_s

    rec = out
    caller, attempt, ctype, interval, arrival, outcome, wait, answer, service = out
    svc, pat, ivr_u, cb_u = draws
    status, nxt, jseq, rkeys, rvals, dkeys, dvals, dpos, ivr_q, cbdl, cbend, ovq, ovt, grp = work
    wait[:] = np.nan
    answer[:] = np.nan
    service[:] = np.nan
    status[:] = _ST_NONE
    dpos[:] = -1
    grp[:] = -1
    for j in range(m):
        caller[j] = j
        attempt[j] = 1

    st = np.zeros(_S_NSTATE, np.int64)
    st[_S_NUSED] = m
    # agents' free times: room for every agent that may be on duty at once
    cap_s = 1
    for g in range(n_groups):
        most = 0
        for k in range(n_int):
            most = max(most, on_duty[k, g])
        cap_s += most
    skeys = np.empty(1 if multi else cap_s, np.float64)
    fkeys = np.empty(cap_s if multi else 1, np.float64)
    fseq = np.empty(cap_s if multi else 1, np.int64)
    fgrp = np.empty(cap_s if multi else 1, np.int64)
    busy = np.zeros(n_groups, np.int64)  # agents on a call, per group
    target = on_duty[0].copy()  # agents on duty now, per group
    n_answers = 0  # calls answered or called back so far
    n_joined = 0  # callers who joined a queue or the callbacks so far (their order, across types)
    ivr_head = 0
    ivr_tail = 0
    ov_head = 0  # callers on hold waiting for overflow_after: a FIFO (everyone waits the same)
    ov_tail = 0
    qhead = np.full(n_types, -1, np.int64)  # callers on hold: a linked FIFO per call type
    qtail = np.full(n_types, -1, np.int64)
    n_wait = np.zeros(n_types, np.int64)
    cbhead = np.full(n_types, -1, np.int64)  # accepted callbacks: a linked FIFO per call type
    cbtail = np.full(n_types, -1, np.int64)
    queue = (qhead, qtail, nxt)
    dheap = (dkeys, dvals, dpos)

    k = 0
    next_bnd = interval_s if n_int > 1 else t_end
    ended = False  # past the end of the horizon: no more arrivals, the last interval's agents stay
    i_first = 0

    while True:
        if st[_S_OVERFLOW]:
            return -1
        td = (fkeys[0] if multi else skeys[0]) if st[_S_NS] > 0 else _INF
        tl = dkeys[0] if st[_S_ND] > 0 else _INF
        to = ovt[ov_head] if ov_head < ov_tail else _INF
        ti = arrival[ivr_q[ivr_head]] + p.ivr_time if ivr_head < ivr_tail else _INF
        tr = rkeys[0] if st[_S_NR] > 0 else _INF
        ta = first_t[i_first] if i_first < m else _INF
        t = min(td, tl, to, next_bnd, ti, tr, ta)
        if t == _INF:
            break
        # at equal times: agent free, patience, overflow delay, boundary, IVR exit, redial, new caller
        # (ENGINE.md); an agent finishing answers a caller whose patience runs out at that instant
        finishing = False
        if td <= t:  # an agent finishes a call, then takes the next (below)
            if multi:
                g = fgrp[0]
                st[_S_NS] = _fail_pop(fkeys, fseq, fgrp, st[_S_NS])
            else:
                g = 0
                st[_S_NS] = _time_pop(skeys, st[_S_NS])
            busy[g] -= 1
            st[_S_BUSY] -= 1
            finishing = True
        elif tl <= t:  # a caller on hold runs out of patience
            j = dvals[0]
            st[_S_ND] = _iheap_remove(dkeys, dvals, dpos, st[_S_ND], 0)
            if status[j] == _ST_WAITING:
                _abandon(j, t, st, n_wait, status, rec, draws, rows, rkeys, rvals, p, t_end)
            continue
        elif to <= t:  # a caller has waited overflow_after: groups it does not prefer may answer it now
            j = ovq[ov_head]
            ov_head += 1
            if status[j] != _ST_WAITING:
                continue
        elif next_bnd <= t:  # an interval boundary: agents change, maybe closing, maybe the end
            was_ended = ended
            k, next_bnd, ended, closing = _cross_boundary(k, n_int, let_go, interval_s, t_end)
            if not ended:
                for g in range(n_groups):
                    target[g] = on_duty[k, g]
            if closing or (ended and not was_ended):
                _let_go(t, closing, target, st, n_wait, status, queue, jseq, rec, draws, rows, rkeys, rvals, dheap,
                        type_pat, type_rank, r, p, t_end)
        else:
            if ti <= t:  # leaves the IVR: contained, or on to the agent queue
                j = ivr_q[ivr_head]
                ivr_head += 1
                if p.ivr_containment > 0.0 and ivr_u[j] < p.ivr_containment:
                    status[j] = _ST_DONE
                    outcome[j] = OUTCOME_CONTAINED
                    continue
            else:  # an attempt rings: a redial, or a new caller
                if tr <= t:
                    j = rvals[0]
                    st[_S_NR] = _heap_pop(rkeys, rvals, st[_S_NR])
                else:
                    j = i_first
                    i_first += 1
                kj = interval_at(t, interval_s, n_int)
                interval[j] = kj
                if j >= m:  # a redial: its handle-time factor becomes seconds at its interval's mean
                    svc[j] *= type_aht[kj, ctype[j]]
                if p.lines >= 0:
                    while st[_S_NCB] > 0 and cbend[0] <= t:
                        st[_S_NCB] = _time_pop(cbend, st[_S_NCB])
                    in_system = (ivr_tail - ivr_head) + st[_S_NW] + st[_S_BUSY] - st[_S_NCB]
                    blocked = closed[kj] or in_system >= p.lines
                else:
                    blocked = closed[kj]
                if blocked:
                    status[j] = _ST_DONE
                    outcome[j] = OUTCOME_BLOCKED
                    _new_redial(j, t, st, rec, draws, rows, rkeys, rvals, p, t_end)
                    continue
                if p.has_ivr:
                    if p.ivr_time > 0.0:
                        status[j] = _ST_IVR
                        ivr_q[ivr_tail] = j
                        ivr_tail += 1
                        continue
                    if p.ivr_containment > 0.0 and ivr_u[j] < p.ivr_containment:
                        status[j] = _ST_DONE
                        outcome[j] = OUTCOME_CONTAINED
                        continue
            # j joins the agent queue at t (written out here, not as a helper: numba keeps the
            # reference counting of every array passed to a large inlined helper, 2x the loop's time)
            wait[j] = t  # the queue-join time, until the wait is known
            c = ctype[j]
            g = -1  # the first group open to the caller with a free agent (rule 9)
            for i in range(r.n_open[c]):
                h = r.open_g[c, i]
                if busy[h] < target[h]:
                    g = h
                    break
            if g >= 0:  # answered at once
                status[j] = _ST_DONE
                outcome[j] = OUTCOME_ANSWERED
                wait[j] = 0.0
                answer[j] = t
                d = svc[j]  # handle time in seconds (set when the attempt arrived)
                service[j] = d
                _busy_until(j, t + d, g, multi, n_answers, busy, st, skeys, fkeys, fseq, fgrp, grp)
                n_answers += 1
                continue
            if multi:  # what the callback offer and the closing rule see of the caller's groups
                eligible_idle = False
                on_duty_c = 0
                for i in range(r.n_elig[c]):
                    h = r.elig_g[c, i]
                    on_duty_c += target[h]
                    eligible_idle |= busy[h] < target[h]
                n_related = 0
                if p.callbacks:
                    for u in range(n_types):
                        if r.related[c, u]:
                            n_related += n_wait[u]
            else:
                eligible_idle = False
                on_duty_c = target[0]
                n_related = st[_S_NW]
            action = _join_rule(False, eligible_idle, on_duty_c, ended, closed[k], n_related, mean_aht[k],
                                cb_u[j] if p.callbacks else 1.0, p)
            if action == _JOIN_CALLBACK:  # hangs up and waits to be called back, in its type's FIFO
                status[j] = _ST_DONE
                outcome[j] = OUTCOME_CALLBACK
                wait[j] = 0.0
                cbdl[j] = t + p.cb_deadline
                jseq[j] = n_joined
                n_joined += 1
                nxt[j] = -1
                if cbtail[c] < 0:
                    cbhead[c] = j
                else:
                    nxt[cbtail[c]] = j
                cbtail[c] = j
                st[_S_NCBQ] += 1
                # then free agents take work, as in engine_simpy (nothing changes: an agent free in a
                # group eligible for this caller made the announced wait 0, which is no offer)
            elif action == _JOIN_LET_GO:
                status[j] = _ST_DONE
                outcome[j] = OUTCOME_ABANDONED
                wait[j] = 0.0
                _new_redial(j, t, st, rec, draws, rows, rkeys, rvals, p, t_end)
                continue
            else:  # on hold, in its call type's FIFO
                status[j] = _ST_WAITING
                st[_S_NW] += 1
                n_wait[c] += 1
                jseq[j] = n_joined
                n_joined += 1
                nxt[j] = -1
                if qtail[c] < 0:
                    qhead[c] = j
                else:
                    nxt[qtail[c]] = j
                qtail[c] = j
                if p.use_deadlines:
                    pt = type_pat[c]
                    if pt < _INF:
                        st[_S_ND] = _iheap_push(dkeys, dvals, dpos, st[_S_ND], t + pat[j] * pt, j)
                if r.late[c]:
                    ovq[ov_tail] = j
                    ovt[ov_tail] = t + r.overflow_after  # the time engine_simpy's overflow event fires
                    ov_tail += 1
                continue
        # free agents take work (engine_simpy dispatch), group by group in routing order, one agent
        # at a time: an overdue callback of its skills, else the caller on hold it picks, else a
        # callback of its skills
        if st[_S_NW] == 0 and st[_S_NCBQ] == 0:
            continue
        for gi in range(n_groups):
            g = r.order[gi]
            while busy[g] < target[g]:
                best = -1  # the caller on hold this agent takes (engine_simpy next_caller)
                if st[_S_NW] > 0:
                    for i in range(r.n_serve[g]):
                        c = r.serve_t[g, i]
                        j = qhead[c]
                        while j >= 0:  # skip who hung up (lazy deletion)
                            if status[j] == _ST_WAITING:
                                if p.use_deadlines:
                                    break
                                pt = type_pat[c]
                                if pt == _INF:
                                    break
                                # no deadline heap: a caller whose patience ran out is found here
                                dl = wait[j] + pat[j] * pt
                                if dl > t or (dl == t and finishing):
                                    break
                                _abandon(j, dl, st, n_wait, status, rec, draws, rows, rkeys, rvals, p, t_end)
                            j = nxt[j]
                        qhead[c] = j
                        if j < 0:
                            qtail[c] = -1
                            continue
                        if r.serve_late[g, i] and t < wait[j] + r.overflow_after:
                            continue  # not yet open to this group (nor are those who joined after it)
                        if best < 0 or _served_before(j, best, ctype, wait, jseq, type_rank, r.by_priority):
                            best = j
                if p.callbacks and st[_S_NCBQ] > 0:
                    cb = -1  # the first accepted callback of this group's skills
                    for i in range(r.n_serve[g]):
                        h = cbhead[r.serve_t[g, i]]
                        if h >= 0 and (cb < 0 or jseq[h] < jseq[cb]):
                            cb = h
                    if cb >= 0 and _callback_due(t, cbdl[cb], ended, closed[k], best >= 0):
                        c = ctype[cb]
                        cbhead[c] = nxt[cb]
                        if cbhead[c] < 0:
                            cbtail[c] = -1
                        st[_S_NCBQ] -= 1
                        d = svc[cb]
                        answer[cb] = t
                        service[cb] = d
                        _busy_until(cb, t + d, g, multi, n_answers, busy, st, skeys, fkeys, fseq, fgrp, grp)
                        n_answers += 1
                        if p.lines >= 0:  # a callback holds no line
                            st[_S_NCB] = _time_push(cbend, st[_S_NCB], t + d)
                        continue
                if best < 0:
                    break
                c = ctype[best]
                qhead[c] = nxt[best]
                if qhead[c] < 0:
                    qtail[c] = -1
                st[_S_NW] -= 1
                n_wait[c] -= 1
                if p.use_deadlines and dpos[best] >= 0:
                    st[_S_ND] = _iheap_remove(dkeys, dvals, dpos, st[_S_ND], dpos[best])
                status[best] = _ST_DONE
                outcome[best] = OUTCOME_ANSWERED
                wait[best] = t - wait[best]
                answer[best] = t
                d = svc[best]
                service[best] = d
                _busy_until(best, t + d, g, multi, n_answers, busy, st, skeys, fkeys, fseq, fgrp, grp)
                n_answers += 1

    n = st[_S_NUSED]
    if st[_S_OVERFLOW]:
        n = -1
    for j in range(n):  # cannot happen: the horizon lets everyone go or serves them
        if status[j] != _ST_DONE:
            n = -2
            break
    return n


# --------------------------------------------------------------------------------------------
# the first-come-first-served recursion
# --------------------------------------------------------------------------------------------
@_jit(inline="always")
def _unit(u, exponential):
    """A mean-one duration factor: from the uniform ``u`` for exponential durations (the value of
    :func:`unit_quantile`), or ``u`` itself when the factor was computed beforehand."""
    return -math.log(1.0 - u) if exponential else u


@_jit(inline="always")
def _fail_before(k1, s1, k2, s2):
    return k1 < k2 or (k1 == k2 and s1 < s2)


@_jit(inline="always")
def _fail_push(keys, seqs, vals, n, key, seq, val):
    """Push onto a heap ordered by (time, sequence): failures at the same time (everyone on hold
    let go at closing) keep the order they were settled in, the event loop's queue order."""
    i = n
    while i > 0:
        p = (i - 1) >> 1
        if _fail_before(keys[p], seqs[p], key, seq):
            break
        keys[i] = keys[p]
        seqs[i] = seqs[p]
        vals[i] = vals[p]
        i = p
    keys[i] = key
    seqs[i] = seq
    vals[i] = val
    return n + 1


@_jit(inline="always")
def _fail_pop(keys, seqs, vals, n):
    n -= 1
    key = keys[n]
    seq = seqs[n]
    val = vals[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and _fail_before(keys[c + 1], seqs[c + 1], keys[c], seqs[c]):
            c += 1
        if _fail_before(key, seq, keys[c], seqs[c]):
            break
        keys[i] = keys[c]
        seqs[i] = seqs[c]
        vals[i] = vals[c]
        i = c
    keys[i] = key
    seqs[i] = seq
    vals[i] = val
    return n



@_jit()
def _kernel_fcfs(first_t, draws, rows, interval_s, agents, closed, let_go, type_aht, type_pat, pat_exp, p, out,
                 work):
    """The same replication as :func:`_kernel` when one queue is served first come, first served
    and the number of callers on the line does not matter (one priority class, no lines), as an
    exact recursion over the attempts in arrival order instead of an event loop.

    First come, first served means a later caller never changes an earlier one's fate, so each
    caller's fate is settled when it joins: it waits for the first moment the agents on duty
    (``agents[k]``, "finish the call, then leave") outnumber the calls in progress, and hangs up
    at its deadline, or at closing, if that comes first. The agents' end times are a heap that is
    advanced lazily, event by event with the event loop's tie rules (an agent finishing before a
    boundary at the same time, both before a caller joining), so the result is call for call the
    event loop's. Redials: the failures (blocked, abandoned) wait in a heap ordered by (time,
    order settled) and are turned into redials, with the same rows and slots as the event loop,
    before any attempt that arrives later; redials join the arrivals from their own heap.
    ``rows`` is None when callers do not redial. ``pat_exp``: for first attempts the patience slots
    of ``draws`` hold the uniforms of exponential patience, turned into factors only for callers who
    wait (redial slots hold factors); handle times are mean-one factors. ``p``, ``out`` and ``work``
    as for :func:`_kernel`. Returns n like :func:`_kernel`; n = -1
    when the slots or rows ran out, -2 if a caller could not be settled (cannot happen)."""
    m = first_t.shape[0]
    n_int = agents.shape[0]
    t_end = n_int * interval_s
    nan = np.nan
    # rows is None when nobody redials (numba then compiles the redial code out)
    rec = out
    svc_unit, pat_unit, ivr_u, cb_u = draws
    caller, attempt, ctype, interval, arrival, outcome, wait, answer, service = out
    # pending redials (arrival time, slot); failures not yet turned into redials (time, order settled, slot)
    rkeys, rvals, fkeys, fseq, fvals = work
    for j in range(m):  # a redial's caller and attempt are set when it is made
        caller[j] = j
        attempt[j] = 1

    st = np.zeros(_S_NSTATE, np.int64)
    st[_S_NUSED] = m
    nf = 0
    n_failed = 0
    fail_t = _INF  # the attempt just settled failed at fail_t

    max_agents = 1
    for k in range(n_int):
        max_agents = max(max_agents, agents[k])
    skeys = np.empty(max_agents + 1, np.float64)  # end times of the calls in progress
    ns = 0

    k = 0
    target = agents[0]
    next_bnd = interval_s if n_int > 1 else t_end
    ended = False
    last_flush = -_INF  # when callers on hold were last let go (closing)
    tau = -_INF  # the state (heap, k, target) is the centre's at time tau

    kj = 0
    kj_end = -_INF  # arrivals before kj_end are in interval kj (arrivals come in time order)
    i_first = 0
    j = -1
    while True:
        if fail_t < _INF:
            if rows is not None:
                if attempt[j] < p.max_attempts:
                    nf = _fail_push(fkeys, fseq, fvals, nf, fail_t, n_failed, j)
                    n_failed += 1
            fail_t = _INF
        ta = first_t[i_first] if i_first < m else _INF
        if rows is not None:
            tr = rkeys[0] if st[_S_NR] > 0 else _INF
            tf = fkeys[0] if nf > 0 else _INF
            if tf <= ta and tf <= tr:  # a failure before the next arrival: maybe a redial
                if tf == _INF:
                    break
                jf = fvals[0]
                nf = _fail_pop(fkeys, fseq, fvals, nf)
                _new_redial(jf, tf, st, rec, draws, rows, rkeys, rvals, p, t_end)
                if st[_S_OVERFLOW]:
                    return -1
                continue
            if tr <= ta:
                j = rvals[0]
                st[_S_NR] = _heap_pop(rkeys, rvals, st[_S_NR])
            else:
                j = i_first
                i_first += 1
        else:
            if i_first >= m:
                break
            j = i_first
            i_first += 1
        a = arrival[j]
        first = j < m
        if a >= kj_end:
            kj = interval_at(a, interval_s, n_int)
            kj_end = (kj + 1) * interval_s if kj + 1 < n_int else _INF
        interval[j] = kj
        answer[j] = nan
        service[j] = nan
        if closed[kj]:
            outcome[j] = OUTCOME_BLOCKED
            wait[j] = nan
            fail_t = a
            continue
        q = a  # joins the agent queue at q
        if p.has_ivr:
            if p.ivr_time > 0.0:
                q = a + p.ivr_time
            if p.ivr_containment > 0.0 and ivr_u[j] < p.ivr_containment:
                outcome[j] = OUTCOME_CONTAINED
                wait[j] = nan
                continue
        c = ctype[j]

        if tau <= q:
            if q < next_bnd and 0 < ns <= target and skeys[0] <= q:
                # the common case: a call ended by q and no agent is due to leave, so this caller
                # takes that agent (one heap replace instead of a pop and a push); any other call
                # ended by q is removed when the next caller brings the centre to its time
                tau = q
                d = svc_unit[j] * type_aht[kj, c]
                outcome[j] = OUTCOME_ANSWERED
                wait[j] = 0.0
                answer[j] = q
                service[j] = d
                _time_replace(skeys, ns, q + d)
                continue
            # bring the centre to time q: agents finishing, interval boundaries (nobody on hold can
            # be answered meanwhile: every earlier caller's fate is settled)
            while True:
                lim = q if q < next_bnd else next_bnd
                while ns > 0 and skeys[0] <= lim:
                    ns = _time_pop(skeys, ns)
                if next_bnd <= q:
                    tb = next_bnd
                    k, next_bnd, ended, flushed = _cross_boundary(k, n_int, let_go, interval_s, t_end)
                    if ended:  # the horizon: callers on hold are let go when nobody is on duty
                        flushed = target == 0
                    else:
                        target = agents[k]
                    if flushed:
                        last_flush = tb
                else:
                    break
            tau = q
            action = _join_rule(ns < target, False, target, ended, closed[k], 0, 0.0, 1.0, p)
            if action == _JOIN_ANSWER:  # an agent is free: answered at once
                d = svc_unit[j] * type_aht[kj, c]
                outcome[j] = OUTCOME_ANSWERED
                wait[j] = 0.0
                answer[j] = q
                service[j] = d
                ns = _time_push(skeys, ns, q + d)
                continue
            if action == _JOIN_LET_GO:  # closed and nobody on duty: let go at once
                outcome[j] = OUTCOME_ABANDONED
                wait[j] = 0.0
                fail_t = q
                continue
            pt = type_pat[c]
            dl = q + _unit(pat_unit[j], pat_exp and first) * pt if pt < _INF else _INF
        else:
            # the centre is already past q (the callers ahead waited until tau), so no agent was free
            # at q; but the centre may have been closed with nobody on duty then: let go at once
            kq = kj if q < kj_end else interval_at(q, interval_s, n_int)
            if _join_rule(False, False, agents[kq], q >= t_end, closed[kq], 0, 0.0, 1.0, p) == _JOIN_LET_GO:
                outcome[j] = OUTCOME_ABANDONED
                wait[j] = 0.0
                fail_t = q
                continue
            pt = type_pat[c]
            dl = q + _unit(pat_unit[j], pat_exp and first) * pt if pt < _INF else _INF
            if last_flush > q:  # on hold when the centre closed, already past
                outcome[j] = OUTCOME_ABANDONED
                fail_t = dl if dl < last_flush else last_flush
                wait[j] = fail_t - q
                continue
            if ns < target:  # agents came on duty at tau, more than the callers ahead needed
                if dl <= tau:
                    outcome[j] = OUTCOME_ABANDONED
                    wait[j] = dl - q
                    fail_t = dl
                else:
                    d = svc_unit[j] * type_aht[kj, c]
                    outcome[j] = OUTCOME_ANSWERED
                    wait[j] = tau - q
                    answer[j] = tau
                    service[j] = d
                    ns = _time_push(skeys, ns, tau + d)
                continue

        # on hold: the first agent free by the deadline answers (an agent finishing at the instant
        # patience runs out comes first: ENGINE.md), else hang up
        while True:
            tc = skeys[0] if ns > 0 else _INF
            if tc <= next_bnd:
                if tc == _INF:
                    return -2
                if tc > dl:
                    outcome[j] = OUTCOME_ABANDONED
                    wait[j] = dl - q
                    fail_t = dl
                    break
                tau = tc
                if ns <= target:  # this agent answers: its end time is replaced by the new call's
                    d = svc_unit[j] * type_aht[kj, c]
                    outcome[j] = OUTCOME_ANSWERED
                    wait[j] = tc - q
                    answer[j] = tc
                    service[j] = d
                    _time_replace(skeys, ns, tc + d)
                    break
                ns = _time_pop(skeys, ns)  # this agent goes off duty
            else:
                tb = next_bnd
                if tb >= dl:
                    outcome[j] = OUTCOME_ABANDONED
                    wait[j] = dl - q
                    fail_t = dl
                    break
                tau = tb
                k, next_bnd, ended, flushed = _cross_boundary(k, n_int, let_go, interval_s, t_end)
                if ended:
                    flushed = target == 0
                else:
                    target = agents[k]
                if flushed:
                    last_flush = tb
                    outcome[j] = OUTCOME_ABANDONED
                    wait[j] = tb - q
                    fail_t = tb
                    break
                if ns < target:
                    d = svc_unit[j] * type_aht[kj, c]
                    outcome[j] = OUTCOME_ANSWERED
                    wait[j] = tb - q
                    answer[j] = tb
                    service[j] = d
                    ns = _time_push(skeys, ns, tb + d)
                    break
    return st[_S_NUSED]


# --------------------------------------------------------------------------------------------
# numpy side: parameters, draws, records
# --------------------------------------------------------------------------------------------
@_jit()
def _neg_log1m(u, out):
    for i in range(u.shape[0]):
        out[i] = _unit(u[i], True)


def unit_quantile(u: np.ndarray, dist: str, cv: float, out: np.ndarray | None = None,
                  quantiles: tuple[float, ...] | None = None) -> np.ndarray:
    """Mean-one durations from uniforms ``u`` by the inverse CDF of ``dist`` ("exponential",
    "lognormal" or "weibull", coefficient of variation ``cv``; or "empirical", the table ``quantiles``);
    multiply by a mean in seconds.

    The same values as ``simulate.scenario.duration_quantile(u, 1.0, dist, cv)`` (which defines the
    distributions); the exponential case, the common one, is computed in compiled code. ``out``:
    optional float64 array of len(u) to write into."""
    u = np.asarray(u, dtype=np.float64)
    if out is None:
        out = np.empty(len(u))
    if dist == "exponential":
        _neg_log1m(u, out)
    else:
        out[:] = duration_quantile(u, 1.0, dist, cv, quantiles)
    return out


def supports(scenario: Scenario) -> tuple[bool, str]:
    """Whether the fast engine simulates ``scenario`` exactly: ``(True, "")`` or ``(False, reason)``.

    Every rule of ``simulate/ENGINE.md`` is simulated, agent groups with routing by skill included.
    A rule added to the SimPy engine first (see the checklist in ENGINE.md) says no here until the
    fast engine has it and the call-for-call test covers it; ``engine="auto"`` then uses SimPy."""
    if not isinstance(scenario, Scenario):
        return False, f"expected a simulate.Scenario, got {type(scenario).__name__}"
    return True, ""


@functools.lru_cache(maxsize=64)
def _route(scenario: Scenario) -> _Route:
    """The scenario's :func:`simulate.workload.routing` as the arrays of :data:`_Route`."""
    r = routing(scenario)
    n_groups, n_types = r.n_groups, r.n_types

    def padded(lists, width):
        out = np.full((len(lists), max(width, 1)), -1, np.int64)
        for i, row in enumerate(lists):
            out[i, :len(row)] = row
        return out, np.array([len(row) for row in lists], np.int64)

    open_g, n_open = padded(r.open_groups, n_groups)
    elig_g, n_elig = padded(r.eligible_groups, n_groups)
    serve_t, n_serve = padded([[t for t, _ in sv] for sv in r.serves], n_types)
    serve_late = np.zeros(serve_t.shape, np.bool_)
    for g, sv in enumerate(r.serves):
        serve_late[g, :len(sv)] = [late for _, late in sv]
    related = np.zeros((n_types, n_types), np.bool_)
    for t, us in enumerate(r.related):
        related[t, list(us)] = True
    late = np.array([bool(x) for x in r.late_groups], np.bool_)
    arrays = (np.array(r.order, np.int64), open_g, n_open, elig_g, n_elig, late, serve_t, serve_late, n_serve,
              related)
    for a in arrays:
        a.flags.writeable = False  # cached: shared by every run of the scenario
    return _Route(*arrays, r.by_priority, _INF if r.overflow_after is None else float(r.overflow_after))


@functools.lru_cache(maxsize=64)  # scenarios are frozen and hashable; sweeps reuse a few many times
def _type_table(scenario: Scenario) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Per call type: patience (s, inf = never) and priority rank (0 = served first); plus the number
    of priority classes and whether any type hangs up. (Handle times per interval and type come
    with the workload.)"""
    table = scenario.type_table()
    levels = np.unique(table["priority"])
    rank = np.searchsorted(levels, table["priority"]).astype(np.int64)
    arrays = (table["patience"].astype(np.float64), rank)
    for a in arrays:
        a.flags.writeable = False  # cached: shared by every run of the scenario
    return (*arrays, len(levels), bool(np.isfinite(arrays[0]).any()))


_ROW_BLOCK = 1024  # engine_simpy draws redial values in blocks of (6, 1024) uniforms


def _initial_blocks(m: int) -> int:
    """Blocks of redial rows to draw first: room for m/8 eligible failures. Too few only costs a
    rerun; too many costs memory and time."""
    return max(1, -(-m // (8 * _ROW_BLOCK)))


# blocks of redial rows the last replication of a workload and scenario needed: the next replication
# starts there instead of rerunning from _initial_blocks (a centre where a quarter of callers hang up
# and redial reran the kernel 2-3 times per replication). The records do not depend on it.
_BLOCKS_NEEDED: weakref.WeakKeyDictionary[Workload, dict[Scenario, int]] = weakref.WeakKeyDictionary()


def _redial_rows(rng: np.random.Generator, n_blocks: int, scenario: Scenario, callbacks: bool) -> np.ndarray:
    """Values for the first ``n_blocks * 1024`` eligible failures, as engine_simpy draws them:
    float64 (5, R), or (6, R) with ``callbacks``: decide (uniform), delay (s), ivr uniform, service
    and patience factors[, callback uniform]."""
    u = rng.random((n_blocks, 6, _ROW_BLOCK))
    rows = np.empty((6 if callbacks else 5, n_blocks * _ROW_BLOCK))
    rows[0] = u[:, 0].ravel()
    rows[1] = -np.log1p(-u[:, 1].ravel()) * scenario.redial_delay
    rows[2] = u[:, 2].ravel()
    rows[3] = unit_quantile(u[:, 3].ravel(), scenario.aht_dist, scenario.aht_cv, quantiles=scenario.aht_quantiles)
    rows[4] = unit_quantile(u[:, 4].ravel(), scenario.patience_dist, scenario.patience_cv,
                            quantiles=scenario.patience_quantiles)
    if callbacks:
        rows[5] = u[:, 5].ravel()
    return rows


def _carve(specs: list[tuple[int, np.dtype]]) -> list[np.ndarray]:
    """Arrays of the given (length, dtype), cut from one allocation.

    One large numpy allocation instead of many: numpy asks Linux for huge pages on allocations of
    4 MiB and more (``np._core.multiarray._get_madvise_hugepage``), so a big replication costs a
    few 2 MiB page faults instead of thousands of 4 KiB ones (eight 1.1 MB arrays filled in 4.7 ms
    apart, 0.2 ms as one block; page faults were a quarter of a 137,000-call replication). A block
    over 1 MiB is rounded up to 4 MiB for that reason; the pages never touched cost nothing."""
    offsets, total = [], 0
    for n, dtype in specs:
        total = -(-total // 64) * 64
        offsets.append(total)
        total += n * dtype.itemsize
    if _MiB < total < 4 * _MiB:
        total = 4 * _MiB
    buf = np.empty(max(total, 1), np.uint8)
    return [np.frombuffer(buf, dtype, n, o) for o, (n, dtype) in zip(offsets, specs)]


_MiB = 1 << 20
_F8, _I8, _I4, _I2, _I1 = (np.dtype(t) for t in (np.float64, np.int64, np.int32, np.int16, np.int8))
_OUT_FIELDS = (("caller", _I8), ("attempt", _I4), ("call_type", _I2), ("interval", _I4), ("arrival_s", _F8),
               ("outcome", _I1), ("wait_s", _F8), ("answer_s", _F8), ("service_s", _F8))


_NO_REDIAL_WORK = (np.empty(1), np.empty(1, np.int64), np.empty(1), np.empty(1, np.int64), np.empty(1, np.int64))


def _workspace(n_exp: int, cap: int, fcfs: bool, redials: bool, deadlines: bool, ivr_draws: bool, ivr_queue: bool,
               callbacks: bool, overflow: bool = False, groups: bool = False):
    """The arrays of a replication with ``cap`` attempt slots, in two blocks: the record arrays
    ``out`` (:data:`_OUT_FIELDS`, returned to the caller) and the rest, freed after the
    replication: ``exp`` (the ``n_exp`` exponentials of the arrival times, then the times), the
    slot draws ``draws`` = (service, patience, ivr, callback) (ivr empty unless ``ivr_draws``: the
    IVR contains calls; callback empty unless ``callbacks``) and the kernel's scratch ``work``
    (``ivr_queue``: callers spend time in the IVR; ``overflow``: callers wait for
    ``overflow_after``; ``groups``: several agent groups, whose last array is the serving group)."""
    rcap = cap if redials else 1
    specs = [(n_exp, _F8), (cap, _F8), (cap, _F8), (cap if ivr_draws else 0, _F8), (cap if callbacks else 0, _F8)]
    if fcfs and redials:  # redial heap (time, slot); failure heap (time, order, slot)
        specs += [(rcap, _F8), (rcap, _I8), (rcap, _F8), (rcap, _I8), (rcap, _I8)]
    elif not fcfs:  # status, queue links, join order, redial heap, deadline heap (time, slot, position), IVR
        # queue, callback deadlines, end times of callbacks in progress, overflow FIFO (slot, time), group
        dcap = cap if deadlines else 1
        ocap = cap if overflow else 1
        specs += [(cap, _I1), (cap, _I8), (cap, _I8), (rcap, _F8), (rcap, _I8), (dcap, _F8), (dcap, _I8),
                  (cap if deadlines else 0, _I8), (cap if ivr_queue else 1, _I8), (cap if callbacks else 1, _F8),
                  (cap if callbacks else 1, _F8), (ocap, _I8), (ocap, _F8), (cap if groups else 1, _I2)]
    exp, svc, pat, ivr_u, cb_u, *work = _carve(specs)
    out = tuple(_carve([(cap, dtype) for _, dtype in _OUT_FIELDS]))
    # the recursion without redials never touches its redial heaps: shared, never written
    return exp, (svc, pat, ivr_u, cb_u), out, tuple(work) if work else _NO_REDIAL_WORK


def simulate_replication(work: Workload, scenario: Scenario, seed: np.random.SeedSequence) -> CallRecords:
    """Simulate one replication with the compiled engine.

    work: the run's :class:`simulate.workload.Workload` (expected calls, call-type mix and handle
    time per interval, agents on duty, closing rule, or a replay's exact arrivals); scenario: the
    policy; seed: this replication's SeedSequence. Returns :class:`simulate.records.CallRecords`,
    one row per attempt: first calls in arrival order, then redials in the order they were made
    (the record order of every engine).

    Draws come from :func:`simulate._draws.spawn_streams` and are used as engine_simpy uses
    them (first callers: arrival, type, IVR, service, patience and callback draws; redials: a
    block row per eligible failure), so both engines see the same callers for the same seed
    (common random numbers across engines) and give the same records.

    Each redial uses one pre-drawn row, so m + rows slots always suffice; if the rows run out
    (more than m/8 eligible failures) the replication runs again with twice as many: the redial
    stream restarts each try and more blocks only extend the same sequence, so the result is the
    same.
    """
    ok, reason = supports(scenario)
    if not ok:
        raise ValueError(f"the fast engine cannot simulate this scenario: {reason}")
    if not isinstance(work, Workload):
        raise ValueError(f"work must be a simulate.workload.Workload, got {type(work).__name__}")
    calls = work.calls
    agents = work.on_duty
    closed = np.ascontiguousarray(work.closed, dtype=np.bool_)
    let_go = np.ascontiguousarray(work.let_go, dtype=np.bool_)
    interval_s = float(work.interval_s)
    n_int = len(calls)
    rngs = spawn_streams(seed)
    type_pat, type_rank, n_prio, has_patience = _type_table(scenario)
    lines = -1 if scenario.lines is None else int(scenario.lines)
    ivr_draws = scenario.ivr_containment > 0  # a uniform per caller decides who the IVR contains
    cb_threshold = scenario.callback_threshold
    callbacks = cb_threshold is not None
    redial_prob = float(scenario.redial_prob)
    max_attempts = int(scenario.max_attempts)
    uses_redials = redial_prob > 0 and max_attempts > 1 and not work.is_replay
    if not uses_redials:
        redial_prob = 0.0
    # exact hang-up times matter for lines, redials and the wait a callback offer announces
    use_deadlines = lines >= 0 or uses_redials or callbacks
    policy = _Policy(lines, float(scenario.ivr_time), float(scenario.ivr_containment), scenario.uses_ivr, redial_prob,
                     max_attempts, use_deadlines, callbacks,
                     float(cb_threshold) if cb_threshold is not None else _INF, float(scenario.callback_accept),
                     _INF if scenario.callback_deadline is None else float(scenario.callback_deadline))
    route = _route(scenario)
    groups = work.n_groups > 1
    overflow = bool(route.late.any())  # some callers wait for overflow_after at some group
    # one queue served first come, first served by one pool: the recursion (the same records, faster)
    fcfs = USE_RECURSION and n_prio == 1 and lines < 0 and not callbacks and not groups
    # the recursion turns exponential patience uniforms into durations itself, only for the callers
    # who wait (handle times are needed for nearly every caller: a separate pass computes them faster
    # than the recursion can, whose every step waits for the last)
    pat_raw = fcfs and scenario.patience_dist == "exponential" and work.replay_patience_unit is None
    # a replay's handle times are seconds already (observed, or drawn at the model's mean below)
    type_aht = np.ones_like(work.aht_s) if work.is_replay else work.aht_s

    if work.is_replay:
        assert work.replay_t_s is not None  # is_replay: replay_t_s is set
        counts = None
        m = len(work.replay_t_s)
    else:
        counts = poisson_counts(calls, rngs["arrivals"])
        m = int(counts.sum())
    n_blocks = max(_initial_blocks(m), _BLOCKS_NEEDED.get(work, {}).get(scenario, 0)) if uses_redials else 0
    cap = m + n_blocks * _ROW_BLOCK
    exp, draws, out, work_arrays = _workspace(0 if counts is None else n_spacings(counts), cap, fcfs, uses_redials,
                                              use_deadlines, ivr_draws, scenario.uses_ivr, callbacks, overflow, groups)
    svc, pat, ivr_u, cb_u = draws
    if counts is None:
        first_t = np.ascontiguousarray(work.replay_t_s, dtype=np.float64)
    else:
        first_t = arrival_times(counts, rngs["arrivals"], interval_s, work=exp)
    ctype, arrival = out[2], out[4]
    arrival[:m] = first_t
    # the arrival interval of each first call, where the draws depend on it
    needs_interval = (work.replay_type is None and work.n_types > 1) or not fcfs or work.is_replay
    first_interval = interval_index(first_t, interval_s, n_int) if needs_interval else None
    # streams a scenario does not use are not drawn (each stream has its own generator, so the
    # others are unaffected)
    if work.replay_type is not None:
        ctype[:m] = work.replay_type
    elif work.n_types > 1:
        assert first_interval is not None  # needs_interval holds here
        ctype[:m] = call_types(rngs["call_type"].random(m), first_interval, work.cum_share)
    else:
        ctype[:m] = 0
    if ivr_draws:
        rngs["ivr"].random(out=ivr_u[:m])
    rngs["service"].random(out=svc[:m])
    rngs["patience"].random(out=pat[:m])
    if callbacks:
        rngs["callback"].random(out=cb_u[:m])
    unit_quantile(svc[:m], scenario.aht_dist, scenario.aht_cv, out=svc[:m], quantiles=scenario.aht_quantiles)
    if not fcfs or work.is_replay:  # the event loop reads first calls' handle times in seconds
        svc[:m] *= work.aht_s[first_interval, ctype[:m]]
    if work.replay_service_s is not None:
        observed = np.isfinite(work.replay_service_s)
        svc[:m][observed] = work.replay_service_s[observed]
    if has_patience and not pat_raw:
        unit_quantile(pat[:m], scenario.patience_dist, scenario.patience_cv, out=pat[:m],
                      quantiles=scenario.patience_quantiles)
        if work.replay_patience_unit is not None:
            given = np.isfinite(work.replay_patience_unit)
            pat[:m][given] = work.replay_patience_unit[given]

    while True:
        rows = _redial_rows(spawn_streams(seed)["redial"], n_blocks, scenario, callbacks) if uses_redials else None
        if fcfs:
            n = _kernel_fcfs(first_t, draws, rows, interval_s, agents, closed, let_go, type_aht, type_pat, pat_raw,
                             policy, out, work_arrays)
        else:
            n = _kernel(first_t, draws, rows if uses_redials else np.empty((6 if callbacks else 5, 0)), interval_s,
                        np.ascontiguousarray(work.group_on_duty, dtype=np.int64), closed, let_go, type_aht,
                        work.mean_aht_s, type_pat, type_rank, policy, route, out, work_arrays)
        if n >= 0:
            if uses_redials:
                _BLOCKS_NEEDED.setdefault(work, {})[scenario] = n_blocks
            break
        if n == -2:
            raise RuntimeError("engine_fast: a call was still in the centre when the simulation ended")
        n_blocks *= 2  # the redial rows ran out: again with twice as many
        cap = m + n_blocks * _ROW_BLOCK
        old_draws, old_out = draws, out
        _, draws, out, work_arrays = _workspace(0, cap, fcfs, uses_redials, use_deadlines, ivr_draws,
                                                scenario.uses_ivr, callbacks, overflow, groups)
        for new, old in (*zip(draws, old_draws), (out[2], old_out[2]), (out[4], old_out[4])):
            new[:m] = old[:m]
    columns = {name: col[:n] for (name, _), col in zip(_OUT_FIELDS, out)}
    if groups:  # one pool: the records fill in group 0 for every served call
        columns["group"] = work_arrays[-1][:n].copy()
    return CallRecords.from_columns(columns, staffed_s=work.agents.astype(np.float64) * interval_s, closed=closed,
                                    staffed_group_s=np.asarray(work.group_agents, dtype=np.float64) * interval_s,
                                    ivr_s=scenario.ivr_time)
