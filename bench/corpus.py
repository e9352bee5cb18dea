"""The benchmark's synthetic newsroom: articles, claims, evidence and stories at a scale.

Bodies are ``bench/derivation.py``'s word salad (a Zipf vocabulary of invented words,
names and quoted speech), so the text rules meet text shaped like news copy. Rows the
desk would make one at a time (claims, evidence) are bulk-inserted here, with offsets
that really select their quotes; the stories are published through the real service, as
an editor would publish them.

Used by ``bench/run.py``; needs Django set up.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from stories.models import (
    Article,
    Claim,
    Evidence,
    Origin,
    OriginKind,
    Outlet,
    Person,
    Stance,
    Statement,
    Story,
)
from stories.services import publishing
from stories.text.importing import body_sha256

from .derivation import Generator
from .texts import article_text

SENTENCE = re.compile(r"[^.!?“”\n]{40,}?[.!?]")
STANCES = [Stance.SUPPORTS, Stance.SUPPORTS, Stance.DISPUTES, Stance.MENTIONS]
BATCH = 2_000


@dataclass
class Corpus:
    articles: int
    evidence: int
    long_article: int  # pk: the reading view's long article
    long_words: int
    long_passages: int
    big_story: str  # slug: 200 statements citing 50 sources
    person: str  # slug of a person on many of its claims
    claim: int  # pk of one of its claims
    source: int  # pk of one of its sources


def sentence_spans(body):
    return [(m.start(), m.end()) for m in SENTENCE.finditer(body)]


def make_evidence(claim, article, span, stance, origin):
    start, end = span
    body = article.body
    return Evidence(
        claim=claim,
        article=article,
        quote=body[start:end],
        start=start,
        end=end,
        prefix=body[max(0, start - 32) : start],
        suffix=body[end : end + 32],
        stance=stance,
        origin=origin,
    )


@transaction.atomic
def build(articles=10_000, evidence=100_000, people=200, seed=5, progress=print):
    """Fill an empty database; returns what the measurements need to address."""
    generator = Generator(seed=seed)
    outlets = Outlet.objects.bulk_create(
        Outlet(name=f"Bench Outlet {n:02d}", slug=f"bench-outlet-{n:02d}") for n in range(50)
    )
    reporting = {
        outlet.pk: origin
        for outlet, origin in zip(
            outlets,
            Origin.objects.bulk_create(
                Origin(kind=OriginKind.REPORTING, outlet=o, label=f"{o.name}’s own reporting")
                for o in outlets
            ),
            strict=True,
        )
    }
    rows = []
    first_day = date(2024, 1, 1)
    for key in range(articles):
        headline, body, byline = article_text(generator, key)
        rows.append(
            Article(
                headline=headline,
                body=body,
                byline=byline,
                outlet=outlets[key % len(outlets)],
                published_on=first_day + timedelta(days=key // 40),
                source_name=f"bench-{key:05d}.txt",
            )
        )
    # One long article for the reading view: eighty paragraphs, hundreds of passages.
    long_body = "\n\n".join(generator.body(generator.sentences(6)) for _ in range(80))
    rows.append(Article(headline="A very long article", body=long_body, outlet=outlets[0]))
    for row in rows:
        row.body_sha256 = body_sha256(row.body)  # what Article.save() would set
    saved = []
    for start in range(0, len(rows), BATCH):
        saved += Article.objects.bulk_create(rows[start : start + BATCH])
    progress(f"  {len(saved):,} articles")
    long_article = saved[-1]
    spans = {article.pk: sentence_spans(article.body) for article in saved}

    persons = Person.objects.bulk_create(
        Person(name=name, slug=f"bench-person-{n}")
        for n, name in enumerate(dict.fromkeys(generator.names[:people]))
    )

    # The desk's claims: twenty passages each, from twenty articles, all stances.
    per_claim = 20
    claim_count = evidence // per_claim
    claims = Claim.objects.bulk_create(
        Claim(text=f"Bench claim {n:05d}: {generator.sentence()[:200]}") for n in range(claim_count)
    )
    batch, made = [], 0
    for n, claim in enumerate(claims):
        for k in range(per_claim):
            article = saved[(n * 7 + k * 131) % (len(saved) - 1)]
            choices = spans[article.pk]
            if not choices:
                continue
            span = choices[(n + k) % len(choices)]
            batch.append(
                make_evidence(
                    claim, article, span, STANCES[(n + k) % 4], reporting[article.outlet_id]
                )
            )
        if len(batch) >= BATCH:
            made += len(Evidence.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    # The long article's passages: every fourth sentence of it, for a handful of claims.
    for index, span in enumerate(spans[long_article.pk][::4]):
        claim = claims[index % 25]
        batch.append(
            make_evidence(claim, long_article, span, STANCES[index % 4], reporting[outlets[0].pk])
        )
    made += len(Evidence.objects.bulk_create(batch, ignore_conflicts=True))
    progress(f"  {len(claims):,} claims, {made:,} evidence rows")

    story, story_claims, sources = big_story(generator, saved, spans, reporting, persons)
    progress(f"  a story of {story.statements.count()} statements citing {len(sources)} sources")
    return Corpus(
        articles=len(saved),
        evidence=Evidence.objects.count(),
        long_article=long_article.pk,
        long_words=len(long_article.body.split()),
        long_passages=Evidence.objects.filter(article=long_article).count(),
        big_story=story.slug,
        person=persons[0].slug,
        claim=story_claims[0].pk,
        source=sources[0].pk,
    )


def big_story(generator, saved, spans, reporting, persons, statements=200, source_count=50):
    """A published story of ``statements`` statements whose citations come from
    ``source_count`` articles of as many outlets, with disputes and people."""
    sources = saved[:source_count]  # consecutive articles: fifty different outlets
    claims = Claim.objects.bulk_create(
        Claim(text=f"Story claim {n:03d}: {generator.sentence()[:200]}") for n in range(100)
    )
    cited = []
    for n, claim in enumerate(claims):
        for k in range(5):
            article = sources[(n * 3 + k * 11) % source_count]
            choices = spans[article.pk]
            span = choices[(n + k) % len(choices)]
            stance = Stance.DISPUTES if (n % 5 == 0 and k == 4) else Stance.SUPPORTS
            cited.append(make_evidence(claim, article, span, stance, reporting[article.outlet_id]))
    cited = Evidence.objects.bulk_create(cited, ignore_conflicts=True)
    cited = list(Evidence.objects.filter(claim__in=claims).order_by("pk"))
    for n in range(0, len(claims) - 1, 10):
        claims[n].contradicts.add(claims[n + 1])
    for n, claim in enumerate(claims[:40]):
        claim.people.add(persons[0], persons[1 + n % 10])
    story = Story.objects.create(
        headline="Two hundred statements from fifty sources",
        slug="bench-big-story",
        standfirst="The benchmark's long story.",
    )
    Statement.objects.bulk_create(
        Statement(story=story, position=p, text=f"Statement {p}: {generator.sentence()}")
        for p in range(statements)
    )
    through = Statement.evidence.through
    links = []
    for position, statement in enumerate(story.statements.order_by("position")):
        for k in range(1 + position % 3):
            links.append(
                through(
                    statement_id=statement.pk, evidence_id=cited[(position * 2 + k) % len(cited)].pk
                )
            )
    through.objects.bulk_create(links, ignore_conflicts=True)
    for statement in story.statements.order_by("position")[:20]:
        statement.people.add(persons[0])
    publishing.publish_story(story, None)
    return story, claims, sources
