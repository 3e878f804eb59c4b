"""Scaffold a new entry: content/DATE-slug.md from a template, checked before it is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml

from .config import Settings
from .dates import DateError, Precision, When, format_when, parse_span, parse_when
from .entries import PLACEHOLDER_BODY, PLACEHOLDER_PUBLISHER, PLACEHOLDER_TITLE, PLACEHOLDER_URL, check_url
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
        when, _ = parse_span(date_text, zone=settings.zone, year=settings.year, date_order=settings.date_order,
                             calendar=settings.calendar)
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
    """Return DATE-slug.md: the day (or month, or year) the event happened, then the title's slug; a date
    ISO 8601 cannot write plainly (c. 1500, 470 BCE, the 1990s) gives no prefix: slug.md."""
    slug = slugify(entry.title) or "event"
    if entry.date.datetime is None:
        return f"{slug}.md"
    day = entry.date.iso()[:10] if entry.date.precision >= Precision.DAY else entry.date.iso()
    return f"{day}-{slug}.md"


def _example_day(when: When) -> str:
    """Return the day of a date as an example of a later date (a source's, an update's)."""
    return when.iso()[:10] if when.datetime is not None and when.year >= 1000 else "2024-10-28"


def _yaml(value: object) -> str:
    """Return value as one line of YAML, quoted when it needs to be."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000).strip().removesuffix(
        "\n...").strip()


def _after(when: When) -> str:
    """Return a date one day (month, year, hour) after `when`, as an example of an end."""
    if when.precision is Precision.MINUTE:
        return When(when.start + timedelta(hours=1), Precision.MINUTE).iso()
    if when.datetime is None:  # c. 1500, 470 BCE, a century: an end as the author writes such a date
        return format_when(when)
    following = When(when.period_end(), when.precision).iso()
    try:
        parse_when(following, zone=when.start.tzinfo)
    except DateError:  # past the last year a date may have: the same day is an end too
        return when.iso()
    return following


def entry_text(entry: NewEntry) -> str:
    """Return the text of the new entry: every field filled in or shown commented out, each explained.

    Explanations are comments of their own lines, so that a field uncommented as it is reads as
    written (a comment after a plain value is an error: it would cut the text). The placeholders
    (entries.PLACEHOLDER_*) are warned of by check when they are left in place.
    """
    slug = slugify(entry.title) or "event"
    lines = ["---", f"title: {_yaml(entry.title)}", f"date: {_yaml(entry.date_text)}",
             "# The end of a span, on or after the date:", f"# end: {_after(entry.date)}"]
    if entry.sources:
        lines.append("sources:")
        for url in entry.sources:
            lines += [f"  - url: {_yaml(url)}", f"    # publisher: {PLACEHOLDER_PUBLISHER}",
                      f"    # title: {PLACEHOLDER_TITLE}", f"    # date: {_example_day(entry.date)}",
                      "    # archive: https://web.archive.org/…"]
    else:
        lines += ["# Where it was reported: a link, with the outlet's name and the headline.",
                  "sources:", f"  # - url: {PLACEHOLDER_URL}",
                  f"  #   publisher: {PLACEHOLDER_PUBLISHER}", f"  #   title: {PLACEHOLDER_TITLE}"]
    lines.append(f"tags: {_yaml(list(entry.tags))}" if entry.tags else "# tags: [Diplomacy, Military]")
    lines += ["# location: Brussels, Belgium",
              "# One line for lists and feeds; otherwise the first paragraph:",
              "# summary: NATO confirms the deployment.",
              "# The URL name, events/SLUG/ (lower-case letters, digits and hyphens); otherwise the file name:",
              f"# slug: {slug}",
              "# Orders events of the same instant, lower first (0 when left out):",
              "# weight: 1",
              "# When this entry was last revised (feeds and calendar):",
              f"# updated: {_example_day(entry.date)}",
              "# Left out of the site unless --drafts:",
              "# draft: true",
              "---",
              PLACEHOLDER_BODY, ""]
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
