"""The judge: computes every verdict, in a process learner code cannot reach.

The grader starts one judge per worker (``python -m tools.grading.judge``) and sends it jobs
(one JSON line each: the released setup cell, the learner's cells, the check and the function
to call). For each job the judge forks an isolated *job* process (:mod:`tools.grading.sandbox`)
that runs the learner's cells, then calls the course's check **itself**, on a stand-in
(:class:`Remote`) for the learner's function: each call the check makes is sent to the job
(arguments pickled: the judge is trusted), run there, and its result comes back in the
restricted format of :mod:`tools.grading.wire`, with what the job's copy of a random generator
recorded (the judge puts its own generator in the same state and replays the record), the
generators the function created, and the arguments it changed in place. The check, its
reference answers, the verdict, the hint and the result never exist in the learner's process:
rebinding ``check``, patching a check's method or walking frames to find a result channel
changes only the learner's own process.

Output: one JSON line per job, ``{"status", "hint_id", "message", "flags", "cell_errors",
"setup_error", "seconds"}``.
"""

from __future__ import annotations

import builtins
import ctypes
import importlib
import io
import json
import os
import pickle
import re
import signal
import sqlite3
import sys
import time
from typing import Any

import numpy as np

from helpers.checks import core
from tools.grading import sandbox, wire

_DEFAULT_RNG, _LEGACY_SEED = np.random.default_rng, np.random.seed
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}\Z")
_PLAIN = (list, tuple, dict, np.ndarray, int, float, str)
CHANNEL_FLAG = "result channel written by learner code"


class JobDied(BaseException):
    """The learner's process ended (or its reply was unusable) during a request."""


class GraderError(BaseException):
    """The judge could not send a request (not the learner's fault)."""


def reply_problem(reply: Any, token: str, seq: int) -> str | None:
    """Why a decoded reply is not the job's answer to request ``seq``; None when it is.

    >>> reply_problem({"token": "t", "seq": 2}, "t", 2) is None
    True
    >>> reply_problem({"seq": 2}, "t", 2)
    'a reply without the job token'
    """
    if not isinstance(reply, dict):
        return "a reply that is not a message"
    if "token" not in reply:
        return "a reply without the job token"
    if reply["token"] != token:
        return "a reply with a wrong token"
    if reply.get("seq") != seq:
        return "a second reply to one request"
    return None


class Remote:
    """Stands in, in the judge, for an object that lives in the job (the learner's function,
    class, instances it returns, their methods). Attribute reads and calls go to the job."""

    def __init__(self, job: Job, ref: wire.Ref) -> None:
        object.__setattr__(self, "_job", job)
        object.__setattr__(self, "_id", ref.id)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or self._id < 0:
            raise AttributeError(name)
        return self._job.getattr(self._id, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object>"


class _RemoteCallable(Remote):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._job.call(self._id, args, kwargs)


_CLASSES: dict[tuple[str, bool], type] = {}


def _remote_class(name: str, is_callable: bool) -> type:
    """A Remote subclass carrying the learner's type name (messages say ``MyModel``)."""
    key = (name if len(_CLASSES) < 1000 else "object", is_callable)  # names come from learners
    if key not in _CLASSES:
        _CLASSES[key] = type(key[0], (_RemoteCallable if is_callable else Remote,), {})
    return _CLASSES[key]


def _exception(raised: Any) -> BaseException:
    """The learner's exception, rebuilt in the judge from its description (never unpickled)."""
    if not isinstance(raised, dict):
        return JobDied("unreadable exception")
    name = raised.get("type") if isinstance(raised.get("type"), str) else "Exception"
    name = name if _IDENTIFIER.match(name) else "Exception"
    text = raised.get("text") if isinstance(raised.get("text"), str) else ""
    category = raised.get("category")
    if category == "not_implemented":
        return NotImplementedError(text)
    if category == "system_exit":
        return SystemExit(text)
    if category == "keyboard":
        return KeyboardInterrupt(text)
    base = Exception if category == "exception" else BaseException
    known = getattr(builtins, name, None)  # AttributeError stays an AttributeError (getattr's
    if isinstance(known, type) and issubclass(known, base):  # default, hasattr need it)
        try:
            return known(text)
        except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError needs five arguments
            pass
    return type(name, (base,), {"__module__": "learner"})(text)


class _Pickler(pickle.Pickler):
    """Requests to a job: sandbox objects, in-memory databases and generators by reference
    (a subclass method: Python 3.13.0 no longer lets an instance's ``persistent_id`` be set)."""

    def __init__(self, buffer: io.BytesIO, generators: list | None) -> None:
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self.generators = generators
        self.seen: dict[int, int] = {}

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, Remote):
            return ("ref", obj._id)
        if isinstance(obj, sqlite3.Connection):  # a check's in-memory database (05.1)
            return ("sqlite", list(obj.iterdump()))
        if isinstance(obj, np.random.Generator) and self.generators is not None:
            if id(obj) not in self.seen:
                self.seen[id(obj)] = len(self.generators)
                self.generators.append(obj)
            return ("gen", (self.seen[id(obj)], isinstance(obj, core.RecordingGenerator),
                            getattr(obj, "seed", 0), obj.bit_generator.state))
        return None


class Job:
    """One learner job as seen from the judge: requests out, checked replies in."""

    def __init__(self, config: sandbox.Config, number: int, deadline: float,
                 preset: Any = None) -> None:
        self.deadline, self.seq, self.flags = deadline, 0, []
        self.dead: str | None = None   # "timeout", "died", "interrupted", "grader"
        self.refs: dict[int, Remote] = {}
        self.pid, self.requests, self.replies, self.token = sandbox.spawn(config, number,
                                                                          preset)
        self.group = config.mode == "none"

    # -- the channel
    def _send(self, message: tuple, generators: list | None = None) -> Any:
        if self.dead in ("timeout", "interrupted"):
            raise core._TimedOut
        if self.dead:
            raise JobDied(self.dead)
        self.seq += 1
        try:
            payload = self._pickle((message[0], self.seq, *message[1:]), generators)
        except Exception as error:  # noqa: BLE001 - an argument the judge cannot send
            self.dead = "grader"
            self.flags.append(f"the grader could not send a call ({type(error).__name__})")
            raise GraderError(str(error)) from None
        try:
            wire.write_frame(self.requests, payload)
            data = wire.read_frame(self.replies, self.deadline)
            reply = wire.decode(data, self._remote)
        except wire.Timeout:
            self.kill("timeout")
            raise core._TimedOut from None
        except (wire.Closed, OSError):
            self.kill("died")
            raise JobDied("the process ended") from None
        except wire.WireError as error:
            self.flags.append(f"{CHANNEL_FLAG}: {error}")
            self.kill("died")
            raise JobDied(str(error)) from None
        except BaseException:  # the check's own time limit (an alarm) while we waited
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            try:
                self.kill("interrupted")
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
            raise
        problem = reply_problem(reply, self.token, self.seq)
        if problem is not None:
            self.flags.append(f"{CHANNEL_FLAG}: {problem}")
            self.kill("died")
            raise JobDied(problem)
        if "isolation_error" in reply:
            self.flags.append("the sandbox could not be set up: " + str(reply["isolation_error"]))
            self.kill("grader")
            raise GraderError(str(reply["isolation_error"]))
        return reply

    def _pickle(self, message: tuple, generators: list | None) -> bytes:
        buffer = io.BytesIO()
        _Pickler(buffer, generators).dump(message)
        return buffer.getvalue()

    def _remote(self, ref: wire.Ref) -> Remote:
        if ref.id < 0:
            return core._Opaque(ref.type_name)
        if ref.id not in self.refs:
            self.refs[ref.id] = _remote_class(ref.type_name, ref.is_callable)(self, ref)
        return self.refs[ref.id]

    # -- requests
    def load(self, job: dict) -> dict:
        return self._send(("load", {k: job[k] for k in ("setup", "cells", "function")}))

    def getattr(self, handle: int, name: str) -> Any:
        reply = self._send(("getattr", handle, name))
        if "raised" in reply:
            raise _exception(reply["raised"])
        return reply.get("value")

    def call(self, handle: int, args: tuple, kwargs: dict) -> Any:
        generators: list = []
        reply = self._send(("call", handle, (args, kwargs)), generators)
        try:
            self._replay(reply, generators, args, kwargs)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
            self.flags.append(f"{CHANNEL_FLAG}: an unusable record ({type(error).__name__})")
            self.kill("died")
            raise JobDied("unusable record") from None
        if "raised" in reply:
            raise _exception(reply["raised"])
        return reply.get("value")

    def _replay(self, reply: dict, generators: list, args: tuple, kwargs: dict) -> None:
        """Bring the judge's generators and arguments to where the job's copies ended."""
        _replay_generators(reply.get("generators", []), generators)
        _replay_counts(reply)
        _replay_arguments(reply, args, kwargs)

    def close(self) -> None:
        """End the job (and everything it started); flag anything left on the channel."""
        if self.dead is None:
            try:  # the job answers requests in order: after "end" it writes nothing more
                wire.write_frame(self.requests, pickle.dumps(("end",)))
                wire.read_frame(self.replies, min(self.deadline, time.monotonic() + 5), limit=0)
            except wire.Closed:
                pass  # nothing left: the job ended cleanly
            except (wire.Timeout, wire.WireError, OSError):
                self.flags.append(f"{CHANNEL_FLAG}: a message after the last reply")
        self.kill(self.dead or "done")
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass

    def kill(self, why: str) -> None:
        if self.dead is None or why != "done":
            self.dead = self.dead or why
        try:
            (os.killpg if self.group else os.kill)(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _write_back(mine: Any, theirs: Any) -> None:
    if isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray) \
            and mine.shape == theirs.shape and mine.flags.writeable:
        try:
            mine[...] = theirs
        except (TypeError, ValueError):
            pass
    elif isinstance(mine, list) and isinstance(theirs, list):
        mine[:] = theirs
    elif isinstance(mine, dict) and isinstance(theirs, dict):
        mine.clear()
        mine.update(theirs)


def _replay_generators(records: Any, generators: list) -> None:
    """Set each generator sent with a call to the state the job's copy ended in, and add the
    draws the job recorded; a record that does not fit raises."""
    if not isinstance(records, list) or len(records) != len(generators):
        raise ValueError("generator records")
    for rng, record in zip(generators, records, strict=True):
        state = record["state"]
        if not isinstance(state, dict) or state.get("bit_generator") != \
                rng.bit_generator.state["bit_generator"]:
            raise ValueError("generator state")
        rng.bit_generator.state = state
        if isinstance(rng, core.RecordingGenerator):
            for method, draw_args, draw_kwargs, count in record["draws"]:
                if not isinstance(method, str) or type(count) is not int:
                    raise TypeError("draw")
                rng.draws.append(core.Draw(method, tuple(draw_args), dict(draw_kwargs), count))


def _replay_counts(reply: dict) -> None:
    """Repeat (at most 1000 times) the generators the job made and its legacy seedings, for a
    check that counts them by patching ``np.random``."""
    if np.random.default_rng is not _DEFAULT_RNG:  # a check is counting generators
        for seed in list(reply.get("made", []))[:1000]:
            try:
                np.random.default_rng(seed)
            except Exception:  # noqa: BLE001 - a seed the job accepted, recorded as is
                pass
    if np.random.seed is not _LEGACY_SEED:
        for _ in range(min(int(reply.get("legacy", 0)), 1000)):
            np.random.seed(0)


def _replay_arguments(reply: dict, args: tuple, kwargs: dict) -> None:
    """Write back what the job changed in the call's arrays, lists, dicts and plain attributes."""
    mutated = reply.get("mutated")
    if isinstance(mutated, dict):
        pairs = list(zip(args, mutated.get("args", []), strict=False))
        pairs += [(kwargs[k], v) for k, v in dict(mutated.get("kwargs", {})).items()
                  if k in kwargs]
        for mine, theirs in pairs:
            _write_back(mine, theirs)
    for index, attributes in dict(reply.get("updated", {})).items():
        target = args[int(index)]
        for name, value in dict(attributes).items():
            if isinstance(vars(target).get(name), _PLAIN) and isinstance(value, _PLAIN):
                setattr(target, name, value)


# ------------------------------------------------------------------ one job, start to verdict


def grade(spec: dict, config: sandbox.Config, number: int, time_limit: float) -> dict:
    """Run one learner × exercise job and return its outcome (see the module docstring)."""
    start = time.monotonic()
    evaluate = getattr(importlib.import_module(spec["module"]), spec["check"]).evaluate
    outcome: dict[str, Any] = {"cell_errors": []}
    try:
        job = Job(config, number, start + time_limit)
    except OSError as error:
        return _finish({"status": "crashed", "hint_id": "grader-error", "flags": [],
                        "message": f"the grader could not start a sandbox ({error}); grade "
                                   "this exercise by hand."}, start)
    try:
        try:
            ready = job.load(spec)
        except (core._TimedOut, JobDied, GraderError):
            ready = None
        if ready is not None:
            outcome["cell_errors"] = [str(e) for e in ready.get("cell_errors", [])][:50]
            if ready.get("setup_error"):
                outcome["setup_error"] = str(ready["setup_error"])[:300]
            function = ready.get("function")
            if function is None:
                outcome.update(status="missing", hint_id="function-missing",
                               message=f"`{spec['function']}` is not defined after running "
                                       "your cells.")
            else:
                if isinstance(function, Remote):
                    object.__setattr__(function, "__name__", spec["function"])
                outcome.update(_fields(evaluate(function)))
    finally:
        job.close()
    if job.dead == "timeout":
        outcome.update(status="timeout", hint_id="timeout",
                       message=f"stopped after {time_limit:g} s (a loop that never ends, at the "
                               "top level of a cell or in your function?).")
    elif job.dead == "grader":
        outcome.update(status="crashed", hint_id="grader-error",
                       message="the grader could not run this exercise; grade it by hand.")
    elif job.dead == "died":
        outcome.update(status="crashed", hint_id="process-died",
                       message="the process running your code ended before the check could "
                               "finish: os._exit(), a crash, or running out of memory.")
    outcome["flags"] = list(dict.fromkeys(job.flags))
    return _finish(outcome, start)


def _fields(result: core.CheckResult) -> dict:
    return {"status": result.status, "hint_id": result.hint_id or "", "message": result.message}


def _finish(outcome: dict, start: float) -> dict:
    outcome.setdefault("flags", [])
    outcome["seconds"] = round(time.monotonic() - start, 3)
    return outcome


def evaluate_in_job(check: core.Check, answer: Any, config: sandbox.Config,
                    time_limit: float = 120.0) -> core.CheckResult:
    """``check.evaluate(answer)`` with ``answer`` running in a job (forked with it in memory):
    what grading does to a learner's function, for any answer a test has at hand. The caller
    must be a child subreaper (:func:`become_subreaper`)."""
    job = Job(config, 0, time.monotonic() + time_limit, preset=answer)
    try:
        function = job.load({"setup": "", "cells": [], "function": ""})["function"]
        if isinstance(function, Remote):
            object.__setattr__(function, "__name__", getattr(answer, "__name__", "answer"))
        return check.evaluate(function)
    finally:
        job.close()


def become_subreaper() -> None:
    """Jobs whose intermediate process exits are re-parented to this process (and reaped)."""
    ctypes.CDLL(None, use_errno=True).prctl(sandbox.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


# ------------------------------------------------------------------ the judge process


PROBE = '''
import os, socket
def probe(roots):
    facts = {"pid": os.getpid(), "uid": os.getuid()}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("CapEff", "CapPrm", "CapBnd", "NoNewPrivs"):
                facts[key] = value.strip()
    facts["network"] = "off"
    try:
        socket.create_connection(("192.0.2.1", 9), timeout=0.5).close()
        facts["network"] = "on"
    except OSError as error:
        facts["network"] = "off" if error.errno in (101, 99) else "on"
    facts["writable"] = []
    facts["visible"] = []
    for root in roots:
        if os.access(root, os.W_OK):
            facts["writable"].append(root)
        try:
            if os.listdir(root):
                facts["visible"].append(root)
        except OSError:
            pass
    return facts
'''


def probe(config: sandbox.Config, roots: list[str]) -> dict:
    """What a job can do here, measured by running one (for the run summary)."""
    job = Job(config, 0, time.monotonic() + 60)
    try:
        facts = job.load({"setup": "", "cells": [[0, PROBE]], "function": "probe"})["function"](
            roots)
    except (JobDied, GraderError, core._TimedOut, TypeError) as error:
        facts = {"error": " ".join(job.flags) or type(error).__name__}
    finally:
        job.close()
    return facts


def main() -> None:
    """Serve jobs: first line the configuration, then one job per line; one outcome per line."""
    become_subreaper()
    ctypes.CDLL(None, use_errno=True).prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to the log, never on the channel
    first = json.loads(sys.stdin.readline())
    config = sandbox.Config(**first["config"])
    for setup in first.get("warm", []):  # released setup cells: import their modules once
        try:
            exec(compile(setup, "<released setup>", "exec"), {"__name__": "__warm__"})
        except Exception:  # noqa: BLE001 - reported per job when it matters
            pass
    facts = probe(config, first.get("probe_roots", []))
    channel.write(json.dumps({"ready": True, "facts": facts}, sort_keys=True) + "\n")
    number = 0
    for line in sys.stdin:
        request = json.loads(line)
        number += 1
        outcome = grade(request["job"], config, number, float(first["time_limit"]))
        channel.write(json.dumps(outcome, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
