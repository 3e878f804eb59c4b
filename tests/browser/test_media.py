"""Media with every event (issue 18, item 7) in a real Chromium: pictures load, have alt text, keep their
aspect ratio at 360 and 1280 px and make no layout shift (their box has its size before the picture
arrives); another site's media is a card that makes no request to that site until the reader clicks
(and a plain link without JavaScript); axe (WCAG 2.1 A/AA) finds nothing and the Nu checker no error;
the real TimelineJS shows the media slide of timeline.json; the example's locator map loads.

The pictures are real files made by Pillow (a 1600x900 JPEG, an 800x800 PNG) and an SVG with only a
viewBox; the links point to YouTube, Vimeo, Wikipedia and a picture on upload.wikimedia.org, and the
browser never reaches them: conftest's resolver rules keep Chromium off the network, and the tests
that click route every request off the local server to an abort of their own, recording it.
"""
import json
import shutil
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import build_content, open_page, serve, settle, stop, watch_errors
from .test_site import SCHEMES, WIDTHS, event_path
from .test_timelinejs import PAGE, WAIT

pytestmark = pytest.mark.browser

EVENT = "2024-10-28-all-media"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
VIMEO = "https://vimeo.com/76979871"
WIKIPEDIA = "https://en.wikipedia.org/wiki/Kursk"
REMOTE_PICTURE = "https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png"
REMOTE_ALT = "Two dice, one of them transparent"
# The pictures made for the site: their file below content/ and their intrinsic size.
SIZES = {"ev/wide.jpg": (1600, 900), "ev/square.png": (800, 800), "ev/diagram.svg": (400, 200),
         "more/tall.jpg": (600, 900)}
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200">'
       '<rect width="400" height="200" fill="#2a6"/><circle cx="200" cy="100" r="60" fill="#fff"/></svg>')
BODY = "\n\n".join(["A paragraph of the event's text, long enough to take a few lines of the page at a phone's "
                    "width, so that the later events and their pictures start below the first screen."] * 3)

ALL_MEDIA = f"""---
title: Every kind of media
date: 2024-10-28
media:
  - src: wide.jpg
    alt: A wide blue picture
    caption: The wide picture, *first*
    credit: "Photo: Test Agency"
  - src: square.png
    alt: An orange square
    caption: The square
  - src: diagram.svg
    alt: A white circle on green
  - src: {REMOTE_PICTURE}
    alt: {REMOTE_ALT}
    caption: A picture on Wikimedia Commons
  - src: {YOUTUBE}
    caption: A video on YouTube
  - {VIMEO}
  - src: {WIKIPEDIA}
    caption: Kursk on Wikipedia
  - src: report.pdf
    caption: The report
    credit: "Document: Test Agency"
sources: [https://example.org/source]
---
{BODY}
"""


def _entry(title, date, media):
    return f"---\ntitle: {title}\ndate: {date}\nmedia:\n{media}\nsources: [https://example.org/{date}]\n---\n{BODY}\n"


@pytest.fixture(scope="module")
def media_content(tmp_path_factory):
    """A content folder with every kind of media: real pictures (Pillow), an SVG, a PDF, links."""
    content = tmp_path_factory.mktemp("media") / "content"
    (content / "ev").mkdir(parents=True)
    (content / "more").mkdir()
    Image.new("RGB", (1600, 900), (30, 90, 160)).save(content / "ev" / "wide.jpg", "JPEG", quality=85)
    Image.new("RGB", (800, 800), (200, 120, 40)).save(content / "ev" / "square.png", "PNG")
    Image.new("RGB", (600, 900), (90, 40, 120)).save(content / "more" / "tall.jpg", "JPEG", quality=85)
    (content / "ev" / "diagram.svg").write_text(SVG, encoding="utf-8")
    (content / "ev" / "report.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    (content / "_index.md").write_text(
        "---\ntitle: A timeline with media\ndescription: Pictures, video and documents.\n"
        "timezone: UTC\nlanguage: en\n---\nEvery kind of media an event can carry.\n", encoding="utf-8")
    (content / "ev" / f"{EVENT}.md").write_text(ALL_MEDIA, encoding="utf-8")
    # More events, each with a picture (a thumbnail on the timeline; the later ones below the first screen).
    (content / "ev" / "2024-10-29-square.md").write_text(_entry(
        "A square picture", "2024-10-29", "  src: square.png\n  alt: An orange square, again"), encoding="utf-8")
    (content / "2024-10-30-diagram.md").write_text(_entry(
        "A drawing", "2024-10-30", "  src: /ev/diagram.svg\n  alt: A white circle on green, again\n"
        "  caption: The drawing\n  credit: \"Drawing: Test Agency\""), encoding="utf-8")
    (content / "more" / "2024-10-31-tall.md").write_text(_entry(
        "A tall picture", "2024-10-31", "  - src: tall.jpg\n    alt: A tall purple picture\n"
        f"  - {YOUTUBE}"), encoding="utf-8")
    (content / "more" / "2024-11-01-wide.md").write_text(_entry(
        "The wide picture again", "2024-11-01", "  src: /ev/wide.jpg\n  alt: A wide blue picture, again"),
        encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def media_site(media_content):
    return build_content(media_content, media_content.parent / "site", timeout=300)


@pytest.fixture(scope="module")
def media_url(media_site):
    httpd, url = serve(media_site)
    yield url
    stop(httpd)


def _event(url):
    return f"{url}/events/{EVENT}/"


def _local(url, base):
    return url.startswith(base + "/") or url == base or url.startswith("data:")


def _is_picture(url, base):
    return any(url.startswith(f"{base}/{folder}/") for folder in ("ev", "more"))


def _file_of(src, base):
    """The content path of a picture published by the site (ev/wide.480w.webp -> ev/wide.jpg)."""
    path = urlsplit(src).path.lstrip("/")
    for name in SIZES:
        stem = name.rsplit(".", 1)[0]
        if path == name or path.startswith(stem + "."):
            return name
    raise AssertionError(f"{src}: not a picture of the test site")


_BOXES = """els => els.map(e => {
  const r = e.getBoundingClientRect();
  return {src: e.currentSrc || e.src, alt: e.getAttribute('alt'), w: r.width, h: r.height,
          top: r.top + window.scrollY, left: r.left + window.scrollX,
          aw: +e.getAttribute('width'), ah: +e.getAttribute('height'),
          nw: e.naturalWidth, nh: e.naturalHeight, complete: e.complete, lazy: e.loading === 'lazy'};
})"""


def _load_every_picture(page):
    """Scroll each img into view and wait until it has loaded (lazy ones too); return their boxes."""
    images = page.locator("img")
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        page.wait_for_function("e => e.complete", arg=image.element_handle())   # loaded, or broken
    boxes = images.evaluate_all(_BOXES)
    broken = [box["src"] for box in boxes if not box["nw"]]
    assert not broken, f"pictures that did not load: {broken}"
    return boxes


def _ratio_kept(box, want):
    return abs((box["w"] / box["h"]) / want - 1) <= 0.01


# --------------------------------------------------------------------------- pictures

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["event", "index"])
def test_pictures_load_with_alt_text_and_keep_their_aspect_ratio(page, console_errors, media_url, which, width):
    page.set_viewport_size({"width": width, "height": 800})
    open_page(page, _event(media_url) if which == "event" else media_url + "/")
    boxes = _load_every_picture(page)
    # The event page: its three pictures in full; the timeline: a thumbnail for each of the five events.
    assert len(boxes) == (3 if which == "event" else 5), boxes
    assert any(box["lazy"] for box in boxes), "no picture is lazy: the lazy ones were not checked"
    for box in boxes:
        name = _file_of(box["src"], media_url)
        intrinsic = SIZES[name][0] / SIZES[name][1]
        assert box["alt"], f"{name}: no alt text"
        assert box["nw"] > 0 and box["nh"] > 0, box
        assert (box["aw"], box["ah"]) == SIZES[name], f"{name}: width and height attributes {box}"
        assert abs((box["nw"] / box["nh"]) / intrinsic - 1) <= 0.01, f"{name}: natural size {box}"
        assert box["h"] > 0 and _ratio_kept(box, intrinsic), f"{name} drawn out of its ratio at {width}px: {box}"
        assert box["w"] <= width, f"{name} is wider than the {width}px window: {box}"
    assert console_errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["event", "index"])
def test_a_picture_has_its_box_before_it_arrives(page, media_url, which, width):
    """No layout shift: with every picture held back, each img already has the height its width and
    height attributes give; once they arrive, nothing on the page has moved."""
    held, released = [], [False]

    def hold_pictures(route):
        if route.request.resource_type == "image" and not released[0]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/*", hold_pictures)
    page.set_viewport_size({"width": width, "height": 800})
    # The pictures of the first screen are asked for once the page is laid out; each is held (routed,
    # not answered) until released below, so that nothing of them has arrived when the boxes are measured.
    with page.expect_request(lambda r: _is_picture(r.url, media_url)):
        page.goto(_event(media_url) if which == "event" else media_url + "/", wait_until="domcontentloaded")
    pictures = page.locator("img")
    before = pictures.evaluate_all(_BOXES)
    assert len(before) == (3 if which == "event" else 5)
    marks = "figcaption, .media-card, article.h-event h2, article.h-event .e-content, footer"
    marks_before = page.locator(marks).evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().top + window.scrollY)")
    assert marks_before, "nothing to watch below the pictures"
    for box in before:
        assert box["nw"] == 0, f"{box['src']} arrived although it was held back"
        assert box["h"] > 0, f"{box['src']}: no height before it arrives at {width}px: {box}"
        assert _ratio_kept(box, box["aw"] / box["ah"]), \
            f"{box['src']}: its box before it arrives is not as its width and height say: {box}"
    released[0] = True
    for route in held:
        route.continue_()
    after = _load_every_picture(page)
    page.evaluate("window.scrollTo(0, 0)")
    for b, a in zip(before, after):
        assert abs(a["w"] - b["w"]) < 1 and abs(a["h"] - b["h"]) < 1 and abs(a["top"] - b["top"]) < 1, \
            f"{a['src']} moved or changed size when it arrived: {b} -> {a}"
    marks_after = page.locator(marks).evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().top + window.scrollY)")
    assert [round(t) for t in marks_after] == [round(t) for t in marks_before]


# --------------------------------------------------------------------------- another site's media

def _guard(page, base):
    """Record every request; let the local server's through and abort any other (no network)."""
    requests, blocked = [], []

    def route(r):
        if _local(r.request.url, base):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.on("request", lambda r: requests.append(r.url))
    page.route("**/*", route)
    return requests, blocked


@pytest.mark.parametrize("button, src, attribute", [
    ("Play here", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "title"),
    ("Play here", "https://player.vimeo.com/video/76979871", "title"),
    ("Show the image here", REMOTE_PICTURE, "alt"),
], ids=["youtube", "vimeo", "picture"])
def test_another_site_is_asked_only_after_a_click(page, media_url, button, src, attribute):
    requests, blocked = _guard(page, media_url)
    errors = watch_errors(page, [])
    page.set_viewport_size({"width": 1280, "height": 800})
    open_page(page, _event(media_url))
    _load_every_picture(page)                  # the lazy pictures too: nothing of theirs is remote
    settle(page)
    assert requests and all(_local(u, media_url) for u in requests), \
        "requests off the site before a click:\n" + "\n".join(u for u in requests if not _local(u, media_url))
    assert blocked == [] and errors == []
    cards = page.locator(".media-card")
    expect(cards).to_have_count(5)             # YouTube, Vimeo, Wikipedia, the remote picture, the PDF
    host = urlsplit(src).netloc
    card = cards.filter(has=page.locator(f"button[data-embed^='{src}'], button[data-image='{src}']"))
    expect(card).to_have_count(1)
    load = card.get_by_role("button", name=button)
    expect(load).to_be_visible()
    tag = "img" if attribute == "alt" else "iframe"
    expect(page.locator(tag).and_(page.locator(f"[src^='{src}']"))).to_have_count(0)
    with page.expect_request(lambda r: urlsplit(r.url).netloc == host):
        load.click()
    shown = page.locator(f"{tag}.media-loaded[src^='{src}']")
    expect(shown).to_have_count(1)
    label = shown.get_attribute(attribute)
    assert label and label.strip(), f"the {tag} loaded from {host} has no {attribute}"
    if attribute == "alt":
        assert label == REMOTE_ALT
    expect(shown).to_be_focused()              # the reader's focus stays where the card was
    assert blocked and all(urlsplit(u).netloc == host for u in blocked), blocked
    expect(card).to_have_count(0)              # the card gave its place to what it loaded


def test_the_timeline_page_asks_no_other_site(page, media_url):
    requests, blocked = _guard(page, media_url)
    page.set_viewport_size({"width": 360, "height": 800})
    open_page(page, media_url + "/")
    _load_every_picture(page)
    settle(page)
    assert requests and blocked == [] and all(_local(u, media_url) for u in requests), requests


def test_without_javascript_a_card_is_a_plain_link(new_context, media_url):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    requests, blocked = _guard(page, media_url)
    errors = watch_errors(page, [])
    open_page(page, _event(media_url))
    cards = page.locator(".media-card")
    expect(cards).to_have_count(5)
    links = {}
    for i in range(cards.count()):
        card = cards.nth(i)
        link = card.locator(".card-open a")
        expect(link).to_be_visible()
        links[link.get_attribute("href")] = link.inner_text()
        expect(card.locator(".card-load")).to_be_hidden()
        expect(card.get_by_role("button")).to_have_count(0)   # hidden: not in the accessibility tree
    assert set(links) == {YOUTUBE, VIMEO, WIKIPEDIA, REMOTE_PICTURE, "../../ev/report.pdf"}
    assert links[YOUTUBE] == "Open on YouTube"
    expect(page.locator(".card-load:visible")).to_have_count(0)
    expect(page.locator("iframe")).to_have_count(0)
    assert blocked == [] and all(_local(u, media_url) for u in requests), requests
    assert errors == []


# --------------------------------------------------------------------------- accessibility, validity

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("which", ["event", "index"])
def test_wcag_aa(page, axe, media_url, which, scheme, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    path = _event(media_url) if which == "event" else media_url + "/"
    open_page(page, path)
    _load_every_picture(page)
    assert page.locator(".card-load button:visible").count() == (3 if which == "event" else 0)
    violations = axe()
    assert violations == [], f"{path} {scheme} {width}px:\n" + json.dumps(violations, indent=1)


def test_html_valid(media_site, vnu):
    errors = vnu([media_site])
    for e in errors:
        e["url"] = e.get("url", "").replace(media_site.as_uri(), "")
    assert errors == [], json.dumps(errors, indent=1, ensure_ascii=False)


# --------------------------------------------------------------------------- TimelineJS

def test_timelinejs_shows_the_media_slide(page, media_site, timelinejs, tmp_path):
    """The real TimelineJS reads the built timeline.json (the pictures beside it, as on the site) and
    shows the first event's picture with its caption and credit."""
    folder = tmp_path / "tl"
    shutil.copytree(media_site, folder, ignore=shutil.ignore_patterns("*.html"))
    shutil.copytree(timelinejs / "js", folder / "js")
    shutil.copytree(timelinejs / "css", folder / "css")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    data = json.loads((media_site / "timeline.json").read_text(encoding="utf-8"))
    first = data["events"][0]
    assert first["unique_id"] == EVENT
    media = first["media"]
    assert (media["url"], media["alt"]) == ("ev/wide.jpg", "A wide blue picture")
    errors = []
    httpd, url = serve(folder)
    try:
        watch_errors(page, errors)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{url}/index.html")
        page.wait_for_function("n => document.querySelectorAll('.tl-slide').length === n",
                               arg=len(data["events"]) + 1, timeout=WAIT)
        page.evaluate("id => window.timeline.goToId(id)", EVENT)
        slide = page.locator(f".tl-slide[id='{EVENT}']")
        picture = slide.locator("img.tl-media-image")
        expect(picture).to_have_attribute("src", "ev/wide.jpg", timeout=WAIT)
        expect(picture).to_have_attribute("alt", "A wide blue picture")
        expect(picture).to_be_visible(timeout=WAIT)
        page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=picture.element_handle(), timeout=WAIT)
        assert picture.evaluate("e => e.src") == f"{url}/ev/wide.jpg"
        expect(slide.locator(".tl-caption")).to_have_text("The wide picture, first")
        expect(slide.locator(".tl-caption em")).to_have_text("first")
        expect(slide.locator(".tl-credit")).to_have_text("Photo: Test Agency")
        page.wait_for_load_state("networkidle")
    finally:
        stop(httpd)
    assert errors == []


# --------------------------------------------------------------------------- the example

@pytest.fixture(scope="module")
def example_media_pages(event_slugs):
    nato = [s for s in event_slugs if s.startswith("2024-10-28-nato")]
    meeting = [s for s in event_slugs if s.startswith("2024-10-30-security-consultative")]
    assert len(nato) == 1 and len(meeting) == 1, event_slugs
    return {"map": event_path(nato[0]), "document": event_path(meeting[0])}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_example_locator_map_loads(page, console_errors, base_url, example_media_pages, width):
    requests, blocked = _guard(page, base_url)
    page.set_viewport_size({"width": width, "height": 800})
    open_page(page, example_media_pages["map"])
    figure = page.locator("figure.media-image")
    expect(figure).to_have_count(1)
    [box] = _load_every_picture(page)
    assert box["src"].endswith("/media/locator-map.svg"), box
    assert box["nw"] > 0 and box["alt"].startswith("Map of Europe and Asia"), box
    assert box["h"] > 0 and _ratio_kept(box, box["aw"] / box["ah"]), box
    assert box["w"] <= width
    expect(figure.locator(".credit")).to_contain_text("Natural Earth")
    assert blocked == [] and all(_local(u, base_url) for u in requests), requests
    assert console_errors == []


def test_the_example_document_is_a_card(page, console_errors, base_url, example_media_pages):
    requests, blocked = _guard(page, base_url)
    open_page(page, example_media_pages["document"])
    card = page.locator(".media-card")
    expect(card).to_have_count(1)
    link = card.locator(".card-open a")
    expect(link).to_have_attribute(
        "href", "https://geoindopacific.com/news/56th-security-consultative-meeting-joint-communique")
    expect(link).to_be_visible()
    expect(page.locator("figure.media figcaption .credit")).to_contain_text("Department of Defense")
    assert blocked == [] and all(_local(u, base_url) for u in requests), requests
    assert console_errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("which", ["map", "document"])
def test_the_example_media_pages_wcag_aa(page, axe, example_media_pages, which, scheme, width):
    """test_site checks the example's index and one event page with axe, and every page with the Nu
    checker; these are the two pages with media."""
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    open_page(page, example_media_pages[which])
    _load_every_picture(page)
    violations = axe()
    assert violations == [], f"{which} {scheme} {width}px:\n" + json.dumps(violations, indent=1)
