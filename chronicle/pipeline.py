"""The stages in order, for build and check: read → parse → timeline → render → write.

This is the reference: plain functions, every file made anew and held in memory,
then written as one whole. `build --no-cache` and `check` run it; the engine
(chronicle/incremental) makes the same bytes faster and is tested against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from .config import INDEX_NAME, Options, Settings, read_settings
from .diagnostics import Report
from .entries import discover, make_markdown, read_entry
from .feeds import feed_warnings, render_feeds, source_date_epoch
from .media import publish
from .model import Timeline
from .output import OutputError, write_site
from .pages import render_pages
from .search import SearchError, finisher
from .sitefiles import SiteFileClash, published, read_site_files, static_folder
from .periods import homes, split
from .render import (Theme, ThemeError, default_theme, make_environment, render_event_page, render_index,
                     render_split, site_of)
from .timeline import build_timeline

MAX_ENTRY_BYTES = 5 * 1024 * 1024  # a book's worth of text; Markdown would take minutes on 50 MB


class CannotRun(Exception):
    """The command cannot run as asked: a missing content folder, a theme without templates, an
    output folder that is not a site. The command line reports it as a usage error (exit status 2)."""


@dataclass
class Result:
    """What a build produced: the diagnostics, and the timeline and files when it got that far."""

    report: Report
    timeline: Timeline | None = None
    # The files, when the engine keeps them (serve); empty when they were written as they were made;
    # output/'s, read when asked for (output.Written), when output/ was found as the build left it.
    files: Mapping[str, bytes] = field(default_factory=dict)
    pages: int = 0  # HTML pages made
    events: int = 0  # events in the timeline
    changed: set[str] = field(default_factory=set)  # slugs of the events the engine read anew

    @property
    def ok(self) -> bool:
        return not self.report.errors


def read_text(path: Path, report: Report) -> str | None:
    """Read a file as UTF-8 text, reporting what makes that impossible."""
    try:
        data = path.read_bytes()
        if len(data) > MAX_ENTRY_BYTES:
            report.error(path, None, f"is {len(data) / 1024 / 1024:.1f} MB; an entry may be at most "
                         f"{MAX_ENTRY_BYTES // 1024 // 1024} MB — split it into several events, or link to the long text")
            return None
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report.error(path, line, "is not UTF-8 text — save the file as UTF-8")
    except IsADirectoryError:
        report.error(path, None, "is a folder, not a file — rename it so it does not end in .md")
    except OSError as error:
        report.error(path, None, f"cannot be read: {error.strerror or error}")
    return None


def theme_for(options: Options) -> Theme:
    """Return the theme to use: --theme, else theme/ in the working folder when present, else the shipped one."""
    if options.theme is not None:
        root = options.theme
    elif (options.cwd / "theme" / "templates").is_dir():
        root = options.cwd / "theme"
    else:
        root = default_theme()
    if not (root / "templates").is_dir():
        raise CannotRun(f"theme folder {root} has no templates/ folder — pass --theme DIR with a theme")
    return Theme(root)


def check_content(options: Options) -> None:
    if not options.content.is_dir():
        raise CannotRun(f"content folder '{options.content}' not found — run in the folder that holds "
                        "content/, or pass --content DIR")


def read_site_settings(options: Options, report: Report) -> tuple[Settings, str]:
    """Read content/_index.md: the settings, and its text ('' when there is none)."""
    index = options.content / INDEX_NAME
    text = read_text(index, report) if index.is_file() else None
    return read_settings(index, text, report), text or ""


def intro_html(settings: Settings) -> str:
    return make_markdown().convert(settings.intro) if settings.intro else ""


def assemble(options: Options, settings: Settings, events, report: Report) -> Timeline:
    """Turn the events read into the ordered timeline, saying so when there is none."""
    timeline = build_timeline(settings, events, report, drafts=options.drafts, base_url=options.base_url,
                              intro=intro_html(settings))
    if not timeline.events and not report.errors:
        report.warning(options.content, None, "no events — add a Markdown file per event, such as "
                       "content/2024-10-28-first-event.md with title, date and sources")
    return timeline


def load(options: Options, report: Report) -> tuple[Timeline, dict[str, bytes]]:
    """Read every entry and the settings, publish their media, and make the timeline; return it with
    the media files to write (media.publish)."""
    check_content(options)
    settings, _ = read_site_settings(options, report)
    markdown = make_markdown()
    events = []
    for path in discover(options.content):
        text = read_text(path, report)
        event = read_entry(path, text, settings, report, markdown, options.content) if text is not None else None
        if event is not None:
            events.append(event)
    events, files = publish(events, options.content, report)
    return assemble(options, settings, events, report), files


def render_site(timeline: Timeline, theme: Theme, options: Options,
                media: dict[str, bytes] | None = None) -> Iterator[tuple[str, bytes]]:
    """Render every file of the site, one (path, bytes) after the other: the site as {path: bytes},
    made as it is written, so that a build holds one page at a time, not the whole site.
    media: the events' media files (load), published as they are."""
    # The long files first, while no card is kept (render.Cards): timeline.json is 330 MB at 100,000 events.
    yield from render_feeds(timeline, source_date_epoch(options.source_date_epoch)[0])
    env = make_environment(theme)
    site = site_of(timeline)
    whole = split(timeline.events, site.page_events)
    if whole is None:
        yield "index.html", render_index(env, timeline, site)
    else:  # past page_events: an overview and a page per period
        yield from render_split(env, timeline, site, whole)
    home = homes(whole)
    for i, event in enumerate(timeline.events):
        yield f"{event.url}index.html", render_event_page(env, site, timeline.events, i, home.get(event.slug, ""))
    yield from render_pages(env, timeline, site)
    yield from theme.static_files().items()
    yield from (media or {}).items()


def warn_of_feeds(timeline: Timeline, options: Options, report: Report) -> None:
    for warning in feed_warnings(timeline, options.source_date_epoch):
        report.warning(options.content / INDEX_NAME, None, warning)


def write_output(files: Iterable[tuple[str, bytes]], options: Options, theme: Theme, report: Report,
                 search: bool = False) -> bool:
    """Write the site to the output folder, as one whole or not at all; say whether it was written.
    search: with its Pagefind index, made in the staging folder before it is swapped in (search.py)."""
    try:
        write_site(files, options.output, protected=protected(options, theme), finish=finisher(search))
        return True
    except OutputError as error:
        raise CannotRun(str(error)) from None
    except SearchError as error:
        report.error(options.content / INDEX_NAME, None, f"{error} — the previous site was left as it was")
    except OSError as error:
        report.error(options.output, None, f"cannot write the site: {error.strerror or error} — "
                     "the previous site was left as it was")
    return False


def protected(options: Options, theme: Theme) -> list[Path]:
    """Return the folders an output folder may never replace: the content, the theme, the working
    folder, the site's own files (static/)."""
    return [options.content, theme.root, options.cwd, static_folder(options.content, options.cwd)]


def build(options: Options, write: bool = True) -> Result:
    """Read, render and (unless checking) write the whole site; write nothing when there is an error."""
    report = Report()
    theme = theme_for(options)
    timeline, media = load(options, report)
    result = Result(report, timeline, events=len(timeline.events))
    site_files = read_site_files(options.content, options.cwd, report)  # static/: published as it is
    if report.errors:
        return result

    def counted(pair: tuple[str, bytes]) -> tuple[str, bytes]:
        result.pages += pair[0].endswith(".html")
        return pair

    files = map(counted, render_site(timeline, theme, options, media))  # holding no file while the next is made
    # The site's own files go last, once every name the build makes is known (sitefiles.published).
    files = published(files, site_files, static_folder(options.content, options.cwd), search=timeline.search)
    try:
        if write:  # a theme error half-way leaves the output as it was (write_site stages the site)
            written = write_output(files, options, theme, report, search=timeline.search)
        else:
            for _ in files:  # check renders every page, so that a theme's error is found, and keeps none
                pass
    except ThemeError as error:
        report.error(error.path, error.line, error.message)
        return result
    except SiteFileClash as clash:  # nothing written: the previous output stays as it was
        report.extend(clash.diagnostics)
        result.pages = 0
        return result
    warn_of_feeds(timeline, options, report)
    if write and not written:
        result.pages = 0
    return result
