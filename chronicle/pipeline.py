"""The stages in order, for build and check: read → parse → timeline → render → write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import INDEX_NAME, Options, Settings, read_settings
from .diagnostics import Report
from .entries import discover, make_markdown, read_entry
from .model import Event, Timeline
from .output import OutputError, write_site
from .render import Theme, ThemeError, default_theme, render_site
from .timeline import build_timeline


class UsageError(Exception):
    """The command cannot run as asked (exit status 2): a missing folder, an unusable output."""


@dataclass
class Result:
    """What a build produced: the diagnostics, and the timeline and files when it got that far."""

    report: Report
    timeline: Timeline | None = None
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.report.errors


def read_text(path: Path, report: Report) -> str | None:
    """Read a file as UTF-8 text, reporting what makes that impossible."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        report.error(path, line, "is not UTF-8 text — save the file as UTF-8")
    except IsADirectoryError:
        report.error(path, None, "is a folder, not a file — rename it so it does not end in .md")
    except OSError as error:
        report.error(path, None, f"cannot be read: {error.strerror or error}")
    return None


def theme_for(options: Options) -> Theme:
    """Return the theme to use: --theme, else ./theme when present, else the shipped one."""
    if options.theme is not None:
        root = options.theme
    elif Path("theme", "templates").is_dir():
        root = Path("theme")
    else:
        root = default_theme()
    if not (root / "templates").is_dir():
        raise UsageError(f"theme folder {root} has no templates/ folder — pass --theme DIR with a theme")
    return Theme(root)


def load(options: Options, report: Report) -> tuple[Settings, list[Event]]:
    """Read the settings and every entry under the content folder."""
    content = options.content
    if not content.is_dir():
        raise UsageError(
            f"content folder '{content}' not found — run in the folder that holds content/, or pass --content DIR"
        )
    index = content / INDEX_NAME
    settings = read_settings(index, read_text(index, report) if index.is_file() else None, report)
    md = make_markdown()
    events = []
    for path in discover(content):
        text = read_text(path, report)
        if text is None:
            continue
        event = read_entry(path, text, settings, report, md)
        if event is not None:
            events.append(event)
    return settings, events


def assemble(options: Options, report: Report) -> Timeline:
    """Load the content and turn it into the ordered timeline."""
    settings, events = load(options, report)
    intro = make_markdown().convert(settings.intro) if settings.intro else ""
    timeline = build_timeline(settings, events, report, drafts=options.drafts, base_url=options.base_url,
                              intro=intro)
    if not timeline.events and not report.errors:
        report.warning(options.content, None, "no events — add a Markdown file per event, such as "
                       "content/2024-10-28-first-event.md with title, date and sources")
    return timeline


def build(options: Options, write: bool = True) -> Result:
    """Run the whole pipeline; write the site only when there is no error (check: write=False)."""
    report = Report()
    theme = theme_for(options)
    timeline = assemble(options, report)
    result = Result(report, timeline)
    if report.errors:
        return result
    try:
        result.files = render_site(timeline, theme)
    except ThemeError as error:
        report.error(error.path, error.line, error.message)
        return result
    if write:
        try:
            write_site(result.files, options.output, protected=[options.content, theme.root, Path.cwd()])
        except OutputError as error:
            raise UsageError(str(error)) from None
        except OSError as error:
            report.error(options.output, None, f"cannot write the site: {error.strerror or error} — "
                         "the previous site was left as it was")
    return result
