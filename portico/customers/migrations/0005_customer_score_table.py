"""The current score moves out of the wide customers table into customers_customerscore (D33):
create the table, copy every existing score, index it, then drop the columns and their index."""

import django.db.models.deletion
from django.db import migrations, models

COPY = (
    "INSERT INTO customers_customerscore (customer_id, org_id, score, scored_at)"
    " SELECT client_id, org_id, score, COALESCE(scored_at, updated_at) FROM customers_customer"
    " WHERE score IS NOT NULL"
)
UNCOPY = (
    "UPDATE customers_customer SET score = (SELECT s.score FROM customers_customerscore AS s"
    " WHERE s.customer_id = customers_customer.client_id), scored_at = (SELECT s.scored_at"
    " FROM customers_customerscore AS s WHERE s.customer_id = customers_customer.client_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_table_newest_by_creation"),
        ("orgs", "0007_org_currency_time_zone"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerScore",
            fields=[
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="current_score",
                        serialize=False,
                        to="customers.customer",
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="orgs.organization",
                    ),
                ),
                ("score", models.DecimalField(decimal_places=2, max_digits=5)),
                ("scored_at", models.DateTimeField()),
            ],
        ),
        # Copy before indexing: one index build instead of one insert per row into it.
        migrations.RunSQL(COPY, UNCOPY),
        migrations.AddIndex(
            model_name="customerscore",
            index=models.Index(fields=["org", "score", "customer"], name="customer_score_org_score"),
        ),
        migrations.RemoveIndex(model_name="customer", name="customer_org_score"),
        migrations.RemoveField(model_name="customer", name="score"),
        migrations.RemoveField(model_name="customer", name="scored_at"),
    ]
