from pathlib import Path

from django.conf import settings

from portico.audit.transitions import render_markdown

DOCS = Path(settings.BASE_DIR) / "docs"


def test_state_machine_diagrams_match_the_transition_tables():
    written = (DOCS / "state-machines.md").read_text()
    assert written == render_markdown(), "run: python manage.py render_state_machines"


def test_architecture_names_every_portico_app():
    text = (DOCS / "architecture.md").read_text()
    apps = [app.split(".")[-1] for app in settings.INSTALLED_APPS if app.startswith("portico.")]
    missing = [app for app in apps if f"`{app}`" not in text]
    assert not missing, f"docs/architecture.md does not describe: {missing}"


def test_the_committed_openapi_document_matches_the_api():
    import json

    from portico.web.api import api

    written = json.loads((DOCS / "api" / "openapi.json").read_text())
    assert written == json.loads(json.dumps(api.get_openapi_schema())), "run: python manage.py export_openapi"
