from django.core.management.base import BaseCommand

from portico.outbox.actions import outbox_sweep


class Command(BaseCommand):
    help = "Recovery sweep: queue due outbox messages, restart bulk jobs whose worker died, record expired invitations."

    def handle(self, *args: object, **options: object) -> None:
        from portico.clients.bulk import bulk_jobs_requeue_stale
        from portico.invitations.actions import invitations_expire_due
        from portico.invitations.bulk import bulk_invitations_requeue_stale

        self.stdout.write(f"queued {outbox_sweep()} message(s)")
        self.stdout.write(f"restarted {bulk_jobs_requeue_stale()} stalled bulk job(s)")
        self.stdout.write(f"restarted {bulk_invitations_requeue_stale()} stalled bulk invitation(s)")
        self.stdout.write(f"recorded {invitations_expire_due()} expired invitation(s)")
