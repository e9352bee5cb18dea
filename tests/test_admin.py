"""The editor's desk, driven through the real Django admin as a logged-in user."""

import json
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stories.models import (
    Article,
    Claim,
    Evidence,
    Outlet,
    Person,
    Statement,
    Story,
    StoryStatus,
)
from stories.text import anchoring

from . import factories
from .desk import story_form_data
from .test_locking import edit, open_form

pytestmark = pytest.mark.django_db

MODELS = ["outlet", "person", "article", "claim", "evidence", "story"]

FIRST_SEED_SENTENCE = (
    "Justin Timberlake and Megan Thee Stallion appeared to get into a pointed exchange "
    "while backstage at the 2023 MTV VMAs."
)

BODY = (
    "Justin Timberlake walked over to Megan Thee Stallion minutes before her set. "
    "Witnesses said the exchange looked tense from across the room.\n\n"
    "Asked about it later, she said it was \u201cthe best night of my life,\u201d and "
    "that she hadn\u2019t noticed anything unusual.\n\n"
    "Representatives for both artists did not respond to requests for comment."
)

REPEATED = "The crowd cheered."
REPEATED_BODY = (
    "The crowd cheered. Megan arrived early for rehearsal with her dancers.\n\n"
    + "Rehearsals ran long and the lighting crew reset the rig twice. " * 5
    + "\n\nTimberlake slipped out through the side door. The crowd cheered. "
    "Nobody noticed the security guards.\n\n"
    "The show ended after midnight."
)
SECOND = REPEATED_BODY.index(REPEATED, 1)


# --------------------------------------------------------------------------------------------
# Helpers


def load_seeds():
    call_command("loaddata", "seed_articles.json", verbosity=0)


def make_article(body=BODY, headline="Backstage at the VMAs", outlet=None):
    return Article.objects.create(headline=headline, body=body, outlet=outlet)


def make_evidence(claim, article, quote, **fields):
    evidence = Evidence(claim=claim, article=article, quote=quote, **fields)
    evidence.anchor()
    evidence.save()
    return evidence


def make_story(headline="What happened backstage", slug="what-happened-backstage"):
    return Story.objects.create(headline=headline, slug=slug)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def html(response):
    return response.content.decode()


def formset_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def claim_add_data(article, quote, *, text="The backstage exchange was tense", **evidence):
    data = {
        "text": text,
        "note": "",
        "topics": "",
        **formset_management("evidence", 1),
        "evidence-0-article": str(article.pk),
        "evidence-0-quote": quote,
        "evidence-0-start": "",
        "evidence-0-context": "",
        "evidence-0-stance": "supports",
        "evidence-0-origin": "",
        "evidence-0-origin_kind": "",
        "evidence-0-origin_label": "",
        "evidence-0-origin_person": "",
        "_save": "Save",
    }
    for key, value in evidence.items():
        if key == "people":
            data["people"] = [str(person.pk) for person in value]
        else:
            data[f"evidence-0-{key}"] = str(value)
    return data


def story_with_statement(text="Timberlake spoke to Megan backstage.", evidence=()):
    story = make_story()
    statement = Statement.objects.create(story=story, position=1, text=text)
    statement.evidence.set(evidence)
    return story, statement


def populate(count, offset=0, user=None):
    """``count`` rows in every changelist, each with the relations its columns show."""
    for i in range(offset, offset + count):
        outlet = Outlet.objects.create(name=f"Outlet {i}")
        person = Person.objects.create(name=f"Person {i}", slug=f"person-{i}", aliases=f"P{i}")
        article = make_article(
            body=f"Article number {i} reports that night {i} was eventful.",
            headline=f"Article {i}",
            outlet=outlet,
        )
        article.people.add(person)
        claim = Claim.objects.create(text=f"Claim {i}")
        claim.people.add(person)
        evidence = make_evidence(claim, article, f"night {i} was eventful")
        story = Story.objects.create(
            headline=f"Story {i}",
            slug=f"story-{i}",
            status=StoryStatus.PUBLISHED,
            published_at=timezone.now(),
            published_by=user,
        )
        statement = Statement.objects.create(story=story, position=1, text=f"Night {i}.")
        statement.evidence.add(evidence)
        statement.people.add(person)


# --------------------------------------------------------------------------------------------
# Every page opens


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_add_page_open(admin_client, admin_user, model):
    load_seeds()
    populate(2, user=admin_user)

    changelist = admin_client.get(reverse(f"admin:stories_{model}_changelist"))
    add = admin_client.get(reverse(f"admin:stories_{model}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 200
    assert changelist.context["cl"].result_count >= 2


@pytest.mark.parametrize("model", MODELS)
def test_change_page_opens(admin_client, admin_user, model):
    populate(1, user=admin_user)
    obj = {
        "outlet": Outlet,
        "person": Person,
        "article": Article,
        "claim": Claim,
        "evidence": Evidence,
        "story": Story,
    }[model].objects.get()

    response = admin_client.get(reverse(f"admin:stories_{model}_change", args=[obj.pk]))

    assert response.status_code == 200


def test_article_change_page_shows_the_body_read_only(admin_client):
    load_seeds()
    article = Article.objects.get(body__startswith=FIRST_SEED_SENTENCE)

    response = admin_client.get(reverse("admin:stories_article_change", args=[article.pk]))

    page = html(response)
    assert response.status_code == 200
    assert FIRST_SEED_SENTENCE in page
    assert not re.search(r'<textarea[^>]*name="body"', page)
    assert 'name="body"' not in page
    assert "body" not in response.context["adminform"].form.fields


def test_article_body_cannot_be_changed_by_posting_it(admin_client):
    article = make_article()

    response = admin_client.post(
        reverse("admin:stories_article_change", args=[article.pk]),
        {
            "headline": "A new headline",
            "outlet": "",
            "byline": "",
            "url": "",
            "published_on": "",
            "topics": "",
            "body": "Rewritten by an editor.",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "A new headline"
    assert article.body == BODY


def test_article_changelist_links_to_the_import_view(admin_client):
    response = admin_client.get(reverse("admin:stories_article_changelist"))

    page = html(response)
    assert "Import articles" in page
    assert f'href="{reverse("admin:stories_article_import")}"' in page


def test_article_changelist_search(admin_client):
    load_seeds()
    Outlet.objects.filter(slug="ew").update(name="Entertainment Weekly")
    url = reverse("admin:stories_article_changelist")

    by_headline = admin_client.get(url, {"q": "Unlikely Encounter"})
    by_body = admin_client.get(url, {"q": "Benicio Del Toro"})
    by_outlet = admin_client.get(url, {"q": "Entertainment Weekly"})
    nothing = admin_client.get(url, {"q": "no article says this"})

    assert [a.headline for a in by_headline.context["cl"].result_list] == [
        "Megan Thee Stallion and Justin Timberlake: An Unlikely Encounter at the VMAs"
    ]
    assert [a.body.startswith(FIRST_SEED_SENTENCE) for a in by_body.context["cl"].result_list] == [
        True
    ]
    assert [a.outlet.slug for a in by_outlet.context["cl"].result_list] == ["ew"]
    assert nothing.context["cl"].result_count == 0


@pytest.mark.parametrize("model", ["article", "claim"])
def test_changelist_person_filter(admin_client, model):
    megan = Person.objects.create(name="Megan Thee Stallion", slug="megan")
    Person.objects.create(name="Justin Timberlake", slug="justin")
    article = make_article()
    make_article(body="Another article entirely.", headline="Other")
    claim = Claim.objects.create(text="The exchange was tense")
    Claim.objects.create(text="Nothing happened")
    article.people.add(megan)
    claim.people.add(megan)
    url = reverse(f"admin:stories_{model}_changelist")

    filtered = admin_client.get(url, {"person": "megan"})
    nobody = admin_client.get(url, {"person": "justin"})
    unfiltered = admin_client.get(url)

    assert list(filtered.context["cl"].result_list) == [{"article": article, "claim": claim}[model]]
    assert nobody.context["cl"].result_count == 0
    assert unfiltered.context["cl"].result_count == 2
    assert "Megan Thee Stallion" in html(unfiltered)  # offered as a filter choice


def test_claim_changelist_counts_supporting_and_disputing(admin_client):
    article = make_article()
    claim = Claim.objects.create(text="The exchange was tense")
    make_evidence(claim, article, "the exchange looked tense")
    make_evidence(claim, article, "she hadn\u2019t noticed anything unusual", stance="disputes")
    make_evidence(claim, article, "minutes before her set", stance="disputes")

    response = admin_client.get(reverse("admin:stories_claim_changelist"))

    row = response.context["cl"].result_list[0]
    assert (row.supporting, row.disputing) == (1, 2)


@pytest.mark.parametrize("model", MODELS)
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, admin_user, django_assert_num_queries, model
):
    url = reverse(f"admin:stories_{model}_changelist")
    populate(2, user=admin_user)
    admin_client.get(url)  # warm caches (content types, sessions) before counting
    with CaptureQueriesContext(connection) as two_rows:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 2

    populate(8, offset=2, user=admin_user)
    with django_assert_num_queries(len(two_rows.captured_queries)):
        response = admin_client.get(url)

    assert response.context["cl"].result_count == 10


# --------------------------------------------------------------------------------------------
# Importing text files through the admin


def upload(name, text, encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/plain")


def good_upload(n):
    return upload(
        f"article-{n}.txt", f"Headline {n}\n\nParagraph one of {n}.\n\nWritten by Ann Lee\n"
    )


def pasted_article(body):
    """What the article add form posts for a pasted ``body``."""
    return {
        "headline": "Pasted",
        "outlet": "",
        "byline": "",
        "url": "",
        "published_on": "",
        "body": body,
        "topics": "",
        "_save": "Save",
    }


def test_article_added_by_pasting_gets_people_suggestions(admin_client):
    Person.objects.create(name="Megan Thee Stallion", aliases="Meg")
    data = pasted_article("Meg waved at Justin Timberlake backstage.")
    assert admin_client.post(reverse("admin:stories_article_add"), data).status_code == 302
    names = set(Article.objects.get().suggestions.values_list("name", flat=True))
    assert names == {"Megan Thee Stallion", "Justin Timberlake"}


def test_article_add_by_pasting_text_refuses_a_text_already_imported(admin_client):
    url = reverse("admin:stories_article_add")
    data = pasted_article("First paragraph.\r\n\r\nSecond paragraph.\r\n")

    added = admin_client.post(url, data)
    again = admin_client.post(url, {**data, "headline": "Pasted again"})

    assert added.status_code == 302
    article = Article.objects.get()
    assert article.body == "First paragraph.\n\nSecond paragraph."
    assert again.status_code == 200
    assert "already imported" in again.context["adminform"].form.errors["body"][0]
    assert Article.objects.count() == 1


def test_import_view_needs_add_permission(client):
    user = User.objects.create_user("reader", password="irrelevant-pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_article"))
    client.force_login(user)

    response = client.post(
        reverse("admin:stories_article_import"), {"files": [good_upload(1)], "outlet": ""}
    )
    changelist = client.get(reverse("admin:stories_article_changelist"))

    assert response.status_code == 302
    assert Article.objects.count() == 0
    assert "Import articles" not in html(changelist)


def test_import_view_opens(admin_client):
    response = admin_client.get(reverse("admin:stories_article_import"))

    assert response.status_code == 200
    assert 'type="file"' in html(response)


def test_import_view_imports_uploaded_files(admin_client):
    response = admin_client.post(
        reverse("admin:stories_article_import"),
        {"files": [good_upload(1), good_upload(2)], "outlet": "EW"},
    )

    assert response.status_code == 200  # the page shows what became of each file
    assert response.context["summary"].counts()[0][1] == 2
    assert sorted(Article.objects.values_list("headline", "byline", "body", "source_name")) == [
        ("Headline 1", "Ann Lee", "Paragraph one of 1.", "article-1.txt"),
        ("Headline 2", "Ann Lee", "Paragraph one of 2.", "article-2.txt"),
    ]
    assert set(Article.objects.values_list("outlet__name", flat=True)) == {"EW"}
    assert any("Imported 2 article(s)" in m for m in messages_of(response))


def test_import_view_recognises_an_article_already_imported(admin_client):
    url = reverse("admin:stories_article_import")
    admin_client.post(url, {"files": [good_upload(1)], "outlet": ""})

    response = admin_client.post(url, {"files": [good_upload(1), good_upload(2)], "outlet": ""})

    assert Article.objects.count() == 2
    assert any("Imported 1 article(s); 1 already imported" in m for m in messages_of(response))


def test_import_view_with_one_latin1_file_imports_nothing(admin_client):
    latin = upload("caf\u00e9.txt", "Caf\u00e9 society\n\nThe caf\u00e9 was full.\n", "latin-1")

    response = admin_client.post(
        reverse("admin:stories_article_import"),
        {"files": [good_upload(1), latin, good_upload(2)], "outlet": "EW"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["files"]
    assert len(errors) == 1
    assert "caf\u00e9.txt" in errors[0]
    assert "UTF-8" in errors[0]
    assert "Nothing was imported" in errors[0]
    assert "caf\u00e9.txt" in html(response)
    assert Article.objects.count() == 0
    assert Outlet.objects.count() == 0


def test_import_view_refuses_an_outlet_name_without_letters(admin_client):
    response = admin_client.post(
        reverse("admin:stories_article_import"), {"files": [good_upload(1)], "outlet": "???"}
    )

    assert response.status_code == 200
    assert "outlet" in response.context["form"].errors
    assert Article.objects.count() == 0


# --------------------------------------------------------------------------------------------
# Claims and their evidence


def test_claim_add_binds_a_quote_found_once(admin_client):
    article = make_article()
    megan = Person.objects.create(name="Megan Thee Stallion", slug="megan")
    quote = "the exchange looked tense"

    response = admin_client.post(
        reverse("admin:stories_claim_add"), claim_add_data(article, quote, people=[megan])
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    claim = Claim.objects.get()
    assert list(claim.people.all()) == [megan]
    evidence = claim.evidence.get()
    start = BODY.index(quote)
    end = start + len(quote)
    n = anchoring.CONTEXT_CHARS
    assert (evidence.start, evidence.end) == (start, end)
    assert evidence.quote == quote
    assert evidence.prefix == BODY[start - n : start]
    assert evidence.suffix == BODY[end : end + n]
    assert evidence.matches_article()


def test_claim_add_stores_the_bodys_curly_quotes_for_a_straight_typed_quote(admin_client):
    article = make_article()
    typed = 'she said it was "the best night of my life," and that she hadn\'t noticed'
    in_body = (
        "she said it was \u201cthe best night of my life,\u201d and that she hadn\u2019t noticed"
    )
    assert typed not in BODY and in_body in BODY

    response = admin_client.post(reverse("admin:stories_claim_add"), claim_add_data(article, typed))

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.quote == in_body
    assert evidence.start == BODY.index(in_body)
    assert evidence.end == BODY.index(in_body) + len(in_body)
    assert evidence.matches_article()


def test_claim_add_refuses_a_quote_not_in_the_article(admin_client):
    article = make_article()

    response = admin_client.post(
        reverse("admin:stories_claim_add"),
        claim_add_data(article, "Timberlake apologised on stage"),
    )

    assert response.status_code == 200
    assert "does not occur in the article" in html(response)
    evidence_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "does not occur" in evidence_form.errors["quote"][0]
    assert Claim.objects.count() == 0
    assert Evidence.objects.count() == 0


def test_claim_add_refuses_a_repeated_quote_listing_the_occurrences(admin_client):
    article = make_article(body=REPEATED_BODY)

    response = admin_client.post(
        reverse("admin:stories_claim_add"), claim_add_data(article, REPEATED)
    )

    assert response.status_code == 200
    evidence_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    [error] = evidence_form.errors["quote"]
    assert "occurs 2 times" in error
    assert "offset 0 " in error
    assert f"offset {SECOND} " in error
    assert "occurs 2 times" in html(response)
    assert Claim.objects.count() == 0
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    "choice",
    [{"start": SECOND}, {"context": "side door"}, {"context": "security guards"}],
    ids=["start", "context-before", "context-after"],
)
def test_claim_add_binds_the_chosen_occurrence_of_a_repeated_quote(admin_client, choice):
    article = make_article(body=REPEATED_BODY)
    url = reverse("admin:stories_claim_add")
    assert admin_client.post(url, claim_add_data(article, REPEATED)).status_code == 200

    response = admin_client.post(url, claim_add_data(article, REPEATED, **choice))

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    n = anchoring.CONTEXT_CHARS
    assert (evidence.start, evidence.end) == (SECOND, SECOND + len(REPEATED))
    assert evidence.prefix == REPEATED_BODY[SECOND - n : SECOND]
    assert evidence.suffix == REPEATED_BODY[SECOND + len(REPEATED) :][:n]
    assert evidence.matches_article()


def test_claim_add_refuses_a_start_that_is_no_occurrence(admin_client):
    article = make_article(body=REPEATED_BODY)

    response = admin_client.post(
        reverse("admin:stories_claim_add"), claim_add_data(article, REPEATED, start=5)
    )

    assert response.status_code == 200
    assert "no occurrence starts at offset 5" in html(response)
    assert Evidence.objects.count() == 0


def test_claim_edit_keeps_the_chosen_occurrence(admin_client):
    article = make_article(body=REPEATED_BODY)
    claim = Claim.objects.create(text="The crowd cheered twice")
    evidence = Evidence(claim=claim, article=article, quote=REPEATED)
    evidence.anchor(start=SECOND)
    evidence.save()
    data = {
        "text": claim.text,
        "note": "Edited",
        "topics": "",
        **formset_management("evidence", 1, 1),
        "evidence-0-id": str(evidence.pk),
        "evidence-0-claim": str(claim.pk),
        "evidence-0-article": str(article.pk),
        "evidence-0-quote": REPEATED,
        "evidence-0-start": "",
        "evidence-0-context": "",
        "evidence-0-stance": "disputes",
        "evidence-0-origin": "",
        "evidence-0-origin_kind": "",
        "evidence-0-origin_label": "",
        "evidence-0-origin_person": "",
        "_save": "Save",
    }

    response = admin_client.post(reverse("admin:stories_claim_change", args=[claim.pk]), data)

    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.start, evidence.stance) == (SECOND, "disputes")


# --------------------------------------------------------------------------------------------
# Publishing stories


def test_story_add_and_publish_without_evidence_saves_a_draft(admin_client):
    data = {
        "headline": "What happened backstage",
        "slug": "what-happened-backstage",
        "standfirst": "",
        "topics": "",
        "published_at_0": "",
        "published_at_1": "",
        **formset_management("statements", 1),
        "statements-0-position": "1",
        "statements-0-text": "Timberlake spoke to Megan backstage.",
        "_publish": "Save and publish",
    }

    response = admin_client.post(reverse("admin:stories_story_add"), data)

    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:stories_story_change", args=[story.pk])
    assert story.status == StoryStatus.DRAFT
    assert story.published_at is None
    assert story.statements.get().text == "Timberlake spoke to Megan backstage."
    errors = messages_of(response)
    assert any(
        "Statement 1" in m
        and "Timberlake spoke to Megan backstage." in m
        and "cites no evidence" in m
        for m in errors
    ), errors
    assert not any("is published" in m for m in errors)


def test_story_publish_after_adding_evidence(admin_client, admin_user):
    article = make_article()
    claim = Claim.objects.create(text="The exchange was tense")
    evidence = make_evidence(claim, article, "the exchange looked tense")
    story, _ = story_with_statement()
    url = reverse("admin:stories_story_change", args=[story.pk])

    refused = admin_client.post(url, story_form_data(story, _publish="Save and publish"))
    story.refresh_from_db()
    assert refused.status_code == 302
    assert story.status == StoryStatus.DRAFT
    assert any("cites no evidence" in m for m in messages_of(refused))

    data = story_form_data(story, _publish="Save and publish")
    data["statements-0-evidence"] = [str(evidence.pk)]
    before = timezone.now()
    response = admin_client.post(url, data)

    story.refresh_from_db()
    assert response.status_code == 302
    assert list(story.statements.get().evidence.all()) == [evidence]
    assert story.status == StoryStatus.PUBLISHED
    assert story.published_by == admin_user
    assert story.published_at is not None
    assert before <= story.published_at <= timezone.now()
    assert story.is_published
    assert any("is published" in m for m in messages_of(response))


def test_story_citing_a_passage_whose_article_changed_is_not_published(admin_client):
    article = make_article()
    claim = Claim.objects.create(text="The exchange was tense")
    evidence = make_evidence(claim, article, "the exchange looked tense")
    story, _ = story_with_statement(text="Witnesses saw a tense exchange.", evidence=[evidence])
    Article.objects.filter(pk=article.pk).update(body="Correction: " + BODY)

    response = admin_client.post(
        reverse("admin:stories_story_change", args=[story.pk]),
        story_form_data(story, _publish="Save and publish"),
    )

    story.refresh_from_db()
    assert story.status == StoryStatus.DRAFT
    assert story.published_at is None
    problems = [m for m in messages_of(response) if "no longer matches" in m]
    assert len(problems) == 1
    assert "Statement 1" in problems[0]
    assert "Witnesses saw a tense exchange." in problems[0]


def test_publish_and_unpublish_actions(admin_client, admin_user):
    article = make_article()
    claim = Claim.objects.create(text="The exchange was tense")
    evidence = make_evidence(claim, article, "the exchange looked tense")
    story, statement = story_with_statement()
    url = reverse("admin:stories_story_changelist")

    refused = admin_client.post(url, {"action": "publish", "_selected_action": [str(story.pk)]})

    story.refresh_from_db()
    assert story.status == StoryStatus.DRAFT
    assert any("Statement 1" in m and "cites no evidence" in m for m in messages_of(refused)), (
        messages_of(refused)
    )

    statement.evidence.add(evidence)
    published = admin_client.post(url, {"action": "publish", "_selected_action": [str(story.pk)]})

    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    assert story.published_by == admin_user
    assert story.published_at is not None
    assert any("is published" in m for m in messages_of(published))

    admin_client.post(url, {"action": "unpublish", "_selected_action": [str(story.pk)]})

    story.refresh_from_db()
    assert story.status == StoryStatus.UNPUBLISHED
    assert not story.is_published
    assert not Story.objects.published().exists()


def test_publish_action_refuses_a_story_whose_article_changed(admin_client):
    article = make_article()
    claim = Claim.objects.create(text="The exchange was tense")
    evidence = make_evidence(claim, article, "the exchange looked tense")
    story, _ = story_with_statement(evidence=[evidence])
    Article.objects.filter(pk=article.pk).update(body=BODY.replace("tense", "calm"))

    response = admin_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "publish", "_selected_action": [str(story.pk)]},
    )

    story.refresh_from_db()
    assert story.status == StoryStatus.DRAFT
    assert any("Statement 1" in m and "no longer matches" in m for m in messages_of(response))


def test_superuser_sees_the_publish_button(admin_client):
    story, _ = story_with_statement()

    response = admin_client.get(reverse("admin:stories_story_change", args=[story.pk]))

    assert 'name="_publish"' in html(response)


@pytest.fixture
def desk_editor_client(client):
    """A staff user who may edit stories but not publish them."""
    user = User.objects.create_user("desk", password="irrelevant-pw", is_staff=True)
    codenames = [
        "view_story",
        "change_story",
        "add_story",
        "view_statement",
        "add_statement",
        "change_statement",
        "delete_statement",
        "view_evidence",
    ]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def test_editor_without_publish_permission_cannot_publish(desk_editor_client):
    article = make_article()
    claim = Claim.objects.create(text="The exchange was tense")
    evidence = make_evidence(claim, article, "the exchange looked tense")
    story, _ = story_with_statement(evidence=[evidence])
    change_url = reverse("admin:stories_story_change", args=[story.pk])
    changelist_url = reverse("admin:stories_story_changelist")

    page = desk_editor_client.get(change_url)
    changelist = desk_editor_client.get(changelist_url)
    posted = desk_editor_client.post(
        change_url, story_form_data(story, headline="Edited", _publish="Save and publish")
    )
    desk_editor_client.post(
        changelist_url, {"action": "publish", "_selected_action": [str(story.pk)]}
    )

    assert page.status_code == 200
    assert 'name="_publish"' not in html(page)
    assert 'value="publish"' not in html(changelist)
    assert posted.status_code == 302
    story.refresh_from_db()
    assert story.headline == "Edited"  # the save itself went through
    assert story.status == StoryStatus.DRAFT
    assert story.published_at is None
    assert story.published_by is None


def test_editor_without_publish_permission_cannot_unpublish(desk_editor_client, admin_user):
    story = Story.objects.create(
        headline="Live",
        slug="live",
        status=StoryStatus.PUBLISHED,
        published_at=timezone.now(),
        published_by=admin_user,
    )

    desk_editor_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "unpublish", "_selected_action": [str(story.pk)]},
    )

    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED


# --------------------------------------------------------------------------------------------
# Tagging people


def autocomplete(client, term, model="article"):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "stories", "model_name": model, "field_name": "people", "term": term},
    )
    assert response.status_code == 200
    return json.loads(response.content)["results"]


@pytest.mark.parametrize("model", ["article", "claim", "statement"])
def test_people_autocomplete_finds_a_person_by_name(admin_client, model):
    megan = Person.objects.create(
        name="Megan Thee Stallion", slug="megan-thee-stallion", aliases="Meg\nMegan"
    )
    Person.objects.create(name="Justin Timberlake", slug="justin-timberlake", aliases="JT")

    results = autocomplete(admin_client, "Meg", model)

    assert results == [{"id": str(megan.pk), "text": "Megan Thee Stallion"}]


def test_people_autocomplete_searches_aliases(admin_client):
    Person.objects.create(name="Megan Thee Stallion", slug="megan-thee-stallion", aliases="Meg")
    justin = Person.objects.create(name="Justin Timberlake", slug="justin-timberlake", aliases="JT")

    assert autocomplete(admin_client, "JT") == [{"id": str(justin.pk), "text": "Justin Timberlake"}]


def test_people_autocomplete_lists_people_by_name(admin_client):
    Person.objects.create(name="Megan Thee Stallion", slug="megan-thee-stallion")
    Person.objects.create(name="Meg Ryan", slug="meg-ryan")

    names = [result["text"] for result in autocomplete(admin_client, "Meg")]

    assert names == ["Meg Ryan", "Megan Thee Stallion"]


def test_outlet_autocomplete_lists_outlets_by_name(admin_client):
    Outlet.objects.create(name="Vulture")
    Outlet.objects.create(name="EW")

    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "stories", "model_name": "article", "field_name": "outlet", "term": ""},
    )

    assert [r["text"] for r in json.loads(response.content)["results"]] == ["EW", "Vulture"]


def test_saving_an_article_with_people_tags_it(admin_client):
    load_seeds()
    article = Article.objects.get(body__startswith=FIRST_SEED_SENTENCE)
    megan = Person.objects.create(name="Megan Thee Stallion", slug="megan-thee-stallion")
    url = reverse("admin:stories_article_change", args=[article.pk])

    response = admin_client.post(
        url,
        {
            "headline": article.headline,
            "outlet": str(article.outlet_id),
            "byline": "",
            "url": "",
            "published_on": "",
            "people": [str(megan.pk)],
            "topics": "vmas",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert list(article.people.all()) == [megan]
    assert list(article.topics.names()) == ["vmas"]
    assert Person.objects.count() == 1  # a person is picked, never created by typing
    page = html(admin_client.get(url))
    assert re.search(rf'<option value="{megan.pk}" selected>Megan Thee Stallion</option>', page)


def test_people_field_refuses_an_unknown_person(admin_client):
    article = make_article()

    response = admin_client.post(
        reverse("admin:stories_article_change", args=[article.pk]),
        {
            "headline": article.headline,
            "outlet": "",
            "byline": "",
            "url": "",
            "published_on": "",
            "people": ["999"],
            "topics": "",
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    assert "people" in response.context["adminform"].form.errors
    assert article.people.count() == 0


# --------------------------------------------------------------------------------------------
# Evidence that no longer matches its article


def test_evidence_changelist_flags_a_passage_whose_article_changed(admin_client):
    claim = Claim.objects.create(text="The exchange was tense")
    kept = make_evidence(claim, make_article(), "the exchange looked tense")
    changed_article = make_article(body="Representatives declined to comment.", headline="Other")
    changed = make_evidence(claim, changed_article, "declined to comment")
    Article.objects.filter(pk=changed_article.pk).update(body="Representatives did comment.")

    response = admin_client.get(reverse("admin:stories_evidence_changelist"))

    rows = {
        pk: row
        for row in html(response).split("<tr")
        for pk in (kept.pk, changed.pk)
        if f'name="_selected_action" value="{pk}"' in row
    }
    assert len(rows) == 2
    assert 'alt="True"' in rows[kept.pk]
    assert 'alt="False"' in rows[changed.pk]
    assert "declined to comment" in rows[changed.pk]

    detail = admin_client.get(reverse("admin:stories_evidence_change", args=[changed.pk]))
    assert "no longer matches the article" in html(detail)


# --------------------------------------------------------------------------------------------
# A claim cannot contradict itself


def test_a_claim_cannot_be_linked_as_contradicting_itself(editor_client, client):
    evidence = factories.make_evidence(factories.make_article(), "a pointed exchange")
    story = factories.make_story("Live", statements=[("Tense.", [evidence])])
    url = reverse("admin:stories_claim_change", args=[evidence.claim.pk])

    response = editor_client.post(
        url, edit(open_form(editor_client, url), contradicts=[str(evidence.claim.pk)])
    )

    assert response.status_code == 200
    assert "cannot contradict itself" in " ".join(
        response.context["adminform"].form.errors["contradicts"]
    )
    assert not evidence.claim.contradicts.exists()
    assert "Contradicted by" not in client.get(story.get_absolute_url()).content.decode()
