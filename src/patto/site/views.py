"""Legal pages every Italian public-administration site carries, and the staff import pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from patto.core.errors import ApplicationError
from patto.core.importing import (
    MIB,
    Limits,
    Progress,
    import_job_create,
    import_jobs_expire,
    importer_for,
    importers,
)
from patto.core.models import ImportJob


@never_cache
def bench_bare(request):
    """The least a Django view can do, through the same middleware as every page (never
    cached): `patto bench pages` compares each page's throughput with it."""
    return HttpResponse(b"ok", content_type="text/plain")


def legal(request, page: str):
    return render(request, f"site/{page}.html")


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request, kind: str):
    importer = importer_for(kind)
    if importer is None:
        return redirect("site:import_list")
    if not request.user.has_perm(importer.permission):
        raise PermissionDenied
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = Limits.from_settings().bytes
    if request.method == "POST" and declared > limit + 64 * 1024:
        # Refused before the body is read: an oversized upload never reaches the disk.
        messages.error(request, _("The file is over the limit of %(limit)s MB: split it into "
                                  "smaller files.") % {"limit": round(limit / MIB, 1)})
    elif request.method == "POST" and request.FILES.get("file"):
        try:
            job = import_job_create(kind=kind, uploaded_file=request.FILES["file"],
                                    user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("site:import_detail", pk=job.pk)
    from patto.pact.selectors import pact_default

    return render(request, "site/import_start.html", {"importer": importer,
                                                      "pact": pact_default()})


@login_required
def import_list(request):
    allowed = [i for i in importers() if request.user.has_perm(i.permission)]
    if not allowed:
        raise PermissionDenied
    jobs = ImportJob.objects.filter(created_by=request.user).select_related("created_by")[:20]
    return render(request, "site/import_list.html", {"importers": allowed, "jobs": jobs})


PROBLEMS_PER_PAGE = 50


@login_required
def import_detail(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    if running and import_jobs_expire():
        # A worker that stopped never ends its job: the page ends it instead of polling on.
        job.refresh_from_db()
        running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    template = "site/_import_status.html" if request.headers.get("HX-Request") \
        else "site/import_detail.html"
    page = Paginator(job.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, template, {"job": job, "percent": Progress.percent(job),
                                      "running": running, "page": page,
                                      "more": job.problem_count - len(job.problems)})
