"""What changed between two versions of a story, as escaped HTML for the desk.

A version is plain data (headline, standfirst, statements with their text,
citation labels and people's names), so this module knows nothing of the
database. Every piece of user text goes through ``format_html``/``escape``;
the only markup added is ``<ins>`` and ``<del>``.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join


@dataclass(frozen=True)
class StatementVersion:
    id: int | None
    text: str
    citations: tuple[str, ...] = ()
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoryVersion:
    headline: str
    standfirst: str
    statements: tuple[StatementVersion, ...] = ()


# What revision 1 is compared with: a story with nothing in it yet.
BLANK_VERSION = StoryVersion(headline="", standfirst="")


@dataclass(frozen=True)
class Change:
    label: str
    kind: str  # "added", "removed" or "changed"
    html: str  # safe: built with format_html


# Words, punctuation and the whitespace between them, so a diff marks whole
# words and "Backstage" -> "Backstage, revised" is one insertion.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]+")


def _joined(parts):
    return format_html_join("", "{}", ((part,) for part in parts))


def _opcodes(old, new):
    return difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


def inline_diff(old, new):
    """``new`` with the words removed from ``old`` in <del> and the added ones in <ins>."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts = []
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return _joined(parts)


def list_diff(old, new, empty="none"):
    """The items of ``new``, with removed items in <del> and added ones in <ins>."""
    parts = []
    for op, i1, i2, j1, j2 in _opcodes(list(old), list(new)):
        if op == "equal":
            parts.extend(escape(item) for item in new[j1:j2])
            continue
        parts.extend(format_html("<del>{}</del>", item) for item in old[i1:i2])
        parts.extend(format_html("<ins>{}</ins>", item) for item in new[j1:j2])
    if not parts:
        return escape(empty)
    return format_html_join("; ", "{}", ((part,) for part in parts))


def _kind(old, new):
    if not old:
        return "added"
    return "removed" if not new else "changed"


def _statement_change(before, after, number):
    if before == after or (
        before
        and after
        and (before.text, before.citations, before.people)
        == (after.text, after.citations, after.people)
    ):
        return None
    old = before or StatementVersion(None, "")
    new = after or StatementVersion(None, "")
    rows = [format_html('<div class="diff-text">{}</div>', inline_diff(old.text, new.text))]
    if old.citations != new.citations or not (before and after):
        rows.append(
            format_html(
                '<div class="diff-meta">Citations: {}</div>',
                list_diff(old.citations, new.citations),
            )
        )
    if old.people != new.people:
        rows.append(
            format_html(
                '<div class="diff-meta">People: {}</div>', list_diff(old.people, new.people)
            )
        )
    return Change(f"Statement {number}", _kind(before, after), _joined(rows))


def diff_versions(old, new):
    """The changes from ``old`` to ``new``, in reading order; empty when equal.

    Statements are matched by id, so an edited statement shows as changed
    rather than as one removed and one added; statements in a stretch whose
    ids differ are paired in order.
    """
    changes = []
    for label, before, after in [
        ("Headline", old.headline, new.headline),
        ("Standfirst", old.standfirst, new.standfirst),
    ]:
        if before != after:
            changes.append(Change(label, _kind(before, after), inline_diff(before, after)))
    old_ids = [statement.id for statement in old.statements]
    new_ids = [statement.id for statement in new.statements]
    for _op, i1, i2, j1, j2 in _opcodes(old_ids, new_ids):
        for k in range(max(i2 - i1, j2 - j1)):
            before = old.statements[i1 + k] if i1 + k < i2 else None
            after = new.statements[j1 + k] if j1 + k < j2 else None
            number = j1 + k + 1 if after else i1 + k + 1
            change = _statement_change(before, after, number)
            if change:
                changes.append(change)
    return changes
