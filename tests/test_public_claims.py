"""Once a published story cites a claim, its evidence is what readers see: reporters
may read it but only editors change it, add to it or remove from it."""

import re

import pytest
from django.urls import reverse

from stories import roles
from stories.models import Claim, Evidence

from .desk import client_for, desk_user
from .factories import make_article, make_evidence, make_story
from .test_reading_view import cite_data, cite_url, read_url

pytestmark = pytest.mark.django_db

BODY = (
    "Justin Timberlake and Megan Thee Stallion appeared to get into a pointed exchange.\n\n"
    "A source said it was a friendly first meeting."
)


@pytest.fixture
def setting(django_user_model):
    article = make_article(body=BODY)
    public = make_evidence(article, "a pointed exchange", claim="The exchange was tense")
    make_story("Live", statements=[("Tense.", [public])])
    draft = make_evidence(article, "a friendly first meeting", claim="It was friendly")
    return {
        "article": article,
        "public": public,
        "draft": draft,
        "reporter": client_for(desk_user(django_user_model, "reporter")),
        "editor": client_for(desk_user(django_user_model, "editor")),
    }


def claim_url(claim, action="change"):
    return reverse(f"admin:stories_claim_{action}", args=[claim.pk])


def evidence_url(evidence, action="change"):
    return reverse(f"admin:stories_evidence_{action}", args=[evidence.pk])


def test_reporter_sees_a_public_claim_read_only_and_cannot_post_to_it(setting):
    reporter, claim = setting["reporter"], setting["public"].claim
    page = reporter.get(claim_url(claim))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    refused = reporter.post(claim_url(claim), {"text": "Rewritten by a reporter"})
    assert refused.status_code == 403
    assert reporter.post(claim_url(claim, "delete"), {"post": "yes"}).status_code == 403
    claim.refresh_from_db()
    assert claim.text == "The exchange was tense"


def test_reporter_keeps_full_use_of_a_claim_no_published_story_cites(setting):
    page = setting["reporter"].get(claim_url(setting["draft"].claim))
    assert 'name="_save"' in page.content.decode()


def test_reporter_cannot_change_or_delete_public_evidence_on_its_own_page(setting):
    reporter, public = setting["reporter"], setting["public"]
    assert reporter.post(evidence_url(public), {"stance": "disputes"}).status_code == 403
    assert reporter.post(evidence_url(public, "delete"), {"post": "yes"}).status_code == 403
    public.refresh_from_db()
    assert public.stance == "supports"
    assert 'name="_save"' in reporter.get(evidence_url(setting["draft"])).content.decode()


def claims_offered(client, term):
    """What the admin's autocomplete offers a passage's claim picker for ``term``."""
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "stories", "model_name": "evidence", "field_name": "claim", "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_reporter_cannot_attach_new_evidence_to_a_public_claim(setting):
    reporter, article = setting["reporter"], setting["article"]
    public_claim = setting["public"].claim
    # The cite form's claim picker searches as the reporter types; it offers the
    # claims the reporter may add evidence to, and no other.
    page = reporter.get(read_url(article)).content.decode()
    picker = re.search(r'<select name="claim".*?</select>', page, re.S).group(0)
    assert 'data-model-name="evidence"' in picker and 'data-field-name="claim"' in picker
    assert f'<option value="{public_claim.pk}"' not in picker
    assert claims_offered(reporter, "") == ["It was friendly"]
    assert claims_offered(reporter, "tense") == []
    assert claims_offered(setting["editor"], "") == ["It was friendly", "The exchange was tense"]

    by_choice = reporter.post(cite_url(article), cite_data("Megan", claim=public_claim.pk))
    by_text = reporter.post(cite_url(article), cite_data("Megan", claim_text=public_claim.text))
    assert by_choice.status_code == by_text.status_code == 200
    assert "only an editor can add evidence" in by_text.content.decode()
    assert public_claim.evidence.count() == 1

    add = reporter.get(reverse("admin:stories_evidence_add"))
    assert (
        add.context["adminform"].form.fields["claim"].queryset.filter(pk=public_claim.pk).exists()
        is False
    )


def test_reporter_cannot_remove_a_public_passage_from_the_reading_view(setting):
    reporter, article, public = setting["reporter"], setting["article"], setting["public"]
    page = reporter.get(read_url(article)).content.decode()
    remove = reverse("admin:stories_article_remove_passage", args=[article.pk, public.pk])
    assert remove not in page
    assert reporter.post(remove, {"confirmed": "yes"}).status_code == 403
    assert Evidence.objects.filter(pk=public.pk).exists()
    draft_remove = reverse(
        "admin:stories_article_remove_passage", args=[article.pk, setting["draft"].pk]
    )
    assert draft_remove in page


def test_editors_change_public_claims_and_their_evidence(setting):
    editor, article, public = setting["editor"], setting["article"], setting["public"]
    assert 'name="_save"' in editor.get(claim_url(public.claim)).content.decode()
    cited = editor.post(cite_url(article), cite_data("Megan", claim=public.claim.pk))
    assert cited.status_code == 302
    assert public.claim.evidence.count() == 2
    remove = reverse("admin:stories_article_remove_passage", args=[article.pk, public.pk])
    assert editor.post(remove, {"confirmed": "yes"}).status_code == 302
    assert not Claim.objects.get(pk=public.claim.pk).evidence.filter(pk=public.pk).exists()


def test_the_rule_is_spelled_out_once_in_roles(setting, django_user_model):
    reporter = django_user_model.objects.get(username="reporter")
    editor = django_user_model.objects.get(username="editor")
    public, draft = setting["public"].claim, setting["draft"].claim
    # Without a claim: may this user change the claims published stories cite?
    assert [roles.may_change_public_claim(reporter, c) for c in (public, draft, None)] == [
        False,
        True,
        False,
    ]
    assert [roles.may_change_public_claim(editor, c) for c in (public, draft, None)] == [
        True,
        True,
        True,
    ]
    assert list(roles.changeable_claims(reporter, Claim.objects.all())) == [draft]
    assert set(roles.changeable_claims(editor, Claim.objects.all())) == {public, draft}


# --------------------------------------------------------------------------------------------
# A contradicting claim readers may not see stays off the public pages


@pytest.fixture
def hidden_rival():
    """A public claim linked under *Contradicts* to a claim only a draft cites,
    whose only passage is in an article no published story uses."""
    cited = make_evidence(make_article(), "a pointed exchange")
    secret = make_article(
        body="Insiders say the meeting was friendly and warm.",
        headline="Unpublished source headline",
        outlet="Unpublished outlet",
    )
    rival = make_evidence(secret, "the meeting was friendly", claim="Draft-only rival claim")
    rival.claim.contradicts.add(cited.claim)
    story = make_story("Live", statements=[("Tense.", [cited])])
    make_story("Draft", published=False, statements=[("Friendly.", [rival])])
    return story, cited, rival


def test_a_rival_claim_only_a_draft_cites_is_not_shown_to_readers(client, hidden_rival):
    story, cited, rival = hidden_rival
    assert client.get(rival.claim.get_absolute_url()).status_code == 404
    assert client.get(rival.article.get_absolute_url()).status_code == 404
    for url in [story.get_absolute_url(), cited.claim.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "Draft-only rival claim" not in html, url
        assert "Unpublished source headline" not in html, url
        assert "Unpublished outlet" not in html, url
        assert "the meeting was friendly" not in html, url
    # Nothing a reader can see disputes the claim, so it is not flagged as disputed.
    assert "Disputed" not in client.get(story.get_absolute_url()).content.decode()


def test_a_rival_claim_shows_once_published_and_staff_see_it_in_the_preview(
    client, hidden_rival, django_user_model
):
    story, cited, rival = hidden_rival
    staff = client_for(desk_user(django_user_model, "editor"))
    preview = staff.get(story.get_absolute_url() + "?preview").content.decode()
    assert "Draft-only rival claim" in preview

    make_story("Rival live", statements=[("Friendly.", [rival])])
    for url in [story.get_absolute_url(), cited.claim.get_absolute_url()]:
        assert "Draft-only rival claim" in client.get(url).content.decode(), url
    assert "Contradicted by" in client.get(story.get_absolute_url()).content.decode()


def test_see_what_readers_see_is_exactly_the_readers_page(client, hidden_rival, django_user_model):
    """The draft preview's "See what readers see" link shows the desk the page a reader
    gets, byte for byte: not the published revision mixed with a rival claim (and its
    source) that only a draft cites."""
    story, cited, rival = hidden_rival
    story.statements.update(text="Tense, said the draft.")  # the draft differs: a banner
    editor = client_for(desk_user(django_user_model, "editor"))
    preview = editor.get(story.get_absolute_url() + "?preview").content.decode()
    link = f'href="{story.get_absolute_url()}?as=reader">See what readers see</a>'
    assert link in preview

    for url in [story.get_absolute_url(), cited.claim.get_absolute_url()]:
        as_reader = editor.get(url + "?as=reader")
        assert as_reader.status_code == 200
        assert as_reader.content == client.get(url).content, url
        assert "Draft-only rival claim" not in as_reader.content.decode()
    for url in [rival.claim.get_absolute_url(), rival.article.get_absolute_url()]:
        assert editor.get(url + "?as=reader").status_code == 404, url
        assert editor.get(url).status_code == 200, url  # still the desk's preview
