"""Importing the SAT 69-B list: the whole list is replaced in one transaction (a lookup never sees
half a list), the import is recorded and audited, and once it committed the apps above re-screen
what they hold against it (``sat69b_imported``)."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.sat69b.download import download
from portico.sat69b.models import Sat69bEntry, Sat69bImport
from portico.sat69b.parser import parse
from portico.sat69b.selectors import sat69b_import_due
from portico.sat69b.signals import sat69b_imported

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
# How long a scheduled download counts as "on its way" (the sweep does not queue another meanwhile).
_SCHEDULED_KEY = "sat69b:scheduled"
_SCHEDULED_HOLD = 60 * 60


@action(tx="own")
def sat69b_import(*, data: bytes, source: str, actor: Actor) -> Sat69bImport:
    """Replace the list with the file's rows and record the import; then re-screen (the signal's
    receivers, each in its own transaction) and record how many screenings changed. A file that
    cannot be read, or that has no rows, is refused and the list in use stays as it was."""
    parsed = parse(data)
    if not parsed.entries:
        raise PorticoError(
            _("The file has the SAT 69-B layout but no usable rows: the list in use was kept."),
            code="sat69b_empty",
        )
    with transaction.atomic():
        # DELETE, not TRUNCATE: screenings running meanwhile keep reading the old list until commit.
        Sat69bEntry.objects.all().delete()
        Sat69bEntry.objects.bulk_create(
            (
                Sat69bEntry(
                    rfc=entry.rfc,
                    name=entry.name,
                    situation=entry.situation,
                    presunto_published_on=entry.presunto_published_on,
                    desvirtuado_published_on=entry.desvirtuado_published_on,
                    definitivo_published_on=entry.definitivo_published_on,
                    sentencia_published_on=entry.sentencia_published_on,
                )
                for entry in parsed.entries
            ),
            batch_size=BATCH_SIZE,
        )
        imported = Sat69bImport.objects.create(
            source=source[:500], sha256=hashlib.sha256(data).hexdigest(), row_count=len(parsed.entries)
        )
        # The list is the installation's, not an organization's: an audit row of no organization.
        audit_record(
            org=None,
            actor=actor,
            action=AuditAction.SAT69B_IMPORTED,
            target=imported,
            target_label=f"SAT 69-B {imported.imported_at:%Y-%m-%d %H:%M}",
            detail={
                "source": imported.source,
                "sha256": imported.sha256,
                "rows": imported.row_count,
                "skipped": parsed.skipped,
                "duplicates": parsed.duplicates,
            },
        )
    responses = sat69b_imported.send(sender=Sat69bImport, sat69b_import=imported, actor=actor)
    changes = 0
    for _receiver, answer in responses:
        if isinstance(answer, int):
            changes += answer
    if changes:
        Sat69bImport.objects.filter(pk=imported.pk).update(rescreened_changes=changes)
        imported.rescreened_changes = changes
    return imported


@action(audited=False, why="it only queues the download; the import itself is audited (SAT69B_IMPORTED)")
def sat69b_schedule() -> int:
    """The sweep's part: queue the scheduled download when one is due and none is on its way.
    Returns how many were queued (0 or 1)."""
    if not sat69b_import_due() or not cache.add(_SCHEDULED_KEY, 1, _SCHEDULED_HOLD):
        return 0
    sat69b_import_scheduled.enqueue()
    return 1


@task()
def sat69b_import_scheduled() -> str:
    """Run by the worker: download SAT69B_URL and import it."""
    url = settings.SAT69B_URL
    try:
        if not url or not sat69b_import_due():
            return "skipped: not due"
        imported = sat69b_import(data=download(url), source=url, actor=Actor.system())
    except PorticoError as exc:
        log.warning("SAT 69-B scheduled import failed: %s", exc.message)
        return f"failed: {exc.message}"
    finally:
        cache.delete(_SCHEDULED_KEY)
    return f"imported {imported.row_count} rows, {imported.rescreened_changes} screenings changed"
