"""Optimistic locking: two editors saving the same object never overwrite each other.

Driven through the real admin with two logged-in editors, alice and bob: each
opens the change page, and what a browser would submit is read back from the
rendered form (hidden fields included), so the tests see exactly what an
editor's browser sends.
"""

import threading
import time
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse

from stories.locking.models import VersionConflict, bump_version
from stories.models import Claim, Evidence, Origin, Statement, Story, StoryStatus
from stories.services import publishing

from .factories import make_article, make_evidence

pytestmark = pytest.mark.django_db

ORIGINAL_CLAIM = "The exchange was tense"
QUOTE = "a pointed exchange"
STATEMENT = "Timberlake and Megan met backstage."


# --------------------------------------------------------------------------------------------
# A browser's view of a change form


class _FormReader(HTMLParser):
    """The (name, value) pairs a browser submits for the form with ``form_id``."""

    SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.pairs = form_id, False, []
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value") or "on"))
            elif kind not in self.SKIPPED_INPUTS:
                self.pairs.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self.select is not None:
            self.select["options"].append((attrs.get("value") or "", "selected" in attrs))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            # A browser drops the newline that opens a textarea's content.
            self.pairs.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.select["options"] if selected]
            if not chosen and not self.select["multiple"] and self.select["options"]:
                chosen = [self.select["options"][0][0]]
            self.pairs.extend((self.select["name"], value) for value in chosen)
            self.select = None


def open_form(client, url):
    """GET the change page and return what its form would submit, as a dict."""
    response = client.get(url)
    assert response.status_code == 200
    model = response.context["opts"].model_name
    reader = _FormReader(f"{model}_form")
    reader.feed(response.content.decode())
    data = {}
    for name, value in reader.pairs:
        if "__prefix__" not in name:  # the inline's template row; Django ignores it
            data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def edit(data, **changes):
    """The form as submitted with the Save button, after an editor's ``changes``
    (``evidence__0__stance`` stands for the field ``evidence-0-stance``)."""
    return {**data, **{k.replace("__", "-"): v for k, v in changes.items()}, "_save": "Save"}


def conflict_text(response, form=None):
    assert response.status_code == 200, response.get("Location")
    form = form or response.context["adminform"].form
    return " ".join(form.non_field_errors())


def inline_form(response, index=0):
    return response.context["inline_admin_formsets"][0].formset.forms[index]


# --------------------------------------------------------------------------------------------
# Fixtures


def _client_for(django_user_model, username):
    user = django_user_model.objects.create_superuser(
        username=username, email=f"{username}@newsroom.invalid", password="irrelevant-pw"
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice(django_user_model):
    return _client_for(django_user_model, "alice")


@pytest.fixture
def bob(django_user_model):
    return _client_for(django_user_model, "bob")


@pytest.fixture
def evidence():
    return make_evidence(make_article(), QUOTE, claim=ORIGINAL_CLAIM)


@pytest.fixture
def megans_source():
    return Origin.objects.create(kind="anonymous", label="a source close to Megan")


@pytest.fixture
def claim(evidence):
    return evidence.claim


@pytest.fixture
def story(evidence):
    story = Story.objects.create(headline="Backstage", slug="backstage")
    Statement.objects.create(story=story, position=1, text=STATEMENT).evidence.add(evidence)
    return story


def claim_url(claim):
    return reverse("admin:stories_claim_change", args=[claim.pk])


def evidence_url(evidence):
    return reverse("admin:stories_evidence_change", args=[evidence.pk])


def story_url(story):
    return reverse("admin:stories_story_change", args=[story.pk])


# --------------------------------------------------------------------------------------------
# Claims


def test_the_second_save_of_a_claim_is_refused_and_shows_what_changed(alice, bob, claim):
    url = claim_url(claim)
    alices, bobs = open_form(alice, url), open_form(bob, url)

    saved = alice.post(url, edit(alices, text="The exchange was tense, witnesses said"))
    refused = bob.post(url, edit(bobs, text="The exchange was friendly", note="Bob's note"))

    assert saved.status_code == 302
    message = conflict_text(refused)
    assert "alice changed this claim" in message
    assert "Text — theirs: “The exchange was tense, witnesses said”" in message
    assert "yours: “The exchange was friendly”" in message
    assert "Changed Text" in message  # alice's change, from her LogEntry
    assert "not saved" in message
    claim.refresh_from_db()
    assert (claim.text, claim.note, claim.version) == (
        "The exchange was tense, witnesses said",
        "",
        2,
    )
    page = refused.content.decode()
    assert 'value="The exchange was friendly"' in page  # bob's input is kept
    assert "Bob&#x27;s note" in page
    assert "alice changed this claim" in page


def test_a_refused_claim_form_stays_refused_until_reloaded(alice, bob, claim):
    url = claim_url(claim)
    alices, bobs = open_form(alice, url), open_form(bob, url)
    alice.post(url, edit(alices, note="Alice's note"))

    first = bob.post(url, edit(bobs, text="The exchange was friendly"))
    again = bob.post(url, edit(bobs, text="The exchange was friendly"))
    reloaded = bob.post(url, edit(open_form(bob, url), text="The exchange was friendly"))

    assert "Note — theirs: “Alice's note”; yours: “(empty)”" in conflict_text(first)
    assert "alice" in conflict_text(again)
    assert reloaded.status_code == 302
    claim.refresh_from_db()
    assert (claim.text, claim.note, claim.version) == (
        "The exchange was friendly",
        "Alice's note",
        3,
    )


def test_a_claim_saved_again_and_again_without_a_rival_moves_its_version_each_time(alice, claim):
    url = claim_url(claim)
    for n in range(1, 4):
        response = alice.post(url, edit(open_form(alice, url), note=f"Note {n}"))
        assert response.status_code == 302
        claim.refresh_from_db()
        assert (claim.note, claim.version) == (f"Note {n}", n + 1)


def test_a_save_that_changes_nothing_leaves_the_version_and_other_forms_alone(alice, bob, claim):
    url = claim_url(claim)
    alices, bobs = open_form(alice, url), open_form(bob, url)

    unchanged = alice.post(url, edit(alices))
    saved = bob.post(url, edit(bobs, note="Bob's note"))

    assert (unchanged.status_code, saved.status_code) == (302, 302)
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("Bob's note", 2)


def test_linking_a_contradicting_claim_refuses_a_form_open_on_the_other(alice, bob, claim):
    rival = Claim.objects.create(text="The exchange was friendly")
    alices, bobs = open_form(alice, claim_url(claim)), open_form(bob, claim_url(rival))

    linked = alice.post(claim_url(claim), edit(alices, contradicts=[str(rival.pk)]))
    refused = bob.post(claim_url(rival), edit(bobs, note="Bob's note"))

    assert linked.status_code == 302
    message = conflict_text(refused)
    assert "alice" in message
    assert f"Contradicts — theirs: “{claim.text}”; yours: “(none)”" in message
    assert list(rival.contradicts.all()) == [claim]  # not unlinked by bob's stale list


# --------------------------------------------------------------------------------------------
# Evidence, on its own page and inline under its claim


def test_the_second_save_of_evidence_is_refused(alice, bob, evidence, megans_source):
    url = evidence_url(evidence)
    alices, bobs = open_form(alice, url), open_form(bob, url)
    own_reporting = evidence.origin

    saved = alice.post(url, edit(alices, stance="disputes"))
    refused = bob.post(url, edit(bobs, origin=str(megans_source.pk)))

    assert saved.status_code == 302
    message = conflict_text(refused)
    assert "alice changed this evidence" in message
    assert "Stance — theirs: “Disputes”; yours: “Supports”" in message
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.origin, evidence.version) == ("disputes", own_reporting, 2)
    assert f'<option value="{megans_source.pk}" selected>' in refused.content.decode()

    retried = bob.post(url, edit(open_form(bob, url), origin=str(megans_source.pk)))

    assert retried.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.origin, evidence.version) == (
        "disputes",
        megans_source,
        3,
    )


def test_the_second_save_of_an_inline_evidence_row_is_refused(alice, bob, claim, evidence):
    url = claim_url(claim)
    alices, bobs = open_form(alice, url), open_form(bob, url)

    saved = alice.post(url, edit(alices, evidence__0__stance="disputes"))
    refused = bob.post(url, edit(bobs, evidence__0__stance="mentions"))

    assert saved.status_code == 302
    message = conflict_text(refused, inline_form(refused))
    assert "alice changed this evidence" in message
    assert "Stance — theirs: “Disputes”; yours: “Mentions”" in message
    assert not refused.context["adminform"].form.non_field_errors()  # the claim itself is fine
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.version) == ("disputes", 2)
    page = refused.content.decode()
    assert '<option value="mentions" selected>' in page

    retried = bob.post(url, edit(open_form(bob, url), evidence__0__stance="mentions"))

    assert retried.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.version) == ("mentions", 3)


def test_evidence_changed_on_its_own_page_is_not_written_back_from_the_claims_inline(
    alice, bob, claim, evidence
):
    bobs = open_form(bob, claim_url(claim))
    alice.post(
        evidence_url(evidence), edit(open_form(alice, evidence_url(evidence)), stance="disputes")
    )

    refused = bob.post(claim_url(claim), edit(bobs, note="Only the note"))

    message = conflict_text(refused, inline_form(refused))
    assert "alice" in message and "Stance — theirs: “Disputes”; yours: “Supports”" in message
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert (evidence.stance, claim.note) == ("disputes", "")


def test_evidence_changed_by_someone_else_is_not_deleted_from_a_stale_inline(
    alice, bob, claim, evidence
):
    bobs = open_form(bob, claim_url(claim))
    alice.post(
        evidence_url(evidence), edit(open_form(alice, evidence_url(evidence)), stance="disputes")
    )

    refused = bob.post(claim_url(claim), edit(bobs, evidence__0__DELETE="on"))

    assert refused.status_code == 200
    errors = " ".join(refused.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert "was not deleted" in errors and "alice" in errors
    assert Evidence.objects.filter(pk=evidence.pk, stance="disputes").exists()


def test_evidence_deleted_by_someone_else_is_named_on_the_stale_claim_form(
    alice, bob, claim, evidence
):
    bobs = open_form(bob, claim_url(claim))
    alice.post(reverse("admin:stories_evidence_delete", args=[evidence.pk]), {"post": "yes"})

    refused = bob.post(claim_url(claim), edit(bobs, evidence__0__stance="mentions"))

    assert refused.status_code == 200
    errors = " ".join(refused.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert f"alice deleted the evidence “{evidence}”" in errors
    assert "alice deleted the evidence" in refused.content.decode()  # shown, not just set
    assert not Evidence.objects.exists()  # not brought back


def test_evidence_saved_again_and_again_moves_its_version_each_time(alice, claim, evidence):
    for n, stance in enumerate(["disputes", "mentions", "supports"], start=2):
        assert (
            alice.post(
                evidence_url(evidence),
                edit(open_form(alice, evidence_url(evidence)), stance=stance),
            ).status_code
            == 302
        )
        evidence.refresh_from_db()
        assert (evidence.stance, evidence.version) == (stance, n)
    # Inline: the row's version moves; the claim's does not, as nothing of it changed (so a
    # form open on the claim elsewhere stays valid).
    response = alice.post(
        claim_url(claim), edit(open_form(alice, claim_url(claim)), evidence__0__stance="disputes")
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert (evidence.stance, evidence.version, claim.version) == ("disputes", 5, 1)


# --------------------------------------------------------------------------------------------
# Stories and their statements


def test_a_statement_changed_by_alice_refuses_bobs_headline(alice, bob, story):
    url = story_url(story)
    alices, bobs = open_form(alice, url), open_form(bob, url)

    saved = alice.post(url, edit(alices, statements__0__text="They met backstage, briefly."))
    refused = bob.post(url, edit(bobs, headline="Backstage at the VMAs"))

    assert saved.status_code == 302
    message = conflict_text(refused)
    assert "alice changed this story" in message
    assert "Changed Text for statement" in message
    assert (
        f"Statement “1. They met backstage, briefly.”: Text — theirs: “They met backstage, "
        f"briefly.”; yours: “{STATEMENT}”" in message
    )
    story.refresh_from_db()
    assert story.headline == "Backstage"
    assert story.statements.get().text == "They met backstage, briefly."
    assert 'value="Backstage at the VMAs"' in refused.content.decode()

    retried = bob.post(url, edit(open_form(bob, url), headline="Backstage at the VMAs"))

    assert retried.status_code == 302
    story.refresh_from_db()
    assert (story.headline, story.version) == ("Backstage at the VMAs", 3)
    assert story.statements.get().text == "They met backstage, briefly."


def test_the_second_save_of_a_story_is_refused(alice, bob, story):
    url = story_url(story)
    alices, bobs = open_form(alice, url), open_form(bob, url)

    alice.post(url, edit(alices, headline="Backstage at the VMAs"))
    refused = bob.post(url, edit(bobs, standfirst="What happened, source by source."))

    message = conflict_text(refused)
    assert "alice" in message
    assert "Headline — theirs: “Backstage at the VMAs”; yours: “Backstage”" in message
    story.refresh_from_db()
    assert (story.headline, story.standfirst) == ("Backstage at the VMAs", "")
    assert "What happened, source by source." in refused.content.decode()


def test_statements_added_or_deleted_by_alice_are_listed_for_bob(alice, bob, story):
    url = story_url(story)
    alices, bobs = open_form(alice, url), open_form(bob, url)
    alices = edit(alices, statements__0__DELETE="on", statements__1__text="A new statement.")
    alices["statements-1-position"] = "2"

    assert alice.post(url, alices).status_code == 302
    refused = bob.post(url, edit(bobs, headline="Backstage at the VMAs"))

    message = conflict_text(refused)
    assert f"Statement “1. {STATEMENT}” — theirs: “deleted”" in message
    assert "Statement “2. A new statement.” — theirs: “added”" in message


def test_publishing_while_bob_edits_refuses_his_save(alice, bob, story):
    url = story_url(story)
    bobs = open_form(bob, url)

    published = alice.post(
        reverse("admin:stories_story_changelist"),
        {"action": "publish", "_selected_action": [str(story.pk)]},
    )
    refused = bob.post(url, edit(bobs, headline="Backstage at the VMAs"))

    assert published.status_code == 302
    message = conflict_text(refused)
    assert "alice" in message
    assert "Status — theirs: “Published”; yours: “Draft”" in message
    story.refresh_from_db()
    assert (story.status, story.headline) == (StoryStatus.PUBLISHED, "Backstage")


def test_dates_in_a_conflict_are_shown_as_the_admin_shows_them(alice, bob, story, settings):
    settings.TIME_ZONE = "Europe/Paris"
    url = story_url(story)
    alices, bobs = open_form(alice, url), open_form(bob, url)

    saved = alice.post(url, edit(alices, published_at_0="2025-03-05", published_at_1="14:30:00"))
    refused = bob.post(url, edit(bobs, headline="Backstage at the VMAs"))

    assert saved.status_code == 302
    message = conflict_text(refused)
    assert "Published at — theirs: “March 5, 2025, 2:30 p.m.”; yours: “(empty)”" in message


def test_a_story_saved_again_and_again_moves_its_version_each_time(alice, story):
    url = story_url(story)
    for n in range(1, 4):
        data = edit(open_form(alice, url), statements__0__text=f"Statement, take {n}.")
        assert alice.post(url, data).status_code == 302
        story.refresh_from_db()
        assert story.version == n + 1
        assert story.statements.get().text == f"Statement, take {n}."


# --------------------------------------------------------------------------------------------
# Who made the version an editor ran into: exactly the change that made it, or nobody in
# the admin (each logged change records the version it made)


def test_evidence_changed_outside_the_admin_is_said_so(alice, bob, evidence, megans_source):
    url = evidence_url(evidence)
    alice.post(url, edit(open_form(alice, url), stance="disputes"))
    bobs = open_form(bob, url)
    scripted = Evidence.objects.get(pk=evidence.pk)  # a shell, a script: no LogEntry
    scripted.origin = megans_source
    scripted.save()

    refused = bob.post(url, edit(bobs, stance="mentions"))

    message = conflict_text(refused)
    assert "Someone changed this evidence outside the admin while you were editing it" in message
    assert "the latest change it records is by alice" in message
    assert "alice changed this evidence" not in message
    assert (
        "Origin — theirs: “a source close to Megan (an anonymous source)”; "
        "yours: “EW’s own reporting (the outlet’s own reporting)”"
    ) in message
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.origin) == ("disputes", megans_source)


def test_a_change_in_the_admin_after_one_outside_it_is_named(alice, bob, evidence, megans_source):
    url = evidence_url(evidence)
    bobs = open_form(bob, url)
    Evidence.objects.filter(pk=evidence.pk).update(origin=megans_source, version=F("version") + 1)
    alice.post(url, edit(open_form(alice, url), stance="disputes"))

    refused = bob.post(url, edit(bobs, stance="mentions"))

    message = conflict_text(refused)
    assert "alice changed this evidence" in message and "outside the admin" not in message
    assert "Changed Stance" in message


@pytest.mark.parametrize(
    "alices_changes",
    [{}, {"evidence__0__stance": "disputes"}],
    ids=["nothing changed", "only an evidence row"],
)
def test_a_logged_change_that_made_no_version_is_not_named_for_one(
    alice, bob, claim, evidence, alices_changes
):
    """Saving a claim's page without changing the claim logs a change on the claim
    (“No fields changed.”, or the evidence row's change) but makes no version of it:
    a version made outside the admin meanwhile is said to be so."""
    url = claim_url(claim)
    bobs = open_form(bob, url)
    bump_version(Claim.objects.filter(pk=claim.pk))  # e.g. merging people retags it
    assert alice.post(url, edit(open_form(alice, url), **alices_changes)).status_code == 302

    refused = bob.post(url, edit(bobs, note="Bob's note"))

    message = conflict_text(refused)
    assert "Someone changed this claim outside the admin" in message
    assert "alice changed this claim" not in message


def test_a_change_outside_the_admin_after_an_admin_change_is_said_so(alice, bob, claim):
    url = claim_url(claim)
    bobs = open_form(bob, url)
    alice.post(url, edit(open_form(alice, url), note="Alice's note"))
    scripted = Claim.objects.get(pk=claim.pk)
    scripted.text = "The exchange was tense, a script says"
    scripted.save()

    refused = bob.post(url, edit(bobs, text="The exchange was friendly"))

    message = conflict_text(refused)
    assert "Someone changed this claim outside the admin" in message
    assert "the latest change it records is by alice" in message
    assert "Text — theirs: “The exchange was tense, a script says”" in message
    assert "Note — theirs: “Alice's note”" in message


def test_every_workflow_step_is_named_for_the_version_it_made(alice, bob, story):
    url = story_url(story)
    changelist = reverse("admin:stories_story_changelist")
    for action in ("submit", "publish", "unpublish"):
        bobs = open_form(bob, url)
        alice.post(changelist, {"action": action, "_selected_action": [str(story.pk)]})

        message = conflict_text(bob.post(url, edit(bobs, headline="Backstage at the VMAs")))

        assert "alice changed this story" in message, action
        assert "outside the admin" not in message, action
    bobs = open_form(bob, url)
    restored = alice.post(
        reverse("admin:stories_story_revisions", args=[story.pk]), {"revision": "1"}
    )
    assert restored.status_code == 302

    message = conflict_text(bob.post(url, edit(bobs, headline="Backstage at the VMAs")))

    assert "alice changed this story" in message and "Restored revision 1" in message


# --------------------------------------------------------------------------------------------
# The hidden fields are where a browser submits them


def test_change_pages_carry_the_version_they_were_loaded_at(alice, claim, evidence, story):
    Claim.objects.filter(pk=claim.pk).update(version=7)
    Evidence.objects.filter(pk=evidence.pk).update(version=5)
    Story.objects.filter(pk=story.pk).update(version=3)

    claim_form = open_form(alice, claim_url(claim))
    evidence_form = open_form(alice, evidence_url(evidence))
    story_form = open_form(alice, story_url(story))

    assert (claim_form["version"], claim_form["evidence-0-version"]) == ("7", "5")
    assert claim_form["version_snapshot"] and claim_form["evidence-0-version_snapshot"]
    assert claim_form["evidence-1-version"] == ""  # the extra, empty row
    assert evidence_form["version"] == "5"
    assert story_form["version"] == "3"


def test_the_add_pages_have_no_version_to_check(alice):
    page = alice.get(reverse("admin:stories_claim_add")).content.decode()

    assert 'name="version"' not in page


def test_a_view_only_editor_is_not_shown_the_bookkeeping(client, django_user_model, claim):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user(
        "viewer", password="irrelevant-pw", is_staff=True
    )
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_claim", "view_evidence"])
    )
    client.force_login(viewer)

    page = client.get(claim_url(claim)).content.decode()

    assert "Version snapshot" not in page and 'name="version"' not in page


# --------------------------------------------------------------------------------------------
# The model: every writer, not only the admin


def test_saving_a_stale_instance_raises_and_writes_nothing(claim):
    first, second = Claim.objects.get(pk=claim.pk), Claim.objects.get(pk=claim.pk)
    first.note = "First"
    first.save()
    second.note = "Second"

    with pytest.raises(VersionConflict):
        second.save()

    # Nothing failed in the database, so the surrounding transaction is still usable.
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("First", 2)
    assert second.version == 1  # left as loaded


def test_saving_an_instance_deleted_meanwhile_raises_rather_than_inserting_it(claim):
    stale = Claim.objects.get(pk=claim.pk)
    Claim.objects.filter(pk=claim.pk).delete()

    with pytest.raises(VersionConflict):
        stale.save()

    assert not Claim.objects.exists()


def test_update_fields_saves_move_the_version_too(claim):
    claim.note = "Noted"
    claim.save(update_fields=["note"])
    claim.refresh_from_db()

    assert (claim.note, claim.version) == ("Noted", 2)


def test_an_instance_loaded_without_its_version_is_saved_unguarded(claim):
    partial = Claim.objects.only("pk", "note").get(pk=claim.pk)
    Claim.objects.filter(pk=claim.pk).update(version=4)
    partial.note = "Noted"
    partial.save()

    claim.refresh_from_db()
    assert (claim.note, claim.version, partial.version) == ("Noted", 5, 5)


def test_workflow_services_move_the_story_version(story):
    publishing.publish_story(story, None)
    story.refresh_from_db()
    assert (story.status, story.version) == (StoryStatus.PUBLISHED, 2)

    publishing.unpublish_story(story)
    story.refresh_from_db()
    assert (story.status, story.version) == (StoryStatus.UNPUBLISHED, 3)


def test_fixtures_load_with_their_own_versions():
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)  # loading again updates

    assert set(Claim.objects.values_list("version", flat=True)) == {1}
    assert set(Evidence.objects.values_list("version", flat=True)) == {1}
    assert set(Story.objects.values_list("version", flat=True)) == {1}


def test_a_conflict_found_only_at_save_time_reruns_the_form(alice, claim, monkeypatch):
    """Without row locks (SQLite) a rival can commit between the form's check and
    the guarded UPDATE: the admin then runs the view again, whose check sees it."""
    from stories.admin.claims import ClaimAdmin

    url = claim_url(claim)
    data = edit(open_form(alice, url), note="Alice's note")
    original, calls = ClaimAdmin.save_model, []

    def save_model(self, request, obj, form, change):
        calls.append(obj.pk)
        if len(calls) == 1:
            raise VersionConflict(obj, obj.version)
        original(self, request, obj, form, change)

    monkeypatch.setattr(ClaimAdmin, "save_model", save_model)
    response = alice.post(url, data)

    assert response.status_code == 302
    assert len(calls) == 2
    claim.refresh_from_db()
    assert claim.note == "Alice's note"
    assert LogEntry.objects.filter(object_id=str(claim.pk)).count() == 1


# --------------------------------------------------------------------------------------------
# Real concurrency (PostgreSQL): two connections, the same row, at the same time

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and one writer at a time, so two "
    "concurrent transactions cannot race there (set DATABASE_URL=postgres://… to run it)",
)


def _in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as exc:  # recorded for the test to assert on
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_guarded_saves_exactly_one_wins():
    claim = Claim.objects.create(text=ORIGINAL_CLAIM)
    loaded, a_updated, b_started = threading.Barrier(2), threading.Event(), threading.Event()

    def alice():
        mine = Claim.objects.get(pk=claim.pk)
        loaded.wait(5)
        with transaction.atomic():
            mine.note = "Alice"
            mine.save()  # holds the row lock until the block ends
            a_updated.set()
            b_started.wait(5)
            time.sleep(0.5)  # bob's UPDATE is now waiting for this transaction
        return "saved"

    def bob():
        mine = Claim.objects.get(pk=claim.pk)
        loaded.wait(5)
        a_updated.wait(5)
        with transaction.atomic():
            mine.note = "Bob"
            b_started.set()
            mine.save()
        return "saved"

    results = {}
    threads = [_in_thread(alice, results, "alice"), _in_thread(bob, results, "bob")]
    for thread in threads:
        thread.join(20)

    assert results["alice"] == "saved"
    assert isinstance(results["bob"], VersionConflict)
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("Alice", 2)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_editors_posting_at_the_same_moment_exactly_one_is_saved(django_user_model):
    evidence = make_evidence(make_article(), QUOTE, claim=ORIGINAL_CLAIM)
    url = claim_url(evidence.claim)
    clients = {name: _client_for(django_user_model, name) for name in ("alice", "bob")}
    forms = {name: open_form(client, url) for name, client in clients.items()}
    start = threading.Barrier(2)

    def post(name, n):
        def run():
            start.wait(5)
            return clients[name].post(url, edit(forms[name], note=f"{name}'s note {n}"))

        return run

    results = {}
    for n in range(3):
        threads = [_in_thread(post(name, n), results, name) for name in clients]
        for thread in threads:
            thread.join(20)
        statuses = sorted(results[name].status_code for name in clients)
        assert statuses == [200, 302], (n, results)
        loser = next(name for name in clients if results[name].status_code == 200)
        winner = next(name for name in clients if name != loser)
        assert f"{winner} changed this claim" in conflict_text(results[loser])
        claim = Claim.objects.get()
        assert claim.note == f"{winner}'s note {n}"
        forms = {name: open_form(client, url) for name, client in clients.items()}
    assert Claim.objects.get().version == 4
