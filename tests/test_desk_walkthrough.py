"""The whole desk, end to end, in a real Chromium and through the real UI only.

A reporter logs in, selects a passage of a seed article with the mouse and cites it as
disputing a new claim, accepts a suggested person, drafts a story citing the new passage
through the admin's autocomplete and submits it for review; an editor publishes it; an
anonymous reader follows its citation marker to the highlighted passage of the source.

Every step is done by clicking and typing; the database is only read, to check what each
step stored. Screenshots of the key steps land in test-artifacts/desk-*.png.
"""

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from stories.models import (
    Article,
    Evidence,
    Person,
    PersonSuggestion,
    Stance,
    Story,
    StoryStatus,
    SuggestionStatus,
)
from stories.roles import EDITORS, REPORTERS, ROLE_PERMISSIONS
from stories.services import suggestions

pytestmark = pytest.mark.browser

ARTICLE = "Megan Thee Stallion and Justin Timberlake: An Unlikely Encounter at the VMAs"
# Not cited by the demo story, and found once in the article.
QUOTE = "The source notes that Megan expressed her admiration for JT"
CLAIM = "Megan Thee Stallion was angry with Justin Timberlake backstage"
ATTRIBUTED_TO = "a source close to the situation"
# The name the article gives that is not on file: accepting it adds a person.
NEW_PERSON = "Rukai Mori"
HEADLINE = "Was Megan Thee Stallion angry with Justin Timberlake?"
SLUG = "was-megan-thee-stallion-angry-with-justin-timberlake"
STATEMENT = "A source close to Megan said she admired Timberlake rather than scolded him."

SCREENSHOT_VIEWPORT = {"width": 1280, "height": 800}
TRANSPARENT = {"rgba(0, 0, 0, 0)", "transparent"}


class Steps:
    """Wall-clock time of each step, reported when the test ends."""

    def __init__(self):
        self.times, self.last = [], time.monotonic()

    def done(self, name):
        now = time.monotonic()
        self.times.append((name, now - self.last))
        self.last = now

    def report(self):
        return ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.times)


def role_group(name):
    """The group as roles.py defines it (migration 0003 and every flush recreate it)."""
    group = Group.objects.get(name=name)
    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == set(ROLE_PERMISSIONS[name]), f"the {name} group is not as roles.py says"
    return group


def staff_user(django_user_model, username, group):
    user = django_user_model.objects.create_user(
        username, password=f"{username}-pw-8472", is_staff=True
    )
    user.groups.add(role_group(group))
    return user


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-pw-8472")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))


def log_out(page, live_server):
    from playwright.sync_api import expect

    page.goto(live_server.url + reverse("admin:index"))
    page.locator("#logout-form button[type=submit]").click()  # Django 5: a POST form
    page.wait_for_url(live_server.url + reverse("admin:logout"))
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()


def drag_select(page, phrase):
    """Select ``phrase`` in the reading view's text with the mouse: press just inside its
    first character, move, release just inside its last, as a person would."""
    box = page.evaluate(
        """phrase => {
            const seg = [...document.querySelectorAll('#desk-text [data-start]')]
                .find(s => s.firstChild.data.includes(phrase));
            if (!seg) return null;
            seg.scrollIntoView({block: 'center'});
            const node = seg.firstChild, at = node.data.indexOf(phrase);
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + 1);
            const first = range.getBoundingClientRect();
            range.setStart(node, at + phrase.length - 1);
            range.setEnd(node, at + phrase.length);
            const last = range.getBoundingClientRect();
            return {
                x0: first.left + 1, y0: first.top + first.height / 2,
                x1: last.right - 1, y1: last.top + last.height / 2,
            };
        }""",
        phrase,
    )
    assert box is not None, f"“{phrase}” is not inside one run of the reading view's text"
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move((box["x0"] + box["x1"]) / 2, (box["y0"] + box["y1"]) / 2, steps=5)
    page.mouse.move(box["x1"], box["y1"], steps=5)
    page.mouse.up()


def choose_in_autocomplete(page, select_name, search, result_text):
    """Open the select2 box of the <select name=…>, type, and click the matching result."""
    from playwright.sync_api import expect

    container = page.locator(f"select[name='{select_name}'] + .select2-container")
    container.locator(".select2-selection").click()
    search_box = page.locator(".select2-container--open .select2-search__field")
    search_box.fill(search)
    result = page.locator(".select2-container--open .select2-results__option", has_text=result_text)
    expect(result).to_have_count(1)
    result.click()
    expect(container.locator(".select2-selection__choice")).to_contain_text(result_text)


def test_reporter_cites_drafts_and_submits_editor_publishes_reader_follows_the_citation(
    live_server, transactional_db, page, artifacts_dir, django_user_model
):
    from playwright.sync_api import expect

    steps = Steps()
    page.set_viewport_size(SCREENSHOT_VIEWPORT)  # what docs/screenshots/ are taken at
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    # Loading the fixtures proposes nobody; importing the articles would have.
    assert not PersonSuggestion.objects.exists()
    for seed in Article.objects.order_by("pk"):
        suggestions.suggest_people(seed)
    article = Article.objects.get(headline=ARTICLE)
    suggestion = PersonSuggestion.objects.get(article=article, name=NEW_PERSON)
    assert suggestion.status == SuggestionStatus.PENDING and suggestion.person is None
    assert not Person.objects.filter(name=NEW_PERSON).exists()
    assert article.body.count(QUOTE) == 1
    quote_start = article.body.index(QUOTE)

    # 1. Two desk users in the real groups; the reporter logs in through the form.
    reporter = staff_user(django_user_model, "reporter", REPORTERS)
    editor = staff_user(django_user_model, "editor", EDITORS)
    log_in(page, live_server, "reporter")
    steps.done("log in")

    # 2. Articles -> the article's reading view; cite a passage selected by mouse.
    page.get_by_role("link", name="Articles", exact=True).first.click()
    page.wait_for_url(re.compile(r"/admin/stories/article/$"))
    page.get_by_role("link", name=f"Read “{ARTICLE}”").click()
    page.wait_for_url(live_server.url + reverse("admin:stories_article_read", args=[article.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE)
    page.locator("#toggle-nav-sidebar").click()  # room for the text and the panel
    expect(page.locator("#nav-sidebar")).to_be_hidden()
    panel = page.locator("#cite")
    expect(panel).to_be_hidden()

    drag_select(page, QUOTE)
    expect(panel).to_be_visible()
    expect(panel.locator(".desk-selected-quote")).to_have_text(QUOTE)
    assert page.evaluate("() => getSelection().toString().trim()") == QUOTE
    assert page.input_value("#cite-form input[name=start]") == str(quote_start)
    assert page.input_value("#cite-form input[name=end]") == str(quote_start + len(QUOTE))
    form = page.locator("#cite-form")
    form.get_by_label("Or a new claim").fill(CLAIM)
    form.get_by_label("Disputes").check()
    form.locator("select[name=origin_kind]").select_option(label="An anonymous source")
    form.get_by_label("described as").fill(ATTRIBUTED_TO)
    page.screenshot(path=artifacts_dir / "desk-01-reading-view-selection.png")
    form.get_by_role("button", name="Cite passage").click()

    page.wait_for_url(re.compile(r"/read/#passage-\d+$"))
    evidence = Evidence.objects.get(claim__text=CLAIM)
    assert page.url.endswith(f"#passage-{evidence.pk}")
    mark = page.locator(f"mark#passage-{evidence.pk}")
    expect(mark).to_be_visible()
    expect(mark).to_have_class(re.compile(r"\bstance-disputes\b"))
    expect(mark.locator(".desk-seg")).to_have_text(QUOTE)
    assert evidence.article == article
    assert evidence.quote == QUOTE
    assert (evidence.start, evidence.end) == (quote_start, quote_start + len(QUOTE))
    assert article.body[evidence.start : evidence.end] == evidence.quote
    assert evidence.stance == Stance.DISPUTES
    assert (evidence.origin.kind, evidence.origin.label) == ("anonymous", ATTRIBUTED_TO)
    steps.done("cite by selection")

    # 3. Accept the suggested person who is not on file yet.
    panel = page.locator("#suggestions")
    card = panel.locator("form.desk-suggestion").filter(
        has=page.locator(f"input[name=name][value='{NEW_PERSON}']")
    )
    expect(card).to_have_count(1)
    # At the top of the page, where the sticky cite dock does not float over the panel.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(
        path=artifacts_dir / "desk-02-suggestions.png",
        full_page=True,
        clip=panel.bounding_box(),
    )
    card.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(r"/read/#suggestions$"))
    expect(page.locator(".messagelist")).to_contain_text(f"Tagged {NEW_PERSON} on this article")
    expect(panel.locator(".desk-tagged")).to_contain_text(NEW_PERSON)
    expect(panel.locator(f"input[name=name][value='{NEW_PERSON}']")).to_have_count(0)
    person = Person.objects.get(name=NEW_PERSON)
    assert article.people.filter(pk=person.pk).exists()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert (suggestion.person, suggestion.decided_by) == (person, reporter)
    steps.done("accept suggestion")

    # 4. Stories -> Add: a draft with one statement citing the new passage; submit it.
    page.goto(live_server.url + reverse("admin:index"))
    page.get_by_role("link", name="Stories", exact=True).first.click()
    page.wait_for_url(re.compile(r"/admin/stories/story/$"))
    page.get_by_role("link", name="Add story").click()
    page.wait_for_url(re.compile(r"/admin/stories/story/add/$"))
    page.get_by_label("Headline").press_sequentially(HEADLINE)  # keyup fills in the slug
    expect(page.get_by_label("Slug")).to_have_value(SLUG)  # prepopulated from the headline
    page.locator("input[name='statements-0-position']").fill("1")
    page.locator("textarea[name='statements-0-text']").fill(STATEMENT)
    choose_in_autocomplete(page, "statements-0-evidence", "admiration for JT", QUOTE[:40])
    expect(page.locator("input[name=_publish]")).to_have_count(0)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/stories/story/$"))
    story = Story.objects.get(slug=SLUG)
    assert story.status == StoryStatus.DRAFT
    assert list(story.statements.get().evidence.all()) == [evidence]

    page.locator("#result_list").get_by_role("link", name=HEADLINE, exact=True).click()
    change_url = live_server.url + reverse("admin:stories_story_change", args=[story.pk])
    page.wait_for_url(change_url)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("is submitted for review")
    story.refresh_from_db()
    assert story.status == StoryStatus.IN_REVIEW
    assert story.published_revision is None

    page.goto(change_url)
    expect(page.locator(".workflow-state")).to_contain_text("Status: In review.")
    expect(page.locator("input[name=_publish]")).to_have_count(0)  # reporters cannot publish
    expect(page.get_by_role("button", name=re.compile("publish", re.IGNORECASE))).to_have_count(0)
    page.screenshot(path=artifacts_dir / "desk-03-story-review.png", full_page=True)
    steps.done("draft and submit")

    # 5. The editor publishes it.
    log_out(page, live_server)
    log_in(page, live_server, "editor")
    page.goto(change_url)
    expect(page.locator(".workflow-state")).to_contain_text("Status: In review.")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("is published: readers now see revision 1")
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    assert story.is_published
    assert story.published_revision.number == 1
    assert story.published_by == editor
    assert story.published_revision.created_by == editor
    steps.done("publish")

    # 6. An anonymous reader follows the citation to the highlighted passage.
    log_out(page, live_server)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=HEADLINE, exact=True).first.click()
    page.wait_for_url(live_server.url + story.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(page.get_by_text(STATEMENT)).to_be_visible()
    page.screenshot(path=artifacts_dir / "desk-04-published-story.png", full_page=True)
    marker = page.locator("a.cite")
    expect(marker).to_have_count(1)
    marker.click()
    page.wait_for_url(live_server.url + evidence.get_absolute_url())
    assert page.url.endswith(f"/sources/{article.pk}/#passage-{evidence.pk}")
    passage = page.locator(f"mark#passage-{evidence.pk}")
    expect(passage).to_be_visible()
    expect(passage).to_be_in_viewport()
    expect(passage).to_have_text(QUOTE)
    assert passage.evaluate("element => element.matches(':target')")
    background = passage.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background not in TRANSPARENT, f"#passage-{evidence.pk} is not highlighted"
    others = page.locator(f"mark.passage:not(#passage-{evidence.pk})").first
    other = others.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background != other, "the passage landed on looks like every other passage"
    # For the picture only: the passage with the text around it, not at the top edge.
    passage.evaluate("element => element.scrollIntoView({block: 'center'})")
    page.screenshot(path=artifacts_dir / "desk-05-source-passage.png")
    steps.done("reader")

    print(f"\ndesk walkthrough: {steps.report()}")
