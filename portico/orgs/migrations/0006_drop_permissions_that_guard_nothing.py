"""customers.manage, metrics.manage and scores.recalculate guarded no page or action: they leave
the catalogue (the customer catalog will add what it guards) and every role's stored list."""

from django.db import migrations

GONE = {"customers.manage", "metrics.manage", "scores.recalculate"}


def drop(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for role in Role.objects.all().iterator():
        kept = [code for code in role.permissions if code not in GONE]
        if kept != role.permissions:
            role.permissions = kept
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0005_organization_reference_version")]

    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
