"""Jobs: the page a long import or suggestion pass sends the editor to.

A job is never added or edited here: the desk starts one (``services.jobs.enqueue``)
and watches it. Its page refreshes itself while the job is queued or running — a
``<meta http-equiv="refresh">``, no script — and then shows the result, with links to
what it made, or why it failed. An import that found a text resembling an article on
file asks the editor there: a new version of that article, or new articles (``answer``).
"""

from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from ..forms import ImportArticlesForm
from ..models import Article, Job, JobStatus
from ..services import jobs

# Seconds between two refreshes of an unfinished job's page.
REFRESH_SECONDS = 2
# How many objects of each kind a result lists; the rest are counted.
LISTED = 100


def job_url(job):
    return reverse("admin:stories_job_change", args=[job.pk])


def result_links(job):
    """(heading, count, [(label, admin URL)], unlisted) for each of the result's links."""
    sections = []
    for link in job.result.get("links", []):
        ids = link["ids"]
        if not ids:
            continue
        model = apps.get_model(link["model"])
        url_name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
        found = model._default_manager.in_bulk(ids[:LISTED])
        items = [
            (str(found[pk]), reverse(url_name, args=[pk])) for pk in ids[:LISTED] if pk in found
        ]
        sections.append((link["heading"], len(ids), items, max(len(ids) - LISTED, 0)))
    return sections


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind_label", "requested_by", "state", "progress", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["requested_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="what")
    def kind_label(self, job):
        return jobs.kind_label(job)

    @admin.display(description="status", ordering="status")
    def state(self, job):
        return job.state.label

    @admin.display(description="progress")
    def progress(self, job):
        return f"{job.done:,} of {job.total:,}" if job.total else ""

    def may_ask_for(self, request, job):
        """Whether the user may ask for a job of ``job``'s kind, as ``job``'s follower."""
        known = jobs.KINDS.get(job.kind)
        return (
            known is not None
            and request.user.has_perm(known.permission)
            and self.has_view_permission(request, job)
        )

    def may_run_again(self, request, job):
        return job.can_run_again and self.may_ask_for(request, job)

    def choice(self, request, job):
        """The question a failed import asks, for the page's buttons, or None: the article
        the text resembles (None if deleted since) and whether the user may answer."""
        asked = jobs.awaiting_choice(job) if job.kind == "import" else None
        if asked is None or not job.files.exists():
            return None
        return {
            "article": Article.objects.filter(pk=asked["resembles"]).first(),
            "article_id": asked["resembles"],
            "may_answer": self.may_ask_for(request, job),
            "new_version": jobs.NEW_VERSION,
            "as_new": jobs.AS_NEW,
        }

    def error(self, job):
        # A killed job's row says running until a worker settles it; the desk knows.
        error = job.error or (jobs.PROCESS_GONE if job.state == JobStatus.INTERRUPTED else "")
        # The importer words its refusals for the command; the desk has the form's fields.
        return ImportArticlesForm.in_desk_words(error) if job.kind == "import" else error

    def get_urls(self):
        return [
            path(
                "<int:pk>/run-again/",
                self.admin_site.admin_view(require_POST(self.run_again_view)),
                name="stories_job_run_again",
            ),
            path(
                "<int:pk>/answer/",
                self.admin_site.admin_view(require_POST(self.answer_view)),
                name="stories_job_answer",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: progress while it runs, then its result or why it failed."""
        job = self.get_object(request, object_id)
        if job is None:
            raise Http404(f"No job #{object_id}.")
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        state = job.state
        context = {
            **self.admin_site.each_context(request),
            "title": f"{job}: {jobs.kind_label(job)}",
            "opts": self.opts,
            "job": job,
            "state": state,
            "running": state in (JobStatus.QUEUED, JobStatus.RUNNING),
            "refresh": REFRESH_SECONDS if not job.is_finished else None,
            "done": f"{job.done:,}",
            "total": f"{job.total:,}",
            "sections": result_links(job) if state == JobStatus.SUCCEEDED else [],
            "error": self.error(job),
            "may_run_again": self.may_run_again(request, job),
            "choice": self.choice(request, job),
            "followed_by": job.result.get("followed_by") if state == JobStatus.FAILED else None,
        }
        return TemplateResponse(request, "admin/stories/job/detail.html", context)

    def posted_job(self, request, pk, allowed):
        """The job a POST acts on, if ``allowed(request, job)``."""
        job = self.get_object(request, str(pk))
        if job is None:
            raise Http404(f"No job #{pk}.")
        if not allowed(request, job):
            raise PermissionDenied
        return job

    def answer_view(self, request, pk):
        """The editor's answer to an import's question: a new import job with the same
        files and that answer, whose page the editor is taken to."""
        job = self.posted_job(request, pk, self.may_ask_for)
        try:
            new = jobs.answer_import(job, request.POST.get("answer", ""), user=request.user)
        except jobs.JobError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(job_url(job))
        return HttpResponseRedirect(job_url(new))

    def run_again_view(self, request, pk):
        job = self.posted_job(request, pk, self.may_run_again)
        try:
            jobs.run_again(job)
        except jobs.JobError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(job_url(job))
