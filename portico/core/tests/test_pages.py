"""Home, search, the error pages and the layout."""

from django.urls import reverse

from portico.core.actors import Actor
from portico.orgs.actions import membership_add


def test_home_sends_you_to_your_only_organization(client, org_a):
    client.force_login(org_a.admin)
    assert client.get(reverse("home"))["Location"] == reverse("org_dashboard", args=["alpha"])


def test_home_lets_a_person_in_two_organizations_choose_then_remembers(client, org_a, org_b):
    membership_add(org=org_b.org, user=org_a.admin, role=org_b.roles["Sales"], actor=Actor.system())
    client.force_login(org_a.admin)
    response = client.get(reverse("home"))
    assert b"Choose an organization" in response.content and b"Beta Org" in response.content
    client.get(reverse("org_dashboard", args=["beta"]))
    assert client.get(reverse("home"))["Location"] == reverse("org_dashboard", args=["beta"])
    # The switcher in the navigation bar lists both.
    page = client.get(reverse("org_dashboard", args=["alpha"])).content
    assert b"Switch organization" in page and b"/o/beta/" in page


def test_the_navigation_shows_the_org_search_and_bell(client, org_a):
    client.force_login(org_a.admin)
    page = client.get(reverse("org_dashboard", args=["alpha"])).content.decode()
    assert "Alpha Org" in page and 'action="/o/alpha/search/"' in page and "Notifications" in page
    assert 'name="viewport" content="width=device-width' in page and "htmx-2.0.11.min.js" in page


def test_search_with_no_match_says_so(client, org_a):
    client.force_login(org_a.readonly)
    response = client.get(reverse("search", args=["alpha"]), {"q": "Maria"})
    assert response.status_code == 200 and "No client matches “Maria”".encode() in response.content


def test_the_sub_navigation_only_shows_what_the_role_may_open(client, org_a):
    client.force_login(org_a.readonly)
    page = client.get(reverse("org_dashboard", args=["alpha"])).content
    assert b"/o/alpha/roles/" not in page and b"/o/alpha/audit/" not in page
    client.force_login(org_a.admin)
    page = client.get(reverse("org_dashboard", args=["alpha"])).content
    assert b"/o/alpha/roles/" in page and b"/o/alpha/audit/" in page


def test_404_page_is_in_the_product_style(client, org_a):
    client.force_login(org_a.admin)
    response = client.get("/o/nowhere/")
    assert response.status_code == 404 and b"This page does not exist" in response.content


def test_403_page_names_the_missing_permission(client, org_a):
    client.force_login(org_a.readonly)
    response = client.get(reverse("audit_log", args=["alpha"]))
    assert response.status_code == 403
    assert b"View audit log" in response.content and b"audit.view" in response.content


def test_500_page_is_plain_html_without_template_logic(client):
    from pathlib import Path

    from django.conf import settings

    html = (Path(settings.BASE_DIR) / "portico/templates/500.html").read_text()
    assert "{%" not in html and "Something went wrong" in html


def test_healthz(client, db):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_htmx_is_the_pinned_npm_release():
    """portico/static/portico/htmx-2.0.11.min.js is htmx.org@2.0.11's dist/htmx.min.js from npm."""
    import hashlib
    from pathlib import Path

    from django.conf import settings

    data = (Path(settings.BASE_DIR) / "portico/static/portico/htmx-2.0.11.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
