"""The budgets of a timeline at any size (issue 17), measured and printed, never asserted by a test.

    python bench/budgets.py [--sizes 10000 100000] [--no-browser]

For each size: N events of bench/corpus.py built with `build --no-cache` into a temporary folder,
then: the largest HTML page (budget 1 MB), the front page (150 KB), feed.xml (1 MB), how many clicks
from the front page every event takes (shown on a page: budget 3; its own page: one more), and the
front page's load in Chromium (navigation start to the load event: budget 1 s), the median of 5.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(rb'href="([^"#:]+)"')
ARTICLE = re.compile(rb'<article class="h-event" id="([^"]+)"')


def build(size: int, folder: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(size), str(folder / "content")],
                   check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "chronicle", "build", "--no-cache", "--content",
                          str(folder / "content"), "--output", str(folder / "site")],
                         cwd=folder, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)


def clicks(site: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Breadth first from index.html over in-site links: for each event, the fewest clicks to a page
    showing it, and to its own page."""
    shown: dict[str, int] = {}
    own: dict[str, int] = {}
    seen = {site / "index.html": 0}
    queue = deque([site / "index.html"])
    while queue:
        page = queue.popleft()
        depth = seen[page]
        data = page.read_bytes()
        for slug in ARTICLE.findall(data):
            shown.setdefault(slug.decode(), depth)
        relative = page.relative_to(site).as_posix()
        if relative.startswith("events/"):
            own.setdefault(relative.split("/")[1], depth)
        if depth >= 4:
            continue
        for href in LINK.findall(data):
            target = (page.parent / href.decode()).resolve()
            if target.suffix == ".html" and target.is_file() and target not in seen:
                seen[target] = depth + 1
                queue.append(target)
    return shown, own


def load_time(site: Path, runs: int = 5) -> float:
    """The front page's load in Chromium, navigation start to the load event, median in seconds."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    times = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHRONICLE_CHROMIUM", "/usr/bin/chromium"),
                                        args=["--no-sandbox"])
            for _ in range(runs):
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}/index.html", wait_until="load")
                times.append(page.evaluate("performance.timing.loadEventStart - performance.timing.navigationStart"))
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return statistics.median(times) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    print("| events | largest page | front page | feed.xml | clicks to show every event | to its page | front page load |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp)
            build(size, folder)
            site = folder / "site"
            pages = [(p.stat().st_size, p) for p in site.rglob("*.html")]
            largest, largest_path = max(pages)
            shown, own = clicks(site)
            events = {p.name for p in (site / "events").iterdir()}
            missing = events - shown.keys()
            worst = max(shown.values()) if shown else 0
            load = "—" if args.no_browser else f"{load_time(site):.2f} s (budget 1 s)"
            print(f"| {size:,} | {largest / 1e6:.2f} MB ({largest_path.relative_to(site)}; budget 1 MB) "
                  f"| {(site / 'index.html').stat().st_size / 1e3:.0f} KB (budget 150 KB) "
                  f"| {(site / 'feed.xml').stat().st_size / 1e6:.2f} MB (budget 1 MB) "
                  f"| {worst}{f', {len(missing)} never' if missing else ''} (budget 3) "
                  f"| {max(own.values()) if own else '—'} | {load} |")


if __name__ == "__main__":
    main()
