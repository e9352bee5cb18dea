"""Auto-drafting a reconciled story from the claims tagged in some articles.

The draft follows the order a careful reader needs: first what independent
sources agree on, then each disputed claim with each side and its origins,
then the details that rest on a single origin, flagged as such. Every
statement cites its evidence and names its claim's people, so the draft passes
the publish checks as it stands; it is still a draft — an editor reads,
rewrites and publishes it.
"""

from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.text import slugify

from ..models import Article, Claim, Statement, Story
from ..selectors import Ledger, evidence_with_chains
from ..text import independence
from ..text.independence import join_words, plural


class DraftError(Exception):
    """Why no draft could be made; ``str()`` is shown to the editor."""


def claims_in(articles):
    """The claims with evidence in ``articles``, each with only that evidence
    (and its rivals' evidence in those articles), its verdict and its people
    prefetched: what a draft and the desk's matrix weigh."""
    evidence = evidence_with_chains().filter(article__in=articles).order_by("article", "start")
    rivals = Claim.objects.prefetch_related(Prefetch("evidence", queryset=evidence))
    return (
        Claim.objects.filter(evidence__article__in=articles)
        .distinct()
        .order_by("pk")
        .select_related("verdict")
        .prefetch_related(
            Prefetch("evidence", queryset=evidence),
            Prefetch("contradicts", queryset=rivals),
            "people",
        )
    )


def _origin_words(origin):
    """One origin as the draft names it: own reporting plainly, anything else
    with its marks and the articles that carry it."""
    if origin.kind == independence.REPORTING and not origin.second_hand:
        return origin.words()
    marks = [
        mark
        for mark, applies in (("anonymous", origin.anonymous), ("second-hand", origin.second_hand))
        if applies
    ]
    carried = f"in {join_words(dict.fromkeys(p.article_label for p in origin.passages))}"
    return f"{origin.words()} ({'; '.join([' and '.join(marks), carried] if marks else [carried])})"


def _side(origins):
    return join_words(_origin_words(origin) for origin in origins)


def _sentence(claim_text):
    text = " ".join(claim_text.split()).rstrip(".")
    return text[:1].upper() + text[1:] + "."


def agreed_statement(claim, weighing):
    return (
        f"{_sentence(claim.text)} {plural(len(weighing.supporting_articles), 'article')} "
        f"report it from {plural(len(weighing.supporting), 'independent origin')}: "
        f"{_side(weighing.supporting)}."
    )


def disputed_statement(claim, weighing, rivals):
    text = f"The sources disagree. {_sentence(claim.text)[:-1]}, according to "
    text += f"{_side(weighing.supporting)}."
    if weighing.disputing:
        text += f" Disputed by {_side(weighing.disputing)}."
    for rival, rival_weighing in rivals:
        text += (
            f" Against it: {_sentence(rival.text)[:-1]}, according to "
            f"{_side(rival_weighing.supporting)}."
        )
    return text


def single_origin_statement(claim, weighing):
    origin = weighing.supporting[0]
    return (
        f"{_sentence(claim.text)[:-1]}, according to a single origin: {_side([origin])}. "
        "No other source confirms it."
    )


@transaction.atomic
def draft_story(articles, *, slug, headline="", user=None):
    """Create a draft story reconciling ``articles``, or raise DraftError."""
    articles = list(Article.objects.filter(pk__in=[a.pk for a in articles]).order_by("pk"))
    if not articles:
        raise DraftError("Choose at least one article.")
    slug = slugify(slug)
    if not slug:
        raise DraftError("The story needs a slug (letters, digits or hyphens).")
    if Story.objects.filter(slug=slug).exists():
        raise DraftError(f"A story with the slug “{slug}” exists already.")
    claims = list(claims_in(articles))
    if not claims:
        raise DraftError(
            "None of these articles has evidence tagged for a claim yet: tag claims "
            "in the reading view first."
        )
    ledger = Ledger()
    weighed = {claim.pk: ledger.weigh(claim) for claim in claims}
    agreed, disputed, single = [], [], []
    covered = set()
    for claim in claims:
        weighing = weighed[claim.pk]
        if weighing.status == independence.CORROBORATED:
            cited = [e for e in claim.evidence.all() if e.stance == "supports"]
            agreed.append((agreed_statement(claim, weighing), cited, [claim]))
        elif weighing.status == independence.DISPUTED and claim.pk not in covered:
            rival_weighings = [(r, ledger.weigh(r, rivals=())) for r in claim.contradicts.all()]
            rival_weighings = [(r, w) for r, w in rival_weighings if w.supporting]
            covered.update(r.pk for r, _ in rival_weighings)
            cited = [e for e in claim.evidence.all() if e.stance != "mentions"]
            for rival, _ in rival_weighings:
                cited += [e for e in rival.evidence.all() if e.stance == "supports"]
            if not cited:
                continue
            text = disputed_statement(claim, weighing, rival_weighings)
            disputed.append((text, cited, [claim] + [r for r, _ in rival_weighings]))
        elif weighing.status == independence.SINGLE_ORIGIN:
            cited = [e for e in claim.evidence.all() if e.stance == "supports"]
            single.append((single_origin_statement(claim, weighing), cited, [claim]))
    if not (agreed or disputed or single):
        raise DraftError("No claim in these articles is supported by any source yet.")
    origins = set()
    for weighing in weighed.values():
        origins.update(origin.root for origin in weighing.supporting + weighing.disputing)
    story = Story(
        slug=slug,
        headline=headline.strip() or articles[0].headline,
        standfirst=(
            f"Reconciled from {plural(len(articles), 'article')} resting on "
            f"{plural(len(origins), 'independent origin')}: what they agree on, where they "
            "disagree, and what only one origin reports."
        ),
    )
    try:
        story.full_clean()
    except ValidationError as exc:
        raise DraftError(" ".join(exc.messages)) from exc
    story.save()
    for position, (text, cited, named) in enumerate(agreed + disputed + single, start=1):
        statement = Statement.objects.create(story=story, position=position, text=text)
        statement.evidence.set(cited)
        people = [person for claim in named for person in claim.people.all()]
        statement.people.set(list(dict.fromkeys(people)))
    if user is not None:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[story],
            action_flag=ADDITION,
            change_message=f"Drafted from {plural(len(articles), 'article')}: "
            + ", ".join(f"#{article.pk}" for article in articles),
            single_object=True,
        )
    return story
