"""Admin forms that need the article text to validate."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.utils.text import slugify

from . import roles
from .locking.forms import VersionedModelForm
from .models import Article, Claim, Evidence, EvidenceRelay, Origin, OriginKind, Person
from .services import articles
from .text import anchoring, importing


class PeopleField(forms.ModelMultipleChoiceField):
    """People tags picked by autocomplete, so a typo never creates a new person."""

    def __init__(self, model, **kwargs):
        field = model._meta.get_field("people")
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Search people by name. Add new people under People.")
        super().__init__(
            queryset=Person.objects.all(),
            widget=AutocompleteSelectMultiple(field, admin.site),
            **kwargs,
        )


class Autocomplete(AutocompleteSelect):
    """The admin's autocomplete for a picker of ``model.field_name``'s related rows.

    A page listing every claim, origin or person as an ``<option>`` grows with the
    desk (5,000 claims are most of a reading view's megabyte); this one renders only
    the chosen row and asks the related admin (its ``search_fields``, its
    ``get_search_results``, its view permission) for the rest as the editor types.
    ``query`` narrows the search further (``OriginAdmin`` reads ``kind``); the form's
    own queryset still decides what may be posted.
    """

    def __init__(self, model, field_name, query=""):
        # select2 measures a hidden panel as 0 wide: the width is the field's own.
        super().__init__(
            model._meta.get_field(field_name), admin.site, attrs={"data-width": "100%"}
        )
        self.query = query

    def get_url(self):
        url = super().get_url()
        return f"{url}?{self.query}" if self.query else url


# The origins a passage can be relayed by: a post or another outlet.
RELAY_KINDS = (OriginKind.POST, OriginKind.OUTLET)


class EvidenceForm(VersionedModelForm):
    """Binds the pasted quote to exactly one passage of the article.

    Offsets, prefix and suffix are derived, never typed. A quote found more
    than once is refused until the editor chooses an occurrence by its start
    offset or by a few words of surrounding context.

    Versioned (``stories.locking``): a save over someone else's change since
    the form was loaded is refused, in the admin and in a claim's inline.
    """

    start = forms.IntegerField(
        label="Start offset",
        required=False,
        min_value=0,
        help_text="Leave empty; needed only when the quote occurs more than once.",
    )
    context = forms.CharField(
        required=False,
        max_length=200,
        help_text="Or: a few words just before or after the quote, to choose an occurrence.",
    )
    # Or a new origin, described as the article describes it; the desk finds it
    # again if it is on file (``Origin.objects.resolve``).
    origin_kind = forms.ChoiceField(
        label="Or a new origin",
        choices=[("", "— the origin chosen above —"), *OriginKind.choices],
        required=False,
    )
    origin_label = forms.CharField(
        label="described as",
        max_length=Origin._meta.get_field("label").max_length,
        required=False,
        help_text="In the article’s words, e.g. “a source close to Megan”, “ET’s Instagram post”.",
    )
    origin_person = forms.ModelChoiceField(
        label="the person",
        queryset=Person.objects.order_by("name"),
        required=False,
        widget=Autocomplete(Origin, "person"),
        help_text="For a named person, or whose post or statement it is.",
    )

    class Meta:
        model = Evidence
        fields = [
            "claim",
            "article",
            "quote",
            "start",
            "context",
            "stance",
            "origin",
        ]
        widgets = {"quote": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        article, quote = cleaned.get("article"), cleaned.get("quote")
        if article is None or not quote:
            return cleaned
        start = cleaned.get("start")
        if (
            self.instance.pk
            and start is None
            and quote == self.instance.quote
            and article.pk == self.instance.article_id
        ):
            start = self.instance.start  # unchanged passage: keep the occurrence chosen before
        self.instance.article = article  # as the save would; a refused quote changes nothing
        try:
            self.instance.anchor(quote, start=start, context=cleaned.get("context", ""))
        except anchoring.AnchorError as exc:
            self.add_error("quote", str(exc))
            return cleaned
        # The article's own characters and offsets, which the save writes back.
        cleaned["quote"], cleaned["start"] = self.instance.quote, self.instance.start
        self._clean_origin(cleaned)
        return cleaned

    def _clean_origin(self, cleaned):
        kind, label = cleaned.get("origin_kind"), cleaned.get("origin_label", "").strip()
        person = cleaned.get("origin_person")
        if not kind:
            if label or person:
                self.add_error("origin_kind", "Say what kind of origin this is.")
            return
        if cleaned.get("origin"):
            self.add_error("origin_kind", "Choose an origin above or describe a new one, not both.")
        elif kind == OriginKind.PERSON and person is None:
            self.add_error("origin_person", "Choose the person the article quotes.")
        elif kind not in (OriginKind.REPORTING, OriginKind.PERSON) and not label:
            self.add_error("origin_label", "Say how the article describes this origin.")

    def save(self, commit=True):
        kind = self.cleaned_data.get("origin_kind")
        if kind:
            self.instance.origin = Origin.objects.resolve(
                kind,
                article=self.instance.article,
                label=self.cleaned_data.get("origin_label", ""),
                person=self.cleaned_data.get("origin_person"),
            )
        return super().save(commit)


class CiteForm(EvidenceForm):
    """Cite a passage of one article: the EvidenceForm's rules, plus a new claim.

    The article is fixed by the view (a posted article is ignored). The editor
    picks an existing claim or types a new one; the new claim is validated here
    and saved with the evidence by ``services.citing.cite_passage``. ``user``
    decides which claims are open to them (``roles.changeable_claims``).
    """

    claim_text = forms.CharField(
        label="Or a new claim",
        max_length=Claim._meta.get_field("text").max_length,
        required=False,
        help_text="A proposition in the desk’s words, e.g. “The backstage exchange was tense”.",
    )
    end = forms.IntegerField(label="End offset", required=False, min_value=0)
    relayed_by = forms.ModelChoiceField(
        label="Relayed by",
        queryset=Origin.objects.filter(kind__in=RELAY_KINDS),
        required=False,
        widget=Autocomplete(EvidenceRelay, "origin", "&".join(f"kind={k}" for k in RELAY_KINDS)),
        help_text="The post or outlet the article took it from, if any.",
    )

    field_order = [
        "quote",
        "start",
        "end",
        "context",
        "claim",
        "claim_text",
        "stance",
        "origin",
        "origin_kind",
        "origin_label",
        "origin_person",
        "relayed_by",
    ]

    class Meta(EvidenceForm.Meta):
        widgets = {
            **EvidenceForm.Meta.widgets,
            "stance": forms.RadioSelect,
            "article": forms.HiddenInput,
            # Searched as the editor types; ``ClaimAdmin`` offers only the claims
            # ``roles.changeable_claims`` leaves this user, as the queryset below.
            "claim": Autocomplete(Evidence, "claim"),
            "origin": Autocomplete(Evidence, "origin"),
        }

    def __init__(self, *args, article, user, **kwargs):
        super().__init__(*args, instance=Evidence(article=article), **kwargs)
        self.article = article
        self.user = user
        self.new_claim = None
        field = self.fields["article"]
        field.queryset, field.disabled = Article.objects.filter(pk=article.pk), True
        claim = self.fields["claim"]
        claim.required, claim.label = False, "Existing claim"
        claim.widget.is_required = False  # may be cleared: a new claim instead
        claim.queryset = roles.changeable_claims(user, Claim.objects.order_by("text"))
        claim.help_text = "Type a few words of it to search the claims you may cite."
        self.fields["origin"].queryset = Origin.objects.order_by("kind", "label")
        self.fields["origin"].help_text = "Type to search; or describe a new one below."
        # A passage the editor selects is, until they say otherwise, the article's
        # own reporting; a quote whose speaker the desk could not find starts
        # with no origin at all (the prefill passes an empty kind).
        self.fields["origin_kind"].initial = OriginKind.REPORTING
        self.fields["quote"].help_text = (
            "Select the passage in the text above, or paste it here exactly as the article "
            "has it; offsets are found for you."
        )
        self.fields["end"].help_text = "Filled in from your selection; leave empty otherwise."
        self.fields["end"].widget = forms.HiddenInput()

    def _clean_origin(self, cleaned):
        super()._clean_origin(cleaned)
        # A passage cited from the text says where it comes from: the desk never
        # assumes "the article's own reporting" for the editor.
        if not cleaned.get("origin") and not cleaned.get("origin_kind"):
            self.add_error(
                "origin_kind",
                "Say where the article says this comes from: its own reporting, a person, "
                "an anonymous source, a post, a document or another outlet.",
            )

    def clean(self):
        cleaned = super().clean()  # EvidenceForm: binds the quote to one occurrence
        claim = cleaned.get("claim")
        text = " ".join(cleaned.get("claim_text", "").split())
        cleaned["claim_text"] = text
        if claim and text:
            self.add_error("claim_text", "Choose an existing claim or type a new one, not both.")
        elif not claim and not text:
            if "claim" not in self.errors:
                self.add_error(
                    "claim", "Choose the claim this passage bears on, or type a new one."
                )
        elif text:
            same = Claim.objects.filter(text__iexact=text).first()
            if same is not None and not roles.may_change_public_claim(self.user, same):
                self.add_error(
                    "claim_text",
                    f"“{same}” is cited by a published story; only an editor can add "
                    "evidence to it.",
                )
            elif same is not None:
                cleaned["claim"] = same  # the same words are the same claim
            else:
                claim = Claim(text=text)
                try:
                    claim.full_clean()
                except forms.ValidationError as exc:
                    for message in exc.messages:
                        self.add_error("claim_text", message)
                else:
                    self.new_claim = claim
        return cleaned

    @property
    def cited_claim(self):
        """The claim to cite: the one chosen, or the new one (unsaved until cited)."""
        if self.new_claim is not None:
            return self.new_claim
        return self.cleaned_data["claim"]

    def _post_clean(self):
        super()._post_clean()
        claim = self.cleaned_data.get("claim")
        if claim is not None and self.instance.start is not None and not self.errors:
            duplicate = Evidence.objects.filter(
                claim=claim, article=self.article, start=self.instance.start, end=self.instance.end
            )
            if duplicate.exists():
                self.add_error(None, f"This passage is already cited for “{claim}”.")


class ClaimForm(VersionedModelForm):
    """A claim, versioned; the claims whose *Contradicts* it adds or removes
    are locked with it (the relation is symmetrical: their lists change too)."""

    class Meta:
        model = Claim
        fields = ["text", "people", "topics", "contradicts", "note"]

    def clean_contradicts(self):
        chosen = self.cleaned_data["contradicts"]
        if self.instance.pk is not None and any(c.pk == self.instance.pk for c in chosen):
            raise forms.ValidationError("A claim cannot contradict itself.")
        return chosen

    def locking_also_lock(self):
        return sorted(self.contradicts_changed())

    def contradicts_changed(self):
        """The other claims whose *Contradicts* this save adds or removes this one to."""
        if "contradicts" not in self.fields or self.instance.pk is None:
            return set()
        chosen = {claim.pk for claim in self.cleaned_data.get("contradicts") or ()}
        stored = set(self.instance.contradicts.values_list("pk", flat=True))
        return (chosen ^ stored) - {self.instance.pk}


class ArticleAddForm(forms.ModelForm):
    """Adding an article by pasting its text, held to the importer's rules.

    Headline, body and byline go through ``importing.parse_pasted``: the body
    is normalised, checked and hashed as a file's would be, so the same text
    pasted or imported gets the same body and SHA-256, and a text already
    imported (either way) is refused. The importer's messages land on the
    field they are about. ``ArticleAdmin`` saves the result through
    ``services.articles.add_articles``, as the importer does.
    """

    url = forms.URLField(
        label="Original URL", required=False, max_length=500, assume_scheme="https"
    )

    as_new = forms.BooleanField(
        required=False,
        label="Import as a new article",
        help_text="Even if it resembles an article on file, or has its URL.",
    )

    class Meta:
        model = Article
        fields = ["headline", "outlet", "byline", "url", "published_on", "body", "topics"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The importer keeps the body's own indentation and trailing spaces (evidence offsets
        # count them); the field's default strip would lose them, so the same text pasted and
        # imported from a file would differ.
        self.fields["body"].strip = False

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():  # still "required", as when the field stripped it
            raise forms.ValidationError(
                self.fields["body"].error_messages["required"], code="required"
            )
        return body

    def clean(self):
        cleaned = super().clean()
        if "body" not in cleaned:
            return cleaned
        try:
            # A missing headline or a bad byline is already an error of its own field; the
            # body is still checked, so that every problem is shown at once.
            parsed = importing.parse_pasted(
                cleaned.get("headline", ""), cleaned["body"], cleaned.get("byline", "")
            )
        except importing.ArticleFileError as exc:
            self.add_error(exc.field, str(exc))
            return cleaned
        existing = Article.objects.filter(body_sha256=parsed.sha256).first()
        if existing:
            self.add_error(
                "body", f"This text was already imported as “{existing}” (article #{existing.pk})."
            )
            return cleaned
        if not cleaned.get("as_new") and (problem := self.version_problem(parsed.body, cleaned)):
            self.add_error("body", problem)
            return cleaned
        parts = {"headline": parsed.headline, "body": parsed.body, "byline": parsed.byline}
        cleaned.update({name: value for name, value in parts.items() if name in cleaned})
        return cleaned

    def version_problem(self, body, cleaned):
        """A pasted text that is probably a new version of an article on file (its URL, or
        most of its text) is not added silently: the editor chooses."""
        url = cleaned.get("url")
        same = Article.objects.filter(url=url).first() if url else None
        found = (same, None) if same else (None if url else articles.resembled(body))
        if not found:
            return ""
        other, score = found
        why = "has its URL" if score is None else f"shares {score:.0%} of its text"
        return (
            f"This text {why}: it looks like a new version of “{other}” (article #{other.pk}). "
            f"Import it as that article's new version (Import articles, “New version of "
            f"article” {other.pk}), or tick “Import as a new article”."
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


# What the import page offers to pick; the reader decides each file's format by its content.
IMPORT_ACCEPT = ".txt,.html,.htm,.json,.zip,text/plain,text/html,application/json,application/zip"


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": IMPORT_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ImportArticlesForm(forms.Form):
    files = MultipleFileField(
        help_text="Saved web pages (.html, .htm), IPTC ninjs files (.json), UTF-8 text "
        "(headline on line 1, a blank line, paragraphs separated by blank lines, optionally "
        "a last “Written by NAME” line), or .zip files of any of these.",
    )
    outlet = forms.CharField(
        required=False,
        max_length=200,
        help_text="The outlet that published these articles; created if new. Leave empty "
        "to use the site name each web page or ninjs file gives, if any.",
    )

    revises = forms.ModelChoiceField(
        Article.objects.order_by("pk"),
        required=False,
        widget=forms.NumberInput,
        label="New version of article",
        help_text="The id of the article this one file is a corrected version of: its "
        "passages are re-anchored to it. A text with the URL of an article on file is one.",
    )
    as_new = forms.BooleanField(
        required=False,
        label="Import as new articles",
        help_text="Even a text that resembles an article on file, or has its URL.",
    )

    @classmethod
    def in_desk_words(cls, message):
        """The importer's refusal (in the command's words) in the words of this form's
        fields, wherever the desk shows it: this page, or the page of an import's job."""
        fields = cls.base_fields
        return message.replace("--revises ", f"“{fields['revises'].label}” ").replace(
            "--as-new", f"“{fields['as_new'].label}”"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("revises") and cleaned.get("as_new"):
            self.add_error("as_new", "Choose one: a new version of an article, or new articles.")
        return cleaned

    def clean_outlet(self):
        outlet = self.cleaned_data["outlet"].strip()
        if outlet and not slugify(outlet):
            raise forms.ValidationError("An outlet name needs at least one letter or digit.")
        return outlet
