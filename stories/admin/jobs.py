"""Jobs: the page a long import or suggestion pass sends the editor to.

A job is never added or edited here: the desk starts one (``services.jobs.enqueue``)
and watches it. Its page refreshes itself while the job is queued or running — a
``<meta http-equiv="refresh">``, no script — and then shows the result, with links to
what it made, or why it failed.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..models import Job, JobStatus
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

    def may_run_again(self, request, job):
        known = jobs.KINDS.get(job.kind)
        return (
            known is not None
            and job.can_run_again
            and request.user.has_perm(known.permission)
            and self.has_view_permission(request, job)
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/run-again/",
                self.admin_site.admin_view(self.run_again_view),
                name="stories_job_run_again",
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
            # A killed job's row says running until a worker settles it; the desk knows.
            "error": job.error or (jobs.PROCESS_GONE if state == JobStatus.INTERRUPTED else ""),
            "may_run_again": self.may_run_again(request, job),
        }
        return TemplateResponse(request, "admin/stories/job/detail.html", context)

    def run_again_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self.get_object(request, str(pk))
        if job is None:
            raise Http404(f"No job #{pk}.")
        if not self.may_run_again(request, job):
            raise PermissionDenied
        try:
            jobs.run_again(job)
        except jobs.JobError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(job_url(job))
