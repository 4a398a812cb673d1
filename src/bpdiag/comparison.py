"""The learner's own values against bpdiag's: one line per name with the largest difference and a
verdict, so that "my notebook says X" leads straight to the first quantity that goes wrong.

Any subset of the course's names may be given (AL, cost, dAL, dZ2, dW2, db1, dA0, …, and X, Y,
W1, b1, … which are compared with the data's own). A value
agrees when its largest difference is at most `tolerance` times the larger of the two values'
largest magnitudes (so a gradient of 1e-9 is held to 1e-16, not to an absolute 1e-7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .npzdata import DataError
from .quantities import aliases, forward_names, gradient_names
from .verify import CheckReport

DEFAULT_TOLERANCE = 1e-7


@dataclass(frozen=True)
class Comparison:
    """One name: its shape in each, the largest difference (None when the shapes differ or the
    learner's value is not finite) relative to the values' size, and whether they agree."""

    name: str        # as the learner named it (AL)
    course: str      # bpdiag's name for it (A3)
    found: tuple[int, ...]
    needed: tuple[int, ...]
    largest: float | None
    relative: float | None
    agrees: bool
    problem: str = ""  # why there is no difference to show

    def line(self) -> str:
        name = self.name if self.name == self.course else f"{self.name} ({self.course})"
        verdict = "agrees" if self.agrees else "DIFFERS"
        if self.largest is None:
            return f"{name:<12}{_shape(self.needed):<14}{self.problem:<52}{verdict}"
        detail = f"largest difference {self.largest:.2e} ({self.relative:.1e} of its size)"
        return f"{name:<12}{_shape(self.needed):<14}{detail:<52}{verdict}"

    def as_json(self) -> dict:
        return {"name": self.name, "as": self.course, "shape": list(self.found),
                "expected_shape": list(self.needed), "max_abs_difference": self.largest,
                "relative_difference": self.relative, "agrees": self.agrees,
                "problem": self.problem or None}


def _shape(dims) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def compare(report: CheckReport, mine: Mapping[str, np.ndarray], *, source: str = "mine",
            tolerance: float = DEFAULT_TOLERANCE) -> list[Comparison]:
    """Each of the learner's values against the report's, in the order bpdiag computes them.

    A name bpdiag does not know, or a value that is not numbers, is bad input (DataError naming
    every such key); a wrong shape or a NaN is a disagreement, reported on its line.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not (
            0 < tolerance < 1):
        raise DataError([f"tolerance {tolerance!r} must be a number between 0 and 1, e.g. 1e-7"])
    network = report.network
    given = {"X": report.problem.x, "Y": report.problem.y, **report.problem.params}
    ours = {**given, **report.forward, **report.backward}
    order = [*given, *forward_names(network), "cost", *gradient_names(network)]
    alias = aliases(network)
    problems, wanted = [], {}
    for key, value in mine.items():
        course = alias.get(key, key)
        if course not in ours:
            problems.append(f"{source}: unknown name {key}; give values named as bpdiag's "
                            f"(Z1, A1, …, AL, cost, dAL, dZ{network.depth}, dW1, db1, dA0, …)")
            continue
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            problems.append(f"{source}: {key} holds {array.dtype} values; needed real numbers")
            continue
        if course in wanted.values():
            problems.append(f"{source}: {key} and another name both stand for {course}; keep one")
            continue
        wanted[key] = course
    if not mine:
        problems.append(f"{source}: holds no values; save some with np.savez(\"{source}\", "
                        "AL=AL, dW1=grads[\"dW1\"], …)")
    if problems:
        raise DataError(problems)
    rank = {name: index for index, name in enumerate(order)}
    results = []
    for key in sorted(wanted, key=lambda k: rank[wanted[k]]):
        results.append(_one(key, wanted[key], np.asarray(mine[key], dtype=np.float64),
                            np.asarray(ours[wanted[key]]), tolerance))
    return results


def _one(name: str, course: str, theirs: np.ndarray, ours: np.ndarray,
         tolerance: float) -> Comparison:
    if course == "cost" and theirs.size == 1:  # the course squeezes the cost to a scalar
        theirs = theirs.reshape(())
    if theirs.shape != ours.shape:
        return Comparison(name, course, theirs.shape, ours.shape, None, None, False,
                          f"shape {_shape(theirs.shape)}, needed {_shape(ours.shape)}")
    if not np.all(np.isfinite(theirs)):
        return Comparison(name, course, theirs.shape, ours.shape, None, None, False,
                          "holds NaN or infinity")
    largest = float(np.max(np.abs(theirs - ours))) if ours.size else 0.0
    size = max(float(np.max(np.abs(ours))), float(np.max(np.abs(theirs)))) if ours.size else 0.0
    relative = largest / size if size else 0.0
    return Comparison(name, course, theirs.shape, ours.shape, largest, relative,
                      largest <= tolerance * size)
