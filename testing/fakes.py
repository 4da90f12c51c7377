"""Local fakes of the providers' HTTP APIs, for tests: the real client libraries talk HTTP to them.

``FakeTwilio`` listens on 127.0.0.1 (a free port) and answers
``POST /2010-04-01/Accounts/<sid>/Messages.json`` like Twilio: Basic auth with the account SID
and auth token (401 otherwise), form fields To/From/Body/StatusCallback, a 201 JSON message
resource with a fresh ``SM…`` sid and status "queued". ``fail_next(n)`` makes the next ``n``
sends fail with a 500 (a Twilio outage). ``post_status`` plays Twilio's status callback: it
signs the report with the auth token and posts it to the StatusCallback the message carried.

The ``fake_twilio`` pytest fixture (conftest.py) starts one and points the settings at it.

``FakeMailgun`` answers ``POST /v3/<domain>/messages`` (Basic auth ``api:<key>``) with a fresh
Message-ID, as Mailgun does: for anymail's Mailgun backend with MAILGUN_API_URL at it.

``FakePush`` is a Web Push service: ``endpoint()`` makes a subscription URL on it; a POST there
is recorded (path, headers, raw encrypted body) and answered 201, unless ``gone(url)`` marked the
subscription expired (410) or ``fail_next(n)`` asked for outages (500). The ``fake_push`` fixture
(conftest.py) starts one and gives the site a fresh VAPID key.

``FakeTimestamper`` is an RFC 3161 time-stamp authority (pyHanko's DummyTimeStamper behind HTTP);
the ``fake_tsa`` fixture (conftest.py) starts one and points AGREEMENT_TSA_URL at it.

``FakeFreshbooks`` is FreshBooks' OAuth token endpoint, identity and clients API for the official
``freshbooks-sdk``; the ``fake_freshbooks`` fixture (conftest.py) points the SDK and the settings at it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


class FakeServer:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port) whose POSTs ``answer`` handles."""

    def __init__(self) -> None:
        self.requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def respond(self, path: str, headers: Any, body: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) of the answer to a POST: ``answer``'s JSON by default."""
        status, payload = self.answer(path, headers, body)
        return status, "application/json", json.dumps(payload).encode()

    def _count(self) -> None:
        with self._lock:
            self.requests += 1


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class FakeTwilio(FakeServer):
    def __init__(self, account_sid: str = "AC" + "f" * 32, auth_token: str = "fake-twilio-auth-token") -> None:  # noqa: S107
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict[str, str]] = []  # the form fields of each accepted message, plus its "sid"
        self._failures: list[int] = []

    def fail_next(self, times: int = 1, status: int = 500) -> None:
        """Answer the next ``times`` sends with ``status`` (nothing is recorded for them)."""
        with self._lock:
            self._failures.extend([status] * times)

    def sent_to(self, to: str) -> list[dict[str, str]]:
        return [m for m in self.messages if m.get("To") == to]

    def last_body(self, to: str) -> str:
        sent = self.sent_to(to)
        if not sent:
            raise AssertionError(f"no SMS to {to}; the fake has {[m.get('To') for m in self.messages]}")
        return sent[-1]["Body"]

    def signature(self, url: str, params: dict[str, str]) -> str:
        from twilio.request_validator import RequestValidator

        return str(RequestValidator(self.auth_token).compute_signature(url, params))

    def post_status(
        self, client: Any, sid: str, status: str, *, error_code: str = "", signature: str | None = None
    ) -> Any:
        """Post Twilio's status callback for message ``sid`` with the Django test ``client``,
        signed as Twilio signs it (or with ``signature`` as given, e.g. a wrong one)."""
        sent = next((m for m in self.messages if m["sid"] == sid), None)
        if sent is None or not sent.get("StatusCallback"):
            raise AssertionError(f"the fake sent no message {sid} with a StatusCallback")
        url = sent["StatusCallback"]
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "From": sent.get("From", ""),
            "MessageSid": sid,
            "MessageStatus": status,
            "SmsSid": sid,
            "SmsStatus": status,
            "To": sent["To"],
        }
        if error_code:
            params["ErrorCode"] = error_code
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        header = self.signature(url, params) if signature is None else signature
        return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=header)

    # -- the server side --

    def answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        self._count()
        match = MESSAGES_PATH.match(urlsplit(path).path)
        if match is None:
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        if match["sid"] != self.account_sid or headers.get("Authorization") != _basic(
            self.account_sid, self.auth_token
        ):
            return 401, {"code": 20003, "message": "Authentication Error - invalid username", "status": 401}
        fields = {key: values[-1] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}
        if not fields.get("To") or not fields.get("Body") or not fields.get("From"):
            return 400, {"code": 21604, "message": "A 'To', 'From' and 'Body' are required.", "status": 400}
        with self._lock:
            if self._failures:
                status = self._failures.pop(0)
                return status, {"code": 20500, "message": "Internal Server Error", "status": status}
            sid = "SM" + secrets.token_hex(16)
            self.messages.append({**fields, "sid": sid})
        now = formatdate(usegmt=True)
        return 201, {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": fields["To"],
            "from": fields["From"],
            "body": fields["Body"],
            "status": "queued",
            "direction": "outbound-api",
            "num_segments": "1",
            "num_media": "0",
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"},
        }


class FakeMailgun(FakeServer):
    def __init__(self, api_key: str = "fake-mailgun-api-key", domain: str = "mg.portico.test") -> None:
        super().__init__()
        self.api_key = api_key
        self.domain = domain
        self.sent: list[dict[str, Any]] = []  # {"id": Message-ID as Mailgun answered, "body": the raw multipart body}

    def answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        self._count()
        if urlsplit(path).path != f"/v3/{self.domain}/messages":
            return 404, {"message": "Domain not found"}
        if headers.get("Authorization") != _basic("api", self.api_key):
            return 401, {"message": "Invalid private key"}
        with self._lock:
            message_id = f"<{len(self.sent) + 1}.{secrets.token_hex(8)}@{self.domain}>"
            self.sent.append({"id": message_id, "body": body})
        return 200, {"id": message_id, "message": "Queued. Thank you."}


class FakePush(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[dict[str, Any]] = []  # {"path", "headers" (lower-case names), "body" (bytes)}
        self._gone: set[str] = set()
        self._failures: list[int] = []

    def endpoint(self) -> str:
        return f"{self.base_url}/push/{secrets.token_urlsafe(16)}"

    def gone(self, endpoint: str) -> None:
        """The subscription at ``endpoint`` expired: the service answers 410 Gone from now on."""
        with self._lock:
            self._gone.add(urlsplit(endpoint).path)

    def fail_next(self, times: int = 1, status: int = 500) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        self._count()
        with self._lock:
            if not path.startswith("/push/"):
                return 404, {"error": "unknown endpoint"}
            if path in self._gone:
                return 410, {"error": "subscription expired"}
            if self._failures:
                return self._failures.pop(0), {"error": "service unavailable"}
            self.received.append({"path": path, "headers": {k.lower(): v for k, v in headers.items()}, "body": body})
        return 201, {}


class FakeTimestamper(FakeServer):
    """An RFC 3161 time-stamp authority: a POST of a DER ``TimeStampReq`` (application/timestamp-query)
    is answered with a ``TimeStampResp`` (application/timestamp-reply) made by pyHanko's
    ``DummyTimeStamper`` with a test TSA certificate of its own (RSA, extended key usage
    timeStamping). ``url`` is what AGREEMENT_TSA_URL points at; ``certificate`` is the TSA's."""

    def __init__(self) -> None:
        super().__init__()
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Portico test time-stamp authority")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.certificate = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        pkcs8 = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._stamper = DummyTimeStamper(tsa_cert=self.certificate, tsa_key=asn1_keys.PrivateKeyInfo.load(pkcs8))
        self.stamped = 0

    @property
    def url(self) -> str:
        return f"{self.base_url}/tsa"

    def respond(self, path: str, headers: Any, body: bytes) -> tuple[int, str, bytes]:
        self._count()
        if urlsplit(path).path != "/tsa" or headers.get("Content-Type") != "application/timestamp-query":
            return 400, "text/plain", b"not a time-stamp query"
        answer = self._stamper.request_tsa_response(tsp.TimeStampReq.load(body))
        with self._lock:
            self.stamped += 1
        return 200, "application/timestamp-reply", answer.dump()


def _handler_for(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, content_type, data = fake.respond(self.path, self.headers, self.rfile.read(length))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
            pass

    return Handler


class FakeWebsite:
    """The organization's own website, for embedding tests: a page on 127.0.0.1 (a port of its
    own, so another origin than the live server's localhost; both loopback, so Chromium's
    private-network rules let it load our script) that serves ``html`` at every path. ``url`` is a
    page address with UTM parameters, as a visitor from a campaign would have."""

    def __init__(self) -> None:
        self.html = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="FakeWebsite", daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/quote?utm_source=flyer&utm_campaign=spring"

    def start(self) -> Self:
        self._thread.start()
        return self

    def embed(self, live_url: str, page: str = "contact", slug: str = "alpha") -> None:
        """The page holds the organization's script snippet (Settings → Website leads)."""
        self.html = (
            "<!doctype html><html><head><meta name='viewport' content='width=device-width'></head><body>"
            "<h1>Alpha Roofs</h1><p>Ask for a quote:</p>"
            f"<script src='{live_url}/w/{slug}/embed.js' data-page='{page}' async></script>"
            "<footer>© Alpha Roofs</footer></body></html>"
        )

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


SETUP_INTENT_PATH = re.compile(r"^/v1/setup_intents/(?P<id>seti_\w+)(?P<confirm>/confirm)?$")
PAYMENT_METHOD_PATH = re.compile(r"^/v1/payment_methods/(?P<id>pm_\w+)(?P<detach>/detach)?$")
DECLINED_CARD = "4000000000009995"
STANDIN_JS = Path(__file__).resolve().parent / "static" / "stripe-standin.js"


def _stripe_error(status: int, kind: str, message: str, **more: Any) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"type": kind, "message": message, **more}}


def _form(raw: str) -> dict[str, str]:
    """Stripe's form encoding flattened: ``metadata[org]``, ``payment_method_types[0]`` as keys."""
    return {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}


class FakeStripe:
    """The parts of Stripe's API Portico calls, on 127.0.0.1 (a free port), for the official client
    (``STRIPE_API_BASE``) and for the stand-in Stripe.js (served here at ``/v3/``, it calls
    ``/v1/setup_intents/:id/confirm`` with the publishable key; CORS allowed).

    Bearer auth: ``secret_key`` for the server's calls (401 otherwise, as Stripe answers a wrong
    key). ``Idempotency-Key``: the same key (per API key) gets the same answer and makes nothing.
    Confirming a card ``4242…`` succeeds and, after ``webhook_delay`` seconds, posts a signed
    ``setup_intent.succeeded`` to ``webhook_url`` (when set); ``4000000000009995`` fails
    (``setup_intent.setup_failed``); a bank account waits for microdeposits (``requires_action``)
    until ``ach_verify(seti_id)`` posts ``setup_intent.succeeded``. ``requests`` records every call:
    {"method", "path", "auth", "idempotency_key", "form"}."""

    def __init__(
        self,
        secret_key: str = "sk_test_fakeStripeSecret4242",  # noqa: S107
        publishable_key: str = "pk_test_fakeStripePublishable4242",
        webhook_secret: str = "whsec_fakeStripeWebhookSecret",  # noqa: S107
    ) -> None:
        self.secret_key, self.publishable_key, self.webhook_secret = secret_key, publishable_key, webhook_secret
        self.webhook_url = ""
        self.webhook_delay = 0.2
        self.requests: list[dict[str, Any]] = []
        self.customers: dict[str, dict[str, Any]] = {}
        self.setup_intents: dict[str, dict[str, Any]] = {}
        self.payment_methods: dict[str, dict[str, Any]] = {}
        self.sent_events: list[dict[str, Any]] = []  # {"event", "status"}: what the webhook answered
        self._idempotent: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self._lock = threading.RLock()
        self._timers: list[threading.Timer] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _stripe_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="FakeStripe", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def js_url(self) -> str:
        return f"{self.base_url}/v3/"

    def start(self) -> Self:
        self._thread.start()
        return self

    def wait_events(self) -> list[dict[str, Any]]:
        """Wait for the webhook deliveries on their way; returns every delivery so far."""
        for timer in list(self._timers):
            timer.join(timeout=10)
        with self._lock:
            return list(self.sent_events)

    def stop(self) -> None:
        self.wait_events()  # a delivery in flight finishes while the test's server is still up
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def calls(self, method: str, path_prefix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"].startswith(path_prefix)]

    # -- events --

    def event(self, kind: str, obj: dict[str, Any], *, event_id: str = "") -> dict[str, Any]:
        return {
            "id": event_id or "evt_" + secrets.token_hex(12),
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "type": kind,
            "data": {"object": obj},
        }

    def signature(self, payload: str, secret: str | None = None) -> str:
        import stripe

        return str(stripe.WebhookSignature.generate_signature_header(payload, secret or self.webhook_secret))

    def send_event(self, event: dict[str, Any]) -> int:
        """Post ``event`` to ``webhook_url``, signed as Stripe signs: returns the answer's status."""
        payload = json.dumps(event)
        request = urllib.request.Request(  # noqa: S310 (a test URL on this machine)
            self.webhook_url,
            data=payload.encode(),
            headers={"Content-Type": "application/json", "Stripe-Signature": self.signature(payload)},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            status = exc.code
        with self._lock:
            self.sent_events.append({"event": event, "status": status})
        return status

    def _emit_later(self, kind: str, obj: dict[str, Any]) -> None:
        if not self.webhook_url:
            return
        timer = threading.Timer(self.webhook_delay, self.send_event, args=(self.event(kind, dict(obj)),))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def ach_verify(self, setup_intent_id: str) -> int:
        """The client's microdeposits are verified: the SetupIntent succeeds and Stripe's
        ``setup_intent.succeeded`` is posted now. Returns the webhook's answer status."""
        with self._lock:
            intent = self.setup_intents[setup_intent_id]
            intent.update(status="succeeded", next_action=None)
            event = self.event("setup_intent.succeeded", dict(intent))
        return self.send_event(event)

    # -- the API --

    def answer(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(path)
        form = _form(parts.query if method == "GET" else body.decode())
        auth = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        key = headers.get("Idempotency-Key") or ""
        with self._lock:
            self.requests.append(
                {"method": method, "path": parts.path, "auth": auth, "idempotency_key": key, "form": form}
            )
            confirm = SETUP_INTENT_PATH.match(parts.path)
            allowed = (self.secret_key, self.publishable_key) if confirm and confirm["confirm"] else (self.secret_key,)
            if auth not in allowed:
                shown = f"{auth[:8]}****{auth[-4:]}" if auth else ""
                return _stripe_error(401, "invalid_request_error", f"Invalid API Key provided: {shown}")
            if key and (auth, key) in self._idempotent:
                return self._idempotent[(auth, key)]
            answer = self._route(method, parts.path, form)
            if key and method == "POST":
                self._idempotent[(auth, key)] = answer
            return answer

    def _route(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path in ("/v1/balance", "/v1/account"):
            return 200, {"object": "balance", "available": [{"amount": 0, "currency": "usd"}], "livemode": False}
        if method == "POST" and path == "/v1/customers":
            customer: dict[str, Any] = {
                "id": "cus_" + secrets.token_hex(7),
                "object": "customer",
                "name": form.get("name", ""),
                "email": form.get("email"),
                "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            }
            self.customers[customer["id"]] = customer
            return 200, customer
        if method == "POST" and path == "/v1/setup_intents":
            return self._setup_intent_create(form)
        match = SETUP_INTENT_PATH.match(path)
        if match:
            intent = self.setup_intents.get(match["id"])
            if intent is None:
                return _stripe_error(404, "invalid_request_error", f"No such setupintent: '{match['id']}'")
            if match["confirm"] and method == "POST":
                return self._confirm(intent, form)
            if method == "GET":
                shown = dict(intent)
                if "payment_method" in form.values() and intent.get("payment_method"):
                    shown["payment_method"] = self.payment_methods[intent["payment_method"]]
                return 200, shown
        match = PAYMENT_METHOD_PATH.match(path)
        if match:
            method_obj = self.payment_methods.get(match["id"])
            if method_obj is None:
                return _stripe_error(404, "invalid_request_error", f"No such PaymentMethod: '{match['id']}'")
            if match["detach"] and method == "POST":
                if not method_obj.get("customer"):
                    return _stripe_error(400, "invalid_request_error", "The payment method is not attached.")
                method_obj["customer"] = None
                self._emit_later("payment_method.detached", method_obj)
                return 200, method_obj
            if method == "GET":
                return 200, method_obj
        return _stripe_error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path})")

    def _setup_intent_create(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        customer = form.get("customer", "")
        if customer not in self.customers:
            return _stripe_error(400, "invalid_request_error", f"No such customer: '{customer}'")
        seti = "seti_" + secrets.token_hex(12)
        intent = {
            "id": seti,
            "object": "setup_intent",
            "client_secret": f"{seti}_secret_{secrets.token_hex(8)}",
            "customer": customer,
            "status": "requires_payment_method",
            "usage": form.get("usage", "off_session"),
            "payment_method": None,
            "payment_method_types": [v for k, v in sorted(form.items()) if k.startswith("payment_method_types[")],
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "last_setup_error": None,
            "next_action": None,
            "livemode": False,
        }
        self.setup_intents[seti] = intent
        return 200, intent

    def _confirm(self, intent: dict[str, Any], form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("client_secret") != intent["client_secret"]:
            return _stripe_error(400, "invalid_request_error", "The client_secret provided does not match.")
        kind = form.get("payment_method_data[type]", "")
        pm_id = "pm_" + secrets.token_hex(12)
        if kind == "card":
            number = form.get("payment_method_data[card][number]", "").replace(" ", "")
            month, _, year = form.get("payment_method_data[card][exp]", "12/34").partition("/")
            method_obj = {
                "id": pm_id,
                "object": "payment_method",
                "type": "card",
                "customer": intent["customer"],
                "card": {
                    "brand": {"4": "visa", "5": "mastercard", "3": "amex"}.get(number[:1], "unknown"),
                    "last4": number[-4:],
                    "exp_month": int(month or 12),
                    "exp_year": 2000 + int(year[-2:] or 34),
                    "funding": "credit",
                    "country": "US",
                },
            }
            if number == DECLINED_CARD:
                method_obj["customer"] = None
                self.payment_methods[pm_id] = method_obj
                intent.update(
                    status="requires_payment_method",
                    last_setup_error={
                        "type": "card_error",
                        "code": "card_declined",
                        "decline_code": "insufficient_funds",
                        "message": "Your card has insufficient funds.",
                        "payment_method": method_obj,
                    },
                )
                self._emit_later("setup_intent.setup_failed", intent)
                return 402, {"error": {**intent["last_setup_error"], "setup_intent": intent}}
            self.payment_methods[pm_id] = method_obj
            intent.update(status="succeeded", payment_method=pm_id, last_setup_error=None)
            self._emit_later("setup_intent.succeeded", intent)
            return 200, intent
        if kind == "us_bank_account":
            account = form.get("payment_method_data[us_bank_account][account_number]", "")
            self.payment_methods[pm_id] = {
                "id": pm_id,
                "object": "payment_method",
                "type": "us_bank_account",
                "customer": intent["customer"],
                "us_bank_account": {
                    "bank_name": "STRIPE TEST BANK",
                    "last4": account[-4:],
                    "account_type": "checking",
                    "routing_number": form.get("payment_method_data[us_bank_account][routing_number]", ""),
                },
            }
            intent.update(
                status="requires_action",
                payment_method=pm_id,
                next_action={
                    "type": "verify_with_microdeposits",
                    "verify_with_microdeposits": {
                        "arrival_date": int(time.time()) + 2 * 86400,
                        "hosted_verification_url": f"{self.base_url}/verify/{intent['id']}",
                        "microdeposit_type": "descriptor_code",
                    },
                },
            )
            return 200, intent
        return _stripe_error(400, "invalid_request_error", "Missing payment_method_data[type].")


def _stripe_handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, data: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            # The stand-in Stripe.js calls confirm from the portal page's origin, as Stripe.js does.
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.end_headers()
            self.wfile.write(data)

        def _api(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = fake.answer(method, self.path, self.headers, self.rfile.read(length))
            self._send(status, json.dumps(payload).encode())

        def do_GET(self) -> None:
            if urlsplit(self.path).path == "/v3/":
                self._send(200, STANDIN_JS.read_bytes(), "text/javascript")
                return
            self._api("GET")

        def do_POST(self) -> None:
            self._api("POST")

        def do_OPTIONS(self) -> None:
            self._send(204, b"")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# --- FreshBooks ---

FRESHBOOKS_CLIENTS_PATH = re.compile(r"^/accounting/account/(?P<account>[\w-]+)/users/clients$")
_INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI "
    "used in the authorization request, or was issued to another client."
)


def _freshbooks_errors(status: int, errno: int, message: str, field: str = "") -> tuple[int, dict[str, Any]]:
    """The accounting API's error shape (what the SDK reads into FreshBooksError)."""
    error = {"errno": errno, "field": field, "message": message, "object": "client", "value": ""}
    return status, {"response": {"errors": [error]}}


class FakeFreshbooks:
    """The parts of FreshBooks' API Portico calls, on 127.0.0.1 (a free port), for the official
    ``freshbooks-sdk`` (``FRESHBOOKS_API_URL`` / ``FRESHBOOKS_AUTH_URL`` at ``base_url``):

    - ``POST /auth/oauth/token``: the app's client id, secret and redirect URI; grant
      ``authorization_code`` (a code from ``code()``, accepted once) or ``refresh_token``: every
      refresh answers a NEW refresh token and the old one is refused from then on (invalid_grant),
      as FreshBooks rotates them. Access tokens last ``expires_in`` seconds (by ``time.time()``,
      so time-machine moves them too).
    - ``GET /auth/api/v1/users/me``: the identity, with one business membership (``account_id``,
      ``business_name``).
    - ``POST /accounting/account/<account_id>/users/clients``: creates a client (``clients`` keeps
      each one's fields and id; ``create_delay`` slows every create, to widen a race).

    A wrong or expired bearer token is a 401. ``fail_next(endpoint, status)`` answers the next call
    to ``"token"``, ``"me"`` or ``"create"`` with an error (401: bad token; 422: a validation error
    naming a field; any other status: a server error); ``stall_next(endpoint, seconds)`` answers late
    (a timeout for a client with a shorter one). ``requests`` records every call."""

    def __init__(
        self,
        client_id: str = "fake-freshbooks-client-id",
        client_secret: str = "fake-freshbooks-client-secret",  # noqa: S107
        redirect_uri: str = "http://testserver/freshbooks/callback/",
        account_id: str = "xZNQ1X",
        business_name: str = "Fake Books Ltd.",
    ) -> None:
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.account_id, self.business_name = account_id, business_name
        self.expires_in = 43200  # twelve hours, as FreshBooks answers
        self.create_delay = 0.0
        self.requests: list[dict[str, Any]] = []
        self.clients: list[dict[str, Any]] = []
        self.access_tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.refresh_tokens: dict[str, bool] = {}  # token -> still usable
        self._codes: set[str] = set()
        self._failures: dict[str, list[int]] = {}
        self._stalls: dict[str, list[float]] = {}
        self._next_id = 1000
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _freshbooks_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="FakeFreshbooks", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- what tests use --

    def code(self) -> str:
        """A fresh authorization code, as FreshBooks puts in the redirect after the person allows access."""
        code = secrets.token_hex(16)
        with self._lock:
            self._codes.add(code)
        return code

    def fail_next(self, endpoint: str, status: int = 500) -> None:
        with self._lock:
            self._failures.setdefault(endpoint, []).append(status)

    def stall_next(self, endpoint: str, seconds: float) -> None:
        with self._lock:
            self._stalls.setdefault(endpoint, []).append(seconds)

    def calls(self, endpoint: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["endpoint"] == endpoint]

    def refresh_usable(self, token: str) -> bool:
        return self.refresh_tokens.get(token, False)

    # -- the server side --

    def answer(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        route = urlsplit(path).path
        if method == "POST" and route == "/auth/oauth/token":
            endpoint = "token"
        elif method == "GET" and route == "/auth/api/v1/users/me":
            endpoint = "me"
        elif method == "POST" and FRESHBOOKS_CLIENTS_PATH.match(route):
            endpoint = "create"
        else:
            return 404, {"error": "not_found", "error_description": f"No route {method} {route}"}
        with self._lock:
            self.requests.append({"endpoint": endpoint, "method": method, "path": route})
            failure = self._failures[endpoint].pop(0) if self._failures.get(endpoint) else None
            stall = self._stalls[endpoint].pop(0) if self._stalls.get(endpoint) else 0.0
        if stall:
            time.sleep(stall)
        if endpoint == "token":
            return self._token(_form(body.decode()), failure)
        if not self._bearer_ok(headers):
            if endpoint == "me":
                return 401, {"error": "unauthenticated", "error_description": "This action requires authentication."}
            return _freshbooks_errors(
                401, 1003, "The server could not verify that you are authorized to access the URL."
            )
        if endpoint == "me":
            return self._me(failure)
        match = FRESHBOOKS_CLIENTS_PATH.match(route)
        assert match is not None
        return self._create(match["account"], body, failure)

    def _bearer_ok(self, headers: Any) -> bool:
        auth = headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ")
        with self._lock:
            expiry = self.access_tokens.get(token)
        return expiry is not None and expiry > time.time()

    def _issue(self) -> dict[str, Any]:
        access, refresh = "fbat_" + secrets.token_hex(16), "fbrt_" + secrets.token_hex(16)
        now = time.time()
        self.access_tokens[access] = now + self.expires_in
        self.refresh_tokens[refresh] = True
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": refresh,
            "scope": "user:profile:read user:clients:read user:clients:write",
            "created_at": int(now),
        }

    def _token(self, form: dict[str, str], failure: int | None) -> tuple[int, dict[str, Any]]:
        if failure is not None:
            return failure, {"error": "server_error", "error_description": "FreshBooks is having a moment."}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed."}
        if form.get("redirect_uri") != self.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "The redirect uri included is not valid."}
        grant = form.get("grant_type")
        with self._lock:
            if grant == "authorization_code" and form.get("code") in self._codes:
                self._codes.discard(form["code"])
                return 200, self._issue()
            if grant == "refresh_token" and self.refresh_tokens.get(form.get("refresh_token", "")):
                self.refresh_tokens[form["refresh_token"]] = False  # rotated: the old one is refused from now on
                return 200, self._issue()
        return 400, {"error": "invalid_grant", "error_description": _INVALID_GRANT}

    def _me(self, failure: int | None) -> tuple[int, dict[str, Any]]:
        if failure is not None:
            return failure, {"error": "server_error", "error_description": "FreshBooks is having a moment."}
        business = {"id": 77, "name": self.business_name, "account_id": self.account_id, "business_uuid": "b-77"}
        return 200, {
            "response": {
                "id": 5,
                "identity_id": 5,
                "first_name": "Fay",
                "last_name": "Books",
                "email": "owner@fakebooks.test",
                "business_memberships": [{"id": 11, "role": "owner", "business": business}],
            }
        }

    def _create(self, account: str, body: bytes, failure: int | None) -> tuple[int, dict[str, Any]]:
        if failure == 401:
            return _freshbooks_errors(
                401, 1003, "The server could not verify that you are authorized to access the URL."
            )
        if failure == 422:
            return _freshbooks_errors(422, 1001, "Invalid email address.", field="email")
        if failure is not None:
            return _freshbooks_errors(failure, 5000, "An internal error occurred. Please try again later.")
        if account != self.account_id:
            return _freshbooks_errors(404, 1012, "Account not found.")
        try:
            data = json.loads(body)["client"]
        except (ValueError, KeyError, TypeError):
            return _freshbooks_errors(400, 2001, "Invalid JSON: a client object is required.")
        if not any(data.get(k) for k in ("organization", "fname", "lname", "email")):
            return _freshbooks_errors(422, 1001, "Either a name, an organization or an email is required.")
        if self.create_delay:
            time.sleep(self.create_delay)
        with self._lock:
            self._next_id += 1
            client = {**data, "id": self._next_id, "userid": self._next_id, "vis_state": 0}
            self.clients.append(client)
        return 200, {"response": {"result": {"client": client}}}


def _freshbooks_handler(fake: FakeFreshbooks) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _api(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = fake.answer(method, self.path, self.headers, self.rfile.read(length))
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

        def do_GET(self) -> None:
            self._api("GET")

        def do_POST(self) -> None:
            self._api("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
