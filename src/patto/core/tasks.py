"""Background tasks of the core: running staff imports outside the request."""

from django_tasks import task

from .importing import import_job_run
from .models import ImportJob


@task()
def run_import_job(job_id: str) -> str:
    job = ImportJob.objects.get(pk=job_id)
    return import_job_run(job).status
