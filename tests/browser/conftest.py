"""Browser fixtures: pytest-playwright on Debian's /usr/bin/chromium (never `playwright install`).

On a developer machine without chromium, java or node_modules the browser tests are
skipped; under CI (CI=true) the same situation is a failure, so a broken install shows.
docs/testing.md says how these tests run and what they need.
"""
import functools
import json
import os
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]          # the repository: tests/browser/ -> ../..
CHROMIUM = os.environ.get("CHRONICLE_CHROMIUM", "/usr/bin/chromium")
# Playwright already adds --no-sandbox, --disable-background-networking,
# --disable-component-update, --no-first-run and --disable-dev-shm-usage; listed anyway
# so that one list also serves a direct `chromium --headless`.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic", "--disable-default-apps",
    # no DNS at all: anything off loopback fails at once with net::ERR_NAME_NOT_RESOLVED
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def in_ci():
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _missing(what):
    """Developer machine without the tool: skip. CI: fail, so a missing install shows."""
    if in_ci():
        pytest.fail(f"{what} is missing: .ci/run must install it", pytrace=False)
    pytest.skip(f"{what} not installed")


# --------------------------------------------------------------------------- building

def build_example(out):
    """Build the example timeline (content/ + theme/ of the repository) into `out`.

    Returns the CompletedProcess; `out` must not be inside the repository.
    """
    return subprocess.run([sys.executable, "build.py", "build", "--output", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def build_content(content, out, timeout=600):
    """Build a content folder into `out` as a user would (build.py build), failing the test with
    what the build said when it does not succeed; return `out`."""
    proc = subprocess.run([sys.executable, "build.py", "build", "--content", str(content), "--output", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f"build failed (exit {proc.returncode})\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    return out


class _EventIndex(HTMLParser):
    """Collects, in document order, the ids of `article.h-event` and their first dt-start."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []            # [(id, datetime or None)]
        self._depth = 0             # >0 while inside an h-event article
        self._waiting_start = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "article":
            if self._depth:
                self._depth += 1
            elif "h-event" in classes:
                self._depth = 1
                self.events.append([attrs.get("id"), None])
                self._waiting_start = True
        elif tag == "time" and self._waiting_start and "dt-start" in classes:
            self.events[-1][1] = attrs.get("datetime")
            self._waiting_start = False

    def handle_endtag(self, tag):
        if tag == "article" and self._depth:
            self._depth -= 1
            if not self._depth:
                self._waiting_start = False


def read_events(index_html):
    """[(slug, dt-start datetime)] of the events of a built page, in document order."""
    parser = _EventIndex()
    parser.feed(Path(index_html).read_text(encoding="utf-8"))
    parser.close()
    return [tuple(e) for e in parser.events]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The example timeline built once per session into a temporary folder (never the repo)."""
    out = tmp_path_factory.mktemp("built") / "site"     # does not exist yet: the build makes it
    proc = build_example(out)
    if proc.returncode != 0 or not (out / "index.html").is_file():
        pytest.fail(f"`build.py build --output {out}` failed (exit {proc.returncode})\n"
                    f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}", pytrace=False)
    return out


@pytest.fixture(scope="session")
def site_events(built_site):
    """[(slug, datetime)] of the example, read from the built index.html (no browser)."""
    return read_events(built_site / "index.html")


@pytest.fixture(scope="session")
def event_slugs(site_events):
    return [slug for slug, _ in site_events]


# --------------------------------------------------------------------------- serving

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    """Start a static server for `directory` on a free loopback port; returns (httpd, url)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(_QuietHandler, directory=str(directory)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def stop(httpd):
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def base_url(built_site):
    """Replaces pytest-playwright's base_url, so page.goto("/") opens the built site."""
    httpd, url = serve(built_site)
    yield url
    stop(httpd)


# --------------------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):      # extends pytest-playwright's own
    if not Path(CHROMIUM).exists():
        _missing(CHROMIUM)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def watch_errors(page, errors):
    """Append console errors, uncaught exceptions, HTTP >= 400 and failed requests to `errors`.

    A request aborted (net::ERR_ABORTED) because its page was left is not an error: the test
    went on to another page (or the page reloaded itself) before, say, the icon that Chromium
    fetches after the load event had arrived. Chromium may report such an abort just before or
    just after the next page replaces the old one, so both orders are handled: an abort is
    recorded, and withdrawn when the main frame navigates on (any navigation, a #fragment one
    too); an abort reported after that navigation, of a request made before it, is not
    recorded. An abort in a page that stays (no navigation after it) is still an error, as is
    any other failure (tests/browser/test_watch_errors.py checks all three).
    """
    shown = [0]          # main-frame navigations so far: the page a request is made for
    made_for = {}        # request -> shown[0] when it was made
    withdrawable = []    # aborts recorded for the page shown now

    def request(r):
        made_for[r] = shown[0]

    def navigated(frame):
        if frame is not page.main_frame:
            return
        shown[0] += 1
        for entry in withdrawable:
            if entry in errors:
                errors.remove(entry)
        withdrawable.clear()

    def failed(r):
        entry = f"failed: {r.url} {r.failure}"
        page_of_request = made_for.pop(r, shown[0])
        if "net::ERR_ABORTED" in (r.failure or "") and not r.is_navigation_request():
            if page_of_request < shown[0]:
                return   # its page was left: the navigation away aborted it
            withdrawable.append(entry)
        errors.append(entry)

    page.on("console", lambda m: m.type == "error"
            and errors.append(f"console: {m.text} ({m.location.get('url')})"))
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"HTTP {r.status}: {r.url}"))
    page.on("request", request)
    page.on("requestfinished", lambda r: made_for.pop(r, None))
    page.on("requestfailed", failed)
    page.on("framenavigated", navigated)
    return errors


def settle(page):
    """Wait until the page has loaded and its network is idle (500 ms without a request), so
    that what it fetches after the load event (the icon) has arrived, or failed and been
    reported, before a test asserts on the page or leaves it."""
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")


def open_page(page, url):
    """Go to `url` (a path is taken relative to base_url), assert it answered 200, and settle."""
    response = page.goto(url)
    assert response is not None and response.status == 200, \
        f"GET {url}: {response.status if response else 'no response'}"
    settle(page)
    return response


def follow(page, link):
    """Click a link that leads to another page, wait for that page and settle."""
    with page.expect_navigation():
        link.click()
    settle(page)


def back(page):
    """Go back one page in the history and settle."""
    page.go_back()
    settle(page)


@pytest.fixture
def console_errors(page):
    """A list that fills with the page's console errors and failed requests."""
    return watch_errors(page, [])


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_JS.exists():
        _missing("node_modules/axe-core (npm ci --ignore-scripts)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def axe(page, axe_source):
    """axe() -> WCAG 2.1 A/AA violations of the page as it is now, one short dict each."""

    def run(options=WCAG_AA):
        page.evaluate(axe_source)      # not add_script_tag: a site CSP would block an inline script
        found = page.evaluate("o => axe.run(document, o).then(r => r.violations)", options)
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")}
                           for n in v["nodes"]]}
                for v in found]
    return run


@pytest.fixture(scope="session")
def vnu():
    """vnu(paths) -> the Nu checker's messages; one JVM start (about 4 s) per call."""
    java = shutil.which("java")
    if not java:
        _missing("java")
    if not VNU_JAR.exists():
        _missing("node_modules/vnu-jar (npm ci --ignore-scripts)")

    def run(paths, errors_only=True):
        cmd = [java, "-jar", str(VNU_JAR), "--format", "json", "--skip-non-html"]
        if errors_only:
            cmd.append("--errors-only")
        proc = subprocess.run([*cmd, *map(str, paths)], capture_output=True, text=True,
                              timeout=300)
        reports = [line for line in proc.stderr.splitlines() if line.startswith("{")]
        if not reports:                # JSON is on stderr; anything else is vnu itself failing
            pytest.fail(f"vnu gave no JSON report (exit {proc.returncode}):\n{proc.stderr}",
                        pytrace=False)
        return json.loads(reports[-1])["messages"]
    return run


TIMELINEJS = ROOT / "node_modules" / "@knight-lab" / "timelinejs" / "dist"


@pytest.fixture(scope="session")
def timelinejs():
    """The dist folder of the pinned TimelineJS, or a skip (a failure under CI) when not installed."""
    if not (TIMELINEJS / "js" / "timeline.js").is_file():
        _missing("node_modules/@knight-lab/timelinejs (npm ci --ignore-scripts)")
    return TIMELINEJS
