"""The byte screen: refuse, before parsing, a body whose bytes alone show that it is over a limit.

Parsing turns every JSON value into a Python object (tens of bytes each) and
every mistake into an error object, so a 16 MiB body of ``[0],`` rows or of
``{}`` layers would cost a gigabyte and seconds before a limit could be
checked on the parsed request. The counts here are upper bounds that hold for
every valid body, so no request within the limits is ever refused here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from service.domain.errors import ServiceError
from service.domain.fastpath.counting import count_bytes
from service.domain.limits import limit_exceeded
from service.domain.settings import Settings

OBJECTS_PER_LAYER = 6
"""A layer object, its weights and bias as compact tensors, and either claimed gradients of both as compact tensors
or a layer of the Hessian–vector request's ``vector`` with V_k and v_k as compact tensors."""
OTHER_OBJECTS = 4
"""The body, the network, and the inputs and targets as compact tensors."""
MEMBERS_PER_OBJECT = 16
"""More object members than this per object on average: no request has that many fields."""


MAX_INCLUDE = 64
"""Most ``include`` entries: more than every endpoint has field names, so a longer list only repeats them."""

START, BEFORE = 1, 2
_CLASS = np.zeros(256, dtype=np.uint8)
_CLASS[list(b"-0123456789")] = START
_CLASS[list(b"[,: \t\r\n")] = BEFORE
"""Each byte's class: a number may start with it, or come just after it."""


def count_numbers(body: bytes) -> int:
    """The JSON numbers in ``body``, at least: a ``-`` or digit just after ``[``, ``,``, ``:`` or white space.

    A request's strings (names, keys, base64) hold none of those before a digit, so in a valid body only
    numbers count; a compact tensor's shape adds two, any other member one at most.
    """
    classes = _CLASS[np.frombuffer(body, dtype=np.uint8)]
    return int(np.count_nonzero((classes[1:] == START) & (classes[:-1] == BEFORE)))


def could_flood(body: bytes, settings: Settings) -> bool:
    """Whether ``body`` is long enough to hold more than ``max_numbers`` numbers (two bytes each at least: ``0,``).

    A shorter body needs no screen before simdjson reads it: its arrays of
    numbers take at most some 24 bytes a number (simdjson's tape and the
    float64 arrays), a few MB, and the other values are bounded by
    :data:`service.domain.fastpath.fastjson.MAX_OBJECTS`.
    """
    return len(body) > 2 * settings.max_numbers


def screen_body(body: bytes, settings: Settings) -> None:
    """Refuse, before parsing, a body whose bytes alone show that it is over a limit.

    In a valid body every object is the body, the network, a layer or a compact
    tensor ``{"shape", "dtype", "data"}``, holds at most a few members, and
    strings (keys, names and base64) hold no ``{``, ``:`` or ``,``. An array of
    k elements has k − 1 commas and every row holds at least one number, so
    ``commas + brackets − colons`` is at most twice the count of numbers.
    The ``include`` list is looked for only when the quotes are enough to make it too long.
    """
    objects, members, commas, brackets, quotes = count_bytes(body, b'{:,["')
    if quotes > 2 * MAX_INCLUDE:
        screen_include(body)
    if objects > OBJECTS_PER_LAYER * settings.max_layers + OTHER_OBJECTS:
        raise limit_exceeded(
            "max_layers",
            settings.max_layers,
            f"the body holds {objects} JSON objects: at most {OBJECTS_PER_LAYER} per layer (the layer, its weights "
            f"and bias as compact tensors, and the claimed gradients of both or the vector's layer with V_k and v_k), "
            f"plus {OTHER_OBJECTS} (the body, the network, the inputs and the targets)",
        )
    if members > MEMBERS_PER_OBJECT * max(objects, 1):
        raise ServiceError(
            422,
            f"The request is invalid: its {objects} JSON objects hold {members} members, "
            f"more than {MEMBERS_PER_OBJECT} each; a request has only a few fields per object.",
            type_="/problems/invalid-request",
        )
    elements = commas + brackets - members
    if elements > 2 * settings.max_numbers:
        raise limit_exceeded(
            "max_numbers",
            settings.max_numbers,
            f"the body holds about {elements} array elements: more than {settings.max_numbers} numbers",
            status=413,
        )
    if elements + objects <= settings.max_numbers:
        return  # numbers ≤ elements + objects (in arrays) + members (member values): within the limit below
    numbers = count_numbers(body)
    if numbers > settings.max_numbers + 2 * objects + members:
        raise limit_exceeded(
            "max_numbers",
            settings.max_numbers,
            f"the body holds {numbers} numbers",
            status=413,
            pointer="",
        )


def screen_include(body: bytes) -> None:
    """Refuse an ``include`` list of more than :data:`MAX_INCLUDE` strings before anything parses it.

    Its entries are counted by the quotes between its ``[`` and the first ``]`` after it: in a valid request
    the first ``"include"`` in the text is that key (no string of a request holds a quote) and its names hold
    no bracket. A list whose span holds a backslash is left to :func:`screen_lengths`, which counts the parsed
    entries: an escaped quote is not an entry.
    """
    key = body.find(b'"include"')
    if key < 0:
        return
    start = body.find(b"[", key)
    end = body.find(b"]", start)
    if start < 0 or end < 0 or body[key + len(b'"include"') : start].strip(b" \t\r\n") != b":":
        return
    entries = body.count(b'"', start, end) // 2
    if entries > MAX_INCLUDE and body.find(b"\\", start, end) < 0:
        raise _too_many("include", entries, MAX_INCLUDE, "entries")


LISTS = (("network", "layers"), ("claimed_gradients",), ("claimed_bias_gradients",), ("vector",), ("include",))
"""The lists of a request whose items are validated one by one, and so are counted first."""


def screen_lengths(document: Any, settings: Settings) -> None:
    """Refuse more layers (or claimed gradients) than ``max_layers`` and more ``include`` entries than
    :data:`MAX_INCLUDE`, counted on the parsed document (a dict, or simdjson's proxies, whose ``len`` costs
    nothing) before any item is validated: a list of two million invalid layers would otherwise make two million
    errors, gigabytes and seconds before ``max_layers`` is looked at."""
    for path in LISTS:
        node = document
        for key in path:
            node = _member(node, key)
        if node is None or isinstance(node, str) or hasattr(node, "keys") or not hasattr(node, "__len__"):
            continue
        length, name = len(node), "/".join(path)
        if path[-1] == "include":
            if length > MAX_INCLUDE:
                raise _too_many(name, length, MAX_INCLUDE, "entries")
        elif length > settings.max_layers:
            what = f"{name} has {length} entries, one per layer"
            raise limit_exceeded("max_layers", settings.max_layers, what, pointer=f"/{name}")


def _member(node: Any, key: str) -> Any:
    # Looked up among the keys first: simdjson raises, slowly, for a key that is not there, and ``in`` on its
    # object costs as much.
    if node is None or not hasattr(node, "keys") or key not in node.keys():  # noqa: SIM118
        return None
    return node[key]


def _too_many(name: str, count: int, most: int, what: str) -> ServiceError:
    return ServiceError(
        422,
        f"The request is invalid: {name} has {count} {what}; a request has at most {most}.",
        type_="/problems/invalid-request",
        errors=[{"pointer": f"/{name}", "message": f"at most {most} {what}"}],
    )
