"""A PDF Portico made leaves as a download no cache keeps."""

from __future__ import annotations

from portico.core.files import CACHE_NONE, pdf_download_response


def test_pdf_download_response_is_an_uncached_attachment():
    response = pdf_download_response(b"%PDF-1.7 x", "estimate-3-v1.pdf")
    assert response.content == b"%PDF-1.7 x"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="estimate-3-v1.pdf"'
    assert response["Cache-Control"] == CACHE_NONE
    assert response["X-Content-Type-Options"] == "nosniff"
