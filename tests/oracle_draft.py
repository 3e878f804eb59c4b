# DRAFT, not collected by pytest (its name does not start with test_): the serve cases ran past 10 minutes on a
# loaded machine; rename it to test_oracle.py once they are timed and capped for CI (issue 15).
"""The oracle: the engine makes the reference pipeline's bytes, after any series of edits.

After every step of a random series of edits (entries added, removed, renamed and edited in every
field and date form, drafts, slugs; content/_index.md's settings, intro and unknown fields; a theme
of the test's own that shows every value it is given, its templates and static files edited), the
engine's site must be the reference's, file for file and byte for byte:

- `chronicle build` (the engine: .chronicle-cache/ and the output/ of the build before) against
  `chronicle build --no-cache` into a fresh folder (the plain pipeline), with the same diagnostics;
- `chronicle serve`, started once: every file the reference made, fetched over HTTP (HTML without
  the live-reload script serve adds), and the output/ it keeps in step, after it has rebuilt.

Each machine runs small timelines, and one starts from 210 generated entries, so that the engine's
large paths (entries parsed and pages rendered by worker processes, long files spliced) are taken.
Only the command line and the server are used, each as a process. A failure prints the steps taken
and a unified diff of the first file that differs.

The default run is a few examples of each; CHRONICLE_FUZZ_EXAMPLES (marker `fuzz`, CI's large
profile) raises that, capped so that the oracle adds about ten minutes at most.
"""

from __future__ import annotations

import html
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, \
    run_state_machine_as_test

from oracle_support import (BODIES, DATE_FORMS, DAYS, EXTRAS, INDEX_EXTRAS, INTROS, LOCATIONS, OPTIONAL,
                            SETTING_VALUES, SLUGS, SOURCES, STATIC_NAMES, TAGS, TEMPLATES, TITLES, URLS, WAIT,
                            Built, Entry, Index, Serve, Theme, difference, environment, finish, generated_entries,
                            is_html, make_folder, remove, save, shipped_static, shipped_templates, source_item,
                            start_build, strip_live, sync, text_diff, tree, write_theme, written_date)

pytestmark = pytest.mark.fuzz

LARGE = 210  # entries: above 64 (parsed by workers) and 200 (rendered by workers, long files spliced)
FUZZ = os.environ.get("CHRONICLE_FUZZ_EXAMPLES")


def oracle_settings(default: int, cap: int, steps: int, shrink: bool = True) -> settings:
    """A few examples by default; CHRONICLE_FUZZ_EXAMPLES, capped, in CI's large profile."""
    examples = default if FUZZ is None else max(1, min(int(FUZZ), cap))
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
                    phases=phases, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# --------------------------------------------------------------------------- what edits draw

WHICH = st.integers(0, 1000)  # an index into the sorted names, modulo their number
DATE = st.builds(written_date, st.integers(0, len(DAYS) - 1), st.integers(0, DATE_FORMS - 1))
SOURCE_ITEMS = st.lists(st.builds(source_item, st.integers(0, len(SOURCES) - 1), st.integers(0, len(URLS) - 1)),
                        max_size=3).map(tuple)
TAG_LISTS = st.lists(st.sampled_from(TAGS), max_size=3, unique=True).map(tuple)
ENTRY = st.builds(
    Entry,
    title=st.sampled_from(TITLES),
    date=DATE,
    body=st.sampled_from(BODIES),
    tags=TAG_LISTS,
    sources=SOURCE_ITEMS,
    slug=st.none() | st.sampled_from(SLUGS),
    draft=st.sampled_from([False, False, False, True]),
    location=st.none() | st.sampled_from(LOCATIONS),
    weight=st.none() | st.integers(-2, 2),
)


class Edits(RuleBasedStateMachine):
    """Content, settings and a theme on disk, and every edit an author makes to them. A subclass
    says how the site is built and checks it after every step (an invariant)."""

    BASE: Path | None = None  # the test's temporary folder (set by each test)
    LARGE = False
    MAX_ENTRIES = 10

    def __init__(self) -> None:
        super().__init__()
        self.root = make_folder(self.BASE, "case-")
        self.content = self.root / "content"
        self.theme_dir = self.root / "theme"
        self.entries: dict[str, Entry] = {}
        self.index = Index()
        self.theme = Theme(static=tuple(shipped_static().items()))
        self.junk: dict[str, bytes] = {}
        self.shipped = shipped_templates()
        self.log: list[str] = []
        self.counter = 0
        self.settled = False
        self.failed = False

    # --- the files on disk

    def files(self) -> dict[str, bytes]:
        files = {name: entry.text().encode("utf-8") for name, entry in self.entries.items()}
        if self.index.present:
            files["_index.md"] = self.index.text().encode("utf-8")
        return {**files, **self.junk}

    def apply(self, what: str) -> None:
        """Make content/ and the theme as the model says (changed files only), and log the step."""
        self.log.append(what)
        sync(self.content, self.files())
        write_theme(self.theme_dir, self.theme, self.shipped)

    def steps(self) -> str:
        return "steps:\n" + "\n".join(f"  {n}. {line}" for n, line in enumerate(self.log, 1))

    def pick(self, which: int) -> str:
        names = sorted(self.entries)
        return names[which % len(names)]

    def edit(self, which: int, what: str, **changes) -> None:
        name = self.pick(which)
        self.entries[name] = replace(self.entries[name], **changes)
        self.apply(f"{name}: {what}")

    def start_content(self, entries: list[Entry], index: Index, theme: Theme) -> None:
        if self.LARGE:
            self.entries = generated_entries(LARGE)
            described = f"{LARGE} generated entries"
        else:
            for entry in entries:
                self.counter += 1
                self.entries[f"e{self.counter}.md"] = entry
            described = f"{len(entries)} entries {sorted(self.entries)}"
        self.index = index
        self.theme = replace(theme, static=tuple(shipped_static().items()))
        self.apply(f"start: {described}; _index.md {self.index}; theme {self.theme}")

    # --- entries

    @precondition(lambda self: len(self.entries) < self.MAX_ENTRIES + (LARGE if self.LARGE else 0))
    @rule(entry=ENTRY, folder=st.sampled_from(["", "sub/"]), suffix=st.sampled_from([".md", ".markdown"]))
    def add_entry(self, entry, folder, suffix):
        self.counter += 1
        name = f"{folder}new{self.counter}{suffix}"
        self.entries[name] = entry
        self.apply(f"add {name}: {entry}")

    @precondition(lambda self: self.entries)
    @rule(which=WHICH)
    def remove_entry(self, which):
        name = self.pick(which)
        del self.entries[name]
        self.apply(f"remove {name}")

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, how=st.integers(0, 3))
    def rename_entry(self, which, how):
        """Rename the file (its slug is the file name's, unless slug: says otherwise)."""
        name = self.pick(which)
        folder, _, base = name.rpartition("/")
        stem, _, suffix = base.rpartition(".")
        self.counter += 1
        if how == 0:
            new = f"{folder + '/' if folder else ''}renamed{self.counter}.{suffix}"
        elif how == 1:
            new = base if folder else f"sub/{base}"  # moved, same file name
        elif how == 2:
            new = f"{folder + '/' if folder else ''}{stem}.{'markdown' if suffix == 'md' else 'md'}"
        else:
            y, m, d, _, _ = DAYS[which % len(DAYS)]
            new = f"{folder + '/' if folder else ''}{y}-{m:02d}-{d:02d}-{stem}.{suffix}"
        if new in self.entries:
            new = f"{folder + '/' if folder else ''}renamed{self.counter}.{suffix}"
        (self.content / new).parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.content / name, self.content / new)
        self.entries[new] = self.entries.pop(name)
        self.apply(f"rename {name} -> {new}")

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, title=st.sampled_from(TITLES))
    def edit_title(self, which, title):
        self.edit(which, f"title: {title!r}", title=title)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, body=st.sampled_from(BODIES))
    def edit_body(self, which, body):
        self.edit(which, f"body: {body!r}", body=body)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, date=DATE | st.none())
    def edit_date(self, which, date):
        self.edit(which, f"date: {date}" if date else "date left out", date=date, broken=False)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, end=st.none() | st.sampled_from(["2024-11-02", "'2024-11'", "2024-10-27"]))
    def edit_end(self, which, end):
        self.edit(which, f"end: {end}", end=end)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, tags=TAG_LISTS)
    def edit_tags(self, which, tags):
        self.edit(which, f"tags: {list(tags)}", tags=tags)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, sources=SOURCE_ITEMS)
    def edit_sources(self, which, sources):
        self.edit(which, f"sources: {list(sources)}", sources=sources)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, slug=st.none() | st.sampled_from(SLUGS))
    def set_slug(self, which, slug):
        self.edit(which, f"slug: {slug}", slug=slug)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH)
    def toggle_draft(self, which):
        draft = not self.entries[self.pick(which)].draft
        self.edit(which, f"draft: {draft}", draft=draft)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, field=st.sampled_from(["location", "summary", "weight", "extra"]), value=st.integers(0, 4))
    def edit_detail(self, which, field, value):
        if field == "location":
            changes = {"location": ([None] + LOCATIONS)[value]}
        elif field == "summary":
            changes = {"summary": [None, "One line.", "Another & line", None, "<i>x</i>"][value]}
        elif field == "weight":
            changes = {"weight": [None, -1, 0, 1, 5][value]}
        else:
            changes = {"extra": (EXTRAS[value],) if value else ()}
        self.edit(which, f"{changes}", **changes)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH)
    def break_entry(self, which):
        """An impossible date: the build fails (output kept) until the date is edited again."""
        self.edit(which, "date: 2024-02-30 (an error)", broken=True)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH)
    def touch_entry(self, which):
        """Saved again, unchanged: new times and inode, the same bytes."""
        name = self.pick(which)
        save(self.content / name, (self.content / name).read_bytes())
        self.log.append(f"{name}: saved again unchanged")

    @rule(kind=st.sampled_from(["notes.txt", ".e1.md.swp", "e1.md~", "_drafts/x.md", ".#e1.md", "x.md.tmp"]))
    def add_junk(self, kind):
        """A file no build reads (an editor's, a note): nothing may change."""
        self.junk[kind] = f"---\ntitle: junk\ndate: 2024-02-30\n---\n{len(self.log)}\n".encode()
        self.apply(f"add junk file {kind}")

    @precondition(lambda self: not self.settled and len(self.log) > 2)
    @rule()
    def settle(self):
        """Let two seconds pass, so that the engine trusts the stat of every file it read (as git's index)."""
        self.settled = True
        time.sleep(2.1)  # the passing of time is the point here, not a way to wait for something
        self.log.append("two seconds pass")

    # --- content/_index.md

    @rule(key=st.sampled_from(sorted(SETTING_VALUES)), value=st.integers(0, 4))
    def set_setting(self, key, value):
        values = SETTING_VALUES[key]
        chosen = values[value % len(values)]
        self.index = self.index.set(key, chosen)
        self.apply(f"_index.md: {key}: {chosen}")

    @rule(key=st.sampled_from(sorted(INDEX_EXTRAS)), value=st.integers(0, 3))
    def set_index_extra(self, key, value):
        values = [None, *INDEX_EXTRAS[key]]
        chosen = values[value % len(values)]
        self.index = self.index.set_extra(key, chosen)
        self.apply(f"_index.md: {key}: {chosen} (an unknown field: timeline.extra)")

    @rule(intro=st.sampled_from(INTROS))
    def set_intro(self, intro):
        self.index = replace(self.index, intro=intro, present=True)
        self.apply(f"_index.md intro: {intro!r}")

    @precondition(lambda self: self.index.present)
    @rule()
    def remove_index(self):
        self.index = replace(self.index, present=False)
        self.apply("remove _index.md")

    # --- the theme

    @rule(name=st.sampled_from(TEMPLATES))
    def mark_template(self, name):
        marks = dict(self.theme.marks)
        marks[name] = marks.get(name, 0) + 1
        self.theme = replace(self.theme, marks=tuple(sorted(marks.items())))
        self.apply(f"theme: edit {name} (mark {marks[name]})")

    @rule()
    def toggle_show_extra(self):
        self.theme = replace(self.theme, show_extra=not self.theme.show_extra)
        self.apply(f"theme: oracle.html shows timeline.extra: {self.theme.show_extra}")

    @rule()
    def toggle_reveal(self):
        self.theme = replace(self.theme, reveal=not self.theme.reveal)
        self.apply(f"theme: every template shows every value it is given: {self.theme.reveal}")

    @rule(key=st.sampled_from(sorted(OPTIONAL)))
    def toggle_optional(self, key):
        self.theme = replace(self.theme, removed=self.theme.removed ^ {key})
        self.apply(f"theme: {'remove' if key in self.theme.removed else 'restore'} {', '.join(OPTIONAL[key])}")

    @rule()
    def toggle_broken_template(self):
        self.theme = replace(self.theme, broken=not self.theme.broken)
        self.apply(f"theme: {'a syntax error in' if self.theme.broken else 'fix'} a template")

    @rule(name=st.sampled_from(STATIC_NAMES), version=st.integers(0, 3))
    def write_static(self, name, version):
        static = dict(self.theme.static)
        if name == "chronicle.css":
            data = shipped_static().get(name, b"") + f"\n/* edited {version} */\n".encode()
        elif name == "data.bin":
            data = bytes([0, 255, version]) * 40
        elif name == "page.html":
            data = f"<!doctype html><html><body><p>static page {version}</p></body></html>\n".encode()
        else:
            data = f"{name} version {version}\n".encode()
        static[name] = data
        self.theme = replace(self.theme, static=tuple(sorted(static.items())))
        self.apply(f"theme: write static/{name} (version {version})")

    @precondition(lambda self: self.theme.static)
    @rule(which=WHICH)
    def remove_static(self, which):
        static = dict(self.theme.static)
        name = sorted(static)[which % len(static)]
        del static[name]
        self.theme = replace(self.theme, static=tuple(sorted(static.items())))
        self.apply(f"theme: remove static/{name}")

    def teardown(self) -> None:
        if os.environ.get("ORACLE_TRACE"):  # TEMPORARY
            with open(os.environ["ORACLE_TRACE"], "a") as trace:
                trace.write(type(self).__name__ + " " + self.steps() + f"\n  outcomes: {getattr(self, 'outcomes', '')}\n")
        remove(self.root)


INDEX = st.builds(
    Index,
    settings=st.fixed_dictionaries({key: st.sampled_from(values) for key, values in SETTING_VALUES.items()}).map(
        lambda chosen: tuple((k, v) for k, v in chosen.items() if v is not None)),
    extra=st.sampled_from([(), (("subtitle", "Day by day"),), (("subtitle", "Hour by hour"), ("editor", "A. Editor"))]),
    intro=st.sampled_from(INTROS),
)
THEME = st.builds(Theme, show_extra=st.sampled_from([True, True, False]), reveal=st.sampled_from([True, True, False]))


# --------------------------------------------------------------------------- build: engine and reference

class BuildOracle(Edits):
    """`chronicle build` (the engine, with its cache and output/) against `chronicle build --no-cache`
    into a fresh folder (the reference), both run after every step, at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.engine_root = self.root / "engine"
        self.engine_root.mkdir()
        self.drafts = False
        self.base_url: str | None = None
        self.epoch: str | None = None
        self.workers: str | None = None  # CHRONICLE_WORKERS of the engine; None: as the environment has it
        self.last_good: dict[str, bytes] = {}
        self.builds = 0

    @initialize(entries=st.lists(ENTRY, max_size=5), index=INDEX, theme=THEME, drafts=st.booleans())
    def start(self, entries, index, theme, drafts):
        self.drafts = drafts
        self.start_content(entries, index, theme)

    @rule(drafts=st.booleans())
    def set_drafts(self, drafts):
        self.drafts = drafts
        self.log.append(f"build {'with' if drafts else 'without'} --drafts")

    @rule(url=st.none() | st.sampled_from(["https://cli.example/site/", "http://127.0.0.1/x"]))
    def set_base_url_option(self, url):
        self.base_url = url
        self.log.append(f"build with --base-url {url}" if url else "build without --base-url")

    @rule(epoch=st.none() | st.sampled_from(["1700000000", "1730000000"]))
    def set_source_date_epoch(self, epoch):
        self.epoch = epoch
        self.log.append(f"SOURCE_DATE_EPOCH={epoch}" if epoch else "no SOURCE_DATE_EPOCH")

    @rule(workers=st.none() | st.sampled_from(["1", "2", "3"]))
    def set_workers(self, workers):
        self.workers = workers
        self.log.append(f"the engine with CHRONICLE_WORKERS={workers}" if workers else "CHRONICLE_WORKERS as set")

    def options(self) -> list[str]:
        options = ["--content", str(self.content), "--theme", str(self.theme_dir)]
        if self.drafts:
            options.append("--drafts")
        if self.base_url:
            options += ["--base-url", self.base_url]
        return options

    def fail(self, message: str) -> None:
        self.failed = True
        raise AssertionError(f"{message}\n{self.steps()}")

    @invariant()
    def the_engine_makes_the_reference_bytes(self):
        self.builds += 1
        reference_root = make_folder(self.root, f"reference{self.builds}-")
        engine_env = environment({"SOURCE_DATE_EPOCH": self.epoch})
        if self.workers is not None:
            engine_env["CHRONICLE_WORKERS"] = self.workers
        try:
            engine_run = start_build(self.engine_root, [*self.options(), "--output", "output"], engine_env)
            reference_run = start_build(reference_root, [*self.options(), "--no-cache", "--output", "output"],
                                        environment({"SOURCE_DATE_EPOCH": self.epoch}))
            engine, reference = finish(engine_run), finish(reference_run)
            self.compare(engine, reference, tree(self.engine_root / "output"), tree(reference_root / "output"))
        finally:
            remove(reference_root)

    def compare(self, engine: Built, reference: Built, got: dict[str, bytes], expected: dict[str, bytes]) -> None:
        for who, run in (("engine", engine), ("reference", reference)):
            if "Traceback" in run.err or run.code not in (0, 1):
                self.fail(f"the {who} build crashed (exit {run.code}):\n{run.err[-3000:]}")
        if engine.code != reference.code:
            self.fail(f"exit status: engine {engine.code}, reference {reference.code}\n"
                      f"engine:\n{engine.err[-2000:]}\nreference:\n{reference.err[-2000:]}")
        if engine.diagnostics() != reference.diagnostics():
            self.fail("the diagnostics differ:\n" + text_diff("\n".join(reference.diagnostics()).encode(),
                                                              "\n".join(engine.diagnostics()).encode(),
                                                              "reference", "engine"))
        self.outcomes = getattr(self, "outcomes", "") + str(reference.code)  # TEMPORARY
        if reference.code == 0:
            self.last_good = expected
            problem = difference(got, expected)
        else:  # a failed build leaves output/ as the last build that succeeded wrote it
            problem = difference(got, self.last_good, "engine", "last good output")
        if problem:
            self.fail(f"the engine's output/ is not the reference's:\n{problem}")


class LargeBuildOracle(BuildOracle):
    LARGE = True
    MAX_ENTRIES = 4  # beyond the generated ones


def test_the_engine_makes_the_reference_bytes_after_every_edit(tmp_path):
    machine = type("BuildOracle", (BuildOracle,), {"BASE": tmp_path})
    run_state_machine_as_test(machine, settings=oracle_settings(default=4, cap=30, steps=8))


def test_the_engine_makes_the_reference_bytes_for_a_large_timeline(tmp_path):
    machine = type("LargeBuildOracle", (LargeBuildOracle,), {"BASE": tmp_path})
    run_state_machine_as_test(machine, settings=oracle_settings(default=1, cap=4, steps=6, shrink=False))


# --------------------------------------------------------------------------- serve

class ServeOracle(Edits):
    """`chronicle serve`, started once, against `chronicle build --no-cache` after every step: every
    page it serves (HTML without its live-reload addition) and the output/ it writes."""

    def __init__(self) -> None:
        super().__init__()
        self.serve_root = self.root / "serve"
        self.serve_root.mkdir()
        self.server: Serve | None = None
        self.options: list[str] = []
        self.last_good: dict[str, bytes] = {}
        self.names: set[str] = set()  # every file name any reference made: gone ones must be 404
        self.builds = 0

    @initialize(entries=st.lists(ENTRY, max_size=5), index=INDEX, theme=THEME, drafts=st.booleans(),
                base_url=st.none() | st.just("https://cli.example/site/"), cached=st.booleans())
    def start(self, entries, index, theme, drafts, base_url, cached):
        self.start_content(entries, index, theme)
        self.options = ["--content", str(self.content), "--theme", str(self.theme_dir)]
        if drafts:
            self.options.append("--drafts")
        if base_url:
            self.options += ["--base-url", base_url]
        if cached:  # serve's first build takes the entries a build kept in .chronicle-cache/
            finish(start_build(self.serve_root, [*self.options, "--output", "cached-build"], environment({})))
            remove(self.serve_root / "cached-build")
        self.server = Serve(self.serve_root, [*self.options, "--output", "output"], environment({}))
        self.server.listen()
        self.log.append(f"serve {' '.join(self.options[4:])} started{' after a build' if cached else ''}: "
                        f"{self.server.first.strip()}")

    def fail(self, message: str) -> None:
        self.failed = True
        raise AssertionError(f"{message}\n{self.steps()}")

    @invariant()
    def serve_shows_and_writes_the_reference_bytes(self):
        assert self.server is not None
        if self.server.proc.poll() is not None:
            code, out, err = self.server.stop()
            self.fail(f"serve stopped (exit {code}):\n{err[-3000:]}")
        self.builds += 1
        reference_root = make_folder(self.root, f"reference{self.builds}-")
        try:
            reference = finish(start_build(reference_root, [*self.options, "--no-cache", "--output", "output"],
                                           environment({})))
            if "Traceback" in reference.err or reference.code not in (0, 1):
                self.fail(f"the reference build crashed (exit {reference.code}):\n{reference.err[-3000:]}")
            if reference.code == 0:
                self.last_good = tree(reference_root / "output")
                errors = None
            else:
                errors = [line for line in reference.err.splitlines() if ": error: " in line]
        finally:
            remove(reference_root)
        expected = self.last_good
        self.names |= expected.keys()
        # Wait, over the reload stream, until the pages served are the reference's (bounded).
        deadline = time.monotonic() + WAIT
        while True:
            problem = self.served_problem(expected, errors)
            if not problem:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.server.next_update(remaining):
                self.fail(f"after {WAIT:.0f} s, serve does not serve the reference's site"
                          f"{' (with its errors over it)' if errors else ''}:\n{problem}")
        # Then until output/ is the reference's too (serve writes it once no rebuild came for a second).
        deadline = time.monotonic() + WAIT
        while (problem := difference(tree(self.serve_root / "output"), expected, "serve's output",
                                     "reference" if errors is None else "last good reference")):
            if time.monotonic() > deadline:
                self.fail(f"after {WAIT:.0f} s, serve's output/ is not the reference's:\n{problem}")
            time.sleep(0.1)  # polling a folder, bounded by the deadline

    def served_problem(self, expected: dict[str, bytes], errors: list[str] | None) -> str:
        """'' when serve serves exactly the expected files (with errors shown over its HTML when the
        reference failed); else what is not so."""
        assert self.server is not None
        served: dict[str, bytes] = {}
        for name in sorted(self.names):
            status, body = self.server.get(name)
            if name not in expected:
                if status != 404:
                    return f"{name}: status {status}, expected 404 (no longer made)"
                continue
            if status != 200:
                return f"{name}: status {status}"
            if is_html(name):
                body, overlay, problem = strip_live(body)
                if problem:
                    return f"{name}: {problem}"
                if errors is None and overlay is not None:
                    return f"{name}: an error overlay over a build that succeeded"
                if errors is not None:
                    shown = html.unescape((overlay or b"").decode()).splitlines()
                    if shown != errors:
                        return f"{name}: the overlay shows {shown}, the reference's errors are {errors}"
            served[name] = body
        return difference(served, expected, "served", "reference")

    def teardown(self) -> None:
        try:
            if self.server is not None:
                code, out, err = self.server.stop()
                if not self.failed:
                    assert code == 0 and "Traceback" not in err, f"serve ended with {code}:\n{err[-3000:]}"
                    if self.last_good:
                        problem = difference(tree(self.serve_root / "output"), self.last_good, "serve's output")
                        assert not problem, f"serve's output/ once stopped:\n{problem}\n{self.steps()}"
        finally:
            super().teardown()


class LargeServeOracle(ServeOracle):
    LARGE = True
    MAX_ENTRIES = 4


def test_serve_shows_and_writes_the_reference_bytes_after_every_edit(tmp_path):
    machine = type("ServeOracle", (ServeOracle,), {"BASE": tmp_path})
    run_state_machine_as_test(machine, settings=oracle_settings(default=2, cap=10, steps=6, shrink=False))


def test_serve_shows_and_writes_the_reference_bytes_for_a_large_timeline(tmp_path):
    machine = type("LargeServeOracle", (LargeServeOracle,), {"BASE": tmp_path})
    run_state_machine_as_test(machine, settings=oracle_settings(default=1, cap=3, steps=4, shrink=False))
