"""The rules readers rely on — numbering, disputes, single sources — without a database."""

from types import SimpleNamespace

from stories.text import independence, reconciling


class Many(list):
    """Stands in for a related manager: ``.all()`` returns the items."""

    def all(self):
        return self


def article(pk):
    return SimpleNamespace(pk=pk)


def claim(pk, evidence=(), contradicts=()):
    c = SimpleNamespace(pk=pk, evidence=Many(), contradicts=Many(contradicts))
    for item in evidence:
        item.claim = c
        c.evidence.append(item)
    return c


def evidence(pk, art, stance="supports", start=0, label=None):
    return SimpleNamespace(
        pk=pk,
        article=art,
        stance=stance,
        start=start,
        claim=None,
        source_label=label or f"Outlet {art.pk}",
    )


def statement(*items):
    return SimpleNamespace(evidence=items)


def passage(item):
    """Each test article reports on its own: its origin is its own reporting."""
    origin = independence.Source(("reporting", item.article.pk), "reporting", item.source_label)
    return independence.Passage(
        item.pk, item.article.pk, item.source_label, item.stance, origin, quote=f"q{item.pk}"
    )


def weigh(claim, rivals):
    return independence.weigh(
        [passage(e) for e in claim.evidence.all()],
        independence.Identities(),
        rivals=[[passage(e) for e in rival.evidence.all()] for rival in rivals],
    )


def test_citations_are_numbered_once_in_reading_order():
    ew, other = article(1), article(2)
    a, b, c = evidence(10, ew, start=50), evidence(11, ew, start=5), evidence(12, other)
    claim(1, [a, b, c])
    result = reconciling.reconcile([statement(a, b), statement(c, a)], weigh)
    assert [(n.number, n.evidence.pk) for n in result.citations] == [(1, 11), (2, 10), (3, 12)]
    assert [n.number for n in result.statements[1].citations] == [2, 3]
    assert [s.pk for s in result.sources] == [1, 2]


def test_claim_with_support_only_is_not_disputed():
    a = evidence(1, article(1))
    b = evidence(2, article(2))
    assessment = reconciling.assess(claim(1, [a, b]), weigh)
    assert not assessment.is_disputed
    assert not assessment.is_single_origin
    assert assessment.status == independence.CORROBORATED
    assert assessment.supporting == [a, b]


def test_disputing_evidence_makes_a_claim_disputed():
    support, dispute = evidence(1, article(1)), evidence(2, article(2), "disputes")
    assessment = reconciling.assess(claim(1, [support, dispute]), weigh)
    assert assessment.is_disputed
    assert assessment.disputing == [dispute]


def test_a_supported_rival_claim_makes_a_claim_disputed():
    tense = evidence(1, article(1))
    friendly = evidence(2, article(2))
    rival = claim(2, [friendly])
    assessment = reconciling.assess(claim(1, [tense], contradicts=[rival]), weigh)
    assert assessment.is_disputed
    assert assessment.contradicting[0].supporting == [friendly]


def test_an_unsupported_rival_does_not_dispute():
    rival = claim(2, [evidence(2, article(2), "mentions")])
    assessment = reconciling.assess(claim(1, [evidence(1, article(1))], contradicts=[rival]), weigh)
    assert not assessment.is_disputed


def test_two_passages_of_one_article_are_still_a_single_source():
    ew = article(1)
    assessment = reconciling.assess(claim(1, [evidence(1, ew), evidence(2, ew, start=9)]), weigh)
    assert assessment.is_single_origin


def test_sources_include_articles_only_weighed_not_cited():
    cited = evidence(1, article(1))
    against = evidence(2, article(2), "disputes")
    rival_support = evidence(3, article(3))
    claim(1, [cited, against], contradicts=[claim(2, [rival_support])])
    result = reconciling.reconcile([statement(cited)], weigh)
    assert [s.pk for s in result.sources] == [1, 2, 3]
    assert [a.claim.pk for a in result.disputed_claims] == [1]
    assert len(result.citations) == 1


def test_a_claim_cited_twice_in_one_statement_is_assessed_once():
    a, b = evidence(1, article(1)), evidence(2, article(2))
    claim(1, [a, b])
    result = reconciling.reconcile([statement(a, b)], weigh)
    assert len(result.statements[0].claims) == 1


def test_a_claim_is_explained_in_full_only_where_it_first_appears():
    a, b = evidence(1, article(1)), evidence(2, article(2), "disputes")
    claim(1, [a, b])
    result = reconciling.reconcile([statement(a), statement(b), statement(a, b)], weigh)
    firsts = [[m.first for m in item.claims] for item in result.statements]
    assert firsts == [[True], [False], [False]]
    assert result.statements[0].claims[0].assessment is result.statements[2].claims[0].assessment


def test_passages_are_grouped_by_source_and_attribution():
    ew, other = article(1), article(2)
    items = [
        evidence(1, ew, label="EW"),
        evidence(2, ew, start=5, label="EW"),
        evidence(3, other, label="Other, citing a source"),
        evidence(4, other, start=9, label="Other, citing ET"),
    ]
    assessment = reconciling.assess(claim(1, items), weigh)
    groups = [(g.label, [e.pk for e in g.passages]) for g in assessment.supporting_sources]
    assert groups == [("EW", [1, 2]), ("Other, citing a source", [3]), ("Other, citing ET", [4])]


def test_the_story_counts_independent_origins_and_knows_each_passages_chain():
    a, b, c = evidence(1, article(1)), evidence(2, article(1), start=4), evidence(3, article(2))
    claim(1, [a, b, c])
    result = reconciling.reconcile([statement(a)], weigh)
    assert result.origin_count == 2  # three passages, two articles, two origins
    assert result.chains() == {1: "Outlet 1", 2: "Outlet 1", 3: "Outlet 2"}
    assert [status for status, _, _ in result.statuses] == [independence.CORROBORATED]


def test_the_matrix_has_a_row_per_claim_and_places_copies_after_their_source():
    ew, copy, other = article(1), article(2), article(3)
    tense = claim(1, [evidence(1, ew), evidence(2, copy, "disputes"), evidence(3, copy)])
    friendly = claim(2, [evidence(4, other, "mentions")])
    assessments = [reconciling.assess(c, weigh, depth=0) for c in (tense, friendly)]

    matrix = reconciling.compare(assessments, [other, copy, ew], derived_from={2: 1})

    assert [(c.article.pk, c.derived_from and c.derived_from.pk) for c in matrix.columns] == [
        (3, None),
        (1, None),
        (2, 1),
    ]
    assert [[cell.stance for cell in row.cells] for row in matrix.rows] == [
        ["silent", "supports", "supports"],
        ["mentions", "silent", "silent"],
    ]
    # A cell holds every passage of that article on the claim, in reading order.
    assert [e.pk for e in matrix.rows[0].cells[2].passages] == [2, 3]
