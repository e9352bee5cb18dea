"""``stories.reversing.Urls``: each pattern reversed once, and the same URLs as ``reverse()``."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from stories.reversing import STAND_INS, Urls

PATTERNS = [
    ("admin:stories_evidence_change", 1),  # <path:object_id>
    ("admin:stories_claim_change", 1),
    ("admin:stories_article_read", 1),  # the desk's own <int:pk> views
    ("admin:stories_article_remove_passage", 2),
    ("admin:stories_article_decide_suggestion", 2),
    ("stories:claim", 1),
]
IDS = [0, 1, 7, 42, 10**6, 2**63 - 1]


@pytest.mark.parametrize(("name", "arity"), PATTERNS)
def test_the_same_url_as_reverse_for_every_id(name, arity):
    urls = Urls()
    for first in IDS:
        for second in IDS[:3] if arity == 2 else [None]:
            ids = [first] if second is None else [first, second]
            assert urls(name, *ids) == reverse(name, args=ids)


def test_ids_given_as_text_are_the_same_ids():
    urls = Urls()
    assert urls("admin:stories_claim_change", "12") == reverse(
        "admin:stories_claim_change", args=[12]
    )


def test_a_script_prefix_is_kept_and_a_new_urls_sees_a_new_one():
    try:
        set_script_prefix("/desk/{x}/")
        under_prefix = Urls()
        assert under_prefix("stories:claim", 5) == reverse("stories:claim", args=[5])
        assert under_prefix("stories:claim", 5).startswith("/desk/")
    finally:
        clear_script_prefix()
    assert Urls()("stories:claim", 5) == reverse("stories:claim", args=[5]) == "/claims/5/"


def test_a_value_that_is_not_an_id_is_refused():
    with pytest.raises(ValueError, match="invalid literal for int"):
        Urls()("stories:claim", "5/../../admin")


def test_each_pattern_is_reversed_once(monkeypatch):
    calls = []
    import stories.reversing

    real = stories.reversing.reverse
    monkeypatch.setattr(
        stories.reversing, "reverse", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    urls = Urls()
    found = [urls("admin:stories_claim_change", pk) for pk in range(50)]
    assert len(calls) == 1 and len(set(found)) == 50
    assert str(STAND_INS[0]) not in "".join(found)
