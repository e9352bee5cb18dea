"""An import in bulk writes the rows one article at a time would (#11).

``services.articles.add_articles`` decides every file first and inserts the new articles, their
versions and their suggestions in batches. These tests import one varied folder in one batch
and again one file at a time, from the same starting point, and compare every row; then run
the per-article paths (``suggestions.suggest_people``, ``search.index``) over the batch's
articles and check they find nothing to change. The queries of an import do not grow with
its size.
"""

import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from stories import search
from stories.models import (
    Article,
    ArticleVersion,
    NotAPerson,
    NotAPersonKind,
    Outlet,
    Person,
    PersonSuggestion,
)
from stories.services import articles, suggestions
from stories.text import batches

from .ingest_samples import PARAGRAPHS, bare_page, news_page, ninjs

pytestmark = pytest.mark.django_db

ON_FILE_URI = "https://wire.example/items/2024/harbour-dredging"
ON_FILE_TEXT = (
    "Dredging of the harbour channel will begin in April, the port authority said on "
    "Thursday, after two years of delays.\n\n"
    "Port director Lena Voss said the work would take six weeks."
)
LIGHTHOUSE = (
    "The old lighthouse on the north pier will be painted white and red again this summer, "
    "volunteers of the heritage trust said.\n\n"
    "Its lamp has been dark since the harbour moved its beacon to the breakwater."
)


def council(n, mayor="Ada Quist"):
    """A text file naming a person on file, new people with their roles, a business the
    desk ruled out, and quoted speech."""
    return (
        f"Council backs sea wall plan {n}\n\n"
        f"Councillor {mayor}, the mayor of Derby, said on Monday that plan {n} for the sea "
        "wall would go ahead.\n\n"
        f"\u201cWe agreed on budget number {n} at last,\u201d Quist said. "
        "\u201cIt was time.\u201d\n\n"
        "Harbour master Tom Reyes welcomed the vote. Bram Ebb, which runs the ferry, declined "
        f"to comment on item {n}.\n\n"
        "Written by Juno Marr\n"
    )


def write_folder(folder):
    """Files in the order the batch reads them (by name)."""
    corrected = [*PARAGRAPHS, "Update: the quay reopened on Thursday morning."]
    files = {
        "01-storm.html": news_page(),  # an outlet, a URL and a date named by the page
        "02-storm-corrected.html": news_page(paragraphs=corrected),  # its URL: version 2
        "03-ferry.json": ninjs(),
        "04-dredging.json": ninjs(
            uri=ON_FILE_URI,
            headline="Harbour dredging to start in April",
            body_text=ON_FILE_TEXT + "\n\nThe cost has risen to four million.",
            copyrightholder="wire agency",  # the same outlet as "Wire Agency"
        ),
        "05-council.txt": council(1).encode(),
        "06-council-again.txt": council(1).replace("\n", "\r\n").encode(),  # the same text
        "07-library.html": bare_page(),  # no URL: checked against the articles on file
        "08-lighthouse-again.txt": f"Lighthouse\n\n{LIGHTHOUSE}\n".encode(),  # on file
        "09-council.txt": council(2, mayor="Benny Del Toro").encode(),
    }
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return batches.read_batch([folder])


def rows(outcomes):
    """Every row an import writes, each article named by the SHA-256 of its first text (the
    ids may differ between two runs on PostgreSQL), in the order of insertion."""
    first = {v.article_id: v for v in ArticleVersion.objects.filter(number=1)}
    key = {pk: version.body_sha256 for pk, version in first.items()}
    return {
        "outcomes": [(outcome, key[article.pk]) for outcome, article in outcomes],
        "outlets": list(Outlet.objects.order_by("pk").values_list("name", "slug")),
        "articles": [
            (
                key[a.pk],
                a.headline,
                a.outlet.name if a.outlet else None,
                a.byline,
                a.url,
                a.published_on,
                a.body,
                a.body_sha256,
                a.source_name,
                a.imported_at == first[a.pk].imported_at,
                str(a.search_vector),
            )
            for a in Article.objects.select_related("outlet").order_by("pk")
        ],
        "versions": [
            (key[v.article_id], v.number, v.body, v.body_sha256, v.url, v.source_name)
            for v in ArticleVersion.objects.order_by("pk")
        ],
        "suggestions": [
            (
                key[s.article_id],
                s.name,
                s.person_id,
                s.mentions,
                s.more_mentions,
                s.description,
                s.status,
                s.decided_by_id,
            )
            for s in PersonSuggestion.objects.order_by("pk")
        ],
        "log": [
            (
                e.user_id,
                e.content_type_id,
                key[int(e.object_id)],
                e.object_repr,
                e.action_flag,
                e.change_message,
            )
            for e in LogEntry.objects.order_by("pk")
        ],
    }


class RolledBack(Exception):
    pass


@pytest.fixture
def desk(django_user_model):
    """People on file (one by an alias), a name ruled out, and an article on file that the
    folder revises by its URL and repeats."""
    Person.objects.create(name="Tom Reyes")
    Person.objects.create(name="Benicio Del Toro", aliases="Benny Del Toro")
    NotAPerson.objects.create(name="Bram Ebb", kind=NotAPersonKind.BUSINESS)
    item = ninjs(uri=ON_FILE_URI, headline="Harbour dredging to start", body_text=ON_FILE_TEXT)
    parsed = batches.read_uploads([(io.BytesIO(item), "dredging.json", len(item))])
    articles.import_articles(parsed.articles)
    articles.add_articles([Article(headline="Lighthouse to be repainted", body=LIGHTHOUSE)])
    return django_user_model.objects.create_user("editor", is_staff=True)


def test_one_batch_writes_the_rows_one_file_at_a_time_writes(tmp_path, desk):
    editor = desk
    batch = write_folder(tmp_path / "in")
    try:
        with transaction.atomic():
            summary = articles.import_batch(batch, user=editor)
            in_one_batch = rows([(row.outcome, row.article) for row in summary.rows])
            # The per-article paths find nothing to add or change.
            for article in Article.objects.order_by("pk"):
                suggestions.suggest_people(article, editor)
                search.index(article)
            assert rows([(row.outcome, row.article) for row in summary.rows]) == in_one_batch
            raise RolledBack
    except RolledBack:
        pass
    assert Article.objects.count() == 2  # back where it started

    outcomes = []
    for parsed in batch.articles:
        outcomes += articles.import_articles([parsed], user=editor).outcomes
    one_at_a_time = rows(outcomes)

    assert in_one_batch == one_at_a_time
    # The folder holds every case: new, unchanged, new versions (of an article of the
    # batch and of one on file), an outlet named by two pages, people known and new.
    done = [outcome for outcome, _ in in_one_batch["outcomes"]]
    assert set(done) == set(articles.Outcome) - {articles.Outcome.REFUSED}
    assert done.count(articles.Outcome.NEW_VERSION) == 2
    assert done.count(articles.Outcome.UNCHANGED) == 2
    assert ("Wire Agency", "wire-agency") in in_one_batch["outlets"]
    suggested = in_one_batch["suggestions"]
    assert {name for _, name, person, *_ in suggested if person} >= {
        "Tom Reyes",
        "Benicio Del Toro",
    }
    assert any(person is None and description for _, _, person, _, _, description, *_ in suggested)
    assert "Bram Ebb" not in {name for _, name, *_ in suggested}
    assert in_one_batch["log"]  # the editor's "Suggested people" entries
    assert all(same for *_, same, _ in in_one_batch["articles"])  # version 1's time
    if search.uses_vectors():  # written, and as search.index writes them
        assert all(vector != "None" for *_, vector in in_one_batch["articles"])


def unit_files(folder, start, count):
    """``count`` text files and ``count`` ninjs items, none like another or the one on file."""
    folder.mkdir(exist_ok=True)
    for n in range(start, start + count):
        (folder / f"{n:03}-council.txt").write_text(council(n), encoding="utf-8")
        item = ninjs(
            uri=f"https://wire.example/items/{n}",
            headline=f"Ferry item {n}",
            body_text=f"Ferry crossing {n} was cancelled, Sam Okafor said of route {n}.",
        )
        (folder / f"{n:03}-ferry.json").write_bytes(item)
    return batches.read_batch([folder])


def test_the_queries_of_an_import_do_not_grow_with_its_size(tmp_path, desk):
    outlet = Article.objects.get(
        url=ON_FILE_URI
    ).outlet.name  # on file already, as on a working desk
    counted = []
    for start, count in [(0, 5), (100, 10)]:
        batch = unit_files(tmp_path / f"in-{start}", start, count)
        ContentType.objects.clear_cache()  # both runs look the article's up
        with CaptureQueriesContext(connection) as queries:
            summary = articles.import_batch(batch, outlet, user=desk)
        assert len(summary.imported) == 2 * count
        counted.append(len(queries.captured_queries))

    assert counted[0] == counted[1]
    assert PersonSuggestion.objects.filter(article__source_name="104-council.txt").exists()


def test_a_large_import_proposes_in_worker_processes_what_it_would_here(tmp_path, desk, settings):
    """Enough articles for the name rules to run in worker processes: the same rows as in
    this process, and rows that read back as the model writes them."""
    from django.utils import timezone

    from stories.text import parallel

    count = parallel.MIN_TEXTS // 2 + 5  # a text file and a ninjs item each
    batch = unit_files(tmp_path / "in", 0, count)
    assert len(batch.articles) >= parallel.MIN_TEXTS
    found = {}
    for processes in (1, 2):
        settings.TEXT_PROCESSES = processes
        try:
            with transaction.atomic():
                began = timezone.now()
                summary = articles.import_batch(batch, user=desk)
                assert len(summary.imported) == 2 * count
                found[processes] = rows([(row.outcome, row.article) for row in summary.rows])
                stored = list(PersonSuggestion.objects.filter(article__in=summary.imported))
                assert stored and all(
                    began <= s.created_at <= timezone.now() and s.mentions for s in stored
                )
                # What the model itself would save for each article is what is stored.
                PersonSuggestion.objects.filter(article__in=summary.imported).delete()
                for article in summary.imported:
                    suggestions.suggest_people(article)
                saved = {
                    (s.article_id, s.name): (
                        s.person_id,
                        s.mentions,
                        s.more_mentions,
                        s.description,
                    )
                    for s in PersonSuggestion.objects.filter(article__in=summary.imported)
                }
                assert saved == {
                    (s.article_id, s.name): (
                        s.person_id,
                        s.mentions,
                        s.more_mentions,
                        s.description,
                    )
                    for s in stored
                }
                raise RolledBack
        except RolledBack:
            pass
    assert found[1] == found[2]
    assert any(person for _, _, person, *_ in found[2]["suggestions"])  # Tom Reyes, on file
