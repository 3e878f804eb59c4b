"""Helpers of tests/test_oracle.py: the content, settings and theme a random series of edits works on,
the two ways of building it (the engine and the reference, each a `chronicle` process), a client of
a running `chronicle serve`, and readable comparisons of whole sites.

Only the command line and the HTTP server are used: nothing of the package is imported, so these
helpers hold whatever the package's internals become.
"""

from __future__ import annotations

import difflib
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
CHRONICLE = [sys.executable, "-m", "chronicle"]  # the installed program, as `chronicle` runs it
WAIT = 30.0  # seconds: a generous bound on waiting for serve, never a sleep used as the only sync
BUILD_TIMEOUT = 300.0

Tree = dict[str, bytes]


# --------------------------------------------------------------------------- content

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
# (year, month, day, hour, minute): days that share a date, cross a year, a US daylight-saving change
DAYS = [(2024, 10, 26, 9, 5), (2024, 10, 28, 14, 30), (2024, 10, 28, 8, 0), (2024, 10, 29, 23, 45),
        (2024, 10, 31, 0, 15), (2024, 11, 1, 12, 0), (2023, 12, 31, 22, 10), (2024, 3, 10, 2, 30),
        (2024, 3, 4, 11, 11)]


def written_date(day: int, form: int) -> str:
    """One of the forms an author writes a date in, as a YAML value (quoted where YAML would not keep it)."""
    y, m, d, hh, mm = DAYS[day % len(DAYS)]
    forms = [
        f"{y}-{m:02d}-{d:02d}",  # the day
        f"{d} {MONTHS[m - 1]} {y}",
        f"{MONTHS[m - 1]} {d}, {y}",
        f"'{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}'",  # a minute in the timeline's zone
        f"'{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}-04:00'",  # an instant
        f"'{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d} KST'",
        f"'{MONTHS[m - 1][:3]} {d}, {y} {(hh % 12) or 12}:{mm:02d} {'PM' if hh >= 12 else 'AM'}'",
        f"'{y}-{m:02d}'",  # the month only
        f"{MONTHS[m - 1]} {y}",
        f"'{y}'",  # the year only
        f"{d} {MONTHS[m - 1]}",  # the timeline's year (an error without one)
        f"'{d:02d}/{m:02d}/{y}'",  # clear when the day is above 12, else needs date_order
        # As historians write them (issue 16): before AD 1, deep time, circa, periods, intervals.
        f"'c. {y}'",
        f"'{y}?'",
        f"'{d} {MONTHS[m - 1]} {y - 1980} BC'",  # 44 BC
        f"'-{y * 10 ** (d % 7)}'",  # BCE, or deep time (10**6 years and more)
        f"'{y // 10 * 10}s'",  # a decade
        f"'before {y}'",
        f"'Spring {y}'",
        f"'{y - 1}/{y}'",  # an interval: the event's span
        f"'{(y - 2000) % 5 + 19}th century'",
        f"'c. {y - 1500} BCE'",
    ]
    return forms[form % len(forms)]


DATE_FORMS = 22

TITLES = ["Talks in Geneva", "Vote & count", "<b>Not bold</b>", 'A "quoted" word', "Ruling: an appeal", "Strike",
          "Élysée summit", "東京 meeting", "a", "Zebra crossing", "talks in geneva"]
BODIES = [
    "Text.\n",
    "What happened, in *brief*.\n\n- first point, with `code`\n- second, see [the record](https://example.org/r)\n",
    "> A quotation.\n\nAnd a second paragraph with **bold** text.\n",
    "Raw <span class=\"author\">HTML</span> is kept & escaped text is not.\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "```\nfenced code <here>\n```\n",
    "",
    "Plain prose without any markup at all just words and more words\n",
    "See [the picture](pic.png), [the photo](/sub/photo.jpg#top) and [no file](gone.pdf).\n",  # bundled when there
]
TAGS = ["NATO", "Russia", "Élysée", "C", "C++", "東京", "a/b", "../x", "Diplomacy", "diplomacy"]
URLS = ["https://example.org/a", "https://news.example.com/b", "https://www.reuters.com/world/c",
        "http://example.net/d?x=1&y=2", "https://example.org/e"]
SOURCES = [
    "- {url}",
    "- url: {url}\n    publisher: Wire\n    title: \"A report & more\"\n    date: 2024-10-29",
    "- url: {url}\n    publisher: Gazette",
    "- url: {url}\n    title: Only a title\n    archive: https://web.archive.org/web/2024/{url}",
    "- title: A briefing\n    publisher: Ministry of Defence",  # no url: shown as text
    "- url: {url}\n    publisher: Wire\n    date: 2024-10-20",  # dated before its event: a warning
]
SLUGS = ["alpha", "shared", "b-2", "zeta"]
LOCATIONS = ["Brussels, Belgium", "Seoul", "Washington, D.C.", "Kyiv"]
EXTRAS = [("mood", "calm"), ("mood", "tense"), ("credit", "Photo: A. B."), ("rank", "3"), ("titel", "misspelt")]


# An event's media (issue 18): pictures of the content folder (PICTURES, which a step changes or removes:
# then the event's build fails until the picture is back), a link card, a document.
MEDIA_ITEMS = [
    None,
    "{src: pic.png, alt: A picture, caption: The *caption*, credit: Its credit}",
    "[{src: /sub/photo.jpg, alt: A photo}, 'https://youtu.be/dQw4w9WgXcQ']",
    "{src: 'https://example.org/communique.pdf', caption: The communiqué}",
    "[{src: pic.png, alt: ''}, {src: /sub/photo.jpg, alt: Again, link: 'https://example.org/x'}]",
]
PICTURES = ["pic.png", "sub/photo.jpg"]


def picture_bytes(name: str, version: int) -> bytes:
    """A small picture, in one of a few versions (sizes and colours): what a changed file holds."""
    from PIL import Image

    size = [(40, 30), (64, 20), (30, 30)][version % 3]
    out = io.BytesIO()
    Image.new("RGB", size, (40 * version % 256, 90, 160)).save(out, "PNG" if name.endswith(".png") else "JPEG")
    return out.getvalue()


def q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class Entry:
    """One event's file, as its fields; text() writes it."""

    title: str
    date: str | None  # as written in YAML; None: left out (the file name gives it, or an error)
    body: str = "Text.\n"
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # YAML list items, each a few lines
    slug: str | None = None
    draft: bool = False
    location: str | None = None
    summary: str | None = None
    weight: int | None = None
    end: str | None = None
    updated: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    media: str | None = None  # the `media:` value as written (MEDIA_ITEMS)
    fault: str | None = None  # "impossible date" or "no title": the build fails (until the next step fixes it)

    def text(self) -> str:
        lines = [f"title: {q(self.title)}"] if self.fault != "no title" else []
        if self.fault == "impossible date":
            lines.append("date: 2024-02-30")
        elif self.date is not None:
            lines.append(f"date: {self.date}")
        if self.end:
            lines.append(f"end: {self.end}")
        if self.updated:
            lines.append(f"updated: {self.updated}")
        if self.slug:
            lines.append(f"slug: {self.slug}")
        if self.draft:
            lines.append("draft: true")
        if self.location:
            lines.append(f"location: {q(self.location)}")
        if self.summary:
            lines.append(f"summary: {q(self.summary)}")
        if self.weight is not None:
            lines.append(f"weight: {self.weight}")
        if self.tags:
            lines.append(f"tags: {json.dumps(list(self.tags), ensure_ascii=False)}")
        if self.sources:
            lines.append("sources:")
            lines += ["  " + item for item in self.sources]
        if self.media:
            lines.append(f"media: {self.media}")
        lines += [f"{key}: {q(value)}" for key, value in self.extra]
        return "---\n" + "\n".join(lines) + "\n---\n" + self.body


def source_item(kind: int, url: int) -> str:
    return SOURCES[kind % len(SOURCES)].format(url=URLS[url % len(URLS)])


def generated_entries(count: int, seed: int = 7) -> dict[str, Entry]:
    """count short, varied entries (always the same ones for a seed), by file name."""
    rng = random.Random(seed)
    entries = {}
    valid = [i for i, (y, m, d, hh, mm) in enumerate(DAYS) if (m, d, hh) != (3, 10, 2)]  # a time skipped in the US
    for n in range(count):
        kind = n % 9
        date = written_date(rng.choice(valid), kind if kind < 8 else 0)
        entries[f"g{n:03d}.md" if n % 5 else f"sub/g{n:03d}.md"] = Entry(
            title=f"Event {n}: {rng.choice(TITLES)}", date=date,
            body=f"Event number {n}, in *brief*.\n" if n % 3 else "Plain words only\n",
            tags=tuple(rng.sample(TAGS, rng.randrange(0, 3))),
            sources=tuple(source_item(rng.randrange(6), rng.randrange(5)) for _ in range(rng.randrange(0, 3))),
            weight=rng.choice([None, None, -1, 2]),
            location=rng.choice([None, None, *LOCATIONS]),
        )
    return entries


SETTING_VALUES = {
    "title": ["A timeline", "Troops & talks", "<Edited> title", "Élysée: a week"],
    "description": [None, "What happened, day by day.", "Another description & more"],
    "timezone": [None, "UTC", "America/New_York", "Europe/Berlin", "Asia/Seoul"],
    "sort": [None, "oldest-first", "newest-first"],
    "language": [None, "en", "fr", "ko"],
    "base_url": [None, "https://example.org/timeline/", "https://other.example/t"],
    "year": [None, "2024", "2023"],
    "date_order": [None, "DMY", "MDY"],
    "sources": [None, "optional", "expected"],
    "page_events": [None, "10", "12"],  # past it: period pages, a tag's and a publisher's (periods.split)
    # Written as they are (Index.text): YAML, not text. Eras over the days of DAYS, in forms events take.
    "eras": [None, "[{name: Late October, start: 2024-10-27, end: 2024-10-31, colour: '#2a6f97'}]",
             "[{name: The week, start: 28 October 2024, end: now}, {name: Autumn, start: autumn 2024, end: 2024-11}]"],
}
INDEX_EXTRAS = {"subtitle": ["Day by day", "Hour by hour", "A new subtitle"], "editor": ["A. Editor", "B. Writer"],
                "colour": ["red", "blue"]}
INTROS = ["", "The intro, in *Markdown*.", "Another intro with [a link](https://example.org/about).\n\nTwo paragraphs.",
          "Raw <em>HTML</em> in the intro & more."]


@dataclass(frozen=True)
class Index:
    """content/_index.md: its settings, its unknown fields (given to the theme as timeline.extra), its intro."""

    settings: tuple[tuple[str, str], ...] = (("title", "A timeline"), ("year", "2024"))
    extra: tuple[tuple[str, str], ...] = ()
    intro: str = "The intro, in *Markdown*."
    present: bool = True

    def text(self) -> str:
        lines = []
        for key, value in self.settings:
            lines.append(f"{key}: {value if key in ('year', 'eras') else q(value)}")
        lines += [f"{key}: {q(value)}" for key, value in self.extra]
        return "---\n" + "\n".join(lines) + "\n---\n" + self.intro + ("\n" if self.intro else "")

    def set(self, key: str, value: str | None) -> "Index":
        settings = tuple((k, v) for k, v in self.settings if k != key)
        return replace(self, settings=settings + (((key, value),) if value is not None else ()), present=True)

    def set_extra(self, key: str, value: str | None) -> "Index":
        extra = tuple((k, v) for k, v in self.extra if k != key)
        return replace(self, extra=extra + (((key, value),) if value is not None else ()), present=True)


# --------------------------------------------------------------------------- the theme

# Macros that show every value a template is given: the timeline's own values (with its unknown
# fields, timeline.extra), the page, and every field of an event.
ORACLE_MACROS = """\
{# oracle.html: every value a page is given, shown (tests/test_oracle.py). mark: {MARK} #}
{% macro site() %}
<aside class="oracle-site" data-mark="{MARK}">
title={{ timeline.title }}|description={{ timeline.description }}|language={{ timeline.language }}
|timezone={{ timeline.timezone }}|base_url={{ timeline.base_url }}|newest_first={{ timeline.newest_first }}
|span={{ span }}|root={{ root }}|page={{ page.kind }}:{{ page.path }}:{{ page.title }}|generator={{ generator }}
|absolute={{ page.path|absolute }}
{SHOW_EXTRA}
<div class="oracle-intro">{{ timeline.intro|safe }}</div>
</aside>
{% endmacro %}
{% macro event(e) %}
<div class="oracle-event" data-slug="{{ e.slug }}">
{{ e.slug }}|{{ e.title }}|{{ e.start|datetime }}|{{ e.start|edtf }}|{{ e.start|date }}|{{ e.start|time }}|{{ e.start|day }}|{{ e|span }}
|end={% if e.end %}{{ e.end|datetime }}{% endif %}|path={{ e.path }}|location={{ e.location }}|summary={{ e.summary }}
|draft={{ e.draft }}|weight={{ e.weight }}|updated={% if e.updated %}{{ e.updated|datetime }}{% endif %}|url={{ e.url }}
|absolute={{ e.url|absolute }}
{% for tag in e.tags %}<a href="{{ root }}{{ tag|tag_url|local }}">{{ tag }}</a>{% endfor %}
{% for s in e.sources %}[{{ s.url }}|{{ s.title }}|{{ s.publisher }}|{% if s.date %}{{ s.date|date }}{% endif %}
|{{ s.archive }}|{{ s.name }}{% if s.url %}|{{ s.url|host }}{% endif %}]{% endfor %}
{% for key, value in e.extra|dictsort %}<span class="event-extra">{{ key }}={{ value }}</span>{% endfor %}
</div>
{% endmacro %}
"""

SHOW_EXTRA = ('{% for key, value in timeline.extra|dictsort %}<span class="extra">{{ key }}={{ value }}</span>'
              '{% endfor %}')

# What each template gets at its end (page templates: a block that base.html places before </body>).
ORACLE_BLOCKS = {
    "index.html": """
{% block oracle %}
{% import "oracle.html" as o with context %}
<div class="oracle-index">events={{ timeline.events|length }}|jump={{ timeline.jump.unit }}:{{ timeline.jump.years }}
{% for d in timeline.jump.days %}{{ d.id }} {% endfor %}
{% for tag, events in timeline.tags.items() %}{{ tag }}={{ events|length }}->{{ tag|tag_url }} {% endfor %}
{% for e in timeline.events %}{{ e.slug }} {% endfor %}
</div>
<p class="mark">index {MARK}</p>
{% endblock %}
""",
    "event.html": """
{% block oracle %}
{% import "oracle.html" as o with context %}
{{ o.event(event) }}
{% if previous %}<div class="previous">{{ o.event(previous) }}</div>{% endif %}
{% if next %}<div class="next">{{ o.event(next) }}</div>{% endif %}
<p class="mark">event {MARK}</p>
{% endblock %}
""",
    "tag.html": """
{% block oracle %}
{% import "oracle.html" as o with context %}
<div class="oracle-tag">{{ tag.name }}|{{ tag.slug }}|{{ tag.url }}|{{ tag.count }}|{{ tag.span }}
{% for e in tag.events %}{{ o.event(e) }}{% endfor %}
{% for d in tag.days %}{{ d.id }}:{{ d.gap }} {% endfor %}</div>
<p class="mark">tag {MARK}</p>
{% endblock %}
""",
    "tags.html": """
{% block oracle %}
<div class="oracle-tags">{% for tag in tags %}{{ tag.name }}|{{ tag.url }}|{{ tag.count }} {% endfor %}</div>
<p class="mark">tags {MARK}</p>
{% endblock %}
""",
    "sources.html": """
{% block oracle %}
<div class="oracle-sources">{{ source_count }}|{{ cited_events }}
{% for p in publishers %}{{ p.name }}|{{ p.id }}|{{ p.count }}|{{ p.events }} {% endfor %}
{% for e in unsourced %}{{ e.slug }} {% endfor %}</div>
<p class="mark">sources {MARK}</p>
{% endblock %}
""",
    "day.html": """
{% import "oracle.html" as o with context %}
<div class="oracle-day">{{ day.id }}|{{ day.gap }}|{{ day.precision }}|{{ day.when|date }}|{{ day.date }}
{{ o.site() }}
{% for e in day.events %}{{ o.event(e) }}{% endfor %}
<p class="mark">day {MARK}</p>
</div>
""",
    "card.html": """
{% import "oracle.html" as o with context %}
<div class="oracle-card">root={{ root }}|span={{ span }}|{{ timeline.title }}|{{ timeline.description }}
|{{ timeline.language }}|{{ timeline.timezone }}|{{ timeline.base_url }}|{{ timeline.newest_first }}
{% for key, value in timeline.extra|dictsort %}<span class="extra">{{ key }}={{ value }}</span>{% endfor %}
{{ o.event(event) }}
<p class="mark">card {MARK}</p>
</div>
""",
    "citation.html": """
{% import "oracle.html" as o with context %}
<li class="oracle-citation">{{ citation.source.url }}|{{ citation.source.title }}|{{ citation.source.publisher }}
|{{ citation.source.name }}|{% for e in citation.events %}{{ e.slug }} {% endfor %}
{{ o.site() }}
<p class="mark">citation {MARK}</p>
</li>
""",
    "macros.html": "\n{# macros mark {MARK} #}\n{% macro unused() %}{MARK}{% endmacro %}\n",
}
BASE_BLOCK = """\
{% import "oracle.html" as oracle_macros with context %}
{{ oracle_macros.site() }}
{% block oracle %}{% endblock %}
<p class="mark">base {MARK}</p>
</body>"""
OPTIONAL = {"sources.html": ("sources.html", "citation.html"), "tags.html": ("tags.html",), "tag.html": ("tag.html",)}
TEMPLATES = ["base.html", "index.html", "event.html", "day.html", "card.html", "tag.html", "tags.html", "sources.html",
             "citation.html", "macros.html", "oracle.html"]
STATIC_NAMES = ["chronicle.css", "icon.svg", "extra.txt", "sub/deep.css", "page.html", ".hidden", "data.bin"]
# The site's own files (static/ beside content/, published at the output's root); the clashing ones
# take the name of a file the build makes, an error until fix_errors removes them.
SITE_FILE_NAMES = ["CNAME", ".well-known/security.txt", "downloads/report.bin", "about/index.html", ".nojekyll"]
CLASHING_SITE_FILES = ["index.html", "static/chronicle.css", "feed.xml"]


def site_file(name: str, version: int) -> bytes:
    """A file of the site's own static/, in one of a few versions: bytes of every kind, HTML, empty."""
    if name.endswith(".bin"):
        return bytes([version, 0, 255, 13, 10]) * 50
    if name.endswith(".html"):
        return f"<!doctype html><html><body><p>the site's own page {version}</p></body></html>\n".encode()
    if name == ".nojekyll":
        return b""
    return f"{name} version {version}\n".encode()


def shipped_templates() -> dict[str, str]:
    folder = ROOT / "theme" / "templates"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}


def shipped_static() -> dict[str, bytes]:
    folder = ROOT / "theme" / "static"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class Theme:
    """The test's own theme: the shipped one, with every given value shown (when `reveal`), a mark in
    each template that edits change, the optional pages there or not, and its static files."""

    marks: tuple[tuple[str, int], ...] = ()
    show_extra: bool = True
    reveal: bool = True
    removed: frozenset[str] = frozenset()  # optional templates left out (OPTIONAL's keys)
    broken: bool = False  # a syntax error in a template (until the next step fixes it)
    static: tuple[tuple[str, bytes], ...] = ()  # None-less: the files as they are

    def __repr__(self) -> str:
        return (f"Theme(marks={dict(self.marks)}, show_extra={self.show_extra}, reveal={self.reveal}, "
                f"removed={sorted(self.removed)}, broken={self.broken}, static={[n for n, _ in self.static]})")

    def mark(self, name: str) -> int:
        return dict(self.marks).get(name, 0)

    def templates(self, shipped: dict[str, str]) -> dict[str, str]:
        """Every template's text, by name."""
        gone = {name for key in self.removed for name in OPTIONAL[key]}
        texts: dict[str, str] = {}
        for name, text in shipped.items():
            if name in gone:
                continue
            mark = str(self.mark(name))
            if self.reveal and name == "base.html" and "</body>" in text:
                at = text.rfind("</body>")
                text = text[:at] + BASE_BLOCK.replace("{MARK}", mark) + text[at + len("</body>"):]
            elif self.reveal and name in ORACLE_BLOCKS:
                text = text + ORACLE_BLOCKS[name].replace("{MARK}", mark)
            elif self.mark(name):
                text = text + f"{{# mark {mark} #}}\n"
            texts[name] = text
        if self.reveal:
            macros = ORACLE_MACROS.replace("{MARK}", str(self.mark("oracle.html")))
            macros = macros.replace("{SHOW_EXTRA}", SHOW_EXTRA if self.show_extra else "")
            texts["oracle.html"] = macros + ("{% if %}\n" if self.broken else "")
        elif self.broken:
            texts["event.html"] = texts["event.html"] + "{% if %}\n"
        return texts


def write_site_files(root: Path, files: dict[str, bytes], in_place: bool = False) -> None:
    """Make static/ in root (beside content/) hold exactly the site's own files."""
    sync(root / "static", files, in_place)


def write_theme(folder: Path, theme: Theme, shipped: dict[str, str], in_place: bool = False) -> None:
    """Make folder hold exactly the theme: templates/ and static/ (files saved only when they change)."""
    sync(folder / "templates", {name: text.encode("utf-8") for name, text in theme.templates(shipped).items()},
         in_place)
    sync(folder / "static", dict(theme.static), in_place)


def sync(folder: Path, files: dict[str, bytes], in_place: bool = False) -> None:
    """Make folder hold exactly files: changed ones saved (write-then-rename, or in place), others removed."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.rglob("*"), reverse=True):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name not in files:
            path.unlink()
        elif path.is_dir() and not any(n.startswith(name + "/") for n in files):
            path.rmdir()
    for name, data in files.items():
        path = folder / name
        if not path.is_file() or path.read_bytes() != data:
            save(path, data, in_place)


def save(path: Path, data: bytes, in_place: bool = False) -> None:
    """Save as most editors do: a temporary file beside it (a name no build reads) renamed over it,
    or (in_place) the file itself truncated and written again, as VS Code and nano do: same inode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if in_place and path.is_file():
        with open(path, "r+b") as handle:
            handle.truncate(0)
            handle.write(data)
        return
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# --------------------------------------------------------------------------- sites compared

def tree(folder: Path) -> Tree:
    """Every file under folder, by its posix path relative to folder, with its bytes."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def difference(got: Tree, expected: Tree, got_name: str = "engine", expected_name: str = "reference",
               limit: int = 60) -> str:
    """'' when the two sites are the same; else what differs: missing, extra and differing files, and a
    unified diff of the first differing text file."""
    missing = sorted(expected.keys() - got.keys())
    extra = sorted(got.keys() - expected.keys())
    differing = [name for name in sorted(expected) if name in got and got[name] != expected[name]]
    if not (missing or extra or differing):
        return ""
    lines = []
    if missing:
        lines.append(f"files only in the {expected_name}: {missing[:20]}{' …' if len(missing) > 20 else ''}")
    if extra:
        lines.append(f"files only in the {got_name}: {extra[:20]}{' …' if len(extra) > 20 else ''}")
    if differing:
        more = " …" if len(differing) > 20 else ""
        lines.append(f"files with other bytes ({len(differing)}): {differing[:20]}{more}")
        name = differing[0]
        lines.append(text_diff(expected[name], got[name], f"{expected_name}/{name}", f"{got_name}/{name}", limit))
    return "\n".join(lines)


def text_diff(expected: bytes, got: bytes, expected_name: str, got_name: str, limit: int = 60) -> str:
    try:
        a, b = expected.decode("utf-8").splitlines(), got.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"{got_name}: binary, {len(got)} bytes; {expected_name}: {len(expected)} bytes"
    diff = list(difflib.unified_diff(a, b, expected_name, got_name, n=2, lineterm=""))
    shown = [line if len(line) < 300 else line[:300] + " …" for line in diff[:limit]]
    if len(diff) > limit:
        shown.append(f"… ({len(diff) - limit} more lines of diff)")
    return "\n".join(shown)


# --------------------------------------------------------------------------- the two builds

@dataclass
class Built:
    """One `chronicle build`: its exit status, diagnostics and, when it succeeded, the site it wrote."""

    code: int
    out: str
    err: str

    def counts(self) -> str:
        """What the summary line says was made ('built 3 events, 8 pages'), without time or cache."""
        found = re.search(r"^built [\d,]+ events?, [\d,]+ pages?", self.out, re.M)
        return found.group(0) if found else ""

    def diagnostics(self) -> list[str]:
        """The diagnostics, without the closing line that names the output folder."""
        return [re.sub(r"; \S.* was left as it was$", "", line) for line in self.err.splitlines()]


def environment(extra: dict[str, str | None]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH",)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def start_build(cwd: Path, options: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([*CHRONICLE, "build", *options], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> Built:
    try:
        out, err = process.communicate(timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"build did not end in {BUILD_TIMEOUT} s: {process.args}\n{err[-2000:]}")
    return Built(process.returncode, out, err)


# --------------------------------------------------------------------------- serve

LIVE_START = b'<script>\n(() => {\n  const key = "chronicle-live";'
LIVE_END = re.compile(rb"</style>\n(?:<details id=\"chronicle-errors\" open role=\"alert\".*?</details>\n)?\Z", re.S)
OVERLAY = re.compile(rb'<details id="chronicle-errors" open role="alert".*?<pre>(.*?)</pre>', re.S)


def strip_live(page: bytes) -> tuple[bytes, bytes | None, str]:
    """Undo what serve adds to an HTML response: the live-reload script and style (and the error
    overlay), placed just before the last </body> (or at the end). Return the page as built, the
    overlay's error lines (None without overlay) and '' — or a message saying what is not as expected."""
    at = page.rfind(b"</body>")
    end = at if at >= 0 else len(page)
    start = page.rfind(LIVE_START, 0, end)
    if start < 0:
        return page, None, "no live-reload script before </body>"
    added = page[start:end]
    if not LIVE_END.search(added) or b"/__chronicle/live?v=" not in added:
        return page, None, "the live-reload addition does not end as serve's does"
    overlay = OVERLAY.search(added)
    return page[:start] + page[end:], (overlay.group(1) if overlay else None), ""


def is_html(name: str) -> bool:
    return name.endswith((".html", ".htm"))


class Serve:
    """`chronicle serve --port 0 …` in a folder of its own: its address, its pages, its reload stream."""

    def __init__(self, cwd: Path, options: list[str], env: dict[str, str]):
        self.proc = subprocess.Popen([*CHRONICLE, "serve", "--port", "0", *options], cwd=cwd,
                                     env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        # Both streams are read to their end by threads (a server that prints warnings on every
        # rebuild must never block on a full pipe); the address is on the line that names a URL.
        self.out: list[str] = []
        self.err: list[str] = []
        self.started = threading.Event()
        self.readers = [threading.Thread(target=drain, args=(stream, sink, event), daemon=True)
                        for stream, sink, event in ((self.proc.stdout, self.out, self.started),
                                                    (self.proc.stderr, self.err, threading.Event()))]
        for reader in self.readers:
            reader.start()
        self.started.wait(BUILD_TIMEOUT)
        match = next((m for m in map(ADDRESS.search, list(self.out)) if m), None)
        if match is None:
            code, out, err = self.stop()
            raise AssertionError(f"serve did not start (exit {code}): {out}{err[-3000:]}")
        self.port = int(match.group(1))
        self.first = "".join(self.out)  # the first build's summary line, and the address
        self.stream: socket.socket | None = None
        self.buffer = b""

    def get(self, name: str) -> tuple[int, bytes]:
        """GET /name; returns status and body. A connection per request, as a browser's first: on one
        kept alive, each response would wait for a delayed ACK (Nagle), 40 ms a file."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            connection.request("GET", "/" + quote(name))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def listen(self) -> None:
        """Open the reload stream at the version the index shows, as the page's script does."""
        status, body = self.get("")
        version = int(re.search(rb"live\?v=(\d+)", body).group(1))
        self.stream = socket.create_connection(("127.0.0.1", self.port), timeout=WAIT)
        self.stream.sendall(f"GET /__chronicle/live?v={version} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self.buffer = b""

    def next_update(self, timeout: float) -> bool:
        """Wait for the server's next reload message; False when none came within timeout."""
        assert self.stream is not None
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" not in self.buffer:
                left = deadline - time.monotonic()  # heartbeats come every 15 s: the bound is the deadline
                if left <= 0:
                    return False
                self.stream.settimeout(left)
                try:
                    chunk = self.stream.recv(65536)
                except (socket.timeout, TimeoutError):
                    return False
                if not chunk:
                    raise AssertionError("serve closed the reload stream")
                self.buffer += chunk
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            if any(line.startswith(b"data: ") for line in block.splitlines()):
                return True

    def stop(self) -> tuple[int | None, str, str]:
        if self.stream is not None:
            self.stream.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        for reader in self.readers:
            reader.join(timeout=WAIT)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()
        return code, "".join(self.out), "".join(self.err)


ADDRESS = re.compile(r"http://[^/\s]+:(\d+)/")


def drain(stream, sink: list[str], started: threading.Event) -> None:
    """Keep every line of a stream; set started at the line with the server's address (or the end)."""
    for line in stream:
        sink.append(line)
        if ADDRESS.search(line):
            started.set()
    started.set()


def make_folder(base: Path | None, prefix: str) -> Path:
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
