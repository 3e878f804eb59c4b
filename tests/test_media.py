"""Pictures, video and documents with every event (issue 18): `media:` read, checked, published and shown
on the event page, the timeline, timeline.json, the Atom feed, JSON-LD and the share cards."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from chronicle.media import provider_of
from conftest import SOURCE, tree


def picture(path, size=(1200, 800), form="JPEG", colour=(180, 40, 40)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, form)
    return path


def measured(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def published(project) -> dict[str, bytes]:
    """The media files of the built site: every file but the pages, feeds and the theme's."""
    made = ("html", "xml", "json", "ics", "txt", "css", "svg", "js")
    return {name: data for name, data in tree(project.root / "output").items()
            if not name.startswith("static/") and name.rsplit(".", 1)[-1] not in made}


def figure_html(project, slug):
    page = project.read(f"events/{slug}/index.html")
    return re.findall(r'<figure class="media.*?</figure>', page, re.S)


def test_a_picture_beside_the_entry_is_published_in_its_sizes_with_caption_and_credit(project):
    picture(project.content / "kursk" / "map.jpg", (3000, 2000))
    project.entry("kursk/2024-10-28-nato.md", f"""
        title: NATO confirms the deployment
        media:
          src: map.jpg
          alt: Map of Kursk region
          caption: Where the *units* were sent
          credit: Photo by A. Reporter
        sources: [{SOURCE}]
    """)
    assert project.run("build", "--no-cache").code == 0
    files = published(project)
    # Never copied at full size: the largest side is 2,400 px; smaller widths, and WebP beside JPEG.
    assert sorted(files) == sorted([
        "kursk/map.jpg", "kursk/map.480w.jpg", "kursk/map.960w.jpg", "kursk/map.1600w.jpg",
        "kursk/map.480w.webp", "kursk/map.960w.webp", "kursk/map.1600w.webp", "kursk/map.2400w.webp"])
    assert measured(files["kursk/map.jpg"]) == (2400, 1600)
    assert measured(files["kursk/map.480w.webp"]) == (480, 320)
    [figure] = figure_html(project, "2024-10-28-nato")
    assert 'src="../../kursk/map.jpg"' in figure
    assert 'width="2400" height="1600" alt="Map of Kursk region"' in figure
    assert "loading=" not in figure  # the first picture of the page is at the top: not lazy
    assert '<source type="image/webp" srcset="../../kursk/map.480w.webp 480w, ' in figure
    assert "../../kursk/map.jpg 2400w" in figure
    assert '<span class="caption">Where the <em>units</em> were sent</span>' in figure
    assert '<span class="credit">Photo by A. Reporter</span>' in figure
    # On the timeline: a thumbnail, lazy, with its size.
    index = project.read("index.html")
    assert re.search(r'<a class="thumbnail" href="events/2024-10-28-nato/index.html"[^>]*>\s*<picture>', index)
    assert 'width="2400" height="1600" alt="Map of Kursk region" loading="lazy"' in index


def test_a_file_nobody_references_is_not_published(project, sourced):
    picture(project.content / "used.png", (100, 50), "PNG")
    picture(project.content / "unused.png", (100, 50), "PNG")
    (project.content / "notes.pdf").write_bytes(b"%PDF-1.4 not referenced")
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nmedia: {{src: used.png, alt: A square}}\n{sourced}")
    assert project.run("build", "--no-cache").code == 0
    assert sorted(published(project)) == ["used.100w.webp", "used.png"]


def test_a_path_from_the_content_folder_and_a_file_shared_by_two_events(project, sourced):
    picture(project.content / "shared" / "logo.png", (64, 64), "PNG")
    project.entry("x/a.md", f"title: A\ndate: 2024-10-28\nmedia: [{{src: /shared/logo.png, alt: Logo}}]\n{sourced}")
    project.entry("y/b.md", f"title: B\ndate: 2024-10-29\nmedia: [{{src: ../shared/logo.png, alt: Logo}}]\n{sourced}")
    assert project.run("build", "--no-cache").code == 0
    assert "shared/logo.png" in published(project)
    for slug in ("a", "b"):
        assert 'src="../../shared/logo.png"' in project.read(f"events/{slug}/index.html")


@pytest.mark.parametrize("item, message", [
    ("{src: map.png}", "4: error: media alt is missing: a reader who cannot see the image gets nothing"),
    ("{src: gone.png, alt: Map}", "4: error: 'gone.png' is not there"),
    ("{src: ../../etc/passwd.png, alt: x}", "4: error: media src '../../etc/passwd.png' is outside the content folder"),
    ("{src: broken.png, alt: Map}", "error: media file content/broken.png is not an image Chronicle can read"),
    ("{src: 'javascript:alert(1)', alt: x}", "4: error: media src: 'javascript:alert(1)' is not an http or https link"),
    ("{src: clip.xyz}", "4: error: media src 'clip.xyz': Chronicle does not know a '.xyz' file"),
    ("{src: map.png, alt: x, type: poster}", "4: error: media type 'poster' is not one Chronicle knows"),
    ("{src: 'https://example.org/page', type: embed}", "is not a link to a site Chronicle can embed"),
    ("{alt: x}", "4: error: a media item needs `src:`"),
    ("{src: map.png, alt: x, link: 'ftp://x.org/a'}", "4: error: media link: 'ftp://x.org/a' is not an http or https link"),
    ("{src: flat.svg, alt: x}", "error: media file content/flat.svg has no width and height nor viewBox"),
])
def test_what_is_wrong_with_media_is_an_error_at_its_line(project, sourced, item, message):
    picture(project.content / "map.png", (10, 10), "PNG")
    (project.content / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (project.content / "flat.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nmedia: {item}\n{sourced}")
    project.run("build", "--no-cache")  # a first site, which a failed build must leave as it was
    before = tree(project.root / "output") if (project.root / "output").exists() else {}
    result = project.run("build", "--no-cache")
    assert result.code == 1
    assert any(line.startswith("content/a.md:") and message in line for line in result.lines), result.err
    assert "—" in next(line for line in result.lines if message in line)  # says what to write instead
    assert (tree(project.root / "output") if (project.root / "output").exists() else {}) == before


def test_every_problem_is_told_at_once_each_at_its_own_line(project, sourced):
    project.entry("a.md", f"""
        title: A
        date: 2024-10-28
        media:
          - src: one.png
          - src: https://example.org/p.jpg
            alt: Fine
          - src: two.jpg
        {sourced}
    """)
    result = project.run("build", "--no-cache")
    assert result.code == 1
    lines = [line for line in result.lines if "media alt is missing" in line]
    assert [line.split(":")[1] for line in lines] == ["5", "8"]


def test_decorative_picture_and_link(project, sourced):
    picture(project.content / "rule.png", (600, 20), "PNG")
    picture(project.content / "photo.jpg", (800, 600))
    project.entry("a.md", f"""
        title: A
        date: 2024-10-28
        media:
          - src: photo.jpg
            alt: The square
            link: https://example.org/original
          - src: rule.png
            alt: ""
            link: https://example.org/rule
        {sourced}
    """)
    assert project.run("build", "--no-cache").code == 0
    photo, rule = figure_html(project, "a")
    assert '<a href="https://example.org/original" rel="noopener noreferrer">' in photo
    assert 'alt=""' in rule and 'loading="lazy"' in rule
    # A picture without alt text is not a link's only content (the link would have no name): the link is a word.
    assert '<a class="media-link" href="https://example.org/rule" rel="noopener noreferrer">More</a>' in rule


def test_links_to_other_sites_are_cards_that_load_nothing_until_asked(project, sourced):
    project.entry("a.md", f"""
        title: A
        date: 2024-10-28
        media:
          - src: https://www.youtube.com/watch?v=dQw4w9WgXcQ
            caption: The briefing
          - https://en.wikipedia.org/wiki/Kursk_Oblast
          - src: https://upload.wikimedia.org/wikipedia/commons/a/a1/Map.png
            alt: A map
          - https://example.org/report.pdf
        {sourced}
    """)
    assert project.run("build", "--no-cache").code == 0
    page = project.read("events/a/index.html")
    youtube, wikipedia, image, pdf = figure_html(project, "a")
    assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in youtube
    assert '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener noreferrer">Open on YouTube</a>' in youtube
    assert "Wikipedia" in wikipedia and "data-embed" not in wikipedia  # it refuses frames: a link
    assert 'data-image="https://upload.wikimedia.org/' in image and 'data-alt="A map"' in image
    assert "Document on" in pdf and "example.org" in pdf
    # Nothing of another site is requested by the page: no src, srcset or poster leaves the site.
    assert not re.search(r'(src|srcset|poster)="(https?:)?//', page)
    assert '<script src="../../static/media.js" defer></script>' in page
    assert "media.js" in tree(project.root / "output" / "static")


def test_video_audio_and_documents_published_with_the_site(project, sourced):
    (project.content / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 video bytes")
    (project.content / "speech.mp3").write_bytes(b"ID3 audio bytes")
    (project.content / "communique.pdf").write_bytes(b"%PDF-1.7 " + b"x" * 2400)
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nmedia: [clip.mp4, speech.mp3, communique.pdf]\n{sourced}")
    assert project.run("build", "--no-cache").code == 0
    video, audio, document = figure_html(project, "a")
    assert '<video controls preload="metadata" src="../../clip.mp4">' in video and "autoplay" not in video
    assert '<audio controls preload="none" src="../../speech.mp3">' in audio
    assert '<a href="../../communique.pdf">communique.pdf</a>' in document and "PDF, 2 KB" in document
    assert published(project)["clip.mp4"] == (project.content / "clip.mp4").read_bytes()


def test_timeline_json_atom_json_ld_and_share_cards(project, sourced):
    picture(project.content / "map.png", (1000, 500), "PNG")
    project.write("_index.md", "---\ntitle: T\nbase_url: https://news.example/t/\n---\n")
    project.entry("a.md", f"""
        title: A
        date: 2024-10-28
        media:
          - src: map.png
            alt: The map
            caption: Kursk
            credit: Natural Earth
          - https://www.youtube.com/watch?v=dQw4w9WgXcQ
        {sourced}
    """)
    assert project.run("build", "--no-cache").code == 0
    slide = json.loads(project.read("timeline.json"))["events"][0]
    assert slide["media"] == {"url": "https://news.example/t/map.png", "caption": "Kursk",
                              "credit": "Natural Earth", "alt": "The map",
                              "thumbnail": "https://news.example/t/map.480w.png"}
    feed = project.read("feed.xml")
    assert '<link rel="enclosure" type="image/png" length="' in feed
    assert 'href="https://news.example/t/map.png"' in feed
    assert '&lt;img src="https://news.example/t/map.png" alt="The map"' in feed
    page = project.read("events/a/index.html")
    schema = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    assert schema["image"] == ["https://news.example/t/map.png"]
    assert '<meta property="og:image" content="https://news.example/t/map.png">' in page
    assert '<meta property="og:image:alt" content="The map">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_the_cached_build_makes_the_same_bytes_and_sees_a_picture_change(project, sourced):
    photo = picture(project.content / "photo.jpg", (900, 600))
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nmedia: {{src: photo.jpg, alt: Photo}}\n{sourced}")
    assert project.run("build").code == 0
    cached = tree(project.root / "output")
    assert project.run("build", "--no-cache").code == 0
    assert tree(project.root / "output") == cached
    picture(photo, (400, 300), colour=(10, 10, 200))  # the same file, another picture: a new size
    assert project.run("build").code == 0
    assert 'width="400" height="300"' in project.read("events/a/index.html")
    again = tree(project.root / "output")
    assert project.run("build", "--no-cache").code == 0
    assert tree(project.root / "output") == again


def test_no_network_at_build_time(project, sourced, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the build opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nmedia: [https://vimeo.com/76979871, "
                          f"'https://upload.wikimedia.org/a.jpg']\n{sourced}")
    result = project.run("build", "--no-cache")
    assert result.code == 1 and "media alt is missing" in result.err  # the remote picture needs alt too
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nmedia: [https://vimeo.com/76979871]\n{sourced}")
    assert project.run("build", "--no-cache").code == 0


@pytest.mark.parametrize("url, name, embed", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "Vimeo", "https://player.vimeo.com/video/76979871"),
    ("https://x.com/NATO/status/1850899488467263849", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1850899488467263849"),
    ("https://twitter.com/NATO/status/1850899488467263849", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1850899488467263849"),
    ("https://bsky.app/profile/nato.int/post/3l7abc", "Bluesky", ""),
    ("https://mastodon.social/@nato/113386000000000000", "Mastodon",
     "https://mastodon.social/@nato/113386000000000000/embed"),
    ("https://www.instagram.com/p/C9xyz/", "Instagram", "https://www.instagram.com/p/C9xyz/embed"),
    ("https://www.tiktok.com/@nato/video/7430000000000000000", "TikTok",
     "https://www.tiktok.com/embed/v2/7430000000000000000"),
    ("https://en.wikipedia.org/wiki/Kursk", "Wikipedia", ""),
    ("https://www.google.com/maps/embed?pb=abc", "Google Maps", "https://www.google.com/maps/embed?pb=abc"),
    ("https://www.google.com/maps/place/Kursk", "Google Maps", ""),
    ("https://www.openstreetmap.org/#map=8/51.73/36.19", "OpenStreetMap",
     "https://www.openstreetmap.org/export/embed.html?bbox=35.4869%2C51.3784%2C36.8931%2C52.0816&layer=mapnik&marker=51.73,36.19"),
    ("https://www.documentcloud.org/documents/2145212-communique", "DocumentCloud",
     "https://embed.documentcloud.org/documents/2145212-communique/"),
    ("https://soundcloud.com/nato/briefing", "SoundCloud",
     "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fnato%2Fbriefing"),
    ("https://example.org/youtube.com/watch", None, None),
])
def test_providers(url, name, embed):
    from urllib.parse import urlsplit
    provider = provider_of(url)
    assert (provider.name if provider else None) == name
    if provider:
        assert (provider.embed(urlsplit(url)) or "") == embed


def test_serve_shows_a_picture_replaced_while_serving(tmp_path):
    """A picture saved again (another size) is seen by the live preview: the page gives its new size,
    and output/ is then as a fresh build makes it."""
    import subprocess
    import sys

    from conftest import ROOT
    from test_serve import Preview

    content = tmp_path / "content"
    photo = picture(content / "photo.jpg", (900, 600))
    (content / "a.md").write_text(f"---\ntitle: A\ndate: 2024-10-28\nmedia: {{src: photo.jpg, alt: Photo}}\n"
                                  f"sources: [{SOURCE}]\n---\nBody.\n")
    server = Preview(tmp_path)
    try:
        server.listen()
        assert 'width="900" height="600"' in server.until(lambda body: "Photo" in body, "/events/a/")
        picture(photo.with_name("new.jpg"), (300, 300), colour=(0, 90, 0)).replace(photo)  # saved whole
        server.until(lambda body: 'width="300" height="300"' in body, "/events/a/")
        assert server.get("/photo.jpg")[0] == 200
    finally:
        code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-cache", "--output", "fresh"], cwd=tmp_path,
                   check=True, capture_output=True)
    assert tree(tmp_path / "output") == tree(tmp_path / "fresh")


def test_an_unknown_media_field_is_a_warning_naming_the_one_meant(project, sourced):
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nmedia: {{src: 'https://vimeo.com/76979871', captoin: x}}\n{sourced}")
    result = project.run("build", "--no-cache")
    assert result.code == 0
    assert "content/a.md:4: warning: unknown media field 'captoin' — did you mean 'caption'?" in result.err


def test_a_warm_build_makes_no_picture_again(project, sourced, monkeypatch):
    """The cache keeps what each picture made, by its bytes: a build after an edit of the text makes
    none of them again, and a build after the picture changed makes only that one."""
    import chronicle.media as media

    picture(project.content / "one.jpg", (1000, 700))
    two = picture(project.content / "two.png", (640, 480), "PNG")
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nmedia: [{{src: one.jpg, alt: One}}, {{src: two.png, alt: Two}}]\n{sourced}")
    made = []
    real = media._make_picture
    monkeypatch.setattr(media, "_make_picture", lambda name, data: made.append(name) or real(name, data))
    assert project.run("build").code == 0 and sorted(made) == ["one.jpg", "two.png"]
    made.clear()
    project.entry("a.md", f"title: A, edited\ndate: 2024-10-28\nmedia: [{{src: one.jpg, alt: One}}, {{src: two.png, alt: Two}}]\n{sourced}")
    assert project.run("build").code == 0 and made == []
    picture(two, (320, 240), "PNG", colour=(0, 0, 0))
    assert project.run("build").code == 0 and made == ["two.png"]
    assert 'width="320" height="240"' in project.read("events/a/index.html")


# --- files the text links to (Hugo's page bundles) --------------------------------------------------------


def test_a_file_beside_the_entry_that_its_text_links_to_is_published_with_it(project, sourced):
    picture(project.content / "kursk" / "map.png", (300, 200), "PNG")
    (project.content / "kursk" / "ruling one.pdf").write_bytes(b"%PDF-1.4 the ruling")
    (project.content / "kursk" / "unlinked.pdf").write_bytes(b"%PDF-1.4 nobody links to it")
    project.write("_index.md", "---\ntitle: T\nbase_url: https://news.example/t/\n---\n")
    project.entry("kursk/2024-10-28-a.md", f"title: A\n{sourced}",
                  "The troops, ![Map of Kursk](map.png), and [the ruling](ruling%20one.pdf#page=2).\n\n"
                  '<img src="map.png" alt="Again"> [An earlier event](../2024-10-27-b/) and [elsewhere](https://example.org/).\n'
                  "\n[The same map from the content folder](/kursk/map.png) and ![an icon](/favicon.ico).\n")
    assert project.run("build", "--no-cache").code == 0
    assert sorted(published(project)) == ["kursk/map.png", "kursk/ruling one.pdf"]
    page = project.read("events/2024-10-28-a/index.html")
    assert '<img alt="Map of Kursk" src="../../kursk/map.png">' in page
    assert '<img src="../../kursk/map.png" alt="Again">' in page
    assert 'href="../../kursk/ruling%20one.pdf#page=2"' in page
    assert 'href="../2024-10-27-b/"' in page and 'href="https://example.org/"' in page  # no file: as written
    assert 'href="../../kursk/map.png"' in page and 'src="/favicon.ico"' in page  # perhaps a file of static/
    assert '<img alt="Map of Kursk" src="kursk/map.png">' in project.read("index.html")
    assert "https://news.example/t/kursk/map.png" in project.read("feed.xml")
    assert "https://news.example/t/kursk/map.png" in project.read("timeline.json")
    assert not [name for name, data in tree(project.root / "output").items()
                if name.endswith((".html", ".xml", ".json", ".ics")) and b"\x00" in data]
    reference = tree(project.root / "output")
    assert project.run("build").code == 0 and tree(project.root / "output") == reference


def test_a_picture_the_text_shows_that_is_not_there_is_an_error_at_its_line(project, sourced):
    project.entry("2024-10-28-a.md", f"title: A\n{sourced}", "First.\n\n![The map](gone.png)\n")
    run = project.run("build")
    assert run.code == 1
    assert any(line.startswith(f"{Path('content') / '2024-10-28-a.md'}:7: error: the text shows 'gone.png', which is not there")
               for line in run.lines), run.err


def test_a_linked_file_added_later_is_seen_by_the_cached_build(project, sourced):
    project.entry("2024-10-28-a.md", f"title: A\n{sourced}", "See [the ruling](ruling.pdf).\n")
    assert project.run("build").code == 0
    assert 'href="ruling.pdf"' in project.read("events/2024-10-28-a/index.html")  # no such file yet
    (project.content / "ruling.pdf").write_bytes(b"%PDF-1.4 the ruling")
    assert project.run("build").code == 0
    assert 'href="../../ruling.pdf"' in project.read("events/2024-10-28-a/index.html")
    cached = tree(project.root / "output")
    assert project.run("build", "--no-cache").code == 0 and tree(project.root / "output") == cached
