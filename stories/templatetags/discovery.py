"""What helps readers find and share pages: search hits marked in results, and
the absolute addresses the canonical link and the sharing tags need."""

from django import template
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from ..text import searching

register = template.Library()


@register.simple_tag
def highlight(text, query, limit=None):
    """``text`` with the words ``query`` matched in ``<mark>``, everything escaped;
    with ``limit``, an excerpt of about that many characters around the first hit."""
    segments = searching.highlight(str(text or ""), query.terms if query else (), limit)
    return mark_safe(  # noqa: S308 - every segment is escaped here
        "".join(
            f"<mark>{escape(segment.text)}</mark>" if segment.hit else escape(segment.text)
            for segment in segments
        )
    )


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """``path`` on this site, with scheme and host, as the request reached us."""
    return context["request"].build_absolute_uri(path)


def sharing(obj, assessment=None):
    """The title, description and Open Graph type a page shares as: a story's
    published revision, a person, a claim (with its ``assessment``) or a source."""
    from ..models import Article, Claim, Person, Story

    if isinstance(obj, Story):
        revision = obj.published_revision
        headline = revision.headline if revision else obj.headline
        standfirst = revision.standfirst if revision else obj.standfirst
        return {"title": headline, "description": standfirst or headline, "type": "article"}
    if isinstance(obj, Person):
        description = obj.description or f"Stories and claims involving {obj.name}."
        return {"title": obj.name, "description": description, "type": "profile"}
    if isinstance(obj, Claim):
        description = f"{assessment.status_label}: {assessment.reason}" if assessment else ""
        return {"title": f"Claim: “{obj.text}”", "description": description, "type": "article"}
    if isinstance(obj, Article):
        return {
            "title": f"{obj.headline} ({obj.outlet.name})" if obj.outlet else obj.headline,
            "description": f"Source text of “{obj.headline}”, with the passages our stories "
            "cite highlighted.",
            "type": "article",
        }
    raise TypeError(f"Nothing to share for {type(obj).__name__}")


@register.simple_tag
def share_description(obj, assessment=None):
    """The page's meta description: what its sharing tags say too."""
    return Truncator(sharing(obj, assessment)["description"]).chars(300)


@register.inclusion_tag("stories/includes/sharing.html", takes_context=True)
def sharing_tags(context, obj, assessment=None):
    """The canonical link, Open Graph and Twitter card tags of ``obj``'s page."""
    request = context["request"]
    data = sharing(obj, assessment)
    data["description"] = Truncator(data["description"]).chars(300)
    data["url"] = request.build_absolute_uri(obj.get_absolute_url())
    data["image"] = request.build_absolute_uri(static("stories/share.png"))
    data["story"] = obj if hasattr(obj, "published_revision") else None
    return data
