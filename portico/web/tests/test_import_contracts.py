"""The layers contract is enforced: `make lint` (lint-imports) fails on a backward import, on an
app missing from the layers list, and on another app's views or private names."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture
def project(tmp_path):
    """A copy of the Python sources and the contracts, to break on purpose."""
    for name in ("portico", "testing", "lint"):
        shutil.copytree(
            ROOT / name,
            tmp_path / name,
            ignore=shutil.ignore_patterns("*.pyc", "__pycache__", "static", "templates", "locale"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(project: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(project)},
    )
    result.stdout = " ".join(result.stdout.split())  # lines are wrapped at the terminal's width
    return result


def test_the_contracts_hold_for_the_code_as_it_is(project):
    result = _lint(project)
    assert result.returncode == 0, result.stdout


def test_a_backward_import_breaks_the_layers_contract(project):
    (project / "portico" / "clients" / "backward.py").write_text("from portico.invitations import models\n")
    result = _lint(project)
    assert result.returncode != 0
    assert "portico.clients is not allowed to import portico.invitations" in result.stdout


def test_a_new_app_must_be_placed_in_the_layers(project):
    (project / "portico" / "unplaced").mkdir()
    (project / "portico" / "unplaced" / "__init__.py").write_text("")
    result = _lint(project)
    assert result.returncode != 0 and "portico.unplaced" in result.stdout


def test_another_apps_views_and_private_names_are_out_of_bounds(project):
    (project / "portico" / "web" / "reach.py").write_text(
        "from portico.clients.views import client_list\nfrom portico.clients.selectors import _in_org\n"
    )
    result = _lint(project)
    assert result.returncode != 0
    assert "imports another app's views: portico.clients.views" in result.stdout
    assert "imports private names of portico.clients.selectors: ['_in_org']" in result.stdout
