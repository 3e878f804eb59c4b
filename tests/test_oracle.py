"""The oracle (issue 15): the engine makes the reference pipeline's bytes, after any series of edits.

After every step of a series of edits (entries added, removed, renamed, moved and edited in every
field and date form, drafts, slugs, errors saved and fixed; content/_index.md's settings, intro and
unknown fields; a theme of the test's own that shows every value it is given, its templates and
static files edited; the site's own files in static/ beside content/), the engine's site must be the reference's, file for file and byte for byte:

- `chronicle build` (the engine: its .chronicle-cache/ and the output/ of the build before) against
  `chronicle build --no-cache` into a fresh folder (the plain pipeline), run side by side: the same
  exit status, diagnostics, counts and files (a build that fails leaves output/ as it was);
- `chronicle serve`, started once: every file the reference made, fetched over HTTP when the server
  has rebuilt (HTML without the live-reload script and error overlay serve adds; the overlay must
  show the reference's errors), files it no longer makes are 404, and the output/ it keeps in step.

Each check runs on small timelines and on one of 210 generated entries, so that the engine's large
paths (entries parsed and pages rendered by worker processes, long files spliced) are taken too.
Only the command line and the server are used, each as a process, in temporary folders. A failure
prints the steps taken and a unified diff of the first file that differs.

The fixed series (every kind of edit, in order) always run; the random ones (Hypothesis's
RuleBasedStateMachine, marker `fuzz`) run a few examples, and more with CHRONICLE_FUZZ_EXAMPLES
(CI's large profile), capped: the whole file takes about 1.5 minutes here, 5.5 in the large profile.
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

from oracle_support import (BODIES, DATE_FORMS, DAYS, EXTRAS, INDEX_EXTRAS, INTROS, LOCATIONS, MEDIA_ITEMS, OPTIONAL,
                            PICTURES, picture_bytes,
                            SETTING_VALUES, SITE_FILE_NAMES, CLASHING_SITE_FILES, SLUGS, SOURCES, STATIC_NAMES, TAGS,
                            TEMPLATES, TITLES, URLS, WAIT,
                            Built, Entry, Index, Serve, Theme, difference, environment, finish, generated_entries,
                            is_html, make_folder, remove, save, shipped_static, shipped_templates, source_item,
                            site_file, start_build, strip_live, sync, text_diff, tree, write_site_files, write_theme,
                            written_date)

LARGE = 210  # entries: above 64 (parsed by workers) and 200 (rendered by workers, long files spliced)
FUZZ = os.environ.get("CHRONICLE_FUZZ_EXAMPLES")


def oracle_settings(default: int, cap: int, steps: int, longer: int, shrink: bool = True) -> settings:
    """default examples of `steps` steps; with CHRONICLE_FUZZ_EXAMPLES (CI's large profile: 100,000)
    that many, capped at `cap`, of `longer` steps. Each step is a build or two (a second or so), so
    the caps keep the large profile's oracle to about six minutes here (ten at most on a slower machine).
    Shrinking replays a failure many times: only for the small builds, whose steps are quick."""
    fuzz = FUZZ is not None
    examples = max(1, min(int(FUZZ), cap)) if fuzz else default
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(max_examples=examples, stateful_step_count=longer if fuzz else steps, deadline=None,
                    database=None,
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
    slug=st.sampled_from([None] * 8 + SLUGS),  # mostly the file name's (two equal slugs fail the build)
    draft=st.sampled_from([False, False, False, True]),
    location=st.none() | st.sampled_from(LOCATIONS),
    weight=st.none() | st.integers(-2, 2),
)


class Edits(RuleBasedStateMachine):
    """Content, settings and a theme on disk, and every edit an author makes to them. A subclass
    says how the site is built and checks it after every step (an invariant)."""

    BASE: Path | None = None  # the test's temporary folder (set by each test)
    CHECK = ""  # the name of the subclass's invariant
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
        self.pictures: dict[str, bytes] = {name: picture_bytes(name, 0) for name in PICTURES}  # beside the entries
        self.own: dict[str, bytes] = {}  # the site's own files: static/ beside content/
        self.shipped = shipped_templates()
        self.log: list[str] = []
        self.counter = 0
        self.settled = False
        self.failed = False
        self.in_place = False  # how files are saved: write-then-rename (most editors), or in place
        self.errors_saved = 0  # at most two a series: a build that fails checks less than one that does not
        self.succeeded: list[bool] = []  # whether the reference built, at each check

    # --- the files on disk

    def files(self) -> dict[str, bytes]:
        files = {name: entry.text().encode("utf-8") for name, entry in self.entries.items()}
        if self.index.present:
            files["_index.md"] = self.index.text().encode("utf-8")
        return {**files, **self.junk, **self.pictures}

    def apply(self, what: str) -> None:
        """Make content/ and the theme as the model says (changed files only), and log the step."""
        self.log.append(what)
        sync(self.content, self.files(), self.in_place)
        write_theme(self.theme_dir, self.theme, self.shipped, self.in_place)
        write_site_files(self.root, self.own, self.in_place)

    def steps(self) -> str:
        """The steps taken so far, numbered (what a build said, indented under its step)."""
        lines, n = [], 0
        for line in self.log:
            if not line.startswith(" "):
                n += 1
            lines.append(f"  {n}. {line}" if not line.startswith(" ") else f"  {line}")
        return "steps:\n" + "\n".join(lines)

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
        else:  # a dated file name, which gives the date when the entry has none
            y, m, d, _, _ = DAYS[which % len(DAYS)]
            new = f"{folder + '/' if folder else ''}{y}-{m:02d}-{d:02d}-{stem}.{suffix}"
        if new in self.entries:
            new = f"{folder + '/' if folder else ''}renamed{self.counter}.{suffix}"
        (self.content / new).parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.content / name, self.content / new)
        self.entries[new] = self.entries.pop(name)
        self.apply(f"rename {name} -> {new}")
        if how == 3 and which % 2:
            self.entries[new] = replace(self.entries[new], date=None)
            self.apply(f"{new}: date left out (the file name gives it)")

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, title=st.sampled_from(TITLES))
    def edit_title(self, which, title):
        self.edit(which, f"title: {title!r}", title=title)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, body=st.sampled_from(BODIES))
    def edit_body(self, which, body):
        self.edit(which, f"body: {body!r}", body=body)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, date=DATE)
    def edit_date(self, which, date):
        self.edit(which, f"date: {date}", date=date)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, end=st.sampled_from([None, "2024-11-02", "'2024-11'", "2024-12-01", "2024-10-27"]))
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
    @rule(which=WHICH, field=st.sampled_from(["location", "summary", "weight", "updated", "extra"]),
          value=st.integers(0, 4))
    def edit_detail(self, which, field, value):
        if field == "location":
            changes = {"location": ([None] + LOCATIONS)[value]}
        elif field == "summary":
            changes = {"summary": [None, "One line.", "Another & line", None, "<i>x</i>"][value]}
        elif field == "weight":
            changes = {"weight": [None, -1, 0, 1, 5][value]}
        elif field == "updated":
            changes = {"updated": [None, "2024-11-05", "'2024-11-05T10:00'", "6 November 2024", None][value]}
        else:
            changes = {"extra": (EXTRAS[value],) if value else ()}
        self.edit(which, f"{changes}", **changes)

    @precondition(lambda self: self.entries and self.errors_saved < 2)
    @rule(which=WHICH, fault=st.sampled_from(["impossible date", "no title"]))
    def break_entry(self, which, fault):
        """A save with an error: the build fails (output/ kept as it was); the next step fixes it."""
        self.errors_saved += 1
        self.edit(which, f"an error: {'date: 2024-02-30' if fault == 'impossible date' else 'no title:'}",
                  fault=fault)

    @precondition(lambda self: self.entries)
    @rule(which=WHICH)
    def touch_entry(self, which):
        """Saved again, unchanged: new times (and inode, unless saved in place), the same bytes."""
        name = self.pick(which)
        save(self.content / name, (self.content / name).read_bytes(), self.in_place)
        self.log.append(f"{name}: saved again unchanged")

    @precondition(lambda self: self.entries)
    @rule(which=WHICH, media=st.sampled_from(MEDIA_ITEMS))
    def edit_media(self, which, media):
        self.edit(which, f"media {media}", media=media)

    @rule(name=st.sampled_from(PICTURES), version=st.integers(-1, 2))
    def change_picture(self, name, version):
        """A picture saved again (another size or colour), or removed (-1: an event naming it fails to build)."""
        if version < 0:
            self.pictures.pop(name, None)
        else:
            self.pictures[name] = picture_bytes(name, version)
        self.apply(f"picture {name}: {'removed' if version < 0 else f'version {version}'}")

    @rule(kind=st.sampled_from(["notes.txt", ".e1.md.swp", "e1.md~", "_drafts/x.md", ".#e1.md", "x.md.tmp"]))
    def add_junk(self, kind):
        """A file no build reads (an editor's, a note): nothing may change."""
        self.junk[kind] = f"---\ntitle: junk\ndate: 2024-02-30\n---\n{len(self.log)}\n".encode()
        self.apply(f"add junk file {kind}")

    @rule(in_place=st.booleans())
    def set_save_style(self, in_place):
        """Save in place (VS Code, nano: the same inode) or write-then-rename (vim, most others)."""
        self.in_place = in_place
        self.log.append(f"from now on files are saved {'in place' if in_place else 'by write-then-rename'}")

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

    @precondition(lambda self: self.errors_saved < 2)
    @rule()
    def break_template(self):
        """A template saved with a syntax error; the next step fixes it."""
        self.errors_saved += 1
        self.theme = replace(self.theme, broken=True)
        self.apply("theme: a syntax error in a template")

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

    # --- the site's own files (static/ beside content/)

    @rule(name=st.sampled_from(SITE_FILE_NAMES), version=st.integers(0, 3))
    def write_site_file(self, name, version):
        self.own[name] = site_file(name, version)
        self.apply(f"site's own static/: write {name} (version {version})")

    @precondition(lambda self: self.own)
    @rule(which=WHICH)
    def remove_site_file(self, which):
        name = sorted(self.own)[which % len(self.own)]
        del self.own[name]
        self.apply(f"site's own static/: remove {name}")

    @precondition(lambda self: self.errors_saved < 2)
    @rule(name=st.sampled_from(CLASHING_SITE_FILES))
    def clash_site_file(self, name):
        """A site file with the name of one the build makes: an error; the next step removes it."""
        self.errors_saved += 1
        self.own[name] = site_file(name, 0)
        self.apply(f"site's own static/: write {name}, a file the build makes")

    def fix_errors(self) -> None:
        """After a build that failed, fix what an edit broke (an entry's date, a template, a second
        entry with the same slug), as an author does in the next save; errors that are a state of
        the content (an end before its date, a date without a year) stay until an edit changes them."""
        fixed = []
        slugs: set[str] = set()
        for name, entry in sorted(self.entries.items()):
            if entry.fault:
                self.entries[name] = entry = replace(entry, fault=None)
                fixed.append(name)
            if entry.slug in slugs:
                self.entries[name] = replace(entry, slug=None)
                fixed.append(f"{name}'s slug")
            elif entry.slug:
                slugs.add(entry.slug)
        if self.theme.broken:
            self.theme = replace(self.theme, broken=False)
            fixed.append("the template")
        for name in sorted(self.own.keys() & set(CLASHING_SITE_FILES)):
            del self.own[name]
            fixed.append(f"static/{name}")
        if fixed:
            self.apply(f"fix {', '.join(fixed)}")

    def fail(self, message: str) -> None:
        self.failed = True
        raise AssertionError(f"{message}\n{self.steps()}")

    def teardown(self) -> None:
        remove(self.root)


INDEX = st.builds(
    Index,
    settings=st.fixed_dictionaries({
        **{key: st.sampled_from(values) for key, values in SETTING_VALUES.items()},
        "year": st.sampled_from(["2024", "2024", "2023", None]),  # mostly a year, for dates written without one
        "date_order": st.sampled_from(["DMY", "MDY", None]),
    }).map(lambda chosen: tuple((k, v) for k, v in chosen.items() if v is not None)),
    extra=st.sampled_from([(), (("subtitle", "Day by day"),), (("subtitle", "Hour by hour"), ("editor", "A. Editor"))]),
    intro=st.sampled_from(INTROS),
)
THEME = st.builds(Theme, show_extra=st.sampled_from([True, True, False]), reveal=st.sampled_from([True, True, False]))


# --------------------------------------------------------------------------- build: engine and reference

class BuildOracle(Edits):
    """`chronicle build` (the engine, with its cache and output/) against `chronicle build --no-cache`
    into a fresh folder (the reference), both run after every step, at the same time."""

    CHECK = "the_engine_makes_the_reference_bytes"

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
        if engine.counts() != reference.counts():
            self.fail(f"the summary lines differ: engine {engine.out.strip()!r}, reference {reference.out.strip()!r}")
        self.succeeded.append(reference.code == 0)
        if reference.code:
            self.log.append(f"   (the build fails: {first_error(reference.err)})")
        if reference.code == 0:
            self.last_good = expected
            problem = difference(got, expected)
        else:  # a failed build leaves output/ as the last build that succeeded wrote it
            problem = difference(got, self.last_good, "engine", "last good output")
        if problem:
            self.fail(f"the engine's output/ is not the reference's:\n{problem}")
        if reference.code:
            self.fix_errors()


# --------------------------------------------------------------------------- serve

class ServeOracle(Edits):
    """`chronicle serve`, started once, against `chronicle build --no-cache` after every step: every
    page it serves (HTML without its live-reload addition) and the output/ it writes."""

    CHECK = "serve_shows_and_writes_the_reference_bytes"

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
            self.succeeded.append(reference.code == 0)
            if reference.code == 0:
                self.last_good = tree(reference_root / "output")
                errors = None
            else:
                self.log.append(f"   (the build fails: {first_error(reference.err)})")
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
        while (problem := self.output_problem(expected, errors)):
            if time.monotonic() > deadline:
                self.fail(f"after {WAIT:.0f} s, serve's output/ is not the reference's:\n{problem}")
            time.sleep(0.1)  # polling a folder, bounded by the deadline
        if errors is not None:
            self.fix_errors()

    def output_problem(self, expected: dict[str, bytes], errors: list[str] | None) -> str:
        """'' when serve's output/ holds exactly the expected files; else what is not so. A folder
        that vanishes during the walk is serve swapping in a new output/ (one atomic rename): look again."""
        try:
            found = tree(self.serve_root / "output")
        except FileNotFoundError as gone:
            return f"output/ was being replaced while it was read ({gone.filename})"
        return difference(found, expected, "serve's output", "reference" if errors is None else "last good reference")

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


class LargeBuildOracle(BuildOracle):
    LARGE = True
    MAX_ENTRIES = 4  # beyond the generated ones


class LargeServeOracle(ServeOracle):
    LARGE = True
    MAX_ENTRIES = 4


# --------------------------------------------------------------------------- the tests
# Each machine runs as Hypothesis draws it, and once as a fixed series that takes every kind of
# edit (the random runs of the default profile are few; the fixed ones make sure of the rest).


def first_error(diagnostics: str) -> str:
    return next((line for line in diagnostics.splitlines() if ": error: " in line), diagnostics[-200:])[:300]


def machine(base: Path, kind: type[Edits]) -> type[Edits]:
    return type(kind.__name__, (kind,), {"BASE": base})


def play(base: Path, kind: type[Edits], steps: list[tuple[str, dict]]) -> None:
    """Run a machine through a fixed series of steps, checking after each, as Hypothesis would."""
    state = machine(base, kind)()
    check = getattr(state, kind.CHECK)
    try:
        for name, arguments in steps:
            getattr(state, name)(**arguments)
            check()
    finally:
        state.teardown()
    # The series is what it means to be: every build succeeds but the one after an error is saved (a
    # picture removed while an event names it is one).
    expected = [name not in ("break_entry", "break_template") and arguments.get("version") != -1
                for name, arguments in steps]
    assert state.succeeded == expected, f"the reference built at these steps: {state.succeeded}\n{state.steps()}"


SOURCED = ("- https://example.org/a",)
FIRST = [Entry(title="Talks in Geneva", date="2024-10-28", sources=SOURCED, tags=("NATO",)),
         Entry(title="Vote & count", date="'2024-10-29T14:30'", sources=SOURCED, tags=("NATO", "Russia")),
         Entry(title="Strike", date="30 October 2024", location="Seoul")]
SETTINGS = Index(settings=(("title", "A timeline"), ("year", "2024"), ("timezone", "America/New_York")),
                 extra=(("subtitle", "Day by day"),), intro="The intro, in *Markdown*.")
OWN_EDITS = [  # the site's own static/, beside content/
    ("write_site_file", {"name": "CNAME", "version": 1}),
    ("write_site_file", {"name": ".well-known/security.txt", "version": 0}),
    ("write_site_file", {"name": "downloads/report.bin", "version": 2}),
    ("write_site_file", {"name": "CNAME", "version": 2}),
    ("remove_site_file", {"which": 0}),  # .well-known/security.txt
]
SITE_EDITS = [  # content/_index.md, the theme and static/: what every page shows, and the site's own files
    ("set_index_extra", {"key": "subtitle", "value": 2}),  # timeline.extra, shown on every page
    ("set_index_extra", {"key": "editor", "value": 1}),
    ("set_setting", {"key": "title", "value": 1}),
    ("set_setting", {"key": "description", "value": 1}),
    ("set_setting", {"key": "eras", "value": 2}),  # drawn on the pages, in timeline.json
    ("set_setting", {"key": "eras", "value": 1}),
    ("set_intro", {"intro": INTROS[3]}),
    ("mark_template", {"name": "oracle.html"}),  # a template only imported by the others
    ("mark_template", {"name": "day.html"}),
    ("write_static", {"name": "extra.txt", "version": 1}),
    ("write_static", {"name": "chronicle.css", "version": 2}),
    ("remove_static", {"which": 1}),  # extra.txt (of chronicle.css, extra.txt, icon.svg)
    ("set_save_style", {"in_place": True}),
    ("set_index_extra", {"key": "subtitle", "value": 3}),  # the same file, saved in place
    ("set_save_style", {"in_place": False}),
    *OWN_EDITS,
]
ENTRY_EDITS = [  # the events
    ("edit_title", {"which": 0, "title": "Élysée summit"}),
    ("edit_date", {"which": 1, "date": written_date(6, 7)}),  # a month only: moves, and its neighbours' pages
    ("add_entry", {"entry": Entry(title="a", date=written_date(2, 4), sources=(SOURCES[1].format(url=URLS[1]),)),
                   "folder": "sub/", "suffix": ".markdown"}),
    ("rename_entry", {"which": 0, "how": 0}),
    ("set_slug", {"which": 1, "slug": "alpha"}),
    ("toggle_draft", {"which": 2}),
    ("edit_tags", {"which": 0, "tags": ("C", "C++", "東京")}),
    ("break_entry", {"which": 1, "fault": "impossible date"}),  # the build fails: output/ stays as it was
    ("edit_date", {"which": 1, "date": written_date(4, 1)}),  # with the fix of the error
    ("break_template", {}),
    ("rename_entry", {"which": 2, "how": 3}),  # a dated file name, the date left out
    ("toggle_optional", {"key": "tag.html"}),
    ("break_entry", {"which": 0, "fault": "no title"}),
    ("remove_entry", {"which": 0}),
    ("set_index_extra", {"key": "subtitle", "value": 0}),  # the field removed
    ("edit_media", {"which": 0, "media": MEDIA_ITEMS[1]}),
    ("edit_media", {"which": 1, "media": MEDIA_ITEMS[2]}),
    ("change_picture", {"name": "pic.png", "version": 1}),  # another size: the event's page again
    ("change_picture", {"name": "sub/photo.jpg", "version": -1}),  # gone: the build fails
    ("change_picture", {"name": "sub/photo.jpg", "version": 2}),
    ("edit_media", {"which": 0, "media": MEDIA_ITEMS[4]}),
    ("edit_media", {"which": 1, "media": None}),
]
OPTION_EDITS = [  # what only build is given on its command line
    ("set_drafts", {"drafts": True}),
    ("set_base_url_option", {"url": "https://cli.example/site/"}),
    ("set_source_date_epoch", {"epoch": "1730000000"}),
    ("set_workers", {"workers": "1"}),
    ("set_setting", {"key": "sort", "value": 2}),  # newest-first
    ("set_setting", {"key": "timezone", "value": 3}),  # Europe/Berlin: entries read again
]
LARGE_EDITS = [
    ("edit_title", {"which": 5, "title": "Strike"}),
    ("edit_date", {"which": 9, "date": written_date(6, 0)}),  # moved to another day
    ("set_index_extra", {"key": "subtitle", "value": 2}),
    ("edit_tags", {"which": 11, "tags": ("Élysée",)}),
    ("remove_entry", {"which": 3}),
    ("mark_template", {"name": "citation.html"}),
    ("write_site_file", {"name": "about/index.html", "version": 1}),
    ("remove_site_file", {"which": 0}),
]


def start(**more) -> tuple[str, dict]:
    return "start", {"entries": FIRST, "index": SETTINGS, "theme": Theme(), "drafts": False, **more}


@pytest.mark.parametrize("steps", [SITE_EDITS, ENTRY_EDITS + OPTION_EDITS], ids=["site", "entries"])
def test_the_engine_makes_the_reference_bytes_in_a_series_of_every_kind_of_edit(tmp_path, steps):
    play(tmp_path, BuildOracle, [start(), *steps])


@pytest.mark.fuzz
def test_the_engine_makes_the_reference_bytes_after_random_edits(tmp_path):
    run_state_machine_as_test(machine(tmp_path, BuildOracle),
                              settings=oracle_settings(default=3, cap=30, steps=8, longer=12))


def test_the_engine_makes_the_reference_bytes_for_a_large_timeline(tmp_path):
    play(tmp_path, LargeBuildOracle, [start(), *LARGE_EDITS, ("set_workers", {"workers": "1"}),
                                      ("edit_title", {"which": 5, "title": "Talks in Geneva"})])


@pytest.mark.fuzz
def test_the_engine_makes_the_reference_bytes_for_a_large_timeline_after_random_edits(tmp_path):
    run_state_machine_as_test(machine(tmp_path, LargeBuildOracle),
                              settings=oracle_settings(default=1, cap=4, steps=4, longer=6, shrink=False))


def test_serve_shows_and_writes_the_reference_bytes_in_a_series_of_every_kind_of_edit(tmp_path):
    play(tmp_path, ServeOracle, [start(base_url=None, cached=True), *SITE_EDITS[:6], *OWN_EDITS, *ENTRY_EDITS[:11]])


@pytest.mark.fuzz
def test_serve_shows_and_writes_the_reference_bytes_after_random_edits(tmp_path):
    run_state_machine_as_test(machine(tmp_path, ServeOracle),
                              settings=oracle_settings(default=2, cap=10, steps=5, longer=10, shrink=False))


def test_serve_shows_and_writes_the_reference_bytes_for_a_large_timeline(tmp_path):
    play(tmp_path, LargeServeOracle, [start(base_url=None, cached=True), *LARGE_EDITS[:4]])


@pytest.mark.fuzz
def test_serve_shows_and_writes_the_reference_bytes_for_a_large_timeline_after_random_edits(tmp_path):
    run_state_machine_as_test(machine(tmp_path, LargeServeOracle),
                              settings=oracle_settings(default=1, cap=3, steps=3, longer=5, shrink=False))
