"""Background tasks of the core: running staff imports outside the request."""

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
