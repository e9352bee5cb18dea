"""The newsroom's data: sources, people, claims, evidence and stories.

What the public may see is decided in one place, the ``published()`` QuerySet
methods: a story is public once published, and a claim, its evidence and the
articles that evidence quotes become public with the first published story
that cites the claim. Every view, feed and template tag asks these methods.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from .locking import VersionedModel
from .text import anchoring


class OutletManager(models.Manager):
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

    objects = NaturalKeyManager.from_queryset(PersonQuerySet)()

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "people"
        ordering = ["name"]
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


def body_sha256(body):
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles quoted by public evidence: a reader can open them as sources."""
        return self.filter(evidence__in=Evidence.objects.published()).distinct()


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

    objects = ArticleManager()

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body_sha256 = body_sha256(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stories:source", kwargs={"pk": self.pk})

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
        headline = headline if len(headline) <= 50 else headline[:49] + "…"
        return f"“{headline}”"

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
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["text"]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return reverse("stories:claim", kwargs={"pk": self.pk})


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    DISPUTES = "disputes", "Disputes"
    MENTIONS = "mentions", "Mentions"


class Attribution(models.TextChoices):
    """Where the article says the passage comes from: how much weight it can bear."""

    OUTLET = "outlet", "The outlet’s own reporting"
    NAMED = "named", "A named person"
    ANONYMOUS = "anonymous", "An anonymous source"
    SECONDHAND = "secondhand", "Another outlet or a social-media post"


class EvidenceQuerySet(models.QuerySet):
    def published(self):
        """Every passage on a public claim, not only the cited ones, so readers
        see the evidence against a claim as well as the evidence for it."""
        return self.filter(claim__in=Claim.objects.published())


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
    attribution = models.CharField(
        "attributed to",
        max_length=12,
        choices=Attribution,
        default=Attribution.OUTLET,
        help_text="Who the article says this comes from.",
    )
    attributed_to = models.CharField(
        "source as described",
        max_length=200,
        blank=True,
        help_text="In the article’s words, e.g. “a source close to Megan”, “ET’s Instagram”.",
    )
    attributed_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attributed_evidence",
        help_text="The named person the passage is attributed to, if any.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

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
        quote = self.quote if len(self.quote) <= 60 else self.quote[:59] + "…"
        return f"{self.article.label if self.article_id else '?'}: “{quote}”"

    def get_absolute_url(self):
        return f"{reverse('stories:source', kwargs={'pk': self.article_id})}#{self.anchor_id}"

    @property
    def anchor_id(self):
        return f"passage-{self.pk}"

    @property
    def source_label(self):
        """The attribution as a reader should weigh it."""
        if self.attribution == Attribution.OUTLET:
            return self.article.label
        return f"{self.article.label}, citing {self.attribution_label}"

    @property
    def attribution_label(self):
        """Who the article says the passage comes from, in its own words if given."""
        person = self.attributed_person
        described = self.attributed_to or (person.name if person else "")
        return described or self.get_attribution_display().lower()

    def matches_article(self):
        """Whether the stored offsets still select the stored quote."""
        return self.article.body[self.start : self.end] == self.quote

    def anchor(self, quote=None, *, start=None, context=""):
        """Bind ``quote`` (the stored quote by default) to one passage of the
        article, or raise AnchorError and change nothing.

        Repeated quotes are never bound to their first occurrence silently:
        ``start`` or ``context`` must choose one. Every way of citing (the
        evidence forms, the reading view, model validation) anchors here.
        """
        quote = self.quote if quote is None else quote
        found = anchoring.locate(self.article.body, quote, start=start, context=context)
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
    version = models.PositiveIntegerField(default=1, editable=False)

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

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return reverse("stories:detail", kwargs={"slug": self.slug})

    def clean(self):
        # The database refuses it too (published_story_has_date); say why in the form.
        if self.status == StoryStatus.PUBLISHED and self.published_at is None:
            raise ValidationError(
                {
                    "published_at": "A published story needs a publication date; "
                    "unpublish it to take it off the site."
                }
            )

    @property
    def is_published(self):
        return self.status == StoryStatus.PUBLISHED and bool(
            self.published_at and self.published_at <= timezone.now()
        )

    def latest_revision(self):
        return self.revisions.order_by("-number").first()

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
        text = self.text if len(self.text) <= 70 else self.text[:69] + "…"
        return f"{self.position}. {text}"

    def get_absolute_url(self):
        return f"{self.story.get_absolute_url()}#statement-{self.pk}"


class StoryRevisionQuerySet(models.QuerySet):
    def current(self):
        """The revisions readers see: one per published story."""
        return self.filter(pk__in=Story.objects.published().values("published_revision"))


class StoryRevision(models.Model):
    """What readers saw: an immutable copy of a story as it was published.

    ``content`` holds the statements in order with the ids of the evidence
    they cite and the people they name, so later edits to the draft never
    change a published page until the next revision is published.
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

    @property
    def statements(self):
        return self.content.get("statements", [])


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
