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

from . import independence

SUPPORTS, DISPUTES, MENTIONS = independence.SUPPORTS, independence.DISPUTES, independence.MENTIONS
SILENT = "silent"


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
    """What the sources say about one claim: its passages by stance, and the
    caller's weighing of them by independent origin (``independence.Weighing``)."""

    claim: object
    weighing: object
    supporting: list = field(default_factory=list)
    disputing: list = field(default_factory=list)
    mentioning: list = field(default_factory=list)
    contradicting: list = field(default_factory=list)  # ClaimAssessments of rival claims

    @property
    def status(self):
        return self.weighing.status

    @property
    def status_label(self):
        return self.weighing.status_label

    @property
    def reason(self):
        return self.weighing.reason

    @property
    def summary(self):
        return self.weighing.summary()

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
        return self.weighing.status == independence.DISPUTED

    @property
    def is_single_origin(self):
        return self.weighing.status == independence.SINGLE_ORIGIN

    @property
    def supported_rivals(self):
        return [rival for rival in self.contradicting if rival.weighing.supporting]


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
    assessments: list = field(default_factory=list)  # every claim the story touches
    origin_count: int = 0  # independent origins behind all of them

    def chains(self):
        """{evidence pk: its chain in words} for every passage weighed."""
        chains = {}
        for assessment in self.assessments:
            weighing = assessment.weighing
            rivals = [origin for rival in weighing.rivals for origin in rival.supporting]
            groups = weighing.supporting + weighing.disputing + weighing.mentioning + rivals
            for origin in groups:
                for passage in origin.passages:
                    chains.setdefault(passage.key, passage.chain_words())
        return chains

    @property
    def statuses(self):
        """The statuses the page shows, for its legend."""
        shown = {a.status for a in self.assessments}
        return [
            (s, independence.STATUS_LABELS[s], independence.STATUS_MEANINGS[s])
            for s in independence.STATUS_LABELS
            if s in shown
        ]


def assess(claim, weigh, *, depth=1):
    """Sort a claim's evidence by stance and weigh it; look one level into
    contradicting claims. ``weigh(claim, rivals)`` returns the claim's
    ``independence.Weighing`` (the caller knows the editors' decisions)."""
    rivals = sorted(claim.contradicts.all(), key=lambda c: c.pk) if depth > 0 else []
    assessment = ClaimAssessment(claim=claim, weighing=weigh(claim, rivals))
    buckets = {
        SUPPORTS: assessment.supporting,
        DISPUTES: assessment.disputing,
        MENTIONS: assessment.mentioning,
    }
    for evidence in sorted(claim.evidence.all(), key=_evidence_order):
        buckets.get(evidence.stance, assessment.mentioning).append(evidence)
    assessment.contradicting = [assess(rival, weigh, depth=depth - 1) for rival in rivals]
    return assessment


def reconcile(statements, weigh):
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
                assessments[claim.pk] = assess(claim, weigh)
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
    origins = set()
    for assessment in assessments.values():
        weighing = assessment.weighing
        for origin in weighing.supporting + weighing.disputing + weighing.mentioning:
            origins.add(origin.root)
    return Reconciliation(
        statements=reconciled,
        citations=citations,
        sources=_unique_articles(cited + weighed),
        disputed_claims=[a for a in assessments.values() if a.is_disputed],
        assessments=list(assessments.values()),
        origin_count=len(origins),
    )


def _unique_articles(evidence_list):
    articles = {}
    for evidence in evidence_list:
        articles.setdefault(evidence.article.pk, evidence.article)
    return list(articles.values())


def _evidence_order(evidence):
    return (evidence.article.pk, evidence.start, evidence.pk)


@dataclass
class Column:
    """One article of the claims × sources matrix; ``derived_from`` marks a copy."""

    article: object
    derived_from: object = None


@dataclass
class Cell:
    article: object
    stance: str  # supports, disputes, mentions or silent
    passages: list


@dataclass
class Row:
    assessment: ClaimAssessment
    cells: list


@dataclass
class Matrix:
    columns: list
    rows: list


def compare(assessments, articles, derived_from=None):
    """The claims × sources matrix: a row per claim, a column per article, with
    each article placed after the one it derives from. A cell's stance is the
    strongest of its passages' (supports, then disputes, then mentions)."""
    derived_from = derived_from or {}
    by_pk = {article.pk: article for article in articles}
    columns, placed = [], set()

    def place(article):
        if article.pk in placed:
            return
        placed.add(article.pk)
        columns.append(Column(article, by_pk.get(derived_from.get(article.pk))))
        for other in articles:
            if derived_from.get(other.pk) == article.pk:
                place(other)

    for article in articles:
        if derived_from.get(article.pk) not in by_pk:
            place(article)
    for article in articles:  # anything left in a derivation cycle
        place(article)
    rows = []
    for assessment in assessments:
        passages = {}
        for evidence in assessment.supporting + assessment.disputing + assessment.mentioning:
            passages.setdefault(evidence.article.pk, []).append(evidence)
        cells = []
        for column in columns:
            found = sorted(passages.get(column.article.pk, []), key=_evidence_order)
            stances = {evidence.stance for evidence in found}
            stance = next((s for s in (SUPPORTS, DISPUTES, MENTIONS) if s in stances), SILENT)
            cells.append(Cell(column.article, stance, found))
        rows.append(Row(assessment, cells))
    return Matrix(columns, rows)
