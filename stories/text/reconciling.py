"""Reconcile a story's citations: number them, list the sources, weigh each claim.

Pure functions over plain objects (anything with the attributes used below,
model instances or test doubles alike), so the rules a reader relies on —
when a claim counts as disputed, when it rests on a single source — are one
tested piece of code, not template logic. The ORM is the caller's business.

Objects used: an evidence has ``pk``, ``stance``, ``start``, ``source_label``,
``claim`` and ``article`` (with ``pk``); a claim has ``pk``, ``evidence`` and
``contradicts`` (related managers: ``.all()``); a statement has ``evidence``,
a plain sequence (the models' ``CitedStatement``, draft or published alike).
"""

from dataclasses import dataclass, field

SUPPORTS, DISPUTES, MENTIONS = "supports", "disputes", "mentions"


@dataclass
class Citation:
    number: int
    evidence: object


@dataclass
class SourceGroup:
    """One source's passages on a claim: “EW” once, however many passages."""

    label: str
    passages: list


def group_by_source(evidence_list):
    groups = {}
    for evidence in evidence_list:
        key = (evidence.article.pk, evidence.source_label)
        groups.setdefault(key, SourceGroup(evidence.source_label, [])).passages.append(evidence)
    return list(groups.values())


@dataclass
class ClaimAssessment:
    """What the sources say about one claim."""

    claim: object
    supporting: list = field(default_factory=list)
    disputing: list = field(default_factory=list)
    mentioning: list = field(default_factory=list)
    contradicting: list = field(default_factory=list)  # ClaimAssessments of rival claims

    @property
    def supporting_articles(self):
        return _unique_articles(self.supporting)

    @property
    def supporting_sources(self):
        return group_by_source(self.supporting)

    @property
    def disputing_sources(self):
        return group_by_source(self.disputing)

    @property
    def is_disputed(self):
        """Some source disputes it, or a rival claim has support of its own."""
        return bool(self.disputing) or any(rival.supporting for rival in self.contradicting)

    @property
    def is_single_source(self):
        return len(self.supporting_articles) == 1


@dataclass
class ClaimMention:
    """A claim as one statement touches it; ``first`` marks where the story
    should explain the claim in full, so later statements can refer back."""

    assessment: ClaimAssessment
    first: bool


@dataclass
class ReconciledStatement:
    statement: object
    citations: list
    claims: list  # ClaimMentions


@dataclass
class Reconciliation:
    statements: list
    citations: list
    sources: list
    disputed_claims: list


def assess(claim, *, depth=1):
    """Sort a claim's evidence by stance; look one level into contradicting claims."""
    assessment = ClaimAssessment(claim=claim)
    buckets = {
        SUPPORTS: assessment.supporting,
        DISPUTES: assessment.disputing,
        MENTIONS: assessment.mentioning,
    }
    for evidence in sorted(claim.evidence.all(), key=_evidence_order):
        buckets.get(evidence.stance, assessment.mentioning).append(evidence)
    if depth > 0:
        assessment.contradicting = [
            assess(rival, depth=depth - 1)
            for rival in sorted(claim.contradicts.all(), key=lambda c: c.pk)
        ]
    return assessment


def reconcile(statements):
    """Number each cited passage once, in reading order, and weigh its claims.

    A passage cited by several statements keeps the number it got first, so
    footnotes are not repeated. Sources are listed in order of first citation,
    followed by any article that only appears as evidence for or against a
    cited claim.
    """
    numbers = {}
    citations = []
    reconciled = []
    assessments = {}
    for statement in statements:
        statement_citations = []
        claims = []
        for evidence in sorted(statement.evidence, key=_evidence_order):
            if evidence.pk not in numbers:
                numbers[evidence.pk] = Citation(len(citations) + 1, evidence)
                citations.append(numbers[evidence.pk])
            statement_citations.append(numbers[evidence.pk])
            claim = evidence.claim
            first = claim.pk not in assessments
            if first:
                assessments[claim.pk] = assess(claim)
            if all(mention.assessment.claim.pk != claim.pk for mention in claims):
                claims.append(ClaimMention(assessments[claim.pk], first))
        statement_citations.sort(key=lambda citation: citation.number)
        reconciled.append(ReconciledStatement(statement, statement_citations, claims))

    cited = [citation.evidence for citation in citations]
    weighed = []
    for assessment in assessments.values():
        weighed += assessment.supporting + assessment.disputing + assessment.mentioning
        for rival in assessment.contradicting:
            weighed += rival.supporting + rival.disputing
    return Reconciliation(
        statements=reconciled,
        citations=citations,
        sources=_unique_articles(cited + weighed),
        disputed_claims=[a for a in assessments.values() if a.is_disputed],
    )


def _unique_articles(evidence_list):
    articles = {}
    for evidence in evidence_list:
        articles.setdefault(evidence.article.pk, evidence.article)
    return list(articles.values())


def _evidence_order(evidence):
    return (evidence.article.pk, evidence.start, evidence.pk)
