"""The compiled engine: the same queue as :mod:`simulate.engine_simpy`, as one numba event loop.

The life of a call is exactly the one told in :mod:`simulate.engine_simpy` (and in the simulation
contract): a caller arrives, gets a busy signal if every line is taken or the line is closed, spends
``ivr_time`` seconds in the IVR where a share is contained, then waits in the agent queue (priority
class first, then first come first served) until an agent answers or patience runs out; a blocked
or abandoned caller may redial later. Here that story is told as an event loop over arrays instead
of one SimPy process per caller, which is 50-150x faster and is what makes sweeps and year-long
runs practical.

How it works
------------
* All randomness is drawn in numpy before the loop, from the streams of
  :func:`simulate._draws.spawn_streams`, and used exactly as the SimPy engine uses them
  (first callers: arrival times, type, IVR, service and patience uniforms; redials: one pre-drawn row
  per blocked or abandoned attempt that may redial, in the order they happen). Both engines thus
  see the same callers for the same seed, and in practice produce the same attempts: the tests
  compare them call for call. Service and patience are mean-one factors from the inverse CDF of
  :func:`simulate.scenario.duration_quantile`; the kernel multiplies by the call type's mean.
* Attempts live in *slots*: first calls take slots ``0..m-1`` in time order, each redial takes
  the next free slot when it is made.
* The kernel keeps six event sources and always handles the earliest: the sorted first arrivals,
  a binary heap of pending redials, a binary heap of agent free times, the IVR (a FIFO: everyone
  stays the same ``ivr_time``), an indexed heap of the patience deadlines of callers on hold (an
  answered caller's deadline is removed), and the next interval boundary.
* The agent queue is one linked FIFO per priority class; a call that hung up is marked and
  skipped when it reaches the head. When nothing depends on the exact moment callers hang up
  (no lines, no redials) the deadline heap is skipped: a head whose deadline has passed is
  recorded as abandoned at that deadline when an agent looks at it, which is exact for first come
  first served.
* When one queue is served first come, first served and the number of callers on the line does
  not matter (one priority class, no lines: the common planning case), the event loop gives way
  to an exact recursion over attempts in arrival order (:func:`_kernel_fcfs`): a later caller
  never changes an earlier one's fate, so each fate is settled when the caller joins; failures
  wait in a heap until their time comes and become redials exactly as in the event loop; and
  exponential durations are computed only for the callers who need them. Same records, call for
  call (tested on random scenarios), at about half the cost.
* If the pre-drawn redial rows run out (more than m/8 failures that may redial), the replication
  runs again with twice as many: the extra rows extend the same sequence, so the result is the
  same.

Callbacks are not implemented here: :func:`supports` says so and ``engine="auto"`` then uses
SimPy. Durations are seconds.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from simulate._draws import arrival_times, call_types, n_spacings, poisson_counts, spawn_streams
from simulate._jit import jit
from simulate.records import (
    OUTCOME_ABANDONED,
    OUTCOME_ANSWERED,
    OUTCOME_BLOCKED,
    OUTCOME_CONTAINED,
    CallRecords,
)
from simulate.scenario import Scenario, duration_quantile
from simulate.workload import Workload

__all__ = ["simulate_replication", "supports", "unit_quantile"]

_INF = np.inf
# one priority class, no lines: use the first-come-first-served recursion (the same records as the
# event loop, about twice as fast); tests switch it off to compare the two
USE_RECURSION = True

# slots of the int64 state vector shared by the kernel's helpers
_S_NUSED = 0  # attempt slots used so far
_S_OVERFLOW = 1  # 1 when the pre-drawn redial rows ran out
_S_NR = 2  # size of the redial heap
_S_NS = 3  # size of the agent free-time heap
_S_ND = 4  # size of the deadline heap
_S_BUSY = 5  # agents on a call
_S_NW = 6  # inbound calls waiting (exact when the deadline heap is used)
_S_ROW = 7  # redial rows used
_S_NSTATE = 8

# per-slot status
_ST_NONE = 0
_ST_IVR = 1
_ST_WAITING = 2
_ST_DONE = 3


# --------------------------------------------------------------------------------------------
# compiled pieces
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
    """Push onto a heap of bare times (agents' free times: which call does not matter)."""
    i = n
    while i > 0:
        p = (i - 1) >> 1
        if keys[p] <= key:
            break
        keys[i] = keys[p]
        i = p
    keys[i] = key
    return n + 1


@_jit(inline="always")
def _time_replace(keys, n, key):
    """Remove the earliest of ``n`` times and add ``key`` (a pop then a push, in one pass).

    Floyd's variant: the hole left at the root walks down to a leaf along the earlier child (a
    select, no unpredictable branch), then ``key`` sifts up from there, usually a step or two."""
    i = 0
    c = 1
    while c + 1 < n:
        c += keys[c + 1] < keys[c]
        keys[i] = keys[c]
        i = c
        c = 2 * i + 1
    if c < n:
        keys[i] = keys[c]
        i = c
    while i > 0:
        p = (i - 1) >> 1
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


@_jit(inline="always")
def _new_redial(j, t, st, caller, attempt, ctype, arrival, svc_unit, pat_unit, ivr_u, rows, rkeys, rvals,
                redial_prob, max_attempts, t_end):
    """After attempt ``j`` was blocked or abandoned at ``t``: maybe schedule the caller's redial.

    Every eligible failure uses the next column of ``rows`` (decide, delay_s, ivr, service factor,
    patience factor) in the order failures happen, as engine_simpy does."""
    if redial_prob <= 0.0 or attempt[j] >= max_attempts:
        return
    r = st[_S_ROW]
    if r >= rows.shape[1]:
        st[_S_OVERFLOW] = 1
        return
    st[_S_ROW] = r + 1
    if rows[0, r] >= redial_prob:
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
    svc_unit[s] = rows[3, r]
    pat_unit[s] = rows[4, r]
    st[_S_NR] = _heap_push(rkeys, rvals, st[_S_NR], tr, s)


@_jit(inline="always")
def _abandon(j, t_ab, st, status, outcome, wait, caller, attempt, ctype, arrival, svc_unit, pat_unit, ivr_u,
             rows, rkeys, rvals, redial_prob, max_attempts, t_end):
    status[j] = _ST_DONE
    outcome[j] = OUTCOME_ABANDONED
    wait[j] = t_ab - wait[j]  # wait held the queue-join time
    st[_S_NW] -= 1
    _new_redial(j, t_ab, st, caller, attempt, ctype, arrival, svc_unit, pat_unit, ivr_u, rows, rkeys, rvals,
                redial_prob, max_attempts, t_end)


@_jit(inline="always")
def _start(j, t, st, status, outcome, wait, answer, service, svc_unit, skeys):
    status[j] = _ST_DONE
    outcome[j] = OUTCOME_ANSWERED
    wait[j] = t - wait[j]
    answer[j] = t
    d = svc_unit[j]  # handle time in seconds (set when the attempt arrived)
    service[j] = d
    st[_S_BUSY] += 1
    st[_S_NS] = _time_push(skeys, st[_S_NS], t + d)


@_jit(inline="always")
def _serve(t, target, st, qhead, qtail, nxt, status, outcome, wait, answer, service, caller, attempt, ctype,
           arrival, svc_unit, pat_unit, ivr_u, type_pat, skeys, dheap, rows, rkeys,
           rvals, redial_prob, max_attempts, t_end):
    """While an agent is free, answer the first live call of the most urgent priority class."""
    # (the deadline heap comes as one tuple: numba refuses to inline a function with more arguments)
    dkeys, dvals, dpos = dheap
    n_prio = qhead.shape[0]
    while st[_S_BUSY] < target:
        found = -1
        for p in range(n_prio):
            while qhead[p] >= 0:
                j = qhead[p]
                qhead[p] = nxt[j]
                if qhead[p] < 0:
                    qtail[p] = -1
                if status[j] != _ST_WAITING:
                    continue  # abandoned already (lazy deletion)
                pt = type_pat[ctype[j]]
                if pt < _INF:
                    dl = wait[j] + pat_unit[j] * pt
                    if dl <= t:  # patience ran out before this agent came free
                        if dpos.shape[0] > 0 and dpos[j] >= 0:
                            st[_S_ND] = _iheap_remove(dkeys, dvals, dpos, st[_S_ND], dpos[j])
                        _abandon(j, dl, st, status, outcome, wait, caller, attempt, ctype, arrival, svc_unit,
                                 pat_unit, ivr_u, rows, rkeys, rvals, redial_prob, max_attempts, t_end)
                        continue
                found = j
                break
            if found >= 0:
                break
        if found < 0:
            return
        st[_S_NW] -= 1
        if dpos.shape[0] > 0 and dpos[found] >= 0:
            st[_S_ND] = _iheap_remove(dkeys, dvals, dpos, st[_S_ND], dpos[found])
        _start(found, t, st, status, outcome, wait, answer, service, svc_unit, skeys)


@_jit(inline="always")
def _flush(t, st, qhead, qtail, nxt, status, outcome, wait, caller, attempt, ctype, arrival, svc_unit, pat_unit,
           ivr_u, type_pat, rows, rkeys, rvals, redial_prob, max_attempts, t_end):
    """Everyone still waiting at ``t`` hangs up (closing): at their deadline if it came first."""
    for p in range(qhead.shape[0]):
        j = qhead[p]
        while j >= 0:
            if status[j] == _ST_WAITING:
                t_ab = t
                pt = type_pat[ctype[j]]
                if pt < _INF:
                    dl = wait[j] + pat_unit[j] * pt
                    if dl < t:
                        t_ab = dl
                _abandon(j, t_ab, st, status, outcome, wait, caller, attempt, ctype, arrival, svc_unit, pat_unit,
                         ivr_u, rows, rkeys, rvals, redial_prob, max_attempts, t_end)
            j = nxt[j]
        qhead[p] = -1
        qtail[p] = -1


@_jit()
def _kernel(first_t, svc_unit, pat_unit, ivr_u, rows, interval_s, agents, closed, let_go, type_aht, type_pat,
            type_rank, n_prio, lines, ivr_time, ivr_containment, has_ivr, redial_prob, max_attempts,
            use_deadlines, out, work):
    """Simulate one replication. First calls are slots ``0..m-1`` (``first_t`` sorted); the slot
    arrays ``svc_unit``, ``pat_unit`` (and ``ivr_u`` when used) hold their draws and receive each
    redial's draws from ``rows`` (5 x R) when it is made. ``out``: the record arrays of
    :data:`_OUT_FIELDS` with room for every slot, ``call_type`` and ``arrival_s`` filled for the
    first calls; ``work``: scratch arrays (:func:`_workspace`). Returns n, the number of attempts,
    or -1 when the slots or rows ran out."""
    m = first_t.shape[0]
    cap = svc_unit.shape[0]
    n_int = agents.shape[0]
    t_end = n_int * interval_s

    caller, attempt, ctype, interval, arrival, outcome, wait, answer, service = out
    status, nxt, rkeys, rvals, dkeys, dvals, dpos, ivr_q = work  # dpos: heap index of a caller's deadline
    wait[:] = np.nan
    answer[:] = np.nan
    service[:] = np.nan
    status[:] = 0
    dpos[:] = -1
    for j in range(m):
        caller[j] = j
        attempt[j] = 1

    st = np.zeros(_S_NSTATE, np.int64)
    st[_S_NUSED] = m
    max_agents = 1
    for k in range(n_int):
        max_agents = max(max_agents, agents[k])
    skeys = np.empty(max_agents + 1, np.float64)
    ivr_head = 0
    ivr_tail = 0
    n_prio = np.int64(n_prio)
    qhead = np.full(n_prio, -1, np.int64)
    qtail = np.full(n_prio, -1, np.int64)

    k = 0
    target = agents[0]
    next_bnd = interval_s if n_int > 1 else t_end
    ended = False  # past the end of the horizon: no more arrivals, the last interval's agents stay
    i_first = 0

    while True:
        if st[_S_OVERFLOW]:
            return -1
        ta = first_t[i_first] if i_first < m else _INF
        tr = rkeys[0] if st[_S_NR] > 0 else _INF
        td = skeys[0] if st[_S_NS] > 0 else _INF
        ti = arrival[ivr_q[ivr_head]] + ivr_time if ivr_head < ivr_tail else _INF
        tl = dkeys[0] if st[_S_ND] > 0 else _INF
        t = min(ta, tr, td, ti, tl, next_bnd)
        if t == _INF:
            break

        if td <= t:  # an agent finishes a call
            st[_S_NS] = _time_pop(skeys, st[_S_NS])
            st[_S_BUSY] -= 1
            # The hot path, written out rather than calling _serve: numba increfs and decrefs every
            # array passed to a helper (atomic operations), which cost more than the queue itself.
            while st[_S_BUSY] < target:
                found = -1
                for p in range(n_prio):
                    while qhead[p] >= 0:
                        j = qhead[p]
                        qhead[p] = nxt[j]
                        if qhead[p] < 0:
                            qtail[p] = -1
                        if status[j] != _ST_WAITING:
                            continue  # hung up already
                        pt = type_pat[ctype[j]]
                        if pt < _INF:
                            dl = wait[j] + pat_unit[j] * pt
                            if dl <= t:  # patience ran out before this agent came free
                                if use_deadlines and dpos[j] >= 0:
                                    st[_S_ND] = _iheap_remove(dkeys, dvals, dpos, st[_S_ND], dpos[j])
                                _abandon(j, dl, st, status, outcome, wait, caller, attempt, ctype, arrival,
                                         svc_unit, pat_unit, ivr_u, rows, rkeys, rvals, redial_prob, max_attempts,
                                         t_end)
                                continue
                        found = j
                        break
                    if found >= 0:
                        break
                if found < 0:
                    break
                st[_S_NW] -= 1
                if use_deadlines and dpos[found] >= 0:
                    st[_S_ND] = _iheap_remove(dkeys, dvals, dpos, st[_S_ND], dpos[found])
                status[found] = _ST_DONE
                outcome[found] = OUTCOME_ANSWERED
                wait[found] = t - wait[found]
                answer[found] = t
                d = svc_unit[found]
                service[found] = d
                st[_S_BUSY] += 1
                st[_S_NS] = _time_push(skeys, st[_S_NS], t + d)
        elif tl <= t:  # a waiting caller's patience runs out
            j = dvals[0]
            st[_S_ND] = _iheap_remove(dkeys, dvals, dpos, st[_S_ND], 0)
            if status[j] == _ST_WAITING:
                _abandon(j, t, st, status, outcome, wait, caller, attempt, ctype, arrival, svc_unit, pat_unit,
                         ivr_u, rows, rkeys, rvals, redial_prob, max_attempts, t_end)
        elif next_bnd <= t:  # an interval boundary: new agent target, maybe closing
            if k + 1 >= n_int:  # the end of the horizon: nobody will answer if no agent is left
                ended = True
                next_bnd = _INF
                if target == 0:
                    _flush(t, st, qhead, qtail, nxt, status, outcome, wait, caller, attempt, ctype, arrival,
                           svc_unit, pat_unit, ivr_u, type_pat, rows, rkeys, rvals, redial_prob, max_attempts,
                           t_end)
                    st[_S_ND] = 0  # it held only callers on hold, all gone now
                continue
            was_closed = closed[k]
            k += 1
            next_bnd = (k + 1) * interval_s if k + 1 < n_int else t_end
            target = agents[k]
            if let_go[k]:
                _flush(t, st, qhead, qtail, nxt, status, outcome, wait, caller, attempt, ctype, arrival,
                       svc_unit, pat_unit, ivr_u, type_pat, rows, rkeys, rvals, redial_prob, max_attempts, t_end)
                st[_S_ND] = 0  # it held only callers on hold, all gone now
            if st[_S_BUSY] < target:
                _serve(t, target, st, qhead, qtail, nxt, status, outcome, wait, answer, service, caller, attempt,
                       ctype, arrival, svc_unit, pat_unit, ivr_u, type_pat, skeys, (dkeys, dvals, dpos),
                       rows, rkeys, rvals, redial_prob, max_attempts, t_end)
        else:
            if ti <= t:  # leaves the IVR: contained, or on to the agent queue
                j = ivr_q[ivr_head]
                ivr_head += 1
                if ivr_containment > 0.0 and ivr_u[j] < ivr_containment:
                    status[j] = _ST_DONE
                    outcome[j] = OUTCOME_CONTAINED
                    continue
            else:  # an attempt arrives (a redial or a first call)
                if tr <= ta:
                    j = rvals[0]
                    st[_S_NR] = _heap_pop(rkeys, rvals, st[_S_NR])
                else:
                    j = i_first
                    i_first += 1
                kj = min(int(t // interval_s), n_int - 1)
                interval[j] = kj
                if j >= m:  # a redial: its handle-time factor becomes seconds at its interval's mean
                    svc_unit[j] *= type_aht[kj, ctype[j]]
                in_system = (ivr_tail - ivr_head) + st[_S_NW] + st[_S_BUSY]
                if closed[kj] or (lines >= 0 and in_system >= lines):
                    status[j] = _ST_DONE
                    outcome[j] = OUTCOME_BLOCKED
                    _new_redial(j, t, st, caller, attempt, ctype, arrival, svc_unit, pat_unit, ivr_u, rows, rkeys,
                                rvals, redial_prob, max_attempts, t_end)
                    continue
                if has_ivr:
                    if ivr_time > 0.0:
                        status[j] = _ST_IVR
                        ivr_q[ivr_tail] = j
                        ivr_tail += 1
                        continue
                    if ivr_containment > 0.0 and ivr_u[j] < ivr_containment:
                        status[j] = _ST_DONE
                        outcome[j] = OUTCOME_CONTAINED
                        continue
            # j joins the agent queue at t
            wait[j] = t
            if st[_S_BUSY] < target:  # an agent is free: answered at once
                status[j] = _ST_DONE
                outcome[j] = OUTCOME_ANSWERED
                wait[j] = 0.0
                answer[j] = t
                d = svc_unit[j]
                service[j] = d
                st[_S_BUSY] += 1
                st[_S_NS] = _time_push(skeys, st[_S_NS], t + d)
                continue
            if target == 0 and (ended or closed[k]):  # closed and nobody on duty: let go at once
                status[j] = _ST_DONE
                outcome[j] = OUTCOME_ABANDONED
                wait[j] = 0.0
                _new_redial(j, t, st, caller, attempt, ctype, arrival, svc_unit, pat_unit, ivr_u, rows, rkeys, rvals,
                            redial_prob, max_attempts, t_end)
                continue
            status[j] = _ST_WAITING
            st[_S_NW] += 1
            p = type_rank[ctype[j]]
            if qtail[p] < 0:
                qhead[p] = j
            else:
                nxt[qtail[p]] = j
            qtail[p] = j
            nxt[j] = -1
            if use_deadlines:
                pt = type_pat[ctype[j]]
                if pt < _INF:
                    st[_S_ND] = _iheap_push(dkeys, dvals, dpos, st[_S_ND], t + pat_unit[j] * pt, j)

    n = st[_S_NUSED]
    if st[_S_OVERFLOW]:
        n = -1
    for j in range(n):  # cannot happen: the horizon lets everyone go or serves them
        if status[j] != _ST_DONE:
            n = -2
            break
    return n


@_jit(inline="always")
def _cross_boundary(k, target, ended, agents, let_go, interval_s, t_end):
    """The end of interval ``k``: returns (k, target, next boundary, ended, flushed), where
    ``flushed`` says callers on hold are let go now (the centre closes and ``Workload.let_go`` says
    so, or the horizon ends with no agent on duty); the event loop's rules at a boundary."""
    n_int = agents.shape[0]
    if k + 1 >= n_int:
        return k, target, _INF, True, target == 0
    k += 1
    return k, agents[k], (k + 1) * interval_s if k + 1 < n_int else t_end, ended, bool(let_go[k])


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
def _kernel_fcfs(first_t, svc_unit, pat_unit, ivr_u, rows, interval_s, agents, closed, let_go, type_aht,
                 type_pat, ivr_time, ivr_containment, has_ivr, svc_exp, pat_exp, redial_prob, max_attempts, out,
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
    ``rows`` is None when callers do not redial. ``svc_exp``/``pat_exp``: for first attempts ``svc_unit``/``pat_unit`` hold the uniforms of
    exponential durations, turned into factors only for callers who need them (redial slots hold
    factors). ``out`` and ``work`` as for :func:`_kernel`. Returns n like :func:`_kernel`; n = -1
    when the slots or rows ran out, -2 if a caller could not be settled (cannot happen)."""
    m = first_t.shape[0]
    cap = svc_unit.shape[0]
    n_int = agents.shape[0]
    t_end = n_int * interval_s
    nan = np.nan
    redials = rows is not None  # None: no redials (numba then compiles the redial code out)

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
                if attempt[j] < max_attempts:
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
                _new_redial(jf, tf, st, caller, attempt, ctype, arrival, svc_unit, pat_unit, ivr_u, rows, rkeys,
                            rvals, redial_prob, max_attempts, t_end)
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
            kj = min(int(a // interval_s), n_int - 1)
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
        if has_ivr:
            if ivr_time > 0.0:
                q = a + ivr_time
            if ivr_containment > 0.0 and ivr_u[j] < ivr_containment:
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
                d = _unit(svc_unit[j], svc_exp and first) * type_aht[kj, c]
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
                    k, target, next_bnd, ended, flushed = _cross_boundary(k, target, ended, agents, let_go,
                                                                          interval_s, t_end)
                    if flushed:
                        last_flush = tb
                else:
                    break
            tau = q
            if ns < target:  # an agent is free: answered at once
                d = _unit(svc_unit[j], svc_exp and first) * type_aht[kj, c]
                outcome[j] = OUTCOME_ANSWERED
                wait[j] = 0.0
                answer[j] = q
                service[j] = d
                ns = _time_push(skeys, ns, q + d)
                continue
            if target == 0 and (ended or closed[k]):  # closed and nobody on duty: let go at once
                outcome[j] = OUTCOME_ABANDONED
                wait[j] = 0.0
                fail_t = q
                continue
            pt = type_pat[c]
            dl = q + _unit(pat_unit[j], pat_exp and first) * pt if pt < _INF else _INF
        else:
            pt = type_pat[c]
            dl = q + _unit(pat_unit[j], pat_exp and first) * pt if pt < _INF else _INF
            if ivr_time > 0.0:  # out of the IVR into a closed centre with nobody on duty: let go at once
                kq = min(int(q // interval_s), n_int - 1)
                if agents[kq] == 0 and (q >= t_end or closed[kq]):
                    outcome[j] = OUTCOME_ABANDONED
                    wait[j] = 0.0
                    fail_t = q
                    continue
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
                    d = _unit(svc_unit[j], svc_exp and first) * type_aht[kj, c]
                    outcome[j] = OUTCOME_ANSWERED
                    wait[j] = tau - q
                    answer[j] = tau
                    service[j] = d
                    ns = _time_push(skeys, ns, tau + d)
                continue

        # on hold: the first agent free before the deadline answers, else hang up
        while True:
            tc = skeys[0] if ns > 0 else _INF
            if tc <= next_bnd:
                if tc == _INF:
                    return -2
                if tc >= dl:
                    outcome[j] = OUTCOME_ABANDONED
                    wait[j] = dl - q
                    fail_t = dl
                    break
                tau = tc
                if ns <= target:  # this agent answers: its end time is replaced by the new call's
                    d = _unit(svc_unit[j], svc_exp and first) * type_aht[kj, c]
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
                k, target, next_bnd, ended, flushed = _cross_boundary(k, target, ended, agents, let_go, interval_s,
                                                                      t_end)
                if flushed:
                    last_flush = tb
                    outcome[j] = OUTCOME_ABANDONED
                    wait[j] = tb - q
                    fail_t = tb
                    break
                if ns < target:
                    d = _unit(svc_unit[j], svc_exp and first) * type_aht[kj, c]
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

    Everything in the simulation contract is supported except callback offers."""
    if getattr(scenario, "callback_threshold", None) is not None:
        return False, "callbacks (callback_threshold) are only simulated by the SimPy engine"
    return True, ""


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


def _redial_rows(rng: np.random.Generator, n_blocks: int, scenario: Scenario) -> np.ndarray:
    """Values for the first ``n_blocks * 1024`` eligible failures, as engine_simpy draws them:
    float64 (5, R): decide (uniform), delay (s), ivr uniform, service and patience factors."""
    u = rng.random((n_blocks, 6, _ROW_BLOCK))
    rows = np.empty((5, n_blocks * _ROW_BLOCK))
    rows[0] = u[:, 0].ravel()
    rows[1] = -np.log1p(-u[:, 1].ravel()) * scenario.redial_delay
    rows[2] = u[:, 2].ravel()
    rows[3] = unit_quantile(u[:, 3].ravel(), scenario.aht_dist, scenario.aht_cv, quantiles=scenario.aht_quantiles)
    rows[4] = unit_quantile(u[:, 4].ravel(), scenario.patience_dist, scenario.patience_cv,
                            quantiles=scenario.patience_quantiles)
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


def _workspace(n_exp: int, cap: int, fcfs: bool, redials: bool, deadlines: bool, ivr_draws: bool, ivr_queue: bool):
    """The arrays of a replication with ``cap`` attempt slots, in two blocks: the record arrays
    ``out`` (:data:`_OUT_FIELDS`, returned to the caller) and the rest, freed after the
    replication: ``exp`` (the ``n_exp`` exponentials of the arrival times, then the times), the
    slot draws ``svc``, ``pat``, ``ivr`` (empty unless ``ivr_draws``: the IVR contains calls) and
    the kernel's scratch ``work`` (``ivr_queue``: callers spend time in the IVR)."""
    rcap = cap if redials else 1
    specs = [(n_exp, _F8), (cap, _F8), (cap, _F8), (cap if ivr_draws else 0, _F8)]
    if fcfs and redials:  # redial heap (time, slot); failure heap (time, order, slot)
        specs += [(rcap, _F8), (rcap, _I8), (rcap, _F8), (rcap, _I8), (rcap, _I8)]
    elif not fcfs:  # status, queue links, redial heap, deadline heap (time, slot, position), IVR queue
        dcap = cap if deadlines else 1
        specs += [(cap, _I1), (cap, _I8), (rcap, _F8), (rcap, _I8), (dcap, _F8), (dcap, _I8),
                  (cap if deadlines else 0, _I8), (cap if ivr_queue else 1, _I8)]
    exp, svc, pat, ivr_u, *work = _carve(specs)
    out = tuple(_carve([(cap, dtype) for _, dtype in _OUT_FIELDS]))
    # the recursion without redials never touches its redial heaps: shared, never written
    return exp, svc, pat, ivr_u, out, tuple(work) if work else _NO_REDIAL_WORK


def simulate_replication(work: Workload, scenario: Scenario, seed: np.random.SeedSequence) -> CallRecords:
    """Simulate one replication with the compiled engine.

    work: the run's :class:`simulate.workload.Workload` (expected calls, call-type mix and handle
    time per interval, agents on duty, closing rule, or a replay's exact arrivals); scenario: the
    policy; seed: this replication's SeedSequence. Returns :class:`simulate.records.CallRecords`,
    one row per attempt: first calls in arrival order, then redials in the order they were made.

    Draws come from :func:`simulate._draws.spawn_streams` and are used as engine_simpy uses
    them (first callers: arrival, type, IVR, service and patience draws; redials: a block row
    per eligible failure), so both engines see the same callers for the same seed (common random
    numbers across engines) and the same attempts.

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
    redial_prob = float(scenario.redial_prob)
    max_attempts = int(scenario.max_attempts)
    uses_redials = redial_prob > 0 and max_attempts > 1 and not work.is_replay
    if not uses_redials:
        redial_prob = 0.0
    use_deadlines = lines >= 0 or uses_redials  # exact hang-up times matter for lines and redials
    # one queue served first come, first served: the recursion (the same records, faster)
    fcfs = USE_RECURSION and n_prio == 1 and lines < 0
    # the recursion turns exponential uniforms into durations itself, only for callers who need them
    svc_raw = fcfs and scenario.aht_dist == "exponential" and not work.is_replay
    pat_raw = fcfs and scenario.patience_dist == "exponential" and work.replay_patience_unit is None
    # a replay's handle times are seconds already (observed, or drawn at the model's mean below)
    type_aht = np.ones_like(work.aht_s) if work.is_replay else work.aht_s

    if work.is_replay:
        counts = None
        m = len(work.replay_t_s)
    else:
        counts = poisson_counts(calls, rngs["arrivals"])
        m = int(counts.sum())
    n_blocks = _initial_blocks(m) if uses_redials else 0
    cap = m + n_blocks * _ROW_BLOCK
    exp, svc, pat, ivr_u, out, work_arrays = _workspace(0 if counts is None else n_spacings(counts), cap, fcfs,
                                                        uses_redials, use_deadlines, ivr_draws, scenario.uses_ivr)
    if counts is None:
        first_t = np.ascontiguousarray(work.replay_t_s, dtype=np.float64)
    else:
        first_t = arrival_times(counts, rngs["arrivals"], interval_s, work=exp)
    ctype, arrival = out[2], out[4]
    arrival[:m] = first_t
    # the interval of each first call, only when the type mix or handle time is read here (a full
    # pass over the calls: an eighth of a plain replication's time)
    first_interval = np.minimum((first_t // interval_s).astype(np.int64), n_int - 1) if (
        (work.replay_type is None and work.n_types > 1) or (not svc_raw and (not fcfs or work.is_replay))) else None
    # streams a scenario does not use are not drawn (each stream has its own generator, so the
    # others are unaffected)
    if work.replay_type is not None:
        ctype[:m] = work.replay_type
    elif work.n_types > 1:
        ctype[:m] = call_types(rngs["call_type"].random(m), first_interval, work.cum_share)
    else:
        ctype[:m] = 0
    if ivr_draws:
        rngs["ivr"].random(out=ivr_u[:m])
    rngs["service"].random(out=svc[:m])
    rngs["patience"].random(out=pat[:m])
    if not svc_raw:
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
        rows = _redial_rows(spawn_streams(seed)["redial"], n_blocks, scenario) if uses_redials else None
        if fcfs:
            n = _kernel_fcfs(first_t, svc, pat, ivr_u, rows, interval_s, agents, closed, let_go, type_aht, type_pat,
                             float(scenario.ivr_time), float(scenario.ivr_containment), scenario.uses_ivr, svc_raw,
                             pat_raw, redial_prob, max_attempts, out, work_arrays)
        else:
            n = _kernel(first_t, svc, pat, ivr_u, rows if uses_redials else np.empty((5, 0)), interval_s, agents,
                        closed, let_go, type_aht, type_pat, type_rank, n_prio, lines, float(scenario.ivr_time),
                        float(scenario.ivr_containment), scenario.uses_ivr, redial_prob, max_attempts,
                        use_deadlines, out, work_arrays)
        if n >= 0:
            break
        if n == -2:
            raise RuntimeError("engine_fast: a call was still in the centre when the simulation ended")
        n_blocks *= 2  # the redial rows ran out: again with twice as many
        cap = m + n_blocks * _ROW_BLOCK
        old_svc, old_pat, old_ivr, old_out = svc, pat, ivr_u, out
        _, svc, pat, ivr_u, out, work_arrays = _workspace(0, cap, fcfs, uses_redials, use_deadlines, ivr_draws,
                                                          scenario.uses_ivr)
        for new, old in ((svc, old_svc), (pat, old_pat), (ivr_u, old_ivr), (out[2], old_out[2]),
                         (out[4], old_out[4])):
            new[:m] = old[:m]
    columns = {name: col[:n] for (name, _), col in zip(_OUT_FIELDS, out)}
    return CallRecords.from_columns(columns, staffed_s=work.agents.astype(np.float64) * interval_s)
