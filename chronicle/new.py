"""Scaffold a new entry: content/DATE-slug.md from a template, checked before it is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .config import Settings
from .dates import DateError, Precision, When, parse_when
from .entries import check_url
from .model import slugify


class NewEntryError(Exception):
    """The entry cannot be written as asked; the message says what to change."""


@dataclass(frozen=True)
class NewEntry:
    """What `new` was asked for, validated."""

    title: str
    date: When
    date_text: str
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def prepare(title: str, date_text: str, sources: list[str], tags: list[str], settings: Settings) -> NewEntry:
    """Check the title, date and links of a new entry, reporting every problem at once."""
    problems = []
    title = " ".join(title.split())
    if not title:
        problems.append("the title is empty — write it in quotes: new \"What happened\" --date 2024-10-28")
    when = None
    try:
        when = parse_when(date_text, zone=settings.zone, year=settings.year, date_order=settings.date_order)
    except DateError as error:
        problems.append(f"--date: {error}")
    for url in sources:
        problem = check_url(url)
        if problem:
            problems.append(f"--source: {problem}")
    if problems:
        raise NewEntryError("\n".join(problems))
    return NewEntry(title, when, date_text.strip(), tuple(sources), tuple(t.strip() for t in tags if t.strip()))


def file_name(entry: NewEntry) -> str:
    """Return DATE-slug.md: the day (or month, or year) the event happened, then the title's slug."""
    day = entry.date.iso()[:10] if entry.date.precision >= Precision.DAY else entry.date.iso()
    return f"{day}-{slugify(entry.title) or 'event'}.md"


def _yaml(value: object) -> str:
    """Return value as one line of YAML, quoted when it needs to be."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000).strip().removesuffix(
        "\n...").strip()


def entry_text(entry: NewEntry) -> str:
    """Return the text of the new entry: every field filled in or shown commented out."""
    lines = ["---", f"title: {_yaml(entry.title)}", f"date: {_yaml(entry.date_text)}",
             "# end: 2024-10-31            # the end of a span"]
    if entry.sources:
        lines.append("sources:")
        for url in entry.sources:
            lines += [f"  - url: {_yaml(url)}", "    # publisher: The name of the outlet",
                      "    # title: The headline", "    # date: 2024-10-28", "    # archive: https://web.archive.org/…"]
    else:
        lines += ["sources:", "  # - url: https://example.org/where-it-was-reported",
                  "  #   publisher: The name of the outlet", "  #   title: The headline"]
    lines.append(f"tags: {_yaml(list(entry.tags))}" if entry.tags else "# tags: [Diplomacy, Military]")
    lines += ["# location: City, Country", "# summary: One line; otherwise the first paragraph",
              "# draft: true                 # left out unless --drafts", "---",
              "What happened, in a paragraph or two. Say who reported it and how it is known.", ""]
    return "\n".join(lines)


def write_entry(content: Path, entry: NewEntry) -> Path:
    """Write the entry into content/, refusing to overwrite anything; return its path."""
    content.mkdir(parents=True, exist_ok=True)
    path = content / file_name(entry)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(entry_text(entry))
    except FileExistsError:
        raise NewEntryError(f"{path} already exists — choose another title, or edit that file") from None
    return path
