"""The built example timeline in a real Chromium: content, contract markup, navigation,
accessibility (axe, WCAG 2.1 A/AA), HTML validity (Nu checker), no-JS, narrow layout, print.

The expected events are read from the build itself (and counted against content/), never
hard-coded, so the tests keep working when the example changes.
"""
import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from playwright.sync_api import expect

from .conftest import ROOT, follow, open_page, watch_errors

pytestmark = pytest.mark.browser

CONTENT = ROOT / "content"
WIDTHS = [360, 1280]
SCHEMES = ["light", "dark"]


# --------------------------------------------------------------------------- helpers

def front_matter(path):
    """The YAML front matter of a Markdown file as a dict ({} when there is none)."""
    text = path.read_text(encoding="utf-8-sig")
    m = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|$)", text, re.S)
    data = yaml.safe_load(m.group(1)) if m else None
    return data if isinstance(data, dict) else {}


def content_events():
    """The published (non-draft) entries of content/, per the README's rules ("Writing an event")."""
    found = []
    for path in sorted([*CONTENT.rglob("*.md"), *CONTENT.rglob("*.markdown")]):
        rel = path.relative_to(CONTENT)
        if any(part.startswith(("_", ".")) for part in rel.parts):
            continue
        if front_matter(path).get("draft") is True:
            continue
        found.append(rel)
    return found


def newest_first():
    index = CONTENT / "_index.md"
    return index.is_file() and front_matter(index).get("sort") == "newest-first"


_DATETIME = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")


def sort_key(value):
    """Order of a `datetime` attribute of any precision, as the README ("Dates") orders events:
    by (local) day, a less precise date before the timed events of its day, then instant."""
    m = _DATETIME.match(value or "")
    assert m, f"not a valid datetime attribute: {value!r}"
    year, month, day, hour, minute, second, zone = m.groups()
    local = (int(year), int(month or 0), int(day or 0))
    if hour is None:
        return (*local, 0, 0.0)
    tz = timezone.utc
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    instant = datetime(*local, int(hour), int(minute), int(second or 0), tzinfo=tz)
    return (*local, 1, instant.timestamp())


def event_path(slug):
    return f"/events/{slug}/"


_NAV_WORDS = {"prev": r"prev|previous|earlier|older", "next": r"next|later|newer"}


def nav_link(page, rel):
    """The page's link to the previous or next event: `a[rel~=prev|next]`, else a link whose
    text starts with Previous/Next (optionally after an arrow), else None."""
    by_rel = page.locator(f'a[rel~="{rel}"]' + (', a[rel~="previous"]' if rel == "prev" else ""))
    if by_rel.count():
        return by_rel.first
    pattern = re.compile(rf"^\W*({_NAV_WORDS[rel]})\b", re.I)
    by_text = page.get_by_role("link", name=pattern)
    if by_text.count():
        return by_text.first
    return None


def path_of(page_url):
    return unquote(urlsplit(page_url).path)


# --------------------------------------------------------------------------- the timeline

def test_index_has_every_event_in_order(page, console_errors, built_site, site_events):
    open_page(page, "/")
    expect(page.locator("h1")).to_have_count(1)

    events = page.locator("article.h-event").evaluate_all(
        "els => els.map(a => ({id: a.id,"
        " start: a.querySelector('time.dt-start')?.getAttribute('datetime')}))")
    ids = [e["id"] for e in events]
    assert len(events) >= 5, f"only {len(events)} events on /"
    assert all(ids), f"article.h-event without an id: {ids}"
    assert len(set(ids)) == len(ids), f"duplicate event ids: {ids}"
    assert [(e["id"], e["start"]) for e in events] == site_events   # DOM == built file

    # every published entry of content/ is on the page, and each has its own page
    entries = content_events()
    assert len(ids) == len(entries), \
        f"{len(entries)} published entries in content/ but {len(ids)} events on /"
    pages = sorted(p.parent.name for p in (built_site / "events").glob("*/index.html"))
    assert sorted(ids) == pages, "events on / and events/SLUG/index.html differ"

    # chronological: the dt-start datetimes never go backwards (forwards for newest-first)
    keys = [sort_key(e["start"]) for e in events]
    pairs = list(zip(events, keys))
    for (a, ka), (b, kb) in zip(pairs, pairs[1:]):
        if newest_first():
            assert ka >= kb, f"#{a['id']} ({a['start']}) is listed before #{b['id']} ({b['start']})"
        else:
            assert ka <= kb, f"#{a['id']} ({a['start']}) is listed before #{b['id']} ({b['start']})"

    assert console_errors == []


_MARKUP_PROBLEMS = r"""
() => {
  const problems = [];
  const own = (a, sel) => [...a.querySelectorAll(sel)]
      .filter(x => x.parentElement.closest('.h-cite, .h-event') === a);
  const events = [...document.querySelectorAll('article.h-event')];
  let citedLinks = 0;
  for (const a of events) {
    const at = `article.h-event#${a.id}`;
    if (!a.id) problems.push('article.h-event without id');
    const names = own(a, '.p-name');
    if (!names.length || !names[0].textContent.trim()) problems.push(`${at}: no non-empty .p-name`);
    const start = own(a, 'time.dt-start');
    if (!start.length || !start[0].getAttribute('datetime'))
      problems.push(`${at}: no time.dt-start[datetime]`);
    if (!own(a, '.e-content').length) problems.push(`${at}: no .e-content`);
    const urls = own(a, 'a.u-url[href]').map(x => decodeURIComponent(new URL(x.href).pathname));
    if (!urls.some(p => p.endsWith(`/events/${a.id}/`) || p.endsWith(`/events/${a.id}/index.html`)))
      problems.push(`${at}: no a.u-url to events/${a.id}/ (found ${JSON.stringify(urls)})`);
    for (const c of a.querySelectorAll('.h-cite')) {
      const cn = c.querySelector('.p-name');
      if (!cn || !cn.textContent.trim()) problems.push(`${at}: .h-cite without non-empty .p-name: ${c.outerHTML.slice(0, 200)}`);
      for (const link of c.querySelectorAll('a.u-url')) {
        citedLinks++;
        if (!link.getAttribute('href')) { problems.push(`${at}: source a.u-url without href`); continue; }
        const rel = (link.getAttribute('rel') || '').split(/\s+/);
        if (!rel.includes('noopener') || !rel.includes('noreferrer'))
          problems.push(`${at}: source link without rel="noopener noreferrer": ${link.outerHTML.slice(0, 200)}`);
        if (!/^https?:$/.test(new URL(link.href).protocol))
          problems.push(`${at}: source link that is not http(s): ${link.getAttribute('href')}`);
      }
    }
    const li = a.closest('li');
    if (!li || li.parentElement.tagName !== 'OL') problems.push(`${at}: not inside ol > li`);
  }
  for (const c of document.querySelectorAll('.h-cite'))
    if (!c.closest('article.h-event')) problems.push(`.h-cite outside any article.h-event: ${c.outerHTML.slice(0, 200)}`);
  if (!citedLinks) problems.push('no .h-cite a.u-url anywhere on the page');
  return problems;
}
"""

# For each event: the heading (h2-h6, outside events) that comes last before it.
_DAY_HEADINGS = r"""
() => {
  let last = null;
  const out = [];
  for (const el of document.querySelectorAll('h1, h2, h3, h4, h5, h6, article.h-event')) {
    if (el.matches('article.h-event')) {
      out.push({id: el.id,
                start: el.querySelector('time.dt-start')?.getAttribute('datetime'),
                heading: last && {tag: last.tagName, id: last.id || last.closest('[id]')?.id || null,
                                  index: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].indexOf(last),
                                  text: last.textContent.replace(/\s+/g, ' ').trim(),
                                  datetime: last.querySelector('time[datetime]')?.getAttribute('datetime') || null}});
    } else if (!el.closest('article.h-event')) {
      last = el;
    }
  }
  return out;
}
"""


def test_index_contract_markup(page, console_errors):
    open_page(page, "/")
    problems = page.evaluate(_MARKUP_PROBLEMS)
    assert problems == [], "\n".join(problems)

    lang = page.evaluate("document.documentElement.getAttribute('lang')")
    assert lang and lang.strip(), "<html> has no lang"
    assert console_errors == []


def test_skip_link(page):
    open_page(page, "/")
    first = page.evaluate("""() => {
        const a = document.body.querySelector('a[href]');
        return a && {href: a.getAttribute('href'), text: a.textContent.trim()};
    }""")
    assert first and first["href"].startswith("#") and len(first["href"]) > 1, \
        f"the first link of the page is not a skip link: {first}"
    target = unquote(first["href"][1:])
    found = page.evaluate("""id => {
        const t = document.getElementById(id);
        return t && {tag: t.tagName, inMain: !!t.closest('main')};
    }""", target)
    assert found, f"skip link {first['href']} targets no element"
    assert found["inMain"], f"skip link {first['href']} targets a {found['tag']} outside <main>"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement && document.activeElement.getAttribute('href')")
    assert focused == first["href"], f"first Tab focuses {focused!r}, not the skip link"


def test_days_are_headings(page):
    open_page(page, "/")
    rows = page.evaluate(_DAY_HEADINGS)
    assert rows, "no events"
    by_day = {}
    for row in rows:
        heading = row["heading"]
        assert heading, f"#{row['id']}: no heading before it"
        assert heading["tag"] != "H1", f"#{row['id']}: its nearest heading is the h1, not a day"
        start = row["start"] or ""
        day = start[:10] if len(start) >= 10 else start[:7]     # month precision: its month
        year = start[:4]
        assert year in heading["text"], \
            f"#{row['id']} ({start}) is under heading {heading['text']!r}, which lacks {year}"
        if len(day) == 10:
            assert re.search(rf"(?<!\d)0?{int(day[8:])}(?!\d)", heading["text"]), \
                f"#{row['id']} ({start}) is under heading {heading['text']!r}, not its day"
        by_day.setdefault(day, set()).add(heading["index"])
    for day, headings in by_day.items():
        assert len(headings) == 1, f"events of {day} are under {len(headings)} different headings"
    all_headings = [h for hs in by_day.values() for h in hs]
    assert len(all_headings) == len(set(all_headings)), \
        f"two days share one heading: {by_day}"


# --------------------------------------------------------------------------- event pages

def test_every_event_page_opens(page, console_errors, event_slugs):
    for slug in event_slugs:
        open_page(page, event_path(slug))
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator(f'article.h-event[id="{slug}"]')).to_have_count(1)
        assert console_errors == [], f"{event_path(slug)}: {console_errors}"


def test_event_pages_previous_next(page, console_errors, event_slugs):
    first, last = event_slugs[0], event_slugs[-1]
    open_page(page, event_path(first))
    assert nav_link(page, "prev") is None, f"the first event ({first}) links to a previous one"
    open_page(page, event_path(last))
    assert nav_link(page, "next") is None, f"the last event ({last}) links to a next one"

    for direction, expected in (("next", event_slugs), ("prev", event_slugs[::-1])):
        open_page(page, event_path(expected[0]))
        visited = [expected[0]]
        for _ in range(len(expected) - 1):
            link = nav_link(page, direction)
            assert link is not None, f"{path_of(page.url)} has no {direction} link"
            follow(page, link)
            path = path_of(page.url)
            m = re.fullmatch(r"/events/([^/]+)/(index\.html)?", path)
            assert m, f"{direction} link led to {path}"
            visited.append(m.group(1))
            expect(page.locator("article.h-event")).to_have_count(1)
        assert visited == expected, f"following {direction} links visits {visited}"
        assert nav_link(page, direction) is None, f"{path_of(page.url)} has a {direction} link"
    assert console_errors == []


# --------------------------------------------------------------------------- accessibility

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("which", ["index", "event"])
def test_wcag_aa(page, axe, event_slugs, which, scheme, width):
    path = "/" if which == "index" else event_path(event_slugs[len(event_slugs) // 2])
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    open_page(page, path)
    violations = axe()
    assert violations == [], f"{path} {scheme} {width}px:\n" + json.dumps(violations, indent=1)


# --------------------------------------------------------------------------- HTML validity

def test_html_valid(built_site, vnu):
    errors = vnu([built_site])                 # one JVM for the whole site
    for e in errors:
        e["url"] = e.get("url", "").replace(built_site.as_uri(), "")
    assert errors == [], json.dumps(errors, indent=1, ensure_ascii=False)


# --------------------------------------------------------------------------- without JS

def test_readable_without_javascript(new_context, event_slugs):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    errors = watch_errors(page, [])
    for path in ["/", event_path(event_slugs[len(event_slugs) // 2])]:
        open_page(page, path)
        events = page.locator("article.h-event")
        if path == "/":
            expect(events).to_have_count(len(event_slugs))
        for i in range(events.count()):
            event = events.nth(i)
            expect(event).to_be_visible()
            expect(event.locator(".p-name").first).to_be_visible()
            expect(event.locator(".e-content").first).to_be_visible()
        sources = page.locator("article.h-event .h-cite")
        assert sources.count() > 0 or path != "/", "no sources on /"
        for i in range(sources.count()):
            expect(sources.nth(i)).to_be_visible()
    assert errors == []


# --------------------------------------------------------------------------- layout & print

_OVERFLOW = r"""
() => {
  const w = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 0.5)
    .slice(0, 8)
    .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} right=${Math.round(e.getBoundingClientRect().right)}`);
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: w, wide};
}
"""


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("which", ["index", "event"])
def test_no_horizontal_scroll(page, event_slugs, which, width):
    path = "/" if which == "index" else event_path(event_slugs[len(event_slugs) // 2])
    page.set_viewport_size({"width": width, "height": 640})
    open_page(page, path)
    m = page.evaluate(_OVERFLOW)
    assert m["scrollWidth"] <= m["innerWidth"], \
        f"{path} at {width}px scrolls sideways: {m}"


@pytest.mark.parametrize("which", ["index", "event"])
def test_print_shows_source_urls(page, event_slugs, which):
    path = "/" if which == "index" else event_path(event_slugs[len(event_slugs) // 2])
    page.emulate_media(media="print")
    open_page(page, path)
    links = page.locator(".h-cite a.u-url").evaluate_all(
        "els => els.map(a => ({href: a.getAttribute('href'),"
        " after: getComputedStyle(a, '::after').content}))")
    if which == "index":
        assert links, "no source links on /"
    missing = [l for l in links if "http" not in l["after"] or l["href"] not in l["after"]]
    assert missing == [], f"{path}: in print these source links do not show their URL: {missing}"


# --------------------------------------------------------------------------- a first screen of news
# (issue 22, item 12: the page read like a list of links, and at 360 px the first event began at 1,099 px)

@pytest.mark.parametrize("width", WIDTHS)
def test_the_first_screen_shows_the_first_event_title(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    open_page(page, "/")
    box = page.locator("article.h-event h3").first.bounding_box()
    assert box["y"] + box["height"] <= 800, f"at {width}x800 the first event's title ends at {box['y'] + box['height']}px"


def test_headlines_are_not_underlined_until_hovered_or_focused_and_links_in_text_are(page):
    open_page(page, "/")
    link = page.locator("article.h-event h3 a").first
    style = "e => { const s = getComputedStyle(e); return [s.textDecorationLine, s.color, s.outlineStyle]; }"
    heading = page.locator("article.h-event h3").first.evaluate("e => getComputedStyle(e).color")
    assert link.evaluate(style)[:2] == ["none", heading]
    link.hover()
    hovered = link.evaluate(style)
    assert hovered[0] == "underline" and hovered[1] != heading  # the accent
    page.mouse.move(0, 0)
    page.keyboard.press("Tab")  # any focus by keyboard, then the headline's
    link.focus()
    assert link.evaluate("e => e.matches(':focus-visible')")
    focused = link.evaluate(style)
    assert focused[0] == "underline" and focused[2] == "solid"
    # links in running text keep their underline (WCAG 1.4.1: not by colour alone)
    for selector in (".reported a.u-url", ".lede a, .e-content a"):
        found = page.locator(selector)
        for i in range(found.count()):
            assert found.nth(i).evaluate("e => getComputedStyle(e).textDecorationLine") == "underline", selector


@pytest.mark.parametrize("width, media, shown", [(360, "screen", False), (1280, "screen", True), (360, "print", True)])
def test_the_rest_of_the_intro_is_behind_a_summary_on_phones_only(page, width, media, shown):
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(media=media)
    open_page(page, "/")
    rest = page.locator(".lede .intro-more p").first
    summary = page.locator(".lede .intro-more > summary")
    assert rest.is_visible() is shown and summary.is_visible() is not shown
    if not shown:
        summary.click()
        expect(rest).to_be_visible()
