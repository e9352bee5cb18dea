"""The Content-Security-Policy holds on every page, in a real Chromium.

A reader's every page type and the desk's pages — login, every changelist and change
form, a story's add and change forms with the autocomplete open, its revisions and
preview, the import page, the reading view with a passage selected and cited, and the
refusal pages — are visited while the browser reports each ``securitypolicyviolation``
event and each console error about the policy. None may occur; a deliberate inline
style at the start proves that they would be seen.
"""

import base64
import hashlib
import re
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from .test_desk_walkthrough import ARTICLE, QUOTE, choose_in_autocomplete, drag_select

LISTEN = """
document.addEventListener('securitypolicyviolation', event => {
    window.__cspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
        + ` at ${event.documentURI} line ${event.lineNumber}: ${event.sample}`);
});
"""
PASSWORD = "csp-editor-pw-8472"


class Watch:
    """Every violation the browser reports, and every page that came without the header."""

    def __init__(self, page):
        self.violations, self.unprotected, self.pages = [], [], []
        page.context.expose_function("__cspViolation", lambda text: self.violations.append(text))
        page.context.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def _response(self, response):
        request = response.request
        if request.resource_type == "document" and request.frame.parent_frame is None:
            self.pages.append(response.url)
            policy = response.headers.get("content-security-policy", "")
            if "default-src 'self'" not in policy:
                self.unprotected.append(f"{response.url} ({response.status})")


def visit(page, url, status=200):
    response = page.goto(url)
    assert response.status == status, f"{url} answered HTTP {response.status}"
    page.wait_for_load_state("load")
    return response


def test_the_inline_style_django_admin_may_emit_is_the_one_the_policy_hashes():
    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    styles = re.findall(r"<style>(.*?)</style>", template.read_text(), re.S)
    assert len(styles) == 1, "Django's changelist template changed: review the policy"
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    style_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert f"'sha256-{digest}'" in style_src


@pytest.mark.browser
def test_no_page_breaks_the_content_security_policy(
    live_server, transactional_db, demo_data, page, django_user_model, settings
):
    from playwright.sync_api import expect

    from stories.models import Article, Claim, Evidence, Person, Story

    settings.AXES_ENABLED = True  # for the lockout page at the end
    site = live_server.url
    watch = Watch(page)

    # The watch sees a violation: an inline style the policy must refuse.
    visit(page, site + "/")
    page.evaluate(
        """() => { const s = document.createElement('style');
                   s.textContent = 'body { color: red }'; document.head.append(s); }"""
    )
    for _ in range(40):  # the event and the console message, each within a moment
        if len(watch.violations) >= 2:
            break
        page.wait_for_timeout(50)
    assert any(v.startswith("style-src") for v in watch.violations), watch.violations
    assert any(v.startswith("console:") for v in watch.violations), watch.violations
    watch.violations.clear()

    # A reader's page types.
    story = Story.objects.published().order_by("pk").first()
    claim = Claim.objects.filter(evidence__isnull=False).order_by("pk").first()
    person = Person.objects.order_by("pk").first()
    article = Article.objects.get(headline=ARTICLE)
    for url in [
        "/",
        story.get_absolute_url(),
        article.get_absolute_url(),
        person.get_absolute_url(),
        Evidence.objects.filter(article=article).first().get_absolute_url(),  # a citation
        claim.get_absolute_url(),
        reverse("stories:search") + "?q=Timberlake",
        reverse("stories:search") + "?q=exchange&kind=sources",
        reverse("stories:search") + "?q=%3Cstyle%3Eb%7Bcolor:red%7D%3C/style%3E",
    ]:
        visit(page, site + url)
    visit(page, site + "/no-such-page/", status=404)

    # The desk: log in through the form, then every changelist and a change form each.
    django_user_model.objects.create_superuser("editor", password=PASSWORD)
    visit(page, site + reverse("admin:login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site + reverse("admin:index"))
    for model in admin.site._registry:
        opts = model._meta
        visit(page, site + reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            visit(
                page,
                site + reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]),
            )

    # A story: its add form (the slug is prepopulated by script), its change form with
    # the passage autocomplete, its revisions and its preview.
    visit(page, site + reverse("admin:stories_story_add"))
    page.get_by_label("Headline").press_sequentially("Policy check")
    expect(page.get_by_label("Slug")).to_have_value("policy-check")
    choose_in_autocomplete(page, "statements-0-evidence", "Cardi B", "Megan, on the other")
    visit(page, site + reverse("admin:stories_story_change", args=[story.pk]))
    visit(page, site + reverse("admin:stories_story_revisions", args=[story.pk]))
    visit(page, site + story.get_absolute_url())
    visit(page, site + reverse("admin:stories_article_import"))

    # The reading view: select a passage with the mouse and cite it.
    visit(page, site + reverse("admin:stories_article_read", args=[article.pk]))
    drag_select(page, QUOTE)
    form = page.locator("#cite-form")
    expect(form).to_be_visible()
    form.get_by_label("Or a new claim").fill("Megan admired Timberlake")
    form.get_by_label("Supports").check()
    form.get_by_role("button", name="Cite passage").click()
    page.wait_for_url(re.compile(r"/read/#passage-\d+$"))
    mark = page.locator("mark.desk-mark").first
    mark.hover()

    # The refusal pages: a submission over the limit, and a locked-out login.
    visit(page, site + reverse("admin:stories_article_add"))
    page.locator("textarea[name=body]").evaluate("area => { area.value = 'x'.repeat(3 << 20); }")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Submission too large")).to_be_visible()
    page.context.clear_cookies()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        visit(page, site + reverse("admin:login"))
        page.get_by_label("Username").fill("nobody")
        page.get_by_label("Password").fill(f"guess-{attempt}")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()

    page.wait_for_timeout(200)  # let the last page's events arrive
    assert not watch.unprotected, f"pages without the policy: {watch.unprotected}"
    assert not watch.violations, (
        f"{len(watch.violations)} CSP violation(s) over {len(watch.pages)} pages:\n"
        + "\n".join(watch.violations)
    )
    assert len(watch.pages) > 30, watch.pages
