"""The article reading view: read a source, cite passages, confirm suggested people.

ArticleAdmin mixes in ``ReadingViewMixin``; its views are wired up in
``ArticleAdmin.get_urls``. The views only check permissions and assemble the
page: the rules are the desk's own (``forms.CiteForm``, ``roles``), the writes
are services (``services.citing``, ``services.suggestions``), and every write
is recorded in the admin log with the editor who made it.
"""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import Truncator

from ..forms import CiteForm
from ..models import (
    Evidence,
    NotAPersonKind,
    OriginKind,
    PersonMention,
    PersonSuggestion,
    Stance,
    Statement,
    SuggestionStatus,
)
from ..reversing import Urls
from ..selectors import (
    people_by_name,
    quote_appearances,
    quote_neighbours,
    quotes_with_speakers,
    relays_in_order,
)
from ..services import citing, suggestions
from ..text import anchoring, quotecompare
from ..text import names as text_names
from ..text.paragraphs import Paragraphs
from ..text.quotes import SpeakerKind
from .anchors import reanchoring
from .common import count_of, may_change_public

# How many of a suggestion's mentions are shown in context before "and N more".
SHOWN_MENTIONS = 3
# Words of a quote kept in the claim text a quote suggestion proposes.
CLAIM_WORDS = 8


# A pause just before the end or the cut reads badly before a closing mark: “count,…”.
_PAUSE_AT_END = re.compile(r"[,;:]+(?=…?$)")


def shorten(text, limit=60):
    """``text`` on one line, cut to ``limit`` characters for a message."""
    return Truncator(" ".join(text.split())).chars(limit)


def claim_text_for_quote(quote, speaker):
    """``Megan: “No, no, this don’t count…”``: a starting point the editor edits."""
    shown = Truncator(quote).words(CLAIM_WORDS, truncate="%(truncated_text)s…")
    said = f"“{_PAUSE_AT_END.sub('', shown)}”"
    return f"{speaker}: {said}" if speaker else said


# How a quote's speaker, of the kind the quote rules found, prefills the citation's
# origin. No speaker found prefills nothing: the editor says where it comes from,
# and the desk never claims "the article's own reporting" for a quote it could
# not attribute.
SPEAKER_ORIGIN = {
    SpeakerKind.NONE: "",
    SpeakerKind.NAME: OriginKind.PERSON,
    SpeakerKind.PRONOUN: OriginKind.PERSON,  # who "she" is, the editor says
    SpeakerKind.DESCRIPTION: OriginKind.ANONYMOUS,
}
# The speakers whose words say who the source is ("Megan", "a source close to Megan").
DESCRIBED = {SpeakerKind.NAME, SpeakerKind.DESCRIPTION}


def quote_suggestions(article, passages, names):
    """The quoted speech ``quotes.find_quotes`` finds, with what citing it would prefill."""
    cited = {(p.start, p.end) for p in passages}
    on_file = {person.pk: person for person in names.values()}
    known = tuple(text_names.KnownPerson(pk, tuple(p.names())) for pk, p in on_file.items())
    items = []
    for found in quotes_with_speakers(article.body, known):
        # Who says it, as a reader of the whole article can tell ("she" resolved to the
        # person the paragraph is about, "the mayor" to the mayor named earlier): the
        # prefill follows that, and says nothing when nobody could be told.
        kind = found.said_by_kind
        speaker = found.said_by if kind != SpeakerKind.NONE else ""
        person = on_file.get(found.said_by_key) if kind == SpeakerKind.NAME else None
        if kind == SpeakerKind.NAME and person is None:
            person = names.get(speaker.casefold())
        items.append(
            {
                "start": found.start,
                "end": found.end,
                "quote": article.body[found.start : found.end],
                "speaker": speaker or found.speaker,
                "claim_text": claim_text_for_quote(found.text, speaker or found.speaker),
                "origin_kind": SPEAKER_ORIGIN[kind],
                "origin_label": speaker if kind in DESCRIBED else "",
                "person": person,
                "cited": (found.start, found.end) in cited,
            }
        )
    return items


def mark_conflicts(article, quoted, names):
    """Give each quote of ``article`` that other articles on the subject give to
    another speaker its "Who said it?" group (``item["conflict"]``)."""
    neighbours = quote_neighbours(article)
    if len(neighbours) < 2:
        return
    groups = quotecompare.compare_quotes(quote_appearances(neighbours, names))
    for group in (g for g in groups if g.conflict):
        mine = [a for a in group.appearances if a.article == article.pk]
        others = [a for a in group.appearances if a.article != article.pk]
        for item in quoted:
            if any(a.start < item["end"] and item["start"] < a.end for a in mine):
                item["conflict"] = others


def prefill(article, params, suggested):
    """Initial values for the cite form from ``?quote_start=&quote_end=`` (no-JS quote links)."""
    try:
        start, end = int(params.get("quote_start", "")), int(params.get("quote_end", ""))
    except ValueError:
        return None
    if not 0 <= start < end <= len(article.body):
        return None
    anchor = anchoring.make_anchor(article.body, start, end)
    initial = {
        "quote": anchor.quote,
        "start": start,
        "end": end,
        "context": anchor.prefix,
        "stance": Stance.SUPPORTS,
    }
    for item in suggested:
        if (item["start"], item["end"]) == (start, end):
            initial.update(
                claim_text=item["claim_text"],
                origin_kind=item["origin_kind"],
                origin_label=item["origin_label"],
                origin_person=item["person"].pk if item["person"] else None,
            )
    return initial


class ReadingViewMixin:
    """Views of ArticleAdmin behind ``<pk>/read/``: reading, citing, deciding suggestions."""

    reading_template = "admin/stories/article/read.html"

    def reading_url(self, article, fragment=""):
        url = reverse("admin:stories_article_read", args=[article.pk])
        return f"{url}#{fragment}" if fragment else url

    def article_or_404(self, request, pk):
        article = self.get_object(request, str(pk))
        if article is None:
            raise Http404("No article with that id.")
        return article

    def reading_view(self, request, pk, form=None):
        article = self.article_or_404(request, pk)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        user = request.user
        passages = list(
            Evidence.objects.filter(article=article)
            .select_related("claim", "origin", "article_version")
            .prefetch_related(relays_in_order())
            # Only how many statements cite each: a prefetch built a queryset per passage.
            .annotate(citing=count_of(Statement.evidence.through, "evidence"))
            .order_by("start", "pk")
        )
        urls = Urls()
        for passage in passages:
            passage.article = article  # known already: no query per passage for its body
            passage.evidence_url = urls("admin:stories_evidence_change", passage.pk)
            passage.claim_url = urls("admin:stories_claim_change", passage.claim_id)
            passage.remove_url = urls(
                "admin:stories_article_remove_passage", article.pk, passage.pk
            )
        # A passage waiting on an older version indexes that text, not this one: drawn here
        # it would mark other words. The list of passages sends it to Anchors to review.
        highlighted = [p for p in passages if p.article_version_id is None]
        can_delete = user.has_perm("stories.delete_evidence")
        removable = {p.pk for p in passages if can_delete and may_change_public(request, p.claim)}
        mentions = list(
            PersonMention.objects.filter(article=article).select_related("person").order_by("start")
        )
        names = people_by_name()
        quoted = quote_suggestions(article, passages, names)
        mark_conflicts(article, quoted, names)
        can_cite = user.has_perm("stories.add_evidence")
        opened = form is not None
        if form is None and can_cite:
            initial = prefill(article, request.GET, quoted)
            opened = initial is not None
            form = CiteForm(article=article, user=user, initial=initial)
        paragraphs = Paragraphs(article.body)
        pending = [
            {
                "suggestion": suggestion,
                "snippets": [
                    paragraphs.snippet(start, end)
                    for start, end in suggestion.mentions[:SHOWN_MENTIONS]
                    if 0 <= start <= end <= len(article.body)
                ],
                "more": max(0, len(suggestion.mentions) - SHOWN_MENTIONS)
                + suggestion.more_mentions,
            }
            for suggestion in PersonSuggestion.objects.filter(
                article=article, status=SuggestionStatus.PENDING
            ).select_related("person")
        ]
        rejected = PersonSuggestion.objects.filter(
            article=article, status=SuggestionStatus.REJECTED
        ).select_related("person", "decided_by")
        tagged = list(article.people.order_by("name"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reading view: {article.headline}",
            "opts": self.model._meta,
            "article": article,
            "original": article,
            "passages": passages,
            "removable": removable,
            "highlighted": highlighted,
            "stale_passages": [p for p in highlighted if not p.matches_article()],
            "reanchor": reanchoring(request, article),
            "mentions": mentions,
            "quotes": quoted,
            "suggestions": pending,
            "rejected_suggestions": rejected,
            "not_a_person_kinds": NotAPersonKind.choices,
            "can_rule_out": user.has_perm("stories.add_notaperson"),
            "tagged_people": tagged,
            "form": form,
            "cite_open": opened,
            "can_cite": can_cite,
            "can_add_claim": user.has_perm("stories.add_claim"),
            "can_delete_evidence": can_delete,
            "can_change_article": self.has_change_permission(request, article),
            "can_add_person": user.has_perm("stories.add_person"),
            "stances": Stance,
            "context_chars": anchoring.CONTEXT_CHARS,  # what desk.js copies as context
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.reading_template, context)

    def cite_view(self, request, pk):
        """Create the evidence (and its claim, if new) for a passage of the article."""
        article = self.article_or_404(request, pk)
        if request.method != "POST":
            return HttpResponseRedirect(self.reading_url(article))
        if not request.user.has_perm("stories.add_evidence"):
            raise PermissionDenied
        form = CiteForm(request.POST, article=article, user=request.user)
        if not form.is_valid():
            return self.reading_view(request, pk, form=form)
        if form.new_claim is not None and not request.user.has_perm("stories.add_claim"):
            raise PermissionDenied
        claim = form.cited_claim
        with transaction.atomic():  # a new origin is saved with its evidence or not at all
            evidence = citing.cite_passage(
                form.save(commit=False),
                claim,
                request.user,
                relayed_by=form.cleaned_data.get("relayed_by"),
            )
        messages.success(
            request,
            f"Cited “{shorten(evidence.quote)}” as "
            f"{evidence.get_stance_display().lower()} “{claim}”"
            + (" (a new claim)." if form.new_claim is not None else "."),
        )
        return HttpResponseRedirect(self.reading_url(article, evidence.anchor_id))

    def remove_passage_view(self, request, pk, evidence_pk):
        """Delete one evidence passage of the article, after the editor confirms."""
        article = self.article_or_404(request, pk)
        evidence = get_object_or_404(
            Evidence.objects.select_related("claim"), pk=evidence_pk, article=article
        )
        if not request.user.has_perm("stories.delete_evidence") or not may_change_public(
            request, evidence.claim
        ):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("confirmed") == "yes":
            evidence.article = article
            with transaction.atomic():
                self.log_deletions(request, [evidence])
                evidence.delete()
            messages.success(
                request,
                f"Removed the passage “{shorten(evidence.quote)}” "
                f"({evidence.get_stance_display().lower()} “{evidence.claim}”).",
            )
            return HttpResponseRedirect(self.reading_url(article, "passages"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Remove this passage?",
            "opts": self.model._meta,
            "article": article,
            "evidence": evidence,
            "statements": evidence.statements.select_related("story"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/stories/article/remove_passage.html", context)

    def suggest_view(self, request, pk):
        """Run the people suggestions again for this article."""
        article = self.article_or_404(request, pk)
        if request.method != "POST":
            return HttpResponseRedirect(self.reading_url(article, "suggestions"))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        pending = suggestions.suggest_people(article, request.user)
        messages.success(
            request,
            f"{len(pending)} suggested {'person' if len(pending) == 1 else 'people'} to confirm."
            if pending
            else "No new people to suggest.",
        )
        return HttpResponseRedirect(self.reading_url(article, "suggestions"))

    def decide_view(self, request, pk, suggestion_pk):
        """Decide one suggested person: accept, not in this article, not a person, undo."""
        article = self.article_or_404(request, pk)
        suggestion = get_object_or_404(PersonSuggestion, pk=suggestion_pk, article=article)
        if request.method != "POST":
            return HttpResponseRedirect(self.reading_url(article, "suggestions"))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        decision = request.POST.get("decision")
        name = request.POST.get("name", "")
        try:
            if decision == "accept":
                if suggestion.needs_new_person(name) and not request.user.has_perm(
                    "stories.add_person"
                ):
                    raise PermissionDenied
                description = request.POST.get("description")
                self.log_acceptance(
                    request,
                    article,
                    suggestions.accept_suggestion(
                        suggestion, request.user, name, description=description
                    ),
                )
            elif decision == "reject":
                suggestions.reject_suggestion(suggestion, request.user)
                self.log_change(
                    request, suggestion, "Rejected: not proposed again for this article."
                )
                messages.success(request, f"“{suggestion.name}” will not be suggested again here.")
            elif decision == "not_a_person":
                self.rule_out(request, suggestion)
            elif decision == "undo":
                suggestions.undo_rejection(suggestion, request.user)
                self.log_change(request, article, f"Undid the rejection of “{suggestion.name}”.")
                messages.success(
                    request, f"“{suggestion.name}” may be suggested for this article again."
                )
            else:
                messages.error(request, "Choose Accept, Not in this article or Not a person.")
        except suggestions.SuggestionError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(self.reading_url(article, "suggestions"))

    def rule_out(self, request, suggestion):
        """Remember for the whole desk that the suggested name is no person."""
        if not request.user.has_perm("stories.add_notaperson"):
            raise PermissionDenied
        kind = request.POST.get("kind", NotAPersonKind.OTHER)
        not_a_person, withdrawn = suggestions.rule_out(suggestion, request.user, kind)
        self.log_addition(
            request, not_a_person, f"Ruled out in “{suggestion.article}”: not a person."
        )
        others = withdrawn - 1
        messages.success(
            request,
            f"“{not_a_person.name}” is {not_a_person.get_kind_display()}, not a person: it will "
            "not be suggested in any article"
            + (f" (withdrawn from {others} other article(s))." if others > 0 else "."),
        )

    def log_acceptance(self, request, article, result):
        person = result.person
        if result.person_created:
            self.log_addition(request, person, f"Added from a suggestion in “{article}”.")
        elif result.alias_added:
            self.log_change(request, person, f"Added the alias “{result.suggestion.name}”.")
        if result.newly_tagged or result.mentions_added:
            self.log_change(
                request,
                article,
                f"Tagged {person}; stored {result.mentions_added} mention(s).",
            )
        self.log_change(request, result.suggestion, f"Accepted as {person}.")
        messages.success(
            request,
            f"Tagged {person} on this article"
            + (" (added to People)" if result.person_created else "")
            + f"; {result.mentions_added} mention(s) stored.",
        )
