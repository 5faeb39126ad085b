"""Executors: the local pool runs each job on one runner at a time, reused outcomes are exactly
the stored ones for unchanged jobs, and a class graded on a two-worker Dask cluster (loopback
only) gets the same grades as on the local pool."""

from __future__ import annotations

import doctest
import threading
import time

import pytest

from tools import grade
from tools.grading import executor as executor_module
from tools.grading.course import course_commit
from tools.grading.executor import (
    Job,
    LocalExecutor,
    ReuseExecutor,
    SandboxSpec,
    run_jobs,
    run_on_worker,
)
from tools.grading.fixtures import START, notebook, put


def test_doctest_examples():
    assert doctest.testmod(executor_module).failed == 0


class Counting:
    """A runner that notes how many jobs it runs at once."""

    active = 0
    most = 0
    lock = threading.Lock()

    def __init__(self, k: int) -> None:
        self.k, self.closed = k, False

    def run(self, job: dict) -> dict:
        with Counting.lock:
            Counting.active += 1
            Counting.most = max(Counting.most, Counting.active)
        time.sleep(0.02)
        with Counting.lock:
            Counting.active -= 1
        return {"runner": self.k, "job": job["n"]}

    def close(self) -> None:
        self.closed = True


def test_local_pool_runs_every_job_once_one_job_per_runner_at_a_time():
    Counting.active = Counting.most = 0
    seen = {}
    runners = [Counting(k) for k in range(3)]
    pool = LocalExecutor(runners)
    run_jobs([Job(("l", "00", f"00.{n}"), {"n": n}) for n in range(20)], pool,
             lambda key, outcome: seen.__setitem__(key, outcome))
    pool.close()
    assert sorted(o["job"] for o in seen.values()) == list(range(20))
    assert {o["runner"] for o in seen.values()} == {0, 1, 2} and Counting.most <= 3
    assert all(r.closed for r in runners)


def test_local_pool_closes_runners_it_never_used_and_refuses_none():
    runners = [Counting(k) for k in range(2)]
    LocalExecutor(runners).close()
    assert all(r.closed for r in runners)
    with pytest.raises(ValueError, match="runners must hold at least one runner"):
        LocalExecutor([])


def test_reuse_only_for_unchanged_jobs_of_learners_not_regraded():
    calls = []

    class Inner:
        def submit(self, job):
            from concurrent.futures import Future
            calls.append(job.key)
            done = Future()
            done.set_result({"status": "fresh"})
            return done

        def close(self):
            pass

    same, changed, regraded = (Job(("bob", "00", "00.1"), {"cells": [1]}),
                               Job(("cy", "00", "00.1"), {"cells": [2]}),
                               Job(("ada", "00", "00.1"), {"cells": [3]}))
    stored = {same.key: (same.digest, {"status": "pass"}),
              changed.key: (Job(changed.key, {"cells": [99]}).digest, {"status": "pass"}),
              regraded.key: (regraded.digest, {"status": "pass"})}
    reuse = ReuseExecutor(Inner(), stored, {"ada"})
    outcomes = {job.key: reuse.submit(job).result() for job in (same, changed, regraded)}
    assert outcomes == {same.key: {"status": "pass"}, changed.key: {"status": "fresh"},
                        regraded.key: {"status": "fresh"}}
    assert calls == [changed.key, regraded.key] and reuse.reused == 1
    assert reuse.outcomes[same.key] == (same.digest, {"status": "pass"})


def test_a_worker_at_another_commit_runs_nothing():
    spec = SandboxSpec(warm=(), time_limit=5.0, memory_mb=256, commit="not-this-one")
    outcome = run_on_worker({"module": "x"}, spec)
    assert (outcome["status"], outcome["hint_id"]) == ("crashed", "grader-error")
    assert "not-this-one" in outcome["message"]


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask-class")
    put(root, f"ada/{START}.ipynb", notebook(START, solved=True))
    put(root, f"bob/{START}.ipynb", notebook(START))
    put(root, f"cy/{START}.ipynb", notebook(START, functions={"one_generation": (
        "def one_generation(data, rng):\n    raise ValueError('boom')\n")}))
    return root


def test_a_class_on_a_two_worker_dask_cluster_matches_the_local_pool(small_class, tmp_path):
    distributed = pytest.importorskip("distributed")
    assert course_commit() != "unknown"
    local, remote = tmp_path / "local", tmp_path / "dask"
    assert grade.main([str(small_class), "-o", str(local), "--quiet", "--time-limit", "20"]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert grade.main([str(small_class), "-o", str(remote), "--quiet", "--time-limit",
                           "20", "--dask-scheduler", cluster.scheduler_address]) == 0
        with distributed.Client(cluster.scheduler_address) as client:
            # the grader stopped the workers' judges when it finished
            left = client.run(executor_module.close_worker_runners)
            assert list(left.values()) == [0, 0]
    for name in ("grades.csv", "grades_wide.csv", "points.csv", "scores.csv",
                 "rubric-sheet.csv"):
        assert (remote / name).read_bytes() == (local / name).read_bytes(), name
    statuses = (remote / "grades.csv").read_text(encoding="utf-8")
    assert "ada,00,00.1,code,pass" in statuses and "bob,00,00.1,code,not_attempted" in statuses
    assert "cy,00,00.1,code,fail" in statuses
    summary = (remote / "summary.md").read_text(encoding="utf-8")
    # each worker's judge reports what its probe job measured, as the local judges do
    assert "on 2 Dask workers: mode `" in summary


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(executor_module, "CONNECT_SECONDS", 2.0)
    (tmp_path / "subs").mkdir()
    code = grade.main([str(tmp_path / "subs"), "-o", str(tmp_path / "out"), "--quiet",
                       "--dask-scheduler", "tcp://127.0.0.1:9"])
    error = capsys.readouterr().err
    assert code == 2 and error.startswith("usage error: --dask-scheduler tcp://127.0.0.1:9: "
                                          "cannot connect")
    assert error.count("\n") == 1 and not (tmp_path / "out").exists()
