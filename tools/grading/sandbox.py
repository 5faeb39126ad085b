"""Run one exercise of one learner in a throwaway process, and bring back the check's result.

The grader starts one *sandbox server* per worker (``python -m tools.grading.sandbox``), with a
scrubbed environment, a temporary HOME and, where the OS allows it, no network and a read-only
view of the course, the submissions and the output folder (``unshare --net --mount`` when run as
root). The server imports the course once, then forks one child per job:

1. the child gets its own process group, a memory limit (``RLIMIT_AS``), a file-size limit,
   its own temporary HOME and working folder, and stdin/stdout/stderr on ``/dev/null``;
2. it takes references to the check's ``evaluate`` and a snapshot of the course modules
   *before* any learner code runs;
3. it runs the released setup cell, then the learner's cells the exercise needs (each cell's
   exceptions, ``SystemExit`` included, are recorded and do not stop the next cell);
4. it calls ``evaluate`` on the learner's function itself and writes one JSON line, carrying a
   random token known only to this child, to a private pipe; stored outputs and anything the
   notebook prints are never read.

The server waits with a wall-clock limit and kills the child's whole process group on timeout
and after every job. A child that dies without a valid message is ``crashed``; one past the
limit is ``timeout``. See docs/instructor/grading.md for the threat model.

Protocol: one JSON job per line on stdin, one JSON result per line on stdout (moved to a private
fd at start, so that nothing else the server or a child prints can reach it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Modules whose public attributes a learner must not replace; compared before and after a job.
_SERVER_CHANNEL = -1  # the server's own result fd, closed in every child
WATCHED_PREFIXES = ("helpers", "numpy", "scipy", "math", "builtins", "statistics", "random")


def _snapshot() -> dict[str, dict[str, int]]:
    watched = {}
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(WATCHED_PREFIXES):
            continue
        if name.startswith(("numpy", "scipy")) and name.count(".") > 1:
            continue  # the top levels (np.mean, np.random.default_rng) are what checks use
        try:
            watched[name] = {k: id(v) for k, v in vars(module).items() if not k.startswith("__")}
        except TypeError:
            continue
    return watched


def _changed(before: dict[str, dict[str, int]]) -> list[str]:
    changed = []
    for name, attrs in before.items():
        module = sys.modules.get(name)
        if module is None:
            changed.append(f"{name} (removed)")
            continue
        now = vars(module)
        changed += [f"{name}.{k}" for k, v in attrs.items() if k not in now or id(now[k]) != v]
    return sorted(changed)


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return type(error).__name__ + (f": {text[0][:200]}" if text else "")


def _run_child(job: dict, channel: int, token: str, memory_mb: int) -> None:
    """Body of the forked child; never returns."""
    os.setpgid(0, 0)
    os.close(_SERVER_CHANNEL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    limit = _address_space() + memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 2**20, 64 * 2**20))
    home = tempfile.mkdtemp(prefix="home-")
    os.environ["HOME"] = home
    os.chdir(home)
    # Everything the grader relies on is taken before any learner code runs.
    write, dumps, exit_now = os.write, json.dumps, os._exit
    evaluate = getattr(importlib.import_module(job["module"]), job["check"]).evaluate
    before = _snapshot()
    outcome: dict[str, Any] = {"token": token, "cell_errors": []}
    namespace: dict[str, Any] = {"__name__": "__main__", "display": lambda *a, **k: None}
    try:
        exec(compile(job["setup"], "<released setup>", "exec"), namespace)
    except BaseException as error:  # noqa: BLE001 - the released setup failing is reported
        outcome["setup_error"] = _describe(error)
    for index, source in job["cells"]:
        try:
            exec(compile(source, f"<cell {index}>", "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 - learner code may raise anything
            outcome["cell_errors"].append(f"cell {index}: {_describe(error)}")
    function = namespace.get(job["function"])
    if function is None:
        outcome.update(status="missing", hint_id="function-missing",
                       message=f"`{job['function']}` is not defined after running your cells.")
    else:
        try:
            outcome.update(_result_fields(evaluate(function)))
        except SystemExit:
            outcome.update(status="fail", hint_id="exited",
                           message="your function called sys.exit() (or raised SystemExit) "
                                   "instead of returning a value.")
        except BaseException as error:  # noqa: BLE001 - the check must not take us down
            outcome.update(status="crashed", hint_id="check-error",
                           message=f"the check could not finish ({_describe(error)}).")
    outcome["tampered"] = _changed(before)
    data = (dumps(outcome, sort_keys=True) + "\n").encode()
    while data:
        data = data[write(channel, data):]
    exit_now(0)


def _result_fields(result: Any) -> dict[str, Any]:
    fields = {name: getattr(result, name, None)
              for name in ("schema", "exercise", "title", "status", "hint_id", "message")}
    return {k: v for k, v in fields.items() if v is not None}


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def run_job(job: dict, time_limit: float, memory_mb: int) -> dict:
    """Fork a child for ``job``, wait at most ``time_limit`` seconds, return its outcome."""
    read_end, write_end = os.pipe()
    token = secrets.token_hex(16)
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            _run_child(job, write_end, token, memory_mb)
        finally:
            os._exit(70)
    os.close(write_end)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child already did it, or has already exited
    chunks, status, timed_out = [], None, False
    while status is None:
        ready, _, _ = select.select([read_end], [], [], 0.05)
        if ready:
            chunk = os.read(read_end, 65536)
            if chunk:
                chunks.append(chunk)
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
        elif time.monotonic() - start > time_limit:
            timed_out = True
            _kill_group(pid)
            _, status = os.waitpid(pid, 0)
    _kill_group(pid)  # whatever the learner left running in the group
    os.set_blocking(read_end, False)
    try:
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    os.close(read_end)
    seconds = time.monotonic() - start
    return _outcome(b"".join(chunks), token, status, timed_out, time_limit, seconds)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _outcome(data: bytes, token: str, status: int, timed_out: bool, time_limit: float,
             seconds: float) -> dict:
    messages, forged = [], 0
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            forged += 1
            continue
        if isinstance(message, dict) and message.pop("token", None) == token:
            messages.append(message)
        else:
            forged += 1
    flags = ["result channel written by learner code"] if forged or len(messages) > 1 else []
    if timed_out:
        outcome = {"status": "timeout", "hint_id": "timeout",
                   "message": f"stopped after {time_limit:g} s (a loop that never ends, at the "
                              "top level of a cell or in your function?)."}
    elif len(messages) != 1:
        how = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit code {os.WEXITSTATUS(status)}")
        outcome = {"status": "crashed", "hint_id": "process-died",
                   "message": f"the process running your code ended before the check could "
                              f"report ({how}): os._exit(), a crash, or running out of memory."}
    else:
        outcome = messages[0]
    if outcome.get("tampered"):
        flags.append("course code replaced at run time: " + ", ".join(outcome["tampered"][:5]))
    outcome["flags"] = flags + outcome.get("flags", [])
    outcome["seconds"] = round(seconds, 3)
    return outcome


def _read_only_mounts(paths: list[str]) -> list[str]:
    """Inside a private mount namespace, make ``paths`` read-only; return those that worked."""
    done = []
    for path in paths:
        if not Path(path).exists():
            continue
        bind = subprocess.run(["mount", "--bind", path, path], capture_output=True)
        ro = subprocess.run(["mount", "-o", "remount,bind,ro", path, path], capture_output=True)
        if bind.returncode == 0 and ro.returncode == 0:
            done.append(path)
    return done


def serve(warm: list[str], read_only: list[str], memory_mb: int, time_limit: float) -> None:
    """Answer jobs from stdin until it closes."""
    global _SERVER_CHANNEL
    _SERVER_CHANNEL = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    out = os.fdopen(_SERVER_CHANNEL, "w", encoding="utf-8", buffering=1)
    mounted = _read_only_mounts(read_only) if read_only else []
    for setup in warm:  # import what the released setup cells import, once
        try:
            exec(compile(setup, "<released setup>", "exec"), {"__name__": "__warm__"})
        except Exception:  # noqa: BLE001 - reported per job when it matters
            pass
    out.write(json.dumps({"ready": True, "read_only": mounted}) + "\n")
    for line in sys.stdin:
        job = json.loads(line)
        out.write(json.dumps(run_job(job, time_limit, memory_mb), sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="JSON: warm, read_only, memory_mb, "
                                                         "time_limit")
    args = parser.parse_args(argv)
    config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    serve(config["warm"], config["read_only"], config["memory_mb"],
          config["time_limit"])


if __name__ == "__main__":
    main()
