"""Project-wide refusal pages: ``handler400`` (``newsroom/urls.py``) and django-axes'
lockout page (``AXES_LOCKOUT_CALLABLE``).

Django refuses a request body over its limits (``DATA_UPLOAD_MAX_MEMORY_SIZE``,
``DATA_UPLOAD_MAX_NUMBER_FIELDS``, ``DATA_UPLOAD_MAX_NUMBER_FILES``) before any view or
form sees it, and its default answer is a bare "Bad Request (400)": an editor who pasted
a long article learns nothing and loses the page. For those three refusals this says
what was too large, by how much, and what to do instead; every other bad request gets
the site's own 400 page.

A locked-out login gets the admin's look (django-axes' own template would not know the
desk's header and navigation), what happened, and when to try again.
"""

import math

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.views import defaults


def _size_of(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_much(request, exception):
    """What was over which limit, in the editor's words; None for other bad requests."""
    if isinstance(exception, RequestDataTooBig):
        return {
            "what": (
                f"Your submission was {filesizeformat(_size_of(request))}; the limit is "
                f"{filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}."
            ),
            "advice": "Split a long text into several articles or statements, or import it "
            "as a text file: files do not count towards this limit.",
        }
    if isinstance(exception, TooManyFieldsSent):
        return {
            "what": f"Your submission had more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} "
            "fields, the most one form may send.",
            "advice": "Save a long story in steps: a few statements or corrections at a time.",
        }
    if isinstance(exception, TooManyFilesSent):
        return {
            "what": f"Your submission had more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} "
            "files, the most one form may send.",
            "advice": "Import the files in several smaller batches.",
        }
    return None


def bad_request(request, exception):
    """``handler400``: explain a refusal over the upload limits; otherwise the 400 page."""
    explanation = _too_much(request, exception)
    if explanation is None:
        return defaults.bad_request(request, exception)
    on_desk = request.path.startswith(reverse("admin:index"))
    context = {
        **(admin.site.each_context(request) if on_desk else {}),
        **explanation,
        "title": "Submission too large",
        "base_template": "admin/base_site.html" if on_desk else "base.html",
        # The admin's forms post to their own address, so it is the form to go back to.
        "form_url": request.path if request.method == "POST" else None,
        "import_url": reverse("admin:stories_article_import") if on_desk else None,
    }
    return render(request, "submission_too_large.html", context, status=400)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response: the login refused, why, and until when.

    django-axes resets the cool-off at each attempt during a lockout, so "from now" is
    exact for the attempt just refused.
    """
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
        "until": timezone.now() + cool_off if cool_off else None,
    }
    return render(request, "admin/locked_out.html", context, status=429)
