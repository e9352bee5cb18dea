"""The {% highlighted_body %} tag: the reader's source page and the desk's reading view
highlight a body with one tag, so they cannot disagree about what is marked."""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from stories.models import Article

from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db


class Marks(HTMLParser):
    """The ``id`` and the body text of every <mark>, leaving out the desk's popovers."""

    def __init__(self):
        super().__init__()
        self.marks = []  # [id, text]
        self._open = []  # (tag, is a popover) for each open element

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "mark":
            self.marks.append([attrs.get("id"), ""])
        self._open.append((tag, "desk-pop" in (attrs.get("class") or "").split()))

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        tags = [tag for tag, _ in self._open]
        if "mark" in tags and not any(popover for _, popover in self._open):
            self.marks[-1][1] += data


def marks(response, container):
    """The marks inside the element with id or class ``container``."""
    html = response.content.decode()
    start = html.index(container)
    end = html.index("</div>", start)
    parser = Marks()
    parser.feed(html[start:end])
    return parser.marks


def test_the_source_page_and_the_reading_view_mark_the_same_runs(admin_client):
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    cited = Article.objects.filter(evidence__isnull=False).distinct()
    assert cited.exists()
    for article in cited:
        reader = admin_client.get(reverse("stories:source", args=[article.pk]))
        desk = admin_client.get(reverse("admin:stories_article_read", args=[article.pk]))
        on_source = marks(reader, 'class="source-body"')
        on_desk = marks(desk, 'id="desk-text"')
        assert on_source, article
        assert on_source == on_desk, article


def test_the_desk_asks_about_a_removal_on_one_line(admin_client):
    article = make_article(body="A line\nwrapped here, and more.\n\nNext paragraph.")
    evidence = make_evidence(article, "A line\nwrapped here", claim="It was wrapped")
    make_story("Wrapped", statements=[("Wrapped.", [evidence])])

    page = admin_client.get(reverse("admin:stories_article_read", args=[article.pk]))

    assert (
        'data-confirm="Remove the passage “A line wrapped here” (supports “It was wrapped”)? '
        'It is cited by 1 statement(s), which will no longer cite it."'
    ) in page.content.decode()
