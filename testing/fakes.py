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
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
