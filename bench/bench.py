"""Benchmark the reader pages, the importer and quote anchoring.

Run it with the project's venv; it builds a throwaway test database (SQLite
in memory, or ``test_<name>`` on PostgreSQL when DATABASE_URL is set), so it
never touches real data:

    .venv/bin/python bench/bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom .venv/bin/python bench/bench.py
    .venv/bin/python bench/bench.py --large   # also 1, 5 and 9.5 MB articles (a minute or so)

Timings are medians over repeated runs. The test suite pins query counts;
wall-clock targets live here, because timed tests are flaky on shared CI.
"""

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402

from stories.models import (  # noqa: E402
    Article,
    Claim,
    Evidence,
    Person,
    PersonSuggestion,
    Statement,
    Story,
)
from stories.services import articles, publishing, suggestions  # noqa: E402
from stories.text import anchoring, importing, names, paragraphs, quotes  # noqa: E402

SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
EVAL_ARTICLES = sorted((ROOT / "tests" / "data" / "eval").glob("*.txt"))
REPEAT = 15
LARGE_SIZES_MB = (1, 5, 9.5)


def median_ms(function, repeat=REPEAT, clock=time.perf_counter):
    samples = []
    for _ in range(repeat):
        began = clock()
        function()
        samples.append((clock() - began) * 1000)
    return statistics.median(samples)


def build_story(statement_count, slug):
    """A published story citing seed passages, ``statement_count`` statements long."""
    articles = list(Article.objects.all())
    claim = Claim.objects.create(text=f"Benchmark claim {slug}")
    passages = []
    for article in articles:
        for start, end in paragraphs.paragraph_spans(article.body)[:5]:
            evidence = Evidence(claim=claim, article=article, quote=article.body[start:end])
            evidence.anchor(start=start)
            evidence.save()
            passages.append(evidence)
    story = Story.objects.create(headline=f"Benchmark {slug}", slug=slug)
    for position in range(statement_count):
        statement = Statement.objects.create(
            story=story, position=position, text=f"Statement {position} of the benchmark."
        )
        statement.evidence.set(passages[position % len(passages) :][:3])
    publishing.publish_story(story, None)
    return story


def build_long_story(statement_count, slug):
    """A published story of ``statement_count`` statements, each citing one seed
    passage, built in bulk (the desk's long-story editor is what is measured)."""
    article = Article.objects.first()
    claim = Claim.objects.create(text=f"Long benchmark claim {slug}")
    start, end = anchoring.paragraph_spans(article.body)[0]
    evidence = Evidence(claim=claim, article=article, quote=article.body[start:end])
    evidence.anchor(start=start)
    evidence.save()
    story = Story.objects.create(headline=f"Long benchmark {slug}", slug=slug)
    texts = (f"Statement {n} of the long benchmark." for n in range(1, statement_count + 1))
    Statement.objects.bulk_create(
        Statement(story=story, position=n, text=text) for n, text in enumerate(texts, start=1)
    )
    evidence.statements.add(*story.statements.all())  # one INSERT for every citation
    publishing.publish_story(story, None)
    return Story.objects.get(pk=story.pk)


def desk_client():
    from django.contrib.auth.models import User

    editor = User.objects.create_superuser("bench-editor", "bench@newsroom.invalid", "bench-pw")
    client = Client()
    client.force_login(editor)
    return client


def statement_form(client, url):
    """What the statement's change page posts back, as the browser would."""
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    return {**data, "_save": "Save"}


def large_body(megabytes):
    """News copy of about ``megabytes`` MB: the evaluation articles over and over."""
    text = "\n\n".join(importing.read_article(path).body for path in EVAL_ARTICLES)
    size = int(megabytes * 1_000_000)
    return ("\n\n".join([text] * (size // len(text) + 1)))[:size].rstrip()


def large_articles():
    """Suggestions for articles of 1 to 9.5 MB: time, memory of the rules, what is stored.

    The people the first evaluation articles name are on file first, as on a working desk,
    so the known-people pass and the new-names pass both run. Times are this process's CPU
    time, which other work on a shared machine disturbs much less than the wall clock.
    """
    for path in EVAL_ARTICLES[:5]:
        for candidate in names.propose_people(importing.read_article(path).body):
            Person.objects.get_or_create(name=candidate.name)
    known = [names.KnownPerson(p.pk, tuple(p.names())) for p in Person.objects.all()]

    def rules(body):
        quotes.find_quotes(body, people=names.read_people(body, known=known))

    rows = []
    for megabytes in LARGE_SIZES_MB:
        body = large_body(megabytes)
        rules_ms = median_ms(lambda body=body: rules(body), repeat=1, clock=time.process_time)
        tracemalloc.start()
        rules(body)
        peak = tracemalloc.get_traced_memory()[1] / 1_000_000
        tracemalloc.stop()
        article = Article.objects.create(headline=f"{megabytes} MB", body=body)
        suggest_ms = median_ms(
            lambda a=article: suggestions.suggest_people(a), repeat=1, clock=time.process_time
        )
        stored = list(PersonSuggestion.objects.filter(article=article))
        most = max((len(s.mentions) for s in stored), default=0)
        beyond = max((s.more_mentions for s in stored), default=0)
        rows.append((f"{megabytes} MB: name + quote rules (CPU; peak {peak:.0f} MB)", rules_ms))
        rows.append((f"{megabytes} MB: suggest_people (CPU)", suggest_ms))
        rows.append(
            (
                f"  {len(stored)} suggestions, <= {most} mentions stored each, up to "
                f"{beyond} more counted",
                None,
            )
        )
    return rows


def page(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), median_ms(lambda: client.get(url))


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rows = []
        parsed = importing.read_articles(SEEDS)
        rows.append(
            ("read + parse 3 seed files", median_ms(lambda: importing.read_articles(SEEDS)))
        )
        rows.append(
            (
                "import 3 seed articles (new)",
                median_ms(lambda: articles.import_articles(parsed), repeat=1),
            )
        )
        rows.append(
            (
                "re-import 3 seed articles (no-op)",
                median_ms(lambda: articles.import_articles(parsed)),
            )
        )
        body = parsed[2].body
        quote = "No, no, this don't count. This don't count. We gotta meet proper."
        rows.append(
            (
                "locate a retyped quote (normalised match)",
                median_ms(lambda: anchoring.locate(body, quote)),
            )
        )
        client = Client()
        for count in (3, 100, 500):
            story = build_story(count, f"bench-{count}")
            queries, ms = page(client, story.get_absolute_url())
            rows.append((f"story page, {count} statements ({queries} queries)", ms))
        article = Article.objects.first()
        queries, ms = page(client, article.get_absolute_url())
        rows.append((f"source page, seed article ({queries} queries)", ms))
        queries, ms = page(client, "/")
        rows.append((f"front page ({queries} queries)", ms))

        desk = desk_client()
        for count in (1000, 5000):
            story = build_long_story(count, f"long-{count}")
            change = reverse("admin:stories_story_change", args=[story.pk])
            queries, ms = page(desk, change)
            rows.append((f"desk: story form, {count} statements ({queries} queries)", ms))
            statement = story.statements.order_by("position", "pk")[count // 2]
            url = reverse("admin:stories_statement_change", args=[statement.pk])
            queries, ms = page(desk, url)
            rows.append((f"desk: one statement's page, of {count} ({queries} queries)", ms))

            def save(url=url):
                response = desk.post(url, {**statement_form(desk, url), "text": "Edited."})
                assert response.status_code == 302, response.status_code

            rows.append((f"desk: open + save one statement, of {count}", median_ms(save, 5)))
        huge = "Ann said yes. " * 300_000 + "The police chief said yes."
        rows.append(
            (
                "locate with context, 300,000 occurrences (refused)",
                median_ms(lambda: _refused(huge), repeat=3),
            )
        )

        if "--large" in sys.argv[1:]:
            rows += large_articles()

        vendor = connection.vendor
        print(f"newsroom benchmark on {vendor}, median of {REPEAT} runs")
        for label, ms in rows:
            print(f"  {label:<56} {ms:8.1f} ms")

            print(f"  {label:<52} {ms:8.1f} ms" if ms is not None else f"  {label}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def _refused(body):
    try:
        anchoring.locate(body, "said yes", context="police chief")
    except anchoring.AmbiguousQuote:
        return
    raise AssertionError("a quote occurring 300,000 times was bound by context")


if __name__ == "__main__":
    main()
