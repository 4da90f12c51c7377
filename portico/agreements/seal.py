"""The installation's seal: a PDF digital signature (pyHanko) over the signed agreement.

``pdf_seal`` appends the audit certificate's pages to the **original document bytes** as an
incremental update (the sealed file begins with exactly the bytes the client read and whose
SHA-256 they signed), then signs the whole file with the installation's certificate, with an
RFC 3161 timestamp when ``AGREEMENT_TSA_URL`` is set. ``pdf_check`` answers the verification
page: is the seal intact, does it cover the whole file, was it made with this installation's
certificate (the trust roots: the current one and the earlier ones still listed in
``AGREEMENT_SEAL_PREVIOUS_CERT_FILES``, so a renewal keeps older copies verifiable; checked at the
time the copy was sealed, not now), and what does the timestamp say (trusted only when its
authority chains to ``AGREEMENT_TSA_ROOTS``; otherwise "intact, authority not verified").

The certificate is a PKCS#12 file with its passphrase (``AGREEMENT_SEAL_PKCS12_FILE``,
``AGREEMENT_SEAL_PASSPHRASE``: what certificate vendors sell) or PEM files
(``AGREEMENT_SEAL_CERT_FILE``, ``AGREEMENT_SEAL_KEY_FILE``; ``manage.py seal_certificate`` makes a
self-signed pair). Missing or unreadable: ``SealNotConfigured``, a clear configuration error (and
a system check warning, ``check_seal_certificate``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.checks import Warning
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from portico.core.errors import PorticoError

logger = logging.getLogger(__name__)

SEAL_FIELD = "Portico seal"


class SealNotConfigured(PorticoError):
    """No usable seal certificate: the installation must make or load one."""

    status_code = 500


@dataclass(frozen=True)
class SealKey:
    certificate: asn1_x509.Certificate
    key: asn1_keys.PrivateKeyInfo
    private: Any  # the same key, parsed (cryptography)
    chain: tuple[asn1_x509.Certificate, ...] = ()


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: Any) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der)


def _key_source() -> tuple[object, ...]:
    """What the loaded key depends on: the settings and the files' modification times."""
    p12 = settings.AGREEMENT_SEAL_PKCS12_FILE
    paths = [Path(p12)] if p12 else [Path(settings.AGREEMENT_SEAL_CERT_FILE), Path(settings.AGREEMENT_SEAL_KEY_FILE)]
    stamps = tuple(p.stat().st_mtime_ns if p.exists() else None for p in paths)
    return (p12, settings.AGREEMENT_SEAL_PASSPHRASE, *map(str, paths), *stamps)


_loaded: dict[tuple[object, ...], SealKey] = {}
_loaded_lock = threading.Lock()


def seal_key_load() -> SealKey:
    """The installation's certificate and key, from the PKCS#12 file if set, else the PEM files.
    Kept per process until the settings or files change (parsing an RSA key costs ~100 ms)."""
    source = _key_source()
    with _loaded_lock:
        if source not in _loaded:
            _loaded.clear()
            _loaded[source] = _seal_key_read()
        return _loaded[source]


def certificate_sha256(certificate: asn1_x509.Certificate) -> str:
    """The certificate's SHA-256 fingerprint (of its DER bytes), as recorded in the SEALED event."""
    return hashlib.sha256(certificate.dump()).hexdigest()


def _pem_certificates(paths: str) -> list[asn1_x509.Certificate]:
    """The certificates in a comma-separated list of PEM files (a missing or bad file is a
    configuration error, said clearly)."""
    out: list[asn1_x509.Certificate] = []
    for raw in paths.split(","):
        if not raw.strip():
            continue
        try:
            out.extend(_asn1(c) for c in x509.load_pem_x509_certificates(Path(raw.strip()).read_bytes()))
        except (OSError, ValueError) as exc:
            raise SealNotConfigured(f"The certificate file {raw.strip()} cannot be read: {exc}.") from exc
    return out


def _seal_key_read() -> SealKey:
    p12 = settings.AGREEMENT_SEAL_PKCS12_FILE
    try:
        if p12:
            passphrase = settings.AGREEMENT_SEAL_PASSPHRASE.encode() or None
            key, cert, extra = pkcs12.load_key_and_certificates(Path(p12).read_bytes(), passphrase)
            if key is None or cert is None:
                raise ValueError("the PKCS#12 file holds no key and certificate")
            return SealKey(_asn1(cert), _asn1_key(key), key, tuple(_asn1(c) for c in extra))
        cert_pem = Path(settings.AGREEMENT_SEAL_CERT_FILE).read_bytes()
        key_pem = Path(settings.AGREEMENT_SEAL_KEY_FILE).read_bytes()
        certs = x509.load_pem_x509_certificates(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
        return SealKey(_asn1(certs[0]), _asn1_key(key), key, tuple(_asn1(c) for c in certs[1:]))
    except (OSError, ValueError, TypeError) as exc:
        where = p12 or f"{settings.AGREEMENT_SEAL_CERT_FILE} + {settings.AGREEMENT_SEAL_KEY_FILE}"
        raise SealNotConfigured(
            f"The agreement seal certificate cannot be loaded from {where}: {exc}. Run `manage.py seal_certificate` "
            "(development) or set AGREEMENT_SEAL_PKCS12_FILE and AGREEMENT_SEAL_PASSPHRASE (or the PEM files).",
            code="seal_not_configured",
        ) from exc


class _SealSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner with the key parsed once: it parses the key again for every
    signature, and sizes the signature first with a dry run (two parses, ~200 ms per seal)."""

    def __init__(self, seal: SealKey) -> None:
        super().__init__(
            signing_cert=seal.certificate,
            signing_key=seal.key,
            cert_registry=SimpleCertificateStore.from_certs([seal.certificate, *seal.chain]),
        )
        self._private = seal.private

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._private, rsa.RSAPrivateKey):
            return self._private.sign(data, PKCS1v15(), hash_algorithm)
        if isinstance(self._private, ec.EllipticCurvePrivateKey):
            return self._private.sign(data, ec.ECDSA(hash_algorithm))
        return self.sign_raw(data, digest_algorithm)


def check_seal_certificate(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """System check: signed agreements cannot be sealed without the certificate."""
    try:
        seal_key_load()
    except SealNotConfigured as exc:
        return [
            Warning(
                str(exc.message),
                hint="Signed agreements stay unsealed (the sweep seals them once a certificate is there).",
                id="portico.W030",
            )
        ]
    return []


# --- making a certificate (manage.py seal_certificate, tests) ---


def seal_certificate_make(common_name: str, *, kind: str = "rsa", days: int = 3650) -> tuple[Any, x509.Certificate]:
    """A self-signed seal certificate: (private key, certificate). Key usage: digital signature and
    content commitment (non-repudiation), as a document seal needs."""
    key: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa" else None
    if kind == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
    if key is None:
        raise ValueError(f"unknown key kind {kind!r} (rsa or ec)")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def seal_certificate_write_pem(key: Any, cert: x509.Certificate, *, cert_file: Path, key_file: Path) -> None:
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)


def seal_certificate_write_pkcs12(key: Any, cert: x509.Certificate, *, path: Path, passphrase: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"portico-seal", key, cert, None, encryption))
    path.chmod(0o600)


# --- sealing ---


def _append_pages(writer: IncrementalPdfFileWriter, pages_pdf: bytes) -> None:
    """Each page of ``pages_pdf`` becomes a new last page of the document: its content imported
    as a form XObject and drawn on a page of the same size."""
    reader = PdfFileReader(io.BytesIO(pages_pdf))
    count = int(reader.root["/Pages"]["/Count"])
    for index in range(count):
        source_ref, _resources = reader.find_page_for_modification(index)
        box = source_ref.get_object()["/MediaBox"]
        xobject = writer.import_page_as_xobject(reader, page_ix=index)
        contents = writer.add_object(generic.StreamObject(stream_data=b"q /PorticoCert Do Q"))
        page = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Page"),
                pdf_name("/MediaBox"): generic.ArrayObject([generic.FloatObject(float(v)) for v in box]),
                pdf_name("/Resources"): generic.DictionaryObject(
                    {pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/PorticoCert"): xobject})}
                ),
                pdf_name("/Contents"): contents,
            }
        )
        writer.insert_page(page)


def pdf_seal(document: bytes, certificate_pages: bytes, *, reason: str, location: str) -> bytes:
    """The document with the certificate pages appended (an incremental update of its exact bytes),
    signed with the installation's seal; timestamped by ``AGREEMENT_TSA_URL`` when set."""
    seal = seal_key_load()
    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    _append_pages(writer, certificate_pages)
    signer = _SealSigner(seal)
    tsa = timestamps.HTTPTimeStamper(settings.AGREEMENT_TSA_URL) if settings.AGREEMENT_TSA_URL else None
    meta = signers.PdfSignatureMetadata(field_name=SEAL_FIELD, reason=reason[:200], location=location[:200])
    out = io.BytesIO()
    signers.sign_pdf(writer, meta, signer=signer, timestamper=tsa, output=out)
    return out.getvalue()


# --- checking ---


@dataclass(frozen=True)
class SealVerdict:
    found: bool = False  # a Portico seal signature is in the file
    intact: bool = False  # the signed bytes are unchanged
    whole_file: bool = False  # the seal covers the entire file (nothing appended after it)
    ours: bool = False  # made with this installation's certificate (the current one or a listed earlier one)
    signer: str = ""
    certificate_sha256: str = ""  # the sealing certificate's fingerprint
    signed_at: dt.datetime | None = None  # the signer's claimed time
    timestamp: dt.datetime | None = None  # the RFC 3161 time, when there is one
    timestamp_intact: bool = False  # the token is unchanged and covers this seal
    timestamp_trusted: bool = False  # … and its authority chains to AGREEMENT_TSA_ROOTS
    timestamp_authority: str = ""
    problem: str = ""

    @property
    def timestamp_required_trust(self) -> bool:
        """Whether the installation names its trusted time-stamp authorities."""
        return bool(settings.AGREEMENT_TSA_ROOTS)

    @property
    def ok(self) -> bool:
        timestamp_ok = self.timestamp is None or not self.timestamp_required_trust or self.timestamp_trusted
        return self.found and self.intact and self.whole_file and self.ours and timestamp_ok


def _sealed_at(embedded: EmbeddedPdfSignature) -> dt.datetime | None:
    """When the copy was sealed: the timestamp token's time, else the time the seal states."""
    for signed_data in extract_tst_data_iter(embedded.signer_info, signed=False):
        gen_time: dt.datetime = signed_data["encap_content_info"]["content"].parsed["gen_time"].native
        return gen_time
    return embedded.self_reported_timestamp


def pdf_check(data: bytes) -> SealVerdict:
    """What the file's Portico seal says, checked against this installation's certificates (the
    current and the earlier listed ones) as they stood when it was sealed."""
    try:
        seal = seal_key_load()
        trusted = [seal.certificate, *_pem_certificates(settings.AGREEMENT_SEAL_PREVIOUS_CERT_FILES)]
        tsa_roots = _pem_certificates(settings.AGREEMENT_TSA_ROOTS)
    except SealNotConfigured:
        return SealVerdict(problem="no seal certificate is configured here")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = [s for s in reader.embedded_signatures if s.field_name == SEAL_FIELD]
        if not signatures:
            return SealVerdict(problem="the file carries no Portico seal")
        embedded = signatures[-1]
        moment = _sealed_at(embedded)
        context = ValidationContext(trust_roots=trusted, allow_fetching=False, moment=moment)
        ts_context = ValidationContext(trust_roots=tsa_roots, allow_fetching=False, moment=moment)
        status = validate_pdf_signature(embedded, context, ts_validation_context=ts_context)
    except (PdfError, SigningError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        logger.info("seal check failed: %s", exc)
        return SealVerdict(problem="the file cannot be read as a sealed PDF")
    known = {c.dump() for c in trusted}
    ours = status.signing_cert.dump() in known and status.trusted
    tsv = status.timestamp_validity
    return SealVerdict(
        found=True,
        intact=bool(status.intact and status.valid),
        whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        ours=bool(ours),
        signer=status.signing_cert.subject.human_friendly,
        certificate_sha256=certificate_sha256(status.signing_cert),
        signed_at=status.signer_reported_dt,
        timestamp=tsv.timestamp if tsv is not None else None,
        timestamp_intact=bool(tsv is not None and tsv.intact and tsv.valid),
        timestamp_trusted=bool(tsv is not None and tsv.intact and tsv.valid and tsa_roots and tsv.trusted),
        timestamp_authority=tsv.signing_cert.subject.human_friendly if tsv is not None else "",
    )
