"""The history of writing (examples/history-of-writing), 3400 BCE to 1991 with circa dates, in a real
Chromium: every event in order with its date as written, the pages accessible (axe, WCAG 2.1 A/AA,
light and dark), valid HTML (Nu checker: <data value> where HTML has no datetime), no sideways scroll.
"""

import pytest

from .conftest import build_content, ROOT, open_page, serve, stop
from .test_site import _OVERFLOW, SCHEMES, WIDTHS

pytestmark = pytest.mark.browser

CONTENT = ROOT / "examples" / "history-of-writing" / "content"
HEADINGS = ["c. 3400 BCE", "c. 3250 BCE", "c. 1250 BCE", "c. 1050 BCE", "196 BCE", "AD 105", "c. 1440", "1446",
            "July 1799", "Friday, 27 September 1822", "June 1868", "October 1991"]


@pytest.fixture(scope="module")
def history_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("history") / "site"
    build_content(CONTENT, out, timeout=300)
    return out


@pytest.fixture(scope="module")
def history_url(history_site):
    httpd, url = serve(history_site)
    yield url
    stop(httpd)


def test_the_timeline_reads_in_order_with_each_date_as_written(page, console_errors, history_url):
    open_page(page, history_url + "/")
    assert page.locator("section.day h2").all_inner_texts() == HEADINGS
    first = page.locator("article.h-event").first
    assert first.locator(".dt-start").inner_text() == "c. 3400 BCE"
    assert first.locator(".dt-start").get_attribute("value") == "-3399~"  # <data>: HTML has no circa
    page.locator("nav.jump a").first.click()
    assert page.evaluate("location.hash") == "#-3399-c"
    assert console_errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", ["/", "/events/proto-cuneiform/", "/events/champollion/"])
def test_wcag_aa(page, axe, history_url, path, scheme, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    open_page(page, history_url + path)
    assert axe() == [], f"{path} {scheme} {width}px"


def test_html_valid(history_site, vnu):
    assert vnu([history_site]) == []


@pytest.mark.parametrize("path", ["/", "/events/proto-cuneiform/"])
def test_no_horizontal_scroll(page, history_url, path):
    page.set_viewport_size({"width": 320, "height": 640})
    open_page(page, history_url + path)
    m = page.evaluate(_OVERFLOW)
    assert m["scrollWidth"] <= m["innerWidth"], m
