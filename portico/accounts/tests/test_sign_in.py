"""Staff sign-in through django-allauth: password, rate limits, reset by email, login by code,
TOTP two-factor authentication (optional, or required by the organization), sessions."""

import base64
import datetime as dt
import hashlib
import hmac
import re
import struct
import time

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.orgs.actions import org_settings_update
from testing.world import PASSWORD, run_tasks


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), computed here independently of allauth."""
    counter = int((at if at is not None else time.time()) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06}"


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def activate_totp(client: Client) -> str:
    # allauth asks for the password again before a security change.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302, response.content
    return secret


def test_staff_sign_in_with_email_and_password_and_it_is_audited(client, org_a):
    response = sign_in(client, org_a.admin.email)
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("org_dashboard", args=["alpha"])
    assert AuditEvent.objects.filter(action=AuditAction.USER_SIGNED_IN, actor_user=org_a.admin).exists()


def test_a_wrong_password_is_refused(client, org_a):
    response = sign_in(client, org_a.admin.email, "wrong")
    assert response.status_code == 200 and b"not correct" in response.content


def test_failed_sign_ins_are_rate_limited(client, org_a):
    for _ in range(5):
        sign_in(client, org_a.admin.email, "wrong")
    response = sign_in(client, org_a.admin.email, PASSWORD)
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_nobody_can_sign_up_alone(client):
    response = client.get(reverse("account_signup"))
    assert b"Sign Up Closed" in response.content or b"closed" in response.content.lower()


def test_password_reset_mail_goes_through_the_outbox(client, org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": org_a.admin.email})
    assert mail.outbox == []  # not sent inside the request
    run_tasks()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    response = client.get(link, follow=True)
    response = client.post(
        response.redirect_chain[-1][0], {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"}
    )
    assert response.status_code == 302
    assert sign_in(Client(), org_a.admin.email, "a-new-long-passphrase").status_code == 302


def test_sign_in_by_code(client, org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": org_a.readonly.email})
    assert response.status_code == 302
    run_tasks()
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("org_dashboard", args=["alpha"])).status_code == 200


def test_totp_two_factor_sign_in(org_a):
    client = Client()
    sign_in(client, org_a.readonly.email)
    secret = activate_totp(client)
    assert b"Recovery" in client.get(reverse("mfa_index")).content

    later = time.time() + 60  # a fresh time step: a code works once
    with time_machine.travel(later, tick=False):
        fresh = Client()
        response = sign_in(fresh, org_a.readonly.email)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
        assert fresh.get(reverse("org_dashboard", args=["alpha"])).status_code == 302  # not signed in yet
        response = fresh.post(
            reverse("mfa_authenticate"), {"code": "000000" if totp(secret, later) != "000000" else "111111"}
        )
        assert response.status_code == 200
        response = fresh.post(reverse("mfa_authenticate"), {"code": totp(secret, later)})
        assert response.status_code == 302
        assert fresh.get(reverse("org_dashboard", args=["alpha"])).status_code == 200


def test_an_organization_can_require_two_factor_for_all_staff(org_a):
    org_settings_update(org=org_a.org, actor=Actor(kind="staff", user=org_a.admin), require_mfa=True)
    client = Client()
    sign_in(client, org_a.readonly.email)
    response = client.get(reverse("org_dashboard", args=["alpha"]), follow=True)
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    assert b"requires two-factor authentication" in response.content  # then allauth asks for the password
    activate_totp(client)
    assert client.get(reverse("org_dashboard", args=["alpha"])).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.ORG_SETTINGS_CHANGED)
    assert event.detail == {"require_mfa": {"from": False, "to": True}}


def test_staff_list_and_end_their_sessions(org_a):
    phone, laptop = Client(HTTP_USER_AGENT="Phone"), Client(HTTP_USER_AGENT="Laptop")
    sign_in(phone, org_a.admin.email)
    sign_in(laptop, org_a.admin.email)
    laptop.get(reverse("home"))
    response = phone.get(reverse("usersessions_list"))
    assert b"Phone" in response.content and b"Laptop" in response.content
    # Ending the other sessions signs the laptop out.
    phone.post(reverse("usersessions_list"))
    assert laptop.get(reverse("org_dashboard", args=["alpha"])).status_code == 302
    assert phone.get(reverse("org_dashboard", args=["alpha"])).status_code == 200


def test_sessions_expire(client, org_a):
    sign_in(client, org_a.admin.email)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=15)):
        assert client.get(reverse("org_dashboard", args=["alpha"])).status_code == 302


def test_the_api_also_refuses_staff_without_required_two_factor(org_a):
    org_settings_update(org=org_a.org, actor=Actor(kind="staff", user=org_a.admin), require_mfa=True)
    client = Client()
    sign_in(client, org_a.readonly.email)
    response = client.get("/api/v1/o/alpha/me")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"
