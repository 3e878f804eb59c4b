"""The command line: argv → one command → diagnostics printed → exit status (0, 1 or 2)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping

from . import __version__
from .config import CACHE_DIR, Options
from . import incremental, pipeline, search
from .diagnostics import Report
from .incremental import Cache
from .pipeline import CannotRun, Result

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "serve", "new", "check", "init", "import")
# The environment Chronicle reads, here and only here (options_from), passed in through Options.
CACHE_VARIABLE = "CHRONICLE_CACHE_DIR"  # where the cache goes; --cache-dir wins over it
WORKERS_VARIABLE = "CHRONICLE_WORKERS"  # how many processes build may use; 1 keeps every stage in one


# The collector's full rounds, once every this many of its middle ones (Python's own: 10); see few_full_rounds.
FULL_ROUND_EVERY = 1000


@contextmanager
def few_full_rounds():
    """Let the garbage collector go over the whole heap at most a hundredth as often while a
    build or a check runs (as a decorator: the command's whole run).

    A build holds a large heap of values that live as long as it does (10,000 events: some
    400,000 objects) and makes many more that live as long (the catalogue, the pages' keys).
    Python goes over every object at every tenth round of its middle generation once the
    long-lived objects have grown by a quarter since the last such round: one edit at 10,000
    events made four, 0.28 s of the 1.7 s its main process ran (0.21 s in the grouping of sources).
    Cycles made and dropped while rendering are still found young, by the two younger
    generations, and workers forked meanwhile inherit the setting. serve keeps Python's own
    rhythm for its long life, and leaves its first site out of the rounds instead (gc.freeze)."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], FULL_ROUND_EVERY)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class UsageError(Exception):
    """The command cannot run as asked (exit status 2). The stages raise pipeline.CannotRun for
    the same, which main reports the same way."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="folder of event entries (default: content)")
    parser.add_argument("--theme", type=Path, default=None, metavar="DIR",
                        help="theme folder (default: ./theme, else the built-in theme)")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="folder the site is written to (default: output)")
    parser.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    parser.add_argument("--base-url", metavar="URL", help="the site's public address, for absolute links")
    parser.add_argument("--no-cache", action="store_true",
                        help="read and render everything anew, without the cache (it is left as it was)")


def _cache_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                        help=f"the cache folder (default: ${CACHE_VARIABLE}, else {CACHE_DIR}/ beside the "
                             "content folder)")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range 0–65535")
    return port


def make_parser() -> argparse.ArgumentParser:
    """Return the parser for every command and option (README.md, "Commands")."""
    parser = argparse.ArgumentParser(prog="chronicle", description="Build a static HTML timeline from Markdown events.")
    parser.add_argument("--version", action="version", version=f"chronicle {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="content/ + theme/ → output/ (the default)")
    _common(build_cmd)
    _cache_dir(build_cmd)

    serve_cmd = commands.add_parser("serve", help="build, serve, rebuild on change, reload the browser")
    _common(serve_cmd)
    _cache_dir(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_cmd.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0: any free port)")
    serve_cmd.add_argument("--poll", action="store_true",
                           help="poll for changes (network and container file systems)")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a browser")

    new_cmd = commands.add_parser("new", help="write a new entry content/DATE-slug.md from a template")
    new_cmd.add_argument("title", help="the event's title, in quotes")
    new_cmd.add_argument("--date", required=True, help="when it happened, in any form an entry accepts")
    new_cmd.add_argument("--source", action="append", default=[], metavar="URL",
                         help="a link to where it was reported (repeat for more)")
    new_cmd.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeat for more)")
    new_cmd.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                         help="folder of event entries (default: content)")

    check_cmd = commands.add_parser("check", help="validate everything, write nothing")
    _common(check_cmd)
    check_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")

    init_cmd = commands.add_parser("init", help="start a new timeline: content/, .gitignore, a publishing workflow")
    init_cmd.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
                          help="the folder to start it in (default: this one); made when missing")
    import_cmd = commands.add_parser("import", help="bring a timeline in: TimelineJS, Markwhen, CSV or iCalendar "
                                     "→ content/")
    import_cmd.add_argument("format", choices=["timelinejs", "markwhen", "csv", "ics"],
                            help="timelinejs (its JSON, or its Google Sheet saved as CSV), markwhen (.mw), "
                                 "csv (a spreadsheet with a header row), ics (a calendar)")
    import_cmd.add_argument("source", type=Path, help="the file to bring in")
    import_cmd.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                            help="folder to write the entries into (default: content); no file in it is replaced")
    import_cmd.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                            help="csv: read a column as a field (--map Headline=title); repeat for more")
    import_cmd.add_argument("--now", metavar="DATE", help="markwhen: the day `now` means (an ISO date)")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse argv; with no command, or only options, the command is build."""
    if not argv or (argv[0] not in COMMANDS and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]
    return make_parser().parse_args(argv)


def _workers(text: str | None) -> int | None:
    """Return the processes CHRONICLE_WORKERS asks for; None (one per core) when unset or not a count."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def options_from(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Options:
    """Return the Options of a command: its arguments, the working folder and the environment."""
    environ = os.environ if environ is None else environ
    base_url = args.base_url
    if base_url is not None and not base_url.lower().startswith(("http://", "https://")):
        raise UsageError(f"--base-url must start with https:// or http://, not '{base_url}'")
    # The environment is read here, once, and passed in (issue 15: effects at the edges).
    # The cache: --cache-dir, else CHRONICLE_CACHE_DIR, else beside content/ (Options.cache).
    cache_dir = getattr(args, "cache_dir", None) or (Path(environ[CACHE_VARIABLE]) if environ.get(CACHE_VARIABLE)
                                                     else None)
    return Options(content=args.content, theme=args.theme, output=args.output, drafts=args.drafts,
                   base_url=base_url.rstrip("/") + "/" if base_url else None, cwd=Path.cwd(),
                   source_date_epoch=environ.get("SOURCE_DATE_EPOCH"), cache_dir=cache_dir,
                   workers=_workers(environ.get(WORKERS_VARIABLE)))


def print_report(result: Result, every: bool = False) -> None:
    for diagnostic in result.report.shown(every):  # many warnings alike: one and a count, but check lists all
        print(diagnostic, file=sys.stderr)


def _count(result: Result) -> str:
    errors, warnings = len(result.report.errors), len(result.report.warnings)
    parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts)


class Progress:
    """A counter on the terminal for a long build: silent for its first seconds, and when
    standard error is not a terminal (a log, CI, a pipe)."""

    DELAY = 2.0  # seconds before the counter shows: a quick build prints nothing but its summary

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.shown = 0.0
        self.live = self.stream.isatty()
        self.width = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.live:
            return
        now = time.perf_counter()
        if now - self.started < self.DELAY or (now - self.shown < 0.1 and done < total):
            return
        self.shown = now
        line = f"{stage} {done:,}/{total:,}"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def _build(args: argparse.Namespace, options: Options) -> tuple[Result, Cache | None]:
    """Run build: the engine with the cache and a counter, or the reference with --no-cache."""
    if args.no_cache:
        return pipeline.build(options, write=True), None
    pipeline.check_content(options)  # a mistyped --content makes no cache beside it
    cache = Cache(options.cache)
    progress = Progress()
    try:
        return incremental.build(options, write=True, cache=cache, progress=progress, clock=time.time_ns), cache
    finally:
        progress.clear()


def _cache_note(cache: Cache | None) -> str:
    if cache is None:
        return "no cache"
    if not cache.enabled:
        return f"cache unusable in {cache.folder}/"
    looked = cache.hits + cache.misses
    return f"cache: {cache.hits:,} of {looked:,} entr{'y' if looked == 1 else 'ies'}"


@few_full_rounds()
def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    options = options_from(args)
    checked = Report()
    if not search.check(options, checked):  # search: true without Pagefind: before anything is read or written
        failed = Result(checked)
        print_report(failed)
        print(f"build failed: {_count(failed)}; {options.output} was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    result, cache = _build(args, options)
    note = _cache_note(cache)
    if cache is not None:
        if result.ok:
            cache.save()
        cache.close()
    print_report(result)
    if not result.ok:
        print(f"build failed: {_count(result)}; {options.output} was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    print(summary(result, options, time.perf_counter() - started, note))
    return EXIT_OK


def summary(result: Result, options: Options, seconds: float, note: str = "") -> str:
    """Return the line a build ends with (build and serve): what it made, where, how fast."""
    events, pages = result.events, result.pages
    line = (f"built {events:,} event{'s' * (events != 1)}, {pages:,} page{'s' * (pages != 1)} into "
            f"{options.output}/ in {seconds:.2f} s")
    told = "; ".join(filter(None, [_count(result), note]))
    return f"{line} ({told})" if told else line


@few_full_rounds()
def run_check(args: argparse.Namespace) -> int:
    result = pipeline.build(options_from(args), write=False)  # the reference: writes nothing, reads no cache
    print_report(result, every=True)
    failed = bool(result.report.errors) or (args.strict and bool(result.report.warnings))
    events = result.events
    verdict = "failed" if failed else "ok"
    counted = _count(result) or "no problems"
    print(f"check {verdict}: {events} event{'s' * (events != 1)}, {counted}",
          file=sys.stderr if failed else sys.stdout)
    return EXIT_CONTENT if failed else EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from .config import INDEX_NAME, read_settings
    from .diagnostics import Report
    from .new import NewEntryError, prepare, write_entry
    from .pipeline import read_text

    report = Report()
    index = args.content / INDEX_NAME
    settings = read_settings(index, read_text(index, report) if index.is_file() else None, report)
    print_report(Result(report))
    if report.errors:
        return EXIT_CONTENT
    try:
        entry = prepare(args.title, args.date, args.source, args.tag, settings)
        path = write_entry(args.content, entry)
    except NewEntryError as error:
        for line in str(error).splitlines():
            print(f"chronicle: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    print(path)
    return EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    from .init import InitError, start

    try:
        written = start(args.folder)
    except InitError as error:
        raise UsageError(str(error)) from None
    for path in written:
        print(path)
    where = "here" if args.folder == Path(".") else f"in {args.folder}"
    print(f"started a timeline {where}: `chronicle serve` there previews it, `chronicle new` adds an event, "
          "and a file put in static/ beside content/ (a CNAME, a favicon.ico) is published as it is", file=sys.stderr)
    return EXIT_OK


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _tell_notes(notes) -> None:
    for note in notes:
        print(f"{note.where}: note: {note.message}", file=sys.stderr)


def run_import(args: argparse.Namespace) -> int:
    from datetime import date

    from .importers import How, SourceError, reader, write
    from .pipeline import load

    mapping = {}
    for item in args.map:
        column, _, name = item.partition("=")
        if not column.strip() or not name.strip():
            raise UsageError(f"--map {item}: write a column and a field, such as --map Headline=title")
        mapping[column.strip()] = name.strip()
    try:
        now = date.fromisoformat(args.now) if args.now else None
    except ValueError:
        raise UsageError(f"--now {args.now}: write the day as 2024-10-28") from None
    try:
        data = args.source.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {args.source}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{args.source} is not UTF-8 text — save it as UTF-8 and import it again") from None
    try:
        imported = reader(args.format)(args.source, text, How(args.source.name, mapping, now))
    except SourceError as error:  # each line at its place in the source (story.mw:2), or of the whole file
        for line in str(error).splitlines():
            place, _, message = line.partition(": ")
            if not (place == args.source.name or place.startswith(args.source.name + ":")) or not message:
                place, message = args.source.name, line
            print(f"{place}: error: {message}", file=sys.stderr)
        return EXIT_CONTENT
    if not imported.drafts:
        _tell_notes(imported.notes)  # why each was left out
        why = "every one was left out (the notes above say why)" if imported.notes else f"is it a {args.format} file?"
        print(f"{args.source.name}: error: no events found — {why}", file=sys.stderr)
        return EXIT_CONTENT
    try:
        written = write(imported, args.content)
    except FileExistsError as error:
        print(error, file=sys.stderr)
        return EXIT_CONTENT
    for path, where in written:
        print(f"{path}  ← {where}")
    _tell_notes(imported.notes)
    # What build will say of the result, said now: an import is done when the timeline builds.
    report = Report()
    load(Options(content=args.content), report)
    print_report(Result(report))
    events = len(imported.drafts)
    print(f"imported {events} event{_plural(events)} into {args.content}/"
          f"{f', {len(imported.notes)} note{_plural(len(imported.notes))} on what did not carry over' if imported.notes else ''}", file=sys.stderr)
    return EXIT_CONTENT if report.errors else EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from .serve import serve  # watchdog and the server load only for this command

    return serve(options_from(args), host=args.host, port=args.port, poll=args.poll, open_browser=args.open,
                 cached=not args.no_cache)


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status."""
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as stop:  # argparse: --help, --version, or a usage error (status 2)
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    handlers = {None: run_build, "build": run_build, "check": run_check, "serve": run_serve,
                "new": run_new, "init": run_init, "import": run_import}
    if args.command is None:
        args = parse_args(["build"])
    try:
        return handlers[args.command](args)
    except (UsageError, CannotRun) as error:
        print(f"chronicle: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
