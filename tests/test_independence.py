"""Unit tests for stories.text.independence: claims counted by independent origin."""

import pytest

from stories.text.independence import (
    ANONYMOUS,
    CORROBORATED,
    DERIVED,
    DISPUTED,
    DISPUTES,
    MENTIONS,
    POSSIBLY,
    POST,
    REPORTING,
    SAME,
    SINGLE_ORIGIN,
    SUPPORTS,
    UNSUPPORTED,
    Identities,
    Link,
    Passage,
    Source,
    chain_words,
    weigh,
)

EW = Source("ew", REPORTING, "EW’s own reading of the live-feed video")
UNLIKELY = Source("unlikely", REPORTING, "“An Unlikely Encounter”’s own reporting")
SOURCE_AT_SCENE = Source("anon-scene", ANONYMOUS, "a source present at the scene")
ET_SOURCES = Source("et-sources", ANONYMOUS, "sources close to the situation (per ET)")
ET_MEGAN = Source("et-megan", ANONYMOUS, "a source close to Megan Thee Stallion (per ET)")
ET_POST = Source("et-post", POST, "ET’s Instagram post")
TIKTOK = Source("tiktok", POST, "Megan Thee Stallion’s TikTok post")

VIRAL = "“A Viral Moment of Connection”"


def passage(key, article, stance, origin, via=(), label=None):
    return Passage(key, article, label or f"article {article}", stance, origin, tuple(via))


def friendly_passages():
    """The demo's "friendly first meeting": five passages from two articles."""
    return [
        passage(11, "unlikely", SUPPORTS, SOURCE_AT_SCENE),
        passage(12, "unlikely", SUPPORTS, SOURCE_AT_SCENE),
        passage(13, "unlikely", SUPPORTS, TIKTOK),
        passage(14, "viral", SUPPORTS, ET_SOURCES, [ET_POST], VIRAL),
        passage(15, "viral", SUPPORTS, ET_MEGAN, [ET_POST], VIRAL),
    ]


def test_five_passages_of_two_articles_count_as_their_origins_not_five_supporters():
    weighing = weigh(friendly_passages(), Identities())
    assert [origin.label for origin in weighing.supporting] == [
        SOURCE_AT_SCENE.label,
        TIKTOK.label,
        ET_SOURCES.label,
        ET_MEGAN.label,
    ]
    assert weighing.status == CORROBORATED
    assert weighing.supporting_articles == ["unlikely", "viral"]
    assert weighing.reason.startswith("2 articles, 4 independent origins: ")


def test_an_editors_possibly_same_decision_counts_the_two_as_one_and_says_so():
    identities = Identities([Link("anon-scene", "et-sources", POSSIBLY)])
    weighing = weigh(friendly_passages(), identities)
    assert len(weighing.supporting) == 3
    merged = weighing.supporting[0]
    assert merged.articles == ["unlikely", "viral"]
    assert merged.words() == (
        "a source present at the scene (possibly the same as sources close to the "
        "situation (per ET))"
    )
    assert "2 articles, 3 independent origins" in weighing.reason


def test_a_claim_resting_on_one_relayed_post_is_single_origin_across_two_articles():
    identities = Identities([Link("et-sources", "et-sources-again", SAME)])
    passages = [
        passage(1, "viral", SUPPORTS, ET_SOURCES, [ET_POST], VIRAL),
        passage(2, "other", SUPPORTS, Source("et-sources-again", ANONYMOUS, "ET’s sources")),
        passage(3, "other", MENTIONS, EW),
    ]
    weighing = weigh(passages, identities)
    assert weighing.status == SINGLE_ORIGIN
    assert weighing.reason == (
        "2 articles, 1 independent origin: both rest on sources close to the situation "
        "(per ET) (the same as ET’s sources). Its support rests only on anonymous sources."
    )
    assert weighing.only_anonymous


def test_the_tense_claim_rests_on_one_origin_and_is_disputed_by_the_later_articles():
    tense = [
        passage(4, "ew", SUPPORTS, EW, label="EW"),
        passage(5, "ew", SUPPORTS, EW, label="EW"),
        passage(8, "unlikely", DISPUTES, SOURCE_AT_SCENE),
        passage(9, "unlikely", DISPUTES, UNLIKELY),
        passage(10, "viral", DISPUTES, ET_SOURCES, [ET_POST], VIRAL),
    ]
    weighing = weigh(
        tense, Identities(), rivals=[friendly_passages()], rival_names=["A friendly meeting"]
    )
    assert weighing.status == DISPUTED
    assert [origin.label for origin in weighing.supporting] == [EW.label]
    assert weighing.disputing_articles == ["unlikely", "viral"]
    assert weighing.reason.startswith(
        "Supported by 1 article resting on 1 origin (EW’s own reading of the live-feed video); "
        "disputed by 2 articles resting on 3 origins ("
    )
    assert "Contradicted by the claim “A friendly meeting”, supported by 2 articles" in (
        weighing.reason
    )


def test_a_contradicting_claim_with_support_disputes_even_without_disputing_passages():
    weighing = weigh([passage(1, "ew", SUPPORTS, EW)], Identities(), rivals=[friendly_passages()])
    assert weighing.status == DISPUTED


def test_a_rival_without_support_does_not_make_a_dispute():
    rival = [passage(2, "viral", MENTIONS, ET_SOURCES)]
    weighing = weigh([passage(1, "ew", SUPPORTS, EW)], Identities(), rivals=[rival])
    assert weighing.status == SINGLE_ORIGIN
    assert weighing.reason == "1 article, 1 origin: from EW’s own reading of the live-feed video."


def test_mentions_never_count_as_support():
    weighing = weigh(
        [passage(1, "ew", MENTIONS, EW), passage(2, "unlikely", MENTIONS, UNLIKELY)], Identities()
    )
    assert weighing.status == UNSUPPORTED
    assert weighing.supporting == []
    assert weighing.reason == "No source supports it; 2 articles only mention it."


def test_a_confirmed_derivation_folds_the_derived_articles_reporting_into_the_original():
    passages = [passage(1, "ew", SUPPORTS, EW), passage(2, "unlikely", SUPPORTS, UNLIKELY)]
    assert weigh(passages, Identities()).status == CORROBORATED
    folded_passage = Passage(2, "unlikely", "U", SUPPORTS, UNLIKELY, counts_with=EW)
    folded = weigh([passages[0], folded_passage], Identities())
    assert folded.status == SINGLE_ORIGIN
    assert folded.supporting[0].reasons == {DERIVED}
    assert folded.reason == (
        "2 articles, 1 independent origin: both rest on EW’s own reading of the live-feed "
        "video (with the articles derived from it)."
    )
    # The passage still reads as its own article's account.
    assert folded_passage.chain_words() == UNLIKELY.label


def test_the_grouping_does_not_depend_on_the_order_of_decisions():
    links = [Link("c", "b"), Link("b", "a"), Link("d", "c", POSSIBLY)]
    forward, backward = Identities(links), Identities(reversed(links))
    assert {forward.root(key) for key in "abcd"} == {backward.root(key) for key in "abcd"}
    assert forward.reasons("a") == backward.reasons("d") == {SAME, POSSIBLY}


@pytest.mark.parametrize(
    ("origin", "via", "expected"),
    [
        (EW, (), EW.label),
        (
            ET_SOURCES,
            (ET_POST,),
            f"{ET_SOURCES.label}, quoted in ET’s Instagram post, as reported by {VIRAL}",
        ),
        (
            TIKTOK,
            (ET_POST, Source("x", "outlet", "Billboard")),
            f"{TIKTOK.label}, quoted in ET’s Instagram post, relayed by Billboard, "
            f"as reported by {VIRAL}",
        ),
        (SOURCE_AT_SCENE, (), f"a source present at the scene, as reported by {VIRAL}"),
    ],
)
def test_chains_read_as_words_from_the_origin_to_the_article(origin, via, expected):
    assert chain_words(origin, via, VIRAL) == expected
