"""An article body with its passages highlighted, for the reader and the desk alike.

The source page (``stories:source``) and the desk's reading view render a body
the same way: cut by ``anchoring.segment_paragraphs`` into runs of text, each
with the passages covering it, the ``#passage-<id>`` targets it holds and the
person a stored mention there names. One tag does it for both, so the two pages
cannot disagree about what is highlighted; only the markup around the runs
differs (the desk adds offsets for its selection script, and popovers with its
tools).
"""

from django import template

from ..text import anchoring

register = template.Library()


@register.inclusion_tag("stories/includes/highlighted_body.html")
def highlighted_body(body, passages, mentions=(), desk=False, removable=()):
    """``body`` in paragraphs, ``passages`` (Evidence) highlighted, ``mentions``
    (PersonMention) naming people; ``desk`` for the reading view's markup, where
    the passages whose pk is in ``removable`` get a Remove button."""
    return {
        "paragraphs": highlighted_paragraphs(body, passages, mentions),
        "desk": desk,
        "removable": removable,
    }


def highlighted_paragraphs(body, passages, mentions=()):
    """The body's paragraphs as runs of text, each with the passages covering it,
    the passages whose ``#passage-<id>`` target it holds, and the person a
    stored mention there names (or None).

    Passages and mentions are cut by one segmentation pass (ids ``("p", pk)``
    and ``("m", pk)``), so a name links to its person inside a highlighted
    passage as well as outside one. Passages or mentions that no longer match
    the body are left out rather than drawn in the wrong place.
    """
    by_id = {("p", p.pk): p for p in passages if p.matches_article()}
    by_id.update({("m", m.pk): m for m in mentions if body[m.start : m.end] == m.text})
    spans = [(key, item.start, item.end) for key, item in by_id.items()]
    return [
        [
            {
                "start": segment.start,
                "end": segment.end,
                "text": segment.text,
                "passages": [by_id[key] for key in segment.marks if key[0] == "p"],
                "opens": [by_id[key] for key in segment.opens if key[0] == "p"],
                "person": next((by_id[key].person for key in segment.marks if key[0] == "m"), None),
            }
            for segment in paragraph
        ]
        for paragraph in anchoring.segment_paragraphs(body, spans)
    ]


@register.filter
def one_line(text):
    """Every run of whitespace, line breaks included, as one space: for a quote
    shown in an attribute or a one-line message."""
    return " ".join(str(text).split())
