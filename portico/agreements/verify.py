"""What the verification page says about an uploaded PDF: is it a signed copy this installation
issued, unchanged, and what does it record.

A file is intact when all of these hold: its SHA-256 is an agreement's ``signed_hash``; its
Portico seal is intact, covers the whole file and was made with this installation's certificate
(``seal.pdf_check``); and that agreement's event chain verifies (``chain.chain_verify``). A file
whose hash is an agreement's unsigned document is recognised as such.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from portico.agreements.chain import ChainVerdict, chain_verify
from portico.agreements.models import Agreement, AgreementSignature
from portico.agreements.seal import SealVerdict, pdf_check


@dataclass(frozen=True)
class Verification:
    sha256: str
    seal: SealVerdict
    agreement: Agreement | None = None
    signature: AgreementSignature | None = None
    chain: ChainVerdict | None = None
    unsigned_of: Agreement | None = None  # the file is this agreement's document as sent, not signed

    @property
    def intact(self) -> bool:
        return self.agreement is not None and self.seal.ok and self.chain is not None and self.chain.intact


def pdf_verify(data: bytes) -> Verification:
    digest = hashlib.sha256(data).hexdigest()
    seal = pdf_check(data)
    agreement = Agreement.objects.select_related("org", "client").filter(signed_hash=digest).first()
    if agreement is None:
        unsigned = Agreement.objects.select_related("org").filter(document_hash=digest).first()
        return Verification(sha256=digest, seal=seal, unsigned_of=unsigned)
    signature = AgreementSignature.objects.filter(agreement=agreement).first()
    return Verification(
        sha256=digest, seal=seal, agreement=agreement, signature=signature, chain=chain_verify(agreement)
    )
