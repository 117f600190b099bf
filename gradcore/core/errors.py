"""The one exception hierarchy of :mod:`gradcore`.

Every error that :mod:`gradcore` raises on purpose is a :class:`GradcoreError`,
itself a :class:`ValueError`, so callers can catch one class.
"""

from __future__ import annotations

from dataclasses import dataclass

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a network, its data or its results.

    Attributes
    ----------
    location : tuple of str and int
        Where the problem is, as a path into the arguments, e.g.
        ``("layers", 1, "weights")`` for the weights of the second layer
        (indices are 0-based; messages count layers from 1, as W_1 … W_L).
    message : str
        A sentence in the notation of the seed notes, naming the shapes.
    """

    location: Location
    message: str


class GradcoreError(ValueError):
    """Base class of every error raised by :mod:`gradcore`.

    Parameters
    ----------
    problems : list of Problem
        What is wrong; at least one.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.message for problem in problems))


class ShapeError(GradcoreError):
    """The network, its inputs or its targets do not fit together."""


class NonFiniteError(GradcoreError):
    """A result of the computation is not a finite float64 (overflow or NaN)."""


class ParameterError(GradcoreError):
    """A numerical parameter of a computation (a learning rate, a number of steps) is out of range."""
