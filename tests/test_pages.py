"""The sources page, the tag pages and every page's metadata, as a reader, a fact-checker and a crawler see them."""

import json
import random
import re
import shutil
from pathlib import Path

import mf2py
import pytest
from bs4 import BeautifulSoup

from chronicle.config import Options
from chronicle.model import tag_slug, tag_slugs
from chronicle import render
from chronicle.incremental import Engine

from conftest import ROOT, tree

HOSTILE = '</script><script>alert(1)</script> "q" & \'a\''
TYPESET = HOSTILE.replace('"q" & \'a\'', "\u201cq\u201d & \u2018a\u2019")  # an event's title and summary as read


def soup(project, relative):
    return BeautifulSoup(project.read(relative), "html.parser")


def text(element):
    return " ".join(element.get_text(" ").split())


def built(project, *argv):
    result = project.run(*argv)
    assert result.code == 0, result.err
    return result


def sourced_timeline(project):
    """Five events: shared URLs, publishers in two cases, a host, a briefing, an unsourced event."""
    project.entry("2024-10-28-a.md", """
        title: Alpha
        date: 2024-10-28
        sources:
          - url: https://reuters.example/1
            publisher: Reuters
            title: First report
            date: 2024-10-28
            archive: https://web.archive.org/web/2024/https://reuters.example/1
          - url: https://shared.example/story
            publisher: le Monde
            title: The shared story
    """)
    project.entry("2024-10-29-b.md", """
        title: Beta
        date: 2024-10-29
        sources:
          - url: https://shared.example/story
            publisher: Le Monde
          - url: https://www.blog.example/post
          - publisher: Ministry of Defence
            title: Briefing to reporters
    """)
    project.entry("2024-10-30-c.md", """
        title: Gamma
        date: 2024-10-30
        sources:
          - url: https://reuters.example/2
            publisher: Reuters
    """)
    project.entry("2024-10-31-d.md", "title: Delta\ndate: 2024-10-31")
    project.entry("2024-11-01-e.md", "title: Epsilon\ndate: 2024-11-01")
    return built(project)


# --------------------------------------------------------------------------- the sources page

def test_sources_are_grouped_by_publisher_sorted_by_name_with_counts(project):
    sourced_timeline(project)
    page = soup(project, "sources/index.html")
    assert len(page.find_all("h1")) == 1 and text(page.h1) == "Sources"
    sections = page.select("section.publisher")
    names = [text(s.h2) for s in sections]
    # Case-insensitive order, an article aside (le Monde under M, as The Moscow Times under M); "le Monde"/
    # "Le Monde" are one publisher, named as its first citation has it; a source without publisher goes under
    # its host (www. dropped).
    assert names == [
        "blog.example 1 source, cited by 1 event",
        "Ministry of Defence 1 source, cited by 1 event",
        "le Monde 1 source, cited by 2 events",
        "Reuters 2 sources, cited by 2 events",
    ]
    reuters = sections[3]
    assert reuters["id"] == "publisher-reuters"
    cites = reuters.select("ol.citations > li.h-cite")
    assert [text(c.select_one(".cite-title")) for c in cites] == ["First report", "reuters.example/2"]
    first = cites[0]
    assert first.select_one("a.u-url")["href"] == "https://reuters.example/1"
    assert first.select_one("a.u-url")["rel"] == ["noopener", "noreferrer"]
    assert first.select_one("time.dt-published")["datetime"] == "2024-10-28"
    assert first.select_one("a.archive")["href"] == "https://web.archive.org/web/2024/https://reuters.example/1"
    assert [(a["href"], text(a)) for a in first.select(".event-list a")] == [("../events/2024-10-28-a/index.html", "Alpha")]
    assert first.select_one(".event-list time")["datetime"] == "2024-10-28"
    jump = [(a["href"], text(a)) for a in page.select("nav.jump a")]
    assert jump[0] == ("#unsourced", "Unsourced events (2)")
    assert ("#publisher-reuters", "Reuters (2)") in jump
    assert text(page.select_one(".coverage")) == "5 sources from 4 publishers · cited by 3 of 5 events · 2 unsourced"


def test_a_url_cited_by_several_events_is_listed_once_with_all_of_them(project):
    sourced_timeline(project)
    page = soup(project, "sources/index.html")
    shared = [li for li in page.select("li.h-cite") if li.select_one('a.u-url[href="https://shared.example/story"]')]
    assert len(shared) == 1
    assert text(shared[0].select_one(".cite-title")) == "The shared story"  # the title from the event that gave one
    events = [(a["href"], text(a)) for a in shared[0].select(".event-list a")]
    assert events == [("../events/2024-10-28-a/index.html", "Alpha"), ("../events/2024-10-29-b/index.html", "Beta")]
    assert [t["datetime"] for t in shared[0].select(".event-list time")] == ["2024-10-28", "2024-10-29"]
    assert text(shared[0].select_one(".cited-label")) == "Cited by 2 events:"


def test_a_source_without_url_is_shown_as_text(project):
    sourced_timeline(project)
    page = soup(project, "sources/index.html")
    briefing = page.select_one("#publisher-ministry-of-defence li.h-cite")
    assert briefing.select_one("a.u-url") is None
    assert text(briefing.select_one(".p-name")) == "Briefing to reporters"
    assert "(not online)" in text(briefing)


def test_unsourced_events_have_their_own_section(project):
    sourced_timeline(project)
    section = soup(project, "sources/index.html").select_one("section#unsourced")
    assert text(section.h2) == "Unsourced events 2"
    assert [(a["href"], text(a)) for a in section.select("a")] == [
        ("../events/2024-10-31-d/index.html", "Delta"), ("../events/2024-11-01-e/index.html", "Epsilon")]


def test_when_every_event_is_sourced_no_empty_section_is_shown(project, sourced):
    project.entry("a.md", f"title: A\ndate: 2024-10-28\n{sourced}")
    built(project)
    page = soup(project, "sources/index.html")
    assert page.select_one("section#unsourced") is None and "Unsourced" not in text(page)


def test_a_publisher_named_none_does_not_take_the_id_of_sources_without_one(project):
    project.entry("a.md", """
        title: A
        date: 2024-10-28
        sources:
          - url: https://none.example/
            publisher: None
          - title: A talk with a resident
    """)
    built(project)
    ids = [s["id"] for s in soup(project, "sources/index.html").select("section")]
    assert ids == ["publisher-none", "unattributed"]  # every event is sourced: no empty section


# --------------------------------------------------------------------------- tags

AWKWARD = ["Élysée", "C++", "C", "a/b", "../x", "東京", "two words"]


def tagged_timeline(project):
    project.entry("2024-10-28-a.md", """
        title: Alpha
        date: 2024-10-28T09:30
        location: Paris
        tags: ["Élysée", "C++", "a/b"]
        sources:
          - url: https://reuters.example/1
            publisher: Reuters
    """)
    project.entry("2024-10-29-b.md", """
        title: Beta
        date: 2024-10-29
        tags: ["C", "../x", "東京", "two words", "Élysée"]
        sources: [https://example.org/b]
    """)
    project.entry("2024-11-03-c.md", """
        title: Gamma
        date: 2024-11-03
        tags: ["Élysée"]
        sources: [https://example.org/c]
    """)
    return built(project)


def test_tag_slugs_are_safe_and_stable():
    assert [tag_slug(t) for t in AWKWARD] == ["elysee", "c", "c", "a-b", "x", "東京", "two-words"]
    assert tag_slug("   ") == tag_slug("+++") == "tag"
    assert tag_slug("Straße ÅNGSTRÖM") == "strasse-angstrom"
    assert tag_slug("Ελλάδα") == "ελλάδα"  # other scripts kept as they are, lower case
    assert tag_slugs(AWKWARD)["C"] == "c" and tag_slugs(AWKWARD)["C++"] == "c-2"
    assert tag_slugs(reversed(AWKWARD)) == tag_slugs(AWKWARD)  # the order they come in does not matter
    assert tag_slugs(["x", "X", "x-2"]) == {"X": "x", "x": "x-3", "x-2": "x-2"}  # a written x-2 keeps its name
    assert tag_slug("C++", ["C", "C++"]) == "c-2"
    assert len(tag_slug("word " * 40)) <= 60


def test_every_awkward_tag_gets_its_own_page_inside_tags(project):
    tagged_timeline(project)
    output = project.root / "output"
    pages = sorted(p.relative_to(output).as_posix() for p in (output / "tags").rglob("index.html"))
    assert pages == ["tags/a-b/index.html", "tags/c-2/index.html", "tags/c/index.html", "tags/elysee/index.html",
                     "tags/index.html", "tags/two-words/index.html", "tags/x/index.html", "tags/東京/index.html"]
    assert not (project.root / "x").exists() and not (output / "x").exists()
    assert text(soup(project, "tags/c/index.html").h1) == "C"
    assert text(soup(project, "tags/c-2/index.html").h1) == "C++"
    assert text(soup(project, "tags/x/index.html").h1) == "../x"
    assert text(soup(project, "tags/東京/index.html").h1) == "東京"


def test_tags_index_lists_every_tag_by_name_with_counts(project):
    tagged_timeline(project)
    page = soup(project, "tags/index.html")
    assert len(page.find_all("h1")) == 1
    rows = [(li.a["href"], text(li)) for li in page.select("ul.tag-index li")]
    assert rows == [
        ("../tags/x/index.html", "../x 1 event"),
        ("../tags/a-b/index.html", "a/b 1 event"),
        ("../tags/c/index.html", "C 1 event"),
        ("../tags/c-2/index.html", "C++ 1 event"),
        ("../tags/elysee/index.html", "Élysée 3 events"),
        ("../tags/two-words/index.html", "two words 1 event"),
        ("../tags/東京/index.html", "東京 1 event"),
    ]


def test_each_event_links_its_tags_to_their_pages(project):
    tagged_timeline(project)
    index = soup(project, "index.html")
    links = [(a["href"], text(a)) for a in index.select("[id='2024-10-28-a'] .tags a")]
    assert links == [("tags/elysee/index.html", "Élysée"), ("tags/c-2/index.html", "C++"), ("tags/a-b/index.html", "a/b")]
    event = soup(project, "events/2024-10-29-b/index.html")
    assert [a["href"] for a in event.select(".tags a")] == [
        "../../tags/c/index.html", "../../tags/x/index.html", "../../tags/東京/index.html", "../../tags/two-words/index.html", "../../tags/elysee/index.html"]
    tag = soup(project, "tags/elysee/index.html")
    assert "../../tags/東京/index.html" in [a["href"] for a in tag.select(".tags a")]
    for page in (index, event, tag):
        assert [text(li) for li in page.select("li.p-category")]  # the mf2 category is the tag's name


def test_tag_pages_carry_the_timeline_markup_grouped_by_day(project):
    tagged_timeline(project)
    base = "https://example.org/"
    index = mf2py.parse(doc=project.read("index.html"), url=base)
    tag = mf2py.parse(doc=project.read("tags/elysee/index.html"), url=base + "tags/elysee/")
    events = [item for item in index["items"] if "h-event" in item["type"]]
    tagged = [item for item in tag["items"] if "h-event" in item["type"]]
    assert [e["properties"]["name"] for e in tagged] == [["Alpha"], ["Beta"], ["Gamma"]]
    assert tagged == events  # the same h-events, sources and all, once URLs are resolved
    page = soup(project, "tags/elysee/index.html")
    days = page.select("section.day")
    assert [d["id"] for d in days] == ["2024-10-28", "2024-10-29", "2024-11-03"]
    assert [text(d.h2) for d in days][0] == "Monday, 28 October 2024"
    assert [d.select_one("h2 time")["datetime"] for d in days] == ["2024-10-28", "2024-10-29", "2024-11-03"]
    assert [len(d.select("ol.events > li > article.h-event")) for d in days] == [1, 1, 1]
    assert text(page.select_one("p.gap")) == "5 days later"  # 29 October → 3 November, within the tag
    article = page.select_one("article.h-event")
    assert article["id"] == "2024-10-28-a"
    assert article.select_one("a.u-url")["href"] == "../../events/2024-10-28-a/index.html"
    assert article.select_one("time.dt-start")["datetime"].startswith("2024-10-28T09:30")
    assert len(page.find_all("h1")) == 1 and text(page.h1) == "Élysée"
    assert text(page.select_one(".coverage")) == \
        "28 October – 3 November 2024 · 3 events · Feed of the events tagged Élysée (Atom)"


def test_newest_first_tag_pages_and_sources_run_backwards(project):
    project.write("_index.md", "---\ntitle: T\nsort: newest-first\n---\n")
    for day in (28, 29, 30):
        project.entry(f"2024-10-{day}-e.md", f"title: E{day}\ndate: 2024-10-{day}\ntags: [t]\n"
                      "sources: [https://example.org/same]")
    built(project)
    page = soup(project, "tags/t/index.html")
    assert [a["id"] for a in page.select("article.h-event")] == ["2024-10-30-e", "2024-10-29-e", "2024-10-28-e"]
    sources = soup(project, "sources/index.html")
    assert [text(a) for a in sources.select(".event-list a")] == ["E30", "E29", "E28"]


# --------------------------------------------------------------------------- metadata

def test_every_page_links_the_sources_tags_feed_and_calendar(project):
    tagged_timeline(project)
    for path, root in [("index.html", ""), ("events/2024-10-28-a/index.html", "../../"),
                       ("sources/index.html", "../"), ("tags/index.html", "../"), ("tags/c-2/index.html", "../../")]:
        page = soup(project, path)
        nav = [a["href"] for a in page.select("header nav.site-nav a")]
        assert nav == [f"{root}index.html", f"{root}sources/index.html", f"{root}tags/index.html",
                       f"{root}feed.xml", f"{root}calendar.ics"], path  # index.html: opens from disk too
        feed = page.select_one('link[rel="alternate"][type="application/atom+xml"]')
        assert feed["href"] == f"{root}feed.xml" and feed["title"]
        assert page.select_one("a.skip")["href"] == "#main" and page.select_one("main#main")
        assert len(page.find_all("h1")) == 1, path


def meta(page, name):
    found = page.select_one(f'meta[property="{name}"]') or page.select_one(f'meta[name="{name}"]')
    return found["content"] if found else None


def test_without_base_url_no_canonical_nor_og_url_but_the_rest(project):
    tagged_timeline(project)
    for path in ("index.html", "events/2024-10-28-a/index.html", "sources/index.html", "tags/elysee/index.html"):
        page = soup(project, path)
        assert page.select_one('link[rel="canonical"]') is None
        assert meta(page, "og:url") is None
        assert meta(page, "og:title") and meta(page, "og:description") and meta(page, "description")
        assert meta(page, "og:site_name") == "Timeline"
        assert meta(page, "twitter:card") == "summary"
    event = soup(project, "events/2024-10-28-a/index.html")
    assert meta(event, "og:type") == "article" and meta(event, "og:title") == "Alpha"
    assert meta(soup(project, "index.html"), "og:type") == "website"
    assert "url" not in json.loads(event.select_one('script[type="application/ld+json"]').string)
    # Everything else stays relative: no absolute link to the site itself anywhere.
    for path in project.root.joinpath("output").rglob("*.html"):
        assert "example.org/events" not in path.read_text(encoding="utf-8")


def test_with_base_url_canonical_and_og_url_are_absolute(project):
    tagged_timeline(project)
    built(project, "build", "--base-url", "https://example.org/news")
    expected = {
        "index.html": "https://example.org/news/",
        "events/2024-10-28-a/index.html": "https://example.org/news/events/2024-10-28-a/",
        "sources/index.html": "https://example.org/news/sources/",
        "tags/index.html": "https://example.org/news/tags/",
        "tags/東京/index.html": "https://example.org/news/tags/%E6%9D%B1%E4%BA%AC/",
    }
    for path, url in expected.items():
        page = soup(project, path)
        assert page.select_one('link[rel="canonical"]')["href"] == url
        assert meta(page, "og:url") == url
    index = soup(project, "index.html")
    assert index.select_one("nav.site-nav a")["href"] == "index.html"  # links stay relative
    assert index.select_one("[id='2024-10-28-a'] h3 a")["href"] == "events/2024-10-28-a/index.html"


def ld(project, slug):
    page = soup(project, f"events/{slug}/index.html")
    scripts = page.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_event_pages_carry_schema_org_json_ld(project):
    project.write("_index.md", "---\ntitle: T\ntimezone: America/New_York\n---\n")
    project.entry("a.md", """
        title: Talks begin
        date: 2024-10-28T14:30
        end: 2024-11-02
        location: Geneva, Switzerland
        summary: Delegations met for the first time.
        sources:
          - url: https://reuters.example/1
            publisher: Reuters
            title: Talks open in Geneva
            date: 2024-10-28
          - url: https://blog.example/x
          - publisher: Foreign ministry
            title: Briefing
    """)
    project.entry("b.md", "title: A month\ndate: 2024-10\nsources: [https://example.org/b]")
    built(project, "build", "--base-url", "https://example.org/")
    data = ld(project, "a")
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == "Talks begin"
    assert data["startDate"] == "2024-10-28T14:30-04:00"
    assert data["endDate"] == "2024-11-02"
    assert data["location"] == {"@type": "Place", "name": "Geneva, Switzerland"}
    assert data["description"] == "Delegations met for the first time."
    assert data["url"] == "https://example.org/events/a/"
    assert data["citation"] == [
        {"@type": "CreativeWork", "name": "Talks open in Geneva", "url": "https://reuters.example/1",
         "publisher": {"@type": "Organization", "name": "Reuters"}, "datePublished": "2024-10-28"},
        {"@type": "CreativeWork", "name": "blog.example", "url": "https://blog.example/x"},
        {"@type": "CreativeWork", "name": "Briefing", "publisher": {"@type": "Organization", "name": "Foreign ministry"}},
    ]
    month = ld(project, "b")
    assert month["startDate"] == "2024-10" and "endDate" not in month and "location" not in month


def test_hostile_text_is_escaped_everywhere_json_ld_included(project):
    project.entry("a.md", f"""
        title: {json.dumps(HOSTILE)}
        date: 2024-10-28
        location: {json.dumps(HOSTILE)}
        summary: {json.dumps(HOSTILE)}
        tags: [{json.dumps(HOSTILE)}]
        sources:
          - url: https://example.org/?a=1&b=2
            publisher: {json.dumps(HOSTILE)}
            title: {json.dumps(HOSTILE)}
          - publisher: {json.dumps(HOSTILE)}
    """)
    project.write("_index.md", f"---\ntitle: {json.dumps(HOSTILE)}\ndescription: {json.dumps(HOSTILE)}\n---\n")
    built(project)
    pages = sorted(project.root.joinpath("output").rglob("*.html"))
    assert len(pages) == 5  # index, event, sources, tags and the one tag
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "</script><script>" not in html, path
        assert re.search(r"""="[^"]*"q"[^"]*\"""", html) is None  # no quote ends an attribute early
        page = BeautifulSoup(html, "html.parser")
        assert not page.find("script", string=re.compile("alert")) or page.find("script")["type"] == "application/ld+json"
        assert TYPESET in text(page.title)  # the timeline's and the event's titles, quotes curled
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>',
                       project.read("events/a/index.html"), re.S).group(1)
    assert "<" not in script and ">" not in script and "&" not in script
    assert "\\u003c/script\\u003e" in script
    data = json.loads(script)
    assert data["name"] == data["description"] == TYPESET and data["location"]["name"] == HOSTILE
    assert data["citation"][0]["publisher"]["name"] == HOSTILE and data["citation"][0]["name"] == TYPESET
    assert data["citation"][0]["url"] == "https://example.org/?a=1&b=2"
    assert data["keywords"] == HOSTILE
    tag = soup(project, "tags/index.html").select_one("ul.tag-index a")
    assert text(tag) == " ".join(HOSTILE.split()) and tag["href"] == "../tags/script-script-alert-1-script-q-a/index.html"


# --------------------------------------------------------------------------- the timeline as a reader reads it
# (issue 22, item 12)

def shown(element):
    """The text a sighted reader sees: without the visually hidden parts (.vh)."""
    element = BeautifulSoup(str(element), "html.parser")
    for hidden in element.select(".vh"):
        hidden.decompose()
    return text(element)


def test_an_event_under_its_day_heading_does_not_repeat_the_date(project):
    project.write("_index.md", "---\ntitle: T\ntimezone: America/New_York\nsources: optional\n---\n")
    project.entry("a.md", "title: Day only\ndate: 2024-10-28")
    project.entry("b.md", "title: At a time\ndate: 2024-10-28T14:30")
    project.entry("c.md", "title: Over days\ndate: 2024-10-28\nend: 2024-11-02")
    project.entry("d.md", "title: A month\ndate: October 2024")
    built(project)
    page = soup(project, "index.html")
    whens = {article["id"]: article.select_one("p.when") for article in page.select("article.h-event")}
    assert shown(whens["a"]) == "#" and "said" in whens["a"]["class"]  # the permalink only
    assert shown(whens["b"]) == "14:30 EDT #"
    assert shown(whens["c"]) == "28 October – 2 November 2024 #"
    assert shown(whens["d"]) == "#"  # under its heading "October 2024"
    assert text(page.select_one("section[id='2024-10'] h2")) == "October 2024"
    # still there for machines and screen readers: every event's dt-start, read back by mf2py
    assert "vh" in whens["a"].select_one("time.dt-start")["class"]
    items = mf2py.parse(doc=project.read("index.html"))["items"]
    starts = {item["properties"]["name"][0]: item["properties"]["start"][0] for item in items if "h-event" in item["type"]}
    assert starts == {"Day only": "2024-10-28", "At a time": "2024-10-28T14:30-0400", "Over days": "2024-10-28",
                      "A month": "2024-10"}
    # the event's own page says the whole date
    assert shown(soup(project, "events/a/index.html").select_one("article p.when")) == "Monday, 28 October 2024 #"


def test_titles_bodies_and_cited_titles_have_typographic_quotes(project):
    project.write("_index.md", "---\ntitle: T\n---\nThe intro's \"first\" line.\n")
    project.entry("a.md", """
        title: 'Biden: strike back "if they cross"'
        date: 2024-10-28
        sources:
          - url: https://a.example/1
            publisher: Wire
            title: "Putin's 'red lines'"
    """, body='He said: "It\'s over." Code `"x"` stays.\n')
    built(project)
    page = soup(project, "index.html")
    assert text(page.select_one("article h3")) == "Biden: strike back \u201cif they cross\u201d"
    assert page.select_one("article .e-content").decode_contents().strip() == \
        "<p>He said: \u201cIt\u2019s over.\u201d Code <code>\"x\"</code> stays.</p>"
    assert text(page.select_one(".reported cite")) == "Putin\u2019s \u2018red lines\u2019"
    assert text(page.select_one(".lede")) == "The intro\u2019s \u201cfirst\u201d line."
    assert text(soup(project, "events/a/index.html").h1) == "Biden: strike back \u201cif they cross\u201d"


def test_the_space_of_a_gap_grows_with_the_days_skipped(project):
    project.write("_index.md", "---\ntitle: T\nsources: optional\n---\n")
    for day in ("2024-01-01", "2024-01-02", "2024-01-04", "2024-01-09", "2024-01-20", "2024-04-01", "2025-04-01"):
        project.entry(f"{day}-e.md", f"title: On {day}\ndate: {day}")
    built(project)
    gaps = [(text(p), [c for c in p["class"] if c.startswith("gap-")]) for p in soup(project, "index.html").select("p.gap")]
    assert gaps == [("2 days later", ["gap-1"]), ("5 days later", ["gap-3"]), ("11 days later", ["gap-4"]),
                    ("72 days later", ["gap-5"]), ("365 days later", ["gap-6"])]


def test_the_intro_past_its_first_paragraph_is_behind_more(project):
    project.write("_index.md", "---\ntitle: T\nsources: optional\n---\nThe lede.\n\nMore.\n\n- and a list\n")
    project.entry("a.md", "title: A\ndate: 2024-10-28")
    built(project)
    lede = soup(project, "index.html").select_one(".lede")
    assert text(lede.find("p", recursive=False)) == "The lede."
    assert text(lede.select_one("details.intro-more > summary")) == "More about this timeline"
    assert text(lede.select_one("details.intro-more")) == "More about this timeline More. and a list"
    project.write("_index.md", "---\ntitle: T\nsources: optional\n---\nOnly one paragraph.\n")
    built(project)
    lede = soup(project, "index.html").select_one(".lede")
    assert lede.details is None and text(lede) == "Only one paragraph."


# --------------------------------------------------------------------------- themes and rebuilds

def test_a_theme_without_these_templates_still_builds(project, sourced):
    theme = project.root / "mytheme" / "templates"
    theme.mkdir(parents=True)
    (theme / "index.html").write_text("<p>{{ timeline.title }}</p>\n")
    (theme / "event.html").write_text("<p>{{ event.title }}</p>\n")
    project.entry("a.md", f"title: A\ndate: 2024-10-28\ntags: [x]\n{sourced}")
    built(project, "build", "--theme", str(theme.parent))
    output = project.root / "output"
    # No page the theme has no template for; the tags' feeds are data, written whatever the theme.
    assert not (output / "sources").exists() and not list((output / "tags").rglob("*.html"))


def test_tag_url_reads_the_timeline_given_in_macros_imported_without_context(project, sourced):
    """`tag|tag_url` reads the page's timeline; in a file of macros imported without context (made once,
    not for every page: the built-in theme's), `tag|tag_url(timeline)` reads the one given. The same
    path either way, the slug made unique among the timeline's tags (`East` after `east`)."""
    theme = project.root / "mytheme"
    shutil.copytree(ROOT / "theme", theme)
    templates = theme / "templates"
    (templates / "links.html").write_text(
        "{% macro links(tags, timeline) %}{% for tag in tags %}[{{ tag|tag_url(timeline) }}]{% endfor %}{% endmacro %}\n")
    (templates / "index.html").write_text(
        '{% import "links.html" as l %}<p id="given">{{ l.links(timeline.tags|list, timeline) }}</p>\n'
        '<p id="page">{% for tag in timeline.tags %}[{{ tag|tag_url }}]{% endfor %}</p>\n')
    project.entry("a.md", f"title: A\ndate: 2024-10-28\ntags: [east, Élysée]\n{sourced}")
    project.entry("b.md", f"title: B\ndate: 2024-10-29\ntags: [East]\n{sourced}")
    built(project, "build", "--theme", str(theme))
    page = soup(project, "index.html")
    given, own = text(page.select_one("#given")), text(page.select_one("#page"))
    assert given == own and sorted(given.strip("[]").split("][")) == ["tags/east-2/", "tags/east/", "tags/elysee/"], given


@pytest.mark.parametrize("page_events", [None, 10])
def test_rebuilds_after_edits_equal_a_fresh_build(tmp_path, page_events):
    """The Builder of `serve` updates these pages from what changed; the result must not depend on history.
    page_events 10: the timeline, its tags and its publishers in period and publisher pages, each kept
    (its citations too) while what it is given is the same."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    if page_events:
        index = content / "_index.md"
        index.write_text(index.read_text().replace("---\n", f"---\npage_events: {page_events}\n", 1))
    rng = random.Random(4)
    tags = ["Élysée", "C++", "C", "a/b", "east", "East"]
    urls = ["https://example.org/shared", "https://example.org/other"]
    for n in range(12):
        (content / f"2024-10-{10 + n}-extra-{n}.md").write_text(
            f"---\ntitle: Extra {n}\ndate: 2024-10-{10 + n}\ntags: [{rng.choice(tags)}]\n"
            f"sources: [{rng.choice(urls)}]\n---\nText.\n", encoding="utf-8")
    builder = Engine(Options(content=content))
    assert builder.build(write=False).ok
    entries = sorted(content.glob("2024-*.md"))
    for step in range(40):
        path = rng.choice(entries)
        if not path.exists():
            path.write_text(f"---\ntitle: Back {step}\ndate: 2024-09-0{1 + step % 9}\ntags: [{rng.choice(tags)}]\n"
                            "---\nText.\n", encoding="utf-8")
        else:
            body = path.read_text(encoding="utf-8")
            change = rng.randrange(5)
            if change == 0:
                path.unlink()
            elif change == 1:
                path.write_text(re.sub(r"date: .*", f"date: 2024-{rng.choice(['10-01', '10-29', '11'])}", body,
                                       count=1), encoding="utf-8")
            elif change == 2:
                path.write_text(body.replace("---\n", f"---\ntags: [{rng.choice(tags)}]\n", 1)
                                if "tags:" not in body else re.sub(r"tags: .*", "tags: []", body), encoding="utf-8")
            elif change == 3:
                path.write_text(re.sub(r"https://[^\s\]]+", rng.choice(urls), body, count=1), encoding="utf-8")
            else:
                path.write_text(body + f"\nEdited {step}.\n", encoding="utf-8")
        again = builder.build(write=False, hints={path.resolve()})
        fresh = Engine(Options(content=content)).build(write=False)
        assert again.ok == fresh.ok
        if fresh.ok:
            differ = sorted(k for k in set(again.files) | set(fresh.files) if again.files.get(k) != fresh.files.get(k))
            assert differ == [], (step, path.name)


def test_an_event_has_the_same_card_on_every_page_that_lists_it(project):
    """card.html is rendered once per event and placed on the index or its period and on each of its
    tags' pages: the same markup, its links made from each page's own root, each link leading to a page."""
    project.write("_index.md", "---\ntitle: Cards\npage_events: 10\n---\n")  # past 10: a page a month
    for n in range(14):
        date = f"2024-{1 + n // 7:02d}-{1 + n % 7:02d}"
        project.entry(f"{date}-e{n}.md", f"""
            title: Event {n}
            date: {date}
            tags: {["[war, talks]", "[war]", "[talks]"][n % 3]}
            sources:
              - url: https://example.org/{n}
                publisher: Example
        """)
    built(project, "build")
    assert (project.root / "output" / "2024" / "02" / "index.html").is_file()
    output = project.root / "output"
    placed: dict[str, list[tuple[str, str]]] = {}
    for page in output.rglob("index.html"):
        relative = page.relative_to(output).as_posix()
        if relative.startswith("events/"):
            continue
        root = "../" * relative.count("/")
        for article in soup(project, relative).select("article.h-event"):
            for link in article.select("[href]"):
                href = link["href"]
                if not href.startswith(("#", "https:")):
                    assert href.startswith(root) and (page.parent / href).resolve().is_file(), (relative, href)
                    link["href"] = "ROOT/" + href[len(root):]
            placed.setdefault(article["id"], []).append((relative, str(article)))
    assert len(placed) == 14
    for slug, cards in placed.items():
        pages = [page for page, _ in cards]
        assert any(page.startswith("tags/") for page in pages) and any(not page.startswith("tags/") for page in pages)
        assert len({card for _, card in cards}) == 1, (slug, cards)


def test_a_card_that_does_not_show_the_body_as_it_is_is_the_same_on_every_page(project, sourced):
    """Chronicle keeps a card as the text around the event's body; a theme's card that shows the body
    some other way (here its words only) is kept whole, and placed on every page as it was made."""
    theme = project.root / "mytheme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "card.html").write_text(
        '<article class="h-event" id="{{ event.slug }}"><p>{{ event.title }}: '
        '{{ event.body|striptags|truncate(30) }}</p></article>\n')
    project.write("_index.md", "---\ntitle: Cards\npage_events: 10\n---\n")  # past 10: a page a month
    for n in range(12):
        date = f"2024-{1 + n // 6:02d}-{1 + n % 6:02d}"
        project.entry(f"{date}-e{n}.md", f"title: Event {n}\ndate: {date}\ntags: [war]\n{sourced}",
                      f"Some *words* about event {n} and more words after them.\n")
    built(project, "build", "--theme", str(theme))
    cards: dict[str, set[str]] = {}
    for page in ("2024/01/index.html", "2024/02/index.html", "tags/war/index.html"):
        assert "more words after them" not in (project.root / "output" / page).read_text(), page  # nothing else
        for article in soup(project, page).select("article.h-event"):
            cards.setdefault(article["id"], set()).add(str(article))
    assert len(cards) == 12
    assert cards["2024-01-01-e0"] == {'<article class="h-event" id="2024-01-01-e0"><p>Event 0: Some words about event 0...</p></article>'}
    assert all(len(made) == 1 for made in cards.values()), cards


def test_a_card_let_go_past_the_cards_kept_is_made_again_the_same(project, sourced, monkeypatch):
    """A process keeps the cards of the KEPT_CARDS events made last (at 100,000 events all of them
    are 180 MB); a card let go is made again when another page shows it, and it is the same."""
    project.write("_index.md", "---\ntitle: Cards\npage_events: 10\n---\n")  # a page a month, tag pages too
    for n in range(14):
        date = f"2024-{1 + n // 7:02d}-{1 + n % 7:02d}"
        project.entry(f"{date}-e{n}.md", f"title: Event {n}\ndate: {date}\ntags: [war{', peace' * (n % 2)}]\n{sourced}",
                      f"Some *words* about event {n}.\n")
    built(project, "build", "--no-cache")
    whole = tree(project.root / "output")
    kept: list[render.Cards] = []

    class Cards(render.Cards):
        def __init__(self, env):
            super().__init__(env)
            kept.append(self)

    monkeypatch.setattr(render, "Cards", Cards)
    monkeypatch.setattr(render, "KEPT_CARDS", 3)
    for argv in (["--no-cache"], []):  # the reference, and the engine filling its cache
        shutil.rmtree(project.root / "output")
        built(project, "build", *argv)
        assert tree(project.root / "output") == whole, argv
    assert kept and all(0 < len(cards._made) <= 3 for cards in kept)


def test_a_nul_character_in_an_entry_is_refused_at_its_line(project):
    project.entry("2024-10-28-a.md", "title: A\ndate: 2024-10-28\n", "First line.\n\nSecond \x00 line.\n")
    run = project.run("build")
    assert run.code == 1
    assert f"{Path('content') / '2024-10-28-a.md'}:7: error: the text holds the character U+0000 (NUL), which a web " \
        "page may not contain — delete it" in run.lines, run.err
    assert not (project.root / "output").exists()
