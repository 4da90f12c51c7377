"""PostgreSQL only: live bookings of one staff member never overlap, whatever their lengths (the
partial unique index of 0001 covers equal starts on every database). An exclusion constraint
over (staff, [start, end)) needs btree_gist for the equality on staff_id. SQLite has no
exclusion constraints; there the unique index and the slot check in booking_make remain."""

from django.db import migrations

EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist"
ADD = (
    "ALTER TABLE bookings_booking ADD CONSTRAINT booking_no_overlap "
    "EXCLUDE USING gist (staff_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) WHERE (state = 'booked')"
)
DROP = "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(ADD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
