"""The duplicate check of quick create looks a tax id up among the organization's client records:
an index on clients_client (org_id, tax_id) for non-empty tax ids, made here because the customers
catalog is what needs it (the clients app never looks tax ids up)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("clients", "0008_client_trade_name"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS customer_client_tax_id ON clients_client (org_id, tax_id) WHERE tax_id <> ''",
            "DROP INDEX IF EXISTS customer_client_tax_id",
        ),
    ]
