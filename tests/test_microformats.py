"""The example read as a microformats2 parser reads it: events in order, with dates and nested sources."""

import shutil

import mf2py

from conftest import ROOT


def test_the_example_parses_as_h_events_with_nested_h_cites(project):
    shutil.copytree(ROOT / "content", project.content, dirs_exist_ok=True)
    assert project.run().code == 0
    parsed = mf2py.parse(doc=project.read("index.html"), url="https://example.org/")
    events = [item for item in parsed["items"] if "h-event" in item["type"]]
    if not events:  # events nested in a container are children
        events = [c for item in parsed["items"] for c in item.get("children", []) if "h-event" in c["type"]]
    names = [e["properties"]["name"][0] for e in events]
    starts = [e["properties"]["start"][0] for e in events]
    assert len(events) == 5
    assert starts == ["2024-10-28", "2024-10-28", "2024-10-29", "2024-10-30", "2024-10-31"]
    assert names[0] == "NATO confirms North Korean units deployed to Kursk"
    assert names[1] == "Pentagon: no new limits on US weapons against North Korean forces"
    for event in events:
        assert event["properties"]["url"][0].startswith("https://example.org/events/")
        assert event["properties"]["location"]
        cites = [c for c in event.get("children", []) if "h-cite" in c["type"]]
        assert cites, event["properties"]["name"]
        for cite in cites:
            assert cite["properties"]["url"][0].startswith("https://")
            assert cite["properties"]["name"]
            assert cite["properties"]["publication"]
    first = [c["properties"]["publication"][0] for c in events[0]["children"] if "h-cite" in c["type"]]
    assert first == ["The Moscow Times", "Ukrinform via MENAFN"]


def test_a_citation_s_name_is_its_title_and_its_publication_the_publisher_on_every_page(project):
    """mf2py reads each source of the timeline as written: name = the work's title, publication = the
    publisher; the title is in the page's text, not only a tooltip (issue 22, item 11)."""
    project.entry("a.md", """\
        title: Talks
        date: 2024-10-28
        sources:
          - url: https://example.org/a
            publisher: The Moscow Times
            title: NATO chief decries deployment
          - url: https://example.org/b
            title: A report without a publisher
          - publisher: National Intelligence Service
            title: Closed-door briefing
          - https://example.org/c""")
    assert project.run("build").code == 0
    for page in ("index.html", "events/a/index.html", "tags/index.html"):
        html = project.read(page)
        if "h-event" not in html:
            continue
        parsed = mf2py.parse(doc=html, url="https://example.org/")
        items = parsed["items"]
        events = [i for i in items if "h-event" in i["type"]] or \
            [c for i in items for c in i.get("children", []) if "h-event" in c["type"]]
        cites = [(c["properties"]["name"][0], c["properties"].get("publication", [None])[0])
                 for c in events[0].get("children", []) if "h-cite" in c["type"]]
        assert cites == [("NATO chief decries deployment", "The Moscow Times"),
                         ("A report without a publisher", None),
                         ("Closed-door briefing", "National Intelligence Service"),
                         ("example.org", None)], page
        assert 'title="NATO chief decries deployment"' not in html
