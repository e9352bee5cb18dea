"""The pages readers use to find and share the work, in a real Chromium: the
search box and result pages pass axe-core with no violation at all, and no
page asks the browser for a file that is not there (the favicon was one)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(map(str, node["target"])) for node in v["nodes"])
        for v in Axe().run(page).response["violations"]
    ]


def open_page(page, url):
    response = page.goto(url)
    assert response.ok, f"{url} answered HTTP {response.status}"
    page.wait_for_load_state("load")


def test_the_search_pages_have_no_accessibility_violation(
    live_server, transactional_db, demo_data, page, artifacts_dir
):
    from stories.models import Claim, Person

    site = live_server.url
    search = reverse("stories:search")
    pages = {
        "search results": f"{search}?q=Timberlake",
        "a phrase": f'{search}?q="pointed exchange"',
        "one kind, paginated": f"{search}?q=exchange&kind=claims",
        "nothing found": f"{search}?q=zzyzx",
        "nothing to look for": f"{search}?q=%21%21%21",
        "an absurd query": f"{search}?q=" + "%3Cb%3E" * 30 + "x" * 2000,
        "the empty search": search,
        "a person, with its feed": Person.objects.get(slug="justin-timberlake").get_absolute_url(),
        "a claim": Claim.objects.published().order_by("pk").first().get_absolute_url(),
    }
    found = {}
    for label, url in pages.items():
        open_page(page, site + url)
        violations = axe_violations(page)
        if violations:
            found[label] = violations
    page.goto(site + pages["search results"])
    page.screenshot(path=str(artifacts_dir / "reach-search.png"), full_page=True)
    assert not found, "axe-core violations:\n" + "\n".join(
        f"{label}:\n  " + "\n  ".join(lines) for label, lines in found.items()
    )


def test_a_reader_searches_from_the_box_on_any_page(live_server, transactional_db, demo_data, page):
    from playwright.sync_api import expect

    open_page(page, live_server.url + "/")
    box = page.get_by_role("searchbox", name="Search")
    box.fill('"pointed exchange"')
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    results = page.get_by_role("region", name="Stories (1)")
    expect(results.get_by_role("link")).to_contain_text("Timberlake")
    expect(results.locator("mark").first).to_have_text("pointed")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value('"pointed exchange"')


def test_no_page_asks_for_a_missing_file(live_server, transactional_db, demo_data, page):
    from stories.models import Story

    failures = []
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    icons = []
    page.on("response", lambda r: icons.append(r.status) if "favicon" in r.url else None)
    for url in ["/", Story.objects.published().get().get_absolute_url(), "/search/?q=Megan"]:
        open_page(page, live_server.url + url)
    page.wait_for_timeout(500)  # the browser asks for the icon after the load event
    assert not failures, failures
    assert icons and set(icons) <= {200, 304}, icons
