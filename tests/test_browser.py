"""A reader's path through the site in a real Chromium: front page, story,
citation marker, and the highlighted passage of the source it points to.

Screenshots land in test-artifacts/ so a person can look at what was tested.
"""

import re

import pytest

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"critical", "serious"}


def follow(page, link):
    """Click a link and assert that the page it leads to answered 2xx."""
    with page.expect_response(
        lambda response: (
            response.request.is_navigation_request() and response.request.frame == page.main_frame
        )
    ) as navigation:
        link.click()
    response = navigation.value
    assert response.ok, f"{response.url} answered HTTP {response.status}"
    return response


def assert_accessible(page, label):
    """Run axe-core on the page; fail on any critical or serious violation."""
    from axe_playwright_python.sync_playwright import Axe

    violations = [
        violation
        for violation in Axe().run(page).response["violations"]
        if violation.get("impact") in BLOCKING_IMPACTS
    ]
    report = []
    for violation in violations:
        report.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = ", ".join(str(part) for part in node["target"])
            report.append(f"    at {target}: {node['html'][:200]}")
            if node.get("failureSummary"):
                report.append("      " + node["failureSummary"].replace("\n", "\n      "))
    assert not violations, (
        f"axe-core found {len(violations)} critical/serious violation(s) on the {label} "
        f"({page.url}):\n" + "\n".join(report)
    )


def test_reader_follows_a_citation_to_the_highlighted_passage(
    live_server, transactional_db, demo_data, page, artifacts_dir
):
    from playwright.sync_api import expect

    from stories.models import Story

    story = (
        Story.objects.published()
        .filter(statements__evidence__isnull=False)
        .distinct()
        .order_by("-published_at", "-pk")
        .first()
    )
    assert story is not None, "the demo_story fixture has no published story with citations"

    response = page.goto(live_server.url + "/")
    assert response.ok, f"the front page answered HTTP {response.status}"
    follow(page, page.get_by_role("link", name=story.headline, exact=True).first)
    page.wait_for_url(re.compile(re.escape(story.get_absolute_url()) + r"$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(story.headline)
    page.screenshot(path=artifacts_dir / "reader-story.png", full_page=True)
    assert_accessible(page, "story page")

    marker = page.locator("a.cite").first
    expect(marker).to_be_visible()
    follow(page, marker)
    page.wait_for_url(re.compile(r"/sources/\d+/#passage-\d+$"))
    passage_id = page.url.rsplit("#", 1)[1]

    expect(page.locator(f"[id='{passage_id}']")).to_have_count(1)
    # The id sits on the <mark> itself, or on an empty marker just inside it when
    # several passages open at the same character.
    passage = page.locator(f"mark[id='{passage_id}'], mark:has(> [id='{passage_id}'])")
    expect(passage).to_have_count(1)
    expect(passage).to_be_visible()
    expect(passage).to_be_in_viewport()
    highlight = passage.evaluate(
        """element => ({
            tag: element.tagName.toLowerCase(),
            background: getComputedStyle(element).backgroundColor,
        })"""
    )
    assert highlight["background"] not in {"rgba(0, 0, 0, 0)", "transparent"}, (
        f"#{passage_id} has no highlight background: {highlight}"
    )
    page.screenshot(path=artifacts_dir / "reader-source-passage.png")
    assert_accessible(page, "source page")
