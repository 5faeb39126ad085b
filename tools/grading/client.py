"""Starting judges and talking to them (see :mod:`tools.grading.judge`), and what isolation holds.

Isolation modes, strongest first (:func:`modes`):

``root``    the grader runs as root: each job gets its own uid/gid, no capabilities, its own
            PID, network, IPC and mount namespaces, a read-only file system with the
            submissions, OUT and the grader's files hidden, and a private ``/tmp``.
``userns``  not root, but unprivileged user namespaces are allowed: the judge runs in a user
            namespace (``unshare --user --map-root-user``) and each job gets the same
            namespaces, read-only file system and private ``/tmp``, without capabilities; but
            all jobs run as the grading user's own uid, so files only that user can read
            (outside the hidden folders) stay readable to learner code.
``none``    neither: each job is a separate process with its own session, time, memory and
            file-size limits, nothing more. Learner code runs with the grading user's rights.

The mode in force and what a probe job measured (uid, capabilities, PID 1, network, which
folders it could see or write) are written to the summary.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from tools import nbio
from tools.grading import sandbox

SAFE_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
MODES = ("root", "userns", "none")


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run([*command, "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def modes(requested: str = "auto") -> list[str]:
    """Isolation modes to try, strongest first (``requested`` forces a weaker one)."""
    if requested != "auto":
        return [requested]
    found = []
    if os.geteuid() == 0 and _works(["unshare", "--pid", "--fork", "--mount", "--net"]):
        found.append("root")
    if _works(["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount", "--net"]):
        found.append("userns")
    return [*found, "none"]


def describe(mode: str, facts: dict, reason: str = "") -> str:
    """Sentences for the summary: the mode, and what the probe job measured."""
    if "error" in facts:
        return f"mode `{mode}`; the probe job failed ({facts['error']})."
    # the uid itself differs between runs (sandbox.uid_base): say what it is, not its number
    uid = ("uid 0 inside the user namespace (your own uid outside)" if mode == "userns" else
           "uid 0 (root!)" if facts.get("uid") == 0 else
           "its own uid (not a real account)" if facts.get("uid", 0) >= sandbox.UID_BASE
           else f"uid {facts.get('uid')}")
    parts = [f"mode `{mode}`" + (f" ({reason})" if reason else ""), uid,
             f"effective capabilities {facts.get('CapEff')}",
             f"bounding set {facts.get('CapBnd')}",
             f"no_new_privs {facts.get('NoNewPrivs')}",
             "own PID namespace (the job is PID 1)" if facts.get("pid") == 1
             else "no PID namespace (processes a job starts are killed with its session)",
             f"network {facts.get('network')}",
             "writable by learner code: " + (", ".join(facts.get("writable", [])) or "none of "
                                             "the course, SUBMISSIONS, OUT"),
             "visible to learner code: " + (", ".join(facts.get("visible", [])) or "none of "
                                            "SUBMISSIONS, OUT")]
    text = "; ".join(parts) + "."
    if mode == "none":
        text += (" WARNING: no sandbox here (not root, no user namespaces): learner code runs "
                 "with your user's rights and can read and write what you can. Use these "
                 "grades for feedback only, or grade as root in a throwaway container.")
    elif mode == "userns":
        text += (" Jobs run as your own uid inside a user namespace: files only your user can "
                 "read, outside the hidden folders, stay readable to learner code.")
    return text


def _environment(home: Path) -> dict[str, str]:
    return {"PATH": SAFE_PATH, "HOME": str(home), "TMPDIR": str(home), "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8", "PYTHONPATH": str(nbio.ROOT), "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(home),
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class Judge:
    """One judge process; :meth:`run` sends a job and returns its outcome."""

    def __init__(self, workdir: Path, mode: str, config: sandbox.Config, warm: list[str],
                 time_limit: float, probe_roots: list[str]) -> None:
        self.workdir, self.mode, self.time_limit = workdir, mode, time_limit
        self.first = json.dumps({"config": asdict(config), "warm": warm,
                                 "time_limit": time_limit, "probe_roots": probe_roots})
        self.process: subprocess.Popen | None = None
        self.facts: dict = {}
        self.described = ""  # the summary's sentence, once start_judges has started it

    def start(self) -> dict:
        """Start the judge; returns the probe's facts (``{"error": ...}`` if it failed)."""
        home = self.workdir / "home"
        home.mkdir(exist_ok=True)
        prefix = ["unshare", "--user", "--map-root-user"] if self.mode == "userns" else []
        log = open(self.workdir / "judge.log", "ab")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "tools.grading.judge"], cwd=nbio.ROOT,
            env=_environment(home), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            text=True, encoding="utf-8", bufsize=1, start_new_session=True)
        log.close()
        assert self.process.stdin is not None
        self.process.stdin.write(self.first + "\n")
        self.process.stdin.flush()
        line = self._read_line(300)
        if line is None:
            self.close()
            return {"error": "the judge did not start; see " + str(self.workdir / "judge.log")}
        self.facts = json.loads(line).get("facts", {})
        return self.facts

    def _read_line(self, timeout: float) -> str | None:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        return self.process.stdout.readline() or None

    def run(self, job: dict) -> dict:
        """Grade one exercise; a judge that fails is restarted and the job reported crashed."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps({"job": job}) + "\n")
            self.process.stdin.flush()
            line = self._read_line(self.time_limit + 120)
            outcome = json.loads(line) if line else None
        except (OSError, ValueError):
            outcome = None
        if not isinstance(outcome, dict):
            self.close()
            return {"status": "crashed", "hint_id": "grader-error", "flags": [], "seconds": 0.0,
                    "message": "the grader failed on this exercise; grade it by hand."}
        return outcome

    def close(self) -> None:
        if self.process is None:
            return
        if self.process.stdin:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self.process = None


def readable_paths() -> list[str]:
    """What a job must still be able to read: the Python installation and the course."""
    paths = {sys.prefix, sys.base_prefix, str(nbio.ROOT)}
    for entry in sys.path:
        if entry and os.path.isdir(entry) and not entry.startswith(tuple(paths)):
            paths.add(entry)
    return sorted(paths)


def start_judges(warm: list[str], count: int, time_limit: float, memory_mb: int,
                 hide: list[str], workdir: Path, isolation: str = "auto", first: int = 0
                 ) -> tuple[list[Judge], str]:
    """``count`` judges in the strongest isolation mode whose probe job succeeds, and the
    summary's sentence. ``warm``: setup lines to import once per judge; ``hide``: folders no
    job may see (SUBMISSIONS, OUT, ``workdir``), never the course, which jobs need; ``first``: the
    index of the first judge among the judges of this process (their job uids must differ).

    Example (on a Dask worker, one judge for the worker thread)::

        judges, sentence = start_judges(["import numpy"], 1, 60.0, 1024, [tmp], Path(tmp))
    """
    if str(nbio.ROOT) in hide or any(Path(h) in nbio.ROOT.parents for h in hide):
        raise ValueError(f"hide must not contain the course ({nbio.ROOT}): jobs need it")
    reason, failures = "", []
    for mode in modes(isolation):
        config = sandbox.Config(mode=mode, memory_mb=memory_mb, hide=hide,
                                readable=readable_paths(),
                                uid_base=sandbox.uid_base(os.getpid()),
                                cpu_seconds=int(min(time_limit, 86_400)) + 5)
        judges = []
        for k in range(max(1, count)):
            folder = workdir / f"judge{k}-{mode}"
            folder.mkdir()
            config.worker = first + k
            judges.append(Judge(folder, mode, sandbox.Config(**{**config.__dict__}),
                                warm, time_limit, hide))
        facts = judges[0].start()
        if "error" not in facts:
            for judge in judges[1:]:
                judge.start()
            described = describe(mode, facts, reason)
            for judge in judges:
                judge.described = described
            return judges, described
        judges[0].close()
        reason = f"mode `{mode}` failed its probe: {facts['error']}"
        failures.append(reason)
    # "none" fails only when the grader itself cannot run a job here: say why for each mode
    raise RuntimeError("no isolation mode could start a job: " + "; ".join(failures))
