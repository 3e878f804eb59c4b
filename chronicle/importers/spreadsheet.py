"""Reading a spreadsheet (`chronicle import csv sheet.csv`): its header row names the columns, and each
row below it becomes a Draft.

Columns are matched by name, without regard to case, spaces or punctuation (`Start Date`, `start_date`),
with the names spreadsheets commonly give them (`Headline`, `Description`, `Link`, `Category`);
`--map COLUMN=FIELD` says what the guess cannot. Dates are written as the cell says them: Chronicle
reads them as build will (README, Dates), and a row whose date it cannot read is left out with a Note at
its line, so that the import builds.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..dates import DateError, parse_span
from ..diagnostics import did_you_mean
from ..entries import ONGOING, make_markdown
from ..media import MIME, provider_of
from ..model import is_valid_slug
from . import Draft, How, Imported, Note, SourceError, keep_order, problems

# The fields a column can carry, each with the header names it is known by (compared by _key); the first
# is the field's own name, as --map and the notes write it.
FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "start", "start date", "begin", "begins", "from", "when", "event date", "date start",
             "start day", "datetime", "date time", "year"),
    "time": ("time", "start time", "hour"),
    "end": ("end", "end date", "to", "until", "finish", "ends", "date end", "end day", "stop"),
    "end time": ("end time", "finish time"),
    "title": ("title", "headline", "event", "event name", "name", "subject", "heading"),
    "body": ("body", "text", "description", "details", "content", "notes", "note", "story", "desc"),
    "summary": ("summary", "abstract", "lede"),
    "url": ("url", "source", "sources", "link", "links", "source url", "source link", "href", "website",
            "web", "reference", "references", "citation", "citations"),
    "tags": ("tags", "tag", "category", "categories", "group", "groups", "keywords", "keyword", "labels",
             "label", "topic", "topics"),
    "location": ("location", "place", "where", "venue", "city", "address"),
    "image": ("image", "media", "picture", "photo", "img", "image url", "media url", "picture url", "photo url"),
    "alt": ("alt", "alt text", "alternative text", "image alt", "media alt", "image description"),
    "credit": ("credit", "credits", "image credit", "media credit", "photo credit", "picture credit"),
    "caption": ("caption", "image caption", "media caption", "photo caption", "picture caption"),
    "slug": ("slug",),
}
SEVERAL = ("url", "tags", "body")  # fields several columns may fill together; of the others, the first column wins


def _key(name: str) -> str:
    """Return a header name as it is compared: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", name.casefold())


_FIELD_OF = {_key(name): field for field, names in FIELDS.items() for name in names}


def read(path: Path, text: str, how: How) -> Imported:
    """Read a CSV file with a header row into one Draft per row that has a date."""
    rows = _rows(text, how.name)
    if not rows:
        raise SourceError("the file is empty — export the sheet with its header row")
    header_line, header = rows[0]
    columns = _columns(header, how, header_line)
    imported = Imported()
    _tell_unused(columns, header, rows[1:], how.name, header_line, imported.notes)
    sheet = _Sheet(columns, how.name)
    records = [(line, sheet.record(cells)) for line, cells in rows[1:]]
    _strip_midnight(records, how.name, imported.notes)
    date_order = _date_order(records, how.name, imported.notes)
    if date_order:
        imported.settings["date_order"] = date_order
    md = make_markdown()
    for line, record in records:
        draft = _draft(record, f"{how.name}:{line}", date_order, imported.notes)
        if draft is None:
            continue
        if errors := problems(draft, imported.settings, md):  # a safety net: every check above is the build's
            imported.notes.append(Note(draft.where, f"row left out, as build would refuse it: {'; '.join(errors)}"))
            continue
        imported.drafts.append(draft)
    _unique_slugs(imported)
    keep_order(imported.drafts)  # rows of one date in the sheet's order
    imported.notes.sort(key=_line_of)  # in the sheet's order: told as they were found, row by row
    if sum(1 for draft in imported.drafts if not draft.fields.get("sources")) * 2 > len(imported.drafts):
        imported.settings["sources"] = "optional"  # README: no warning for each event without sources
    return imported


def _line_of(note: Note) -> int:
    line = re.search(r":(\d+)$", note.where)
    return int(line.group(1)) if line else 0


def _rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    """Return each row that is not empty, with the physical line it starts on (a quoted cell may span lines)."""
    first = 1
    lines = text.splitlines()
    excel = re.fullmatch(r"sep=(.)\s*", lines[0]) if lines else None  # Excel's own first line: `sep=;`
    if excel:
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first = 2
    delimiter = excel.group(1) if excel else _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], first
    try:
        for cells in reader:
            line, start = start, reader.line_num + first
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
    except csv.Error as error:
        raise SourceError(f"line {start}: {error} — is it a CSV file?") from None
    return rows


def _delimiter(text: str) -> str:
    """Return the delimiter the header row uses: a comma, a semicolon (Europe's spreadsheets) or a tab."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    header = re.sub(r'"[^"]*"', "", header)  # a quoted name may hold any of them
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _field(name: str) -> str | None:
    return _FIELD_OF.get(_key(name))


def _columns(header: list[str], how: How, line: int) -> dict[int, str]:
    """Return the field each column carries, by the column's index: --map first, then the names."""
    names = [cell.strip() for cell in header]
    by_key: dict[str, int] = {}
    for index, name in enumerate(names):
        by_key.setdefault(_key(name), index)
    if {"year", "month", "day", "headline"} <= set(by_key):
        raise SourceError(f"line {line}: this is TimelineJS's spreadsheet (Year, Month, Day … Headline) — import it "
                          "with `chronicle import timelinejs`")
    columns: dict[int, str] = {}
    for column, name in how.mapping.items():
        field = _field(name)
        if field is None:
            guess = did_you_mean(name, FIELDS)
            hint = f"did you mean {guess}? " if guess else ""
            raise SourceError(f"--map {column}={name}: Chronicle has no field '{name}' — {hint}a column can carry "
                              f"{', '.join(FIELDS)}")
        if _key(column) not in by_key:
            shown = ", ".join(f"'{name}'" for name in names if name)
            raise SourceError(f"--map {column}={name}: the header (line {line}) has no column '{column}' — its "
                              f"columns are {shown}")
        columns[by_key[_key(column)]] = field
    taken = set(columns.values())
    for index, name in enumerate(names):
        field = _field(name)
        if index in columns or field is None or (field in taken and field not in SEVERAL):
            continue
        columns[index] = field
        taken.add(field)
    if "title" not in taken and "summary" in taken:  # a sheet's only Summary is its events' names (iCalendar's)
        columns = {index: "title" if field == "summary" else field for index, field in columns.items()}
    if "date" not in columns.values():
        shown = ", ".join(f"'{name}'" for name in names if name)
        raise SourceError(f"line {line}: no column of dates among {shown} — name one Date, or say which it is "
                          "with --map COLUMN=date")
    return columns


def _tell_unused(columns: dict[int, str], header: list[str], rows: list[tuple[int, list[str]]], name: str,
                 line: int, notes: list[Note]) -> None:
    """Note each column with something in it that no field carries, once; and cells past the header's end."""
    for index, column in enumerate(header):
        if index in columns or not any(index < len(cells) and cells[index].strip() for _, cells in rows):
            continue
        label = column.strip() or f"column {index + 1} (no name)"
        field = _field(column)
        other = next((header[i].strip() for i, taken in columns.items() if taken == field), None) if field else None
        why = f" (the {field} is column '{other}')" if other else ""
        hint = f"--map {shlex.quote(column.strip() + '=FIELD')}" if column.strip() else "name it in the header"
        notes.append(Note(f"{name}:{line}", f"column '{label}' was not carried over{why} — {hint} to keep it"))
    extra = next((row_line for row_line, cells in rows if any(cell.strip() for cell in cells[len(header):])), None)
    if extra is not None:
        notes.append(Note(f"{name}:{extra}", f"cells past the header's {len(header)} columns were not carried over "
                                             "(here and on any later line) — give them a name in the header"))


class _Sheet:
    """The columns' fields: one row's cells → its fields' texts."""

    def __init__(self, columns: dict[int, str], name: str):
        self.columns = columns
        self.name = name

    def record(self, cells: list[str]) -> dict[str, list[str]]:
        """Return each field's cells in this row (only those with text), in column order."""
        record: dict[str, list[str]] = {}
        for index, field in self.columns.items():
            if index < len(cells) and cells[index].strip():
                record.setdefault(field, []).append(cells[index].replace("\r\n", "\n").replace("\r", "\n").strip())
        return record


def _one(record: dict[str, list[str]], field: str) -> str:
    return " ".join(record[field][0].split()) if field in record else ""


_MIDNIGHT = re.compile(r"^(?P<day>.+?)[ T]0?0:00(:00(\.0+)?)?$")


def _strip_midnight(records: list[tuple[int, dict[str, list[str]]]], name: str, notes: list[Note]) -> None:
    """Drop the time from a column of dates that are all at 00:00 (`2024-10-28 00:00:00`, as a program
    exporting dates as date-times writes them): they are days, and shown as days."""
    for field in ("date", "end"):
        cells = [record[field] for _, record in records if field in record]
        if cells and all(_MIDNIGHT.match(" ".join(cell[0].split())) for cell in cells):
            for cell in cells:
                cell[0] = _MIDNIGHT.match(" ".join(cell[0].split())).group("day")
            notes.append(Note(name, f"every {field} is at 00:00: they were carried over as days, without the time"))


def _when_text(record: dict[str, list[str]], field: str) -> str:
    """Return the text of the date (or the end) of a row, with its time column's time when there is one."""
    day, time = _one(record, field), _one(record, "time" if field == "date" else "end time")
    if field == "end" and not day and time:
        day = _one(record, "date")
    return f"{day} {time}" if day and time else day


def _read(text: str, date_order: str | None):
    return parse_span(text, zone=ZoneInfo("UTC"), date_order=date_order)


def _date_order(records: list[tuple[int, dict[str, list[str]]]], name: str, notes: list[Note]) -> str | None:
    """Return the date_order the sheet's dates need (DMY or MDY), or None when every date is clear as it is."""
    texts = [(line, text) for line, record in records for field in ("date", "end")
             if (text := _when_text(record, field)) and text.lower() not in ONGOING]

    def failures(order: str | None) -> list[tuple[int, str]]:
        failed = []
        for line, text in texts:
            try:
                _read(text, order)
            except DateError:
                failed.append((line, text))
        return failed

    unclear = [(line, text) for line, text in failures(None) if _ambiguous(text)]
    if not unclear:
        return None
    dmy, mdy = len(failures("DMY")), len(failures("MDY"))
    example = unclear[0][1]
    if dmy != mdy:
        order = "DMY" if dmy < mdy else "MDY"
        notes.append(Note(f"{name}:{unclear[0][0]}", f"dates such as '{example}' are read {_order_words(order)}, as "
                          f"the sheet's other dates are (date_order: {order} in content/_index.md)"))
        return order
    order = "MDY"  # nothing in the sheet tells: the order of the country most such sheets come from
    notes.append(Note(f"{name}:{unclear[0][0]}", f"dates such as '{example}' are read {_order_words(order)} "
                      f"(date_order: {order} in content/_index.md), but no date in the sheet tells — if they are "
                      f"day first, write date_order: DMY there"))
    return order


def _ambiguous(text: str) -> bool:
    try:
        _read(text, None)
    except DateError as error:
        return "ambiguous" in str(error)
    return False


def _order_words(order: str) -> str:
    return "day first (28/10/2024)" if order == "DMY" else "month first (10/28/2024)"


def _draft(record: dict[str, list[str]], where: str, date_order: str | None, notes: list[Note]) -> Draft | None:
    """Return one row as a Draft, or None (with a Note) when it cannot be an event."""
    def note(message: str) -> None:
        notes.append(Note(where, message))

    date = _when_text(record, "date")
    if not date:
        if any(record.get(field) for field in ("title", "body", "summary")):
            note("row left out: it has no date — write one in the date column and import it again")
        return None
    try:
        start, interval_end = _read(date, date_order)
    except DateError as error:
        day, day_alone = _one(record, "date"), None
        if day != date:  # the time column may be what cannot be read: keep the day alone
            try:
                day_alone = _read(day, date_order)
            except DateError:
                pass
        if day_alone is None:
            note(f"row left out: date '{date}' cannot be read — {error}")
            return None
        note(f"time '{_one(record, 'time')}' left out: '{date}' cannot be read ({error}); the event is dated {day}")
        (start, interval_end), date = day_alone, day

    fields: dict[str, Any] = {}
    body = "\n\n".join(record.get("body", []))
    title = _one(record, "title")
    if not title:
        title = _first_words(body or _one(record, "summary"))
        if not title:
            note("row left out: it has a date but no title or text")
            return None
        note(f"no title: the title is the text's first words, '{title}' — write one")
    fields["title"] = title
    fields["date"] = date

    end = _when_text(record, "end")
    if end:
        if interval_end is not None:
            note(f"end '{end}' left out: the date '{date}' gives the end already")
        elif end.lower() in ONGOING:
            fields["end"] = end
        else:
            try:
                first, last = _read(end, date_order)
                last = last if last is not None and last.bounded else first
            except DateError as error:
                note(f"end '{end}' left out: it cannot be read — {error}")
            else:
                if last.sort_key() < start.sort_key():
                    note(f"end '{end}' left out: it is before the date '{date}'")
                else:
                    fields["end"] = end

    if location := _one(record, "location"):
        fields["location"] = location
    tags = _tags(record.get("tags", []))
    if tags:
        fields["tags"] = tags
    sources = _sources(record.get("url", []), note)
    if sources:
        fields["sources"] = sources
    media = _media(record, title, note)
    if media:
        fields["media"] = media
    if summary := _one(record, "summary"):
        fields["summary"] = summary
    if slug := _one(record, "slug"):
        if is_valid_slug(slug):
            fields["slug"] = slug
        else:
            note(f"slug '{slug}' left out: a slug is lower-case letters, digits and hyphens; the file name gives it")
    return Draft(where, fields, body)


def _first_words(text: str) -> str:
    """Return a title from the start of a text: its first sentence when short, else its first words."""
    words = re.sub(r"<[^>]+>|[*_`#>\[\]]", "", text).split()
    plain = " ".join(words)
    sentence = re.match(r"^(.{8,80}?[.!?])(\s|$)", plain)
    if sentence:
        return sentence.group(1).rstrip(".")
    return plain if len(words) <= 10 else " ".join(words[:10]) + " …"


def _tags(cells: list[str]) -> list[str]:
    tags: list[str] = []
    for cell in cells:
        for tag in re.split(r"[,;]", cell):
            tag = " ".join(tag.split())
            if tag and tag not in tags:
                tags.append(tag)
    return tags


_URL = re.compile(r"(?:https?://|www\.)[^\s;<>\"]+", re.I)


def _links(cell: str) -> tuple[list[str], str]:
    """Return the links in a cell (split on spaces and `;`), and the text around them."""
    links = []
    for found in _URL.findall(cell):
        link = found.rstrip(".,")
        link = link if re.match(r"https?://", link, re.I) else f"https://{link}"
        if link not in links:
            links.append(link)
    rest = " ".join(_URL.sub(" ", cell).replace(";", " ").split()).strip(" ,|–-")
    return links, rest


def _sources(cells: list[str], note) -> list[Any]:
    """Return a row's sources: each link in its url cells; a cell of text alone is a source without a link."""
    sources: list[Any] = []
    for cell in cells:
        links, rest = _links(cell)
        if not links:
            sources.append({"title": " ".join(cell.split())})
        elif len(links) == 1 and rest:
            sources.append({"url": links[0], "title": rest})
        else:
            sources.extend(link for link in links if link not in sources)
            if rest:
                note(f"the text '{rest}' beside the links in the source cell was not carried over")
    return sources


def _media(record: dict[str, list[str]], title: str, note) -> list[dict[str, str]]:
    """Return the media of a row: each http(s) link of its image cell, the first with alt, caption and credit."""
    caption, credit, alt = _one(record, "caption"), _one(record, "credit"), _one(record, "alt")
    items = []
    for cell in record.get("image", []):
        for src in re.split(r"[\s;]+", cell):
            if not src:
                continue
            if not re.match(r"https?://", src, re.I):
                note(f"image '{src}' left out: only a link (https://…) can be carried over — put the file beside "
                     "the entry in content/ and name it in media:")
                continue
            item = {"src": src}
            picture = MIME.get(PurePosixPath(urlsplit(src).path).suffix.lower(), "").startswith("image/") \
                and provider_of(src) is None
            if not items:
                if alt:
                    item["alt"] = alt
                elif picture:
                    item["alt"] = caption or title
                    note(f"the picture's alt text is its {'caption' if caption else 'title'} — write what it shows "
                         "in alt:")
                if caption:
                    item["caption"] = caption
                if credit:
                    item["credit"] = credit
            elif picture:
                item["alt"] = title
                note(f"the picture {src}'s alt text is the title — write what it shows in alt:")
            items.append(item)
    if not items and (caption or credit or alt):
        note("the caption, credit or alt of a row without an image (a link) was not carried over")
    return items


def _unique_slugs(imported: Imported) -> None:
    """Leave out a slug a row before took: the file name gives that event its URL name."""
    seen: dict[str, str] = {}
    drafts = []
    for draft in imported.drafts:
        slug = draft.fields.get("slug")
        if slug and slug in seen:
            imported.notes.append(Note(draft.where, f"slug '{slug}' left out: {seen[slug]} has it already"))
            draft = Draft(draft.where, {k: v for k, v in draft.fields.items() if k != "slug"}, draft.body)
        elif slug:
            seen[slug] = draft.where
        drafts.append(draft)
    imported.drafts[:] = drafts
