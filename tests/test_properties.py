"""Properties over any input: an entry is an Event or PATH:LINE diagnostics, and the order is total.

The default run tries a few hundred examples each; CI raises that with
CHRONICLE_FUZZ_EXAMPLES (marker `fuzz`), so the large profile runs there too.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chronicle.config import Settings
from chronicle.dates import parse_when
from chronicle.diagnostics import Report
from chronicle.entries import make_markdown, read_entry
from chronicle.model import Event
from chronicle.timeline import order
from conftest import shipped_markdown

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("CHRONICLE_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SETTINGS = Settings(timezone="America/New_York", year=2024)
MD = make_markdown()
LINE = re.compile(r"^x\.md(:\d+)?: (error|warning): \S")

KEYS = st.sampled_from(["title", "date", "end", "sources", "tags", "location", "summary", "slug", "draft",
                        "weight", "updated", "titel", "url", "publisher"])
SCALARS = st.one_of(
    st.text(max_size=30), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=True),
    st.sampled_from(["2024-10-28", "28 October", "2024-02-30", "NO", "10:30", "~", "[", "'", "\"", ": x",
                     "https://a.org", "javascript:x", "&a", "*a", "!!binary x", "- a", "{a: 1}", "|\n  x"]),
)


def yaml_value(draw_text: str) -> str:
    return draw_text.replace("\n", " ")


@st.composite
def front_matter(draw) -> str:
    """Front matter that is mostly YAML-shaped, with every kind of trouble mixed in."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        key = draw(KEYS)
        if draw(st.booleans()):
            items = draw(st.lists(SCALARS, max_size=4))
            lines.append(f"{key}:")
            lines += [f"  - {yaml_value(str(item))}" for item in items]
        else:
            lines.append(f"{key}: {yaml_value(str(draw(SCALARS)))}")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=20)))
    return "\n".join(lines)


def check(text: str) -> None:
    report = Report()
    event = read_entry(Path("x.md"), text, SETTINGS, report, MD)
    for diagnostic in report.items:
        assert LINE.match(str(diagnostic)), str(diagnostic)
        assert "\n" not in str(diagnostic)
    if event is None:
        assert report.errors
    else:
        assert not report.errors
        assert isinstance(event, Event)


@FUZZ
@given(st.text())
def test_any_text_is_an_event_or_line_errors(text):
    check(text)


@FUZZ
@given(front_matter(), st.text(max_size=200), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_any_front_matter_is_an_event_or_line_errors(front, body, newline, bom):
    text = ("\ufeff" if bom else "") + "---\n" + front + "\n---\n" + body
    check(text.replace("\n", newline))


WHEN_TEXTS = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(lambda d: d.isoformat()),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1900, 2100), st.integers(1, 12)),
    st.integers(1900, 2100).map(str),
    st.builds(lambda d, h, mi: f"{d.isoformat()}T{h:02d}:{mi:02d}Z",
              st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 23), st.integers(0, 59)),
)


@FUZZ
@given(st.lists(st.tuples(WHEN_TEXTS, st.integers(-2, 2), st.sampled_from(["A", "B", "a"])), min_size=1,
                max_size=30), st.randoms(use_true_random=False))
def test_the_order_is_total_and_independent_of_input_order(specs, rng):
    zone = ZoneInfo("America/New_York")
    events = [Event(slug=f"e{i}", title=title, start=parse_when(text, zone=zone), path=f"e{i}.md", weight=weight)
              for i, (text, weight, title) in enumerate(specs)]
    expected = [e.slug for e in order(events)]
    shuffled = events[:]
    rng.shuffle(shuffled)
    assert [e.slug for e in order(shuffled)] == expected
    keys = [e.sort_key for e in order(events)]
    assert all(a < b for a, b in zip(keys, keys[1:]))  # total: no two events tie (the slug decides last)
    assert [e.slug for e in order(events, newest_first=True)] == expected[::-1]


SHIPPED = shipped_markdown()  # MD's converter with Python-Markdown's inline stage as shipped
# Bodies made of what Markdown reads: words, every ASCII mark, line ends with two spaces, blocks.
MARKDOWN_PIECES = st.one_of(
    st.text(alphabet="ab \t\n*_`\\[]()<>&!#-+.:|{}~=\"'/@;%^$?,", max_size=12),
    st.sampled_from(["  \n", "\n\n", "- ", "1. ", "# ", "> ", "```\n", "    ", "[a](http://a.org)", "![i](x.png)",
                     "<b>", "</b>", "&amp;", "&#38;", "<http://a.org>", "<a@b.org>", "**", "__", "\\*", "{: .x}",
                     "| a | b |\n|---|---|\n", "[a]: http://a.org\n", "<div>\n", "word", "x_y_z", "2*3*4"]),
)


@FUZZ
@given(st.lists(MARKDOWN_PIECES, max_size=40).map("".join))
@example("a line  \nbroken")  # one example for each thing the shortcut looks for
@example("`code`")
@example("a \\- b")
@example("[a](http://a.org)")
@example("<http://a.org>")
@example("AT&amp;T")
@example("*a*")
@example("_a_")
def test_the_inline_shortcut_changes_no_body(text):
    """markup._PlainTextInline passes over text no inline pattern can match: the HTML is the same
    as with Python-Markdown's inline stage as shipped."""
    MD.reset()
    SHIPPED.reset()
    assert MD.convert(text) == SHIPPED.convert(text)
