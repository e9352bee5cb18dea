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
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..reversing import Urls
from ..text import anchoring

register = template.Library()


@register.simple_tag
def highlighted_body(body, passages, mentions=(), desk=False, removable=()):
    """``body`` in paragraphs, ``passages`` (Evidence) highlighted, ``mentions``
    (PersonMention) naming people; ``desk`` for the reading view's markup, where
    the passages whose pk is in ``removable`` get a Remove button.

    Written in Python rather than a template: a long article is thousands of runs,
    and the template engine's loops over them were most of the reading view's time.
    Every value is escaped as ``{{ }}`` escaped it."""
    urls = Urls()
    return mark_safe(  # noqa: S308 - every value is escaped in _segment
        "".join(
            "\n<p>" + "".join(_segment(s, desk, removable, urls) for s in paragraph) + "</p>\n"
            for paragraph in highlighted_paragraphs(body, passages, mentions)
        )
        + "\n"
    )


def _segment(s, desk, removable, urls):
    """One run of text, with the ``<mark>`` of the passages covering it."""
    passages, person = s["passages"], s["person"]
    tabindex = "" if desk else ' tabindex="-1"'
    out = []
    if passages:
        out.append('<mark class="' + ("desk-mark" if desk else "passage"))
        out.extend(" stance-" + escape(p.stance) for p in passages)
        if desk and len(passages) > 1:
            out.append(" desk-overlap")
        out.append('"')
        out.extend(f' id="{escape(p.anchor_id)}"{tabindex}' for p in s["opens"][:1])
        if desk:
            out.append(f' tabindex="0" aria-describedby="pop-{s["start"]}"')
        else:
            titles = " | ".join(
                f"{escape(p.get_stance_display())}: {escape(p.claim.text)}" for p in passages
            )
            out.append(f' title="{titles}"')
        out.append(">")
        out.extend(f'<span id="{escape(p.anchor_id)}"{tabindex}></span>' for p in s["opens"][1:])
    text = escape(s["text"])
    if desk:
        mention = " desk-mention" if person else ""
        title = f' title="{escape(person.name)}"' if person else ""
        out.append(
            f'<span\n  class="desk-seg{mention}" data-start="{s["start"]}" '
            f'data-end="{s["end"]}"{title}>{text}</span>'
        )
    elif person:
        out.append(f'<a class="mention" href="{escape(person.get_absolute_url())}">{text}</a>')
    else:
        out.append(text)
    if passages:
        if desk:
            out.append(f'<span\n  class="desk-pop" id="pop-{s["start"]}">')
            out.extend(_popover_item(p, removable, urls) for p in passages)
            out.append("</span>")
        out.append("</mark>")
    return "".join(out)


def _popover_item(p, removable, urls):
    evidence_url = urls("admin:stories_evidence_change", p.pk)
    claim_url = urls("admin:stories_claim_change", p.claim_id)
    remove = (
        f' <button type="submit" form="remove-{p.pk}" class="desk-link-button">Remove</button>'
        if p.pk in removable
        else ""
    )
    return (
        f'<span class="desk-pop-item"><span class="desk-stance stance-{escape(p.stance)}">'
        f"{escape(p.get_stance_display())}</span> "
        f'<span class="desk-pop-claim">{escape(p.claim.text)}</span>'
        f'<span class="desk-pop-meta">From {escape(p.origin_words())}</span>'
        f'<span class="desk-pop-actions"><a href="{escape(evidence_url)}">Open evidence</a> '
        f'<a href="{escape(claim_url)}">Open claim</a>{remove}</span></span>'
    )


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
