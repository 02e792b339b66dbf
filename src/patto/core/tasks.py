"""Background tasks of the core: running staff imports and building large public downloads
outside the request."""

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from .importing import import_job_fail, import_job_run
from .models import ImportJob

logger = logging.getLogger(__name__)


@task()
def run_import_job(job_id: str) -> str:
    job = ImportJob.objects.get(pk=job_id)
    try:
        return import_job_run(job).status
    except Exception:
        # import_job_run ends the job itself; this catches a failure to record that end.
        logger.exception("import job %s could not be ended", job_id)
        job.refresh_from_db()
        import_job_fail(job, _("the import stopped on an unexpected error and nothing was "
                               "written: upload the file again"))
        raise


@task()
def build_downloads() -> int:
    """Queued when a change of the pact's data is committed: the new version's large
    downloads (see patto.core.downloads.prebuild); the number of files built."""
    from .downloads import prebuild

    return prebuild()


@task()
def build_download(spec: str, version: str) -> str:
    """One large download a request asked for and did not find (queued once per file and
    version; see patto.core.downloads.kind_response)."""
    from .downloads import run_build

    return run_build(spec, version)
