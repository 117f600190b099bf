"""fastpath.fastjson: what pysimdjson's ``as_buffer`` does (the facts the module relies on), and that ``loads``
gives exactly what orjson gives, numeric arrays as bit-identical ndarrays, or ``None``."""

from __future__ import annotations

import json
import math
import random
import struct
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from service.api.schemas.tensor import Tensor
from service.domain.fastpath import fastjson
from service.domain.fastpath.context import ReadContext

simdjson = pytest.importorskip("simdjson")


def as_buffer(text: str) -> np.ndarray:
    document = simdjson.Parser().parse(text.encode())
    return np.frombuffer(document.as_buffer(of_type="d"), dtype=np.float64)


def bits(values: list[float]) -> bytes:
    return np.array(values, dtype=np.float64).tobytes()


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ("[1, 2.5, -0.0, -0, 0]", [1.0, 2.5, -0.0, 0.0, 0.0]),  # integers are cast; -0 is the integer 0
        ("[18446744073709551615, -9223372036854775808]", [float(2**64 - 1), float(-(2**63))]),
        ("[9007199254740993, 9007199254740995]", [float(2**53 + 1), float(2**53 + 3)]),  # rounded to even
        ("[[1.0, 2.0], [3.0]]", [1.0, 2.0, 3.0]),  # ragged rows: flattened, no error
        ("[[[1]], [[2]]]", [1.0, 2.0]),  # 3-D: flattened as if it were 2 × 1
        ("[1.0, [2.0, 3.0]]", [1.0, 2.0, 3.0]),  # a number, then a row
        ("[[1.0, 2.0], 3.0]", [1.0, 2.0, 3.0]),  # a row, then a number
        ("[[1.0], []]", [1.0]),  # an empty row adds nothing
        ("[[], []]", []),
        ("[]", []),
    ],
)
def test_as_buffer_flattens_every_array_of_numbers(text: str, flat: list[float]) -> None:
    """Why the shape must come from elsewhere: as_buffer flattens any nesting, ragged or not."""
    assert as_buffer(text).tobytes() == bits(flat)


@pytest.mark.parametrize(
    "text", ["[true, 1.0]", "[1.0, false]", "[null]", '[1.0, "1"]', "[{}]", "[[1.0], [true]]", "[[1.0], [[null]]]"]
)
def test_as_buffer_refuses_booleans_null_strings_and_objects(text: str) -> None:
    """Why no scan for true/false is needed: a boolean is never read as 1.0 or 0.0."""
    with pytest.raises(TypeError):
        as_buffer(text)


@pytest.mark.parametrize(
    "text",
    ["[1e999]", "[-1e999]", "[1.8e308]", "[NaN]", "[Infinity]", "[18446744073709551616]", "[-9223372036854775809]"],
)
def test_simdjson_refuses_to_parse_infinities_and_integers_beyond_64_bits(text: str) -> None:
    with pytest.raises((ValueError, RuntimeError)):
        simdjson.Parser().parse(text.encode())


def test_simdjson_skips_a_byte_order_mark_that_orjson_refuses() -> None:
    """Why loads sends a body with a BOM to orjson."""
    body = b'\xef\xbb\xbf{"a": 1}'
    assert simdjson.Parser().parse(body, True) == {"a": 1}
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(body)
    assert fastjson.loads(body) is None


HARD_FLOATS = [
    "0.1",
    "-0.0",
    "0.30000000000000004",
    "2.2250738585072011e-308",  # hung PHP and Java
    "2.2250738585072012e-308",
    "2.2250738585072014e-308",  # the smallest normal
    "2.225073858507201e-308",  # the largest subnormal
    "4.9406564584124654e-324",
    "2.4703282292062327e-324",  # just below half the smallest subnormal: 0
    "2.4703282292062328e-324",  # just above: the smallest subnormal
    "1.7976931348623157e308",
    "1.7976931348623158e308",  # rounds down to the largest double
    "9007199254740993.0",  # halfway between two doubles: to even
    "9007199254740995.0",
    "1.00000000000000011102230246251565404236316680908203125",  # exactly halfway between 1 and its successor
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126",
    "7.038531e-26",
    "8.98846567431157953864652595394512366808988489471153286367150405788663379027504815663542386612037680105600569399356966788293948844072083112464237153197370621888839467124327426381511098006230470597265414760425028844626436e307",
    "0." + "1" * 800,
    "1" * 300 + ".0e-290",
    "0." + "0" * 330 + "1e330",
    "123456789012345678901234567890e-10",
    "1e-400",
    "-1e-400",
    "4503599627370496.5",
    "4503599627370497.5",
    "1e23",
    "8.5e-323",
]


def random_numbers(seed: int) -> Iterator[str]:
    """Finite doubles from random bits, written with 17 and 25 significant digits and as repr; large integers."""
    rng = random.Random(seed)
    for _ in range(3000):
        x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(x):
            yield repr(x)
            yield f"{x:.16e}"
            yield f"{x:.24e}"
        yield str(rng.randint(-(2**63), 2**64 - 1))
        yield f"{rng.uniform(-2, 2):.{rng.randint(1, 40)}f}"


@pytest.mark.parametrize("seed", range(3))
def test_numbers_are_bit_identical_to_float_and_orjson(seed: int) -> None:
    texts = HARD_FLOATS + list(random_numbers(seed))
    text = "[" + ", ".join(texts) + "]"
    expected = bits([float(t) if any(c in t for c in ".eE") else float(int(t)) for t in texts])
    assert as_buffer(text).tobytes() == expected
    assert bits(orjson.loads(text)) == expected  # what the orjson path has always read
    loaded = fastjson.loads(f'{{"v": {text}}}'.encode())
    assert loaded is not None
    assert isinstance(loaded["v"], np.ndarray)
    assert loaded["v"].tobytes() == expected


def summary(value: Any) -> Any:
    """ndarrays as ("array", shape), lists and dicts recursively."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape)
    if isinstance(value, list):
        return [summary(item) for item in value]
    if isinstance(value, dict):
        return {key: summary(item) for key, item in value.items()}
    return value


ROW = [0.5] * 16
ROWS = [[0.5, -0.5]] * 8


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"v": ROW}, {"v": ("array", (16,))}),
        ({"v": ROWS}, {"v": ("array", (8, 2))}),
        ({"v": [[1, 2]] * 8}, {"v": ("array", (8, 2))}),  # integers are numbers
        ({"v": ROW[:15]}, {"v": ROW[:15]}),  # under FAST_MIN_LENGTH numbers: a list
        ({"v": ROWS[:7]}, {"v": ROWS[:7]}),
        ({"v": [*ROWS, [0.5]]}, {"v": [*ROWS, [0.5]]}),  # ragged: a list, for the validators to refuse
        ({"v": [*ROWS, []]}, {"v": [*ROWS, []]}),
        ({"v": [[], *ROWS]}, {"v": [[], *ROWS]}),
        ({"v": [*ROWS, 0.5]}, {"v": [*ROWS, 0.5]}),  # a number among rows
        ({"v": [*ROW, True]}, {"v": [*ROW, True]}),  # a boolean: never 1.0
        ({"v": [*ROWS[:-1], [0.5, None]]}, {"v": [*ROWS[:-1], [0.5, None]]}),
        ({"v": [ROWS, ROWS]}, {"v": [("array", (8, 2)), ("array", (8, 2))]}),  # a list of matrices
        ({"v": [ROWS, None]}, {"v": [("array", (8, 2)), None]}),
        ({"v": [ROW, ROW]}, {"v": ("array", (2, 16))}),
        (
            {"layers": [{"w": ROWS, "a": "relu"}], "s": "x"},
            {"layers": [{"w": ("array", (8, 2)), "a": "relu"}], "s": "x"},
        ),
        ({"v": [], "w": [[]], "x": {}}, {"v": [], "w": [[]], "x": {}}),
        ({"a": 1, "a\u0000b": 2}, None),  # a key with NUL: its look-up would stop at it and find "a"
        ({"v": [*ROWS[:6], [0.5, 0.5, 0.5], [0.5]]}, {"v": [*ROWS[:6], [0.5, 0.5, 0.5], [0.5]]}),  # 16 = 8 × 2, ragged
        ({"v": ROWS, "s": "a[b"}, None),  # a [ in a string: the count cannot vouch for the arrays
        ({"v": [[[0.5]]] * 16}, {"v": [[[0.5]]] * 16}),  # 3-D: lists (refused by the validators), never 16 × 1
        ({"v": [[[0.5] * 16]]}, {"v": [("array", (1, 16))]}),  # a list holding a matrix (refused by Tensor)
        ({"v": [*ROWS, [[0.5], [0.5]]]}, None),  # 9 rows of 2 and 18 numbers, but one row is nested
        ({"v": [*ROWS, [0.5, [0.5]]]}, None),
        ({"v": [[[0.5], [0.5]], *ROWS]}, {"v": [[[0.5], [0.5]], *ROWS]}),  # walked: a list of lists
        ({"v": [*ROWS[:7], 0.5, [0.5, 0.5, 0.5]]}, {"v": [*ROWS[:7], 0.5, [0.5, 0.5, 0.5]]}),  # rows and numbers
        ({"v": [0.5, [0.5], *ROW]}, None),  # 18 elements and 18 numbers, one of them in a row
        ({"v": [*ROW, [0.5]]}, None),
        ({"v": [*ROW, []]}, None),
    ],
)
def test_loads_converts_numeric_arrays_only_when_certain(body: dict[str, Any], expected: Any) -> None:
    text = json.dumps(body).encode()
    loaded = fastjson.loads(text)
    assert summary(loaded) == expected
    if loaded is not None:
        assert_same(loaded, orjson.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": [1.0], "a": [2.0]}',  # duplicate keys: orjson keeps the last, a look-up finds the first
        b'{"a": 1, "b": 2, "\\u0061": 3}',  # the same key, escaped
        b'{"a": [' + b"[" * 40 + b"1.0" + b"]" * 40 + b"]}",  # deeper than any request
        b"[1.0, 2.0]",
        b'"text"',
        b"1.0",
        b"null",
        b"",
        b'{"a": 1e999}',
        b'{"a": [18446744073709551616]}',
        b'{"a": 1} x',
        b'{"a": "\\ud800"}',
        b'{"a": "\xff"}',
        b'{"k": [' + b",".join([b"{}"] * (fastjson.MAX_WALK + 1)) + b"]}",
        b"{" + b",".join(b'"k%d": 0' % i for i in range(fastjson.MAX_KEYS + 1)) + b"}",
    ],
)
def test_loads_leaves_anything_unusual_to_orjson(text: bytes) -> None:
    assert fastjson.loads(text) is None


def test_an_escaped_key_is_found() -> None:
    assert summary(fastjson.loads(b'{"in\\u0070uts": [' + b"1.5," * 15 + b"1.5]}")) == {"inputs": ("array", (16,))}


def test_the_parser_is_reused_after_a_document_in_doubt() -> None:
    """No proxy of a refused document stays alive: the next parse with the same parser must work."""
    good = json.dumps({"v": ROWS}).encode()
    deep = b'{"v": [' + b"[" * 20 + b"0.5" + b"]" * 20 + b"]}"
    for bad in [json.dumps({"v": [*ROW, [0.5]]}).encode(), b'{"v": [1.0], "v": 2}', b'{"v": [1.0, {"a": []}]}', deep]:
        assert fastjson.loads(bad) is None
        assert summary(fastjson.loads(good)) == {"v": ("array", (8, 2))}


def test_an_ndarray_is_writable_and_owns_a_copy() -> None:
    loaded = fastjson.loads(json.dumps({"v": ROWS}).encode())
    assert loaded is not None
    array = loaded["v"]
    fastjson.loads(json.dumps({"v": [[9.0, 9.0]] * 8}).encode())  # the parser's next document
    assert array.flags.writeable
    assert array.tolist() == ROWS


def same_scalar(fast: Any, plain: Any) -> bool:
    if type(fast) is not type(plain):
        return False
    if isinstance(fast, float):
        return struct.pack("<d", fast) == struct.pack("<d", plain)
    return bool(fast == plain)


def expected_array(plain: Any) -> np.ndarray | None:
    """What an ndarray made of ``plain`` must be: a list of numbers, or of equally long non-empty rows of them."""

    def is_number(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool)

    if not isinstance(plain, list) or not plain:
        return None
    if all(map(is_number, plain)):
        return np.array([float(x) for x in plain])
    of_rows = all(isinstance(row, list) and row and all(map(is_number, row)) for row in plain)
    if of_rows and len({len(row) for row in plain}) == 1:
        return np.array([[float(x) for x in row] for row in plain])
    return None


def assert_same(fast: Any, plain: Any) -> None:
    """``fast`` (from loads) is ``plain`` (from orjson), but for ndarrays that are exactly its numeric lists."""
    if isinstance(fast, np.ndarray):
        expected = expected_array(plain)
        assert expected is not None, plain
        assert fast.dtype == np.float64
        assert fast.shape == expected.shape
        assert fast.tobytes() == expected.tobytes()
    elif isinstance(fast, dict):
        assert isinstance(plain, dict)
        assert list(fast) == list(plain)
        for key in fast:
            assert_same(fast[key], plain[key])
    elif isinstance(fast, list):
        assert isinstance(plain, list)
        assert len(fast) == len(plain)
        for a, b in zip(fast, plain, strict=True):
            assert_same(a, b)
    else:
        assert same_scalar(fast, plain), (fast, plain)


numbers = st.one_of(
    st.integers(-1000, 1000),
    st.integers(-(2**64), 2**64),  # beyond 64 bits simdjson refuses the document
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 5e-324, 1e308, 2**53 + 1, 2**64 - 1]),
)
strings = st.text(alphabet='ab\\"\0é,{}]', max_size=4)
scalars = st.one_of(numbers, st.booleans(), st.none(), strings)
rows = st.lists(numbers, min_size=0, max_size=4)
numeric = st.one_of(
    rows,
    st.lists(rows, max_size=4),  # rectangular or not
    st.integers(1, 3).flatmap(lambda c: st.lists(st.lists(numbers, min_size=c, max_size=c), min_size=1, max_size=4)),
    st.lists(st.lists(rows, max_size=3), max_size=3),  # 3-D
    st.lists(st.one_of(numbers, rows), max_size=5),  # numbers and rows
    st.lists(st.one_of(numbers, rows, st.lists(rows, max_size=2), scalars), max_size=5),
)
keys = st.text(alphabet="abcdefgh\\é", max_size=3)
values = st.recursive(
    st.one_of(numeric, scalars),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(keys, values, max_size=4), st.sampled_from([None] * 9 + ["a[b", "\0"]))
def test_loads_is_orjson_or_nothing(body: dict[str, Any], odd: str | None) -> None:
    """On any JSON object: ``None``, or orjson's value with numeric arrays as bit-identical ndarrays."""
    if odd is not None:  # now and then a key with a NUL, or a [ in a string
        body[odd] = odd
    text = orjson.dumps(body) if all(-(2**63) <= n < 2**64 for n in ints(body)) else json.dumps(body).encode()
    saved = fastjson.FAST_MIN_LENGTH
    fastjson.FAST_MIN_LENGTH = 2  # so that small arrays, the ones hypothesis makes, become ndarrays too
    try:
        loaded = fastjson.loads(text)
    finally:
        fastjson.FAST_MIN_LENGTH = saved
    event("in doubt" if loaded is None else f"read, {'with' if arrays(loaded) else 'without'} ndarrays")
    if loaded is not None:
        assert_same(loaded, orjson.loads(text))


def arrays(value: Any) -> bool:
    if isinstance(value, dict):
        value = list(value.values())
    return isinstance(value, np.ndarray) or (isinstance(value, list) and any(map(arrays, value)))


def ints(value: Any) -> Iterator[int]:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, list | dict):
        for item in value.values() if isinstance(value, dict) else value:
            yield from ints(item)


TENSOR = TypeAdapter(Tensor)


@pytest.mark.parametrize(
    "array",
    [
        np.array([[1.0, np.nan]]),
        np.array([np.inf]),
        np.zeros((2, 2, 2)),
        np.zeros(0),
        np.zeros((2, 0)),
        np.array([True]),
    ],
)
def test_an_invalid_ndarray_gets_the_errors_of_its_list(array: np.ndarray) -> None:
    """to_array takes ndarrays (only fastjson makes them from JSON); one that is not a valid tensor is refused like
    its list."""
    with pytest.raises(ValidationError) as from_array:
        TENSOR.validate_python(array)
    with pytest.raises(ValidationError) as from_list:
        TENSOR.validate_python(array.tolist())
    assert from_array.value.errors(include_url=False, include_input=False) == from_list.value.errors(
        include_url=False, include_input=False
    )


@pytest.mark.parametrize("array", [np.zeros((2, 2, 2)), np.zeros(0), np.zeros((2, 0)), np.array([True])])
def test_arrays_vouched_finite_still_get_the_shape_checks(array: np.ndarray) -> None:
    with pytest.raises(ValidationError):
        TENSOR.validate_python(array, context=ReadContext(finite=True))


def test_the_numbers_of_arrays_vouched_finite_are_not_looked_at_again() -> None:
    """read_request vouches for simdjson's arrays (which never hold NaN or ±Infinity: the parse fails first)."""
    array = np.array([1.0, np.nan])
    assert TENSOR.validate_python(array, context=ReadContext(finite=True)) is array
    with pytest.raises(ValidationError):
        TENSOR.validate_python(array, context=ReadContext(finite=False))


@pytest.mark.parametrize("array", [np.array([[1.5, -0.0]] * 3), np.arange(20.0), np.array([[1, 2]], dtype=np.int64)])
def test_a_valid_ndarray_is_taken_as_float64(array: np.ndarray) -> None:
    tensor = TENSOR.validate_python(array)
    assert tensor.dtype == np.float64
    assert tensor.tobytes() == TENSOR.validate_python(array.tolist()).tobytes()


def test_the_screen_sees_the_dict_read_or_the_proxies_of_a_document_in_doubt() -> None:
    seen: list[object] = []
    valid = json.dumps({"v": ROWS, "layers": [{"w": 1}] * 3}).encode()
    assert summary(fastjson.loads(valid, seen.append)) == {"v": ("array", (8, 2)), "layers": [{"w": 1}] * 3}
    assert isinstance(seen[-1], dict)
    too_long = json.dumps({"v": ROWS, "layers": [{"w": 1}] * (fastjson.MAX_WALK + 1)}).encode()
    assert fastjson.loads(too_long, lambda document: seen.append(len(document["layers"]))) is None
    assert seen[-1] == fastjson.MAX_WALK + 1  # counted on simdjson's proxies, before anything reads it again


def test_a_document_refused_by_the_screen_leaves_the_parser_usable() -> None:
    """The refusal is raised without the frames that held the document's proxies, so the next parse runs."""
    body = json.dumps({"include": ["loss"] * 5000, "inputs": ROWS}).encode()

    class RefusedError(Exception):
        pass

    def refuse(document: object) -> None:
        raise RefusedError

    with pytest.raises(RefusedError) as refused:
        fastjson.loads(body, refuse)
    valid = json.dumps({"v": ROWS}).encode()
    assert summary(fastjson.loads(valid)) == {"v": ("array", (8, 2))}
    del refused
