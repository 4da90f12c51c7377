"""Bulk group changes (clients.BulkJob) and bulk invitations (invitations.BulkInvitation) become
jobs of one table. Each old bulk invitation's id is kept in its job's params until the invitations
migration that follows has moved its rows over (then it is dropped)."""

from django.db import migrations


def copy(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    BulkJob = apps.get_model("clients", "BulkJob")
    BulkInvitation = apps.get_model("invitations", "BulkInvitation")
    common = ("org_id", "state", "total", "processed", "error", "created_by_id", "created_at", "heartbeat_at", "finished_at")
    for old in BulkJob.objects.all().iterator():
        params = {"group": old.group_id, "operation": old.operation}
        if old.client_ids:
            params["client_ids"] = old.client_ids
        else:
            params["filters"] = old.filters
        Job.objects.create(
            kind="groups.bulk_change",
            params=params,
            counts={"changed": old.changed, "unchanged": old.unchanged},
            **{name: getattr(old, name) for name in common},
        )
    for old in BulkInvitation.objects.all().iterator():
        params = {"channel": old.channel, "legacy_bulk_invitation": old.pk}
        if old.client_ids:
            params["client_ids"] = old.client_ids
        else:
            params["filters"] = old.filters
        Job.objects.create(
            kind="invitations.bulk_send",
            params=params,
            counts={"sent": old.sent, "skipped": old.skipped},
            **{name: getattr(old, name) for name in common},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("clients", "0004_bulkjob_heartbeat"),
        ("invitations", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
