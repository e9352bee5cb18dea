"""Every change made through the admin is in the admin history, with its author.

Each test drives the real admin as "alice" (the change pages are read back the
way a browser submits them, see test_locking) and then reads the LogEntry rows
— what the object's *History* page lists.
"""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from stories.models import Article, Claim, Evidence, Origin, Person, Statement, Story

from .factories import make_article, make_evidence
from .test_locking import QUOTE, STATEMENT, edit, open_form

pytestmark = pytest.mark.django_db

# The history lists the user, the action and the change message.
FLAGS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@pytest.fixture
def alice(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        username="alice", email="alice@newsroom.invalid", password="irrelevant-pw"
    )
    client.force_login(user)
    return client


def history(model, pk):
    """(user, action, message) for each LogEntry of the object, oldest first."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
    ).order_by("action_time", "pk")
    return [(e.user.username, FLAGS[e.action_flag], e.get_change_message()) for e in entries]


def url(model, action, *args):
    return reverse(f"admin:stories_{model._meta.model_name}_{action}", args=args)


def delete(client, obj):
    response = client.post(url(type(obj), "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302
    return response


def saved(response):
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


@pytest.fixture
def evidence():
    return make_evidence(make_article(), QUOTE)


# --------------------------------------------------------------------------------------------
# Claims and their evidence, inline


def test_adding_a_claim_with_evidence_logs_both(alice):
    article = make_article()
    form = open_form(alice, url(Claim, "add"))

    saved(
        alice.post(
            url(Claim, "add"),
            edit(
                form,
                text="The exchange was tense",
                evidence__0__article=str(article.pk),
                evidence__0__quote=QUOTE,
            ),
        )
    )

    claim, evidence = Claim.objects.get(), Evidence.objects.get()
    assert history(Claim, claim.pk) == [("alice", "added", f"Added. Added evidence “{evidence}”.")]
    assert history(Evidence, evidence.pk) == [("alice", "added", "Added.")]


def test_changing_a_claim_names_the_changed_fields(alice, evidence):
    claim = evidence.claim
    change = url(Claim, "change", claim.pk)

    saved(alice.post(change, edit(open_form(alice, change), text="It was tense", note="Checked")))

    assert history(Claim, claim.pk) == [("alice", "changed", "Changed Text and Note.")]


def test_changing_evidence_inline_is_in_the_claims_and_the_evidences_history(alice, evidence):
    claim = evidence.claim
    change = url(Claim, "change", claim.pk)

    saved(alice.post(change, edit(open_form(alice, change), evidence__0__stance="disputes")))

    assert history(Claim, claim.pk) == [
        ("alice", "changed", f"Changed Stance for evidence “{evidence}”.")
    ]
    assert history(Evidence, evidence.pk) == [("alice", "changed", "Changed Stance.")]


def test_deleting_evidence_inline_is_in_the_claims_and_the_evidences_history(alice, evidence):
    claim = evidence.claim
    change = url(Claim, "change", claim.pk)

    saved(alice.post(change, edit(open_form(alice, change), evidence__0__DELETE="on")))

    assert not Evidence.objects.exists()
    assert history(Claim, claim.pk) == [("alice", "changed", f"Deleted evidence “{evidence}”.")]
    assert history(Evidence, evidence.pk) == [
        ("alice", "deleted", f"Deleted from the claim “{claim}”.")
    ]
    assert LogEntry.objects.get(action_flag=DELETION).object_repr == str(evidence)


def test_deleting_a_claim_is_logged(alice, evidence):
    claim = evidence.claim

    delete(alice, claim)

    assert history(Claim, claim.pk) == [("alice", "deleted", "")]


def test_linking_contradicting_claims_is_in_both_histories(alice, evidence):
    claim, rival = evidence.claim, Claim.objects.create(text="The exchange was friendly")
    change = url(Claim, "change", claim.pk)

    saved(alice.post(change, edit(open_form(alice, change), contradicts=[str(rival.pk)])))

    assert history(Claim, claim.pk) == [("alice", "changed", "Changed Contradicts.")]
    assert history(Claim, rival.pk) == [
        ("alice", "changed", f"Changed Contradicts (through the claim “{claim}”).")
    ]


def test_the_claims_history_page_lists_who_did_what(alice, evidence):
    claim = evidence.claim
    change = url(Claim, "change", claim.pk)
    saved(alice.post(change, edit(open_form(alice, change), note="Checked")))
    saved(alice.post(change, edit(open_form(alice, change), evidence__0__stance="mentions")))

    response = alice.get(reverse("admin:stories_claim_history", args=[claim.pk]))

    assert response.status_code == 200
    listed = [(e.user.username, e.get_change_message()) for e in response.context["action_list"]]
    assert listed == [
        ("alice", "Changed Note."),
        ("alice", f"Changed Stance for evidence “{evidence}”."),
    ]
    page = response.content.decode()
    assert "alice" in page and "Changed Note." in page


# --------------------------------------------------------------------------------------------
# Evidence on its own page


def test_evidence_added_changed_and_deleted_on_its_own_page_is_logged(alice):
    article, claim = make_article(), Claim.objects.create(text="The exchange was tense")
    form = open_form(alice, url(Evidence, "add"))

    saved(
        alice.post(
            url(Evidence, "add"),
            edit(form, claim=str(claim.pk), article=str(article.pk), quote=QUOTE),
        )
    )
    evidence = Evidence.objects.get()
    change = url(Evidence, "change", evidence.pk)
    other = Origin.objects.create(kind="outlet", label="EW, relayed")
    saved(alice.post(change, edit(open_form(alice, change), stance="mentions", origin=other.pk)))
    delete(alice, evidence)

    assert history(Evidence, evidence.pk) == [
        ("alice", "added", "Added."),
        ("alice", "changed", "Changed Stance and Origin."),
        ("alice", "deleted", ""),
    ]
    response = alice.get(reverse("admin:stories_claim_history", args=[claim.pk]))
    assert response.status_code == 200


# --------------------------------------------------------------------------------------------
# Stories and their statements


def test_a_story_and_its_statements_are_logged(alice, evidence):
    form = open_form(alice, url(Story, "add"))
    saved(
        alice.post(
            url(Story, "add"),
            edit(
                form,
                headline="Backstage",
                slug="backstage",
                statements__0__position="1",
                statements__0__text=STATEMENT,
                statements__0__evidence=[str(evidence.pk)],
            ),
        )
    )
    story = Story.objects.get()
    first = story.statements.get()
    change = url(Story, "change", story.pk)

    saved(alice.post(change, edit(open_form(alice, change), headline="Backstage at the VMAs")))
    saved(
        alice.post(change, edit(open_form(alice, change), statements__0__text="They met briefly."))
    )
    first.refresh_from_db()
    form = edit(open_form(alice, change), statements__1__text="A second statement.")
    form["statements-1-position"] = "2"
    saved(alice.post(change, form))
    second = story.statements.get(position=2)
    saved(alice.post(change, edit(open_form(alice, change), statements__1__DELETE="on")))
    delete(alice, story)

    assert history(Story, story.pk) == [
        ("alice", "added", f"Added. Added statement “1. {STATEMENT}”."),
        ("alice", "changed", "Changed Headline."),
        ("alice", "changed", f"Changed Text for statement “{first}”."),
        ("alice", "changed", f"Added statement “{second}”."),
        ("alice", "changed", f"Deleted statement “{second}”."),
        ("alice", "deleted", ""),
    ]
    assert not Statement.objects.exists()


def test_publishing_and_unpublishing_are_logged(alice, evidence):
    story = Story.objects.create(headline="Backstage", slug="backstage")
    Statement.objects.create(story=story, position=1, text=STATEMENT).evidence.add(evidence)
    changelist = reverse("admin:stories_story_changelist")

    alice.post(changelist, {"action": "publish", "_selected_action": [str(story.pk)]})
    alice.post(changelist, {"action": "unpublish", "_selected_action": [str(story.pk)]})

    assert history(Story, story.pk) == [
        ("alice", "changed", "Published revision 1."),
        ("alice", "changed", "Unpublished."),
    ]


# --------------------------------------------------------------------------------------------
# People and the articles they are tagged in


def test_a_person_added_changed_and_deleted_is_logged(alice):
    form = open_form(alice, url(Person, "add"))
    saved(alice.post(url(Person, "add"), edit(form, name="Megan Thee Stallion", slug="megan")))
    person = Person.objects.get()
    change = url(Person, "change", person.pk)

    saved(alice.post(change, edit(open_form(alice, change), aliases="Meg")))
    delete(alice, person)

    assert history(Person, person.pk) == [
        ("alice", "added", "Added."),
        ("alice", "changed", "Changed Aliases."),
        ("alice", "deleted", ""),
    ]


def test_tagging_people_in_an_article_is_logged(alice):
    article = make_article()
    megan = Person.objects.create(name="Megan Thee Stallion", slug="megan")
    change = url(Article, "change", article.pk)

    saved(alice.post(change, edit(open_form(alice, change), people=[str(megan.pk)])))

    assert history(Article, article.pk) == [("alice", "changed", "Changed People.")]
    assert list(article.people.all()) == [megan]
