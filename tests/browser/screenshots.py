"""Screenshots of the example timeline, for the README and for looking at the theme.

Run by hand (not a test):

    .venv/bin/python tests/browser/screenshots.py DIR

Builds the example into a temporary folder, serves it on 127.0.0.1, and writes into DIR:
index-360-light.png, index-360-dark.png, index-1280-light.png, index-1280-dark.png,
the same four for one event page (event-…png), and timeline-print.pdf (the timeline as
Chromium prints it, A4). Uses Debian's /usr/bin/chromium (or $CHRONICLE_CHROMIUM).
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import CHROMIUM, CHROMIUM_ARGS, build_example, read_events, serve, stop  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

WIDTHS = [360, 1280]
SCHEMES = ["light", "dark"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="folder to write the PNG and PDF files into")
    parser.add_argument("--event", help="slug of the event page to shoot (default: the middle one)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        parser.error(f"{CHROMIUM} not found (apt-get install --no-install-recommends chromium)")
    args.dir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="chronicle-shots-") as tmp:
        site = Path(tmp) / "site"
        proc = build_example(site)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            return f"build failed (exit {proc.returncode})"
        slugs = [slug for slug, _ in read_events(site / "index.html")]
        pages = {"index": "/"}
        if slugs:
            pages["event"] = f"/events/{args.event or slugs[len(slugs) // 2]}/"

        httpd, url = serve(site)
        written = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                print(f"Chromium {browser.version}, site at {url}")
                for name, path in pages.items():
                    for width in WIDTHS:
                        for scheme in SCHEMES:
                            context = browser.new_context(
                                viewport={"width": width, "height": 800},
                                color_scheme=scheme, device_scale_factor=1)
                            page = context.new_page()
                            page.goto(url + path, wait_until="networkidle")
                            out = args.dir / f"{name}-{width}-{scheme}.png"
                            page.screenshot(path=str(out), full_page=True)
                            written.append(out)
                            context.close()
                context = browser.new_context(color_scheme="light")
                page = context.new_page()
                page.goto(url + "/", wait_until="networkidle")
                page.emulate_media(media="print")
                out = args.dir / "timeline-print.pdf"
                page.pdf(path=str(out), format="A4", print_background=False,
                         margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
                written.append(out)
                context.close()
                browser.close()
        finally:
            stop(httpd)
    for out in written:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
