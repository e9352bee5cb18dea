"""Reader pages: cached, answered conditionally, and never stale.

Every published page (the front page, stories and their reconciliation.json,
sources, people, claims) is keyed on one number, the **public version**
(``PublicVersion``): moved, in the same transaction, by every write that can
change what a reader sees. So a page is rendered once per version and URL, the
ETag and Last-Modified come from the version without rendering anything, and
once a write commits no process can find the page it replaced: the old key is
simply never asked for again.

Why one version for the whole site rather than one per object: a page shows
many objects (a story shows its claims, their rivals, every cited article, its
origins and people, and the editors' decisions on all of them), so per-object
keys mean tracking, for each page, everything it depends on, and one missed
dependency is a stale page. A single number cannot miss one. What it costs is
warmth: any public change re-renders every page once, on its next request. The
desk changes public pages a few times a minute at most, each page costs tens
of milliseconds to render again, and readers ask for the same pages thousands
of times in between, so almost every request is still a hit. Writes that no
reader can see (drafts, people suggestions, new articles nothing cites yet)
leave the version alone and the cache warm.

How the version moves:

* ``post_save``, ``post_delete`` and ``m2m_changed`` of every model of this
  app, of taggit's and of the user (a verdict names its editor) bump it, after
  the write and in its transaction: a reader who sees the new number sees the
  new content. This is the safety net: no service has to remember.
* Except rows no reader page ever reads (``PRIVATE``), and the creation of
  rows that nothing public can refer to yet (``INERT_WHEN_NEW``): the write
  that makes them public (the evidence citing an article, the revision citing
  a claim) bumps it then.
* Writes that bypass signals (``QuerySet.update()``, ``bulk_create``) call
  ``public_content_changed()`` themselves.
* A story scheduled for later is counted by the first request after its time
  (``PublicVersionQuerySet.current``).

Two layers serve the cache. ``public_page`` wraps each reader view (in
``stories/urls.py``): Django's ``condition`` decorator answers conditional
requests from the version before the view runs, and the view's HTML is kept per
version and address. ``PublicPageMiddleware``, just after WhiteNoise, keeps the
whole response (headers included) for readers without a session and serves it
before the rest of the middleware runs, which is most of what a hit costs.

Staff never go through any of this: they may be previewing a draft at the same
address, so their requests are neither served from the cache nor stored in it,
and are marked ``private, no-store``.
"""

import hashlib
import logging
import time
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe
from django.views.decorators.http import condition

from .locking.models import LoggedVersion
from .models import (
    Article,
    Claim,
    Origin,
    Outlet,
    Person,
    PersonSuggestion,
    PublicVersion,
    Statement,
    StatementPerson,
    Story,
)

logger = logging.getLogger(__name__)

# Read by the desk only: a draft's statements (readers see revisions), the people
# the desk proposes, the locking bookkeeping, and the version row itself.
PRIVATE = {
    PersonSuggestion,
    Statement,
    StatementPerson,
    Statement.evidence.through,
    LoggedVersion,
    PublicVersion,
}
# Public only once something public refers to them, and that reference bumps.
INERT_WHEN_NEW = {Outlet, Article, Claim, Person, Origin}
WATCHED_APPS = {"stories", "taggit"}

__all__ = ["PublicPageMiddleware", "connect_signals", "public_content_changed", "public_page"]


class _Bumped:
    """Marks, among a transaction's on-commit callbacks, that it has bumped the version
    already. Django drops it when the savepoint it was registered in rolls back, which
    is exactly when the bump is undone too."""

    def __call__(self):
        pass


def public_content_changed(using=DEFAULT_DB_ALIAS, *, publication=False):
    """Move the public version, once per transaction: call it after a write that can
    change a reader page and bypasses model signals (``QuerySet.update()``,
    ``bulk_create``). Every later write of the transaction is covered by that bump,
    until a reader page reads the version on this connection (then the next write bumps
    again, so a page never sees a change under the number it was cached with).

    ``publication``: the write may have dated a story's publication (a story's save),
    later than the transaction's bump; the version records that it includes
    publications up to now, or the first reader would count the story as a scheduled
    one and move the version once more."""
    connection = connections[using]
    marker = getattr(connection, "_public_version_bump", None)
    if (
        marker is not None
        and connection.in_atomic_block
        and any(func is marker for _, func, _ in connection.run_on_commit)
    ):
        if publication:
            PublicVersion.objects.using(using).include_publications()
        return
    PublicVersion.objects.using(using).bump()
    if connection.in_atomic_block:
        marker = _Bumped()
        connection.on_commit(marker)
        connection._public_version_bump = marker


def _watched(model):
    return model._meta.app_label in WATCHED_APPS and model not in PRIVATE


def _saved(sender, instance, created, using=DEFAULT_DB_ALIAS, **kwargs):
    # Fixtures (raw saves) count too: loaddata on a live site changes what readers see.
    if not _watched(sender) or (created and sender in INERT_WHEN_NEW):
        return
    public_content_changed(using, publication=sender is Story)


def _deleted(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if _watched(sender):
        public_content_changed(using)


def _related(sender, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if action.startswith("post_") and _watched(sender):
        public_content_changed(using)


def _user_saved(sender, update_fields=None, using=DEFAULT_DB_ALIAS, **kwargs):
    # A verdict shows its editor's name; a login only moves last_login.
    if update_fields is None or set(update_fields) - {"last_login"}:
        public_content_changed(using)


def connect_signals():
    """Called once, from ``StoriesConfig.ready``."""
    post_save.connect(_saved, dispatch_uid="stories_public_saved")
    post_delete.connect(_deleted, dispatch_uid="stories_public_deleted")
    m2m_changed.connect(_related, dispatch_uid="stories_public_related")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="stories_public_user")


def is_staff(request):
    """The reader views' own rule for who may preview (``PublicQuerysetMixin``)."""
    user = request.user
    return user.is_active and user.is_staff


def public_version(request):
    """``(number, modified)`` of the public site, read once per request."""
    if not hasattr(request, "_public_version"):
        request._public_version = PublicVersion.objects.current()
        # A write later on this connection must not count as covered by an earlier bump.
        connections[DEFAULT_DB_ALIAS]._public_version_bump = None
    return request._public_version


def page_key(request, query=()):
    """What identifies one page: the address readers used (absolute links in the page's
    structured data depend on it) and only the query parameters the view reads, so
    nobody can fill the cache with ``?anything``."""
    parts = [request.scheme, request.get_host(), request.path]
    parts += [f"{name}={request.GET.get(name, '')}" for name in query]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def public_page(view, *, query=()):
    """``view`` (a reader view's ``as_view()``) cached by version and answered with
    strong ETags, Last-Modified and 304s for readers; untouched, uncached and
    ``private, no-store`` for staff. ``query``: the query parameters the view reads
    (the front page's ``page``)."""

    def etag(request, *args, **kwargs):
        number, modified = public_version(request)
        return f'"{number}.{modified}.{page_key(request, query)[:16]}"'

    def last_modified(request, *args, **kwargs):
        _, modified = public_version(request)
        # Bumps in a burst may run ahead of the clock; no header beats one in the future.
        if not modified or modified > time.time():
            return None
        return datetime.fromtimestamp(modified, tz=UTC)

    @condition(etag_func=etag, last_modified_func=last_modified)
    def cached(request, *args, **kwargs):
        if not settings.NEWSROOM_PAGE_CACHE:
            return view(request, *args, **kwargs)
        number, modified = public_version(request)
        key = f"page:{number}:{modified}:{page_key(request, query)}"
        hit = _cache_call(cache.get, key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            if hasattr(response, "render"):
                response.render()
            _cache_call(cache.set, key, (response.content, response["Content-Type"]))
        return response

    @wraps(view)
    def page(request, *args, **kwargs):
        if is_staff(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_store=True)
            return response
        response = cached(request, *args, **kwargs)
        response.public_page = response.status_code == 200  # PublicPageMiddleware may keep it
        if response.status_code in (200, 304):
            patch_cache_control(
                response,
                public=True,
                max_age=settings.NEWSROOM_PAGE_MAX_AGE,
                stale_while_revalidate=settings.NEWSROOM_PAGE_STALE_WHILE_REVALIDATE,
            )
        else:
            # A 404 is not a version of the page: nothing to revalidate, nothing to keep.
            del response["ETag"]
            del response["Last-Modified"]
        return response

    return page


UNCACHED_PREFIXES = ("/admin/", "/api/")


class PublicPageMiddleware:
    """A cached reader page served before the rest of the stack, to a reader with no session.

    Placed just after WhiteNoise. A request with no session cookie cannot be staff, so
    it gets what every such reader gets: the page as the whole stack answered it last
    time for this version (its CSP, X-Frame-Options, ETag, Cache-Control... included),
    without running sessions, CSRF, authentication, messages, the CSP builder, axes and
    the view again; a conditional request gets its 304 the same way. Only pages
    ``public_page`` rendered and marked are kept, under the version read before they
    were rendered, so this is never staler than the view's own cache. Requests with a
    query string, or a session, go the whole way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (
            settings.NEWSROOM_PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            # The desk and the API are never whole-page cached: skip the version query.
            and not request.path.startswith(UNCACHED_PREFIXES)
        ):
            return self.get_response(request)
        page = page_key(request)  # a host not allowed is refused before any query
        number, modified = public_version(request)
        key = f"whole:{number}:{modified}:{page}"
        hit = _cache_call(cache.get, key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content, headers=headers)
            return get_conditional_response(
                request,
                etag=headers.get("ETag"),
                last_modified=parse_http_date_safe(headers.get("Last-Modified", "")),
                response=response,
            )
        response = self.get_response(request)
        # Not while versions run ahead of the clock: the view adds Last-Modified once the
        # clock has caught up, and a kept copy would be without it for the version's life.
        keep = getattr(response, "public_page", False) and not response.cookies
        if keep and response.has_header("Last-Modified"):
            _cache_call(cache.set, key, (response.content, dict(response.items())))
        return response


def _cache_call(method, *args):
    """The cache is a shortcut, never a dependency: when it is down, pages are rendered."""
    try:
        return method(*args)
    except Exception:  # any backend's connection error; rendering still works
        logger.warning("page cache unavailable", exc_info=True)
        return None
