"""The public verification page: upload a signed agreement's PDF and Portico says whether it is
intact, which agreement it is and who signed when (``verify.pdf_verify``). No sign-in; uploads are
size-limited, must be PDFs, and are rate limited per IP address like the other public forms."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portico.agreements.verify import pdf_verify
from portico.core.actors import client_ip
from portico.leads.public import rate_window

MAX_BYTES = 10 * 1024 * 1024
RATE_LIMIT = 20  # uploads per IP address …
RATE_SECONDS = 600  # … per ten minutes


def agreement_verify(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"max_mb": MAX_BYTES // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "agreements/verify.html", context)
    if not rate_window(f"agreement-verify:{client_ip(request) or '-'}", RATE_LIMIT, RATE_SECONDS):
        context["error"] = _("Too many files checked from your address. Try again in a few minutes.")
        return render(request, "agreements/verify.html", context, status=429)
    upload = request.FILES.get("file")
    error = ""
    data = b""
    if upload is None:
        error = _("Choose the PDF file to check.")
    elif upload.size is None or upload.size > MAX_BYTES:
        error = _("The file is too large: at most %(mb)s MB.") % {"mb": context["max_mb"]}
    else:
        data = upload.read(MAX_BYTES + 1)
        if not data.startswith(b"%PDF"):
            error = _("This is not a PDF file.")
    if error:
        context["error"] = error
        return render(request, "agreements/verify.html", context, status=400)
    context.update(result=pdf_verify(data), filename=(upload.name or "")[:100] if upload else "")
    return render(request, "agreements/verify_result.html", context)
