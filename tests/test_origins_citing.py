"""Citing a passage records its origin and chain, as the article presents them."""

import pytest

from stories.models import Evidence, EvidenceRelay, Origin, OriginKind

from .factories import make_article
from .test_reading_view import cite_data, cite_url, read_url

pytestmark = pytest.mark.django_db

BODY = (
    "The mayor opened the bridge on Monday.\n\n"
    "“It will change the town,” said a source close to the mayor.\n\n"
    "According to a post on the council’s Instagram, the ribbon was blue.\n\n"
    "“We are proud,” the statement read."
)


def test_an_anonymous_source_is_one_per_outlet_and_description(admin_client):
    article = make_article(body=BODY, headline="Bridge", outlet="Gazette")
    other = make_article(body=BODY + "\n\nMore.", headline="Bridge 2", outlet="Gazette")
    for target in (article, other):
        response = admin_client.post(
            cite_url(target),
            cite_data(
                "It will change the town",
                claim_text="The bridge will change the town",
                origin_kind="anonymous",
                origin_label="a source close to the mayor",
            ),
        )
        assert response.status_code == 302

    origins = {e.origin for e in Evidence.objects.all()}
    assert len(origins) == 1  # the same outlet's same description: one source
    origin = origins.pop()
    assert (origin.kind, origin.outlet.name) == (OriginKind.ANONYMOUS, "Gazette")


def test_a_relayed_post_becomes_the_first_link_of_the_chain(admin_client):
    article = make_article(body=BODY, headline="Bridge", outlet="Gazette")
    post = Origin.objects.create(kind=OriginKind.POST, label="the council’s Instagram post")

    response = admin_client.post(
        cite_url(article),
        cite_data(
            "the ribbon was blue",
            claim_text="The ribbon was blue",
            origin_kind="document",
            origin_label="the council’s statement",
            relayed_by=post.pk,
        ),
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert [(r.position, r.origin) for r in EvidenceRelay.objects.filter(evidence=evidence)] == [
        (1, post)
    ]
    assert evidence.origin_words() == (
        "the council’s statement, quoted in the council’s Instagram post"
    )
    source_page = admin_client.get(article.get_absolute_url()).content.decode()
    assert "the council’s statement, quoted in the council’s Instagram post" in source_page


def test_a_quote_without_a_speaker_prefills_no_origin_and_the_editor_must_say(admin_client):
    article = make_article(body=BODY, headline="Bridge", outlet="Gazette")
    quote = "We are proud,"
    start = article.body.index(quote)

    page = admin_client.get(
        read_url(article), {"quote_start": start, "quote_end": start + len(quote)}
    )
    form = page.context["form"]
    assert form.initial.get("origin_kind") == ""  # never "the outlet's own reporting"
    assert 'value="reporting" selected' not in page.content.decode()

    refused = admin_client.post(
        cite_url(article), cite_data(quote, claim_text="The council is proud", origin_kind="")
    )
    assert refused.status_code == 200
    assert "Say where the article says this comes from" in refused.content.decode()
    assert not Evidence.objects.exists()


def test_a_described_origin_needs_its_words_and_a_person_needs_the_person(admin_client):
    article = make_article(body=BODY, headline="Bridge", outlet="Gazette")
    for fields, message in [
        ({"origin_kind": "anonymous", "origin_label": ""}, "Say how the article describes"),
        ({"origin_kind": "person", "origin_label": "the mayor"}, "Choose the person"),
    ]:
        response = admin_client.post(
            cite_url(article), cite_data("opened the bridge", claim_text="It opened", **fields)
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Evidence.objects.exists() and not Origin.objects.exists()
