"""`chronicle serve` beside `hugo server`: start, save → page updated, save → change visible in a browser.

    python bench/live.py [--sizes 1000 10000] [--starts 5] [--saves 15] [--early-saves 3] [--no-browser]
                         [--no-hugo] [--hugo PATH] [--timeout S]

For each size: writes a synthetic timeline (bench/corpus.py) and the same events as
a Hugo site (bench/compare.py), then measures, for each server in the same run:

- start: from the command until the first page is served, medians of --starts, the
  servers in turn (Chronicle: cold, without a cache or a site; warm, after a build
  filled the cache, its entries older than 2 s as an author's are; Hugo: its first
  start, then with what the one before left);
- save → page updated: until the server answers the edited event's page with the new
  title (Chronicle only: Hugo's server answers from what it rendered last); Chronicle's
  saves start once its site is all made (Server.settle);
- a save soon after a warm start (Chronicle only: `serve` shows output/ at once and renders
  the site in the background, which a save stops): save → the event's page and its period's
  page updated, the save made 0.5 s and 3 s after the first page was served;
- save → visible: until Chromium (Playwright, /usr/bin/chromium), on the edited event's
  page, then on the page of the timeline that lists it (Chronicle: its period's page;
  Hugo: its index, the one page listing events), has reloaded (each server's own live
  reload) and shows the new title.

Chronicle's modules are byte-compiled first, as pip does when it installs a package (compare.py).
Each save writes the entry atomically, as editors do. Prints median and p95 in
milliseconds, and the ratio of the medians Chronicle/Hugo. Figures are wall-clock on a
shared machine: compare medians and ratios from the same run, never one save.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import default_hugo, hugo_site  # noqa: E402
from corpus import write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHRONICLE_CHROMIUM", "/usr/bin/chromium")
COLD_OUTPUT = "cold-output"  # where a cold start writes its site
SETTLED = 2.5  # seconds after which the look trusts an entry's stat (engine._SETTLED_NS, 2 s), and a margin


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("utf-8")


def save(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def retitle(text: str, marker: str) -> str:
    return re.sub(r'^title: "(?:\[[^\]]*\] )?', f'title: "[{marker}] ', text, count=1, flags=re.M)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served(url: str, proc: subprocess.Popen, limit: float = 600) -> None:
    """Wait until url answers 200 (the server's first page)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped ({proc.returncode}) before serving {url}")
        try:
            fetch(url)
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.02)
    raise SystemExit(f"nothing served at {url} after {limit:.0f} s")


class Server:
    """A server started and serving: its url, how long its first page took, the entry to edit."""

    def __init__(self, kind: str, folder: Path, entry: Path, hugo: str, cached: bool = True):
        self.kind, self.entry = kind, entry
        started = time.perf_counter()
        if kind == "chronicle":
            command = [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0"]
            # Cold: no cache, and an output folder of its own, output/ left as a build made it.
            self.proc = subprocess.Popen(command + ([] if cached else ["--no-cache", "--output", COLD_OUTPUT]), cwd=folder,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
            line = self.proc.stdout.readline()
            while line and not re.search(r"http://\S+/", line):  # the first build's summary comes first
                line = self.proc.stdout.readline()
            self.url = re.search(r"http://\S+/", line).group(0)
        else:
            port = free_port()
            self.proc = subprocess.Popen([hugo, "server", "--port", str(port), "--bind", "127.0.0.1"], cwd=folder,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.url = f"http://127.0.0.1:{port}/"
        served(self.url, self.proc)
        self.served = time.perf_counter()
        self.startup = self.served - started
        self.page = urljoin(self.url, f"events/{entry.stem.lower()}/")

    def settle(self) -> None:
        """Chronicle: save the entry as it is and wait for that save's build to end ("rebuilt in"):
        every page is then made in the server (a warm start makes them in the background, and a
        save stops that to show its own pages first: measured apart, saved_early)."""
        save(self.entry, self.entry.read_text(encoding="utf-8"))
        line = self.proc.stdout.readline()
        while line and not line.startswith("rebuilt in "):
            line = self.proc.stdout.readline()

    def listing(self) -> str:
        """Return the url of the page of the timeline that lists the entry's event."""
        if self.kind == "hugo":
            return self.url
        back = re.search(rf'<a href="([^"#]*)#{re.escape(self.entry.stem)}"', fetch(self.page))
        return urljoin(self.page, back.group(1))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)

    def stop_after_start(self) -> float:
        """Stop the server; return how long it took to serve its first page."""
        self.stop()
        return self.startup


def page_updated(server: Server, saves: int) -> list[float]:
    original = server.entry.read_text(encoding="utf-8")
    times = []
    try:
        for n in range(saves):
            marker = f"edit-{n}-{time.monotonic_ns()}"
            started = time.perf_counter()
            save(server.entry, retitle(original, marker))
            while marker not in fetch(server.page):
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
            time.sleep(0.3)  # a pause between saves
    finally:
        save(server.entry, original)
    return times


def saved_early(folder: Path, entry: Path, delay: float, rounds: int) -> tuple[list[float], list[float]]:
    """Start serve warm (after a build), save the entry `delay` seconds after its first page was
    served; return each round's save → the event's page updated, and → its period's page updated."""
    original = entry.read_text(encoding="utf-8")
    pages, listings = [], []
    try:
        for n in range(rounds):
            save(entry, original)
            subprocess.run([sys.executable, str(ROOT / "build.py"), "build"], cwd=folder, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            server = Server("chronicle", folder, entry, "")
            try:
                listing = server.listing()
                time.sleep(max(0.0, delay - (time.perf_counter() - server.served)))
                marker = f"early-{n}-{time.monotonic_ns()}"
                started = time.perf_counter()
                save(entry, retitle(original, marker))
                page = seen = None
                while page is None or seen is None:
                    if page is None and marker in fetch(server.page):
                        page = time.perf_counter() - started
                    if seen is None and marker in fetch(listing):
                        seen = time.perf_counter() - started
                    time.sleep(0.005)
                pages.append(page)
                listings.append(seen)
            finally:
                server.stop()
    finally:
        save(entry, original)
    return pages, listings


def visible(server: Server, url: str, saves: int, timeout: float = 300) -> list[float]:
    """Save the entry again and again with a browser on url; return each save → reloaded, new title shown."""
    from playwright.sync_api import sync_playwright

    original = server.entry.read_text(encoding="utf-8")
    times = []
    # Chronicle's page says when its reload stream is open; Hugo's live reload connects once loaded.
    ready = "window.__sseOpen === true" if server.kind == "chronicle" else "document.readyState === 'complete'"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(url, timeout=timeout * 1000)
            for n in range(saves):
                page.wait_for_function(ready, timeout=timeout * 1000)
                time.sleep(0.5)  # the live reload's connection settles; the editor pauses
                marker = f"seen-{n}-{time.monotonic_ns()}"
                started = time.perf_counter()
                with page.expect_event("load", timeout=timeout * 1000):
                    save(server.entry, retitle(original, marker))
                page.wait_for_function(f"document.body.textContent.includes({marker!r})", timeout=timeout * 1000)
                times.append(time.perf_counter() - started)
            browser.close()
    finally:
        save(server.entry, original)
    return times


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def report(label: str, times: list[float], chronicle: list[float] | None = None) -> str:
    """Return the median and p95 of times; with Chronicle's figures beside Hugo's, their ratio."""
    ms = [t * 1000 for t in times]
    ratio = f" (chronicle/hugo {median_ms(chronicle) / median_ms(times):.2f})" if chronicle else ""
    return f"{label}: median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms (n={len(ms)}){ratio}"


def starts(folder: Path, hugo_folder: Path, entry: Path, written: float, args: argparse.Namespace) -> None:
    """Start each server args.starts times, in turn, each start stopped once its first page is
    served: Chronicle cold (--no-cache, into an empty folder) and warm (output/ and the cache a build left),
    Hugo as its folder is (its first start, then with what the one before left). Print the medians."""
    times: dict[str, list[float]] = {"cold": [], "warm": [], "hugo": []}
    for round_ in range(args.starts):
        shutil.rmtree(folder / COLD_OUTPUT, ignore_errors=True)
        times["cold"].append(Server("chronicle", folder, entry, "", cached=False).stop_after_start())
        if not args.no_hugo:
            times["hugo"].append(Server("hugo", hugo_folder, hugo_folder / "content" / "events" / entry.name,
                                        args.hugo).stop_after_start())
        if round_ == 0:
            # An author's entries were not all written in the two seconds before their build:
            # the build's look then records them all (engine._SETTLED_NS), and serve's look
            # trusts their stats, not reading them again (serve records nothing itself).
            time.sleep(max(0.0, written + SETTLED - time.time()))
            subprocess.run([sys.executable, str(ROOT / "build.py"), "build"], cwd=folder, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times["warm"].append(Server("chronicle", folder, entry, "").stop_after_start())
    cold, warm = statistics.median(times["cold"]), statistics.median(times["warm"])
    print(f"  chronicle start (median of {args.starts}): cold {cold:.2f} s, warm {warm:.2f} s", flush=True)
    if times["hugo"]:
        hugo = statistics.median(times["hugo"])
        print(f"  hugo start (median of {args.starts}): {hugo:.2f} s, the first {times['hugo'][0]:.2f} s "
              f"(chronicle/hugo: cold {cold / hugo:.2f}, warm {warm / hugo:.2f})", flush=True)


def run_size(size: int, args: argparse.Namespace) -> None:
    """Measure both servers on one timeline of `size` events, printing each figure as it is taken."""
    with tempfile.TemporaryDirectory(prefix="chronicle-live-") as folder:
        folder = Path(folder)
        entries = write_corpus(size, folder / "content")
        written = time.time()
        entry = entries[len(entries) // 2]
        hugo_folder = folder / "hugo"
        if not args.no_hugo:
            hugo_site(folder / "content", hugo_folder)
        print(f"{size} events", flush=True)
        starts(folder, hugo_folder, entry, written, args)
        figures: dict[tuple[str, str], list[float]] = {}
        for kind in ["chronicle"] + ([] if args.no_hugo else ["hugo"]):
            where = folder if kind == "chronicle" else hugo_folder
            edited = where / "content" / "events" / entry.name if kind == "hugo" else entry
            server = Server(kind, where, edited, args.hugo)  # Chronicle warm: output/ and the cache as built
            try:
                if kind == "chronicle":
                    server.settle()
                    print(f"  {kind} " + report("save → page updated", page_updated(server, args.saves)), flush=True)
                for what, label in [("event", "the event's page"), ("listing", "the page listing it")] * (not args.no_browser):
                    url = server.page if what == "event" else server.listing()
                    try:
                        figures[kind, what] = visible(server, url, args.saves, args.timeout)
                    except Exception as error:  # a page too long for the browser to load in time
                        print(f"  {kind} save → visible, {label}: not measured: {str(error).splitlines()[0]}", flush=True)
                        continue
                    mine = figures.get(("chronicle", what)) if kind == "hugo" else None
                    print(f"  {kind} " + report(f"save → visible, {label}", figures[kind, what], mine), flush=True)
            finally:
                server.stop()
            if kind == "chronicle" and args.early_saves:
                for delay in (0.5, 3.0):
                    page, listing = saved_early(where, edited, delay, args.early_saves)
                    print(f"  {kind} save {delay} s after a warm start → page updated: "
                          + report("the event's page", page) + "; " + report("its period's", listing), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--saves", type=int, default=15)
    parser.add_argument("--starts", type=int, default=5, help="starts of each kind, the servers in turn (medians)")
    parser.add_argument("--early-saves", type=int, default=3, help="rounds of a save soon after a warm start (0: none)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-hugo", action="store_true", help="Chronicle alone")
    parser.add_argument("--hugo", default=default_hugo())
    parser.add_argument("--timeout", type=float, default=120, help="seconds a page may take to load in the browser")
    args = parser.parse_args()
    # Measured as installed, as compare.py is: pip byte-compiles a package's modules when it installs
    # it; where PYTHONDONTWRITEBYTECODE is set, each start would compile Chronicle's modules again.
    compileall.compile_dir(ROOT / "chronicle", quiet=1)
    for size in args.sizes:
        run_size(size, args)


if __name__ == "__main__":
    main()
