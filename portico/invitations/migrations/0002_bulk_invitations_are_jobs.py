"""Bulk invitations are jobs (jobs.Job): their invitations and result rows point at the job that
jobs/0002 made from each of them."""

import django.db.models.deletion
from django.db import migrations, models


def repoint(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    Invitation = apps.get_model("invitations", "Invitation")
    BulkInvitationRow = apps.get_model("invitations", "BulkInvitationRow")
    for job in Job.objects.filter(kind="invitations.bulk_send").iterator():
        legacy = job.params.pop("legacy_bulk_invitation", None)
        if legacy is None:
            continue
        Invitation.objects.filter(bulk_job_id=legacy).update(bulk_job_new=job)
        BulkInvitationRow.objects.filter(job_id=legacy).update(job_new=job)
        job.save(update_fields=["params"])
    BulkInvitationRow.objects.filter(job_new=None).delete()  # none: every old job was copied


class Migration(migrations.Migration):
    dependencies = [
        ("invitations", "0001_initial"),
        ("jobs", "0002_from_bulk_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="bulk_job_new",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="jobs.job"
            ),
        ),
        migrations.AddField(
            model_name="bulkinvitationrow",
            name="job_new",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="jobs.job"
            ),
        ),
        migrations.RunPython(repoint, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="bulkinvitationrow", name="bulk_invitation_row_unique"),
        migrations.RemoveIndex(model_name="bulkinvitationrow", name="bulk_invitation_row_outcome"),
        migrations.RemoveField(model_name="invitation", name="bulk_job"),
        migrations.RemoveField(model_name="bulkinvitationrow", name="job"),
        migrations.RenameField(model_name="invitation", old_name="bulk_job_new", new_name="bulk_job"),
        migrations.RenameField(model_name="bulkinvitationrow", old_name="job_new", new_name="job"),
        migrations.AlterField(
            model_name="bulkinvitationrow",
            name="job",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="jobs.job"),
        ),
        migrations.AddConstraint(
            model_name="bulkinvitationrow",
            constraint=models.UniqueConstraint(models.F("job"), models.F("client"), name="bulk_invitation_row_unique"),
        ),
        migrations.AddIndex(
            model_name="bulkinvitationrow",
            index=models.Index(fields=["job", "outcome", "client"], name="bulk_invitation_row_outcome"),
        ),
        migrations.DeleteModel(name="BulkInvitation"),
    ]
