"""Every change to the onboarding journey: its settings, a client's progress (re-derived from
facts, never typed in), stopping it when the record leaves, and reminders (one tap, and the
scheduled sweep). Reminders go through the outbox; an expired invitation is sent again
(``invitation_resend``: a fresh link)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portico.agreements.models import Agreement, AgreementTemplate
from portico.audit.actions import audit_record, audit_record_select
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client, ClientStatus
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.core.sql import insert_select
from portico.estimates.models import Estimate
from portico.invitations.actions import invitation_resend
from portico.invitations.models import Invitation, InvitationChannel, InvitationStatus
from portico.journey.models import (
    COMPLETE,
    DIRECT,
    Journey,
    JourneyReminder,
    JourneySettings,
    ReminderKind,
    reminder_offsets_parse,
)
from portico.journey.selectors import journey_settings_of, local_day, quiet_now
from portico.journey.steps import (
    AGREEMENT,
    AGREEMENT_SENT_STATES,
    ESTIMATE,
    PAYMENT,
    first_invitation_at,
    journey_steps_choose,
    progress_derive,
    step_get,
    step_label,
    steps_all,
    steps_optional,
    stripe_connected_at,
    template_in_use_at,
)
from portico.leads.models import Lead
from portico.notifications.actions import Event, notify_navigators
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.outbox.actions import outbox_enqueue, outbox_enqueue_many, outbox_message_new
from portico.outbox.models import Channel, OutboxMessage
from portico.payments.models import StripeAccount
from portico.portal.actions import portal_account_enrollment_check
from portico.portal.models import PortalSettings
from portico.portal.selectors import portal_account_of
from portico.work.actions import job_create_for_onboarding

SETTINGS_FIELDS = (
    "optional_steps",
    "create_job",
    "stalled_after_days",
    "reminder_days",
    "reminders_enabled",
    "quiet_start",
    "quiet_end",
)
SWEEP_LIMIT = 5_000  # reminders chosen per sweep (the next sweep takes the rest)
STOPPING_STATUSES = (ClientStatus.CLOSED, ClientStatus.ARCHIVED)


# --- settings ---


@action
def journey_settings_save(*, org: Organization, actor: Actor, **fields: Any) -> JourneySettings:
    """Which optional steps the journey has, when a client counts as stalled, the reminder
    schedule and quiet hours. Journeys already started keep their steps."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not journey settings: {sorted(unknown)}")
    if "optional_steps" in fields:
        offered = [s.key for s in steps_optional()]
        chosen = set(fields["optional_steps"])
        if chosen - set(offered):
            raise PorticoError(_("Choose among the steps offered."), code="invalid")
        fields["optional_steps"] = [key for key in offered if key in chosen]
    if "reminder_days" in fields:
        try:
            offsets = reminder_offsets_parse(fields["reminder_days"])
        except ValueError:
            raise PorticoError(
                _("Reminder days are whole numbers from 1 to 365, separated by commas (e.g. 2, 5, 9)."),
                code="invalid",
            ) from None
        fields["reminder_days"] = ", ".join(str(o) for o in offsets)
    if "stalled_after_days" in fields and not 1 <= int(fields["stalled_after_days"]) <= 365:
        raise PorticoError(_("Stalled after: from 1 to 365 days."), code="invalid")
    current = journey_settings_of(org=org)
    created = current.pk is None
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    if not created and not changed:
        return current
    for name in changed:
        setattr(current, name, fields[name])
    current.updated_at = timezone.now()
    current.save()
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.JOURNEY_SETTINGS_CHANGED,
        target=current,
        target_label=str(_("Onboarding journey")),
        detail={"changed": sorted(changed), **{k: str(fields[k]) for k in sorted(changed)}},
    )
    return current


# --- progress ---


def _stopped(client: Client) -> bool:
    return client.deleted_at is not None or client.status in STOPPING_STATUSES


def _progress_fields(progress: Any) -> dict[str, Any]:
    return {
        "steps": progress.steps,
        "started_at": progress.started_at,
        "current_step": progress.current_step,
        "step_entered_at": progress.step_entered_at,
        "reached": progress.reached,
        "completed_at": progress.completed_at,
        "source": progress.source,
        "lead_created_at": progress.lead_created_at,
    }


def _settings_of(org: Organization) -> JourneySettings:
    """The settings read with the organization (``org__journey_settings``), or the defaults."""
    try:
        return org.journey_settings  # type: ignore[attr-defined,no-any-return]
    except JourneySettings.DoesNotExist:
        return JourneySettings(org=org)


@action
def journey_refresh(*, client: Client, actor: Actor, start: bool = True) -> Journey | None:
    """Re-derive ``client``'s journey from the facts and store it. The journey starts with the
    first invitation (no invitation: no journey, None; ``start=False``: only a journey already
    started is refreshed). The journey row is locked before the facts are read, so two facts
    arriving at once are derived one after the other. A changed step is audited; completing it
    makes the client's job (once, if the organization wants one), tells the navigators and lets
    the portal account leave "enrollment pending" by itself."""
    journey = Journey.objects.select_for_update().filter(client_id=client.pk).first()
    if journey is None and not start:
        return None
    # Read again after the lock, in its own statement (a row joined to the locking one may be an
    # older version on PostgreSQL): whether the record left is one of the facts.
    client = Client.objects.select_related("org__journey_settings", "profile").get(pk=client.pk)
    if journey is None:
        started = first_invitation_at(client)
        if started is None:
            return None
        steps = journey_steps_choose(client, started, _settings_of(client.org).optional_steps)
        before = ""
        journey = Journey(org=client.org, client=client)
    else:
        steps, started, before = journey.steps, journey.started_at, journey.current_step
    progress = progress_derive(client, steps, started)
    fields = _progress_fields(progress)
    stopped_at = (journey.stopped_at or timezone.now()) if _stopped(client) else None
    fields["stopped_at"] = stopped_at
    if journey.pk is not None and all(getattr(journey, name) == value for name, value in fields.items()):
        return journey
    for name, value in fields.items():
        setattr(journey, name, value)
    journey.updated_at = timezone.now()
    journey.save()
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.JOURNEY_STEP_CHANGED,
        target=client,
        from_state=before,
        to_state=journey.current_step,
        detail={"step": step_label(journey.current_step), "reached": sorted(progress.reached)},
    )
    if journey.current_step == COMPLETE and before != COMPLETE:
        _completed(client, actor, journey)
    return journey


def _completed(client: Client, actor: Actor, journey: Journey) -> None:
    # The job, when the organization wants one: made here, with the journey row locked and the
    # progress derived after taking the lock, so of two facts arriving at once (the signature and
    # the payment webhook) only the second sees the journey complete; the job's own constraint
    # backs it. The job's notification says "completed onboarding: job J-n was created", so the
    # navigators get one notification for the moment, not two.
    # A journey that ends with the account (no estimate, agreement or payment step) signed the
    # client up for the portal, not for work: no job; and "accepted the invitation" already told
    # the navigators, so a second notification for the same moment would be noise.
    if journey.steps and journey.steps[-1] != "account":
        if _settings_of(client.org).create_job:
            job_create_for_onboarding(client=client, actor=actor)
        else:
            _completed_notify(client)
    account = portal_account_of(client=client)
    if account is not None:
        portal_account_enrollment_check(account=account, actor=actor)


def _completed_notify(client: Client) -> None:
    with translation.override(client.org.language):
        notify_navigators(
            client=client,
            event=Event(
                kind=EventKind.ONBOARDING_COMPLETED,
                key=f"onboarding-completed:{client.pk}",
                title=_("%(client)s completed onboarding") % {"client": client.name},
                url=reverse("client_detail", args=[client.org.slug, client.pk]),
            ),
        )


@action
def journeys_start_bulk(*, org: Organization, client_ids: list[int], actor: Actor) -> int:
    """A bulk invitation's chunk: start the journeys of the clients it invited, set-based: one
    query reads what their start needs (first invitation, an estimate before it, the lead), one
    INSERT writes the journeys, one INSERT … SELECT their audit rows. Clients that had a journey
    already (invited again after a revoked invitation) are re-derived one by one."""
    if not client_ids:
        return 0
    now = timezone.now()
    chosen = journey_settings_of(org=org).optional_steps
    first_invitation = Invitation.objects.filter(client=OuterRef("pk")).order_by("created_at", "pk")
    lead = Lead.objects.filter(client=OuterRef("pk")).order_by("created_at", "pk")
    started = OuterRef("started")
    clients = Client.objects.filter(org=org, pk__in=client_ids)
    rows = (
        clients.annotate(started=Subquery(first_invitation.values("created_at")[:1]))
        .filter(started__isnull=False)
        .annotate(
            has_journey=Exists(Journey.objects.filter(client=OuterRef("pk"))),
            has_estimate=Exists(Estimate.objects.filter(client=OuterRef("pk"), created_at__lte=started)),
            has_agreement=Exists(AgreementTemplate.objects.filter(template_in_use_at(started), org=org))
            | Exists(Agreement.objects.filter(client=OuterRef("pk"), state__in=AGREEMENT_SENT_STATES)),
            has_stripe=Exists(StripeAccount.objects.filter(stripe_connected_at(started), org=org)),
            lead_source=Subquery(lead.values("source")[:1]),
            lead_at=Subquery(lead.values("created_at")[:1]),
        )
        .values_list(
            "pk", "started", "has_journey", "has_estimate", "has_agreement", "has_stripe", "lead_source", "lead_at"
        )
    )
    journeys, again = [], []
    for client_id, started_at, has_journey, has_estimate, has_agreement, has_stripe, source, lead_at in rows:
        if has_journey:
            again.append(client_id)
            continue
        # As progress_derive would say (each step's ``applies``, read set-based above): the
        # invitation just sent did the first step.
        applies = {ESTIMATE.key: has_estimate, AGREEMENT.key: has_agreement, PAYMENT.key: has_stripe}
        steps = [s.key for s in steps_all() if (not s.optional or s.key in chosen) and applies.get(s.key, True)]
        journeys.append(
            Journey(
                org=org,
                client_id=client_id,
                steps=steps,
                started_at=started_at,
                current_step=steps[1] if len(steps) > 1 else COMPLETE,
                step_entered_at=started_at,
                reached={steps[0]: started_at.isoformat()},
                source=source or DIRECT,
                lead_created_at=lead_at,
                updated_at=now,
            )
        )
    Journey.objects.bulk_create(journeys, ignore_conflicts=True, batch_size=1000)
    written = 0
    for step in sorted({j.current_step for j in journeys}):  # one: the invitation's step is done
        written += audit_record_select(
            org=org,
            actor=actor,
            action=AuditAction.JOURNEY_STEP_CHANGED,
            targets=Journey.objects.filter(
                org=org, client_id__in=[j.client_id for j in journeys], updated_at=now, current_step=step
            ),
            target_type="clients.client",
            target_id=F("client_id"),
            target_label=F("client__name"),
            to_state=step,
            detail={"bulk": True, "step": step_label(step)},
        )
    for client in Client.objects.filter(pk__in=again) if again else []:
        journey_refresh(client=client, actor=actor)
    return written


@action(tx="caller", audited=False, why="the client's closing or deletion is audited by the clients app")
def journey_stop(*, client: Client, actor: Actor, reason: str) -> int:
    """The record is being closed or deleted: off the board, no more reminders."""
    return Journey.objects.filter(client=client, stopped_at=None).update(stopped_at=timezone.now())


# --- reminders ---


def _portal_url(org: Organization) -> str:
    return settings.SITE_URL + reverse("portal_org_home", args=[org.slug])


def _reminder_texts(
    *, org: Organization, portal_name: str, client_name: str, step: str, invitation: Invitation
) -> dict[str, str]:
    """Subject, email text and SMS of a reminder about ``step`` (in the organization's language)."""
    found = step_get(step)
    todo = str(found.todo) if found else step
    with translation.override(org.language):
        values = {"name": client_name, "org": org.name, "portal": portal_name, "todo": todo, "url": _portal_url(org)}
        subject = _("%(org)s: a step of your onboarding is waiting") % values
        text = _("Hello %(name)s,\n\nA step of your onboarding with %(org)s is waiting for you: %(todo)s.") % values
        if step == "account":
            values["sent"] = timezone.localtime(invitation.sent_at).date().isoformat()
            values["expires"] = timezone.localtime(invitation.expires_at).date().isoformat()
            text += " " + (
                _(
                    "We sent you the invitation on %(sent)s: open the link in that message to create your "
                    "account (it works until %(expires)s)."
                )
                % values
            )
        text += "\n\n" + _("Your portal, %(portal)s: %(url)s") % values + "\n"
        sms = _("%(org)s: %(todo)s. %(url)s") % values
    return {"subject": subject, "text": text, "sms": sms}


def _portal_name(org: Organization) -> str:
    portal = PortalSettings.objects.filter(org=org).first()
    return portal.portal_name if portal else org.name


def _message_new(
    *, org: Organization, portal_name: str, invitation: Invitation, client_name: str, step: str, key: str
) -> OutboxMessage:
    texts = _reminder_texts(org=org, portal_name=portal_name, client_name=client_name, step=step, invitation=invitation)
    if invitation.channel == InvitationChannel.SMS:
        return outbox_message_new(
            org=org, channel=Channel.SMS, to=invitation.address, idempotency_key=key, body_text=texts["sms"]
        )
    return outbox_message_new(
        org=org,
        channel=Channel.EMAIL,
        to=invitation.address,
        idempotency_key=key,
        subject=texts["subject"],
        body_text=texts["text"],
    )


def _newest_invitation(client_id: int) -> Invitation | None:
    return Invitation.objects.filter(client_id=client_id).order_by("-created_at", "-pk").first()


@action
def journey_remind(*, journey: Journey, actor: Actor) -> JourneyReminder:
    """Staff's one-tap reminder to a client at a step: by the channel of their invitation; a fresh
    link when the invitation expired. Once per step and day (with the automatic ones)."""
    journey = Journey.objects.select_related("client", "org").get(pk=journey.pk)
    client = journey.client
    if journey.stopped_at is not None or _stopped(client):
        raise PorticoError(_("This client's record is closed: no reminders."), code="stopped")
    if journey.current_step == COMPLETE:
        raise PorticoError(_("This client has completed onboarding."), code="complete")
    step = step_get(journey.current_step)
    invitation = _newest_invitation(client.pk)
    if step is None or not step.remind or invitation is None or invitation.display_state == "revoked":
        raise PorticoError(
            _("There is no invitation to remind the client of. Send a new invitation from the record."),
            code="no_invitation",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            reminder = JourneyReminder.objects.create(
                org=journey.org,
                journey=journey,
                step=journey.current_step,
                kind=ReminderKind.MANUAL,
                day=local_day(client.time_zone or journey.org.time_zone, now),
                channel=invitation.channel,
                sent_by=actor.user,
                created_at=now,
            )
    except IntegrityError:
        raise PorticoError(
            _("%(client)s was already reminded of this step today.") % {"client": client.name}, code="already"
        ) from None
    message = _send_one(journey=journey, reminder=reminder, invitation=invitation, actor=actor)
    reminder.message = message
    JourneyReminder.objects.filter(pk=reminder.pk).update(message=message, fresh_link=reminder.fresh_link)
    audit_record(
        org=journey.org,
        actor=actor,
        action=AuditAction.JOURNEY_REMINDER_SENT,
        target=client,
        detail={
            "step": journey.current_step,
            "kind": reminder.kind,
            "channel": invitation.channel,
            "fresh_link": reminder.fresh_link,
        },
    )
    return reminder


def _send_one(
    *, journey: Journey, reminder: JourneyReminder, invitation: Invitation, actor: Actor
) -> OutboxMessage | None:
    """An expired invitation: sent again (a fresh link). Otherwise the reminder text."""
    if journey.current_step == "account" and invitation.display_state == "expired":
        fresh = invitation_resend(invitation=invitation, actor=actor)
        reminder.fresh_link = True
        return fresh.last_message
    draft = _message_new(
        org=journey.org,
        portal_name=_portal_name(journey.org),
        invitation=invitation,
        client_name=journey.client.name,
        step=journey.current_step,
        key=f"journey-reminder:{reminder.pk}",
    )
    fields = {name: getattr(draft, name) for name in ("org", "channel", "to", "subject", "body_text", "payload")}
    return outbox_enqueue(idempotency_key=draft.idempotency_key, **fields)


def _due_offset(offsets: list[int], now: dt.datetime) -> Case:
    """The largest offset of the schedule already reached in the current step (missed earlier
    ones are not sent late: one reminder, the most recent due)."""
    return Case(
        *[When(step_entered_at__lte=now - dt.timedelta(days=o), then=Value(o)) for o in sorted(offsets, reverse=True)],
        output_field=IntegerField(),
    )


_invitations = Invitation.objects.filter(client_id=OuterRef("client_id"))
STANDING = [InvitationStatus.PENDING, InvitationStatus.EXPIRED, InvitationStatus.ACCEPTED]


@action(audited=False, why="rows without messages yet: journey_reminders_send audits each one it sends")
def journey_reminders_choose(*, org: Organization, now: dt.datetime, limit: int = SWEEP_LIMIT) -> int:
    """Write the due automatic reminders of ``org`` as rows (one INSERT … SELECT): journeys at a
    step reminders suit, live records, past an offset of the schedule not yet sent for this step,
    whose time zone is outside quiet hours now (those wait for a later sweep). The unique
    constraints skip a step already reminded on the client's day or at that offset. Returns the
    number of rows written; they have no message yet (``journey_reminders_send`` adds it)."""
    config = journey_settings_of(org=org)
    offsets = config.reminder_offsets
    if not config.reminders_enabled or not offsets:
        return 0
    steps = [s.key for s in steps_all() if s.remind]
    # The client's own time zone, else the organization's: read from the record now, never copied.
    zone = Coalesce(NullIf(F("client__time_zone"), Value("")), Value(org.time_zone), output_field=CharField())
    open_journeys = Journey.objects.filter(
        org=org, stopped_at=None, current_step__in=steps, step_entered_at__lte=now - dt.timedelta(days=min(offsets))
    ).annotate(zone=zone)
    zones = sorted(set(open_journeys.order_by().values_list("zone", flat=True).distinct()))
    awake = {zone: local_day(zone, now) for zone in zones if not quiet_now(config, zone, now)}
    if not awake:
        return 0
    due = (
        open_journeys.filter(zone__in=list(awake), client__deleted_at=None)
        .exclude(client__status__in=STOPPING_STATUSES)
        .annotate(due_offset=_due_offset(offsets, now))
        .filter(
            ~Exists(
                JourneyReminder.objects.filter(
                    journey=OuterRef("pk"), step=OuterRef("current_step"), offset_days=OuterRef("due_offset")
                )
            )
        )
    )
    # Only while an invitation still stands (never "open the link… it works until…" for a revoked
    # one, even if the stored step lags the facts): at the account step a pending or expired one (a
    # fresh link is sent), later an accepted one. Checked on the chosen rows only (two semi-joins
    # over at most ``limit`` rows: over every due journey they cost the sweep more than the rest).
    chosen = (
        Journey.objects.filter(pk__in=due.order_by("step_entered_at", "pk").values("pk")[:limit])
        .filter(Exists(_invitations.filter(status__in=STANDING)))
        .exclude(Q(current_step="account") & ~Exists(_invitations.filter(status__in=STANDING[:2])))
    )
    return insert_select(
        JourneyReminder,
        chosen.annotate(due_offset=_due_offset(offsets, now), zone=zone),
        {
            "org": org.pk,
            "journey": F("pk"),
            "step": F("current_step"),
            "kind": ReminderKind.AUTOMATIC,
            "offset_days": F("due_offset"),
            "day": Case(*[When(zone=name, then=Value(day)) for name, day in awake.items()], output_field=DateField()),
            "channel": "",
            "fresh_link": False,
            "created_at": now,
        },
        ignore_conflicts=True,
    )


@action
def journey_reminders_send(*, now: dt.datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """The sweep: choose due automatic reminders set-based (``journey_reminders_choose``), then
    send them: one outbox INSERT for the reminder texts, ``invitation_resend`` for each expired
    invitation (a fresh link), their audit rows in one INSERT … SELECT. Returns how many."""
    now = now or timezone.now()
    actor = Actor.system()
    sent = 0
    orgs = Organization.objects.filter(Exists(Journey.objects.filter(org=OuterRef("pk"), stopped_at=None)))
    for org in orgs:
        if not journey_reminders_choose(org=org, now=now, limit=limit - sent):
            continue
        rows = list(
            JourneyReminder.objects.filter(org=org, kind=ReminderKind.AUTOMATIC, created_at=now, message=None)
            .select_related("journey__client", "journey__org")
            .order_by("pk")
        )
        newest = {
            i.client_id: i
            for i in Invitation.objects.filter(client_id__in=[r.journey.client_id for r in rows]).order_by(
                "client_id", "created_at", "pk"
            )
        }
        drafts: list[OutboxMessage] = []
        portal_name = _portal_name(org)
        for reminder in rows:
            invitation = newest.get(reminder.journey.client_id)
            if invitation is None:
                continue
            reminder.channel = invitation.channel
            if reminder.step == "account" and invitation.display_state == "expired":
                reminder.message = invitation_resend(invitation=invitation, actor=actor).last_message
                reminder.fresh_link = True
            else:
                drafts.append(
                    _message_new(
                        org=org,
                        portal_name=portal_name,
                        invitation=invitation,
                        client_name=reminder.journey.client.name,
                        step=reminder.step,
                        key=f"journey-reminder:{reminder.pk}",
                    )
                )
        outbox_enqueue_many(messages=drafts)
        # Each row's message found by its key, and its channel: one UPDATE per channel (a
        # bulk_update would build a CASE per row); fresh links were recorded one by one.
        message_of = OutboxMessage.objects.filter(
            idempotency_key=Concat(Value("journey-reminder:"), Cast(OuterRef("pk"), CharField()))
        ).values("pk")[:1]
        for channel in InvitationChannel.values:
            plain = [r.pk for r in rows if r.channel == channel and not r.fresh_link]
            if plain:
                JourneyReminder.objects.filter(pk__in=plain).update(channel=channel, message=Subquery(message_of))
        for reminder in rows:
            if reminder.fresh_link:
                JourneyReminder.objects.filter(pk=reminder.pk).update(
                    channel=reminder.channel, message=reminder.message, fresh_link=True
                )
        sent += audit_record_select(
            org=org,
            actor=actor,
            action=AuditAction.JOURNEY_REMINDER_SENT,
            targets=JourneyReminder.objects.filter(pk__in=[r.pk for r in rows]),
            target_type="clients.client",
            target_id=F("journey__client_id"),
            target_label=F("journey__client__name"),
            detail={"step": F("step"), "kind": F("kind"), "offset": F("offset_days"), "channel": F("channel")},
        )
        if sent >= limit:
            break
    return sent
