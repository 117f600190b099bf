"""The docs say each thing once and link to it: the series is attributed once per entry page, and the
long answers (verify's diagnosis of the series' sign slip, XOR's training) are printed on one page only.

An answer is recognised by what only it prints; the pages that show it are counted among the fenced
blocks of the README and of docs/*.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    page: (ROOT / page).read_text(encoding="utf-8")
    for page in ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
}
FENCED = re.compile(r"^( *)(`{3,4})[\w-]*\n(.*?)^\1\2$", flags=re.MULTILINE | re.DOTALL)
SERIES = "Gradients for Neural Nets"


def pages_showing(pattern: str) -> list[str]:
    """The pages with a fenced block that matches ``pattern``."""
    return [page for page, text in PAGES.items() if any(re.search(pattern, m[2]) for m in FENCED.findall(text))]


def test_the_series_is_named_once_in_the_readme_and_once_in_the_docs() -> None:
    assert PAGES["README.md"].count(SERIES) == 1
    assert sum(text.count(SERIES) for page, text in PAGES.items() if page.startswith("docs/")) == 1


def test_the_series_is_attributed_before_the_docs_speak_of_it() -> None:
    """The README names the series at its first mention; in docs/, requests.md does, and no page names it again."""
    readme = PAGES["README.md"]
    assert readme.index(SERIES) < readme.index("the series'")
    assert SERIES in PAGES["docs/requests.md"]


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [
        (
            "verify's diagnosis of examples/verify_wrong_sign.json",
            r"−∂L/∂W_1 rounded to 4 significant digits",
        ),
        ("XOR trained 500 steps, on the command line", r"gradserve train examples/xor_training\.json"),
        ("XOR trained 500 steps, over HTTP", r"/v1/train[^\n]*xor_training\.json"),
        ("case 5's derivation", r"derivation[^\n]*seed_case_5\.json"),
    ],
)
def test_a_long_answer_is_printed_on_one_page_at_most(answer: str, pattern: str) -> None:
    assert len(pages_showing(pattern)) <= 1, answer


def test_the_verify_answer_and_xor_are_printed_somewhere() -> None:
    """The pages the others link to still show them (the counts above would pass on nothing)."""
    assert pages_showing(r"−∂L/∂W_1 rounded to 4 significant digits") == ["docs/client-and-cli.md"]
    assert pages_showing(r"gradserve train examples/xor_training\.json") == ["docs/client-and-cli.md"]


def test_teaching_is_at_most_half_its_old_length() -> None:
    assert len(PAGES["docs/teaching.md"].splitlines()) <= 225  # it was 451 lines
