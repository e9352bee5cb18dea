"""Re-anchoring a waiting passage by selecting text in the reading view (#9).

An article's new version left a cited passage orphaned. The queue's review page links to the
article's reading view in re-anchor mode (``?reanchor=<evidence id>``); there the editor
selects the passage's new place in the current text and the form posts its offsets to the
review page, which binds the evidence to the current version. Through the test client (the
views, the permission, the refusals) and in a real Chromium (the selection, end to end).
Outside that mode the reading view lists a waiting passage and never draws it: its offsets
index an older text.
"""

import html
import io
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from stories.models import AnchorState, Article, Evidence
from stories.services import versions
from stories.text.anchoring import AnchorError

from .desk import client_for, desk_user, messages_of
from .factories import make_article, make_evidence

V1 = (
    "The council met on Tuesday night to discuss the old bridge.\n\n"
    "Maria Lopez said the bridge would close in May for repairs. The mayor disagreed with her.\n\n"
    "The vote was postponed until the spring session."
)
CITED = "Maria Lopez said the bridge would close in May for repairs."
# The correction rewrites the cited sentence: re-anchoring finds nothing to bind it to.
NEW_SENTENCE = "Correction: Maria Lopez told reporters that repair work would start in June."
V2 = V1.replace(CITED, NEW_SENTENCE)
# What the editor points the passage at instead: part of the rewritten sentence.
CHOSEN = "Maria Lopez told reporters that repair work would start in June."
BREAK = V2.index("\n\n")  # between two paragraphs: no words


def waiting_passage(body=V1, quote=CITED, new_body=V2):
    """A passage the article's version 2 left orphaned, still citing version 1."""
    article = make_article(body=body)
    evidence = make_evidence(article, quote, claim="The bridge closes in May")
    versions.add_version(article, new_body)
    evidence.refresh_from_db()
    assert evidence.anchor_state == AnchorState.ORPHANED
    article.refresh_from_db()
    return article, evidence


def read_url(article):
    return reverse("admin:stories_article_read", args=[article.pk])


def review_url(evidence):
    return reverse("admin:stories_anchortoreview_change", args=[evidence.pk])


def stored(evidence):
    """Everything re-pointing a passage may change, as the database has it."""
    row = Evidence.objects.get(pk=evidence.pk)
    return (
        row.start,
        row.end,
        row.quote,
        row.prefix,
        row.suffix,
        row.article_version_id,
        row.anchor_state,
        row.anchor_score,
        row.anchor_candidates,
        row.reanchored_in_id,
    )


def reanchor_form(page):
    """The action and the hidden fields of the reading view's "Point the passage here" form."""
    form = re.search(
        r'<form id="reanchor-form" method="post" action="([^"]+)">(.*?)</form>', page, re.S
    )
    assert form is not None, "the reading view shows no re-anchor form"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form[2]))
    fields.pop("csrfmiddlewaretoken", None)
    return html.unescape(form[1]), fields


def opened(client, article, evidence):
    """The reading view of ``article`` in re-anchor mode for ``evidence``, as text."""
    return client.get(read_url(article), {"reanchor": evidence.pk}).content.decode()


def in_reanchor_mode(user):
    """A waiting passage opened in re-anchor mode by ``user``: the article, the evidence,
    the client, and ``point(start, end)`` posting the form's offsets as the page sends them."""
    article, evidence = waiting_passage()
    client = client_for(user)
    action, fields = reanchor_form(opened(client, article, evidence))

    def point(start, end, **data):
        return client.post(action, {**fields, "start": start, "end": end, **data}, follow=True)

    return article, evidence, client, point


@pytest.fixture
def editor(django_user_model):
    return desk_user(django_user_model, "editor")


@pytest.mark.django_db
def test_the_review_page_links_to_the_reading_view_in_re_anchor_mode(editor):
    article, evidence = waiting_passage()
    page = client_for(editor).get(review_url(evidence)).content.decode()
    link = f"{read_url(article)}?reanchor={evidence.pk}#reanchor"
    assert f'href="{html.escape(link)}"' in page
    assert "Choose the passage in the reading view" in page
    assert 'name="quote"' in page  # pasting stays, for a desk without JavaScript


@pytest.mark.django_db
def test_re_anchor_mode_says_which_passage_and_replaces_the_cite_form(editor):
    article, evidence = waiting_passage()
    response = client_for(editor).get(read_url(article), {"reanchor": evidence.pk})
    assert response.status_code == 200
    page = response.content.decode()
    note = page[page.index('id="reanchor-note"') : page.index('id="desk-text"')]
    assert "Version 2, the text below, left this passage <strong>orphaned</strong>" in note
    assert "It still cites version 1" in note and CITED in note
    assert "The bridge closes in May" in note
    action, fields = reanchor_form(page)
    assert action == review_url(evidence)
    assert fields == {
        "chosen_in": "reading_view",
        "body_sha256": article.body_sha256,
        "start": "",
        "end": "",
    }
    assert 'id="cite-form"' not in page  # one thing to do with a selection here
    # The orphaned passage indexes version 1: it is listed, not drawn over version 2's words.
    assert f'id="{evidence.anchor_id}"' not in page
    assert "orphaned: cites version 1" in page
    assert f'href="{review_url(evidence)}"' in page


@pytest.mark.django_db
def test_offsets_posted_from_the_reading_view_point_the_passage_at_the_current_version(editor):
    article, evidence, _client, point = in_reanchor_mode(editor)
    start = article.body.index(CHOSEN)

    response = point(start, start + len(CHOSEN))

    assert response.redirect_chain[-1][0] == reverse("admin:stories_anchortoreview_changelist")
    assert "The passage now points at the current version." in messages_of(response)
    evidence.refresh_from_db()
    assert evidence.article_version is None  # the current text: version 2
    assert (evidence.start, evidence.end, evidence.quote) == (start, start + len(CHOSEN), CHOSEN)
    assert evidence.text == article.versions.get(number=2).body and evidence.matches_article()
    assert evidence.anchor_state == AnchorState.CITED
    assert not Evidence.objects.awaiting_editor().exists()
    assert list(response.context["cl"].result_list) == []
    entry = LogEntry.objects.get(object_id=str(evidence.pk), action_flag=CHANGE)
    assert entry.user == editor and CHOSEN[:40] in entry.change_message


@pytest.mark.parametrize(
    ("offsets", "says"),
    [
        (("", ""), "The start offset '' is not a whole number."),
        (("12", "x"), "The end offset 'x' is not a whole number."),
        (("-3", "10"), "The start offset '-3' is not a whole number."),
        (("\u00b2", "10"), "The start offset '\u00b2' is not a whole number."),
        (("10", "9" * 30), "is not a whole number."),
        (("40", "40"), "Nothing was changed"),
        (("50", "20"), "Nothing was changed"),
        (("10", "100000"), "Nothing was changed"),
        ((str(BREAK), str(BREAK + 2)), "select no words of the article"),
    ],
)
@pytest.mark.django_db
def test_bad_offsets_are_refused_back_in_the_reading_view_and_change_nothing(editor, offsets, says):
    article, evidence, _client, point = in_reanchor_mode(editor)
    before = stored(evidence)

    page = point(*offsets)

    back = f"{read_url(article)}?reanchor={evidence.pk}#reanchor"
    assert page.redirect_chain == [(back, 302)]
    assert any(
        says in message and "Nothing was changed" in message for message in messages_of(page)
    )
    assert stored(evidence) == before
    assert 'id="reanchor-form"' in page.content.decode()  # still in re-anchor mode, to try again


@pytest.mark.django_db
def test_offsets_chosen_in_a_text_a_newer_version_replaced_are_refused(editor):
    article, evidence, _client, point = in_reanchor_mode(editor)
    start = article.body.index(CHOSEN)
    # Meanwhile version 3 puts other words where the editor's selection was.
    versions.add_version(article, "A new first paragraph.\n\n" + article.body)
    before = stored(evidence)

    response = point(start, start + len(CHOSEN))

    assert any("newer version" in message for message in messages_of(response))
    assert stored(evidence) == before


@pytest.mark.django_db
def test_settling_locks_the_article_and_refuses_offsets_of_a_replaced_text():
    article, evidence = waiting_passage()
    chosen_in = article.body_sha256
    start = article.body.index(CHOSEN)
    versions.add_version(article, "A new first paragraph.\n\n" + article.body)
    before = stored(evidence)

    with pytest.raises(versions.TextReplaced, match="newer version"):
        versions.settle(evidence, start, start + len(CHOSEN), text_sha256=chosen_in)
    assert stored(evidence) == before

    article.refresh_from_db()
    start = article.body.index(CHOSEN)
    versions.settle(evidence, start, start + len(CHOSEN), text_sha256=article.body_sha256)
    with pytest.raises(AnchorError, match="no longer waits"):  # the first editor's stands
        versions.settle(evidence, 0, 5)
    evidence.refresh_from_db()
    assert evidence.quote == CHOSEN


@pytest.mark.django_db
def test_a_quote_pasted_in_the_reading_view_without_javascript_points_the_passage(editor):
    article, evidence, _client, point = in_reanchor_mode(editor)

    point("", "", quote=CHOSEN)

    evidence.refresh_from_db()
    assert evidence.quote == CHOSEN and evidence.article_version is None
    assert article.body[evidence.start : evidence.end] == CHOSEN


@pytest.mark.django_db
def test_without_change_evidence_there_is_no_re_anchor_mode_and_posting_is_denied(
    django_user_model,
):
    article, evidence = waiting_passage()
    viewer = django_user_model.objects.create_user("viewer", password="irrelevant", is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_article", "view_evidence"])
    )
    client = client_for(viewer)
    before = stored(evidence)

    response = client.get(read_url(article), {"reanchor": evidence.pk})
    assert response.status_code == 200
    assert "Re-pointing a passage needs permission to change evidence." in messages_of(response)
    assert 'id="reanchor-form"' not in response.content.decode()

    start = article.body.index(CHOSEN)
    denied = client.post(
        review_url(evidence),
        {"chosen_in": "reading_view", "start": start, "end": start + len(CHOSEN)},
    )
    assert denied.status_code == 403
    assert stored(evidence) == before


@pytest.mark.django_db
def test_a_reanchor_id_that_names_no_waiting_passage_of_the_article_opens_the_usual_view(
    editor,
):
    article, evidence = waiting_passage()
    other, foreign = waiting_passage(
        body=V1.replace("Tuesday", "Monday"), new_body=V2.replace("Tuesday", "Monday")
    )
    settled = make_evidence(article, "The vote was postponed", claim="The vote waits")
    client = client_for(editor)
    cases = {
        "999999": "There is no passage #999999 of this article to re-anchor",
        str(foreign.pk): f"There is no passage #{foreign.pk} of this article to re-anchor",
        "<b>7</b>": "There is no passage #&lt;b&gt;7&lt;/b&gt; of this article to re-anchor",
        "\u00b2": "There is no passage #\u00b2 of this article to re-anchor",
        "9" * 30: f"There is no passage #{'9' * 19}… of this article to re-anchor",
        str(settled.pk): f"Passage #{settled.pk} no longer waits for an editor",
    }
    for asked, says in cases.items():
        response = client.get(read_url(article), {"reanchor": asked})
        assert response.status_code == 200, asked
        page = response.content.decode()
        assert says in page, asked
        assert 'id="reanchor-form"' not in page and 'id="cite-form"' in page, asked
    assert "<b>7</b>" not in page


@pytest.mark.django_db
def test_a_passage_settled_since_the_link_was_shown_is_not_re_anchored_again(editor):
    article, evidence, _client, point = in_reanchor_mode(editor)
    start = article.body.index(CHOSEN)
    versions.settle(evidence, start, start + len(CHOSEN))  # another editor, in another tab
    before = stored(evidence)

    response = point(0, 5)

    assert "This passage no longer waits for an editor." in messages_of(response)
    assert stored(evidence) == before


@pytest.mark.django_db
def test_user_text_in_re_anchor_mode_is_escaped(editor):
    body = "Lopez wrote <em>never</em> & left.\n\nThe end."
    article, evidence = waiting_passage(
        body=body,
        quote="Lopez wrote <em>never</em> & left.",
        new_body="Nothing like it.\n\nThe end.",
    )
    evidence.claim.text = "A <script>claim</script>"
    evidence.claim.save()
    page = client_for(editor).get(read_url(article), {"reanchor": evidence.pk}).content.decode()
    assert "Lopez wrote &lt;em&gt;never&lt;/em&gt; &amp; left." in page
    assert "A &lt;script&gt;claim&lt;/script&gt;" in page
    assert "<em>never</em>" not in page and "<script>claim" not in page


# --------------------------------------------------------------------------------------------
# In a real browser: import, cite, import the correction, select the new place, submit


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("irrelevant-pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))


def article_file(path, body):
    path.write_text(
        f"Council defers the bridge vote\n\n{body}\n\nWritten by Ann Lee\n", encoding="utf-8"
    )
    return str(path)


@pytest.mark.browser
def test_an_editor_re_points_an_orphaned_passage_by_selecting_it_in_the_reading_view(
    live_server, transactional_db, page, django_user_model, tmp_path, artifacts_dir
):
    from playwright.sync_api import expect

    from .test_browser import assert_accessible, follow
    from .test_desk_walkthrough import drag_select

    call_command("import_articles", article_file(tmp_path / "bridge.txt", V1), stdout=io.StringIO())
    article = Article.objects.get()
    evidence = make_evidence(article, CITED, claim="The bridge closes in May")
    call_command(
        "import_articles",
        article_file(tmp_path / "bridge-corrected.txt", V2),
        "--revises",
        str(article.pk),
        stdout=io.StringIO(),
    )
    article.refresh_from_db()
    assert article.versions.count() == 2
    evidence.refresh_from_db()
    assert evidence.anchor_state == AnchorState.ORPHANED

    desk_user(django_user_model, "editor")
    log_in(page, live_server, "editor")
    page.goto(live_server.url + reverse("admin:stories_anchortoreview_changelist"))
    follow(page, page.get_by_role("link", name=CITED))
    follow(page, page.get_by_role("link", name="Choose the passage in the reading view"))

    note = page.locator("#reanchor-note")
    expect(note).to_contain_text("left this passage orphaned")
    expect(note).to_contain_text(CITED)
    panel = page.locator("#desk-dock #reanchor")  # docked beside the text
    expect(panel).to_be_visible()
    submit = panel.get_by_role("button", name="Point the passage here")
    expect(submit).to_be_disabled()  # nothing selected yet
    expect(page.locator("#id_reanchor_quote")).to_be_hidden()
    assert_accessible(page, "reading view in re-anchor mode")

    drag_select(page, CHOSEN)
    expect(panel.locator(".desk-selected-quote")).to_have_text(CHOSEN)
    expect(submit).to_be_enabled()
    start = V2.index(CHOSEN)
    assert page.input_value("#reanchor-form input[name=start]") == str(start)
    assert page.input_value("#reanchor-form input[name=end]") == str(start + len(CHOSEN))
    page.screenshot(path=artifacts_dir / "desk-reanchor.png")
    submit.click()

    page.wait_for_url(live_server.url + reverse("admin:stories_anchortoreview_changelist"))
    expect(page.locator(".messagelist")).to_contain_text(
        "The passage now points at the current version."
    )
    expect(page.get_by_role("link", name=CITED)).to_have_count(0)
    evidence.refresh_from_db()
    assert evidence.article_version is None
    assert article.versions.order_by("-number").first().body == article.body == V2
    assert (evidence.start, evidence.end, evidence.quote) == (start, start + len(CHOSEN), CHOSEN)
    assert not Evidence.objects.awaiting_editor().exists()


@pytest.mark.browser
def test_cancel_and_the_keyboard_in_re_anchor_mode(
    live_server, transactional_db, page, django_user_model
):
    from playwright.sync_api import expect

    article, evidence = waiting_passage()
    desk_user(django_user_model, "editor")
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}{read_url(article)}?reanchor={evidence.pk}")

    # Caret before the chosen words, extended by keyboard, Enter: the submit takes focus.
    start = V2.index(CHOSEN)
    page.evaluate(
        """start => {
            const seg = [...document.querySelectorAll('#desk-text [data-start]')]
                .find(s => +s.dataset.start <= start && start < +s.dataset.end);
            getSelection().collapse(seg.firstChild, start - +seg.dataset.start);
            document.getElementById('desk-text').focus();
        }""",
        start,
    )
    for _ in CHOSEN:
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    submit = page.get_by_role("button", name="Point the passage here")
    expect(submit).to_be_focused()
    expect(page.locator("#reanchor .desk-selected-quote")).to_have_text(CHOSEN)
    expect(page.locator("#desk-status")).to_contain_text(f"{start}\u2013{start + len(CHOSEN)}")

    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(live_server.url + review_url(evidence))
    evidence.refresh_from_db()
    assert evidence.anchor_state == AnchorState.ORPHANED and evidence.quote == CITED


@pytest.mark.django_db
def test_the_reading_view_lists_a_waiting_passage_without_drawing_it_over_other_words(editor):
    article, evidence = waiting_passage()
    page = client_for(editor).get(read_url(article)).content.decode()
    text = page[page.index('id="desk-text"') : page.index('id="desk-status"')]
    # Its offsets index version 1: in version 2 they would mark other words.
    assert "<mark" not in text and f'id="{evidence.anchor_id}"' not in page
    assert "orphaned: cites version 1" in page and f'href="{review_url(evidence)}"' in page
    assert "no longer match" not in page  # it matches its own version: waiting, not stale
