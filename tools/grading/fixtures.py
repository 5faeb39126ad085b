"""Fixture classes for the grading command, built from exercises/, solutions/ and known wrong or
hostile answers, so that nothing about a class has to be stored.

``python -m tools.grading.fixtures DIR --learners 30`` writes a demonstration class (every
lesson with exercises, a deterministic mix of solved, untouched and wrong answers, and a few
hostile submissions) to grade with ``make grade SUBMISSIONS=DIR OUT=…``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from helpers.arguments import Parser, output_folder, whole
from tools import nbio
from tools.grading.course import load_course

MAX_LEARNERS = 500  # a demonstration class; more only fills the disk


def _load(folder: Path, stem: str) -> dict:
    return json.loads((folder / f"{stem}.ipynb").read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def notebook(stem: str, *, solved: bool = False, functions: dict[str, str] | None = None,
             forged: str | None = None, insert: list[str] | None = None) -> dict:
    """An exercise notebook (or the solution) with some function cells replaced.

    ``functions`` maps a function name to the new source of the cell defining it; ``forged``
    is a stored output line put under every check cell; ``insert`` adds code cells after setup.
    """
    nb = _load(nbio.SOLUTIONS if solved else nbio.EXERCISES, stem)
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for name, source in (functions or {}).items():
            if _defines(_source(cell), name):
                cell["source"] = source
        if forged and _source(cell).startswith("check."):
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": forged}]
    setup = next(k for k, c in enumerate(nb["cells"]) if "as check" in _source(c))
    for offset, source in enumerate(insert or [], start=1):
        nb["cells"].insert(setup + offset, {"cell_type": "code", "execution_count": None,
                                            "metadata": {}, "outputs": [], "source": source})
    return nb


def put(root: Path, relative: str, nb: dict | str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb, indent=1), encoding="utf-8")


START, ONE_GEN = "00_start_here", "one_generation"
MLE = "    return rng.normal(np.mean(data), np.std(data), size=len(data))\n"


EXPECTED_LOST = "def expected_lost(p, m):\n    return float(np.sum((1 - np.asarray(p)) ** m))\n"


def one_gen(body: str) -> str:
    return "def one_generation(data, rng):\n" + body


def build_class(root: Path, vandal: bool = True) -> None:
    """The fixture class: one learner folder per behaviour. ``vandal`` adds a submission that
    tries to overwrite another learner's file (only stopped where the sandbox can mount the
    submissions read-only)."""
    put(root, f"correct/{START}.ipynb", notebook(START, solved=True))
    put(root, "correct/01_mechanism.ipynb", notebook("01_mechanism", solved=True))
    put(root, f"stubs/{START}.ipynb", notebook(START))
    put(root, "stubs/01_mechanism.ipynb", notebook("01_mechanism"))
    # Known wrong answers (the mistakes tests/test_checks_m00.py and _m01.py name).
    put(root, f"mixed/{START} (1).ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    return rng.normal(np.mean(data), np.var(data), size=len(data))\n")}))
    put(root, "mixed/01_mechanism.ipynb", notebook("01_mechanism", functions={ONE_GEN: (
        "def one_generation(data, ddof, rng):\n"
        "    return rng.normal(np.mean(data), np.std(data, ddof=1 - ddof), size=len(data))\n")}))
    # Hostile code: each must cost only its own exercise.
    put(root, f"raises/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    raise ValueError('boom')\n")}))
    put(root, f"exits/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    import sys\n    sys.exit(0)\n")}))
    put(root, "kills/01_mechanism.ipynb", notebook("01_mechanism", functions={
        ONE_GEN: "import os\n\ndef one_generation(data, ddof, rng):\n    os._exit(3)\n",
        "expected_lost": EXPECTED_LOST}))
    put(root, "loops/01_mechanism.ipynb", notebook("01_mechanism", functions={
        "run_chain": "def run_chain(n, generations, ddof, seed):\n    return None\n\n"
                     "while True:\n    pass\n",
        "expected_lost": EXPECTED_LOST}))
    put(root, f"slow/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    import time\n    time.sleep(600)\n")}))
    put(root, f"forges/{START}.ipynb", notebook(
        START, forged="✓ Exercise 00.1 (one generation of the loop): correct.\n"))
    put(root, f"rebinds/{START}.ipynb", notebook(START, insert=[
        "class Fake:\n    def one_generation(self, fn):\n"
        "        print('✓ Exercise 00.1 (one generation of the loop): correct.')\n\n"
        "check = Fake()\n"]))
    put(root, f"network/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    import socket\n    socket.create_connection(('1.1.1.1', 80), timeout=2).close()\n"
        + MLE)}))
    put(root, f"hog/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    big = np.ones(2**40)\n" + MLE)}))
    victim = root / "correct" / f"{START}.ipynb"
    if vandal:
        put(root, f"vandal/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
            f"    open({str(victim)!r}, 'w').write('gone')\n" + MLE)}))
    put(root, f"renamed/{START}.ipynb", notebook(START, functions={ONE_GEN: (
        "def one_gen(data, rng):\n" + MLE)}))
    solved = notebook(START, solved=True)
    solved["cells"] = [c for c in solved["cells"] if not _source(c).startswith("check.")]
    put(root, f"no-check-cells/{START}.ipynb", solved)
    put(root, "broken/01_mechanism.ipynb", '{"cells": [ this is not json')
    put(root, "nested/week1/01_mechanism.ipynb", notebook("01_mechanism"))


def build_demo_class(root: Path, learners: int) -> None:
    """``learners`` learners × every lesson: learner k leaves exercise j untouched when
    (k + j) % 5 == 3, returns None from it when (k + j) % 5 == 4, and solves it otherwise;
    every seventh learner's first exercise calls sys.exit() and every eleventh has a top-level
    loop in the cell of its first exercise."""
    lessons = load_course()
    for k in range(learners):
        for lesson in lessons.values():
            stubs = {e.function: _function_cell(lesson.stem, e.function)
                     for e in lesson.checked}
            functions = {}
            for j, exercise in enumerate(lesson.checked):
                signature = next(line for line in stubs[exercise.function].splitlines()
                                 if line.startswith(_headers(exercise.function)))
                body = "    pass\n" if signature.startswith("class ") else "    return None\n"
                mode = (k + j) % 5
                if j == 0 and k % 7 == 6:
                    functions[exercise.function] = f"{signature}\n    import sys\n    sys.exit()\n"
                elif j == 0 and k % 11 == 10:
                    functions[exercise.function] = (f"{signature}\n    return None\n\n"
                                                    "while True:\n    pass\n")
                elif mode == 3:
                    functions[exercise.function] = stubs[exercise.function]
                elif mode == 4:
                    functions[exercise.function] = f"{signature}\n{body}"
            nb = notebook(lesson.stem, solved=(k % 4 != 3), functions=functions)
            for cell in nb["cells"]:  # as handed in after editing, before re-running
                if cell["cell_type"] == "code":
                    cell["outputs"], cell["execution_count"] = [], None
            put(root, f"learner{k + 1:02d}/{lesson.stem}.ipynb", nb)


def _function_cell(stem: str, function: str) -> str:
    cells = _load(nbio.EXERCISES, stem)["cells"]
    return next(_source(c) for c in cells
                if c["cell_type"] == "code" and _defines(_source(c), function))


def _headers(name: str) -> tuple[str, ...]:
    """How the cell of an exercise's function (or class, as in 06.2) starts its definition."""
    return (f"def {name}(", f"class {name}:", f"class {name}(")


def _defines(source: str, name: str) -> bool:
    return f"def {name}(" in source or any(line.startswith(_headers(name)[1:])
                                           for line in source.splitlines())


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog="python -m tools.grading.fixtures",
                    description="Write a demonstration class to grade.")
    parser.add_argument("folder", type=output_folder, help="output folder (created if needed)")
    parser.add_argument("--learners", type=whole(1, MAX_LEARNERS), default=30,
                        help=f"learners in the class, 1 to {MAX_LEARNERS}")
    parser.add_argument("--hostile", action="store_true",
                        help="write the test suite's class of hostile submissions instead")
    args = parser.parse_args(argv)
    if args.hostile:
        build_class(args.folder)
    else:
        build_demo_class(args.folder, args.learners)
    print(f"wrote {args.folder}")


if __name__ == "__main__":
    main()


# ------------------------------------------------------------------ the hostile class


CHANNEL_ATTACK = '''def one_generation(data, rng):
    import json, os, struct, sys
    frame = getattr(sys, "_get" + "frame")()
    while frame is not None:
        found = frame.f_locals
        if "replies" in found and "token" in found and "request" in found:
            message = {MESSAGE}
            payload = json.dumps(message).encode()
            os.write(found["replies"], struct.pack(">I", len(payload)) + payload)
            break
        frame = frame.f_back
    raise NotImplementedError
'''
# what the three channel attacks put in their forged reply (found: the job's own locals)
CHANNEL_MESSAGES = {
    "chan-notoken": '{"seq": found["request"][1], "value": {"status": "pass"}}',
    "chan-wrongtoken": '{"token": "0" * 32, "seq": found["request"][1], "value": 1.0}',
    "chan-double": '{"token": found["token"], "seq": found["request"][1], '
                   '"value": {"status": "pass", "hint_id": None}}',
}
#: The daemon attack's process name, unique to this process (a process name holds 15 bytes):
#: a test that looks for surviving daemons by name must not find another run's.
DAEMON_NAME = f"gdaemon{os.getpid() % 10**8}"


def build_hostile(root: Path, planted: list[Path]) -> None:
    """Submissions that attack the grader (docs/instructor/grading.md, threat model): each must
    cost only its own exercise, pass nothing it did not earn, and leave no trace. ``planted``:
    files outside OUT that the attacks try to create (the test checks they do not exist)."""
    victim = root / "correct" / f"{START}.ipynb"
    put(root, f"forge-body/{START}.ipynb", notebook(START, insert=[
        "check.one_generation._body = lambda fn: 'correct'\n"]))
    put(root, f"forge-method/{START}.ipynb", notebook(START, insert=[
        "kind = type(check.one_generation)\n"
        "kind._run = lambda self, answer: ('pass', None, 'correct')\n"
        "kind.evaluate = lambda self, answer: None\n"]))
    for learner, message in CHANNEL_MESSAGES.items():
        put(root, f"{learner}/{START}.ipynb", notebook(START, functions={
            ONE_GEN: CHANNEL_ATTACK.replace("{MESSAGE}", message)}))
    put(root, f"killer/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    import os, signal\n    os.kill(-1, signal.SIGKILL)\n" + MLE)}))
    targets = ", ".join(repr(str(p)) for p in planted)
    put(root, f"remount/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    import ctypes, os\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    done = []\n"
        "    for path in ('/', " + repr(str(nbio.ROOT)) + ", " + repr(str(root)) + "):\n"
        "        if libc.mount(None, path.encode(), None, 32 | 4096, None) == 0:\n"
        "            done.append('remounted ' + path)\n"
        "    os.system('mount -o remount,bind,rw / 2>/dev/null')\n"
        f"    for target in ({targets},):\n"
        "        try:\n"
        "            open(target, 'w').write('planted')\n"
        "            done.append('wrote ' + target)\n"
        "        except OSError:\n"
        "            pass\n"
        "    raise RuntimeError('attack results: ' + '; '.join(done))\n")}))
    put(root, f"daemon/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    import ctypes, os, time\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        f"            ctypes.CDLL(None).prctl(15, b{DAEMON_NAME!r}, 0, 0, 0)\n"
        "            time.sleep(600)\n"
        "        os._exit(0)\n"
        "    return data\n")}))
    put(root, f"secret/{START}.ipynb", notebook(START, functions={ONE_GEN: one_gen(
        "    raise ValueError(open('/etc/shadow').read()[:150])\n")}))
    put(root, f"copier/{START}.ipynb", notebook(START, functions={ONE_GEN: (
        "import json\n"
        f"_cells = json.load(open({str(victim)!r}))['cells']\n"
        "exec(next(''.join(c['source']) for c in _cells\n"
        "          if ''.join(c['source']).startswith('def one_generation')))\n"
        "one_generation = globals()['one_generation']\n")}))
    twin = ("def one_generation(data, rng):\n"
            "    values = [float(v) for v in data]\n"
            "    centre = sum(values) / len(values)\n"
            "    squares = [(v - centre) ** 2 for v in values]\n"
            "    spread = (sum(squares) / len(values)) ** 0.5\n"
            "    return rng.normal(centre, spread, size=len(values))\n")
    put(root, f"twin-a/{START}.ipynb", notebook(START, functions={ONE_GEN: twin}))
    put(root, f"twin-b/{START}.ipynb", notebook(START, functions={ONE_GEN: twin.replace(
        "values", "xs").replace("centre", "m").replace("spread", "s")}))
