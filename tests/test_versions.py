"""Article versions (#9): a corrected seed 000 becomes version 2 of its article, every demo
passage re-anchored, the removed one orphaned; check_anchors and the desk's queue show it;
the published story keeps reading from version 1; republishing waits for the editor."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from stories.models import AnchorState, Article, ArticleVersion, Evidence, Story
from stories.services import articles as importing
from stories.services import publishing
from stories.services.publishing import NotReadyToPublish

from .seed_texts import SEED_000, SEED_001, SEEDS, seed_body

ADDED = "Update: a spokesperson for the VMAs later said the clip was genuine.\n\n"
REMOVED_EVIDENCE = 16  # its sentence is cut from the corrected text
TYPO_EVIDENCE = 29  # quotes "begging for for years"


def corrected_seed(tmp_path):
    """Seed 000 corrected: a paragraph added after the first, the typo "for for years" fixed
    inside a cited quote, and the sentence evidence 16 quotes removed."""
    raw = (SEEDS / SEED_000).read_text(encoding="utf-8")
    old = seed_body(SEED_000)
    removed = Evidence.objects.get(pk=REMOVED_EVIDENCE).quote
    new = old[: old.index("\n\n") + 2] + ADDED + old[old.index("\n\n") + 2 :]
    new = new.replace(removed + " ", "", 1).replace("for for years", "for years", 1)
    assert removed not in new
    path = tmp_path / "000_corrected.txt"
    path.write_text(raw.replace(old, new), encoding="utf-8")
    return path, new


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def revised(seed_article, tmp_path):
    """Seed 000 imported again, corrected, as a new version of its article."""
    path, new = corrected_seed(tmp_path)
    before = {e.pk: (e.quote, e.start, e.end) for e in seed_article.evidence.all()}
    output = run("import_articles", str(path), "--revises", str(seed_article.pk))
    seed_article.refresh_from_db()
    return seed_article, new, before, output


@pytest.mark.django_db
def test_a_corrected_text_becomes_version_2_with_every_passage_re_anchored(revised):
    article, new, before, output = revised
    assert "1 new version of an existing article" in output
    assert Article.objects.count() == 3  # no new article
    versions = list(article.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].body == seed_body(SEED_000)
    assert versions[1].body == article.body == new
    assert versions[1].body_sha256 == article.body_sha256

    passages = {e.pk: e for e in article.evidence.all()}
    assert set(passages) == set(before)
    states = {pk: e.anchor_state for pk, e in passages.items()}
    assert states == dict.fromkeys(passages, AnchorState.EXACT) | {
        REMOVED_EVIDENCE: AnchorState.ORPHANED,
        TYPO_EVIDENCE: AnchorState.FUZZY,
    }
    for pk, evidence in passages.items():
        # None bound to other text: each quote stands at its offsets in the text it cites.
        assert evidence.matches_article()
        if evidence.anchor_state == AnchorState.EXACT:
            assert evidence.article_version is None  # the current text, version 2
            assert evidence.quote == before[pk][0]
            assert new[evidence.start : evidence.end] == evidence.quote
        else:
            # Waiting for an editor, still on version 1's text as it was cited.
            assert evidence.article_version == versions[0]
            assert (evidence.quote, evidence.start, evidence.end) == before[pk]
    fuzzy = passages[TYPO_EVIDENCE]
    assert fuzzy.anchor_score is not None and 90 <= fuzzy.anchor_score < 100
    assert fuzzy.anchor_candidates[0]["text"] == fuzzy.quote.replace("for for years", "for years")
    assert passages[REMOVED_EVIDENCE].anchor_candidates == []


@pytest.mark.django_db
def test_versions_are_never_changed_once_stored(revised):
    version = revised[0].versions.get(number=1)
    version.body = "Something else."
    with pytest.raises(ValueError, match="never changed"):
        version.save()
    assert ArticleVersion.objects.get(pk=version.pk).body == seed_body(SEED_000)


@pytest.mark.django_db
def test_check_anchors_lists_every_passage_with_its_state_and_version(revised):
    article = revised[0]
    rows = json.loads(run("check_anchors", "--json", "--article", str(article.pk)))
    assert len(rows) == article.evidence.count() == 13
    assert all(
        set(row)
        == {
            "evidence",
            "article",
            "version",
            "state",
            "start",
            "end",
            "quote",
            "score",
            "candidates",
        }
        for row in rows
    )
    by_id = {row["evidence"]: row for row in rows}
    assert by_id[REMOVED_EVIDENCE]["state"] == "orphaned"
    assert by_id[REMOVED_EVIDENCE]["version"] == 1
    assert by_id[REMOVED_EVIDENCE]["score"] is None
    assert by_id[TYPO_EVIDENCE]["state"] == "fuzzy"
    assert by_id[TYPO_EVIDENCE]["candidates"][0]["score"] == by_id[TYPO_EVIDENCE]["score"]
    exact = [row for row in rows if row["state"] == "exact"]
    assert len(exact) == 11 and {row["version"] for row in exact} == {2}
    assert {row["article"] for row in rows} == {article.pk}

    everything = json.loads(run("check_anchors", "--json"))
    assert len(everything) == Evidence.objects.count()
    table = run("check_anchors", "--article", str(article.pk))
    assert "orphaned" in table and "13 passage(s), 2 waiting for an editor." in table
    with pytest.raises(CommandError, match="--article 999999: no article"):
        run("check_anchors", "--article", "999999")


@pytest.mark.django_db
def test_the_published_story_keeps_showing_version_1_and_republishing_waits(
    revised, client, django_user_model
):
    article = revised[0]
    story = Story.objects.get()
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    removed = Evidence.objects.get(pk=REMOVED_EVIDENCE)
    old_source = f"{article.get_absolute_url()}?version=1#{removed.anchor_id}"
    assert old_source in page.content.decode()

    old = client.get(f"{article.get_absolute_url()}?version=1")
    assert "A newer version of this article exists." in old.content.decode()
    assert f'id="{removed.anchor_id}"' in old.content.decode()
    assert "for for years" in old.content.decode()
    current = client.get(article.get_absolute_url())
    assert "A newer version" not in current.content.decode()
    assert f'id="{removed.anchor_id}"' not in current.content.decode()
    assert ADDED.strip() in current.content.decode()
    assert client.get(f"{article.get_absolute_url()}?version=7").status_code == 404

    editor = django_user_model.objects.create_superuser("chief", "c@newsroom.invalid", "pw")
    with pytest.raises(NotReadyToPublish) as refused:
        publishing.publish_story(story, editor)
    problems = " ".join(refused.value.problems)
    assert "Statement 4 (" in problems and "orphaned" in problems
    assert "Statement 9 (" in problems and "fuzzy" in problems


@pytest.mark.django_db
def test_the_desk_queue_confirms_a_candidate_and_detaches(revised, editor_client):
    queue = editor_client.get(reverse("admin:stories_anchortoreview_changelist"))
    assert queue.status_code == 200
    assert {row.pk for row in queue.context["cl"].result_list} == {
        REMOVED_EVIDENCE,
        TYPO_EVIDENCE,
    }

    fuzzy = Evidence.objects.get(pk=TYPO_EVIDENCE)
    review_url = reverse("admin:stories_anchortoreview_change", args=[fuzzy.pk])
    review = editor_client.get(review_url)
    assert review.status_code == 200
    candidate = fuzzy.anchor_candidates[0]
    assert escape(candidate["text"]) in review.content.decode()
    response = editor_client.post(
        review_url, {"start": candidate["start"], "end": candidate["end"]}
    )
    assert response.status_code == 302
    fuzzy.refresh_from_db()
    assert fuzzy.article_version is None and fuzzy.anchor_state == AnchorState.CITED
    assert fuzzy.quote == candidate["text"] and fuzzy.matches_article()

    bad = editor_client.post(
        reverse("admin:stories_anchortoreview_change", args=[REMOVED_EVIDENCE]),
        {"quote": "words this article never said anywhere"},
        follow=True,
    )
    assert "Nothing was changed" in bad.content.decode()
    assert Evidence.objects.get(pk=REMOVED_EVIDENCE).anchor_state == AnchorState.ORPHANED

    editor_client.post(
        reverse("admin:stories_anchortoreview_change", args=[REMOVED_EVIDENCE]),
        {"detach": "1"},
    )
    assert not Evidence.objects.filter(pk=REMOVED_EVIDENCE).exists()
    assert not Evidence.objects.awaiting_editor().exists()
    # Nothing waits any more: the story may be published again.
    assert not any("waiting" in p or "newer version" in p for p in _problems())


def _problems():
    return Story.objects.get().publication_problems()


@pytest.mark.django_db
def test_the_same_url_makes_a_new_version(seed_article):
    seed_article.url = "https://example.com/vmas"
    seed_article.save()
    current = seed_article.body
    changed = Article(
        headline=seed_article.headline,
        url=seed_article.url,
        body=current.replace("for for years", "for years"),
    )
    result = importing.add_articles([changed])
    assert result.outcomes == [(importing.Outcome.NEW_VERSION, seed_article)]
    assert seed_article.versions.count() == 2
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_a_strong_overlap_without_url_is_refused_naming_the_article(seed_article, tmp_path):
    path, _new = corrected_seed(tmp_path)
    with pytest.raises(CommandError) as refused:
        run("import_articles", str(path))
    message = str(refused.value)
    assert f"resembles article #{seed_article.pk}" in message
    assert f"--revises {seed_article.pk}" in message and "--as-new" in message
    assert Article.objects.count() == 3 and ArticleVersion.objects.count() == 0

    output = run("import_articles", str(path), "--as-new")
    assert "1 imported" in output
    assert Article.objects.count() == 4
    assert seed_article.evidence.filter(anchor_state=AnchorState.CITED).count() == 13


@pytest.mark.django_db
def test_revises_takes_one_file_and_an_existing_article(seed_article, tmp_path):
    with pytest.raises(CommandError, match="--revises 999999: no article"):
        run("import_articles", str(SEEDS / SEED_001), "--revises", "999999")
    with pytest.raises(CommandError, match="exactly one text"):
        run(
            "import_articles",
            str(SEEDS / SEED_000),
            str(SEEDS / SEED_001),
            "--revises",
            str(seed_article.pk),
        )
    assert seed_article.versions.count() == 0


@pytest.mark.django_db
def test_the_desk_upload_offers_the_same_choice(seed_article, tmp_path, editor_client):
    path, new = corrected_seed(tmp_path)
    url = reverse("admin:stories_article_import")

    def upload(**choice):
        upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/plain")
        return editor_client.post(url, {"files": [upload], "outlet": "", **choice})

    refused = upload()
    assert refused.status_code == 200
    error = refused.context["form"].errors["files"][0]
    assert f"resembles article #{seed_article.pk}" in error
    assert f"“New version of article” {seed_article.pk}" in error
    assert "“Import as new articles”" in error
    assert Article.objects.count() == 3

    revised = upload(revises=str(seed_article.pk))
    assert revised.status_code == 200
    seed_article.refresh_from_db()
    assert seed_article.body == new and seed_article.versions.count() == 2
    assert Evidence.objects.awaiting_editor().count() == 2


@pytest.mark.django_db
def test_pasting_a_probable_new_version_asks_which_it_is(seed_article, editor_client):
    url = reverse("admin:stories_article_add")
    data = {
        "headline": "Pasted again",
        "outlet": "",
        "byline": "",
        "url": "",
        "published_on": "",
        "body": seed_article.body.replace("for for years", "for years"),
        "topics": "",
        "_save": "Save",
    }
    asked = editor_client.post(url, data)
    assert asked.status_code == 200
    error = asked.context["adminform"].form.errors["body"][0]
    assert f"article #{seed_article.pk}" in error and "Import as a new article" in error
    assert Article.objects.count() == 3

    assert editor_client.post(url, {**data, "as_new": "on"}).status_code == 302
    assert Article.objects.count() == 4


@pytest.mark.django_db
def test_a_settled_passage_has_a_review_page_that_changes_nothing(revised, editor_client):
    settled = Evidence.objects.filter(anchor_state=AnchorState.EXACT).first()
    url = reverse("admin:stories_anchortoreview_change", args=[settled.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "waits for no editor" in page.content.decode()
    before = (settled.start, settled.end, settled.quote)
    editor_client.post(url, {"detach": "1"})
    settled.refresh_from_db()
    assert (settled.start, settled.end, settled.quote) == before


@pytest.mark.django_db
def test_check_anchors_before_any_new_version_says_version_1_and_writes_nothing(seed_article):
    rows = json.loads(run("check_anchors", "--json", "--article", str(seed_article.pk)))
    assert len(rows) == 13
    assert {(row["version"], row["state"]) for row in rows} == {(1, "exact")}
    assert all(row["candidates"] == [] and row["score"] is None for row in rows)
    assert ArticleVersion.objects.count() == 0
