"""The URL conf with the metrics and FreshBooks apps' customer pages stood in for (their names and
paths are the contract's), so the customers pages can be tested as they render once merged."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portico.web import urls as web_urls


def _stand_in(request: HttpRequest, org_slug: str, customer_id: int) -> HttpResponse:
    return HttpResponse("stand-in")


urlpatterns = [
    path("o/<slug:org_slug>/customers/<int:customer_id>/score/", _stand_in, name="customer_score_update"),
    path("o/<slug:org_slug>/customers/<int:customer_id>/score/panel/", _stand_in, name="customer_score_panel"),
    path("o/<slug:org_slug>/customers/<int:customer_id>/freshbooks/", _stand_in, name="customer_freshbooks_connect"),
    *web_urls.urlpatterns,
]
