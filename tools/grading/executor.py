"""Where learner jobs run: an :class:`Executor` takes a picklable :class:`Job` and returns a
future of the sandbox's raw outcome (a dict); the grader turns outcomes into results itself.

- :class:`LocalExecutor`: ``workers`` judges on this machine (the default);
- :class:`DaskExecutor`: the tasks of an existing Dask distributed cluster
  (``--dask-scheduler tcp://host:8786``). Each worker thread starts its own judge on the
  worker, from the worker's own copy of the course, which must be at the grader's commit; the
  judge forks each learner job isolated there and computes the verdict outside it;
- :class:`ReuseExecutor`: returns the outcome stored in OUT by an earlier run for a job whose
  content is unchanged (``--regrade LEARNER`` re-runs only that learner).

Example::

    >>> class Echo:
    ...     def run(self, job): return {"status": "pass", "echo": job["x"]}
    ...     def close(self): pass
    >>> with LocalExecutor([Echo()]) as executor:
    ...     executor.submit(Job(("ada", "00", "00.1"), {"x": 1})).result()["echo"]
    1
"""

from __future__ import annotations

import hashlib
import json
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

Key = tuple[str, str, str]   # learner, lesson, exercise


@dataclass(frozen=True)
class Job:
    """One learner's exercise to run: ``payload`` is the JSON-able job the sandbox reads."""

    key: Key
    payload: dict

    @property
    def digest(self) -> str:
        """A fingerprint of what runs (same payload, same digest)."""
        text = json.dumps(self.payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Runner(Protocol):
    """What runs jobs one at a time: a :class:`tools.grading.client.Judge`."""

    def run(self, job: dict) -> dict: ...

    def close(self) -> None: ...


class Executor(Protocol):
    """``submit(job)`` returns a future of the job's raw outcome; ``close()`` waits for none."""

    def submit(self, job: Job) -> Future: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Jobs on ``runners`` of this machine, each running one job at a time; :meth:`close`
    closes every runner."""

    def __init__(self, runners: list[Runner]) -> None:
        if not runners:
            raise ValueError("runners must hold at least one runner, got none")
        self.runners = list(runners)
        self._idle: queue.Queue = queue.Queue()
        for runner in self.runners:
            self._idle.put(runner)
        self._threads = ThreadPoolExecutor(max_workers=len(self.runners))

    def _run(self, job: Job) -> dict:
        runner = self._idle.get()
        try:
            return runner.run(job.payload)
        finally:
            self._idle.put(runner)

    def submit(self, job: Job) -> Future:
        return self._threads.submit(self._run, job)

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        for runner in self.runners:
            runner.close()

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class SandboxSpec:
    """How a worker starts its judge (picklable: sent to Dask workers). The judge runs on the
    worker, outside any learner's process; it forks one isolated job per exercise there."""

    warm: tuple[str, ...]
    time_limit: float
    memory_mb: int
    commit: str
    isolation: str = "auto"

    def make(self, workdir: Path, first: int = 0) -> Runner:
        """One started judge in ``workdir``, which its jobs cannot see (the course they can)."""
        from tools.grading import client

        judges, _ = client.start_judges(list(self.warm), 1, self.time_limit, self.memory_mb,
                                        [str(workdir)], workdir, self.isolation, first)
        return judges[0]


_worker_runners: dict[int, tuple[SandboxSpec, Runner, Path]] = {}  # per worker thread
_worker_lock = threading.Lock()
_worker_slots: dict[int, int] = {}  # worker thread -> judge index (distinct job uids)


def run_on_worker(payload: dict, spec: SandboxSpec) -> dict:
    """Task body on a Dask worker: this thread's judge runs the job."""
    from tools.grading.course import course_commit

    if course_commit() != spec.commit:
        return {"status": "crashed", "hint_id": "grader-error", "flags": [], "seconds": 0.0,
                "message": f"the Dask worker's course is at commit {course_commit()}, the "
                           f"grader's at {spec.commit}: grade this exercise again."}
    thread = threading.get_ident()
    with _worker_lock:
        current = _worker_runners.get(thread)
        slot = _worker_slots.setdefault(thread, len(_worker_slots) % 10)
    if current is None or current[0] != spec:
        if current is not None:
            _close(current)
        workdir = Path(tempfile.mkdtemp(prefix="grade-dask-"))
        current = (spec, spec.make(workdir, slot), workdir)
        with _worker_lock:
            _worker_runners[thread] = current
    return current[1].run(payload)


def _close(entry: tuple[SandboxSpec, Runner, Path]) -> None:
    entry[1].close()
    shutil.rmtree(entry[2], ignore_errors=True)


def close_worker_runners() -> int:
    """Stop this worker's judges and remove their folders; how many there were."""
    with _worker_lock:
        entries = list(_worker_runners.values())
        _worker_runners.clear()
    for entry in entries:
        _close(entry)
    return len(entries)


def _worker_isolation() -> str:
    """What the judges of this worker measured with their probe jobs (the summary's text)."""
    with _worker_lock:
        said = sorted({getattr(e[1], "described", "") for e in _worker_runners.values()})
    return " / ".join(s for s in said if s)  # "" when no job ran on this worker


class DaskExecutor:
    """Jobs as tasks of the Dask cluster ``client`` is connected to (see :func:`connect`)."""

    def __init__(self, client, spec: SandboxSpec) -> None:
        self.client, self.spec = client, spec
        self._count = 0

    def submit(self, job: Job) -> Future:
        self._count += 1
        task = self.client.submit(run_on_worker, job.payload, self.spec, pure=False,
                                  key=f"grade-{self._count}-{job.digest[:16]}")
        done: Future = Future()

        def copy(finished) -> None:
            try:
                done.set_result(finished.result())
            except BaseException as error:  # noqa: BLE001 - a lost worker is one job's result
                done.set_result({"status": "crashed", "hint_id": "grader-error", "flags": [],
                                 "seconds": 0.0,
                                 "message": f"the Dask task failed ({type(error).__name__}); "
                                            "grade this exercise again."})

        task.add_done_callback(copy)
        return done

    def isolation(self) -> str:
        """What protects the class on the workers, one sentence per distinct answer."""
        answers = sorted(set(self.client.run(_worker_isolation).values()) - {""})
        workers = len(self.client.scheduler_info().get("workers", {}))
        return f"on {workers} Dask workers: " + " / ".join(answers)

    def close(self) -> None:
        try:
            self.client.run(close_worker_runners)
        finally:
            self.client.close()


CONNECT_SECONDS = 20.0


def connect(address: str):
    """A Dask client for the scheduler at ``address`` (waiting at most :data:`CONNECT_SECONDS`),
    or a ValueError naming the option."""
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("--dask-scheduler needs the dask[distributed] package "
                         "(pip install 'dask[distributed]')") from None
    try:
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ValueError(f"--dask-scheduler {address}: cannot connect "
                         f"({type(error).__name__}: {str(error).splitlines()[0][:120]})"
                         ) from None


@dataclass
class ReuseExecutor:
    """Outcomes stored by an earlier run for unchanged jobs of learners not in ``fresh``;
    everything else goes to ``inner``. ``stored`` maps a key to (digest, outcome)."""

    inner: Executor
    stored: dict[Key, tuple[str, dict]]
    fresh: set[str]
    reused: int = 0
    outcomes: dict[Key, tuple[str, dict]] = field(default_factory=dict)

    def submit(self, job: Job) -> Future:
        old = self.stored.get(job.key)
        if job.key[0] not in self.fresh and old is not None and old[0] == job.digest:
            self.reused += 1
            done: Future = Future()
            done.set_result(dict(old[1]))
            future = done
        else:
            future = self.inner.submit(job)
        future.add_done_callback(lambda f: self.outcomes.__setitem__(
            job.key, (job.digest, f.result())))
        return future

    def close(self) -> None:
        self.inner.close()


def run_jobs(jobs: list[Job], executor: Executor, record: Callable[[Key, dict], None],
             quiet: bool = True) -> None:
    """Submit every job, then hand each outcome to ``record`` (in this thread) as it arrives."""
    start, done = time.monotonic(), 0
    futures = {executor.submit(job): job.key for job in jobs}
    for future in as_completed(futures):
        key = futures[future]
        record(key, future.result())
        done += 1
        if not quiet and (done % 10 == 0 or done == len(jobs)):
            print(f"graded {done}/{len(jobs)} exercises ({time.monotonic() - start:.0f} s; "
                  f"last: {key[0]} · {key[2]})", file=sys.stderr, flush=True)
