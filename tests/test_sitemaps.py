"""The sitemap lists every public page, and only those; robots.txt points at it."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from stories.models import Article, Claim, Person, Story

from .factories import make_article, make_evidence, make_story

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own sitemap
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }


@pytest.mark.django_db
def test_the_sitemap_lists_every_public_page_and_each_opens(client, demo_data):
    secret = make_article(body="A secret draft source.", headline="Secret", outlet="XY")
    evidence = make_evidence(secret, "secret draft", claim="A claim only a draft cites")
    draft = make_story("Draft story", published=False, statements=[("Draft.", [evidence])])
    loose = Person.objects.create(name="Nobody Yet")

    listed = sitemap(client)
    expected = {"/"}
    for model in (Story, Claim, Article, Person):
        expected |= {row.get_absolute_url() for row in model.objects.published()}
    assert set(listed) == {f"http://testserver{path}" for path in expected}
    # The demo: the front page, the story, its claims, sources and people.
    assert len(listed) == 1 + 1 + 12 + 3 + 10
    for url in listed:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url
    for private in (draft, evidence.claim, secret, loose):
        assert f"http://testserver{private.get_absolute_url()}" not in listed


@pytest.mark.django_db
def test_a_storys_lastmod_is_its_latest_revision(client, demo_data):
    story = Story.objects.published().get()
    listed = sitemap(client)
    lastmod = listed[f"http://testserver{story.get_absolute_url()}"]
    assert lastmod == story.published_revision.created_at.date().isoformat()


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert f"Sitemap: http://testserver{reverse('sitemap')}" in lines
