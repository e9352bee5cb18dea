"""The exports say which version of its article each passage quotes (#9): a published story
keeps citing the text it cited, so partners reading offsets must know which text they index,
and that a newer one exists. Seed 000 corrected becomes version 2 (see test_versions.py): its
orphaned and fuzzy passages still quote version 1, the others follow to version 2."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.models import Evidence, Story

from .test_versions import REMOVED_EVIDENCE, TYPO_EVIDENCE, corrected_seed, run

pytestmark = pytest.mark.django_db


def expected_versions():
    """{evidence id: (version, latest_version)} for every passage, as the rows say."""
    expected = {}
    for evidence in Evidence.objects.select_related("article_version"):
        latest = evidence.article.versions.count() or 1
        cited = evidence.article_version.number if evidence.article_version_id else latest
        expected[evidence.pk] = (cited, latest)
    return expected


def revise(article, tmp_path):
    path, _body = corrected_seed(tmp_path)
    run("import_articles", str(path), "--revises", str(article.pk))


def story_urls():
    story = Story.objects.get()
    return {
        "page": story.get_absolute_url(),
        "json": reverse("stories:reconciliation", kwargs={"slug": story.slug}),
        "api story": reverse("api:story-detail", args=[story.slug]),
    }


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def matrix_passages(data):
    return [e for row in data["matrix"]["cells"] for cell in row for e in cell["evidence"]]


def test_before_any_new_version_every_passage_quotes_version_1(client, seed_article):
    data = client.get(story_urls()["json"]).json()

    passages = matrix_passages(data)
    assert passages
    assert {(e["version"], e["latest_version"]) for e in passages} == {(1, 1)}


def test_the_json_says_a_passage_quotes_version_1_of_an_article_now_at_2(
    client, seed_article, tmp_path
):
    revise(seed_article, tmp_path)
    expected = expected_versions()
    assert expected[REMOVED_EVIDENCE] == expected[TYPO_EVIDENCE] == (1, 2)

    data = client.get(story_urls()["json"]).json()

    passages = {e["id"]: e for e in matrix_passages(data)}
    assert {pk: (e["version"], e["latest_version"]) for pk, e in passages.items()} == {
        pk: expected[pk] for pk in passages
    }
    removed = passages[REMOVED_EVIDENCE]
    assert (removed["version"], removed["latest_version"]) == (1, 2)
    assert removed["url"].endswith(f"?version=1#passage-{REMOVED_EVIDENCE}")
    followed = [e for e in passages.values() if e["version"] == 2]
    assert followed and all(e["latest_version"] == 2 for e in followed)


def test_the_api_gives_every_passage_its_version(client, seed_article, tmp_path):
    revise(seed_article, tmp_path)
    expected = expected_versions()
    urls = story_urls()

    story = client.get(urls["api story"]).json()
    cited = [c["evidence"] for s in story["statements"] for c in s["citations"]]
    assert {e["id"]: (e["version"], e["latest_version"]) for e in cited} == {
        e["id"]: expected[e["id"]] for e in cited
    }
    assert (1, 2) in {(e["version"], e["latest_version"]) for e in cited}
    embedded = matrix_passages(story["reconciliation"])
    assert {(e["version"], e["latest_version"]) for e in embedded} >= {(1, 2), (2, 2), (1, 1)}

    removed = Evidence.objects.get(pk=REMOVED_EVIDENCE)
    claim = client.get(reverse("api:claim-detail", args=[removed.claim_id])).json()
    assert {e["id"]: (e["version"], e["latest_version"]) for e in claim["evidence"]} == {
        e["id"]: expected[e["id"]] for e in claim["evidence"]
    }
    source = client.get(reverse("api:source-detail", args=[seed_article.pk])).json()
    by_id = {p["id"]: (p["version"], p["latest_version"]) for p in source["passages"]}
    assert by_id[REMOVED_EVIDENCE] == (1, 2)
    assert set(by_id.values()) == {(1, 2), (2, 2)}


def test_the_schema_documents_the_version_fields(client):
    schema = client.get(reverse("api:openapi")).json()
    passage = schema["components"]["schemas"]["Passage"]["properties"]
    assert passage["version"]["type"] == passage["latest_version"]["type"] == "integer"


def test_passages_on_an_older_version_cost_no_query(client, seed_article, tmp_path):
    """Each page or export takes as many queries with passages on version 1 of an article
    now at 2 as before it changed: the numbers come with the passages."""
    urls = {**story_urls(), "api source": reverse("api:source-detail", args=[seed_article.pk])}
    before = {name: queries_of(client, url) for name, url in urls.items()}
    revise(seed_article, tmp_path)
    assert Evidence.objects.filter(article_version__isnull=False).count() == 2

    after = {name: queries_of(client, url) for name, url in urls.items()}

    assert after == before
    assert before["page"] == 10  # tests/test_reconciliation_page.py pins it
