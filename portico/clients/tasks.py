from django_tasks import task

from portico.clients import bulk


@task()
def run_bulk_job(job_id: int) -> str:
    return bulk.bulk_job_run(job_id=job_id)
