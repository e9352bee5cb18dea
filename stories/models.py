"""The newsroom's data: sources, people, claims, evidence and stories.

What the public may see is decided in one place, the ``published()`` QuerySet
methods: a story is public once published, and a claim, its evidence and the
articles that evidence quotes become public with the first published story
that cites the claim. Every view, feed and template tag asks these methods.
"""

import datetime
import os
import socket
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from taggit.managers import TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from .locking.models import VersionedModel
from .text import anchoring, independence
from .text.importing import body_sha256  # the one definition, shared with the importer


def search_vector_field():
    """The weighted words a reader's search matches (PostgreSQL; ``stories.search``
    keeps it current, and it stays empty on SQLite, which searches otherwise)."""
    return SearchVectorField(null=True, editable=False)


def search_index(name):
    return GinIndex(fields=["search_vector"], name=name)


class OutletQuerySet(models.QuerySet):
    def published(self):
        """Outlets readers see: those of articles a reader can open as sources."""
        return self.filter(articles__in=Article.objects.published()).distinct()


class OutletManager(models.Manager.from_queryset(OutletQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Outlet(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    homepage = models.URLField(blank=True)

    objects = OutletManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)


class PersonQuerySet(models.QuerySet):
    def published(self):
        """People a reader can look up: named in a published revision or a public claim."""
        return self.filter(
            Q(revisions__in=StoryRevision.objects.current())
            | Q(stories_claimperson_items__content_object__in=Claim.objects.published())
        ).distinct()


class Person(TagBase):
    """A person is a tag with extra fields, so articles, claims and statements
    are tagged with people exactly as they are tagged with topics."""

    aliases = models.TextField(
        blank=True,
        help_text="Other names the articles use, one per line (e.g. “Meg”, “JT”, “Timberlake”).",
    )
    description = models.CharField(max_length=300, blank=True)
    search_vector = search_vector_field()

    objects = NaturalKeyManager.from_queryset(PersonQuerySet)()

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "people"
        ordering = ["name"]
        indexes = [search_index("person_search")]
        permissions = [("merge_person", "Can merge people")]

    def get_absolute_url(self):
        return reverse("stories:person", kwargs={"slug": self.slug})

    def slugify(self, tag, i=None):
        """taggit's slug, or "person" for a name without a letter or digit (an
        emoji, say): an empty slug would leave the person without an address."""
        slug = super().slugify(tag) or "person"
        return slug if i is None else f"{slug}_{i}"

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def names(self):
        """Every name the person goes by, the canonical one first."""
        return [self.name, *self.alias_list]


class PersonTag(ItemBase):
    """What the three person-tagging through models share; each adds the
    ``content_object`` it tags (article, claim or statement)."""

    tag = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_items"
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_%(class)s")
        ]


class ArticlePerson(PersonTag):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    class Meta(PersonTag.Meta):
        verbose_name = "person in the article"
        verbose_name_plural = "people in the article"


class ClaimPerson(PersonTag):
    content_object = models.ForeignKey("Claim", on_delete=models.CASCADE)

    class Meta(PersonTag.Meta):
        verbose_name = "person in the claim"
        verbose_name_plural = "people in the claim"


class StatementPerson(PersonTag):
    content_object = models.ForeignKey("Statement", on_delete=models.CASCADE)

    class Meta(PersonTag.Meta):
        verbose_name = "person in the statement"
        verbose_name_plural = "people in the statement"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles quoted by public evidence: a reader can open them as sources."""
        return self.filter(evidence__in=Evidence.objects.published()).distinct()

    def about(self, topic):
        """Articles on a topic: tagged with it, or quoted for a claim tagged with it."""
        return self.filter(Q(topics=topic) | Q(evidence__claim__topics=topic)).distinct()


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_by_natural_key(self, body_sha256):
        return self.get(body_sha256=body_sha256)


class Article(models.Model):
    """A source, with its body stored exactly as imported.

    The body is never edited in the admin: evidence points into it by
    character offsets, and ``body_sha256`` is how a re-import is recognised.
    """

    headline = models.CharField(max_length=300)
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    byline = models.CharField(max_length=200, blank=True)
    url = models.URLField("original URL", max_length=500, blank=True)
    published_on = models.DateField("publication date", null=True, blank=True)
    body = models.TextField()
    body_sha256 = models.CharField(
        "SHA-256 of the body", max_length=64, unique=True, editable=False
    )
    source_name = models.CharField(
        "imported from", max_length=300, blank=True, help_text="The file the article came from."
    )
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    people = TaggableManager(
        through=ArticlePerson, blank=True, related_name="articles", verbose_name="people"
    )
    topics = TaggableManager(blank=True, related_name="articles", verbose_name="topics")
    search_vector = search_vector_field()

    objects = ArticleManager()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        indexes = [
            search_index("article_search"),
            # The desk's list, newest first, reads a page of it instead of sorting them all.
            models.Index(fields=["-imported_at", "-id"], name="article_newest_first"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body_sha256 = body_sha256(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stories:source", kwargs={"pk": self.pk})

    def current_version_number(self):
        """The number of the article's current version, without writing anything: an
        article loaded from a fixture has no stored version yet, and its text is version 1."""
        return self.versions.order_by("-number").values_list("number", flat=True).first() or 1

    @property
    def outlet_name(self):
        return self.outlet.name if self.outlet else "Outlet not given"

    @property
    def label(self):
        """How readers tell sources apart: the outlet, or the headline when the
        article came without one (two such sources must not both read “unknown”)."""
        if self.outlet:
            return self.outlet.name
        # "Who: What happened" headlines differ in the part after the colon.
        headline = self.headline.rsplit(": ", 1)[-1]
        return f"“{Truncator(headline).chars(50)}”"

    def clean(self):
        self.body_sha256 = body_sha256(self.body)

    def natural_key(self):
        return (self.body_sha256,)


class ClaimQuerySet(models.QuerySet):
    def published(self):
        """Claims cited (through any evidence) by the revision readers see of a story.

        Citations added to a draft become public only when it is published.
        """
        return self.filter(evidence__revisions__in=StoryRevision.objects.current()).distinct()


class Claim(VersionedModel):
    """A proposition in the editor's words, which sources support or dispute."""

    text = models.CharField(
        max_length=500,
        unique=True,
        help_text="One proposition in the desk's own words, "
        "e.g. “The backstage exchange was tense”.",
    )
    note = models.TextField(
        blank=True, help_text="Internal note for the desk; never shown to readers."
    )
    contradicts = models.ManyToManyField(
        "self",
        symmetrical=True,
        blank=True,
        help_text="Claims that cannot both be true with this one.",
    )
    people = TaggableManager(
        through=ClaimPerson, blank=True, related_name="claims", verbose_name="people"
    )
    topics = TaggableManager(blank=True, related_name="claims", verbose_name="topics")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = search_vector_field()

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["text"]
        indexes = [search_index("claim_search")]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return reverse("stories:claim", kwargs={"pk": self.pk})


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    DISPUTES = "disputes", "Disputes"
    MENTIONS = "mentions", "Mentions"


class AnchorState(models.TextChoices):
    """What re-anchoring made of a passage when its article got a new version
    (``stories.text.reanchoring``); blank: cited by an editor, never re-anchored."""

    CITED = "", "cited"
    EXACT = "exact", "exact"
    MOVED = "moved", "moved"
    FUZZY = "fuzzy", "fuzzy"
    NEEDS_REVIEW = "needs_review", "needs review"
    ORPHANED = "orphaned", "orphaned"

    @classmethod
    def waiting(cls):
        """The states an editor must settle before the passage can be published again."""
        return (cls.FUZZY, cls.NEEDS_REVIEW, cls.ORPHANED)


class EvidenceQuerySet(models.QuerySet):
    def awaiting_editor(self):
        """Passages re-anchoring could not settle: the desk's queue of anchors to review."""
        return self.filter(anchor_state__in=AnchorState.waiting())

    def published(self):
        """Every passage on a public claim, not only the cited ones, so readers
        see the evidence against a claim as well as the evidence for it."""
        return self.filter(claim__in=Claim.objects.published())

    def with_version_numbers(self):
        """Each passage with ``cited_version_number`` (the version of its article it
        quotes) and ``latest_version_number`` (the article's newest), in the same query:
        what the exports say of every passage, for any number of them. An article with
        no stored version (loaded from a fixture) is at its version 1."""
        newest = ArticleVersion.objects.filter(article=OuterRef("article_id")).order_by("-number")
        return self.annotate(
            latest_version_number=Coalesce(Subquery(newest.values("number")[:1]), Value(1))
        ).annotate(
            cited_version_number=Coalesce("article_version__number", "latest_version_number")
        )


class Evidence(VersionedModel):
    """A passage of an article bearing on a claim.

    Stored as a W3C Web Annotation TextQuote selector (quote, prefix, suffix)
    plus a TextPosition selector (start, end), so a passage can be found again
    if its article's text ever changes.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="evidence")
    quote = models.TextField(help_text="Paste the passage exactly; offsets are found for you.")
    start = models.PositiveIntegerField(
        "start offset",
        help_text="Character offset of the passage in the body. Found automatically; give it "
        "only to choose between repeated occurrences.",
    )
    end = models.PositiveIntegerField("end offset")
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    stance = models.CharField(max_length=10, choices=Stance, default=Stance.SUPPORTS)
    origin = models.ForeignKey(
        "Origin",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        help_text="Where the article says the passage first comes from.",
    )
    via = models.ManyToManyField(
        "Origin",
        through="EvidenceRelay",
        blank=True,
        related_name="relayed_evidence",
        verbose_name="relayed by",
        help_text="The posts or outlets that carried it from its origin to the article.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set only when a newer version of the article exists: the older text the offsets index.
    article_version = models.ForeignKey(
        "ArticleVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        editable=False,  # moved by re-anchoring and the desk's queue only
        help_text="The version of the article the offsets index; empty: the current text.",
    )
    anchor_state = models.CharField(
        "anchor", max_length=12, choices=AnchorState, default=AnchorState.CITED, blank=True
    )
    anchor_score = models.FloatField(null=True, blank=True, editable=False)
    anchor_candidates = models.JSONField(default=list, blank=True, editable=False)
    # The text the anchor state and the candidates describe: a candidate's offsets index it,
    # so a confirm from a page showing them is refused once a newer version has replaced it.
    reanchored_in = models.ForeignKey(
        "ArticleVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The version re-anchoring last looked for the passage in; empty: none since "
        "it was cited.",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["article_id", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="evidence_start_before_end"
            ),
            models.UniqueConstraint(
                fields=["claim", "article", "start", "end"], name="unique_evidence_passage"
            ),
        ]

    def __str__(self):
        quote = Truncator(self.quote).chars(60)
        return f"{self.article.label if self.article_id else '?'}: “{quote}”"

    def get_absolute_url(self):
        source = reverse("stories:source", kwargs={"pk": self.article_id})
        if self.article_version_id:  # cited from an older text: that text, where it is
            # The number as with_version_numbers() brought it, else from the version's row.
            number = getattr(self, "cited_version_number", None) or self.article_version.number
            source += f"?version={number}"
        return f"{source}#{self.anchor_id}"

    def version_numbers(self):
        """``(cited, latest)``: the number of the article's version the passage quotes,
        and of its newest. Read from ``with_version_numbers()`` where the queryset has
        it (no query), else asked for."""
        try:
            return self.cited_version_number, self.latest_version_number
        except AttributeError:
            latest = self.article.current_version_number()
            return (self.article_version.number if self.article_version_id else latest), latest

    @property
    def anchor_id(self):
        return f"passage-{self.pk}"

    @property
    def source_label(self):
        """The article, and the origin it cites when that is not its own reporting."""
        origin = self.origin
        if origin is None or origin.kind == OriginKind.REPORTING:
            return self.article.label
        return f"{self.article.label}, citing {origin.label}"

    def origin_words(self):
        """Where the article says the passage comes from, in words: "its own
        reporting", or the origin and any relays ("sources close to the
        situation, per ET, quoted in ET's Instagram post")."""
        origin = self.origin
        if origin is None or (origin.kind == OriginKind.REPORTING and not self.relays.all()):
            return "its own reporting"
        via = independence.relay_words(relay.origin.label for relay in self.relays.all())
        return ", ".join([origin.label, *via])

    @property
    def text(self):
        """The body the offsets index: the version the passage was anchored to, or the
        article's current text when it names none (fixtures, passages cited since)."""
        return self.article_version.body if self.article_version_id else self.article.body

    @property
    def awaits_editor(self):
        """Whether re-anchoring left the passage for an editor (fuzzy, needs review,
        orphaned): it still points at the older version it was cited from."""
        return self.anchor_state in AnchorState.waiting()

    def matches_article(self):
        """Whether the stored offsets still select the stored quote in its version."""
        return self.text[self.start : self.end] == self.quote

    def anchor(self, quote=None, *, start=None, context=""):
        """Bind ``quote`` (the stored quote by default) to one passage of the
        article, or raise AnchorError and change nothing.

        Repeated quotes are never bound to their first occurrence silently:
        ``start`` or ``context`` must choose one. Every way of citing (the
        evidence forms, the reading view, model validation) anchors here.
        """
        quote = self.quote if quote is None else quote
        found = anchoring.locate(self.article.body, quote, start=start, context=context)
        # Anchored by an editor to the current text: nothing waits any more.
        self.article_version, self.anchor_state = None, AnchorState.CITED
        self.anchor_score, self.anchor_candidates, self.reanchored_in = None, [], None
        self.start, self.end = found.start, found.end
        self.quote, self.prefix, self.suffix = found.quote, found.prefix, found.suffix

    def clean_fields(self, exclude=None):
        if self.start is None or self.end is None:
            # Offsets are derived from the quote in clean(), not typed.
            exclude = {*(exclude or ()), "start", "end"}
        super().clean_fields(exclude=exclude)

    def clean(self):
        if not self.article_id or not self.quote:
            return
        if self.start is None or self.end is None or not self.matches_article():
            try:
                self.anchor(start=self.start)
            except anchoring.AnchorError as exc:
                raise ValidationError({"quote": str(exc)}) from exc

    def save(self, *args, **kwargs):
        # A passage with no origin given is the article's own reporting, as the
        # article presents it until an editor says otherwise.
        if self.origin_id is None and self.article_id:
            self.origin = Origin.objects.reporting_of(self.article)
        super().save(*args, **kwargs)


def _one_line(text, limit=60):
    """``text`` on one line, cut to ``limit`` characters with an ellipsis: how a
    message to the desk quotes a statement or a passage."""
    return Truncator(" ".join(text.split())).chars(limit, truncate="…")


class StoryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


class StoryQuerySet(models.QuerySet):
    def published(self):
        """Stories the public may read: published, not scheduled for later, and
        with a published revision (readers only ever see a revision)."""
        return self.filter(
            status=StoryStatus.PUBLISHED,
            published_at__lte=timezone.now(),
            published_revision__isnull=False,
        )


class Story(VersionedModel):
    """A reconciled account of an event, composed of cited statements.

    Versioned (``stories.locking``): every save moves ``version`` — publishing,
    unpublishing, submitting and restoring a revision too — so a change form
    opened before any of them is refused rather than saving stale values back.
    """

    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    standfirst = models.TextField(blank=True, help_text="The summary shown under the headline.")
    status = models.CharField(max_length=12, choices=StoryStatus, default=StoryStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="published_stories",
        editable=False,
    )
    published_revision = models.OneToOneField(
        "StoryRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The revision readers see.",
    )
    topics = TaggableManager(blank=True, related_name="stories", verbose_name="topics")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = search_vector_field()

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-created_at"]
        permissions = [
            ("publish_story", "Can publish and unpublish stories"),
            ("submit_story", "Can submit stories for review"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=StoryStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="published_story_has_date",
            )
        ]
        indexes = [search_index("story_search")]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return reverse("stories:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "slug" in fields:
            self._loaded_slug = self.__dict__.get("slug")

    def save(self, *args, **kwargs):
        """Save, keeping the address the story leaves when its slug changes (a
        ``StorySlug``), so that links to it redirect instead of breaking."""
        left = getattr(self, "_loaded_slug", None)
        update_fields = kwargs.get("update_fields")
        moving = (
            not self._state.adding
            and left
            and left != self.slug
            and (update_fields is None or "slug" in update_fields)
        )
        if not moving:
            super().save(*args, **kwargs)
        else:
            with transaction.atomic(using=kwargs.get("using")):
                super().save(*args, **kwargs)
                self.old_slugs.filter(slug=self.slug).delete()  # back at an old address
                StorySlug.objects.update_or_create(slug=left, defaults={"story": self})
        self._loaded_slug = self.slug

    def clean(self):
        # The database refuses it too (published_story_has_date); say why in the form.
        if self.status == StoryStatus.PUBLISHED and self.published_at is None:
            raise ValidationError(
                {
                    "published_at": "A published story needs a publication date; "
                    "unpublish it to take it off the site."
                }
            )

    def publication_problems(self):
        """Everything that keeps the story from being published (or submitted for
        review), one editor-facing line per statement at fault; empty when ready."""
        statements = list(self.statements.prefetch_related("evidence__article"))
        if not statements:
            return [f"“{self}” has no statements."]
        problems = []
        for statement in statements:
            label = f"Statement {statement.position} (“{_one_line(statement.text)}”)"
            citations = list(statement.evidence.all())
            if not citations:
                problems.append(f"{label} cites no evidence.")
            for evidence in citations:
                if evidence.awaits_editor:
                    problems.append(
                        f"{label} cites a passage of “{evidence.article}” that a newer version "
                        f"left {evidence.get_anchor_state_display()}: "
                        f"“{_one_line(evidence.quote)}”; settle it in Anchors to review."
                    )
                elif not evidence.matches_article():
                    problems.append(
                        f"{label} cites a passage that no longer matches its article "
                        f"“{evidence.article}”: “{_one_line(evidence.quote)}”."
                    )
        return problems

    @property
    def is_published(self):
        """Whether readers can see the story now: ``Story.objects.published()``'s
        rule for one instance (published, not scheduled for later, and with a
        revision to show), so a template or the admin never re-derives it."""
        return (
            self.status == StoryStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and self.published_revision_id is not None
        )

    def latest_revision(self):
        return self.revisions.order_by("-number").first()

    def cited_statements(self, evidence=None):
        """The draft's statements in reading order, as ``CitedStatement``s, in three
        queries however many there are. ``evidence`` is the Evidence queryset the
        citations are loaded from (a reader page passes one that prefetches the
        claims); by default each passage comes with its article and outlet."""
        statements = self.statements.order_by("position", "pk").prefetch_related(
            "people", Prefetch("evidence", queryset=_evidence_or_default(evidence))
        )
        return [CitedStatement.from_statement(statement) for statement in statements]

    def revision_content(self):
        """What a revision made of the draft now would store as its ``content``.

        Read as ids, in three queries and without building a row per statement,
        passage and person: the change form asks it of every story, and a long
        story's form must not pay for loading all of its statements.
        """
        cited, named = defaultdict(list), defaultdict(list)
        citations = Statement.evidence.through.objects.filter(statement__story=self)
        for statement_id, evidence_id in citations.values_list("statement_id", "evidence_id"):
            cited[statement_id].append(evidence_id)
        people = StatementPerson.objects.filter(content_object__story=self)
        for statement_id, person_id in people.values_list("content_object_id", "tag_id"):
            named[statement_id].append(person_id)
        rows = self.statements.order_by("position", "pk").values_list("pk", "position", "text")
        return CitedStatement.content_of(
            CitedStatement(
                pk=pk,
                position=position,
                text=text,
                evidence_ids=tuple(sorted(cited[pk])),
                people_ids=tuple(sorted(named[pk])),
            )
            for pk, position, text in rows
        )

    def has_unpublished_changes(self):
        """Whether the draft differs from the revision published last (the one
        readers see, or saw before it was unpublished); always, before the first."""
        revision = self.published_revision
        return revision is None or not revision.matches_draft(self)

    @property
    def public_headline(self):
        """The headline readers see, which an edited draft does not change."""
        revision = self.published_revision
        return revision.headline if revision else self.headline


class Statement(models.Model):
    """One sentence or paragraph of a story, in the editor's words, with its citations."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="statements")
    position = models.PositiveIntegerField(
        default=0, help_text="Statements are read in this order."
    )
    text = models.TextField()
    evidence = models.ManyToManyField(
        Evidence,
        blank=True,
        related_name="statements",
        verbose_name="citations",
        help_text="The passages that back this statement.",
    )
    people = TaggableManager(
        through=StatementPerson, blank=True, related_name="statements", verbose_name="people"
    )

    class Meta:
        ordering = ["story", "position", "pk"]

    def __str__(self):
        return f"{self.position}. {Truncator(self.text).chars(70)}"

    def get_absolute_url(self):
        return f"{self.story.get_absolute_url()}#statement-{self.pk}"

    def _siblings(self):
        return Statement.objects.filter(story_id=self.story_id).exclude(pk=self.pk)

    def place(self):
        """Where the statement is read in its story, 1 for the first: its rank in
        ``(position, pk)`` order, however the positions are numbered."""
        before = Q(position__lt=self.position) | Q(position=self.position, pk__lt=self.pk)
        return self._siblings().filter(before).count() + 1

    @transaction.atomic
    def move_to(self, place):
        """Read the statement at ``place`` (1 for first; past the end, last), with
        one UPDATE of the statements that move down to make room, never a write of
        every statement: a long story is reordered as cheaply as a short one.

        Positions need not be 1, 2, 3…: gaps and ties (read in ``pk`` order) are
        kept, and the statements from ``place`` on move down together.
        """
        siblings = self._siblings().order_by("position", "pk")
        place = max(place, 1)
        target = list(siblings.values_list("position", "pk")[place - 1 : place])
        if not target:  # past the end: after the last one
            last = siblings.aggregate(last=models.Max("position"))["last"]
            if last is not None:
                self.position = last + 1
                Statement.objects.filter(pk=self.pk).update(position=self.position)
            return
        [(position, pk)] = target
        # A tie before the target at its position must stay before this statement.
        tied = siblings.filter(position=position, pk__lt=pk).exists()
        self.position, shift = (position + 1, 2) if tied else (position, 1)
        from_target = Q(position__gt=position) | Q(position=position, pk__gte=pk)
        Statement.objects.filter(story_id=self.story_id).filter(Q(pk=self.pk) | from_target).update(
            position=models.Case(
                models.When(pk=self.pk, then=models.Value(self.position)),
                default=models.F("position") + shift,
            )
        )


def _evidence_or_default(evidence):
    return evidence if evidence is not None else Evidence.objects.select_related("article__outlet")


@dataclass(frozen=True)
class CitedStatement:
    """A statement with the passages it cites and the people it names, loaded:
    as a revision recorded it, or as the draft has it now.

    Plain data, so a reader page, the revision diff and ``stories.text``
    treat a published statement and a draft one alike. ``evidence_ids`` and
    ``people_ids`` are what was recorded (sorted ids); ``evidence`` and
    ``people`` the rows among them still on file, in that order: a passage or
    person deleted since a revision keeps its id and drops out of the rows.
    """

    pk: int
    position: int
    text: str
    evidence_ids: tuple[int, ...] = ()
    people_ids: tuple[int, ...] = ()
    evidence: tuple = ()
    people: tuple = ()

    @classmethod
    def from_statement(cls, statement):
        """A draft statement, its ``evidence`` and ``people`` prefetched."""
        evidence = sorted(statement.evidence.all(), key=lambda row: row.pk)
        people = sorted(statement.people.all(), key=lambda row: row.pk)
        return cls(
            pk=statement.pk,
            position=statement.position,
            text=statement.text,
            evidence_ids=tuple(row.pk for row in evidence),
            people_ids=tuple(row.pk for row in people),
            evidence=tuple(evidence),
            people=tuple(people),
        )

    @classmethod
    def from_content(cls, item, evidence, people):
        """A statement as a revision's ``content`` records it; ``evidence`` and
        ``people`` map ids to the rows still on file."""
        return cls(
            pk=item["id"],
            position=item["position"],
            text=item["text"],
            evidence_ids=tuple(item["evidence"]),
            people_ids=tuple(item["people"]),
            evidence=tuple(evidence[pk] for pk in item["evidence"] if pk in evidence),
            people=tuple(people[pk] for pk in item["people"] if pk in people),
        )

    def as_content(self):
        """The statement as a revision's ``content`` records it (JSON-ready)."""
        return {
            "id": self.pk,
            "position": self.position,
            "text": self.text,
            "evidence": list(self.evidence_ids),
            "people": list(self.people_ids),
        }

    @staticmethod
    def content_of(statements):
        """A revision's ``content`` for ``statements``, in reading order."""
        return {"statements": [statement.as_content() for statement in statements]}


class StoryRevisionQuerySet(models.QuerySet):
    def current(self):
        """The revisions readers see: one per published story."""
        return self.filter(pk__in=Story.objects.published().values("published_revision"))

    def with_statement_containing(self, text):
        """Revisions one of whose statements contains ``text`` (SQLite's LIKE:
        ASCII letters in any case). The search fallback on SQLite, which has no
        search vectors; it reads ``content`` with SQLite's JSON functions, so the
        rule of what a revision says stays here with the rest of it."""
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        table = connection.ops.quote_name(self.model._meta.db_table)
        # The table's own quoted name is the only text put into the SQL; ``text``
        # goes as a parameter.
        return self.filter(
            RawSQL(  # noqa: S611
                f"EXISTS (SELECT 1 FROM json_each({table}.content, '$.statements') AS item "  # noqa: S608
                "WHERE json_extract(item.value, '$.text') LIKE %s ESCAPE '\\')",
                [f"%{escaped}%"],
                output_field=models.BooleanField(),
            )
        )

    def replace_person(self, old, new):
        """Name ``new`` wherever these revisions name ``old`` (merging people).

        Revisions are immutable as to what they say; which row stands for a
        person is bookkeeping, and without it the merged person would vanish
        from the pages readers see.
        """
        for revision in self.filter(people=old):
            content = {
                **revision.content,
                "statements": [
                    {
                        **item,
                        "people": sorted({new.pk if pk == old.pk else pk for pk in item["people"]}),
                    }
                    for item in revision._recorded_statements()
                ],
            }
            StoryRevision.objects.filter(pk=revision.pk).update(content=content)
        through = StoryRevision.people.through
        already = through.objects.filter(person=new).values("storyrevision")
        through.objects.filter(person=old, storyrevision__in=self.values("pk")).exclude(
            storyrevision__in=already
        ).update(person=new)


class StoryRevision(models.Model):
    """What readers saw: an immutable copy of a story as it was published.

    ``content`` holds the statements in order with the ids of the evidence
    they cite and the people they name, so later edits to the draft never
    change a published page until the next revision is published. Only this
    model reads or writes it: a revision is made from a story
    (``create_from``), read as ``CitedStatement``s (``statements()``), compared
    with the draft (``matches_draft``) and restored (``restore_into``).
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    headline = models.CharField(max_length=300)
    standfirst = models.TextField(blank=True)
    content = models.JSONField(default=dict)
    # The cited evidence and named people again, as relations, so the
    # published() QuerySets can ask the database what a revision makes public.
    evidence = models.ManyToManyField(Evidence, related_name="revisions", blank=True)
    people = models.ManyToManyField(Person, related_name="revisions", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="story_revisions",
    )

    objects = StoryRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["story", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["story", "number"], name="unique_revision_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self):
        return f"{self.story} — revision {self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Published revisions are immutable.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.story.get_absolute_url()

    @classmethod
    @transaction.atomic
    def create_from(cls, story, user, *, created_at=None):
        """Record ``story``'s draft, by ``user``, as its next revision.

        The cited evidence and named people are stored as relations too, so
        the ``published()`` QuerySets see what the revision makes public.
        """
        latest = story.latest_revision()
        statements = story.cited_statements(Evidence.objects.all())
        revision = cls.objects.create(
            story=story,
            number=latest.number + 1 if latest else 1,
            headline=story.headline,
            standfirst=story.standfirst,
            content=CitedStatement.content_of(statements),
            created_at=created_at or timezone.now(),
            created_by=user,
        )
        revision.evidence.set({pk for statement in statements for pk in statement.evidence_ids})
        revision.people.set({pk for statement in statements for pk in statement.people_ids})
        return revision

    def _recorded_statements(self):
        return self.content.get("statements", [])

    @classmethod
    def statements_of(cls, revisions, evidence=None):
        """The statements of each of ``revisions`` (a list per revision, in order)
        as ``CitedStatement``s, every passage and person they cite loaded in two
        queries however many revisions and statements there are. ``evidence``:
        as for ``Story.cited_statements()``."""
        recorded = [revision._recorded_statements() for revision in revisions]
        items = [item for statements in recorded for item in statements]
        evidence = _evidence_or_default(evidence).in_bulk(
            {pk for item in items for pk in item["evidence"]}
        )
        people = Person.objects.in_bulk({pk for item in items for pk in item["people"]})
        return [
            [CitedStatement.from_content(item, evidence, people) for item in statements]
            for statements in recorded
        ]

    def statements(self, evidence=None):
        """The revision's statements as ``CitedStatement``s, in two queries."""
        return self.statements_of([self], evidence)[0]

    def matches_draft(self, story):
        """Whether ``story``'s draft says what this revision says. Statement ids
        do not count: restoring a revision, or re-creating a statement with the
        same text and citations, is no change."""

        def comparable(statements):
            return [
                {key: value for key, value in item.items() if key != "id"} for item in statements
            ]

        return (self.headline, self.standfirst, comparable(self._recorded_statements())) == (
            story.headline,
            story.standfirst,
            comparable(story.revision_content()["statements"]),
        )

    @transaction.atomic
    def restore_into(self, story):
        """Make ``story``'s draft say what this revision says; readers see no
        change until it is published.

        Statements the revision recorded that still exist keep their ids (links
        to ``#statement-<id>`` keep working); the others are created again, and
        statements added since are removed. Evidence or people deleted since are
        left out rather than failing the restore; the publication check then
        flags any statement left citing nothing.
        """
        if story.pk != self.story_id:
            raise ValueError(f"Revision {self.number} is not a revision of “{story}”.")
        story.headline, story.standfirst = self.headline, self.standfirst
        story.save(update_fields=["headline", "standfirst", "updated_at"])
        recorded = self.statements(Evidence.objects.only("pk"))
        current = {statement.pk: statement for statement in story.statements.all()}
        story.statements.exclude(pk__in=[item.pk for item in recorded]).delete()
        for item in recorded:
            statement = current.get(item.pk)
            if statement is None:
                statement = Statement.objects.create(
                    story=story, position=item.position, text=item.text
                )
            else:
                statement.position, statement.text = item.position, item.text
                statement.save(update_fields=["position", "text"])
            statement.evidence.set(item.evidence)
            statement.people.set(item.people)
        return story


class Correction(models.Model):
    """A dated note telling readers what was wrong and what changed."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField(help_text="Shown to readers under the story, with its date.")
    created_at = models.DateTimeField("dated", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["story", "created_at", "pk"]

    def __str__(self):
        return f"Correction of {self.created_at:%Y-%m-%d} to “{self.story}”"

    def get_absolute_url(self):
        return f"{self.story.get_absolute_url()}#corrections"


class PersonMention(models.Model):
    """Where an article names a person: lets source pages link names to people."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mentions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["article", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person", "start"], name="unique_person_mention"
            ),
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="mention_start_before_end"
            ),
        ]

    def __str__(self):
        return f"{self.text} ({self.person}) in {self.article}"

    def get_absolute_url(self):
        return self.person.get_absolute_url()


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class PersonSuggestion(models.Model):
    """A person the desk thinks an article names, awaiting the editor's word.

    Kept after the decision, so a rejected name is never proposed again for
    the same article.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    name = models.CharField(max_length=200)
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="suggestions",
        help_text="The known person this matches; empty for a new name.",
    )
    mentions = models.JSONField(default=list, help_text="[start, end] offsets in the body.")
    more_mentions = models.PositiveIntegerField(
        default=0,
        help_text="Mentions found beyond the stored ones (a huge article stores the first few).",
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="The title or role the article gives the name (“Councillor”, “mayor of X”).",
    )
    status = models.CharField(
        max_length=10, choices=SuggestionStatus, default=SuggestionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "status", "name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "name"], name="unique_suggestion_per_name")
        ]

    def __str__(self):
        return f"{self.name} in {self.article} ({self.get_status_display()})"

    def person_name(self, name=""):
        """The name a person made from this suggestion gets: ``name`` if the
        editor corrected it, else the suggested one, spacing normalised."""
        return " ".join((name or self.name).split())

    def needs_new_person(self, name=""):
        """Whether accepting the suggestion (as ``name``) would add a person to the
        desk: it names no known person and nobody on file is called that."""
        if self.person_id:
            return False
        return not Person.objects.filter(name__iexact=self.person_name(name)).exists()


class OriginKind(models.TextChoices):
    """Where a statement first comes from, as the article presents it."""

    REPORTING = "reporting", "The outlet’s own reporting"
    PERSON = "person", "A named person"
    ANONYMOUS = "anonymous", "An anonymous source"
    POST = "post", "A social-media post or video"
    DOCUMENT = "document", "A document or official statement"
    OUTLET = "outlet", "Another outlet’s report"


class OriginQuerySet(models.QuerySet):
    def published(self):
        """Origins behind public evidence, as its origin or as a relay."""
        public = Evidence.objects.published()
        return self.filter(Q(evidence__in=public) | Q(relayed_evidence__in=public)).distinct()

    def reporting_of(self, article):
        """The article's own reporting: one origin per outlet (or per article
        when it names none), created the first time a passage needs it."""
        if article.outlet_id:
            lookup = {"outlet_id": article.outlet_id, "article": None}
        else:
            lookup = {"article": article, "outlet": None}
        origin = self.filter(kind=OriginKind.REPORTING, **lookup).order_by("pk").first()
        if origin is None:
            origin = self.create(
                kind=OriginKind.REPORTING, label=f"{article.label}’s own reporting", **lookup
            )
        return origin

    def resolve(self, kind, *, article, label="", person=None):
        """The origin an editor describes for a passage of ``article``, found
        again when it exists, created when new.

        An article's own reporting is one per outlet (``reporting_of``); a
        person is themselves wherever quoted; an anonymous source is one per
        outlet (or article) that introduced it and per description, because
        "a source close to the situation" in two outlets is two claims of a
        source until an editor says they are one.
        """
        if kind == OriginKind.REPORTING:
            return self.reporting_of(article)
        label = " ".join(label.split()) or (person.name if person else "")
        lookup = {"kind": kind, "label__iexact": label}
        if kind == OriginKind.PERSON:
            lookup = {"kind": kind, "person": person}
        elif kind == OriginKind.ANONYMOUS:
            lookup.update(
                {"outlet_id": article.outlet_id, "article": None}
                if article.outlet_id
                else {"article": article, "outlet": None}
            )
        elif person is not None:
            lookup["person"] = person
        origin = self.filter(**lookup).order_by("pk").first()
        if origin is None:
            origin = Origin(kind=kind, label=label, person=person)
            if kind == OriginKind.ANONYMOUS:
                origin.outlet, origin.article = (
                    (article.outlet, None) if article.outlet_id else (None, article)
                )
            origin.full_clean()
            origin.save()
        return origin


class Origin(models.Model):
    """Where a statement first comes from: an outlet's own reporting, a person,
    an anonymous source as one outlet introduced it, a post, a document, another
    outlet's report.

    Counting these, not articles, is what tells a reader that two rewrites of
    one Instagram post are one account told twice.
    """

    kind = models.CharField(max_length=10, choices=OriginKind)
    label = models.CharField(
        max_length=300,
        help_text="As readers will read it: “sources close to the situation (per ET)”, "
        "“ET’s Instagram post”, “EW’s own reading of the live-feed video”.",
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="origins",
        help_text="The person it comes from, or whose post it is.",
    )
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="origins",
        help_text="The outlet whose reporting, post or report it is, or that introduced the "
        "anonymous source.",
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="origins",
        help_text="For an article's own reporting or its anonymous source when it names no outlet.",
    )
    note = models.TextField(blank=True, help_text="Internal note; never shown to readers.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OriginQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "label", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=OriginKind.PERSON) | Q(person__isnull=False),
                name="person_origin_names_a_person",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OriginKind.REPORTING)
                | Q(outlet__isnull=False)
                | Q(article__isnull=False),
                name="reporting_origin_has_a_reporter",
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.get_kind_display().lower()})"

    def get_absolute_url(self):
        return reverse("stories:origin", kwargs={"pk": self.pk})

    @property
    def anonymous(self):
        return self.kind == OriginKind.ANONYMOUS


class EvidenceRelay(models.Model):
    """One link of a passage's chain between its origin and the article."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="relays")
    origin = models.ForeignKey(Origin, on_delete=models.PROTECT, related_name="relays")
    position = models.PositiveSmallIntegerField(
        default=1, help_text="1 is nearest the origin; the article itself comes last."
    )

    class Meta:
        ordering = ["evidence", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "position"], name="one_relay_per_chain_position"
            ),
            models.UniqueConstraint(fields=["evidence", "origin"], name="relay_once_per_chain"),
        ]

    def __str__(self):
        return f"{self.evidence} via {self.origin.label}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    SAME = "same", "The same"
    POSSIBLY = "possibly", "Possibly the same"
    DIFFERENT = "different", "Different"


class OriginMatch(models.Model):
    """Whether two origins are one account: proposed by the desk, decided by an editor.

    Only a decision (same, or possibly the same) changes the counts; a proposal
    never does, and a pair decided different is not proposed again.
    """

    first = models.ForeignKey(Origin, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Origin, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=MatchStatus, default=MatchStatus.PROPOSED)
    reason = models.CharField(max_length=300, blank=True, help_text="Why the desk proposed it.")
    score = models.FloatField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "origin match"
        verbose_name_plural = "origin matches"
        ordering = ["status", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_origin_match"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="origin_match_ordered_pair"
            ),
        ]

    def __str__(self):
        return f"{self.first.label} / {self.second.label}: {self.get_status_display().lower()}"


class DerivationKind(models.TextChoices):
    TEXT = "text", "Shared text"
    ORIGIN = "origin", "Shared origin"


class DerivationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class Derivation(models.Model):
    """“``derived`` copies or rewrites ``source``”: proposed with the shared
    passages (or origin) to show, confirmed or rejected by an editor.

    A confirmed derivation makes the derived article's own reporting count with
    the source's, not as a new origin; a rejected pair is never proposed again.
    """

    source = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="derivatives")
    derived = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="derived_from")
    kind = models.CharField(max_length=6, choices=DerivationKind, default=DerivationKind.TEXT)
    score = models.FloatField(default=0)
    status = models.CharField(
        max_length=10, choices=DerivationStatus, default=DerivationStatus.PROPOSED
    )
    direction = models.CharField(
        max_length=12,
        blank=True,
        help_text="What decided which article is the source: date, containment or order.",
    )
    shared = models.JSONField(
        default=list,
        help_text="The shared passages with their offsets in both texts, or the shared origin.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "derived", "kind"], name="unique_derivation"),
            models.CheckConstraint(
                condition=~Q(source=models.F("derived")), name="derivation_between_two_articles"
            ),
        ]

    def __str__(self):
        return f"{self.derived} ← {self.source} ({self.get_kind_display().lower()})"

    def get_absolute_url(self):
        return reverse("admin:stories_derivation_change", args=[self.pk])


class Rating(models.TextChoices):
    """The desk's verdict scale, best to worst; ``RATING_VALUES`` gives ClaimReview's numbers."""

    ACCURATE = "accurate", "Accurate"
    MOSTLY_ACCURATE = "mostly_accurate", "Mostly accurate"
    MIXED = "mixed", "Mixed"
    MISLEADING = "misleading", "Misleading"
    FALSE = "false", "False"
    UNPROVEN = "unproven", "Unproven"


# schema.org reviewRating values: 5 best, 1 worst; "unproven" is no point on the scale.
RATING_VALUES = {
    Rating.ACCURATE: 5,
    Rating.MOSTLY_ACCURATE: 4,
    Rating.MIXED: 3,
    Rating.MISLEADING: 2,
    Rating.FALSE: 1,
    Rating.UNPROVEN: None,
}


class Verdict(models.Model):
    """An editor's verdict on a claim, shown beside the computed status, never
    instead of it."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="verdict")
    rating = models.CharField(max_length=16, choices=Rating)
    reason = models.TextField(help_text="Shown to readers: why the desk rates the claim so.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    decided_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.get_rating_display()}: {self.claim}"

    def get_absolute_url(self):
        return f"{self.claim.get_absolute_url()}#verdict"

    @property
    def rating_value(self):
        return RATING_VALUES[self.rating]


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    INTERRUPTED = "interrupted", "Interrupted"


class JobQuerySet(models.QuerySet):
    def unfinished(self):
        """Jobs whose row says queued or running; a running one may have been killed."""
        return self.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


class Job(models.Model):
    """Long work done off the request path (``stories.services.jobs``), as the desk sees it.

    The job's writes and its result commit together, in one transaction; everything else
    on this row (claimed, progress, failed) is written outside it, so a job that failed or
    was killed changed nothing but its own row. ``kind`` names an entry of
    ``services.jobs.KINDS``: adding a kind needs no migration.
    """

    kind = models.CharField(max_length=50)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(max_length=12, choices=JobStatus, default=JobStatus.QUEUED)
    arguments = models.JSONField(default=dict, blank=True)
    stage = models.CharField(max_length=100, blank=True, help_text="What it is doing now.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True, help_text="The result in words.")
    result = models.JSONField(
        default=dict, blank=True, help_text="What the result links to: {'links': [...]}."
    )
    error = models.TextField(blank=True, help_text="Why it failed, in words.")
    retryable = models.BooleanField(
        default=False,
        help_text="Running it again may succeed: it stopped for a reason other than its input.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(
        max_length=300, blank=True, help_text="host:pid of the process that ran it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="job_done_within_total"
            )
        ]

    def __str__(self):
        return f"Job #{self.pk}"

    @staticmethod
    def this_process():
        """How a job names the process running it, for ``worker``."""
        return f"{socket.gethostname()}:{os.getpid()}"

    def worker_alive(self):
        """Whether the process running the job is still there.

        On this machine the process itself is asked (a job writing on SQLite cannot
        write a heartbeat: the job's transaction holds the only write lock); a worker on
        another machine is taken for alive while its heartbeat is recent.
        """
        host, _, pid = self.worker.rpartition(":")
        if host == socket.gethostname() and pid.isdigit() and int(pid) > 0:
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True  # someone else's process
            return True
        timeout = datetime.timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT)
        return self.heartbeat_at is not None and timezone.now() - self.heartbeat_at < timeout

    @property
    def state(self):
        """The status as the desk shows it: a running job whose process is gone was
        interrupted (killed, or its machine went down), whatever its row still says."""
        if self.status == JobStatus.RUNNING and not self.worker_alive():
            return JobStatus.INTERRUPTED
        return JobStatus(self.status)

    @property
    def is_finished(self):
        return self.state in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.INTERRUPTED)

    @property
    def can_run_again(self):
        """Interrupted, or failed for a reason other than its input (its files are kept)."""
        state = self.state
        return state == JobStatus.INTERRUPTED or (state == JobStatus.FAILED and self.retryable)


class JobFile(models.Model):
    """A file uploaded for a job, kept until the job no longer needs it: a worker cannot
    read the request's upload, and may run on another machine. Deleted with the job, and
    once the job succeeded or failed on its input; kept when the input awaits an editor's
    choice, and moved to the job that runs it with the answer (``jobs.follow_up``)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(
        help_text="As uploaded; bytes beyond the importer's limit are not kept."
    )
    data = models.BinaryField()

    class Meta:
        ordering = ["pk"]
        default_permissions = ()

    def __str__(self):
        return self.name


class StorySlug(models.Model):
    """An address a story had: ``/stories/<slug>/`` redirects (301) to the story's
    current one, so a link shared before a slug change keeps working.

    Written by ``Story.save()`` whenever a slug changes, by whoever changes it.
    One row per old slug, pointing at the story that left it last; a story now
    holding the slug is served there instead (the reader view looks for a
    current slug first), and a redirect is only given to a visitor who may see
    the story, so an old address never reveals an unpublished story's new one.
    Kept here rather than in ``django.contrib.redirects``: that stores paths,
    not stories, so each rename would have to rewrite every earlier redirect
    to avoid chains, and it would redirect readers to stories they cannot see.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=200)
    moved_at = models.DateTimeField("moved away", auto_now=True)

    class Meta:
        verbose_name = "old address of a story"
        verbose_name_plural = "old addresses of stories"
        default_permissions = ()  # bookkeeping of Story.save(), edited by nobody
        ordering = ["story", "-moved_at", "slug"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="unique_old_story_slug")]

    def __str__(self):
        return f"/stories/{self.slug}/ → {self.story}"

    def get_absolute_url(self):
        return self.story.get_absolute_url()


class NotAPersonKind(models.TextChoices):
    PLACE = "place", "a place"
    BUSINESS = "business", "a business"
    ORGANISATION = "organisation", "an organisation"
    OTHER = "other", "something else"


class NotAPersonQuerySet(models.QuerySet):
    def names(self):
        """Every name the desk has ruled out, as written, for the suggestion rules."""
        return list(self.values_list("name", flat=True))

    def named(self, name):
        """The row ruling out ``name``, whatever its case and spacing."""
        return self.filter(name__iexact=" ".join(name.split()))


class NotAPerson(models.Model):
    """A name an editor has said is no person (a place, a business...), for the whole desk.

    ``suggest_people`` consults these for every article, so the name is proposed in none
    again; a rejection for one article only stays on its ``PersonSuggestion``. Deleting the
    row undoes the decision.
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=NotAPersonKind, default=NotAPersonKind.OTHER)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    decided_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = NotAPersonQuerySet.as_manager()

    class Meta:
        verbose_name = "name that is not a person"
        verbose_name_plural = "names that are not people"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="unique_not_a_person_name",
                violation_error_message="That name is ruled out already, in some case or other.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        # Spacing never makes two names different, for the constraint as for the rules.
        self.name = " ".join(self.name.split())


class ArticleVersion(models.Model):
    """One text of an article, kept as imported and never changed: evidence cited from it
    keeps pointing at it (``Evidence.article_version``) after the article has moved on.

    ``Article.body`` is always the text of the article's latest version.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(editable=False)
    body_sha256 = models.CharField("SHA-256 of the body", max_length=64, editable=False)
    url = models.URLField("original URL", max_length=500, blank=True, editable=False)
    source_name = models.CharField("imported from", max_length=300, blank=True, editable=False)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="unique_article_version_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="article_version_from_one"),
        ]

    def __str__(self):
        return f"{self.article} (version {self.number})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self}: an article version is never changed once stored.")
        self.body_sha256 = body_sha256(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}?version={self.number}"


class AnchorToReview(Evidence):
    """The desk's queue: evidence re-anchoring left for an editor (``awaiting_editor``)."""

    class Meta:
        proxy = True
        verbose_name = "anchor to review"
        verbose_name_plural = "anchors to review"
        default_permissions = ()  # Evidence's own permissions decide (admin/anchors.py)


class PublicVersionQuerySet(models.QuerySet):
    """The one row that says which version of the public site readers see now.

    ``stories.caching`` keys every cached reader page and every ETag on it. It is
    moved in the same transaction as the write it records, so no process can see
    the new content under the old number, nor the new number before the content.
    """

    ROW = 1

    def bump(self, **fields):
        """Record that a public page may have changed: a new number, and a modification
        second strictly after the last one (so that no two versions ever share a
        Last-Modified, whatever the clock says), in one UPDATE that holds the row until
        the transaction ends. Run it inside the write's transaction. Returns whether
        a row was moved (``fields`` are set with it; a filtered queryset may match none)."""
        now = timezone.now()
        # Publications dated up to now are visible by the time this version commits.
        fields = {"published_through": now, **fields}
        seconds = int(now.timestamp())
        changed = self.filter(pk=self.ROW).update(
            number=models.F("number") + 1,
            modified=Greatest(
                models.Value(seconds),
                models.F("modified") + 1,
                output_field=models.BigIntegerField(),
            ),
            **fields,
        )
        if not changed and not self.query.has_filters():
            # A flushed table (TransactionTestCase): start again.
            self.get_or_create(pk=self.ROW, defaults={"number": 1, "modified": seconds, **fields})
            return True
        return bool(changed)

    def include_publications(self):
        """Record that the version this transaction makes (it has bumped already)
        includes the publications dated up to now."""
        self.filter(pk=self.ROW).update(published_through=timezone.now())

    def current(self):
        """``(number, modified)`` for the public site as readers see it now, in one query.

        It runs before every reader page, so it is one fixed statement rather than a
        queryset built each time (the ORM took longer to write it than the database to
        answer it). A story scheduled for later becomes public with no write at all:
        the first request after its time records that as a version of its own (a
        conditional UPDATE that only one process wins), so a scheduled publication is
        never served from the cache of the version before it.
        """
        connection = connections[self.db]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_current_sql(connection), [StoryStatus.PUBLISHED, now, self.ROW])
            row = cursor.fetchone()
        if row is None:
            return 0, 0
        number, modified, behind = row
        if behind:
            newest = Story.objects.published().aggregate(newest=models.Max("published_at"))
            passed = Q(published_through__isnull=True) | Q(published_through__lt=newest["newest"])
            self.filter(passed).bump(published_through=newest["newest"])
            number, modified = self.filter(pk=self.ROW).values_list("number", "modified").get()
        return number, modified


def _current_sql(connection):
    """The version, and whether a story has become public since it was counted. Only
    table names are interpolated, quoted by the backend; every value is a parameter."""
    quote = connection.ops.quote_name
    story, version = quote(Story._meta.db_table), quote(PublicVersion._meta.db_table)
    return (
        f"SELECT v.number, v.modified, EXISTS (SELECT 1 FROM {story} s"  # noqa: S608
        " WHERE s.status = %s AND s.published_revision_id IS NOT NULL AND s.published_at <= %s"
        " AND (v.published_through IS NULL OR s.published_at > v.published_through))"
        f" FROM {version} v WHERE v.id = %s"
    )


class PublicVersion(models.Model):
    """How many times what readers can see has changed, and when it last did.

    One row (``PublicVersionQuerySet.ROW``). ``modified`` is Unix seconds, and
    strictly increasing, so it serves as Last-Modified. ``published_through`` is
    the newest publication time already counted, for stories scheduled ahead.
    """

    number = models.PositiveBigIntegerField(default=0)
    modified = models.PositiveBigIntegerField(default=0, help_text="Unix time, in seconds.")
    published_through = models.DateTimeField(null=True, blank=True)

    objects = PublicVersionQuerySet.as_manager()

    class Meta:
        default_permissions = ()  # bookkeeping, edited by nobody

    def __str__(self):
        return f"public version {self.number}"
