"""The reconciled story as readers and partners see it: counted by independent origin,
on the page, in reconciliation.json and in JSON-LD."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from stories.models import Article, Claim, Rating, Story
from stories.services import decisions
from stories.text import fragments

from .desk import client_for, desk_user

pytestmark = pytest.mark.django_db

SLUG = "megan-thee-stallion-justin-timberlake-vmas-backstage"
PAGE = reverse("stories:detail", kwargs={"slug": SLUG})
JSON_URL = reverse("stories:reconciliation", kwargs={"slug": SLUG})
TENSE = "The backstage exchange between Megan Thee Stallion and Justin Timberlake was tense"
FRIENDLY = "The exchange was a friendly first meeting"


class LinkedData(HTMLParser):
    """Collects the JSON-LD blocks of a page."""

    def __init__(self):
        super().__init__()
        self.blocks, self._inside = [], False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks.append(json.loads(data))


def linked_data(html):
    parser = LinkedData()
    parser.feed(html)
    found = []
    for block in parser.blocks:
        found += block if isinstance(block, list) else [block]
    return found


def reconciliation(client):
    response = client.get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def claim_json(data, text):
    return next(claim for claim in data["claims"] if claim["text"].startswith(text))


def test_the_tense_claim_rests_on_one_origin_and_both_later_articles_dispute_it(client, demo_data):
    claim = claim_json(reconciliation(client), TENSE)
    ew = Article.objects.get(outlet__slug="ew")

    assert claim["status"] == "disputed"
    supporting = claim["supporting"]
    assert supporting["articles"] == [ew.pk]
    assert [(o["label"], o["kind"]) for o in supporting["origins"]] == [
        ("EW’s own reading of the backstage live-feed video", "reporting")
    ]
    later = set(Article.objects.exclude(pk=ew.pk).values_list("pk", flat=True))
    assert set(claim["disputing"]["articles"]) == later
    assert claim["verdict"] is None


def test_the_friendly_claim_is_counted_by_origin_never_by_passage(client, demo_data):
    claim = claim_json(reconciliation(client), FRIENDLY)
    supporting = claim["supporting"]
    passages = sum(len(origin["evidence"]) for origin in supporting["origins"])

    assert len(supporting["articles"]) == 2
    assert passages == 5
    assert supporting["independent_origins"] == 3
    kinds = {o["label"]: (o["kind"], o["anonymous"]) for o in supporting["origins"]}
    assert kinds["Megan Thee Stallion’s TikTok video"] == ("post", False)
    assert kinds["sources close to the situation, per ET"] == ("anonymous", True)
    assert kinds["a source close to Megan Thee Stallion, per ET"] == ("anonymous", True)
    # The editor judged the two "close to the situation" sources possibly the same.
    close = [o for o in supporting["origins"] if "close to the situation" in o["label"]]
    assert len(close) == 2
    assert all(not o["independent_of_others"] and o["how"] == ["possibly"] for o in close)
    relayed = kinds and next(o for o in supporting["origins"] if o["label"].endswith("per ET"))
    assert relayed["chains"] == [
        "sources close to the situation, per ET, quoted in ET’s Instagram post, "
        "as reported by “A Viral Moment of Connection”"
    ]


def test_single_origin_details_and_what_every_article_agrees_on(client, demo_data):
    data = reconciliation(client)
    tiktok = claim_json(data, "Megan Thee Stallion later posted a TikTok video")
    dont_count = claim_json(data, "Megan Thee Stallion told Justin Timberlake")
    nsync = claim_json(data, "Justin Timberlake and his NSYNC bandmates")

    assert tiktok["status"] == dont_count["status"] == "single_origin"
    assert tiktok["reason"] == "1 article, 1 origin: from Megan Thee Stallion’s TikTok video."
    assert nsync["status"] == "corroborated"
    mentioning = {e.article_id for e in Claim.objects.get(pk=nsync["id"]).evidence.all()}
    assert set(nsync["supporting"]["articles"]) == mentioning


def test_the_articles_and_the_matrix_in_the_json(client, demo_data):
    data = reconciliation(client)
    assert data["schema"] == "newsroom.reconciliation/1"
    assert data["summary"] == {"articles": 3, "independent_origins": 8, "cited_passages": 29}
    assert {a["derived_from"] for a in data["articles"]} == {None}  # EW stands as original
    matrix = data["matrix"]
    assert matrix["claims"] == [claim["id"] for claim in data["claims"]]
    assert matrix["articles"] == [article["id"] for article in data["articles"]]
    assert len(matrix["cells"]) == len(matrix["claims"])
    assert {len(row) for row in matrix["cells"]} == {3}
    stances = {cell["stance"] for row in matrix["cells"] for cell in row}
    assert stances == {"supports", "disputes", "mentions", "silent"}
    cell = next(cell for row in matrix["cells"] for cell in row if cell["evidence"])
    passage = cell["evidence"][0]
    body = Article.objects.get(evidence=passage["id"]).body
    assert body[passage["start"] : passage["end"]] == passage["quote"]


def test_the_json_is_the_published_revision_only(client, demo_data, django_user_model):
    story = Story.objects.get(slug=SLUG)
    statement = story.statements.order_by("position").first()
    statement.evidence.clear()  # a draft edit readers must not see
    editor = client_for(desk_user(django_user_model, "editor"))

    for who in (client, editor):
        assert reconciliation(who)["summary"]["cited_passages"] == 29
    story.status = "unpublished"
    story.save()
    assert client.get(JSON_URL).status_code == 404
    assert editor.get(JSON_URL).status_code == 404


def test_the_page_counts_articles_and_independent_origins(client, demo_data):
    html = client.get(PAGE).content.decode()
    assert "3 articles, 8 independent origins, 29 cited passages" in html
    assert 'class="badge badge-disputed"' in html
    assert "How the sources compare" in html
    assert "What the labels mean" in html
    assert f'<link rel="alternate" type="application/json" href="{JSON_URL}"' in html


def test_each_origin_appears_once_in_a_dispute_box(client, demo_data):
    html = client.get(PAGE).content.decode()
    tense = Claim.objects.get(text__startswith=TENSE)
    box = re.search(rf'<aside class="claim-box[^"]*" id="claim-{tense.pk}".*?</aside>', html, re.S)
    sides = re.findall(r'<ul class="origins">(.*?)</ul>', box.group(0), re.S)
    assert len(sides) == 3  # supported by, disputed by, and the rival's support
    labels = [re.findall(r'<span class="origin-label">(.*?)</span>', side) for side in sides]
    assert "EW’s own reading of the backstage live-feed video" in labels[0][0]
    # Each side names each origin once, however many passages it carries.
    assert all(len(side) == len(set(side)) for side in labels)
    assert [len(side) for side in labels] == [1, 2, 3]


def test_structured_data_a_news_article_and_a_claim_review_per_verdict(
    client, demo_data, django_user_model
):
    tense = Claim.objects.get(text__startswith=TENSE)
    editor = desk_user(django_user_model, "editor")
    decisions.set_verdict(tense, Rating.UNPROVEN, "One reading of a silent video.", editor)
    friendly = Claim.objects.get(text=FRIENDLY)
    decisions.set_verdict(friendly, Rating.MISLEADING, "Rests on anonymous sources.", editor)

    items = linked_data(client.get(PAGE).content.decode())

    article = next(item for item in items if item["@type"] == "NewsArticle")
    assert article["headline"].startswith("What happened between Megan Thee Stallion")
    assert len(article["citation"]) == 3
    reviews = {item["claimReviewed"]: item for item in items if item["@type"] == "ClaimReview"}
    assert set(reviews) == {tense.text, friendly.text}
    review = reviews[friendly.text]
    assert review["reviewRating"]["alternateName"] == "Misleading"
    assert review["reviewRating"]["ratingValue"] == 2
    assert (review["reviewRating"]["bestRating"], review["reviewRating"]["worstRating"]) == (5, 1)
    assert "ratingValue" not in reviews[tense.text]["reviewRating"]  # unproven: no point
    assert review["itemReviewed"]["@type"] == "Claim"
    assert len(review["itemReviewed"]["appearance"]) == 2
    assert review["itemReviewed"]["firstAppearance"]["url"].startswith("http://testserver/")
    assert review["url"] == f"http://testserver{friendly.get_absolute_url()}"
    assert review["author"]["name"] == "Newsroom"
    assert claim_json(reconciliation(client), FRIENDLY)["verdict"]["rating"] == "misleading"
    claim_page = linked_data(client.get(friendly.get_absolute_url()).content.decode())
    assert [item["@type"] for item in claim_page] == ["ClaimReview"]


def test_structured_data_cannot_break_out_of_its_script(client, demo_data, django_user_model):
    claim = Claim.objects.get(text=FRIENDLY)
    decisions.set_verdict(
        claim,
        Rating.FALSE,
        "</script><script>alert(1)</script>",
        desk_user(django_user_model, "editor"),
    )
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    review = linked_data(html)[0]
    assert review["reviewRating"]["ratingExplanation"] == "</script><script>alert(1)</script>"


def test_a_citation_links_to_the_publishers_page_with_a_text_fragment(client, demo_data):
    ew = Article.objects.get(outlet__slug="ew")
    Article.objects.filter(pk=ew.pk).update(url="https://example.com/vmas?x=1&y=2")
    cited = ew.evidence.get(quote__startswith="A behind-the-scenes live feed")

    html = client.get(PAGE).content.decode()

    expected = fragments.text_fragment_url(
        "https://example.com/vmas?x=1&y=2", ew.body, cited.start, cited.end
    )
    assert expected.startswith("https://example.com/vmas?x=1&y=2#:~:text=")
    assert f'href="{escape(expected)}"' in html
    other = Article.objects.exclude(pk=ew.pk).first()  # no URL: no publisher link
    assert html.count("at the publisher") == ew.evidence.filter(statements__isnull=False).count()
    assert other.url == ""


def test_the_story_page_takes_a_fixed_number_of_queries(client, demo_data):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert len(sql) == 10, "\n".join(sql)
    assert len(sql) == len(set(sql)), "a query ran twice"
