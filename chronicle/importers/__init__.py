"""Bringing a timeline in (`chronicle import FORMAT SOURCE`): each format's reader turns its file into
Drafts, one per event, and the timeline's own values; `write` writes them as entries into content/.

A reader is a function `read(path, text, how) -> Imported` (how: the command's options, such as
`--map` and `--now`), registered in FORMATS by name. It never writes; everything it could not
carry over is a Note with the source's own location (`timeline.json: events[12]`, `sheet.csv:14`).
Writing checks every name first and writes nothing when one is taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

import yaml

from ..config import INDEX_NAME
from ..entries import curl_quotes, is_entry_name
from ..model import slugify


@dataclass(frozen=True)
class Draft:
    """One event as it will be written: its front matter's fields, in order, and its body."""

    where: str  # the place in the source it came from: `timeline.json: events[12]`, `sheet.csv:14`
    fields: dict[str, Any]  # title, date (text Chronicle reads), end, tags, sources, media, slug …
    body: str = ""  # Markdown (HTML is Markdown too: kept as the author's own)

    @property
    def title(self) -> str:
        return str(self.fields.get("title") or "")


@dataclass(frozen=True)
class Note:
    """Something of the source that was not carried over, or carried over changed."""

    where: str
    message: str


@dataclass
class Imported:
    """What a reader made of a source: the events, the timeline's own values, and the notes."""

    drafts: list[Draft] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)  # title, description, eras … for _index.md
    intro: str = ""  # the body of _index.md
    notes: list[Note] = field(default_factory=list)


def keep_order(drafts: list[Draft]) -> None:
    """Give the events of one date a weight in the source's order where Chronicle's own order (by the
    title as typeset, README: Order) would differ from it."""
    by_date: dict[str, list[Draft]] = {}
    for draft in drafts:
        by_date.setdefault(str(draft.fields["date"]), []).append(draft)
    for same in by_date.values():
        titles = [_title_order(draft.title) for draft in same]
        if len(same) > 1 and titles != sorted(titles):
            for weight, draft in enumerate(same, 1):
                draft.fields["weight"] = weight


def _title_order(title: str) -> tuple[str, str]:
    typeset = curl_quotes(title)  # as the model orders them
    return typeset.casefold(), typeset


@dataclass(frozen=True)
class How:
    """What the command line says of how to read: `--map column=field`, `--now DATE`, the source's name."""

    name: str  # the source's file name, as notes call it
    mapping: dict[str, str] = field(default_factory=dict)
    now: date | None = None


class SourceError(Exception):
    """A source that cannot be read at all (not JSON, no header row): said as the command's error, with
    the place in the source when there is one (`sheet.csv:1: no header row`)."""


Reader = Callable[[Path, str, How], Imported]
FORMATS: dict[str, str] = {  # the format's name: the module that reads it
    "timelinejs": "timelinejs",
    "markwhen": "markwhen",
    "csv": "spreadsheet",
    "ics": "calendar",
}


def reader(name: str) -> Reader:
    """Return the read function of a format (its module is loaded only when asked for)."""
    from importlib import import_module

    return import_module(f".{FORMATS[name]}", __name__).read


class _Dumper(yaml.SafeDumper):
    """YAML as an author writes it: lists of scalars on one line where short, text never folded."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # a list's items indented below its key, as README writes them


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _mapping(dumper: yaml.SafeDumper, value: dict):
    # In blocks, always: default_flow_style=None would write a mapping of scalars, the whole front matter
    # among them, as `{title: …, date: …}`.
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=False)


def _list(dumper: yaml.SafeDumper, value: list):
    # On one line only when short words (`tags: [NATO, Russia]`); links and longer items one a line.
    short = all(isinstance(item, str) and len(item) <= 40 and "://" not in item for item in value) \
        and sum(map(len, value)) <= 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, _list)


def front_matter(fields: dict[str, Any]) -> str:
    """Return fields as YAML front matter between --- lines, in their order, text in quotes only where needed."""
    text = yaml.dump({k: v for k, v in fields.items() if v not in (None, "", [], {})}, Dumper=_Dumper,
                     sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    return f"---\n{text}---\n"


def entry_text(draft: Draft) -> str:
    body = draft.body.strip()
    return front_matter(draft.fields) + (f"\n{body}\n" if body else "")


def file_names(drafts: list[Draft]) -> list[str]:
    """Return each draft's file name: DATE-slug.md when its date starts with a day, else slug.md; a name
    used twice gets -2, -3 (the slug: field keeps the event's URL name when the source gave one)."""
    names: list[str] = []
    used: set[str] = set()
    for draft in drafts:
        slug = str(draft.fields.get("slug") or "") or slugify(draft.title)[:60].strip("-") or "event"
        day = re.match(r"^(\d{4}-\d{2}-\d{2})(?!\d)", str(draft.fields.get("date") or ""))
        stem = f"{day.group(1)}-{slug}" if day and not slug.startswith(day.group(1)) else slug
        name, n = f"{stem}.md", 2
        while name in used or not is_entry_name(name):
            name, n = f"{stem}-{n}.md", n + 1
        used.add(name)
        names.append(name)
    return names


def problems(draft: Draft, settings: dict[str, Any], md=None) -> list[str]:
    """Return the errors build would report of the entry a draft becomes, read as build reads it with the
    timeline's values a reader writes (timezone, year, date_order, calendar): a reader leaves out, with a
    Note, what would keep the import from building."""
    from ..config import Settings
    from ..diagnostics import Report
    from ..entries import read_entry

    known = {key: settings[key] for key in ("timezone", "year", "date_order", "calendar") if key in settings}
    report = Report()
    read_entry(Path(file_names([draft])[0]), entry_text(draft), Settings(**known), report, md)
    return [error.message for error in report.errors]


def write(imported: Imported, content: Path) -> list[tuple[Path, str]]:
    """Write the entries and _index.md into content (made when missing); return each path written with
    where it came from. Raise FileExistsError naming every entry already there: nothing is written then.
    A timeline's _index.md already there is kept as it is (events brought into a timeline that has its
    own values): a note says which of the source's values were not written, to add by hand."""
    planned: list[tuple[Path, str, str]] = []
    index = content / INDEX_NAME
    if (imported.settings or imported.intro) and index.exists():
        values = ", ".join(f"{key}: {value}" for key, value in imported.settings.items() if key != "eras")
        kept = [part for part in (values, "eras" if "eras" in imported.settings else "",
                                  "an intro" if imported.intro.strip() else "") if part]
        imported.notes.append(Note(str(index), f"kept as it was; the source's own values were not written "
                                               f"({'; '.join(kept)}) — add those you want by hand"))
    elif imported.settings or imported.intro:
        body = imported.intro.strip()
        planned.append((content / INDEX_NAME, front_matter(imported.settings) + (f"\n{body}\n" if body else ""),
                        "the timeline's own values"))
    for draft, name in zip(imported.drafts, file_names(imported.drafts)):
        planned.append((content / name, entry_text(draft), draft.where))
    taken = [(path, where) for path, _, where in planned if path.exists()]
    if taken:
        raise FileExistsError("\n".join(f"{path}: error: already exists — {where} would be written there; move "
                                        "it away, or import into another folder with --content DIR"
                                        for path, where in taken))
    content.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text, where in planned:
        with open(path, "x", encoding="utf-8") as file:  # "x": never over a file made meanwhile
            file.write(text)
        written.append((path, where))
    return written
