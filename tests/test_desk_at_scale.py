"""The desk's lists and the claims × sources matrix cost the same however much is on file:
counts are taken for the rows shown, and the matrix shows a page of claims at a time."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stories.admin.compare import MATRIX_CLAIMS
from stories.models import Article, Claim, PersonSuggestion, SuggestionStatus

from .factories import make_article, make_evidence

pytestmark = pytest.mark.django_db

BODY = " ".join(f"Sentence number {n:03d} of the article." for n in range(200))


def matrix_url(articles, **extra):
    query = "&".join(
        [f"articles={','.join(str(a.pk) for a in articles)}"]
        + [f"{key}={value}" for key, value in extra.items()]
    )
    return f"{reverse('admin:stories_claim_matrix')}?{query}"


def claims_on(articles, count, start=0):
    for n in range(start, start + count):
        for article in articles:
            make_evidence(article, f"Sentence number {n:03d} of", claim=f"Claim {n:03d}")


def rows_of(response):
    return [row.assessment.claim.text for row in response.context["matrix"].rows]


def test_the_matrix_shows_a_page_of_claims_and_every_article_on_each(admin_client):
    articles = [
        make_article(body=f"{BODY} ({n})", headline=f"A{n}", outlet=f"O{n}") for n in range(2)
    ]
    claims_on(articles, MATRIX_CLAIMS + 7)

    first = admin_client.get(matrix_url(articles))
    second = admin_client.get(matrix_url(articles, page=2))

    assert rows_of(first) == [f"Claim {n:03d}" for n in range(MATRIX_CLAIMS)]
    assert rows_of(second) == [f"Claim {n:03d}" for n in range(MATRIX_CLAIMS, MATRIX_CLAIMS + 7)]
    for response in (first, second):
        assert [c.article for c in response.context["matrix"].columns] == articles
    html = first.content.decode()
    assert f"Claims 1–{MATRIX_CLAIMS} of {MATRIX_CLAIMS + 7}" in html
    next_link = re.search(r'<a href="\?([^"]+)" rel="next">', html).group(1)
    assert next_link.replace("&amp;", "&") == (
        f"articles={'%2C'.join(str(a.pk) for a in articles)}&page=2"
    )


def test_the_matrix_takes_the_same_queries_for_a_dozen_claims_or_many_pages(admin_client):
    articles = [
        make_article(body=f"{BODY} ({n})", headline=f"A{n}", outlet=f"O{n}") for n in range(3)
    ]
    claims_on(articles, 12)
    rival = Claim.objects.get(text="Claim 000")
    rival.contradicts.add(Claim.objects.get(text="Claim 001"))  # rivals are loaded too
    url = matrix_url(articles)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)

    claims_on(articles, MATRIX_CLAIMS * 2, start=12)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)

    assert len(rows_of(response)) == MATRIX_CLAIMS
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_article_list_counts_evidence_and_pending_people_for_each_row(admin_client):
    article = make_article(body=BODY)
    quiet = make_article(body="Nothing cited here.", headline="Quiet")
    make_evidence(article, "Sentence number 001 of", claim="One")
    make_evidence(article, "Sentence number 002 of", claim="Two")
    make_evidence(article, "Sentence number 003 of", claim="One")
    for name, status in [("Ann", SuggestionStatus.PENDING), ("Bo", SuggestionStatus.ACCEPTED)]:
        PersonSuggestion.objects.create(article=article, name=name, status=status)

    response = admin_client.get(reverse("admin:stories_article_changelist"))

    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert (rows[article.pk].evidence_count, rows[article.pk].pending_suggestions) == (3, 1)
    assert (rows[quiet.pk].evidence_count, rows[quiet.pk].pending_suggestions) == (0, 0)


def test_the_article_list_reads_no_bodies_and_runs_no_query_over_every_date(admin_client):
    article = make_article(body=BODY)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:stories_article_changelist"))

    assert response.status_code == 200
    rows = [q["sql"] for q in queries.captured_queries if 'FROM "stories_article"' in q["sql"]]
    listed = [sql for sql in rows if '"stories_article"."headline"' in sql]
    assert listed and all('"stories_article"."body"' not in sql for sql in listed)
    # No date hierarchy: nothing truncates or spans every article's date on each view.
    assert not [sql for sql in rows if "DISTINCT" in sql or "MIN(" in sql]
    assert article.headline in response.content.decode()


def test_the_article_list_filters_by_import_date_and_actions_get_whole_articles(admin_client):
    recent = make_article(body=BODY, headline="Imported today")
    old = make_article(body="An older text about the harbour.", headline="Imported long ago")
    Article.objects.filter(pk=old.pk).update(imported_at=timezone.now() - timedelta(days=400))
    url = reverse("admin:stories_article_changelist")
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    response = admin_client.get(url, {"imported_at__gte": midnight.isoformat()})

    shown = [row.pk for row in response.context["cl"].result_list]
    assert shown == [recent.pk]
    assert "Past 7 days" in response.content.decode()
    # Actions still run on the articles selected, whatever the list left out.
    response = admin_client.post(
        url, {"action": "suggest_people", "_selected_action": [recent.pk, old.pk]}, follow=True
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]]


def test_a_claim_with_only_a_rival_is_listed_as_disputed(admin_client):
    article = make_article(body=BODY)
    make_evidence(article, "Sentence number 001 of", claim="Tense")
    make_evidence(article, "Sentence number 002 of", claim="Friendly")
    make_evidence(article, "Sentence number 003 of", claim="Unrelated")
    Claim.objects.get(text="Tense").contradicts.add(Claim.objects.get(text="Friendly"))

    response = admin_client.get(reverse("admin:stories_claim_changelist"))

    rows = {row.text: row for row in response.context["cl"].result_list}
    assert (rows["Tense"].rivals, rows["Friendly"].rivals, rows["Unrelated"].rivals) == (1, 1, 0)
    assert '<img src="/static/admin/img/icon-yes.svg" alt="True">' in response.content.decode()
