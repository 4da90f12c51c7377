"""The public verification page: upload a signed agreement's PDF and Portico says whether it is
intact, which agreement it is and who signed when (``verify.pdf_verify``). No sign-in; uploads are
size-limited while they arrive (``UploadCap``: nothing past ``MAX_BYTES`` is stored), must be
PDFs, and are rate limited per IP address like the other public forms."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from portico.agreements.verify import pdf_verify
from portico.core.actors import client_ip
from portico.leads.public import rate_window

MAX_BYTES = 10 * 1024 * 1024
RATE_LIMIT = 20  # uploads per IP address …
RATE_SECONDS = 600  # … per ten minutes


class UploadCap(FileUploadHandler):
    """First of the request's upload handlers: counts the file's bytes as they arrive and stops
    the upload past MAX_BYTES, before the next handlers (memory, temporary file) store more. The
    rest of the body is read and dropped (the client then gets the page's answer, not a reset)."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


@csrf_exempt  # the CSRF check reads the body: it runs below, once the cap is in place
def agreement_verify(request: HttpRequest) -> HttpResponse:
    cap = UploadCap(request)
    request.upload_handlers = [cap, *request.upload_handlers]
    return _verify(request, cap)


@csrf_protect
def _verify(request: HttpRequest, cap: UploadCap) -> HttpResponse:
    context: dict[str, object] = {"max_mb": MAX_BYTES // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "agreements/verify.html", context)
    if not rate_window(f"agreement-verify:{client_ip(request) or '-'}", RATE_LIMIT, RATE_SECONDS):
        context["error"] = _("Too many files checked from your address. Try again in a few minutes.")
        return render(request, "agreements/verify.html", context, status=429)
    upload = request.FILES.get("file")
    error = ""
    data = b""
    if cap.too_large or (upload is not None and (upload.size is None or upload.size > MAX_BYTES)):
        error = _("The file is too large: at most %(mb)s MB.") % {"mb": context["max_mb"]}
    elif upload is None:
        error = _("Choose the PDF file to check.")
    else:
        data = upload.read(MAX_BYTES + 1)
        if not data.startswith(b"%PDF"):
            error = _("This is not a PDF file.")
    if error:
        context["error"] = error
        return render(request, "agreements/verify.html", context, status=400)
    context.update(result=pdf_verify(data), filename=(upload.name or "")[:100] if upload else "")
    return render(request, "agreements/verify_result.html", context)
