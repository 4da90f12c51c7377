from django_tasks import task

from portico.invitations import bulk


@task()
def run_bulk_invitation(job_id: int) -> str:
    return bulk.bulk_invitation_run(job_id=job_id)
