"""Save → page updated and save → browser reloaded, for `chronicle serve`.

    python bench/live.py [--sizes 100 1000 10000] [--saves 15] [--no-browser]

For each size: writes a synthetic timeline (bench/corpus.py), starts
`build.py serve --port 0` on it, then saves one entry at a time (atomically,
as editors do) and measures

- save → page updated: until the server answers the edited event's page with the new title;
- save → browser reloaded: until Chromium (Playwright, /usr/bin/chromium) has
  reloaded that page and fired `load` with the new title in it.

Prints median and p95 in milliseconds. Figures are wall-clock on a shared
machine: compare medians and ratios from the same run, never one save.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHRONICLE_CHROMIUM", "/usr/bin/chromium")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def save(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def retitle(text: str, marker: str) -> str:
    return re.sub(r'^title: "(?:\[[^\]]*\] )?', f'title: "[{marker}] ', text, count=1, flags=re.M)


class Server:
    def __init__(self, folder: Path):
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0"],
                                     cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        started = time.perf_counter()
        line = self.proc.stdout.readline()
        line = self.proc.stdout.readline() if line.startswith("built ") else line  # the first build's summary
        self.startup = time.perf_counter() - started
        self.url = re.search(r"http://\S+/", line).group(0)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def page_updated(server: Server, entry: Path, saves: int) -> list[float]:
    slug = entry.stem
    url = f"{server.url}events/{slug}/"
    original = entry.read_text(encoding="utf-8")
    times = []
    for n in range(saves):
        marker = f"edit-{n}-{time.monotonic_ns()}"
        started = time.perf_counter()
        save(entry, retitle(original, marker))
        while marker not in fetch(url):
            time.sleep(0.005)
        times.append(time.perf_counter() - started)
        time.sleep(0.3)  # a pause between saves
    return times


def browser_reloaded(server: Server, entry: Path, saves: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    slug = entry.stem
    original = entry.read_text(encoding="utf-8")
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"{server.url}events/{slug}/")
        for n in range(saves):
            page.wait_for_function("window.__sseOpen === true")
            marker = f"reload-{n}-{time.monotonic_ns()}"
            started = time.perf_counter()
            with page.expect_event("load", timeout=60_000):
                save(entry, retitle(original, marker))
            page.wait_for_function(f"document.title.includes({marker!r})", timeout=60_000)
            times.append(time.perf_counter() - started)
            time.sleep(0.3)
        browser.close()
    return times


def report(label: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"{label}: median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--saves", type=int, default=15)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="chronicle-live-") as folder:
            entries = write_corpus(size, Path(folder) / "content")
            entry = entries[len(entries) // 2]
            server = Server(Path(folder))
            try:
                print(f"{size} events: serve started in {server.startup:.2f} s", flush=True)
                print("  " + report("save → page updated", page_updated(server, entry, args.saves)), flush=True)
                if not args.no_browser:
                    print("  " + report("save → browser reloaded", browser_reloaded(server, entry, args.saves)),
                          flush=True)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
