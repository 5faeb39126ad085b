"""Reports: fill a Markdown template with a run's numbers and export it with its figure.

A template is Markdown with `Jinja2 <https://jinja.palletsprojects.com>`_ slots
(``{{ results.var | fmt(".3f") }}``, ``{% for p in policies %}...{% endfor %}``)
filled from the results, plus learner slots ``[[ name: prompt ]]``: the parts
only the learner can write, shown as a clearly marked place to write unless
the learner's text is passed in ``texts``.

:func:`render` refuses a template that names a result that does not exist, and
any number in the generated text that no slot filled from a result: every
number the report shows is the value at its own place in the results (a
policy's measure at a generation), so it cannot borrow a number that happens
to equal some other result. :func:`mislabelled` checks the same in prose a
learner writes: a quoted number must belong to a policy the sentence names.
:func:`write_report` writes ``report.md``, ``figure.png``, ``figure.svg`` and
``results.json`` together, atomically (:mod:`helpers.output`), into the folder the
caller names, and never overwrites a folder that holds anything else unless asked.

>>> print(render('Variance fell to {{ var | fmt(".2f") }}. [[ why: Explain. ]]', {"var": 0.25}))
Variance fell to 0.25. *✍ Your words (why): Explain.*
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from helpers.output import check_folder, write_files
from helpers.validate import check_nesting

__all__ = ["render", "fill", "numbers_in", "unmeasured", "mislabelled", "write_report",
           "check_replaceable", "FolderInUse", "REPORT_FILES", "TEMPLATES"]

LEARNER = re.compile(r"\[\[\s*([A-Za-z_]\w*)\s*:\s*(.*?)\s*\]\]", re.S)
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?%?")
MARKER = ".model-collapse-report"
REPORT_FILES = ("report.md", "figure.png", "figure.svg", "results.json", MARKER)


class FolderInUse(FileExistsError, ValueError):
    """A report folder that holds files other than an earlier report's: a bad ``folder``
    argument (a ``ValueError``), and still a ``FileExistsError`` for callers that catch one."""


def _leaves(value: Any) -> list[float]:
    if isinstance(value, Mapping):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _leaves(v)]
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            return [float(value)]
        except OverflowError:  # an int beyond any float: no written number is it
            return []
    return []


def _results(results: Any, name: str = "results") -> None:
    """Refuse ``results`` that is not a dict with str keys or nests too deeply to walk."""
    if not isinstance(results, Mapping) or not all(isinstance(k, str) for k in results):
        raise TypeError(f"{name} must be a dict with str keys, got {type(results).__name__}")
    check_nesting(results, name)


def numbers_in(text: str) -> list[str]:
    """The numbers written in ``text`` (thousands separators, decimals, exponents, percents).

    >>> numbers_in("W1 fell from 0.52 to 1,250 (12.5%) at generation 20")
    ['0.52', '1,250', '12.5%', '20']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return NUMBER.findall(text)


def _explained(token: str, leaves: list[float]) -> bool:
    """True when the written number ``token`` is some result leaf, rounded as written."""
    percent = token.endswith("%")
    body = token.rstrip("%").replace(",", "").replace("−", "-")
    value = float(body)
    decimals = len(body.split(".")[1].split("e")[0].split("E")[0]) if "." in body else 0
    if "e" in body.lower():
        mantissa = body.lower().split("e")[0]
        decimals_m = len(mantissa.split(".")[1]) if "." in mantissa else 0
        tol = abs(value) * 0.5 * 10.0 ** (-decimals_m) / max(abs(float(mantissa)), 1e-300)
    else:
        tol = 0.5 * 10.0 ** (-decimals)
    scale = 100.0 if percent else 1.0
    return any(abs(leaf * scale - value) <= tol * (1 + 1e-9) + 1e-12 for leaf in leaves)


# Every number a slot fills is wrapped in these two characters while the report is checked:
# a number outside them was typed into the template, or computed there, not read from a result.
_OPEN, _CLOSE = "\x02", "\x03"


class _Int(int):
    """An int read from the results (it knows its place there)."""

    path = ""


class _Float(float):
    """A float read from the results (it knows its place there)."""

    path = ""


class _Filled(str):
    """Text read from the results (a name, a label) or a result formatted by ``fmt``."""


def _tag(value: Any, path: str = "") -> Any:
    if isinstance(value, Mapping):
        return {_tag(k): _tag(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tag(v, f"{path}.{i}") for i, v in enumerate(value)]
    if isinstance(value, str):
        return _Filled(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return value
    tagged = _Int(value) if isinstance(value, numbers.Integral) else _Float(value)
    tagged.path = path
    return tagged


def _fmt(value: Any, spec: str = "") -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"a result is {value}")
    text = format(value, spec)
    return _Filled(text) if isinstance(value, (_Int, _Float)) else text


def _finalize(value: Any) -> Any:
    if isinstance(value, (_Filled, _Int, _Float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"a result is {value}")
        return f"{_OPEN}{value}{_CLOSE}"
    return value


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                          keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                          finalize=_finalize)
_ENV.filters["fmt"] = _fmt
_FILLED = re.compile(f"{_OPEN}[^{_CLOSE}]*{_CLOSE}")
_FILL_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                          undefined=jinja2.StrictUndefined, autoescape=False,
                          keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
_FILL_ENV.filters["fmt"] = _fmt
_FILL_ENV.filters["cell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
TEMPLATES = Path(__file__).parent / "templates"


def fill(name: str, **values: Any) -> str:
    """Fill the course's template ``helpers/templates/<name>`` (Jinja2, the settings of
    :func:`render`) with ``values``; no number check (see :func:`render` for reports).

    >>> fill("risk_register.md", names=["a", "b"], rows=[("x|y", "z")])
    '| A | B |\\n|---|---|\\n| x\\\\|y | z |\\n'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a template file name (str), got {type(name).__name__}")
    known = sorted(p.name for p in TEMPLATES.glob("*.md"))
    if name not in known:
        raise ValueError(f"name must be one of {known}, got {name!r}")
    needed = _variables(name)
    if set(values) != needed:
        raise ValueError(f"template {name} cannot be filled: it takes the values "
                         f"{sorted(needed)}, got {sorted(values)}")
    for key, value in values.items():
        _plain(value, key)
    try:
        return _FILL_ENV.get_template(name).render(**values)
    except Exception as error:  # a value of the wrong form for its place in the template
        raise ValueError(f"template {name} cannot be filled from {sorted(values)}: "
                         f"{str(error)[:200]}") from None


@functools.cache
def _variables(name: str) -> frozenset[str]:
    """The names a course template reads."""
    source = _FILL_ENV.loader.get_source(_FILL_ENV, name)[0]
    return frozenset(jinja2.meta.find_undeclared_variables(_FILL_ENV.parse(source)))


_PLAIN = (str, int, float, bool, type(None))
_MAX_NESTING = 8


def _plain(value: Any, name: str) -> None:
    """Refuse a template value that is not plain data (str, number, bool, None, or lists,
    tuples and dicts of them, nested at most :data:`_MAX_NESTING` deep): an arbitrary
    object could fail, lie about its length or never end when the template walks it."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, _PLAIN):
            continue
        if depth >= _MAX_NESTING or not isinstance(item, (list, tuple, dict)):
            raise TypeError(f"{name} must be plain data (str, numbers, lists, tuples, dicts "
                            f"nested at most {_MAX_NESTING} deep), got "
                            f"{type(item).__name__} inside")
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)


def unmeasured(text: str, results: Mapping[str, Any]) -> list[str]:
    """The numbers written in ``text`` that are none of the results' numbers, rounded as written.

    >>> unmeasured("tails fell to 0.41 (41%) after 10 generations, not 0.5", {"t": 0.412, "g": 10})
    ['0.5']
    """
    written = numbers_in(text)  # refuses a text that is not a str
    _results(results)
    leaves = _leaves(results)
    return list(dict.fromkeys(t for t in written if not _explained(t, leaves)))


def _generate(template: str, results: Mapping[str, Any]) -> str:
    """The template filled from ``results``; every Jinja2 failure is a one-line ValueError."""
    try:
        return _ENV.from_string(template).render(**_tag(results))
    except jinja2.UndefinedError as error:
        raise ValueError(f"the report has an unfilled slot: {error}") from None
    except jinja2.TemplateSyntaxError as error:
        raise ValueError(f"template line {error.lineno}: {error.message}") from None
    except (ValueError, TypeError) as error:
        raise ValueError(f"the report has a slot that cannot be filled: {error}") from None


_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n\s*\n")
_ALIASES = {"replace": ("replace", "replacement", "replacing"),
            "accumulate": ("accumulate", "accumulation", "accumulating"),
            "accumulate_subsample": ("accumulate_subsample", "subsampl"),
            "reservoir": ("reservoir", "real share", "real fraction")}
_ALIASES["mix"] = _ALIASES["reservoir"]  # the deprecated name of the policy


def _names(policy: str, entry: Any) -> tuple[str, ...]:
    kind = entry.get("policy", policy) if isinstance(entry, Mapping) else policy
    return (policy.lower(),) + _ALIASES.get(kind, _ALIASES.get(policy, ()))


def mislabelled(text: str, results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(number, sentence)`` pairs where a quoted number belongs to a policy the sentence does
    not name.

    A number in ``text`` is tied to the places in ``results`` that hold it (rounded
    as written). Numbers of the whole run (setting, detection) are free, and so
    is a number every policy holds (generation 0, which all policies share); a
    number found only under ``results["policies"][name]`` must share its sentence with
    that policy's name (``replace``/``replacement``, ``accumulate``/``accumulation``,
    ``reservoir:0.1``/``reservoir``). Numbers held by no result are
    :func:`unmeasured`'s business and skipped here.

    >>> res = {"policies": {"replace": {"end": 0.011}, "accumulate": {"end": 0.061}}}
    >>> mislabelled("Accumulation kept 0.011 of the tail.", res)
    [('0.011', 'Accumulation kept 0.011 of the tail.')]
    >>> mislabelled("Replacement kept 0.011; accumulation 0.061.", res)
    []
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    _results(results)
    policies = results.get("policies", {})
    if not isinstance(policies, Mapping):
        raise TypeError(f"results['policies'] must be a dict of policy -> results, got "
                        f"{type(policies).__name__}")
    free = [x for k, v in results.items() if k != "policies" for x in _leaves(v)]
    owned = {name: _leaves(entry) for name, entry in policies.items()}
    found: list[tuple[str, str]] = []
    for sentence in (s.strip() for s in _SENTENCE.split(text)):
        lower = sentence.lower()
        named = {name for name, entry in policies.items()
                 if any(alias in lower for alias in _names(name, entry))}
        for token in numbers_in(sentence):
            if _explained(token, free):
                continue
            owners = {name for name, leaves in owned.items() if _explained(token, leaves)}
            if owners and owners != set(owned) and not owners & named:
                found.append((token, sentence))
    return found


def render(template: str, results: Mapping[str, Any], texts: Mapping[str, str] | None = None
           ) -> str:
    """Fill ``template`` from ``results`` (and the learner's ``texts``); see the module docstring.

    The results' top-level keys are the template's variables. Raises
    ``ValueError`` for a slot naming a missing result, a format that does not
    fit its value, a NaN or infinite result, a template syntax error, and every
    number in the generated text that is not one of the results' numbers as
    written (rounded as shown; ``12.5%`` stands for 0.125).
    """
    if not isinstance(template, str):
        raise TypeError(f"template must be a str, got {type(template).__name__}")
    _results(results)
    texts = {} if texts is None else texts
    if not isinstance(texts, Mapping) or not all(isinstance(v, str) for v in texts.values()):
        raise TypeError("texts must map learner slot names to str")
    generated = _generate(template, results)
    skeleton = LEARNER.sub("", generated)
    if re.search(r"\b(nan|inf)\b", skeleton, re.I):
        raise ValueError("the report shows nan or inf: a result is not a finite number")
    strays = list(dict.fromkeys(numbers_in(_FILLED.sub(" ", skeleton))))
    if strays:
        raise ValueError("template: the report shows numbers that no slot read from the "
                         "results: " + ", ".join(strays))
    generated = generated.replace(_OPEN, "").replace(_CLOSE, "")
    unknown = sorted(set(texts) - {m.group(1) for m in LEARNER.finditer(generated)})
    if unknown:
        raise ValueError(f"texts names slots the template does not have: {unknown}")

    def learner(match: re.Match) -> str:
        name, prompt = match.group(1), " ".join(match.group(2).split())
        if texts.get(name, "").strip():
            return texts[name].strip()
        return f"*✍ Your words ({name}): {prompt}*"

    return LEARNER.sub(learner, generated)


def _jsonable(value: Any, path: str = "results") -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, f"{path}.{i}") for i, v in enumerate(value)]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if not math.isfinite(float(value)):
            raise ValueError(f"{path} is {float(value)}; results must be finite numbers")
        return float(value)
    raise TypeError(f"{path} must be a number, str, list or dict, got {type(value).__name__}")


def write_report(folder: str | os.PathLike, *, markdown: str, results: Mapping[str, Any],
                 figure: Any, overwrite: bool = False) -> Path:
    """Write ``report.md``, ``figure.png``, ``figure.svg`` and ``results.json`` into ``folder``.

    ``folder`` is where the caller says, checked first (:func:`check_replaceable`: no
    symbolic link, no system folder, no directory where a file goes, ...). All files
    are written by the one atomic writer, :func:`helpers.output.write_files`, so a
    failure leaves no half-written report. A folder that already holds a report made
    here is replaced; one that holds anything else is refused with :class:`FolderInUse`
    unless ``overwrite=True`` (then only the report's own files
    in it are replaced). ``figure`` is a matplotlib Figure. Returns the folder's path.
    """
    folder = check_folder(folder, REPORT_FILES)
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a str, got {type(markdown).__name__}")
    if not hasattr(figure, "savefig"):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    _results(results)
    payload = json.dumps(_jsonable(results), indent=2, sort_keys=True, ensure_ascii=False)
    if "{{" in markdown or "{%" in markdown:
        raise ValueError("markdown still has unfilled {{ }} slots: render it first")
    check_replaceable(folder, overwrite)

    def figure_as(kind: str) -> Callable[[Path], None]:
        def save(path: Path) -> None:
            import matplotlib

            with matplotlib.rc_context({"svg.hashsalt": "model-collapse",
                                        "svg.fonttype": "none"}):
                if kind == "png":
                    figure.savefig(path, format="png", dpi=150, metadata={"Software": None})
                else:
                    figure.savefig(path, format="svg", metadata={"Date": None})
        return save

    write_files(folder, {"report.md": markdown, "results.json": payload + "\n",
                         MARKER: "written by helpers.report\n",
                         "figure.png": figure_as("png"), "figure.svg": figure_as("svg")})
    return folder


def check_replaceable(folder: str | os.PathLike, overwrite: bool = False) -> Path:
    """Refuse a report ``folder`` that cannot take a report (:func:`helpers.output.check_folder`)
    or that holds files other than an earlier report's, unless ``overwrite`` (then only the
    report's own files in it are replaced). Call it before a long run: nothing is written.
    """
    folder = check_folder(folder, REPORT_FILES)
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False, got {type(overwrite).__name__}")
    existing = set(os.listdir(folder)) if folder.exists() else set()
    ours = MARKER in existing and existing <= set(REPORT_FILES)
    if existing and not ours and not overwrite:
        raise FolderInUse(f"folder: {folder} already holds other files; choose an empty "
                          "folder or pass overwrite=True")
    return folder
