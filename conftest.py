"""Fixtures shared by every test: two organizations (org_a, org_b), each with an admin and a
read-only staff member, plus browser settings for Debian's Chromium."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in browser
# tests are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture
def org_a(db):
    from testing.world import world_create

    return world_create("alpha")


@pytest.fixture
def org_b(db):
    from testing.world import world_create

    return world_create("beta")


@pytest.fixture
def operator(db):
    from testing.world import user_create

    return user_create("ops@portico.test", name="Olga Operator", operator=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits live in the cache; one test's failed logins must not throttle the next.
    from django.core.cache import cache

    from portico.clients.reference import client_reference_forget

    cache.clear()
    client_reference_forget()
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """``with deliver(): action(...)``: run the action's after-commit hooks, then the worker's
    tasks (outbox delivery), as a real commit followed by `db_worker` would."""
    from contextlib import contextmanager

    from testing.world import run_tasks

    @contextmanager
    def _deliver():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_tasks()

    return _deliver


@pytest.fixture
def fake_twilio(settings):
    """A local fake Twilio (testing.fakes.FakeTwilio) with SMS_BACKEND=twilio pointed
    at it: the real twilio client sends there. ``.messages`` holds what arrived, ``.last_body(to)``
    the newest text to a number, ``.fail_next(n)`` simulates an outage, ``.post_status(client, sid,
    status)`` plays Twilio's signed status callback."""
    from testing.fakes import FakeTwilio

    fake = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = fake.account_sid
    settings.TWILIO_AUTH_TOKEN = fake.auth_token
    settings.TWILIO_FROM = "+15005550006"
    settings.TWILIO_API_BASE = fake.base_url
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(settings):
    """A local fake Stripe API (testing.fakes.FakeStripe) with STRIPE_API_BASE pointed at it, and
    STRIPE_JS_URL at the stand-in Stripe.js it serves: the official client and the browser talk to
    it. ``.requests`` records every call; set ``.webhook_url`` to receive its signed events;
    ``.ach_verify(seti_id)`` completes a bank account's microdeposit verification."""
    from testing.fakes import FakeStripe

    fake = FakeStripe().start()
    settings.STRIPE_API_BASE = fake.base_url
    settings.STRIPE_JS_URL = fake.js_url
    yield fake
    fake.stop()


@pytest.fixture
def fake_freshbooks(settings, monkeypatch):
    """A local fake FreshBooks (testing.fakes.FakeFreshbooks): the official SDK reads its addresses
    from FRESHBOOKS_API_URL / FRESHBOOKS_AUTH_URL (set here), and the settings get the fake app's
    client id and secret. ``.code()`` is an authorization code it accepts once, ``.clients`` what was
    created, ``.fail_next(endpoint, status)`` / ``.stall_next(endpoint, seconds)`` its failures."""
    from testing.fakes import FakeFreshbooks

    fake = FakeFreshbooks().start()
    monkeypatch.setenv("FRESHBOOKS_API_URL", fake.base_url)
    monkeypatch.setenv("FRESHBOOKS_AUTH_URL", fake.base_url)
    settings.FRESHBOOKS_CLIENT_ID = fake.client_id
    settings.FRESHBOOKS_CLIENT_SECRET = fake.client_secret
    settings.FRESHBOOKS_REDIRECT_URI = ""  # SITE_URL + /freshbooks/callback/, which the fake expects
    yield fake
    fake.stop()


@pytest.fixture
def fake_push(settings, tmp_path):
    """A local Web Push service (testing.fakes.FakePush) and a fresh VAPID key for
    the site: ``.endpoint()`` makes a subscription URL, ``.received`` holds what arrived (headers and
    the encrypted body), ``.gone(url)`` makes the service answer 410 for that subscription."""
    from portico.notifications.push import vapid_generate
    from testing.fakes import FakePush

    settings.VAPID_PRIVATE_KEY_FILE = tmp_path / "vapid_private.pem"
    settings.VAPID_SUBJECT = "mailto:push-test@portico.test"
    vapid_generate(settings.VAPID_PRIVATE_KEY_FILE)
    fake = FakePush().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def _seal_pem(tmp_path_factory):
    from portico.agreements.seal import seal_certificate_make, seal_certificate_write_pem

    directory = tmp_path_factory.mktemp("seal")
    key, cert = seal_certificate_make("Portico test document seal")
    seal_certificate_write_pem(key, cert, cert_file=directory / "cert.pem", key_file=directory / "key.pem")
    return directory / "cert.pem", directory / "key.pem"


@pytest.fixture(autouse=True)
def seal_certificate(settings, _seal_pem):
    """The installation's seal for signed agreements: a self-signed PEM pair made once per test run
    in a temporary directory (manage.py seal_certificate's kind), set in the settings of every test
    (any test may sign an agreement; one about a missing seal changes the settings itself)."""
    settings.AGREEMENT_SEAL_PKCS12_FILE = ""
    settings.AGREEMENT_SEAL_CERT_FILE, settings.AGREEMENT_SEAL_KEY_FILE = _seal_pem
    return _seal_pem


@pytest.fixture
def fake_tsa(settings):
    """A local RFC 3161 time-stamp authority (testing.fakes.FakeTimestamper) with AGREEMENT_TSA_URL
    pointed at it: seals made during the test carry its timestamp. ``.stamped`` counts them."""
    from testing.fakes import FakeTimestamper

    fake = FakeTimestamper().start()
    settings.AGREEMENT_TSA_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def host_site():
    """The organization's own website (testing.fakes.FakeWebsite): ``.embed(live_server.url)``
    puts the script snippet on its page, ``.url`` is that page's address (with UTM parameters)."""
    from testing.fakes import FakeWebsite

    site = FakeWebsite().start()
    yield site
    site.stop()


@pytest.fixture
def other_page(browser, browser_context_args):
    """A page in a fresh browser context: another person (own cookies), phone size too."""
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()
