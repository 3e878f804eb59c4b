"""The command line: argv → one command → diagnostics printed → exit status (0, 1 or 2)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from .config import Options
from .pipeline import Result, UsageError, build

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "serve", "new", "check")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="folder of event entries (default: content)")
    parser.add_argument("--theme", type=Path, default=None, metavar="DIR",
                        help="theme folder (default: ./theme, else the built-in theme)")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="folder the site is written to (default: output)")
    parser.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    parser.add_argument("--base-url", metavar="URL", help="the site's public address, for absolute links")


def make_parser() -> argparse.ArgumentParser:
    """Return the parser for every command and option of DESIGN.md."""
    parser = argparse.ArgumentParser(prog="chronicle", description="Build a static HTML timeline from Markdown events.")
    parser.add_argument("--version", action="version", version=f"chronicle {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="content/ + theme/ → output/ (the default)")
    _common(build_cmd)

    check_cmd = commands.add_parser("check", help="validate everything, write nothing")
    _common(check_cmd)
    check_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse argv; with no command, or only options, the command is build."""
    if not argv or (argv[0] not in COMMANDS and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]
    return make_parser().parse_args(argv)


def options_from(args: argparse.Namespace) -> Options:
    base_url = args.base_url
    if base_url is not None and not base_url.lower().startswith(("http://", "https://")):
        raise UsageError(f"--base-url must start with https:// or http://, not '{base_url}'")
    return Options(content=args.content, theme=args.theme, output=args.output, drafts=args.drafts,
                   base_url=base_url.rstrip("/") + "/" if base_url else None)


def print_report(result: Result) -> None:
    for diagnostic in result.report.sorted():
        print(diagnostic, file=sys.stderr)


def _count(result: Result) -> str:
    errors, warnings = len(result.report.errors), len(result.report.warnings)
    parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts)


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    options = options_from(args)
    result = build(options)
    print_report(result)
    if not result.ok:
        print(f"build failed: {_count(result)}; {options.output} was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    events = len(result.timeline.events) if result.timeline else 0
    pages = sum(1 for name in result.files if name.endswith(".html"))
    summary = f"built {events} event{'s' * (events != 1)}, {pages} page{'s' * (pages != 1)} into {options.output}/"
    counted = _count(result)
    print(f"{summary} in {time.perf_counter() - started:.2f} s" + (f" ({counted})" if counted else ""))
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    result = build(options_from(args), write=False)
    print_report(result)
    failed = bool(result.report.errors) or (args.strict and bool(result.report.warnings))
    events = len(result.timeline.events) if result.timeline else 0
    verdict = "failed" if failed else "ok"
    counted = _count(result) or "no problems"
    print(f"check {verdict}: {events} event{'s' * (events != 1)}, {counted}",
          file=sys.stderr if failed else sys.stdout)
    return EXIT_CONTENT if failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    handlers = {None: run_build, "build": run_build, "check": run_check}
    if args.command is None:
        args = parse_args(["build"])
    try:
        return handlers[args.command](args)
    except UsageError as error:
        print(f"chronicle: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
