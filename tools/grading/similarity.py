"""Similar code: winnowed fingerprints of normalised tokens, reported as flags, never verdicts.

The method is the one behind MOSS (Schleimer, Wilkerson and Aiken, "Winnowing: local
algorithms for document fingerprinting", SIGMOD 2003): the code is cut into Python tokens,
names become ``V``, numbers ``0``, strings ``S`` and comments disappear (renaming variables or
reformatting changes nothing); every run of :data:`K` tokens is hashed, and of every
:data:`W` consecutive hashes the smallest is kept. Two pieces of code are compared by the
Jaccard index of their kept hashes.

For each checked exercise the code compared is the cells the grader ran for it. Hashes of the
released stub are removed first (everybody starts from it); a piece of code with fewer than
:data:`MIN_FINGERPRINTS` hashes left is too short to say anything and is never flagged. Flags:

* ``matches the public worked solution (similarity 0.97)``: against the solution notebook;
* ``similar to <learner>'s code (similarity 0.91)``: between two learners, after also removing
  the solution's hashes and those shared by more than half of the class (common code).

>>> a = "def f(x):\\n    total = 0\\n    for v in x:\\n        total += v * v\\n    return total"
>>> b = "def g(y):\\n    s = 0\\n    for w in y:  # squares\\n        s += w*w\\n    return s"
>>> fingerprints(a) == fingerprints(b) and len(fingerprints(a)) > 3
True
"""

from __future__ import annotations

import hashlib
import io
import keyword
import tokenize
from dataclasses import dataclass
from itertools import combinations

from tools.grading.course import Lesson

K = 5                     # tokens per hashed run
W = 4                     # hashes per window
MIN_FINGERPRINTS = 12     # fewer kept hashes than this: too short to compare
THRESHOLD = 0.8           # Jaccard index from which a pair is flagged
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


def tokens(source: str) -> list[str]:
    """Normalised tokens of ``source`` (as far as it tokenizes)."""
    out: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in _SKIP:
                continue
            if token.type == tokenize.NAME:
                out.append(token.string if keyword.iskeyword(token.string) else "V")
            elif token.type == tokenize.NUMBER:
                out.append("0")
            elif token.type == tokenize.STRING:
                out.append("S")
            elif token.type in (tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE):
                out.append(tokenize.tok_name[token.type][0])
            else:
                out.append(token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def fingerprints(source: str) -> frozenset[int]:
    """The winnowed hashes of ``source``'s normalised tokens."""
    items = tokens(source)
    hashes = [int.from_bytes(hashlib.blake2b("\x1f".join(items[i:i + K]).encode(),
                                             digest_size=8).digest(), "big")
              for i in range(len(items) - K + 1)]
    if len(hashes) <= W:
        return frozenset(hashes)
    return frozenset(min(hashes[i:i + W]) for i in range(len(hashes) - W + 1))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass(frozen=True)
class Flag:
    learner: str
    exercise: str
    text: str


def flags(lessons: dict[str, Lesson], code: dict[tuple[str, str], dict[str, str]]) -> list[Flag]:
    """Similarity flags for every learner × checked exercise; ``code`` maps (learner, lesson)
    to {exercise id: the code run for it}."""
    found: list[Flag] = []
    for lesson in lessons.values():
        for exercise in lesson.checked:
            stub = fingerprints(exercise.stub)
            solution = fingerprints(exercise.solution) - stub
            mine = {learner: fingerprints(text) - stub
                    for (learner, number), texts in sorted(code.items())
                    if number == lesson.number and (text := texts.get(exercise.id))}
            mine = {k: v for k, v in mine.items() if len(v) >= MIN_FINGERPRINTS}
            for learner, prints in mine.items():
                score = jaccard(prints, solution)
                if len(solution) >= MIN_FINGERPRINTS and score >= THRESHOLD:
                    found.append(Flag(learner, exercise.id, "matches the public worked solution "
                                                            f"(similarity {score:.2f})"))
            counts: dict[int, int] = {}
            for prints in mine.values():
                for value in prints:
                    counts[value] = counts.get(value, 0) + 1
            common = {v for v, n in counts.items() if n > len(mine) / 2} if len(mine) > 3 \
                else set()
            own = {k: v - solution - common for k, v in mine.items()}
            for (a, pa), (b, pb) in combinations(sorted(own.items()), 2):
                if min(len(pa), len(pb)) < MIN_FINGERPRINTS:
                    continue
                score = jaccard(pa, pb)
                if score >= THRESHOLD:
                    found += [Flag(a, exercise.id, f"similar to {b}'s code (similarity "
                                                   f"{score:.2f})"),
                              Flag(b, exercise.id, f"similar to {a}'s code (similarity "
                                                   f"{score:.2f})")]
    return found
