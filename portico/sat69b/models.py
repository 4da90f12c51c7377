"""The SAT's list of taxpayers who issued simulated invoices (article 69-B of the Código Fiscal
de la Federación), as last imported. One list for the whole installation: the SAT publishes one.

An import replaces every entry in one transaction and records its date and row count
(``Sat69bImport``), so a lookup never sees half a list. A lookup is one query on the unique
``rfc`` index.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Situation(models.TextChoices):
    # The four situations the SAT publishes ("Situación del contribuyente").
    PRESUNTO = "presunto", _("Presunto")
    DESVIRTUADO = "desvirtuado", _("Desvirtuado")
    DEFINITIVO = "definitivo", _("Definitivo")
    SENTENCIA_FAVORABLE = "sentencia_favorable", _("Sentencia favorable")


class Sat69bEntry(models.Model):
    rfc = models.CharField(max_length=13, unique=True)
    name = models.CharField(max_length=300)
    situation = models.CharField(max_length=20, choices=Situation.choices)
    # Publication dates as the SAT gives them, per stage (blank when that stage did not happen).
    presunto_published_on = models.DateField(null=True, blank=True)
    desvirtuado_published_on = models.DateField(null=True, blank=True)
    definitivo_published_on = models.DateField(null=True, blank=True)
    sentencia_published_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.rfc} ({self.situation})"

    def publications(self) -> list[tuple[str, object]]:
        """(situation label, date) for each stage that has a date, in the order they happen."""
        pairs = [
            (Situation.PRESUNTO.label, self.presunto_published_on),
            (Situation.DESVIRTUADO.label, self.desvirtuado_published_on),
            (Situation.DEFINITIVO.label, self.definitivo_published_on),
            (Situation.SENTENCIA_FAVORABLE.label, self.sentencia_published_on),
        ]
        return [(str(label), when) for label, when in pairs if when]


class Sat69bImport(models.Model):
    """One import of the list: when, from where, how many rows (the newest is the list in use)."""

    imported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    # How many customers' screening changed when they were screened again after this import.
    rescreened_changes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.imported_at:%Y-%m-%d} ({self.row_count})"
