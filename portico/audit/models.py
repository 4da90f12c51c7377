"""Audit events: who did what to which record, when, from which state to which.

Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger
(migration 0002) refuses them in the database too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.core.actors import ActorKind


class AuditAction(models.TextChoices):
    """The fixed vocabulary of audited actions; later capabilities add theirs here."""

    ORG_CREATED = "org.created", _("Organization created")
    ORG_SETTINGS_CHANGED = "org.settings_changed", _("Organization settings changed")
    ROLE_CREATED = "role.created", _("Role created")
    ROLE_CHANGED = "role.changed", _("Role changed")
    ROLE_DELETED = "role.deleted", _("Role deleted")
    STAFF_INVITED = "staff.invited", _("Staff member invited")
    STAFF_INVITATION_RESENT = "staff.invitation_resent", _("Staff invitation resent")
    STAFF_INVITATION_REVOKED = "staff.invitation_revoked", _("Staff invitation revoked")
    STAFF_INVITATION_ACCEPTED = "staff.invitation_accepted", _("Staff invitation accepted")
    STAFF_ADDED = "staff.added", _("Staff member added")
    STAFF_ROLE_CHANGED = "staff.role_changed", _("Staff role changed")
    STAFF_DEACTIVATED = "staff.deactivated", _("Staff member deactivated")
    STAFF_REACTIVATED = "staff.reactivated", _("Staff member reactivated")
    USER_CREATED = "user.created", _("Account created")
    USER_SIGNED_IN = "user.signed_in", _("Signed in")
    USER_PROFILE_CHANGED = "user.profile_changed", _("Profile changed")
    USER_SIGNED_OUT = "user.signed_out", _("Signed out")
    USER_PASSWORD_CHANGED = "user.password_changed", _("Password changed")
    USER_PASSWORD_RESET = "user.password_reset", _("Password reset by email")
    USER_MFA_ADDED = "user.mfa_added", _("Two-factor method turned on")
    USER_MFA_REMOVED = "user.mfa_removed", _("Two-factor method turned off")
    USER_RECOVERY_CODES_RESET = "user.recovery_codes_reset", _("Recovery codes regenerated")
    CLIENT_CREATED = "client.created", _("Client created")
    CLIENT_CHANGED = "client.changed", _("Client details changed")
    CLIENT_STATUS_CHANGED = "client.status_changed", _("Client status changed")
    CLIENT_CASE_NUMBER_CHANGED = "client.case_number_changed", _("Case number changed")
    CLIENT_IMAGE_CHANGED = "client.image_changed", _("Record image changed")
    CLIENT_PROFILE_LINKED = "client.profile_linked", _("Profile created or assigned")
    CLIENT_GROUPS_CHANGED = "client.groups_changed", _("Groups changed")
    CLIENT_NAVIGATOR_ASSIGNED = "client.navigator_assigned", _("Navigator assigned")
    CLIENT_NAVIGATOR_UNASSIGNED = "client.navigator_unassigned", _("Navigator unassigned")
    CLIENT_DELETED = "client.deleted", _("Client record deleted")
    CLIENT_RESTORED = "client.restored", _("Client record restored")
    GROUP_CREATED = "group.created", _("Group created")
    GROUP_DELETED = "group.deleted", _("Group deleted")
    GROUP_BULK_CHANGED = "group.bulk_changed", _("Group changed in bulk")
    CLIENT_TYPE_CREATED = "client_type.created", _("Client type created")
    WARNING_CREATED = "warning.created", _("Warning indicator created")
    API_KEY_CREATED = "api_key.created", _("API key created")
    API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
    PORTAL_SETTINGS_CHANGED = "portal.settings_changed", _("Client portal set up or changed")
    PORTAL_ACCOUNT_CREATED = "portal.account_created", _("Portal account created")
    PORTAL_ACCOUNT_STATUS_CHANGED = "portal.account_status_changed", _("Portal account status changed")
    INVITATION_SENT = "invitation.sent", _("Portal invitation sent")
    INVITATION_RESENT = "invitation.resent", _("Portal invitation resent")
    INVITATION_REVOKED = "invitation.revoked", _("Portal invitation revoked")
    INVITATION_EXPIRED = "invitation.expired", _("Portal invitation expired")
    INVITATION_ACCEPTED = "invitation.accepted", _("Portal invitation accepted")
    INVITATION_NEW_LINK_REQUESTED = "invitation.new_link_requested", _("Client asked for a new invitation link")
    INVITATION_BOUNCED = "invitation.bounced", _("Portal invitation could not be delivered")
    INVITATIONS_BULK_SENT = "invitation.bulk_sent", _("Portal invitations sent in bulk")
    REQUEST_KIND_CREATED = "request_kind.created", _("Request kind created")
    REQUEST_OPENED = "request.opened", _("Request opened")
    REQUEST_REPLIED = "request.replied", _("Request answered or replied to")
    REQUEST_NOTE_ADDED = "request.note_added", _("Internal note added")
    REQUEST_STATUS_CHANGED = "request.status_changed", _("Request status changed")
    REQUEST_TAKEN = "request.taken", _("Unassigned request taken")
    NOTIFICATION_PREFERENCES_CHANGED = "notification.preferences_changed", _("Notification settings changed")
    MESSAGE_FAILED = "message.failed", _("Message delivery failed")
    MESSAGE_RETRIED = "message.retried", _("Message delivery retried")
    LEAD_RECEIVED = "lead.received", _("Lead received")
    LEAD_STATE_CHANGED = "lead.state_changed", _("Lead state changed")
    LEAD_CONVERTED = "lead.converted", _("Lead converted to a client")
    LEAD_ATTACHED = "lead.attached", _("Lead attached to an existing client")
    LEAD_SETTINGS_CHANGED = "lead.settings_changed", _("Website lead settings changed")
    REFERRAL_LINK_CREATED = "referral_link.created", _("Referral link created")
    AVAILABILITY_CHANGED = "booking.availability_changed", _("Booking availability changed")
    BOOKING_MADE = "booking.made", _("Booking made")
    BOOKING_CANCELLED = "booking.cancelled", _("Booking cancelled")
    BOOKING_RESCHEDULED = "booking.rescheduled", _("Booking rescheduled")
    ESTIMATE_CREATED = "estimate.created", _("Estimate created")
    ESTIMATE_CHANGED = "estimate.changed", _("Estimate changed")
    ESTIMATE_STATE_CHANGED = "estimate.state_changed", _("Estimate state changed")
    ESTIMATE_REVISED = "estimate.revised", _("Estimate revised")
    ESTIMATE_QUESTION_ASKED = "estimate.question_asked", _("Question asked about an estimate")
    JOURNEY_SETTINGS_CHANGED = "journey.settings_changed", _("Onboarding journey settings changed")
    JOURNEY_STEP_CHANGED = "journey.step_changed", _("Onboarding step reached")
    JOURNEY_REMINDER_SENT = "journey.reminder_sent", _("Onboarding reminder sent")
    AGREEMENT_TEMPLATE_SAVED = "agreement_template.saved", _("Agreement template saved")
    AGREEMENT_TEMPLATE_ARCHIVED = "agreement_template.archived", _("Agreement template archived")
    AGREEMENT_CREATED = "agreement.created", _("Agreement created")
    AGREEMENT_CHANGED = "agreement.changed", _("Agreement changed")
    AGREEMENT_STATE_CHANGED = "agreement.state_changed", _("Agreement state changed")
    AGREEMENT_VIEWED = "agreement.viewed", _("Agreement viewed by the client")
    AGREEMENT_SEALED = "agreement.sealed", _("Signed agreement sealed")
    CONSENT_GIVEN = "consent.given", _("Consent to electronic records given")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent to electronic records withdrawn")
    STRIPE_CONNECTED = "stripe.connected", _("Stripe account connected")
    STRIPE_DISCONNECTED = "stripe.disconnected", _("Stripe account disconnected")
    PAYMENT_METHOD_STARTED = "payment_method.started", _("Payment method set-up started")
    PAYMENT_METHOD_STATE_CHANGED = "payment_method.state_changed", _("Payment method state changed")
    # A bank account entered, waiting for Stripe's microdeposit verification (the method stays pending).
    PAYMENT_METHOD_SUBMITTED = "payment_method.submitted", _("Payment method submitted for verification")
    JOB_CREATED = "job.created", _("Job created")
    JOB_CHANGED = "job.changed", _("Job changed")
    JOB_STATE_CHANGED = "job.state_changed", _("Job state changed")
    JOB_ASSIGNED = "job.assigned", _("Job assigned")
    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_CHANGED = "customer.changed", _("Customer record changed")
    CUSTOMER_STATUS_CHANGED = "customer.status_changed", _("Customer status changed")
    CUSTOMER_CONTACT_ADDED = "customer.contact_added", _("Contact linked to a customer")
    CUSTOMER_CONTACT_REMOVED = "customer.contact_removed", _("Contact unlinked from a customer")
    CUSTOMER_ADDRESS_CHANGED = "customer.address_changed", _("Customer address added, changed or removed")
    CUSTOMER_DOCUMENT_ADDED = "customer.document_added", _("Compliance document added")
    CUSTOMER_DOCUMENT_REMOVED = "customer.document_removed", _("Compliance document removed")
    CUSTOMER_SCREENING_CHANGED = "customer.screening_changed", _("Customer's SAT 69-B situation changed")
    CUSTOMER_SCREENING_POLICY_CHANGED = "customer.screening_policy_changed", _("SAT 69-B screening policy changed")
    SAT69B_IMPORTED = "sat69b.imported", _("SAT 69-B list imported")
    METRIC_CREATED = "metric.created", _("Metric created")
    METRIC_CHANGED = "metric.changed", _("Metric changed")
    METRIC_DELETED = "metric.deleted", _("Metric deleted")
    METRIC_VALUE_SET = "metric.value_set", _("Metric value entered for a customer")
    CUSTOMER_SCORED = "customer.scored", _("Customer score updated")
    SCORES_RECALCULATED = "scores.recalculated", _("Every customer's score updated")
    FRESHBOOKS_CONNECTED = "freshbooks.connected", _("FreshBooks account connected")
    FRESHBOOKS_DISCONNECTED = "freshbooks.disconnected", _("FreshBooks account disconnected")
    FRESHBOOKS_CUSTOMER_CONNECTED = "freshbooks.customer_connected", _("Customer connected to FreshBooks")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only")


class AuditEvent(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    # No choices= here: the vocabulary grows with each capability without a migration each time.
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Shaped like the queries: the org's log (optionally by action or actor), a record's timeline.
            models.Index(fields=["org", "-created_at", "-id"], name="audit_org_time"),
            models.Index(fields=["org", "action", "-created_at"], name="audit_org_action_time"),
            models.Index(fields=["org", "actor_user", "-created_at"], name="audit_org_actor_time"),
            models.Index(fields=["org", "target_type", "target_id", "-created_at"], name="audit_org_target_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only")

    @property
    def action_label(self) -> str:
        return str(AuditAction(self.action).label) if self.action in AuditAction.values else self.action
