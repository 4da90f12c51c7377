"""Request kinds are made when an organization is created (``organization_created``), never by a
page view. Organizations that existed before get theirs now, in their language."""

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

DEFAULT_KINDS = ("Information", "Service")


def provision(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    RequestKind = apps.get_model("client_requests", "RequestKind")
    for org in Organization.objects.exclude(request_kinds__isnull=False).iterator():
        with translation.override(org.language):
            for position, name in enumerate(DEFAULT_KINDS):
                RequestKind.objects.get_or_create(org=org, name=gettext(name), defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [
        ("client_requests", "0002_rename_request_clientrequest_and_more"),
        ("orgs", "0005_organization_reference_version"),
    ]

    operations = [migrations.RunPython(provision, migrations.RunPython.noop)]
