"""What a shared link shows: the canonical address, the meta description, Open
Graph and Twitter card tags on story, source, person and claim pages; and the
favicon, so no page makes the browser ask for a missing /favicon.ico."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from stories.models import Article, Claim, Person, Story

from .factories import make_article, make_evidence, make_story


def head_tags(response):
    html = response.content.decode()
    head = html.split("</head>", 1)[0]
    tags = {}
    for name, content in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', head):
        tags[name] = content
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', head)
    return tags, canonical


@pytest.mark.django_db
def test_every_shareable_page_has_canonical_description_and_cards(client, demo_data):
    story = Story.objects.published().get()
    pages = [
        (story, "article", story.published_revision.headline),
        (Claim.objects.published().order_by("pk").first(), "article", None),
        (Article.objects.published().order_by("pk").first(), "article", None),
        (Person.objects.published().get(slug="justin-timberlake"), "profile", "Justin Timberlake"),
    ]
    for obj, kind, title in pages:
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        tags, canonical = head_tags(response)
        url = f"http://testserver{obj.get_absolute_url()}"
        assert canonical == [url], obj
        assert tags["og:url"] == url and tags["og:type"] == kind
        assert tags["og:site_name"] == "Newsroom"
        assert tags["og:title"] and tags["twitter:title"] == tags["og:title"]
        if title:
            assert tags["og:title"] == title
        assert tags["description"] == tags["og:description"] == tags["twitter:description"]
        assert tags["description"], obj
        assert tags["twitter:card"] == "summary"
        assert tags["og:image"] == "http://testserver/static/stories/share.png"
    story_tags, _ = head_tags(client.get(story.get_absolute_url()))
    assert story_tags["og:description"] == story.published_revision.standfirst
    assert story_tags["article:published_time"] == story.published_at.isoformat()
    claim = Claim.objects.published().get(text__contains="tense")
    claim_tags, _ = head_tags(client.get(claim.get_absolute_url()))
    assert claim_tags["description"].startswith("Disputed: ")


@pytest.mark.django_db
def test_shared_text_is_escaped(client):
    article = make_article(body='He said "<b>hi</b>" & left.', headline='A "quote" <b>head</b>')
    evidence = make_evidence(article, "left", claim='The <script>claim</script> "x"')
    story = make_story('Story "<i>one</i>"', statements=[("S.", [evidence])], slug="one")
    for obj in (story, article, evidence.claim):
        html = client.get(obj.get_absolute_url()).content.decode()
        head = html.split("</head>", 1)[0]
        assert "<b>" not in head and "<i>" not in head and "<script>claim" not in head
        assert "&quot;" in head


@pytest.mark.django_db
def test_a_draft_preview_is_not_indexed_and_claims_no_canonical_address(client, editor_client):
    article = make_article()
    evidence = make_evidence(article, "pointed exchange")
    draft = make_story("Draft", published=False, statements=[("S.", [evidence])])
    html = editor_client.get(draft.get_absolute_url()).content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html and "og:title" not in html


@pytest.mark.django_db
def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/stories/favicon.ico"
    assert finders.find("stories/favicon.ico") and finders.find("stories/favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get(reverse("stories:list")).content.decode()
    assert '<link rel="icon" href="/static/stories/favicon.svg" type="image/svg+xml">' in html
    svg = client.get("/static/stories/favicon.svg")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
