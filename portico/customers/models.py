"""The company customers catalog (seed 002): a customer is a company client record with catalog
data. Its customer status (PAIN → ACTV → INAC) is an axis of its own beside the client lifecycle
status, with its own table (CUSTOMER_TRANSITIONS).

Where the data lives: the legal name is the client record's ``name``, the RFC/EIN its ``tax_id``
and the trade name its ``trade_name`` (so the global client search finds customers by all three);
everything else the catalog adds is here. CustomerScore repeats the newest score-history row
(metrics app) in a narrow table of its own: the table sorts 1,000,000 customers by it, and scoring
them all must not rewrite the wide customers table and its indexes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine
from portico.customers.catalogs import REGIMEN_FISCAL, USO_CFDI
from portico.sat69b.models import Situation


class CustomerStatus(models.TextChoices):
    # The codes are the seed's; people read the labels.
    PARTIAL = "PAIN", _("Partial information")
    ACTIVE = "ACTV", _("Active")
    INACTIVE = "INAC", _("Inactive")


CUSTOMER_TRANSITIONS: dict[str, dict[str, str]] = {
    CustomerStatus.PARTIAL: {"complete": CustomerStatus.ACTIVE, "deactivate": CustomerStatus.INACTIVE},
    # An edit that empties a required field puts the record back to partial information.
    CustomerStatus.ACTIVE: {"deactivate": CustomerStatus.INACTIVE, "uncomplete": CustomerStatus.PARTIAL},
    # Activating goes back to ACTV, or to PAIN if the record is still incomplete.
    CustomerStatus.INACTIVE: {"activate": CustomerStatus.ACTIVE, "activate_partial": CustomerStatus.PARTIAL},
}
# A connected customer's page in FreshBooks' web app (the id is the one FreshBooks' clients.create
# answered): Customer.freshbooks_url, the one place it is written.
FRESHBOOKS_CLIENT_URL = "https://my.freshbooks.com/#/client/{id}"

CUSTOMER_MACHINE = StateMachine(
    "Customer",
    CustomerStatus,
    CUSTOMER_TRANSITIONS,
    "Created by quick create with partial information (PAIN); saving a complete record makes it active "
    "(ACTV) automatically; deactivation takes effect at once, with no confirmation (INAC), and an "
    "inactive customer can only be viewed and activated.",
    noun=_("customer"),
    verbs={
        "complete": _("complete"),
        "uncomplete": _("mark incomplete"),
        "deactivate": _("deactivate"),
        "activate": _("activate"),
        "activate_partial": _("activate"),
    },
    audit=AuditAction.CUSTOMER_STATUS_CHANGED,
    key="customer",
    tones={CustomerStatus.PARTIAL: "warn", CustomerStatus.ACTIVE: "ok", CustomerStatus.INACTIVE: "bad"},
)


class PaymentTerms(models.TextChoices):
    IMMEDIATE = "immediate", _("Due on receipt")
    NET_15 = "net15", _("Net 15")
    NET_30 = "net30", _("Net 30")
    NET_45 = "net45", _("Net 45")
    NET_60 = "net60", _("Net 60")
    NET_90 = "net90", _("Net 90")


class ScreeningAction(models.TextChoices):
    WARN = "warn", _("Warn only")
    BLOCK = "block", _("Block creation")


# The organization decides per situation; the default warns, and blocks Definitivo.
DEFAULT_SCREENING_POLICY: dict[str, str] = {
    Situation.PRESUNTO: ScreeningAction.WARN,
    Situation.DESVIRTUADO: ScreeningAction.WARN,
    Situation.DEFINITIVO: ScreeningAction.BLOCK,
    Situation.SENTENCIA_FAVORABLE: ScreeningAction.WARN,
}


class CustomerSettings(models.Model):
    """Per organization: what the SAT 69-B screening does for each situation."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="customer_settings")
    on_presunto = models.CharField(max_length=5, choices=ScreeningAction.choices, default=ScreeningAction.WARN)
    on_desvirtuado = models.CharField(max_length=5, choices=ScreeningAction.choices, default=ScreeningAction.WARN)
    on_definitivo = models.CharField(max_length=5, choices=ScreeningAction.choices, default=ScreeningAction.BLOCK)
    on_sentencia_favorable = models.CharField(
        max_length=5, choices=ScreeningAction.choices, default=ScreeningAction.WARN
    )

    def __str__(self) -> str:
        return f"customer settings of {self.org_id}"

    def action_for(self, situation: str) -> str:
        return str(getattr(self, f"on_{situation}", DEFAULT_SCREENING_POLICY.get(situation, ScreeningAction.WARN)))


class Customer(models.Model):
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, primary_key=True, related_name="customer")
    # The client's organization, repeated so the table's indexes can start with it (so no index of
    # its own: every composite index below starts with it, and each index costs every update).
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="customers", db_index=False)
    status = models.CharField(max_length=4, choices=CustomerStatus.choices, default=CustomerStatus.PARTIAL)
    # Commercial data
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=10, choices=PaymentTerms.choices, blank=True)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="MXN")
    sales_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("sales owner"),
    )
    # Fiscal data (CFDI 4.0)
    regimen_fiscal = models.CharField(_("régimen fiscal"), max_length=3, choices=REGIMEN_FISCAL, blank=True)
    uso_cfdi = models.CharField(_("uso de CFDI"), max_length=4, choices=USO_CFDI, blank=True)
    fiscal_postal_code = models.CharField(_("fiscal postal code"), max_length=10, blank=True)
    # SAT 69-B: the situation found when the customer was last screened (blank: not on the list).
    sat69b_situation = models.CharField(max_length=20, choices=Situation.choices, blank=True)
    sat69b_checked_at = models.DateTimeField(null=True, blank=True)
    # FreshBooks (freshbooks app): the client's id there once connected.
    freshbooks_id = models.CharField(max_length=40, blank=True)
    freshbooks_connected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The table: newest first (by creation time: see selectors.customer_page), by status, by score.
            models.Index(fields=["org", "-created_at", "-client"], name="customer_org_created"),
            models.Index(fields=["org", "status", "-created_at", "-client"], name="customer_org_status_created"),
            models.Index(fields=["org", "sales_owner", "-created_at", "-client"], name="customer_org_owner_created"),
        ]

    def __str__(self) -> str:
        return f"customer {self.client_id}"

    @property
    def score_row(self) -> CustomerScore | None:
        """The current score (None until the first calculation). Load it with
        ``select_related("current_score")`` to read it without a query of its own."""
        try:
            return self.current_score
        except CustomerScore.DoesNotExist:
            return None

    @property
    def score(self) -> Decimal | None:
        """The newest score (None shows as "–")."""
        row = self.score_row
        return None if row is None else row.score

    @property
    def scored_at(self) -> dt.datetime | None:
        row = self.score_row
        return None if row is None else row.scored_at

    @property
    def is_inactive(self) -> bool:
        return self.status == CustomerStatus.INACTIVE

    @property
    def freshbooks_url(self) -> str:
        """The client's page in FreshBooks' web app ("" while the customer is not connected)."""
        return FRESHBOOKS_CLIENT_URL.format(id=quote(self.freshbooks_id, safe="")) if self.freshbooks_id else ""


class CustomerScore(models.Model):
    """A customer's current score (metrics app): the newest score-history row, repeated in a narrow
    table of its own so that scoring 1,000,000 customers rewrites this table and its one index, not
    the wide customers table and its six (see docs/decisions.md, D33). No row: never scored ("–")."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="current_score")
    # The customer's organization, repeated so the score sort's index can start with it.
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+", db_index=False)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    scored_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The table's score sort: highest first, then by customer id (keyset).
            models.Index(fields=["org", "score", "customer"], name="customer_score_org_score"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.score}"


class AddressKind(models.TextChoices):
    FISCAL = "fiscal", _("Fiscal")
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")
    SITE = "site", _("Site")


class CustomerAddress(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, choices=AddressKind.choices, default=AddressKind.FISCAL)
    line1 = models.CharField(_("street and number"), max_length=200)
    line2 = models.CharField(_("neighbourhood, suite"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=120)
    postal_code = models.CharField(_("postal code"), max_length=10)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO code, e.g. MX or US"))

    class Meta:
        indexes = [models.Index(fields=["customer", "kind"], name="customer_address_customer")]

    def __str__(self) -> str:
        return f"{self.line1}, {self.postal_code} {self.state}, {self.country}"


class ContactRole(models.TextChoices):
    PRIMARY = "primary", _("Main contact")
    BILLING = "billing", _("Billing")
    PURCHASING = "purchasing", _("Purchasing")
    TECHNICAL = "technical", _("Technical")
    LEGAL = "legal", _("Legal representative")
    OTHER = "other", _("Other")


class CustomerContact(models.Model):
    """A person client record linked to the customer as a contact with a role."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="customer_contacts")
    role = models.CharField(_("role"), max_length=12, choices=ContactRole.choices, default=ContactRole.PRIMARY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "contact"], name="customer_contact_unique")]
        indexes = [models.Index(fields=["contact"], name="customer_contact_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} ({self.role})"


class DocumentType(models.TextChoices):
    CONSTANCIA = "constancia", _("Constancia de situación fiscal")
    OPINION = "opinion", _("Opinión de cumplimiento (32-D)")
    ACTA = "acta", _("Acta constitutiva")
    POWER = "power", _("Power of attorney")
    W9 = "w9", _("IRS form W-9")
    INSURANCE = "insurance", _("Insurance certificate")
    OTHER = "other", _("Other")


class ComplianceDocument(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="documents")
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    doc_type = models.CharField(_("type"), max_length=12, choices=DocumentType.choices)
    file = models.FileField(_("file"), upload_to="customers/documents/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    remind_days_before = models.PositiveSmallIntegerField(_("remind this many days before it expires"), default=30)
    reminded_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["doc_type", "-uploaded_at"]
        indexes = [
            models.Index(fields=["customer", "doc_type"], name="customer_document_customer"),
            # The daily reminder picks documents expiring soon that were not reminded yet.
            models.Index(fields=["expires_on"], name="customer_document_due", condition=models.Q(reminded_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} ({self.original_name})"
