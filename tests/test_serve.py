"""`serve` as an author meets it: a real process on a free port, real saves, the reload stream."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from chronicle.cli import Options
from chronicle.incremental.engine import Cancelled, Engine
from chronicle.output import Written
from chronicle.serve import Handler, PreviewServer, Site, inject, lookup, site_files
from chronicle.watch import Coalescer, Watcher, is_relevant
from conftest import ROOT

ENTRY = "---\ntitle: {title}\ndate: 2024-10-28\nsources: [https://example.org/a]\n---\nBody of {title}.\n"
WAIT = 20  # seconds: a generous bound on waiting for an event, never a sleep


# --- pure parts ---------------------------------------------------------------------------------


def test_responses_are_not_held_back_by_nagles_algorithm():
    """Headers and body are two writes: with Nagle's algorithm a kept-alive connection (a browser's)
    waited ~40 ms for each body (44 ms a file measured, 0.3–0.8 ms without)."""
    assert Handler.disable_nagle_algorithm is True

FILES = {"index.html": b"i", "events/a/index.html": b"a", "static/site.css": b"c"}


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/", ("file", "index.html")),
        ("/index.html", ("file", "index.html")),
        ("/?x=1", ("file", "index.html")),
        ("/events/a/", ("file", "events/a/index.html")),
        ("/events/a", ("redirect", "/events/a/")),
        ("/events/%61/", ("file", "events/a/index.html")),
        ("/static/site.css", ("file", "static/site.css")),
        ("/../etc/passwd", None),
        ("/events/../index.html", None),
        ("/%2e%2e/etc/passwd", None),
        ("/%2E%2E%2Fetc%2Fpasswd", None),
        ("/%252e%252e/etc/passwd", None),
        ("/..%2f..%2fetc/passwd", None),
        ("/..\\..\\etc\\passwd", None),
        ("/%5c..%5cetc", None),
        ("/index.html%00.css", None),
        ("/etc/passwd", None),
        ("//etc/passwd", None),
        ("//evil.example/events/a", None),
        ("///evil.example", None),
        ("/events//a/", None),
        ("http://evil.example/", None),
        ("/./index.html", None),
        ("/%ff", None),
        ("*", None),
    ],
)
def test_lookup_serves_only_what_the_build_made(target, expected):
    assert lookup(FILES, target) == expected


def test_inject_adds_the_script_and_overlay_before_body_end():
    page = b"<html><body><p>x</p></body></html>"
    out = inject(page, 7, ("content/a.md:2: error: <bad>",))
    assert out.endswith(b"</body></html>")
    assert b"/__chronicle/live?v=7" in out
    assert b"content/a.md:2: error: &lt;bad&gt;" in out
    assert b'id="chronicle-errors"' not in inject(page, 7, ())


@pytest.mark.parametrize(
    "name, is_directory, relevant",
    [
        ("content/a.md", False, True), ("content/sub/b.markdown", False, True), ("content/_index.md", False, True),
        ("content/sub", True, True), ("content/sub.md", True, True), ("theme/templates/index.html", False, True),
        ("theme/static/x.css", False, True), ("theme/templates", True, True),
        ("content/.a.md.swp", False, False), ("content/a.md~", False, False), ("content/.#a.md", False, False),
        ("content/4913", False, False), ("content/a.md.tmp", False, False), ("content/#a.md#", False, False),
        ("content/sedAx31Qz", False, False), ("content/_drafts", True, False), ("content/.git", True, False),
        ("content/_drafts/x.md", False, False), ("content/notes.odg", False, False),
        ("content/map.jpg", False, True), ("content/_media/clip.mp4", False, True), ("content/.x/a.png", False, False),
        ("theme/templates/.x.swp", False, False), ("content", True, False), ("elsewhere/a.md", False, False),
    ],
)
def test_the_watcher_uses_the_builds_predicate(tmp_path, name, is_directory, relevant):
    assert is_relevant(tmp_path / name, tmp_path / "content", tmp_path / "theme", is_directory) is relevant


def test_a_burst_of_changes_is_one_rebuild():
    calls: list[set] = []
    done = threading.Event()

    def rebuild(paths):
        calls.append(paths)
        done.set()

    coalescer = Coalescer(rebuild, debounce=0.2)
    coalescer.start()
    try:
        for i in range(50):
            coalescer.add([Path(f"content/{i % 5}.md")])
        assert done.wait(WAIT)
    finally:
        coalescer.stop()
    assert calls == [{Path(f"content/{i}.md") for i in range(5)}]


def test_a_rebuild_running_is_told_when_a_newer_change_has_come():
    """Coalescer.waiting: what serve's build asks to know it is behind (it then gives way): true from a
    change until the rebuild that takes it starts, and again when a change comes during a rebuild."""
    started, finish = threading.Event(), threading.Event()
    seen: list[bool] = []

    def rebuild(paths):
        seen.append(coalescer.waiting)  # its own changes are taken: nothing newer yet
        started.set()
        assert finish.wait(WAIT)

    coalescer = Coalescer(rebuild, debounce=0.05)
    assert not coalescer.waiting
    coalescer.add([Path("content/a.md")])
    assert coalescer.waiting
    coalescer.start()
    try:
        assert started.wait(WAIT)
        coalescer.add([Path("content/b.md")])  # saved while the first is built
        assert coalescer.waiting
    finally:
        finish.set()
        coalescer.stop()
    assert seen and seen[0] is False


# --- the real server ----------------------------------------------------------------------------


class Preview:
    """`chronicle serve --port 0` in a folder of its own, and a reader of its reload stream."""

    def __init__(self, root: Path, *extra: str):
        self.root = root
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", *extra],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        line = self.proc.stdout.readline()
        self.built = line if line.startswith("built ") else ""  # the first build's summary, then the URL
        line = self.proc.stdout.readline() if self.built else line
        match = re.search(r"http://[^/]+:(\d+)/", line)
        if not match:
            self.proc.kill()
            pytest.fail(f"serve did not start: {line}{self.proc.communicate(timeout=WAIT)[1]}")
        self.port = int(match.group(1))
        self.stream = None

    def get(self, path: str = "/", method: str = "GET") -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, dict(response.getheaders()), body

    def listen(self, page: str | None = None) -> None:
        """Open the reload stream at the current version, as the page's script does; page: the
        page the reader is on (the script sends it), or none, for a reload on every version."""
        body = self.get(page or "/")[2]
        version = int(re.search(r"live\?v=(\d+)", body).group(1))
        on = f"&p={quote(page)}" if page else ""
        self.stream = socket.create_connection(("127.0.0.1", self.port), timeout=WAIT)
        self.stream.sendall(f"GET /__chronicle/live?v={version}{on} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self._buffer = b""

    def next_update(self) -> dict:
        """Block until the server pushes the next reload, and return its message."""
        while True:
            while b"\n\n" not in self._buffer:
                chunk = self.stream.recv(4096)
                assert chunk, "the reload stream closed"
                self._buffer += chunk
            block, self._buffer = self._buffer.split(b"\n\n", 1)
            for line in block.decode().splitlines():
                if line.startswith("data: "):
                    return json.loads(line[6:])

    def until(self, predicate, path: str = "/") -> str:
        """Wait for reloads until the page at path satisfies predicate; return that page."""
        deadline = time.monotonic() + WAIT
        body = self.get(path)[2]
        while not predicate(body):
            assert time.monotonic() < deadline, body[-2000:]
            self.next_update()
            body = self.get(path)[2]
        return body

    def reload_waiting(self) -> bool:
        """Whether a reload has come on the stream and not been read (heartbeats are not reloads)."""
        while select.select([self.stream], [], [], 0)[0]:
            chunk = self.stream.recv(4096)
            if not chunk:
                break
            self._buffer += chunk
        return any(line.startswith(b"data: ") for line in self._buffer.splitlines())

    def polled(self, predicate, path: str) -> str:
        """Ask for the page at path until it satisfies predicate (no reload awaited); return it."""
        deadline = time.monotonic() + WAIT
        body = self.get(path)[2]
        while not predicate(body):
            assert time.monotonic() < deadline, body[-2000:]
            time.sleep(0.02)
            body = self.get(path)[2]
        return body

    def stop(self) -> tuple[int, str]:
        if self.stream:
            self.stream.close()
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=WAIT)
        return self.proc.returncode, err


@pytest.fixture
def preview(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(ENTRY.format(title="First title"))
    (content / "b.md").write_text(ENTRY.format(title="Other event"))
    servers = []

    def start(*extra):
        servers.append(Preview(tmp_path, *extra))
        return servers[-1]

    yield start
    for server in servers:
        if server.proc.poll() is None:
            server.stop()


def test_the_first_build_takes_the_entries_a_build_cached_and_writes_no_cache(preview, tmp_path):
    """serve's first build reads the entries an earlier build kept (a large timeline starts in
    seconds), says so, changes nothing in the cache, and makes none where there was none."""
    server = preview()
    assert server.built.startswith("built 2 events, ") and "cache" not in server.built
    server.stop()
    assert not (tmp_path / ".chronicle-cache").exists()
    subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=tmp_path, check=True, capture_output=True)
    cache = tmp_path / ".chronicle-cache" / "cache.sqlite"
    before = cache.read_bytes()
    save(tmp_path / "content" / "b.md", ENTRY.format(title="Renamed while stopped"))
    server = preview()
    assert "cache: 1 of 2 entries)" in server.built, server.built
    assert "Renamed while stopped" in server.get("/")[2]
    server.listen()
    save(tmp_path / "content" / "a.md", ENTRY.format(title="Saved while serving"))
    assert "Saved while serving" in server.until(lambda body: "Saved while serving" in body)
    code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    assert cache.read_bytes() == before


def test_serve_after_a_build_shows_its_output_as_it_is_and_a_save_changes_it(preview, tmp_path):
    """Nothing changed since a build: serve shows output/ as that build left it (no file written
    again, the same bytes but for the live script), says so, and the first save is built and
    shown, then written, as any other."""
    subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=tmp_path, check=True, capture_output=True)
    output = tmp_path / "output"
    built = {p.relative_to(output).as_posix(): (p.stat().st_ino, p.read_bytes()) for p in output.rglob("*") if p.is_file()}
    server = preview()
    assert "cache: 2 of 2 entries; output/ as it was)" in server.built, server.built
    status, _, body = server.get("/events/a/")
    assert status == 200 and "/__chronicle/live" in body
    live = body.index("<script>\n(() => {\n  const key")
    assert body[:live] + body[body.index("</body>"):] == built["events/a/index.html"][1].decode()
    assert {p.relative_to(output).as_posix(): p.stat().st_ino for p in output.rglob("*") if p.is_file()} == \
        {name: inode for name, (inode, _) in built.items()}
    server.listen()
    save(tmp_path / "content" / "a.md", ENTRY.format(title="Saved after a build"))
    assert "Saved after a build" in server.until(lambda body: "Saved after a build" in body)
    code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    assert "Saved after a build" in (output / "index.html").read_text()
    assert_output_is_a_build_without_cache(tmp_path)


def test_serve_open_shows_the_site_in_the_readers_browser(preview, tmp_path, monkeypatch):
    """serve --open opens the address it serves in the browser Python's webbrowser finds ($BROWSER
    first: here a script that writes down what it was given), once the first page can be served."""
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > "{opened}"\n')
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(browser))
    server = preview("--open")
    deadline = time.monotonic() + WAIT
    while not (opened.exists() and opened.read_text().strip()):
        assert time.monotonic() < deadline, "no browser was opened"
        time.sleep(0.05)
    assert opened.read_text().strip() == f"http://127.0.0.1:{server.port}/"
    assert server.get("/")[0] == 200
    code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err


def test_serve_no_cache_reads_every_entry_and_leaves_the_cache_as_it_was(preview, tmp_path):
    """serve --no-cache, as build --no-cache: every entry parsed, the cache neither read nor written."""
    subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=tmp_path, check=True, capture_output=True)
    cache = tmp_path / ".chronicle-cache" / "cache.sqlite"
    before = cache.read_bytes()
    server = preview("--no-cache")
    assert server.built.startswith("built 2 events, ") and "cache" not in server.built, server.built
    assert "First title" in server.get("/")[2]
    code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    assert cache.read_bytes() == before


def save(path: Path, text: str) -> None:
    """Save as most editors do: write a temporary file beside it, then rename over it."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def test_serves_the_site_with_the_live_script_and_output_stays_as_build(preview, tmp_path):
    server = preview()
    status, headers, body = server.get("/")
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert "First title" in body and "/__chronicle/live" in body
    built = (tmp_path / "output" / "index.html").read_text()
    assert "/__chronicle/live" not in built
    assert server.get("/events/a")[:2][0] == 301
    assert server.get("/", method="HEAD")[2] == ""
    code, err = server.stop()
    assert code == 0
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".chronicle")] == []
    # what serve wrote is what build writes
    served = {p.relative_to(tmp_path / "output"): p.read_bytes() for p in (tmp_path / "output").rglob("*") if p.is_file()}
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--output", "again"], cwd=tmp_path, check=True,
                   capture_output=True)
    again = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert served == again


@pytest.mark.parametrize(
    "raw",
    ["/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%252e%252e/etc/passwd", "/..%5c..%5cetc%5cpasswd",
     "/..\\..\\etc\\passwd", "/content/a.md", "/../content/a.md", "/index.html%00", "//etc/passwd",
     "/%2F%2Fetc/passwd", "/output/index.html"],
)
def test_traversal_probes_get_nothing(preview, tmp_path, raw):
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    server = preview()
    status, headers, body = server.get(raw)
    assert status in (400, 404)
    assert "TOP SECRET" not in body and "title: First" not in body and "root:" not in body


def test_no_open_redirect(preview):
    server = preview()
    for raw in ("//evil.example/events/a", "//evil.example/%2e%2e", "/\\evil.example/"):
        status, headers, _ = server.get(raw)
        assert "Location" not in headers or headers["Location"].startswith("/") and \
            not headers["Location"].startswith("//")


@pytest.mark.parametrize("watcher", ["native", "poll"])
def test_a_save_reloads_and_names_the_edited_event(preview, tmp_path, watcher):
    server = preview(*(["--poll"] if watcher == "poll" else []))
    server.listen()
    save(tmp_path / "content" / "a.md", ENTRY.format(title="Second title"))
    update = server.next_update()
    assert update["edited"] == ["a"]
    assert update["failed"] is False
    assert "Second title" in server.get("/")[2]
    assert "Second title" in server.get("/events/a/")[2]


def test_a_reader_is_reloaded_once_a_save_and_only_when_their_page_changed(preview, tmp_path):
    """A save shows its event's page first, then the rest of the site: a reader on that page is
    reloaded once, and a reader whose page a save leaves as it was is not reloaded at all."""
    server = preview()
    server.listen(page="/events/a/")
    content = tmp_path / "content"
    save(content / "b.md", ENTRY.format(title="Other event").replace("Body of", "Another body of"))
    server.polled(lambda body: "Another body of" in body, "/events/b/")  # built, and no reload sent
    save(content / "a.md", ENTRY.format(title="Retitled once"))
    first = server.next_update()
    assert first["edited"] == ["a"] and "Retitled once" in server.get("/events/a/")[2]
    server.polled(lambda body: "Retitled once" in body, "/feed.xml")  # that build has ended
    save(content / "b.md", ENTRY.format(title="Other event"))
    server.polled(lambda body: "Another body of" not in body, "/events/b/")  # and the next one too
    assert not server.reload_waiting()  # neither the rest of the first build nor b's sent a reload
    save(content / "a.md", ENTRY.format(title="Retitled twice"))
    assert server.next_update()["edited"] == ["a"]
    assert "Retitled twice" in server.get("/events/a/")[2]


def test_a_build_that_fails_after_its_first_pages_were_shown_shows_the_last_good_site(preview, tmp_path):
    """The event pages a failing build showed first are taken back: the last good site is shown,
    with the errors over it."""
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    server = preview()
    server.listen()
    base = tmp_path / "theme" / "templates" / "base.html"
    good = base.read_text()
    save(base, good.replace("</body>", '<p>Marked by the theme</p>{% if page.kind == "sources" %}{{ 1 // 0 }}{% endif %}</body>'))
    overlay = '<details id="chronicle-errors"'
    body = server.until(lambda body: overlay in body, path="/events/a/")
    assert "base.html:" in body and "integer division or modulo by zero" in body
    assert "Marked by the theme" not in body
    assert "Marked by the theme" not in server.get("/")[2]
    save(base, good)
    server.until(lambda body: overlay not in body, path="/events/a/")


@pytest.mark.parametrize("style", ["in-place", "rename", "vim-backup", "delete-recreate"])
def test_every_way_editors_save(preview, tmp_path, style):
    server = preview()
    server.listen()
    path = tmp_path / "content" / "a.md"
    text = ENTRY.format(title=f"Saved by {style}")
    if style == "in-place":
        with open(path, "r+") as handle:
            handle.truncate(0)
            handle.write(text)
    elif style == "rename":
        save(path, text)
    elif style == "vim-backup":
        (tmp_path / "content" / "4913").write_text("")
        (tmp_path / "content" / "4913").unlink()
        os.rename(path, tmp_path / "content" / "a.md~")
        (tmp_path / "content" / ".a.md.swp").write_bytes(b"\0swap")
        path.write_text(text)
        (tmp_path / "content" / "a.md~").unlink()
    else:
        path.unlink()
        path.write_text(text)
    server.until(lambda body: f"Saved by {style}" in body)
    assert server.proc.poll() is None


def test_a_broken_save_shows_the_overlay_over_the_last_good_site_and_a_fix_clears_it(preview, tmp_path):
    server = preview()
    server.listen()
    save(tmp_path / "content" / "a.md", "---\ntitle: Broken\ndate: 2024-02-30\n---\n")
    update = server.next_update()
    assert update["failed"] is True
    for page in ("/", "/events/b/"):
        body = server.get(page)[2]
        assert 'id="chronicle-errors"' in body
        assert "content/a.md:3: error: date: " in body
    assert "First title" in server.get("/")[2]  # the last good site
    assert (tmp_path / "output" / "events" / "a" / "index.html").is_file()
    save(tmp_path / "content" / "a.md", ENTRY.format(title="Fixed title"))
    body = server.until(lambda body: "Fixed title" in body)
    assert 'id="chronicle-errors"' not in body
    code, err = server.stop()
    assert "content/a.md:3: error: date: " in err  # the terminal shows the same lines


def test_a_burst_of_fifty_saves_settles_to_the_last(preview, tmp_path):
    server = preview()
    server.listen()
    path = tmp_path / "content" / "a.md"
    for i in range(50):
        save(path, ENTRY.format(title=f"Version {i}"))
    body = server.until(lambda body: "Version 49" in body)
    assert re.findall(r"Version \d+", body) == ["Version 49"] * body.count("Version ")


def test_a_deleted_events_page_is_gone_from_the_first_pages_a_save_shows(tmp_path):
    """The first pages of a save are shown over the last good site: an event deleted is gone from
    them, its page with it, not shown from the site before while the rest is built."""
    content = tmp_path / "content"
    content.mkdir()
    for name in ("a", "b"):
        (content / f"{name}.md").write_text(ENTRY.format(title=f"Event {name}"))
    builder = Engine(Options(content=content))
    site = Site()
    site.publish(builder.build(write=False).files, [], [])
    assert lookup(site.now.files, "/events/b/") == ("file", "events/b/index.html")
    (content / "b.md").unlink()
    shown = []

    def early(files, gone, timeline):
        site.publish(files, [], [], first=True, gone=gone)
        shown.append(site.now.files)

    result = builder.build(write=False, hints={content / "b.md"}, early=early)
    [first] = shown
    assert b"Event b" not in first["index.html"] and b"Event a" in first["index.html"]
    assert lookup(first, "/events/b/") is None and "events/b/index.html" not in set(first)
    assert lookup(first, "/events/a/") == ("file", "events/a/index.html")
    assert first["feed.xml"] == site.good["feed.xml"]  # the rest, from the last good site until built
    assert len(first) == len(set(first)) == len(site.good) - 1
    site.publish(result.files, [], [])
    assert lookup(site.now.files, "/events/b/") is None


def test_a_save_in_place_shows_the_events_page_before_the_index_and_the_periods_are_made(tmp_path):
    """The page of an event saved in its place is given first (with its neighbours', which name it),
    before the overview and the period pages are made: the page the author is most likely on. The
    pages given then are the build's own, and the rest follow with the index."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text("---\ntitle: Split\npage_events: 10\n---\n")
    for day in range(1, 25):
        (content / f"e{day:02d}.md").write_text(ENTRY.replace("28", f"{day:02d}").format(title=f"Event {day}"))
    builder = Engine(Options(content=content))
    assert builder.build(write=False).ok
    (content / "e04.md").write_text(ENTRY.replace("28", "04").format(title="Event 4, corrected"))
    given = []
    result = builder.build(write=False, hints={content / "e04.md"},
                           early=lambda files, gone, timeline: given.append((dict(files), gone)))
    (pages, gone), (rest, _) = given
    assert sorted(pages) == ["events/e03/index.html", "events/e04/index.html", "events/e05/index.html"]
    assert not gone
    assert b"Event 4, corrected" in pages["events/e04/index.html"] and b"Event 4, corrected" in pages["events/e03/index.html"]
    assert "index.html" in rest and "2024/10/index.html" not in pages and "2024/10/04/index.html" in rest
    assert all(result.files[name] == data for name, data in {**pages, **rest}.items())


def split_timeline(content: Path, count: int = 24) -> None:
    """A timeline split into periods (page_events: 10), its events in three tags and cited by three
    publishers (a page of sources each: more citations than page_events)."""
    content.mkdir()
    (content / "_index.md").write_text("---\ntitle: Split\npage_events: 10\n---\n")
    for day in range(1, count + 1):
        write_event(content, day, f"Event {day}")


def write_event(content: Path, day: int, title: str) -> None:
    save(content / f"e{day:02d}.md", f"---\ntitle: {title}\ndate: 2024-10-{day:02d}\ntags: [t{day % 3}]\n"
                                    f"sources: [https://example{day % 3}.org/{day}]\n---\nBody of {title}.\n")


@pytest.mark.parametrize("stopped", ["the first build", "a save's build"])
def test_a_build_stopped_anywhere_leaves_the_engine_to_build_the_next_site_the_same(tmp_path, stopped):
    """serve's first build, its warm-up and a save's build stop when a save comes (Engine.build's
    cancel, asked between pages once the entries are read). Stopped at each place it can be, the
    engine builds the next save's site with the same bytes as an engine never stopped, reading
    only the entry saved."""
    content = tmp_path / "content"
    split_timeline(content)

    def stop(place: int | None) -> tuple[Engine, int]:
        """Return an engine whose build was stopped at its place-th look (None: never), and how many
        looks the build took."""
        builder = Engine(Options(content=content))
        hints = None
        if stopped == "a save's build":
            assert builder.build(write=False).ok
            write_event(content, 20, f"Event 20, saved before stop {place}")
            hints = {content / "e20.md"}
        asked = []

        def cancel() -> bool:
            asked.append(1)
            return place is not None and len(asked) > place

        if place is None:
            assert builder.build(write=False, hints=hints, cancel=cancel).ok
        else:
            with pytest.raises(Cancelled):
                builder.build(write=False, hints=hints, cancel=cancel)
        return builder, len(asked)

    places = stop(None)[1]
    assert places > (10 if stopped == "the first build" else 5)  # the periods, event pages, tags, feeds
    for place in range(places):
        builder, _ = stop(place)
        write_event(content, 4, f"Event 4, saved after stop {place}")
        result = builder.build(write=False, hints={content / "e04.md"})
        assert result.ok and result.changed == {"e04"}
        expected = Engine(Options(content=content)).build(write=False).files
        assert result.files.keys() == expected.keys(), place
        assert [name for name in expected if result.files[name] != expected[name]] == [], place


@pytest.mark.parametrize("kind, then", [
    ("render_event_page", {"render_event_page": 2, "_publisher_page": 1, "render_tag_page": 1}),
    ("_publisher_page", {"render_tag_page": 1}),
    ("render_tag_page", {}),
])
def test_a_build_stopped_half_way_leaves_the_next_every_page_it_made_or_kept(tmp_path, monkeypatch, kind, then):
    """Saves every second on a large timeline stop build after build: a build stopped half-way keeps
    every page it made, and every page kept before that it had not come to yet (event, period,
    publisher and tag pages), so that the next build makes only what is left to make."""
    from chronicle.incremental import engine as engine_module, pages as pages_module
    content = tmp_path / "content"
    split_timeline(content)
    made: list[str] = []
    for module, name in ((engine_module, "render_event_page"), (pages_module, "render_tag_page"),
                         (pages_module, "_publisher_page"), (engine_module, "period_files")):
        def counted(*args, _real=getattr(module, name), _name=name, **named):
            made.append(_name)
            return _real(*args, **named)
        monkeypatch.setattr(module, name, counted)
    monkeypatch.setattr(engine_module, "PAGES_BETWEEN_CHECKS", 4)
    builder = Engine(Options(content=content))
    assert builder.build(write=False).ok
    # A second event on the 12th: its page and those beside it are made, its publisher's and its
    # tag's (the first of each), its day's, and no other.
    save(content / "e12b.md", "---\ntitle: Event 12b\ndate: 2024-10-12\ntags: [t0]\nsources: [https://example0.org/b]\n---\nBody.\n")
    made.clear()
    with pytest.raises(Cancelled):  # stopped once it has made the first page of that kind it had to
        builder.build(write=False, cancel=lambda: kind in made)
    made.clear()
    result = builder.build(write=False)
    assert {name: made.count(name) for name in set(made)} == then  # what was left, and nothing made again
    expected = Engine(Options(content=content)).build(write=False).files
    assert [name for name in expected if result.files.get(name) != expected[name]] == []


def test_a_build_stopped_with_other_settings_leaves_the_next_build_its_own_values(tmp_path):
    """A build stopped after it began the pages of new settings (a title), then the settings put
    back and an event saved in its place: the save is built on the site's values as they are, not
    on those of the pages the stopped build began."""
    content = tmp_path / "content"
    split_timeline(content)
    builder = Engine(Options(content=content))
    assert builder.build(write=False).ok
    settings = content / "_index.md"
    before = settings.read_text()
    save(settings, before.replace("title: Split", "title: Renamed"))
    with pytest.raises(Cancelled):
        builder.build(write=False, hints={settings}, cancel=lambda: True)
    save(settings, before)
    write_event(content, 4, "Event 4, corrected")
    result = builder.build(write=False, hints={settings, content / "e04.md"})
    expected = Engine(Options(content=content)).build(write=False).files
    assert [name for name in expected if result.files.get(name) != expected[name]] == []


@pytest.mark.parametrize("read", ["after", "before"])
def test_a_save_after_a_stopped_build_shows_its_pages_then_its_period_first(tmp_path, read):
    """With nothing rendered before (serve's warm-up stopped for this save), a save's build gives its
    event's page and those beside it first, then the index and the page of its period, then the rest:
    the pages its author is most likely on, each as the build's end has it. So too when the stopped
    build had read the entry as saved already (the save came while it read the entries)."""
    content = tmp_path / "content"
    split_timeline(content)
    builder = Engine(Options(content=content))
    if read == "before":
        write_event(content, 14, "Event 14, corrected")
    with pytest.raises(Cancelled):
        builder.build(write=False, cancel=lambda: True)
    if read == "after":
        write_event(content, 14, "Event 14, corrected")
    given = []
    result = builder.build(write=False, hints={content / "e14.md"},
                           early=lambda files, gone, timeline: given.append(dict(files)))
    pages, period, *rest = given
    assert sorted(pages) == ["events/e13/index.html", "events/e14/index.html", "events/e15/index.html"]
    home = re.search(r'class="crumbs"[^>]*>\s*<a href="\.\./\.\./([^"#]*)index.html#e14"',
                     pages["events/e14/index.html"].decode()).group(1)
    # Given with the pages given before: serve shows each early's files over the last good site.
    assert home and sorted(period) == sorted([*pages, "index.html", f"{home}index.html", f"{home}timeline.json"])
    assert b"Event 14, corrected" in period[f"{home}index.html"]
    assert rest and all(f"{home}index.html" in files for files in rest)  # then the rest
    assert all(result.files[name] == data for files in given for name, data in files.items())


def test_a_page_is_shown_anew_when_a_file_it_loads_changes_in_the_first_pages_or_after():
    """A reader whose page is the same is reloaded when the style sheet (or a picture) it loads
    changed: in a save's first pages (shown over the last good site), gone with a deleted event, or
    in the rest of its build; not for a feed or another page."""
    site = Site()
    good = {"index.html": b"<p>i", "events/a/index.html": b"<p>a", "static/chronicle.css": b"body { color: black }",
            "events/b/map.png": b"\x89PNG one", "feed.xml": b"<feed/>"}
    steps = [
        ({"events/b/index.html": b"<p>b"}, frozenset(), False),  # an event's page: not the reader's
        ({"static/chronicle.css": b"body { color: navy }"}, frozenset(), True),
        ({"feed.xml": b"<feed>new</feed>"}, frozenset(), False),  # data, not loaded by the page
        ({}, frozenset({"events/b/map.png"}), True),
    ]
    for files, gone, anew in steps:
        site.publish(dict(good), [], [])
        before = site.now
        site.publish(files, [], [], first=True, gone=gone)
        assert site.now.shows_anew("/events/a/", before) is anew, files or gone
        shown = dict(site.now.files)
        assert site.now.assets == {name: data for name, data in shown.items() if not name.endswith((".html", ".xml"))}
        before = site.now
        site.publish({name: data for name, data in {**good, **files}.items() if name not in gone}, [], [])  # its end
        assert not site.now.shows_anew("/events/a/", before)


def test_a_save_waits_for_the_readers_it_told_to_reload_before_building_the_rest():
    """The rest of a save's build (tag pages, feeds) waits while the readers' pages reload, up to a
    limit: both cores go to the page the author is looking at (serve's early, READERS_WAIT)."""
    site = Site()
    assert site.wait_for_readers(0)  # no reader: nothing to wait for
    reloaded, unchanged = object(), object()
    site.opened(reloaded, 0)
    site.opened(unchanged, 0)
    site.publish({"index.html": b"new"}, [], [], first=True)
    assert not site.wait_for_readers(0.01)  # neither stream has answered version 1
    site.answered(unchanged, 1, reload=False)  # its page looks the same: not waited for
    site.answered(reloaded, 1, reload=True)
    assert not site.wait_for_readers(0.01)  # its reader is loading the page
    site.closed(reloaded)  # the browser closes the stream, reloads, and the page opens one again
    again = object()
    threading.Timer(0.05, site.opened, (again, 1)).start()
    assert site.wait_for_readers(10)
    site.answered(unchanged, 1, reload=True)  # a reader told to reload who never comes back …
    site.closed(unchanged)
    site.publish({"index.html": b"newer"}, [], [], first=True)
    site.answered(again, 2, reload=False)
    assert site.wait_for_readers(0)  # … is not waited for by the next save


def test_the_watcher_is_told_of_saves_not_of_reads(tmp_path):
    """Reading an entry is no change (serve's first build reads every entry, 10,000 of them at
    10,000 events): only the changes that can change the site reach the watcher (watch.EVENTS)."""
    content = tmp_path / "content"
    content.mkdir()
    entry = content / "a.md"
    entry.write_text(ENTRY.format(title="Read"))
    told: list[list[Path]] = []

    class Told:  # the coalescer's place: what the watcher hands on
        def add(self, paths):
            told.append(list(paths))

        def start(self):
            pass

        def stop(self):
            pass

    watcher = Watcher(content, None, Told())
    watcher.start()
    try:
        time.sleep(0.2)
        for _ in range(20):
            entry.read_text()
        time.sleep(0.5)
        assert told == []
        save(entry, ENTRY.format(title="Saved"))
        deadline = time.monotonic() + WAIT
        while not told:
            assert time.monotonic() < deadline, "a save was not seen"
            time.sleep(0.02)
        assert {path.name for paths in told for path in paths} == {"a.md"}
    finally:
        watcher.stop()


def test_a_page_the_first_build_has_not_made_yet_is_waited_for_not_missing():
    """serve answers from its start: a large timeline's first build shows its index while it makes
    the rest (Engine.render's early), and a page asked for before it is made is answered once it is;
    once a build has ended, a page it did not make is not found at once."""
    site = Site()
    server = PreviewServer(("127.0.0.1", 0), site)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def get(path: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=WAIT)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read().decode()
        conn.close()
        return response.status, body

    answers: dict[str, tuple[int, str]] = {}

    def ask(path: str) -> threading.Thread:
        asker = threading.Thread(target=lambda: answers.update({path: get(path)}))
        asker.start()
        return asker

    try:
        before = ask("/")  # nothing built yet
        time.sleep(0.2)
        site.publish({"index.html": b"<p>The index</p>", "static/s.css": b"p{}"}, [], [], first=True)
        before.join(WAIT)
        assert answers["/"][0] == 200 and "The index" in answers["/"][1]
        assert get("/static/s.css") == (200, "p{}")
        event = ask("/events/a/")
        event.join(0.3)
        assert event.is_alive(), answers  # not a 404: the page is still being made
        site.publish({"index.html": b"<p>The index</p>", "events/a/index.html": b"<p>Event A</p>"}, [], [])
        event.join(WAIT)
        assert answers["/events/a/"][0] == 200 and "Event A" in answers["/events/a/"][1]
        assert get("/events/b/")[0] == 404
        # A save's first pages are shown over the last good build's: a page they lack is that build's.
        site.publish({"index.html": b"<p>Saved</p>"}, [], [], first=True)
        assert "Event A" in get("/events/a/")[1] and get("/events/b/")[0] == 404
    finally:
        site.stop()
        server.shutdown()
        server.server_close()


def test_new_deleted_and_renamed_entries(preview, tmp_path):
    server = preview()
    server.listen()
    content = tmp_path / "content"
    save(content / "c.md", ENTRY.format(title="Brand new"))
    server.until(lambda body: "Brand new" in body)
    (content / "b.md").unlink()
    server.until(lambda body: "Other event" not in body)
    assert server.get("/events/b/")[0] == 404
    os.rename(content / "c.md", content / "renamed.md")
    server.until(lambda body: "events/renamed/" in body)
    assert server.get("/events/c/")[0] == 404
    (content / "sub").mkdir()
    os.rename(content / "renamed.md", content / "sub" / "moved.md")
    server.until(lambda body: "events/moved/" in body)


def test_editing_the_settings_and_the_theme_rebuilds(preview, tmp_path):
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    server = preview()
    server.listen()
    save(tmp_path / "content" / "_index.md", "---\ntitle: Renamed timeline\n---\n")
    server.until(lambda body: "Renamed timeline" in body)
    css = tmp_path / "theme" / "static" / "chronicle.css"
    save(css, css.read_text() + "\n/* edited */\n")
    server.until(lambda body: "/* edited */" in body, path="/static/chronicle.css")


def files_of(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}


def assert_output_is_a_build_without_cache(root: Path) -> None:
    """output/ holds the bytes build --no-cache makes of root's content (built into root/again)."""
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-cache", "--output", "again"], cwd=root,
                   check=True, capture_output=True)
    assert {name: data for name, (_, data) in files_of(root / "output").items()} == \
        {name: data for name, (_, data) in files_of(root / "again").items()}


def test_a_large_timeline_is_written_after_each_pause_through_the_spare_site(tmp_path):
    """200 events or more: output/ is written after each pause as build writes it, the site before
    kept beside it and brought up to date, so that a save writes only what it changed; output/ is
    then what a build without the cache makes."""
    content = tmp_path / "content"
    content.mkdir()
    for n in range(210):
        (content / f"e{n:03d}.md").write_text(ENTRY.format(title=f"Event {n}").replace("2024-10-28", f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}"))
    server = Preview(tmp_path)
    try:
        # Its first pages were served before the build ended: the address came first, then the summary.
        assert not server.built and server.proc.stdout.readline().startswith("built 210 events, ")
        server.listen()
        output, spare = tmp_path / "output", tmp_path / ".chronicle-spare-output"
        page = output / "events" / "e105" / "index.html"
        for n in range(3):
            save(content / "e105.md", ENTRY.format(title=f"Saved {n}"))
            server.until(lambda body: f"Saved {n}" in body, path="/events/e105/")
            deadline = time.monotonic() + WAIT
            while f"Saved {n}" not in page.read_text():
                assert time.monotonic() < deadline, "output/ was not written after the pause"
                time.sleep(0.05)
        assert spare.is_dir()
        written, kept = files_of(output), files_of(spare)
        # The pages no save changed are the spare's own files, linked; the edited one is not.
        assert written["events/e001/index.html"][0] == kept["events/e001/index.html"][0]
        assert written["events/e105/index.html"][0] != kept["events/e105/index.html"][0]
        assert "Saved 1" in kept["events/e105/index.html"][1].decode()
    finally:
        code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    assert_output_is_a_build_without_cache(tmp_path)


@pytest.mark.parametrize("start", ["first build", "warm-up"])
def test_a_save_as_serve_starts_is_shown_and_written_as_build_writes_it(tmp_path, start):
    """A save made as serve starts, during its first build (output/ out of date) or the warm-up (output/
    as a build left it), stops that build once the entries are read and is built itself: it is shown,
    and output/ is then what a build without the cache makes, whenever the save came."""
    content = tmp_path / "content"
    content.mkdir()
    for n in range(300):
        (content / f"e{n:03d}.md").write_text(ENTRY.format(title=f"Event {n}").replace("2024-10-28", f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}"))
    subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=tmp_path, check=True, capture_output=True)
    if start == "first build":
        save(content / "e007.md", ENTRY.format(title="Changed while stopped"))
    server = Preview(tmp_path)
    try:
        assert ("output/ as it was" in server.built) == (start == "warm-up"), server.built
        first = int(re.search(r"live\?v=(\d+)", server.get("/")[2]).group(1))
        save(content / "e150.md", ENTRY.format(title="Saved as it started"))
        page = tmp_path / "output" / "events" / "e150" / "index.html"
        deadline = time.monotonic() + WAIT
        while "Saved as it started" not in page.read_text():
            assert time.monotonic() < deadline, "output/ was not written after the save"
            time.sleep(0.05)
        # A reader on the event's page as serve first showed it is told to reload: a warm start reads
        # output/'s files when asked for (output.Written), and reads the rest before writing output/.
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as stream:
            stream.sendall(f"GET /__chronicle/live?v={first}&p=/events/e150/ HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            told, deadline = b"", time.monotonic() + WAIT
            while b"data: " not in told:
                chunk = stream.recv(4096)
                assert chunk and time.monotonic() < deadline, told  # else only heartbeats: no reload
                told += chunk
        server.polled(lambda body: "Saved as it started" in body, "/events/e150/")
    finally:
        code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    assert_output_is_a_build_without_cache(tmp_path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tgkill: a signal sent to one thread is Linux's")
def test_a_stop_signal_that_reaches_another_thread_stops_serve(preview):
    """SIGTERM goes to any thread of the process; Python runs its handler in the main thread between
    two steps. Sent to each of serve's other threads in turn, it still stops serve (the main thread
    does not wait without end)."""
    import ctypes
    server = preview()
    assert server.get("/")[0] == 200
    threads = sorted(int(tid) for tid in os.listdir(f"/proc/{server.proc.pid}/task") if int(tid) != server.proc.pid)
    assert threads
    libc = ctypes.CDLL(None, use_errno=True)
    tgkill = 234 if os.uname().machine == "x86_64" else 131  # aarch64
    assert libc.syscall(tgkill, server.proc.pid, threads[0], signal.SIGTERM) == 0, ctypes.get_errno()
    out, err = server.proc.communicate(timeout=WAIT)
    assert server.proc.returncode == 0 and "stopped" in out and "Traceback" not in err, err


def test_stopping_while_the_first_build_of_a_large_timeline_runs_stops_cleanly(tmp_path):
    """Its index is served before the build ends, so a reader may stop it then: SIGTERM stops it as
    at any other time, and output/ is the whole site or not there, never part of one."""
    content = tmp_path / "content"
    content.mkdir()
    for n in range(260):
        (content / f"e{n:03d}.md").write_text(ENTRY.format(title=f"Event {n}").replace("2024-10-28", f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}"))
    server = Preview(tmp_path, "--no-cache")
    assert not server.built  # the address first: the summary comes when the build ends
    assert server.get("/")[0] == 200 and server.get("/events/e007/")[0] == 200
    server.proc.send_signal(signal.SIGTERM)
    out, err = server.proc.communicate(timeout=WAIT)
    assert server.proc.returncode == 0 and "Traceback" not in err, err
    assert out.endswith("stopped\n"), out
    if (tmp_path / "output").exists():
        assert_output_is_a_build_without_cache(tmp_path)


def descendants(pid: int) -> dict[int, str]:
    """Return the processes below pid (Linux's /proc), each with its command line."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found, pending = {}, [pid]
    while pending:
        parent = pending.pop()
        for child in [child for child, of in parents.items() if of == parent]:
            with contextlib.suppress(OSError):
                found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            pending.append(child)
    return found


def test_a_timeline_read_anew_is_parsed_by_workers_forked_before_serve_has_threads(tmp_path):
    """serve --no-cache, 100 entries: they are parsed by two workers forked as serve starts, before
    its server and watcher threads, not by a fork server started then (its own Python, which loads
    Chronicle again: 1,000 entries, the first page 0.74 → 0.60 s). They end with the first build;
    a save is parsed in serve's process, and output/ is what build --no-cache makes."""
    content = tmp_path / "content"
    content.mkdir()
    for n in range(100):
        (content / f"e{n:03d}.md").write_text(ENTRY.format(title=f"Event {n}").replace("2024-10-28", f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}"))
    server = Preview(tmp_path, "--no-cache")
    try:
        assert server.built.startswith("built 100 events, "), server.built
        assert descendants(server.proc.pid) == {}, "the workers outlived the first build, or a fork server was started"
        server.listen("/events/e042/")
        save(content / "e042.md", ENTRY.format(title="Saved while serving").replace("2024-10-28", "2024-07-15"))
        assert "Saved while serving" in server.until(lambda body: "Saved while serving" in body, "/events/e042/")
        assert descendants(server.proc.pid) == {}
    finally:
        code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    assert_output_is_a_build_without_cache(tmp_path)


def test_a_port_in_use_is_a_usage_error(tmp_path):
    (tmp_path / "content").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 2
    assert done.stderr.strip().endswith(f"port {port} on 127.0.0.1 is in use — pass --port 0 for any free port, "
                                        "or another --port")


def test_a_public_host_is_warned_about(preview):
    server = preview("--host", "0.0.0.0")
    code, err = server.stop()
    assert "not a loopback address" in err


def test_a_site_read_from_output_is_every_file_by_name_but_the_search_index(tmp_path):
    """serve's warm start shows output/ as the files the look found there (Engine.current:
    output.Written), the search index left out (served from output/ as it is), a file only in a
    folder of that name kept. Each is read when first asked for, and then kept: read_all reads the
    rest, and what was read is what is shown, whatever output/ holds after."""
    files = {"index.html": b"<p>home", "events/a/index.html": b"a", "events/pagefind/x.js": b"kept",
             "tags/b/2020/index.html": b"b", "pagefind/pagefind.js": b"left out", "z.css": b""}
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    written = Written(tmp_path, files)
    found = site_files(written)
    shown = {name: data for name, data in files.items() if not name.startswith("pagefind/")}
    assert sorted(found) == sorted(shown) and len(found) == len(shown)
    assert "pagefind/pagefind.js" not in found and "missing.html" not in found
    home = found["index.html"]
    assert home == b"<p>home" and found["index.html"] is home  # one object, read once
    (tmp_path / "index.html").write_bytes(b"<p>rewritten")
    assert found["index.html"] == b"<p>home"
    assert list(written.read_all()) == sorted(files)
    (tmp_path / "events/a/index.html").write_bytes(b"rewritten")
    (tmp_path / "z.css").unlink()
    assert dict(found) == {**shown, "index.html": b"<p>home"}
    with pytest.raises(KeyError):
        found["pagefind/pagefind.js"]
