"""Starting and talking to sandbox servers (see :mod:`tools.grading.sandbox`)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

from tools import nbio

SAFE_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"


def isolation_mode() -> list[str]:
    """The strongest ``unshare`` prefix this machine allows (empty list: none)."""
    private = ["--net", "--mount", "--propagation", "private"]
    user = ["--user", "--map-root-user"]  # unprivileged users, where user namespaces are allowed
    for prefix in (["unshare", *private], ["unshare", "--net"], ["unshare", *user, *private],
                   ["unshare", *user, "--net"]):
        try:
            ok = subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return prefix
    return []


def describe_isolation(prefix: list[str], read_only: list[str]) -> str:
    """One sentence for the summary: what protects the class from a submission."""
    if not prefix:
        return ("no network namespace (`unshare --net` is not available here: run the grader as "
                "root, or where user namespaces are allowed, to cut the network); process group, "
                "time and memory limits, scrubbed environment and temporary HOME still apply")
    mounts = (" and a read-only view of the course, the submissions and the output folder"
              if read_only else "")
    return (f"no network (`{' '.join(prefix)}`){mounts}; own process group, time and memory "
            "limits, scrubbed environment and temporary HOME per exercise")


class Sandbox:
    """One sandbox server process; :meth:`run` sends a job and returns its outcome."""

    def __init__(self, workdir: Path, prefix: list[str], warm: list[str], read_only: list[str],
                 time_limit: float, memory_mb: int) -> None:
        self.workdir, self.prefix, self.time_limit = workdir, prefix, time_limit
        self.config = workdir / "sandbox.json"
        self.config.write_text(json.dumps({"warm": warm, "read_only": read_only if prefix and
                                           "--mount" in prefix else [],
                                           "memory_mb": memory_mb, "time_limit": time_limit}),
                               encoding="utf-8")
        self.process: subprocess.Popen | None = None
        self.read_only: list[str] = []

    def start(self) -> None:
        home = Path(tempfile.mkdtemp(prefix="home-", dir=self.workdir))
        env = {"PATH": SAFE_PATH, "HOME": str(home), "TMPDIR": str(home), "LANG": "C.UTF-8",
               "LC_ALL": "C.UTF-8", "PYTHONPATH": str(nbio.ROOT), "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
               "MPLCONFIGDIR": str(self.workdir / "matplotlib"), "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        log = open(self.workdir / f"sandbox-{os.getpid()}-{id(self)}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [*self.prefix, sys.executable, "-m", "tools.grading.sandbox",
             "--config", str(self.config)],
            cwd=nbio.ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            text=True, encoding="utf-8", bufsize=1, start_new_session=True)
        log.close()
        ready = self._read_line(300)
        if ready is None:
            raise RuntimeError("the sandbox server did not start; see " + str(self.workdir))
        self.read_only = json.loads(ready).get("read_only", [])

    def _read_line(self, timeout: float) -> str | None:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return line or None

    def run(self, job: dict) -> dict:
        """Grade one exercise; a server that fails is restarted and the job reported crashed."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(job) + "\n")
            self.process.stdin.flush()
            line = self._read_line(self.time_limit + 60)
        except OSError:
            line = None
        if line is None:
            self.close()
            return {"status": "crashed", "hint_id": "grader-error", "flags": [], "seconds": 0.0,
                    "message": "the grader's sandbox failed on this exercise; grade it by hand."}
        return json.loads(line)

    def close(self) -> None:
        if self.process is not None:
            if self.process.stdin:
                self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
            if self.process.stdout:
                self.process.stdout.close()
            self.process = None
