"""Service agreements signed electronically (ESIGN Act, 15 U.S.C. §7001; UETA) — seed 003 step 4
and the agreement axis of PRODUCT.md.

An agreement is made from a template (merge fields filled from the client, the organization and
the approved estimate) and rendered to a PDF. That PDF is **hashed (SHA-256) before the client
sees it** and never re-rendered: the client reads those bytes, consents to electronic records,
and signs; the signed copy gets an audit certificate page and is sealed with the installation's
PDF signing certificate (pyHanko). Every event of an agreement is kept in a hash chain
(``AgreementEvent``): each row holds the hash of the one before, so an edited trail is detectable.
A signed agreement is never edited; it can only be voided (with a reason).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class AgreementTemplate(models.Model):
    """An organization's agreement text. Its body lives in versions: editing saves a new version,
    and an agreement names the version it was made from."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="agreement_templates")
    name = models.CharField(_("name"), max_length=200)
    # Made and sent by itself when a client approves an estimate (one per organization at most).
    is_default = models.BooleanField(_("send automatically when an estimate is approved"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                name="agreement_template_one_default",
                condition=models.Q(is_default=True, archived_at=None),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AgreementTemplateVersion(models.Model):
    template = models.ForeignKey(AgreementTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(_("document title"), max_length=200)
    # Rich text (a small safe subset of HTML, cleaned on save) with merge fields: {{ client.name }}, ...
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="agreement_template_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", pgettext_lazy("agreement state", "Sent")
    SIGNED = "signed", pgettext_lazy("agreement state", "Signed")
    VOIDED = "voided", pgettext_lazy("agreement state", "Voided")


AGREEMENT_TRANSITIONS: dict[str, dict[str, str]] = {
    AgreementState.DRAFT: {"send": AgreementState.SENT, "void": AgreementState.VOIDED},
    AgreementState.SENT: {"sign": AgreementState.SIGNED, "void": AgreementState.VOIDED},
    AgreementState.SIGNED: {"void": AgreementState.VOIDED},
}
AGREEMENT_MACHINE = StateMachine(
    "Agreement",
    AgreementState,
    AGREEMENT_TRANSITIONS,
    "Made from a template and the approved estimate; sending renders the PDF and fixes its SHA-256, "
    "and the client signs exactly those bytes in the portal. A signed agreement is immutable: it can "
    "only be voided, with a reason. Sending a new agreement to the client voids the unsigned one it "
    "replaces (superseded).",
    noun=_("agreement"),
    verbs={"send": _("send"), "sign": _("sign"), "void": _("void")},
    audit=AuditAction.AGREEMENT_STATE_CHANGED,
    key="agreement",
    field="state",
    tones={AgreementState.SENT: "warn", AgreementState.SIGNED: "ok", AgreementState.VOIDED: "bad"},
)


class Agreement(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="agreements")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="agreements")
    number = models.PositiveIntegerField(help_text="Per organization.")
    template_version = models.ForeignKey(
        AgreementTemplateVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    # The approved estimate whose scope, lines and total the merge fields read.
    estimate = models.ForeignKey(
        "estimates.Estimate", on_delete=models.PROTECT, null=True, blank=True, related_name="agreements"
    )
    state = models.CharField(max_length=8, choices=AgreementState.choices, default=AgreementState.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    # The merged text (fields filled in when the agreement was made); a draft can still be edited.
    body = models.TextField(_("text"))
    language = models.CharField(max_length=16, blank=True)
    # The PDF the client reads and signs, rendered once when sent; ``document_hash`` is its SHA-256.
    document = models.FileField(upload_to="agreements/%Y/%m/", blank=True)
    document_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The sealed copy (the document + the audit certificate page, PDF-signed); its SHA-256.
    signed_document = models.FileField(upload_to="agreements/signed/%Y/%m/", blank=True)
    signed_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The hash of the chain's last event (``AgreementEvent.hash``): the head the trail must reach.
    chain_head = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(_("reason"), max_length=500, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="agreement_number_unique"),
            # At most one agreement waiting for the client's signature.
            models.UniqueConstraint(fields=["client"], name="agreement_one_sent", condition=models.Q(state="sent")),
        ]
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="agreement_org_created"),
            models.Index(fields=["org", "state", "-created_at", "-id"], name="agreement_org_state"),
            models.Index(fields=["client", "state"], name="agreement_client_state"),
        ]

    def __str__(self) -> str:
        return f"A-{self.number}"

    @property
    def label(self) -> str:
        return f"A-{self.number}"


class AgreementCounter(models.Model):
    """The organization's last agreement number, taken FOR UPDATE inside the creating transaction."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.org_id}: {self.last_number}"


class AgreementEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    SENT = "sent", pgettext_lazy("agreement event", "Sent")
    VIEWED = "viewed", _("Viewed")
    CONSENTED = "consented", _("Consented to electronic records")
    SIGNED = "signed", pgettext_lazy("agreement event", "Signed")
    SEALED = "sealed", _("Sealed")
    EMAILED = "emailed", _("Signed copy sent")
    VOIDED = "voided", pgettext_lazy("agreement event", "Voided")


class AgreementEvent(models.Model):
    """One link of an agreement's hash chain. ``hash`` = SHA-256 over the canonical JSON of the
    other fields and ``prev_hash`` (the previous event's hash; "" for the first). Appended only,
    with the agreement row locked, so ``seq`` has no gaps and no two events share a predecessor."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=AgreementEventKind.choices)
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["agreement", "seq"]
        constraints = [models.UniqueConstraint(fields=["agreement", "seq"], name="agreement_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.agreement_id}#{self.seq} {self.kind}"


class ElectronicConsent(models.Model):
    """A person's consent to receive records and sign electronically (ESIGN §7001(c)), given in the
    portal after reading the disclosure (``disclosure_hash`` names the exact text). Withdrawing
    (account settings) is recorded here too; a new consent is a new row."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="electronic_consents")
    disclosure_version = models.CharField(max_length=16)
    disclosure_hash = models.CharField(max_length=64)
    email = models.EmailField()  # where records are sent, as confirmed when consenting
    given_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_ip = models.GenericIPAddressField(null=True, blank=True)
    withdrawn_user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "user"], name="electronic_consent_one_standing", condition=models.Q(withdrawn_at=None)
            ),
        ]

    def __str__(self) -> str:
        return f"consent of {self.user_id} in {self.org_id}"


class SignatureMethod(models.TextChoices):
    TYPED = "typed", _("Typed name")
    DRAWN = "drawn", _("Drawn by hand")


class AgreementSignature(models.Model):
    """Who signed, how, when, from where, and which document (by hash). One per agreement: the
    database refuses a second (a double tap makes one signature)."""

    agreement = models.OneToOneField(Agreement, on_delete=models.PROTECT, related_name="signature")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    portal_account = models.ForeignKey("portal.PortalAccount", on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey(ElectronicConsent, on_delete=models.PROTECT, related_name="signatures")
    name_typed = models.CharField(max_length=200)
    method = models.CharField(max_length=8, choices=SignatureMethod.choices)
    # A drawn signature: the strokes as SVG path data (small, exact, re-renderable in the PDF).
    drawing = models.TextField(blank=True)
    intent = models.CharField(max_length=300)  # the statement the signer agreed to, as shown
    document_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    session_hash = models.CharField(max_length=64, blank=True)  # SHA-256 of the session key

    def __str__(self) -> str:
        return f"signature of agreement {self.agreement_id}"
