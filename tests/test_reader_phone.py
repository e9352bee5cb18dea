"""The reconciled story on a 390 px phone, in a real Chromium: the claims x sources
matrix reads as a list per claim, citation previews open by keyboard and on touch, and
every reader page type has no axe-core violation at all."""

import pytest

from .conftest import CHROMIUM_ARGS  # noqa: F401  (the browser fixture launches with them)
from .test_browser import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SLUG = "megan-thee-stallion-justin-timberlake-vmas-backstage"


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_matrix_and_a_citation_preview_on_a_phone(
    live_server, transactional_db, demo_data, phone, artifacts_dir
):
    from playwright.sync_api import expect

    page = phone
    page.goto(f"{live_server.url}/stories/{SLUG}/")

    # Nothing is wider than the phone: the page never scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    matrix = page.locator("#how-the-sources-compare")
    expect(matrix).to_be_visible()
    first_row = matrix.locator("tbody tr").first
    # On a phone each claim is a block listing every article's stance, labelled.
    assert first_row.evaluate("row => getComputedStyle(row).display") == "block"
    cell = first_row.locator("td").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"').endswith(": ")
    matrix.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "phone-matrix.png", full_page=False)

    # A passage in the matrix shows its quote on focus.
    link = matrix.locator(".cell-link").first
    link.focus()
    quote = page.locator(f"#{link.get_attribute('aria-describedby')}")
    expect(quote).to_be_visible()

    # A citation marker: the preview opens on the first tap, the second follows it.
    marker = page.locator(".statement .cite").first
    preview = page.locator(f"#{marker.get_attribute('aria-describedby')}")
    expect(preview).to_be_hidden()
    marker.tap()
    expect(preview).to_be_visible()
    assert "/sources/" not in page.url
    box = preview.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    page.screenshot(path=artifacts_dir / "phone-citation-preview.png")
    marker.tap()
    page.wait_for_url("**/sources/**")
    expect(page.locator("mark.passage:target, mark.passage:has(> span:target)")).to_be_visible()


def test_a_citation_preview_opens_by_keyboard(live_server, transactional_db, demo_data, page):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/stories/{SLUG}/")
    marker = page.locator(".statement .cite").first
    preview = page.locator(f"#{marker.get_attribute('aria-describedby')}")
    marker.focus()
    expect(preview).to_be_visible()
    page.keyboard.press("Enter")  # and Enter follows it, without any script
    page.wait_for_url("**/sources/**")


@pytest.mark.parametrize("width", [390, 1280])
def test_every_reader_page_type_has_no_axe_violation(
    live_server, transactional_db, demo_data, browser, width
):
    from stories.models import Article, Claim, Person

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        pages = {
            "front page": "/",
            "story": f"/stories/{SLUG}/",
            "claim": Claim.objects.published().first().get_absolute_url(),
            "source": Article.objects.published().first().get_absolute_url(),
            "person": Person.objects.published().first().get_absolute_url(),
        }
        for label, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            assert_accessible(page, label)
            found = axe_violations(page)
            assert found == [], (label, width, [(v["id"], v["impact"]) for v in found])
    finally:
        context.close()


def test_a_printed_story_keeps_its_footnotes_with_their_passages_and_sources(
    live_server, transactional_db, demo_data, page
):
    page.goto(f"{live_server.url}/stories/{SLUG}/")
    page.emulate_media(media="print")
    notes = page.locator(".citations li")
    assert notes.count() == 29
    for index in (0, 28):
        note = notes.nth(index)
        assert note.is_visible()
        assert note.locator("q").inner_text().strip()
        assert note.locator("a").first.get_attribute("href").startswith("/sources/")
        assert note.evaluate("li => getComputedStyle(li).breakInside") == "avoid"
        # The source's address is printed after its name.
        link = note.locator("a").first
        assert "/sources/" in link.evaluate("a => getComputedStyle(a, '::after').content")
    assert not page.locator(".cite-preview").first.is_visible()


def test_the_second_of_two_overlapping_passages_lands_with_context_above_it(
    live_server, transactional_db, page
):
    from stories.models import Evidence

    from .factories import make_article, make_evidence, make_story

    paragraphs = [f"Paragraph {n} says something quite ordinary about the day." for n in range(40)]
    paragraphs[30] = "The crowd cheered loudly as the band walked on stage at nine."
    article = make_article(body="\n\n".join(paragraphs), headline="Overlaps")
    # Both open at the same character: the second's target is a <span> inside the mark.
    first = make_evidence(article, "The crowd cheered loudly", claim="Cheers")
    second = make_evidence(article, "The crowd cheered loudly as the band walked", claim="Stage")
    make_story("Overlap story", statements=[("Both.", [first, second])])
    assert Evidence.objects.count() == 2

    height = page.viewport_size["height"]
    for passage in (first, second):
        page.goto(f"{live_server.url}{passage.get_absolute_url()}")
        target = page.locator(f"#{passage.anchor_id}")
        top = target.evaluate("el => el.getBoundingClientRect().top")
        assert top > 0.25 * height, (passage.anchor_id, top)  # 30vh of context above it
