"""The learner side of grading: a job process that only runs learner code.

For each learner × exercise the judge (:mod:`tools.grading.judge`) forks one *job*. Before any
learner code runs, the job is isolated (:func:`isolate`, strongest where the grader is root):

* its own PID namespace (the job is its PID 1: when it ends, every process it started is
  killed by the kernel, double forks and ``setsid`` included), network namespace (no
  interfaces: no network), IPC and UTS namespaces, and mount namespace;
* in that mount namespace every mount is re-mounted read-only; the submissions, OUT and the
  grader's working folder are covered by empty file systems (invisible); ``/tmp``,
  ``/var/tmp``, ``/dev/shm`` and ``/run/lock`` are fresh private ``tmpfs`` (the job's only
  writable places, gone with the job); folders other users cannot enter (``/root``) are
  covered too, with only the Python installation and the course bound back, read-only;
* its own user and group id (unique per job, never a real account), no supplementary groups,
  an empty capability bounding set, no capabilities, ``no_new_privs``: it cannot undo a mount,
  signal or trace the judge, or read files other users cannot read (instructor files 0600);
* limits: address space (``--memory-mb``), file size 64 MB, 256 processes, no core files.

Then it answers the judge's requests on a pipe (:func:`serve`): load the released setup and the
learner's cells, call an object with arguments, read an attribute. Requests come as pickles (the
judge is trusted); replies go back in the restricted format of :mod:`tools.grading.wire`, so
nothing the learner controls is ever unpickled or executed by the judge or for another learner.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import resource
import secrets
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tools.grading import wire

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 1, 24, 28
PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 36, 38, 47
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
SPECIAL = ("/proc", "/sys", "/dev")
FILE_LIMIT = 64 * 2**20
PROCESS_LIMIT = 256
UID_BASE = 1_000_000

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass
class Config:
    """How jobs are isolated; sent by the grader to each judge (never read from a file)."""

    mode: str                      # "root", "userns" or "none" (see tools.grading.client)
    memory_mb: int
    hide: list[str] = field(default_factory=list)      # covered by an empty tmpfs
    readable: list[str] = field(default_factory=list)  # kept readable (Python, the course)
    worker: int = 0
    uid_base: int = UID_BASE
    cpu_seconds: int = 600         # a backstop should the judge itself be killed


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    _check(_libc.mount(source.encode() if source else None, target.encode(),
                       fstype.encode() if fstype else None, ctypes.c_ulong(flags),
                       data.encode() if data else None), f"mount {target}")


def _mount_points() -> list[tuple[str, set[str]]]:
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as info:
        for line in info:
            parts = line.split()
            point = parts[4].encode("latin-1", "ignore").decode("unicode_escape", "ignore")
            points.append((point, set(parts[5].split(","))))
    return points


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r + "/") for r in roots)


def _blocked_ancestor(path: str) -> str | None:
    """The first folder above ``path`` that other users cannot enter, if any."""
    current = Path("/")
    for part in Path(path).parts[1:]:
        current = current / part
        try:
            if current.is_dir() and not os.stat(current).st_mode & 0o001:
                return str(current)
        except OSError:
            return None
    return None


def _private_filesystem(config: Config) -> None:
    """Read-only everything, hide what must not be seen, private tmp (inside a new mount ns).

    The steps run in this order, each mount in the order written in its function."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    blocked = _open_blocked_readables(config.readable)
    _remount_read_only()
    _hide(config.hide)
    _restore_blocked_readables(blocked)
    _private_tmp(config.hide)


def _open_blocked_readables(readable: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Keep what Python and the course need, where a folder on the way is closed to others:
    an ``O_PATH`` descriptor of each such folder, by the closed folder above it (opened
    before anything is remounted or hidden)."""
    blocked: dict[str, list[tuple[str, int]]] = {}
    for path in readable:
        top = _blocked_ancestor(path)
        if top and os.path.isdir(path):
            blocked.setdefault(top, []).append((path, os.open(path, os.O_PATH)))
    return blocked


def _remount_read_only() -> None:
    """Every mount point (parents first, outside :data:`SPECIAL`) read-only and nosuid,
    keeping its nodev and noexec."""
    for point, options in sorted(_mount_points(), key=lambda p: p[0].count("/")):
        if _under(point, SPECIAL) or not os.path.isdir(point):
            continue
        extra = (MS_NODEV if "nodev" in options else 0) | (MS_NOEXEC if "noexec" in options
                                                           else 0)
        try:
            _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | extra)
        except OSError:
            _mount(point, point, None, MS_BIND | MS_REC)
            _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | extra)


def _hide(hide: list[str]) -> None:
    """Cover each folder of ``hide`` by an empty read-only tmpfs."""
    for path in hide:
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=0555")


def _restore_blocked_readables(blocked: dict[str, list[tuple[str, int]]]) -> None:
    """Replace each closed folder by a tmpfs that holds only read-only binds of the folders
    kept open in :func:`_open_blocked_readables` (their descriptors are closed here)."""
    for top, keep in blocked.items():
        _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        for path, fd in keep:
            os.makedirs(path, mode=0o755, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
            os.close(fd)
        _mount(None, top, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _private_tmp(hide: list[str]) -> None:
    """A private, writable tmpfs over each folder of :data:`PRIVATE_TMP` that is not hidden."""
    for path in PRIVATE_TMP:
        if os.path.isdir(path) and not _under(path, tuple(hide)):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV,
                   f"size={FILE_LIMIT * 4},mode=1777")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _drop_privileges(config: Config, uid: int) -> None:
    """Own uid/gid (root mode), no capabilities in any set, no_new_privs."""
    if config.mode == "userns":
        _check(_libc.prctl(PR_SET_SECUREBITS, 0x3, 0, 0, 0), "securebits")  # NOROOT, locked
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL
    if config.mode == "root":
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _limits(memory_mb: int, cpu_seconds: int, per_uid: bool) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    limit = _address_space() + memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if per_uid:  # counted per user: each job has its own uid
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESS_LIMIT, PROCESS_LIMIT))


def uid_base(grader_pid: int) -> int:
    """First job uid of the grading run in process ``grader_pid`` (runs side by side differ)."""
    return UID_BASE + (grader_pid % 4000) * 1_000_000


def job_uid(base: int, worker: int, number: int) -> int:
    """The uid of a job: unique among the jobs that can run at the same time."""
    return base + worker * 100_000 + number % 100_000


def spawn(config: Config, number: int, preset: Any = None) -> tuple[int, int, int, str]:
    """Fork an isolated job; returns (pid, request fd, reply fd, token). The caller (the judge)
    must be a child subreaper: the job is re-parented to it and killed by pid. ``preset``: an
    object already in memory that the job answers for instead of a function its cells define
    (tests run the checks' own test answers through a job this way)."""
    to_job_r, to_job_w = os.pipe()
    from_job_r, from_job_w = os.pipe()
    control_r, control_w = os.pipe()
    token = secrets.token_hex(16)
    first = os.fork()
    if first == 0:  # intermediate process: new namespaces, then the job as their PID 1
        code = 70
        try:
            if config.mode != "none":
                _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
                                     | CLONE_NEWUTS), "unshare")
            pid = os.fork()
            if pid == 0:
                os.close(control_w)
                _job(config, number, to_job_r, from_job_w, token, preset)
            os.write(control_w, struct.pack(">i", pid))
            code = 0
        finally:
            os._exit(code)
    for fd in (to_job_r, from_job_w, control_w):
        os.close(fd)
    os.waitpid(first, 0)
    data = os.read(control_r, 4)
    os.close(control_r)
    if len(data) != 4:
        for fd in (to_job_w, from_job_r):
            os.close(fd)
        raise OSError("the job could not be started")
    return struct.unpack(">i", data)[0], to_job_w, from_job_r, token


def _job(config: Config, number: int, requests: int, replies: int, token: str,
         preset: Any) -> None:
    """Body of the job process; never returns."""
    try:
        if config.mode == "none":
            os.setsid()  # the judge kills the job's process group
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        low, high = sorted((requests, replies))
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, 65536)
        if config.mode != "none":
            _private_filesystem(config)
            os.sethostname("sandbox") if hasattr(os, "sethostname") else None
        _limits(config.memory_mb, config.cpu_seconds, per_uid=config.mode == "root")
        if config.mode != "none":
            _drop_privileges(config, job_uid(config.uid_base, config.worker, number))
        home = "/tmp/home" if config.mode != "none" else None
        if home is None:
            import tempfile
            home = tempfile.mkdtemp(prefix="grade-home-") + "/home"
        os.makedirs(home, exist_ok=True)
        os.environ.update(HOME=home, TMPDIR=os.path.dirname(home), MPLCONFIGDIR=home)
        os.chdir(home)
    except BaseException as error:  # noqa: BLE001 - report why isolation failed, then stop
        try:
            wire.write_frame(replies, wire.encode({"token": token, "seq": 0, "isolation_error":
                                                   f"{type(error).__name__}: {error}"[:300]}))
        finally:
            os._exit(71)
    serve(requests, replies, token, preset)
    os._exit(0)


# ------------------------------------------------------------------ answering the judge


class _Unpickler(pickle.Unpickler):
    """Requests from the judge (trusted); generators and sandbox objects by reference."""

    def __init__(self, data: bytes, objects: list[Any], generators: list) -> None:
        import io
        super().__init__(io.BytesIO(data))
        self.objects, self.generators = objects, generators

    def persistent_load(self, pid: Any) -> Any:
        kind, value = pid
        if kind == "ref":
            return self.objects[value]
        if kind == "sqlite":  # a copy of the judge's in-memory database
            import sqlite3

            connection = sqlite3.connect(":memory:", isolation_level=None)
            connection.executescript("\n".join(value))
            return connection
        if kind == "gen":
            from helpers.checks.core import RecordingGenerator

            index, recording, seed, state = value
            if index < len(self.generators):
                return self.generators[index]
            bit_generator = getattr(np.random, state["bit_generator"])()
            bit_generator.state = state
            if recording:
                rng = RecordingGenerator(seed)
                rng.bit_generator.state = state
            else:
                rng = np.random.Generator(bit_generator)
            self.generators.append(rng)
            return rng
        raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")


def _describe(error: BaseException) -> dict:
    try:
        text = str(error)
    except BaseException:  # noqa: BLE001 - a learner's __str__ may raise anything
        text = "<message could not be printed>"
    category = ("not_implemented" if isinstance(error, NotImplementedError) else
                "exception" if isinstance(error, Exception) else
                "system_exit" if isinstance(error, SystemExit) else
                "keyboard" if isinstance(error, KeyboardInterrupt) else "base")
    return {"type": type(error).__name__, "text": " ".join(text.split())[:400],
            "category": category}


class _Table:
    """Objects that stay in the sandbox, by id (the learner's function is id 0)."""

    def __init__(self) -> None:
        self.objects: list[Any] = []
        self.ids: dict[int, int] = {}

    def register(self, value: Any) -> wire.Ref:
        key = id(value)
        if key not in self.ids:
            self.ids[key] = len(self.objects)
            self.objects.append(value)
        try:
            is_callable = callable(value)
        except BaseException:  # noqa: BLE001
            is_callable = False
        return wire.Ref(self.ids[key], type(value).__name__, bool(is_callable))


def _state(value: Any) -> dict | None:
    """The attributes of a judge-side object a learner function may update (plain ones)."""
    attributes = getattr(value, "__dict__", None)
    if not isinstance(attributes, dict):
        return None
    out = {}
    for name, item in list(attributes.items()):
        if isinstance(item, (list, tuple, dict, np.ndarray, int, float, str)):
            try:
                out[name] = wire.to_plain(item)
            except BaseException:  # noqa: BLE001
                continue
    return out


def _call(table: _Table, request: tuple, token: str, generators: list) -> dict:
    from helpers.checks import core

    _, seq, handle, (args, kwargs) = request
    target = table.objects[handle]
    before = core._snapshot((args, kwargs))
    judged = [(i, a) for i, a in enumerate(args) if not isinstance(a, (
        np.ndarray, list, tuple, dict, np.random.Generator)) and id(a) not in table.ids]
    states = {i: _state(a) for i, a in judged}
    made: list = []
    legacy = [0]
    default_rng, seed = np.random.default_rng, np.random.seed

    def recording_default_rng(*a: Any, **k: Any) -> np.random.Generator:
        made.append(a[0] if a else k.get("seed"))
        return default_rng(*a, **k)

    def recording_seed(*a: Any, **k: Any) -> None:
        legacy[0] += 1
        seed(*a, **k)

    np.random.default_rng, np.random.seed = recording_default_rng, recording_seed
    reply: dict[str, Any] = {"token": token, "seq": seq}
    try:
        result = target(*args, **kwargs)
        reply["value"] = result
    except BaseException as error:  # noqa: BLE001 - learner code may raise anything
        reply["raised"] = _describe(error)
    finally:
        np.random.default_rng, np.random.seed = default_rng, seed
    reply["made"] = made[:1000]
    reply["legacy"] = legacy[0]
    reply["generators"] = [{"state": g.bit_generator.state,
                            "draws": [[d.method, d.args, d.kwargs, d.count]
                                      for d in getattr(g, "draws", [])][:10_000]}
                           for g in generators]
    if not core._unchanged((args, kwargs), before):
        reply["mutated"] = {"args": [a if isinstance(a, (np.ndarray, list, dict)) else None
                                     for a in args],
                            "kwargs": {k: v for k, v in kwargs.items()
                                       if isinstance(v, (np.ndarray, list, dict))}}
    updated = {}
    for i, value in judged:
        now = _state(value)
        if now is not None and now != states[i]:
            updated[str(i)] = {k: vars(value)[k] for k, v in now.items()
                               if states[i].get(k) != v}
    if updated:
        reply["updated"] = updated
    return reply


def _load(table: _Table, request: tuple, token: str) -> dict:
    _, seq, job = request
    namespace: dict[str, Any] = {"__name__": "__main__", "display": lambda *a, **k: None}
    reply: dict[str, Any] = {"token": token, "seq": seq, "cell_errors": []}
    try:
        exec(compile(job["setup"], "<released setup>", "exec"), namespace)
    except BaseException as error:  # noqa: BLE001 - the released setup failing is reported
        reply["setup_error"] = f"{error.__class__.__name__}: {str(error)[:200]}"
    for index, source in job["cells"]:
        try:
            exec(compile(source, f"<cell {index}>", "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 - learner code may raise anything
            described = _describe(error)
            reply["cell_errors"].append(f"cell {index}: {described['type']}: "
                                        f"{described['text'][:200]}")
    function = namespace.get(job["function"]) if job["function"] else table.objects[0]
    reply["function"] = function
    return reply


def serve(requests: int, replies: int, token: str, preset: Any = None) -> None:
    """Answer the judge until it sends ``end`` or closes the pipe."""
    table = _Table()
    if preset is not None:
        table.register(preset)
    while True:
        try:
            payload = wire.read_frame(requests, float("inf"))
        except (wire.Closed, wire.WireError):
            return
        generators: list = []
        request = _Unpickler(payload, table.objects, generators).load()  # the judge: trusted
        kind = request[0]
        if kind == "end":
            return
        if kind == "load":
            reply = _load(table, request, token)
        elif kind == "call":
            reply = _call(table, request, token, generators)
        else:  # getattr
            _, seq, handle, name = request
            reply = {"token": token, "seq": seq}
            try:
                reply["value"] = getattr(table.objects[handle], name)
            except BaseException as error:  # noqa: BLE001
                reply["raised"] = _describe(error)
        try:
            data = wire.encode(reply, table.register)
        except BaseException as error:  # noqa: BLE001 - e.g. a value JSON cannot hold
            data = wire.encode({"token": token, "seq": reply["seq"],
                                "raised": _describe(error)})
        wire.write_frame(replies, data)


if __name__ == "__main__":  # pragma: no cover - the job is forked, never started as a script
    sys.exit("tools.grading.sandbox is used by tools.grading.judge")
