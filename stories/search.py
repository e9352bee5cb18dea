"""Search over what readers may see: stories, claims, people and sources.

Each kind starts from its model's ``published()`` QuerySet, so a draft, a claim
no published story cites, or a source only such a claim quotes never matches,
whoever is searching.

**PostgreSQL**: every searchable row has a ``search_vector`` — its words,
unaccented, stemmed by the ``english`` configuration and weighted (A for a
headline, a claim or a name; B for a standfirst, aliases, an outlet or byline;
C for statements, a description or a body) — with a GIN index. The vectors are
kept current here: on every save of a row, and a story's whenever the revision
readers see changes (a story indexes its published revision, never its draft).
A query is read with ``websearch_to_tsquery`` ("quoted phrases", ``-word``,
``or``) after ``unaccent``, so "Zoe" finds "Zoë"; results are ranked by
``ts_rank``.

**SQLite** (the checkout's default) has neither: its fallback asks ``LIKE``
for every word (stemmed a little: "exchanges" finds "exchange"), each quoted
phrase as written and no ``-word``, over the same fields, and ranks by the
same weights. SQLite's ``LIKE`` folds ASCII case only, so there "Zoe" does not
find "Zoë". SQLite's FTS5 would, but its index is a table outside the models
that Django's flush and fixtures know nothing about, for a database only a
checkout uses.
"""

import functools
import operator
from dataclasses import dataclass

from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Concat, Substr
from django.db.models.signals import post_migrate, post_save

from .models import Article, Claim, Evidence, Outlet, Person, Story, StoryRevision
from .text import searching

CONFIG = "english"
# PostgreSQL's default ts_rank weights for A, B and C; the fallback ranks alike.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2}
STATEMENTS = "statements"  # the fallback's name for a published revision's statements
# How much of a long text its vector holds: a tsvector may not pass 1 MB, and
# PostgreSQL stops counting word positions at 16,383 anyway, so a pasted 2.5 MB
# article is searched by its first 200,000 characters rather than refused.
INDEXED_CHARS = 200_000


def uses_vectors():
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Kind:
    """One kind of result: its model, its label, and the fields the fallback
    searches with their weights (``document`` gives the vector's, per row)."""

    key: str
    label: str
    model: type
    fields: tuple

    def public(self):
        """The model's ``published()`` rows, as a plain QuerySet that can be ranked."""
        queryset = self.model.objects.filter(pk__in=self.model.objects.published().values("pk"))
        queryset = queryset.defer("search_vector")  # matched in SQL, never read back
        if self.model is Story:
            return queryset.select_related("published_revision")
        if self.model is Article:
            return queryset.select_related("outlet")
        return queryset

    def matching(self, query):
        """The public rows matching ``query`` (a ``searching.Query``), best first."""
        if uses_vectors():
            tsquery = SearchQuery(
                Unaccent(Value(query.text)), search_type="websearch", config=CONFIG
            )
            return (
                self.public()
                .filter(search_vector=tsquery)
                .annotate(rank=SearchRank(F("search_vector"), tsquery))
                .order_by("-rank", "pk")
            )
        return self._matching_by_like(query)

    def _matching_by_like(self, query):
        def anywhere(pattern):
            return functools.reduce(
                operator.or_, (self._contains(field, pattern) for _, field in self.fields)
            )

        patterns = [searching.stem(word) for word in query.words]
        patterns += [" ".join(phrase) for phrase in query.phrases]
        queryset = self.public()
        for pattern in patterns:
            queryset = queryset.filter(anywhere(pattern))
        for word in query.excluded:
            queryset = queryset.exclude(anywhere(word))
        rank = functools.reduce(
            operator.add,
            (
                Case(
                    When(self._contains(field, pattern), then=Value(WEIGHTS[weight])),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
                for pattern in patterns
                for weight, field in self.fields
            ),
        )
        return queryset.annotate(rank=rank).order_by("-rank", "pk")

    @staticmethod
    def _contains(field, pattern):
        if field == STATEMENTS:
            revisions = StoryRevision.objects.with_statement_containing(pattern)
            return Q(published_revision__in=revisions)
        return Q(**{f"{field}__icontains": pattern})


KINDS = (
    Kind(
        "stories",
        "Stories",
        Story,
        (
            ("A", "published_revision__headline"),
            ("B", "published_revision__standfirst"),
            ("C", STATEMENTS),
        ),
    ),
    Kind("claims", "Claims", Claim, (("A", "text"),)),
    Kind("people", "People", Person, (("A", "name"), ("B", "aliases"), ("C", "description"))),
    Kind(
        "sources",
        "Sources",
        Article,
        (("A", "headline"), ("B", "outlet__name"), ("B", "byline"), ("C", "body")),
    ),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def statement_texts(stories):
    """{story pk: its published revision's statement texts}, in one query."""
    revisions = [story.published_revision for story in stories]
    statements = StoryRevision.statements_of(revisions, Evidence.objects.none())
    return {
        story.pk: [statement.text for statement in items]
        for story, items in zip(stories, statements, strict=True)
    }


# --- Keeping the vectors current (PostgreSQL) -------------------------------------------------


def document(instance):
    """What a row's vector holds: (weight, text) pairs, as readers see the row."""
    if isinstance(instance, Story):
        revision = StoryRevision.objects.filter(pk=instance.published_revision_id).first()
        if revision is None:
            return []
        texts = [item.text for item in revision.statements(Evidence.objects.none())]
        statements = "\n".join(texts)[:INDEXED_CHARS]
        return [("A", revision.headline), ("B", revision.standfirst), ("C", statements)]
    if isinstance(instance, Claim):
        return [("A", instance.text)]
    if isinstance(instance, Person):
        return [("A", instance.name), ("B", instance.aliases), ("C", instance.description)]
    if isinstance(instance, Article):
        outlet = Outlet.objects.filter(pk=instance.outlet_id).values_list("name", flat=True)
        return [
            ("A", instance.headline),
            ("B", " ".join([*outlet, instance.byline])),
            ("C", instance.body[:INDEXED_CHARS]),
        ]
    raise TypeError(f"{type(instance).__name__} is not searchable")


def vector(parts):
    """The weighted, unaccented tsvector of ``parts`` (empty, not NULL, for none); a text
    may be an expression over the row's fields."""
    vectors = [
        SearchVector(
            Unaccent(text if hasattr(text, "resolve_expression") else Value(text or "")),
            weight=weight,
            config=CONFIG,
        )
        for weight, text in parts or [("D", "")]
    ]
    return functools.reduce(operator.add, vectors)


def index(instance):
    """Store ``instance``'s vector (PostgreSQL; nothing to do on SQLite)."""
    if uses_vectors():
        type(instance).objects.filter(pk=instance.pk).update(
            search_vector=vector(document(instance))
        )


def index_new_articles(articles):
    """Store the vectors of ``articles`` just inserted in bulk (no ``post_save``): the
    document ``document`` makes for each, written by one UPDATE for each outlet among them
    rather than two queries an article."""
    if not uses_vectors():
        return
    by_outlet = {}
    for article in articles:
        by_outlet.setdefault(article.outlet, []).append(article.pk)
    for outlet, pks in by_outlet.items():
        # " ".join([*outlet, byline]), as ``document`` writes it.
        byline = Concat(Value(f"{outlet.name} "), F("byline")) if outlet else F("byline")
        parts = [("A", F("headline")), ("B", byline), ("C", Substr("body", 1, INDEXED_CHARS))]
        Article.objects.filter(pk__in=pks).update(search_vector=vector(parts))


def index_missing():
    """Give every row without a vector one: after the migration that adds them,
    and after any write that bypassed ``save()``. Returns how many."""
    if not uses_vectors():
        return 0
    count = 0
    for kind in KINDS:
        for instance in kind.model.objects.filter(search_vector__isnull=True).iterator():
            index(instance)
            count += 1
    return count


def _on_save(sender, instance, **kwargs):
    index(instance)


def _on_revision_save(sender, instance, **kwargs):
    # A revision is made before its story points at it (publishing saves the
    # story next, which indexes it); a fixture may load them the other way round.
    story = Story.objects.filter(published_revision=instance).first()
    if story is not None:
        index(story)


def _on_outlet_save(sender, instance, **kwargs):
    for article in Article.objects.filter(outlet=instance):
        index(article)


def _after_migrate(sender, **kwargs):
    index_missing()


def connect():
    """Keep the vectors current (called from ``StoriesConfig.ready``)."""
    for model in (Story, Claim, Person, Article):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"search_index_{model.__name__}")
    post_save.connect(_on_revision_save, sender=StoryRevision, dispatch_uid="search_revision")
    post_save.connect(_on_outlet_save, sender=Outlet, dispatch_uid="search_outlet")


def connect_after_migrate(app_config):
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid="search_index_missing")
