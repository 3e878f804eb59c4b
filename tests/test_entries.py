"""Entries: the content predicate, and one entry's text → an Event or line diagnostics."""

import os
from pathlib import Path, PurePath

import pytest
from hypothesis import given, settings, strategies as st

from chronicle.config import Settings
from chronicle.diagnostics import Report
from chronicle.entries import check_url, discover, first_paragraph, is_entry, make_markdown, read_entry
from conftest import ROOT, shipped_markdown

SETTINGS = Settings(timezone="America/New_York", year=2024)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("2024-10-28-nato.md", True),
        ("event.markdown", True),
        ("EVENT.MD", True),
        ("2024/october/event.md", True),
        ("_index.md", False),
        ("_drafts/event.md", False),
        (".hidden.md", False),
        (".git/event.md", False),
        ("event.md~", False),
        (".#event.md", False),
        ("#event.md#", False),
        (".event.md.swp", False),
        ("event.md.swp", False),
        ("event.swp", False),
        ("event.md.tmp", False),
        ("event.tmp", False),
        ("4913", False),
        ("notes.txt", False),
        ("image.png", False),
    ],
)
def test_is_entry(name, expected):
    assert is_entry(PurePath(name)) is expected


def test_discover_is_sorted_and_skips_symlinks(tmp_path):
    content = tmp_path / "content"
    (content / "b").mkdir(parents=True)
    (content / "b" / "z.md").write_text("x")
    (content / "a.md").write_text("x")
    (content / "_index.md").write_text("x")
    (content / "a.md~").write_text("x")
    outside = tmp_path / "secret.md"
    outside.write_text("x")
    (content / "link.md").symlink_to(outside)
    assert discover(content) == [content / "a.md", content / "b" / "z.md"]


def read(text, name="2024-10-28-event.md", settings=SETTINGS):
    report = Report()
    event = read_entry(Path(name), text, settings, report)
    return event, [str(d) for d in report.sorted()]


def test_minimal_entry():
    event, diagnostics = read("---\ntitle: A thing\ndate: 2024-10-28\nsources: [https://a.org/x]\n---\nFirst *para*.\n\nSecond.\n")
    assert diagnostics == []
    assert event.title == "A thing"
    assert event.slug == "2024-10-28-event"
    assert event.start.iso() == "2024-10-28"
    assert event.summary == "First para."
    assert "<em>para</em>" in event.body
    assert event.sources[0].url == "https://a.org/x"


def test_date_from_the_file_name():
    event, diagnostics = read("---\ntitle: A\nsources: [https://a.org]\n---\n", name="2013-05-06-release.markdown")
    assert diagnostics == []
    assert event.start.iso() == "2013-05-06"


def test_front_matter_date_wins_over_the_file_name():
    event, _ = read("---\ntitle: A\ndate: 2024-10-29\nsources: [https://a.org]\n---\n", name="2024-10-28-x.md")
    assert event.start.iso() == "2024-10-29"


def test_every_problem_of_a_file_is_reported_with_its_line():
    text = (
        "---\n"            # 1
        "title: A\n"       # 2
        "date: 2024-02-30\n"  # 3
        "sources:\n"       # 4
        "  - https://ok.org\n"  # 5
        "  - javascript:alert(1)\n"  # 6
        "draft: maybe\n"   # 7
        "weight: heavy\n"  # 8
        "slug: ../../x\n"  # 9
        "---\n"
    )
    event, diagnostics = read(text, name="event.md")
    assert event is None
    assert [d.split(": error: ")[0] for d in diagnostics] == [
        "event.md:3", "event.md:6", "event.md:7", "event.md:8", "event.md:9",
    ]
    assert "slug '../../x' may only contain lower-case letters, digits and hyphens — write slug: x" in diagnostics[4]


def test_missing_title_and_date():
    event, diagnostics = read("---\nlocation: Here\nsources: [https://a.org]\n---\n", name="x.md")
    assert event is None
    assert diagnostics == [
        "x.md:1: error: date is missing — add `date: 2024-10-28` (or any date form), "
        "or start the file name with the date, as in 2024-10-28-title.md",
        "x.md:1: error: title is missing — add a line such as `title: What happened`",
    ]


def test_no_front_matter():
    event, diagnostics = read("Just some text\n", name="x.md")
    assert event is None
    assert len(diagnostics) == 1 and diagnostics[0].startswith("x.md:1: error: no front matter")


def test_empty_file():
    event, diagnostics = read("", name="x.md")
    assert event is None and diagnostics[0].startswith("x.md:1: error: no front matter")


def test_near_miss_fields_are_warnings_and_unknown_fields_are_kept():
    event, diagnostics = read("---\ntitel: A\ntitle: B\ndate: 2024-10-28\nsorces: [https://a.org]\nauthor: me\n---\n")
    assert event is not None
    assert event.extra == {"titel": "A", "sorces": ["https://a.org"], "author": "me"}
    assert diagnostics == [
        "2024-10-28-event.md:5: warning: unknown field 'sorces' — did you mean 'sources'? As written, the event "
        "has no sources",
    ]


def test_numbers_where_text_is_expected_stay_as_written():
    event, diagnostics = read("---\ntitle: 1984\ndate: 2024\nsources: [https://a.org]\ntags: [2024, 007]\n---\n")
    assert event.title == "1984"
    assert event.tags == ("2024", "007")
    assert event.start.iso() == "2024"


@pytest.mark.parametrize("title", ["yes", "NO", "on", "10:30", "0o17", ".inf"])
def test_yaml_11_lookalikes_in_a_title_stay_text(title):
    event, _ = read(f"---\ntitle: {title}\ndate: 2024-10-28\nsources: [https://a.org]\n---\n")
    assert event.title == title


def test_true_as_title_is_refused_with_a_hint():
    event, diagnostics = read("---\ntitle: true\ndate: 2024-10-28\n---\n")
    assert event is None
    assert "2024-10-28-event.md:2: error: title must be text, not 'true' (a true/false value) — " \
           "write it in quotes: title: \"…\"" in diagnostics


def test_end_before_start():
    _, diagnostics = read("---\ntitle: A\ndate: 2024-10-28\nend: 2024-10-27\nsources: [https://a.org]\n---\n")
    assert diagnostics == ["2024-10-28-event.md:4: error: end is before the date — write an end on or after the start"]


def test_source_forms():
    event, diagnostics = read(
        "---\ntitle: A\ndate: 2024-10-28\nsources:\n"
        "  - https://a.org/1\n"
        "  - url: HTTPS://B.ORG/2\n    title: Report\n    publisher: Paper\n    date: 2024-10-29\n"
        "    archive: https://web.archive.org/x\n"
        "  - title: Press briefing\n    publisher: Pentagon\n"
        "---\n"
    )
    assert diagnostics == []
    a, b, c = event.sources
    assert (a.url, a.name) == ("https://a.org/1", "a.org")
    assert (b.url, b.title, b.publisher, b.date.iso(), b.archive) == (
        "HTTPS://B.ORG/2", "Report", "Paper", "2024-10-29", "https://web.archive.org/x")
    assert (c.url, c.name) == (None, "Pentagon")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "ftp://a.org/x", "file:///etc/passwd",
     "//a.org/x", "a.org/x", "https://", "https://a.org/with space", "vbscript:x", "http:///x"],
)
def test_only_http_and_https_urls(url):
    assert check_url(url) is not None
    _, diagnostics = read(f"---\ntitle: A\ndate: 2024-10-28\nsources:\n  - url: '{url}'\n---\n")
    assert diagnostics[0].startswith("2024-10-28-event.md:5: error: source url:")


@pytest.mark.parametrize("url", ["http://a.org", "https://a.org/x?y=1#z", "HTTP://A.ORG", "HtTpS://a.org"])
def test_http_urls_are_accepted(url):
    assert check_url(url) is None


def test_duplicate_source_is_a_warning():
    event, diagnostics = read("---\ntitle: A\ndate: 2024-10-28\nsources:\n  - https://a.org/x\n  - https://a.org/x/\n---\n")
    assert len(event.sources) == 1
    assert diagnostics == ["2024-10-28-event.md:6: warning: source https://a.org/x/ is listed twice (also item 1) — keep one"]


def test_source_without_url_or_name():
    _, diagnostics = read("---\ntitle: A\ndate: 2024-10-28\nsources:\n  - date: 2024-10-28\n---\n")
    assert "needs a `url:`" in diagnostics[0]


def test_slug_from_an_awkward_file_name():
    event, _ = read("---\ntitle: A\ndate: 2024-10-28\nsources: [https://a.org]\n---\n", name="Réunion à Séoul.md")
    assert event.slug == "reunion-a-seoul"


@pytest.mark.parametrize("name, slug", [
    ("Новый год.md", "новый-год"),  # й and ё are letters of their own, not и and е with an accent
    ("Ёлка.md", "ёлка"),
    ("新歓ロボコン.md", "新歓ロボコン"),  # ボ keeps its dakuten
    ("हिन्दी भाषा.md", "हिन्दी-भाषा"),  # vowel signs and virama are part of the word
    ("Ærø Łódź.md", "ærø-łodz"),
    ("ﬁnal Ａ_b.md", "final-a-b"),
])
def test_slug_keeps_the_letters_of_every_script(name, slug):
    event, diagnostics = read("---\ntitle: A\ndate: 2024-10-28\nsources: [https://a.org]\n---\n", name=name)
    assert event.slug == slug and diagnostics == []
    written, diagnostics = read(f"---\ntitle: A\ndate: 2024-10-28\nslug: {slug}\nsources: [https://a.org]\n---\n")
    assert written.slug == slug and diagnostics == []


@settings(max_examples=500, database=None, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=40))
def test_an_ascii_name_is_given_the_slug_any_name_would_be(text):
    """slugify's short cut for ASCII (most titles and file names) gives what the folding of any text does."""
    from chronicle.model import _slugify, slugify

    assert slugify(text) == _slugify(text)


def test_headings_in_a_body_sit_below_the_page_headings():
    event, _ = read("---\ntitle: A\ndate: 2024-10-28\nsources: [https://a.org]\n---\n# Big\n\n## Less\n")
    assert "<h4>Big</h4>" in event.body and "<h5>Less</h5>" in event.body


def test_raw_html_in_a_body_is_the_authors_own():
    event, _ = read("---\ntitle: A\ndate: 2024-10-28\nsources: [https://a.org]\n---\n<figure>x</figure>\n")
    assert "<figure>x</figure>" in event.body


def test_first_paragraph():
    assert first_paragraph("<h4>x</h4><p>A <a href='#'>b</a> &amp; c\nd</p><p>e</p>") == "A b & c d"
    assert first_paragraph("<ul><li>x</li></ul>") == ""


def test_an_unreadable_date_falls_back_to_the_file_name_with_a_warning():
    event, diagnostics = read("---\ntitle: A\ndate: 2023-01-29 18:30:22 2023 -0800\nsources: [https://a.org]\n---\n",
                              name="2023-01-29-release.markdown")
    assert event.start.iso() == "2023-01-29"
    assert diagnostics == [
        "2023-01-29-release.markdown:3: warning: date: '2023-01-29 18:30:22 2023 -0800' is not a date; write it "
        "like 2024-10-28, 28 October 2024 or 2024-10-28T14:30; using 2023-01-29 from the file name instead"
    ]


def test_an_unreadable_date_without_a_dated_file_name_is_an_error():
    event, diagnostics = read("---\ntitle: A\ndate: someday\nsources: [https://a.org]\n---\n", name="x.md")
    assert event is None
    assert diagnostics[0].startswith("x.md:3: error: date: 'someday' is not a date")


def test_a_file_name_that_only_looks_dated_does_not_matter_when_a_date_is_written():
    event, diagnostics = read("---\ntitle: A\ndate: 2024-10-28\nsources: [https://a.org]\n---\n",
                              name="2024-13-45-x.md")
    assert diagnostics == [] and event.start.iso() == "2024-10-28"


def test_a_source_dated_before_the_event_is_a_warning():
    event, diagnostics = read(
        "---\ntitle: A\ndate: 2024-10-28\nsources:\n  - url: https://a.org/1\n    date: 2024-10-28\n"
        "  - url: https://a.org/2\n    date: 2024-10-27\n  - url: https://a.org/3\n    date: 2024-10\n---\n")
    assert event is not None
    assert diagnostics == [
        "2024-10-28-event.md:7: warning: source https://a.org/2 is dated 2024-10-27, before the event "
        "(2024-10-28) — check both dates"
    ]


# --- the inline shortcut (markup._PlainTextInline) ---------------------------------------------

CORPUS = ROOT.parent / "shared" / "corpora" / "jekyll-releases" / "content"  # beside the checkout, in CI too


def bodies() -> list[Path]:
    if not CORPUS.is_dir() and os.environ.get("CI"):
        pytest.fail(f"{CORPUS} is missing: CI has shared/ beside the checkout", pytrace=False)
    return sorted((ROOT / "content").glob("*.md")) + sorted(CORPUS.glob("*.markdown") if CORPUS.is_dir() else [])


def test_the_inline_shortcut_gives_every_real_body_the_same_html():
    """The example and Jekyll's 102 release posts (links, code, emphasis, raw HTML, entities)."""
    fast, shipped = make_markdown(), shipped_markdown()
    paths = bodies()
    assert len(paths) > 5
    for path in paths:
        text = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        fast.reset()
        shipped.reset()
        assert fast.convert(text) == shipped.convert(text), path


def test_the_inline_shortcut_is_taken_for_plain_prose(monkeypatch):
    """A paragraph with nothing inline in it is given to no pattern (a Python-Markdown that renamed
    the stage's hook would fail here, not silently go slower)."""
    from markdown.treeprocessors import InlineProcessor

    tried = []
    apply = InlineProcessor._InlineProcessor__applyPattern
    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__applyPattern",
                        lambda self, pattern, *rest: tried.append(pattern) or apply(self, pattern, *rest))
    prose = "Troops were seen near Kursk, officials said.\n\nNATO confirmed it."
    assert make_markdown().convert(prose) == \
        "<p>Troops were seen near Kursk, officials said.</p>\n<p>NATO confirmed it.</p>"
    assert tried == []
    assert "<em>b</em>" in make_markdown().convert("a *b*")  # with a mark: the patterns run as shipped
    assert tried
    tried.clear()
    assert shipped_markdown().convert(prose) == make_markdown().convert(prose)
    assert tried, "the inline stage as shipped tries its patterns on every text"


def test_the_paragraph_shortcut_is_taken_for_plain_prose(monkeypatch):
    """A block of plain prose is made a paragraph by the shortcut (markup._PlainParagraph), not tested
    by the ten block processors before the paragraph's; a block with a mark of any goes to them (a
    Python-Markdown with other block processors would fail here, not silently go slower)."""
    md = make_markdown()
    tried = []
    for processor in md.parser.blockprocessors:
        if type(processor).__name__ != "_PlainParagraph":
            monkeypatch.setattr(processor, "test", lambda parent, block, test=processor.test: tried.append(block) or test(parent, block))
    assert md.convert("Troops were seen near Kursk.\nOfficials said so.\n\n“NATO” confirmed it.") == \
        "<p>Troops were seen near Kursk.\nOfficials said so.</p>\n<p>“NATO” confirmed it.</p>"
    assert [block for block in tried if block] == []  # the empty end: the empty block's processor
    for block in ("# A heading", "Text\n> quoted", "a | b\n--|--\n1 | 2", "1. one", "Title\n===", "    code", "- item"):
        md.reset()
        tried.clear()
        assert md.convert(block) == shipped_markdown().convert(block)
        assert [block for block in tried if block]


@pytest.mark.parametrize("text", [
    "~~~\ncode\n~~~", "```\ncode\n```", "a &#1 b", "a &#x1F b", "<div>x</div>", "a\n   ", "p\n    \nq",
    "a\tb\n\n\tcode", "a\r\nb\rc", "x\x02y", "a  \nb",
])
def test_each_thing_a_preprocessor_changes_is_given_to_it(text):
    """What each of Python-Markdown's preprocessors changes (a fence of tildes, a character reference
    without its `;`, a line of spaces, a tab, a carriage return) makes it run (markup._Unless): each
    case here fails when its condition is left out."""
    assert make_markdown().convert(text) == shipped_markdown().convert(text)


# Every character a block processor of Python-Markdown looks for, and plain letters around them.
_MARKDOWNISH = st.text(st.sampled_from(list("ab .,#>[]()*+-_=|:!`~<>&;1234567890\n\n\n \t\r\x02\u00a0é")), max_size=80)


@settings(max_examples=400, database=None, deadline=None)
@given(st.lists(_MARKDOWNISH, min_size=1, max_size=6))
def test_the_markdown_shortcuts_give_what_python_markdown_gives(blocks):
    """Any text at all (blocks of marks, prose, blank lines, tabs, carriage returns, a no-break space,
    HTML, fences, references) is made the same HTML with the shortcuts over plain text as with
    Python-Markdown as shipped."""
    text = "\n\n".join(blocks)
    assert make_markdown().convert(text) == shipped_markdown().convert(text)


# --- typographic quotes (issue 22, item 12) ------------------------------------------------------


@pytest.mark.parametrize("markdown, html", [
    ('He said "no" and \'yes\'.', "<p>He said \u201cno\u201d and \u2018yes\u2019.</p>"),
    ("It's the '90s, Putin's \"red lines\"\u2014\"no\" (\"a\")",
     "<p>It\u2019s the \u201990s, Putin\u2019s \u201cred lines\u201d\u2014\u201cno\u201d (\u201ca\u201d)</p>"),
    ('"*Hello*," she said, "\'nested\'"',
     "<p>\u201c<em>Hello</em>,\u201d she said, \u201c\u2018nested\u2019\u201d</p>"),
    ('A "`code \"x\"`" and <span title="a">"b"</span>',  # code and raw HTML attributes as written
     '<p>A \u201c<code>code "x"</code>\u201d and <span title="a">\u201cb\u201d</span></p>'),
    ('[the "link"](https://a.org "its title")',
     '<p><a href="https://a.org" title="its title">the \u201clink\u201d</a></p>'),
    ("    code 'x'", "<pre><code>code 'x'\n</code></pre>"),
    ("```\nfenced \"x\"\n```", "<pre><code>fenced &quot;x&quot;\n</code></pre>"),
    ("&quot;kept&quot; straight", "<p>&quot;kept&quot; straight</p>"),
    ("> \"quoted\"\n\n- 'item'", "<blockquote>\n<p>\u201cquoted\u201d</p>\n</blockquote>\n<ul>\n<li>\u2018item\u2019</li>\n</ul>"),
])
def test_bodies_get_typographic_quotes_but_not_in_code(markdown, html):
    assert make_markdown().convert(markdown) == html


def test_titles_and_summaries_get_typographic_quotes():
    event, problems = read('---\ntitle: "Strike on \\"Pier 3\\" in Odesa\'s port"\ndate: 2024-10-28\n'
                           "summary: The 'largest' yet\nsources: []\n---\nThe \"first\" one.\n")
    assert event.title == "Strike on \u201cPier 3\u201d in Odesa\u2019s port"
    assert event.summary == "The \u2018largest\u2019 yet" and event.body == "<p>The \u201cfirst\u201d one.</p>"
    event, _ = read("---\ntitle: x\ndate: 2024-10-28\n---\nThe \"first\" one.\n")
    assert event.summary == "The \u201cfirst\u201d one."  # from the body, already typeset
