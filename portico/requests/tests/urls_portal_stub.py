"""portico.urls, plus a stand-in for the client portal's request page (``portal_request_detail``,
which staff replies link to) while the portal pages are not in this branch. Once the real page
exists, this adds nothing."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, URLPattern, URLResolver, path, reverse

from portico import urls

urlpatterns: list[URLPattern | URLResolver] = list(urls.urlpatterns)
try:
    reverse("portal_request_detail", args=["x", 1], urlconf=urls)
except NoReverseMatch:
    urlpatterns.append(
        path(
            "portal/<slug:org_slug>/requests/<int:request_id>/",
            lambda request, org_slug, request_id: HttpResponse(),
            name="portal_request_detail",
        )
    )
