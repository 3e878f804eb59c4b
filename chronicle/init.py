"""Start a new timeline: content/ with its settings and one example event, a .gitignore, a publishing workflow."""

from __future__ import annotations

from pathlib import Path

from . import __version__
from .config import CACHE_DIR, INDEX_NAME
from .output import RETIRED_PREFIX, SPARE_PREFIX, STAGING_PREFIX

DISTRIBUTION = "chronicle-timeline"  # the name on PyPI (pyproject.toml, project.name); the command is chronicle
EXAMPLE_NAME = "2024-10-28-nato-confirms-north-korean-units-in-kursk.md"
WORKFLOW = ".github/workflows/publish.yml"


class InitError(Exception):
    """The timeline cannot be started there; the message says why and what to do instead."""


# Every setting of config.SETTING_NAMES, set or commented, each explained on a line of its own:
# YAML reads " #" after a plain value as a comment and drops the rest (README, "Writing an event").
INDEX = """\
---
# The settings of this timeline. A line that starts with # is a comment: to use a setting
# shown commented, delete the "# " in front of it. Keep comments on lines of their own.
#
# The timeline's name: the page title and heading, the feed's and the calendar's name.
title: My timeline
# One sentence on what it is about: the pages' description, the feed's subtitle.
description: What happened, when, and where it was reported.
# The address the site is published at, for the sitemap, canonical links and the links in the
# feeds; without it they are relative, and build warns that there is no sitemap. The workflow
# in .github/workflows/publish.yml passes GitHub Pages' address with --base-url instead.
# base_url: https://example.org/timeline/
# An IANA time zone name (Europe/Kyiv, America/New_York): times written without a zone are
# in it, and every time is shown in it.
timezone: UTC
# The year of dates written without one (31 October); without it such a date is an error.
# year: 2024
# How to read a date such as 03/04/2024: DMY (3 April) or MDY (March 4); without it, a date
# that reads both ways is an error.
# date_order: DMY
# The calendar of dates before 15 October 1582 (the Gregorian reform): julian or gregorian.
# Without it no weekday is shown or checked for such a date; an event may set its own.
# calendar: julian
# The language of the pages (<html lang>), such as en, fr or pt-BR.
language: en
# The order of the events: oldest-first, or newest-first.
sort: oldest-first
# Whether events need sources: expected (one without is warned of), or optional, for a
# timeline that is not a news record (a history, a project's releases).
sources: expected
# How many of the most recent events (by date, or by updated when an event gives it) the
# feeds hold: feed.xml and each tag's feed. A whole number, 1 or more.
feed_events: 50
# How many events one page holds: past it, the timeline is split into a page per period (year,
# month, day; centuries for long spans), with an overview of them all on the front page.
page_events: 150
# A search box on every page, with an index of the events built after the site (Pagefind:
# pip install 'chronicle-timeline[search]'); without it, no search box.
# search: true
# Named spans of time (the Cold War, a campaign) drawn beside the events they span, listed in the
# overview and in timeline.json: a list of {name, start, end (or now), colour (a hex colour, quoted)}.
# eras: [{name: Cold War, start: 1947, end: 1991, colour: "#2a6f97"}]
---
The introduction, in Markdown: shown at the top of the timeline, before the first event.
Edit it here, in content/_index.md.
"""

# A real event with its published reports, from Chronicle's own example timeline (content/ of its
# repository): the links are the ones that example cites.
EXAMPLE = """\
---
# An example event: one Markdown file per event in content/. Edit it or delete it; write the
# next one with: chronicle new "What happened" --date 2024-10-29 --source URL
title: NATO confirms North Korean units deployed to Kursk
date: 2024-10-28
location: Brussels, Belgium
tags: [NATO, North Korea, Russia]
# Where it was reported: a link each, with the publisher, the headline and its date.
sources:
  - url: https://www.themoscowtimes.com/2024/10/28/nato-secretary-general-mark-rutte-decried-the-deployment-as-a-sign-ofrussian-president-vladimir-putins-growing-desperation-a86832
    publisher: The Moscow Times
    title: NATO Secretary General Mark Rutte decried the deployment as a sign of Russian President Vladimir Putin's growing desperation
    date: 2024-10-28
  - url: https://menafn.com/1108824782/NATO-Sec-Gen-Confirms-Presence-Of-N-Korean-Troops-In-Russia
    publisher: Ukrinform via MENAFN
    title: NATO Sec Gen confirms presence of N. Korean troops in Russia
    date: 2024-10-28
---
After a briefing by a South Korean intelligence delegation in Brussels, NATO
Secretary General Mark Rutte confirmed that North Korean troops had been sent
to Russia and that North Korean military units had been deployed to the Kursk
region.
"""

GITIGNORE = f"""\
# What chronicle build makes: the site, the cache, and beside the site the one before it
# (kept for the next build) and what an interrupted build left (removed by the next). The
# build's lock is taken on the folder itself and leaves no file.
/output/
/{CACHE_DIR}/
/{SPARE_PREFIX}*/
/{STAGING_PREFIX}*/
/{RETIRED_PREFIX}*/
"""

# GitHub Pages through Actions. In the repository's Settings → Pages, the source must be
# "GitHub Actions". The cache folder is kept between runs, so a run reads only the entries
# that changed; Python is pinned, as the cache is Chronicle's and Python's own.
PUBLISH = f"""\
# Build the timeline and publish it on GitHub Pages at every push to main, or by hand (Actions →
# Publish → Run workflow). Once, in the repository's Settings → Pages, set Source to
# "GitHub Actions".
name: Publish

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One publication at a time; a run that has started is let finish.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install Chronicle
        run: python -m pip install "{DISTRIBUTION}=={__version__}"
      - name: Configure Pages
        id: pages
        uses: actions/configure-pages@v5
      # The cache of the last run: entries that did not change are not read again.
      - name: Keep the cache
        uses: actions/cache@v4
        with:
          path: {CACHE_DIR}
          key: chronicle-${{{{ runner.os }}}}-${{{{ github.sha }}}}
          restore-keys: chronicle-${{{{ runner.os }}}}-
      # base_url: the address Pages gives the site, for the sitemap, canonical links and feeds.
      - name: Build
        run: chronicle build --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Publish
        id: deployment
        uses: actions/deploy-pages@v4
"""


def files() -> dict[str, str]:
    """Return what init writes: each file's path in the new timeline's folder, and its text."""
    return {f"content/{INDEX_NAME}": INDEX, f"content/{EXAMPLE_NAME}": EXAMPLE, ".gitignore": GITIGNORE,
            WORKFLOW: PUBLISH}


def start(folder: Path) -> list[Path]:
    """Write a new timeline into folder (made when missing); return the paths written.

    Refuses, writing nothing, a folder that holds content/ already or any of the files."""
    planned = {folder / name: text for name, text in files().items()}
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} is not a folder — pass the folder to start the timeline in")
    content = folder / "content"
    if content.exists() or content.is_symlink():
        raise InitError(f"{content} already exists: {folder} holds a timeline — init starts a new one in a folder "
                        "without content/; pass another folder")
    taken = [path for path in planned if path.exists() or path.is_symlink()]
    if taken:
        raise InitError(f"{', '.join(map(str, taken))} already exist{'s' * (len(taken) == 1)} — init writes "
                        "nothing over a file; move it away, or pass another folder")
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:  # never over a file made meanwhile
            handle.write(text)
    return list(planned)
