"""Each person chooses their language (English or Spanish)."""

from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent


def test_choosing_spanish_translates_the_interface(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(reverse("profile"), {"full_name": "Alex Admin", "language": "es"}, follow=True)
    assert response.status_code == 200
    org_a.admin.refresh_from_db()
    assert org_a.admin.language == "es"
    page = client.get(reverse("org_dashboard", args=["alpha"])).content.decode()
    assert 'lang="es"' in page and "Ajustes" in page and "Registro de auditoría" in page
    assert AuditEvent.objects.get(action=AuditAction.USER_PROFILE_CHANGED).detail["language"] == {
        "from": "",
        "to": "es",
    }


def test_the_users_choice_beats_the_browser(client, org_a):
    org_a.admin.language = "en"
    org_a.admin.save()
    client.force_login(org_a.admin)
    page = client.get(reverse("org_dashboard", args=["alpha"]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="en"' in page


def test_without_a_choice_the_browser_language_is_used(client, org_a):
    client.force_login(org_a.admin)
    page = client.get(reverse("org_dashboard", args=["alpha"]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in page


def test_an_empty_name_is_refused(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(reverse("profile"), {"full_name": "", "language": ""})
    assert response.status_code == 200 and b"This field is required" in response.content
