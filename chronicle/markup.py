"""The Markdown of entry bodies: Python-Markdown with tables, fenced code and attribute lists,
headings moved below the page's own, typographic quotes, and short cuts over plain prose that
give the very same HTML. Loaded only when an entry is read (entries.make_markdown)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Callable

import markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from .entries import curl_quotes

PLAIN_PARAGRAPH = "chronicle-plain-paragraph"  # the block processor of plain prose (_PlainParagraph)


class _ShiftHeadings(Treeprocessor):
    """Move body headings below the page's own (h1 title, h2 day, h3 event)."""

    def run(self, root):
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(6, int(element.tag[1]) + 3)}"


class _ShiftHeadingsExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_ShiftHeadings(md), "chronicle-shift-headings", 5)


# Python-Markdown's own inline patterns, and what each needs in a text to match at all: a backtick
# (code), a backslash (escape), `[` (links, references; images too, `![`), `<` (autolinks, mail,
# raw HTML), `&` (entities), two spaces ending a line (line break), `*` or `_` (emphasis).
_INLINE_PATTERNS = frozenset({
    "backtick", "escape", "reference", "link", "image_link", "image_reference", "short_reference",
    "short_image_ref", "autolink", "automail", "linebreak", "html", "entity", "em_strong",
})
_INLINE_NEEDS = re.compile(r"[`\\\[<&*_]")  # or "  \n": looked for apart, as a choice in one pattern is slow


class _PlainTextInline(InlineProcessor):
    """Python-Markdown's inline stage, passing over a text that none of its patterns can match.

    Most paragraphs of a news timeline are plain prose: every pattern would scan them in turn
    and change nothing, half the time of a body (bench corpus: 1.03 → 0.47 ms). The output is
    the same (tests/test_entries.py compares it with the stage as shipped). The hook is the
    stage's own per-text method; a version of Python-Markdown without it just runs every pattern.
    """

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if _INLINE_NEEDS.search(data) is None and "  \n" not in data:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


# Python-Markdown's own block processors, and what a block needs for one before the paragraph to
# take it: to be empty, or a line of it to start with a blank (indented code, lists, quotes), a digit
# (a numbered list), `#` (a heading), `>` (a quote), `[` (a reference), `*`, `+`, `-`, `_` or `=`
# (lists, rules, underlined headings); or a `|` anywhere (a table's row).
_BLOCK_PROCESSORS = frozenset({"empty", "indent", "code", "table", "hashheader", "setextheader", "hr", "olist",
                               "ulist", "quote", "reference", "paragraph"})
# Looked for in three steps: one pattern with the choices `^|\n` and `|` took 20 times as long.
_LINE_NEEDS = re.compile(r"[\s\d#>\[*+\-_=|]")
_NEXT_LINE_NEEDS = re.compile(r"\n[\s\d#>\[*+\-_=|]")


class _PlainParagraph(BlockProcessor):
    """A block of plain prose made a paragraph, as Python-Markdown's last block processor makes one,
    without the ten before it testing it in turn only to pass it over (most blocks of a news
    timeline). The output is the same (tests/test_entries.py compares it with the parser as shipped)."""

    def test(self, parent, block: str) -> bool:
        return (bool(block) and _LINE_NEEDS.match(block) is None and "|" not in block
                and _NEXT_LINE_NEEDS.search(block) is None and not self.parser.state.isstate("list"))

    def run(self, parent, blocks: list[str]) -> None:
        etree.SubElement(parent, "p").text = blocks.pop(0).lstrip()


class _Unless(Preprocessor):
    """One of Python-Markdown's preprocessors, passed over for a text that has nothing it changes
    (most bodies: no tab, no fence, no HTML): its output is then the text as it is, with the ends it
    always adds. The output is the same (tests/test_entries.py compares it with the stock)."""

    def __init__(self, md: markdown.Markdown, shipped: Preprocessor, needed: Callable[[str], bool], ends: str):
        super().__init__(md)
        self.shipped, self.needed, self.ends = shipped, needed, ends

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return self.shipped.run(lines) if self.needed(text) else (text + self.ends).split("\n")


# Python-Markdown's own preprocessors (by name, priority and class) and what each needs in a text
# to change more than its ends: a carriage return, a tab, its markers or a line of spaces (it adds two
# empty lines to any text); three backticks or tildes (fenced code); `<` or `&` (raw HTML; `&#1 ` is
# given its `;`).
_PREPROCESSORS = {
    "normalize_whitespace": (30, "NormalizeWhitespace", "\n\n", lambda text: (
        "\r" in text or "\t" in text or "\x02" in text or "\x03" in text or " \n" in text or text.endswith(" "))),
    "fenced_code_block": (25, "FencedBlockPreprocessor", "", lambda text: "```" in text or "~~~" in text),
    "html_block": (20, "HtmlBlockPreprocessor", "", lambda text: "<" in text or "&" in text),
}


# What _CurlQuotes leaves straight (code), and the elements of a line of text: their quotes follow on.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style"})
_INLINE = frozenset({"a", "abbr", "b", "cite", "del", "dfn", "em", "i", "ins", "mark", "q", "s", "small", "span",
                     "strong", "sub", "sup", "u"})


class _CurlQuotes(Treeprocessor):
    """Curl the quotes of every text of the body but code's, each after the text before it."""

    def run(self, root):
        self._curl(root, " ")

    def _curl(self, element, before: str) -> str:
        """Curl the texts inside element; return the character it ends with (a space after a block)."""
        if element.tag in _VERBATIM:
            return "x"  # `code`'s: a letter, as far as the quote after it goes
        inline = element.tag in _INLINE
        if not inline:
            before = " "
        if element.text:
            element.text = curl_quotes(element.text, before)
            before = element.text[-1]
        for child in element:
            before = self._curl(child, before)
            if child.tail:
                child.tail = curl_quotes(child.tail, before)
                before = child.tail[-1]
        return before if inline else " "


def make_markdown() -> markdown.Markdown:
    """Return the Markdown converter for entry bodies; reuse it with reset().

    Tables, fenced code and attribute lists on top of plain Markdown. Not
    footnotes (their ids repeat from entry to entry on the one index page)
    and not smarty (it doubles the time of a body: 3.2 against 1.5 ms).
    """
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "attr_list", "sane_lists", _ShiftHeadingsExtension()],
        output_format="html",
    )
    # Only over the patterns whose needs are known: another set (a new version's) runs as shipped.
    patterns = md.inlinePatterns
    if len(patterns) == len(_INLINE_PATTERNS) and all(name in patterns for name in _INLINE_PATTERNS):
        md.treeprocessors.register(_PlainTextInline(md), "inline", 20)
    shipped = md.preprocessors
    if len(shipped) == len(_PREPROCESSORS) and all(
            name in shipped and type(shipped[name]).__name__ == kind for name, (_, kind, _, _) in _PREPROCESSORS.items()):
        for name, (priority, _, ends, needed) in _PREPROCESSORS.items():
            shipped.register(_Unless(md, shipped[name], needed, ends), name, priority)
    blocks = md.parser.blockprocessors
    if len(blocks) == len(_BLOCK_PROCESSORS) and all(name in blocks for name in _BLOCK_PROCESSORS):
        blocks.register(_PlainParagraph(md.parser), PLAIN_PARAGRAPH, 200)  # before every other
    md.treeprocessors.register(_CurlQuotes(md), "chronicle-quotes", 15)  # after the inline stage
    return md


