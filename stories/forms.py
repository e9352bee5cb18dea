"""Admin forms that need the article text to validate."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.utils.text import slugify

from .locking.forms import VersionedModelForm
from .models import Article, Claim, Evidence, Person
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

    class Meta:
        model = Evidence
        fields = [
            "claim",
            "article",
            "quote",
            "start",
            "context",
            "stance",
            "attribution",
            "attributed_to",
            "attributed_person",
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
        try:
            anchor = anchoring.locate(
                article.body, quote, start=start, context=cleaned.get("context", "")
            )
        except anchoring.AnchorError as exc:
            self.add_error("quote", str(exc))
            return cleaned
        cleaned["quote"], cleaned["start"] = anchor.quote, anchor.start
        self.instance.end, self.instance.prefix, self.instance.suffix = (
            anchor.end,
            anchor.prefix,
            anchor.suffix,
        )
        return cleaned


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
        parts = {"headline": parsed.headline, "body": parsed.body, "byline": parsed.byline}
        cleaned.update({name: value for name, value in parts.items() if name in cleaned})
        return cleaned


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

    def clean_outlet(self):
        outlet = self.cleaned_data["outlet"].strip()
        if outlet and not slugify(outlet):
            raise forms.ValidationError("An outlet name needs at least one letter or digit.")
        return outlet
