"""URLs of one pattern for many rows: the pattern reversed once, the ids written in.

A desk page lists a hundred passages, each linking to its evidence, its claim and its
removal, and a big story page links every statement to its sources. ``reverse()`` looks
the pattern up, checks every argument against its converter and quotes the result on each
call — about 100 µs, hundreds of times a page: after the text rules, the largest cost of
the reading view. ``Urls`` reverses a pattern once with stand-in ids no row has and fills
the real ids into that string, which gives the same URL for integer ids.

One ``Urls`` lives for one response, so a changed URLconf or script prefix (a test's
``override_settings``, a deployment under a path) is never served from an older one.
"""

from django.urls import reverse

# Ids no row will ever have, each written once into the reversed URL and replaced there.
STAND_INS = (918_273_645_546_372_811, 918_273_645_546_372_812, 918_273_645_546_372_813)


class Urls:
    """``urls("admin:stories_claim_change", claim.pk)``: ``reverse()``'s answer, cheaply."""

    def __init__(self):
        self._templates = {}

    def __call__(self, name, *ids):
        ids = [int(value) for value in ids]  # what the stand-ins can stand for
        key = (name, len(ids))
        if key not in self._templates:
            self._templates[key] = self._template(name, len(ids))
        template = self._templates[key]
        if template is None:
            return reverse(name, args=ids)
        return template.format(*ids)

    @staticmethod
    def _template(name, count):
        """The reversed URL as a ``str.format`` template, or None where a stand-in does
        not appear exactly once (a converter that rewrites its value)."""
        stand_ins = [str(value) for value in STAND_INS[:count]]
        url = reverse(name, args=[int(value) for value in stand_ins])
        if any(url.count(value) != 1 for value in stand_ins):
            return None
        template = url.replace("{", "{{").replace("}", "}}")
        for position, value in enumerate(stand_ins):
            template = template.replace(value, f"{{{position}}}")
        return template
