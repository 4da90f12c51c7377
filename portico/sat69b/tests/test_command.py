"""`manage.py sat69b_import FILE_OR_URL` and the scheduled download (a local HTTP server stands
in for the SAT's site: the tests never reach the real one)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from portico.sat69b import download
from portico.sat69b.actions import sat69b_schedule
from portico.sat69b.models import Sat69bEntry, Sat69bImport
from portico.sat69b.tests.factories import SAMPLE, sample_bytes, sample_import
from testing.world import run_tasks

pytestmark = pytest.mark.django_db


class _Handler(BaseHTTPRequestHandler):
    bodies: dict[str, bytes] = {}

    def do_GET(self) -> None:
        body = self.bodies.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sat_site() -> Iterator[str]:
    _Handler.bodies = {"/69b.csv": sample_bytes(), "/big.csv": b"x" * 5000}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _run(*args: str) -> str:
    out = StringIO()
    call_command("sat69b_import", *args, stdout=out)
    return out.getvalue()


def test_import_from_a_local_file():
    out = _run(str(SAMPLE))
    assert "10 rows" in out
    assert Sat69bEntry.objects.count() == 10
    assert Sat69bImport.objects.get().source == str(SAMPLE)


def test_import_from_a_url(sat_site):
    out = _run(f"{sat_site}/69b.csv")
    assert "10 rows" in out
    assert Sat69bImport.objects.get().source == f"{sat_site}/69b.csv"


def test_a_missing_file_a_missing_page_and_a_bad_file_change_nothing(sat_site, tmp_path):
    sample_import()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"hello")
    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError, match="could not be downloaded"):
        _run(f"{sat_site}/absent.csv")
    with pytest.raises(CommandError, match="no header row"):
        _run(str(bad))
    assert Sat69bImport.objects.count() == 1
    assert Sat69bEntry.objects.count() == 10


def test_a_download_over_the_size_limit_is_refused(sat_site):
    with pytest.raises(Exception, match="larger than"):
        download.download(f"{sat_site}/big.csv", limit=1000)
    with pytest.raises(Exception, match="Only http"):
        download.download("file:///etc/passwd")


def test_the_schedule_is_off_without_a_url(settings):
    settings.SAT69B_URL = ""
    assert sat69b_schedule() == 0


def test_the_sweep_queues_one_download_when_due_and_the_worker_imports_it(settings, sat_site):
    settings.SAT69B_URL = f"{sat_site}/69b.csv"
    settings.SAT69B_EVERY_HOURS = 24
    assert sat69b_schedule() == 1
    assert sat69b_schedule() == 0  # already on its way
    run_tasks()
    imported = Sat69bImport.objects.get()
    assert imported.row_count == 10 and imported.source == settings.SAT69B_URL
    assert sat69b_schedule() == 0  # fresh
    Sat69bImport.objects.update(imported_at=timezone.now() - timedelta(hours=25))
    assert sat69b_schedule() == 1
