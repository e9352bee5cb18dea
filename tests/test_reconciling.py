"""The rules readers rely on — numbering, disputes, single sources — without a database."""

from types import SimpleNamespace

from stories.text import reconciling


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


def test_citations_are_numbered_once_in_reading_order():
    ew, other = article(1), article(2)
    a, b, c = evidence(10, ew, start=50), evidence(11, ew, start=5), evidence(12, other)
    claim(1, [a, b, c])
    result = reconciling.reconcile([statement(a, b), statement(c, a)])
    assert [(n.number, n.evidence.pk) for n in result.citations] == [(1, 11), (2, 10), (3, 12)]
    assert [n.number for n in result.statements[1].citations] == [2, 3]
    assert [s.pk for s in result.sources] == [1, 2]


def test_claim_with_support_only_is_not_disputed():
    a = evidence(1, article(1))
    b = evidence(2, article(2))
    assessment = reconciling.assess(claim(1, [a, b]))
    assert not assessment.is_disputed
    assert not assessment.is_single_source
    assert assessment.supporting == [a, b]


def test_disputing_evidence_makes_a_claim_disputed():
    support, dispute = evidence(1, article(1)), evidence(2, article(2), "disputes")
    assessment = reconciling.assess(claim(1, [support, dispute]))
    assert assessment.is_disputed
    assert assessment.disputing == [dispute]


def test_a_supported_rival_claim_makes_a_claim_disputed():
    tense = evidence(1, article(1))
    friendly = evidence(2, article(2))
    rival = claim(2, [friendly])
    assessment = reconciling.assess(claim(1, [tense], contradicts=[rival]))
    assert assessment.is_disputed
    assert assessment.contradicting[0].supporting == [friendly]


def test_an_unsupported_rival_does_not_dispute():
    rival = claim(2, [evidence(2, article(2), "mentions")])
    assessment = reconciling.assess(claim(1, [evidence(1, article(1))], contradicts=[rival]))
    assert not assessment.is_disputed


def test_two_passages_of_one_article_are_still_a_single_source():
    ew = article(1)
    assessment = reconciling.assess(claim(1, [evidence(1, ew), evidence(2, ew, start=9)]))
    assert assessment.is_single_source


def test_sources_include_articles_only_weighed_not_cited():
    cited = evidence(1, article(1))
    against = evidence(2, article(2), "disputes")
    rival_support = evidence(3, article(3))
    claim(1, [cited, against], contradicts=[claim(2, [rival_support])])
    result = reconciling.reconcile([statement(cited)])
    assert [s.pk for s in result.sources] == [1, 2, 3]
    assert [a.claim.pk for a in result.disputed_claims] == [1]
    assert len(result.citations) == 1


def test_a_claim_cited_twice_in_one_statement_is_assessed_once():
    a, b = evidence(1, article(1)), evidence(2, article(2))
    claim(1, [a, b])
    result = reconciling.reconcile([statement(a, b)])
    assert len(result.statements[0].claims) == 1


def test_a_claim_is_explained_in_full_only_where_it_first_appears():
    a, b = evidence(1, article(1)), evidence(2, article(2), "disputes")
    claim(1, [a, b])
    result = reconciling.reconcile([statement(a), statement(b), statement(a, b)])
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
    assessment = reconciling.assess(claim(1, items))
    groups = [(g.label, [e.pk for e in g.passages]) for g in assessment.supporting_sources]
    assert groups == [("EW", [1, 2]), ("Other, citing a source", [3]), ("Other, citing ET", [4])]
