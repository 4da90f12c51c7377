"""Settings → SAT 69-B: the list in use (newest import: date, rows, screenings changed), the
schedule, and (support operators only) uploading a new list.

The list is the installation's, shared by every organization: an organization's administrator
sees its state, but replacing it would change every organization's screening, so uploads are for
the installation's operators (the scheduled download and ``manage.py sat69b_import`` are the
other ways in)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.core.errors import PorticoError
from portico.orgs.context import SUPPORT, org_actor, org_view
from portico.orgs.permissions import Permission
from portico.sat69b import actions
from portico.sat69b.download import MAX_BYTES
from portico.sat69b.forms import Sat69bUploadForm
from portico.sat69b.models import Sat69bEntry, Sat69bImport


@org_view(Permission.ORG_SETTINGS)
def sat69b_status(request: HttpRequest) -> HttpResponse:
    imports = list(Sat69bImport.objects.order_by("-imported_at", "-id")[:10])
    return render(
        request,
        "sat69b/status.html",
        {
            "latest": imports[0] if imports else None,
            "imports": imports,
            "entries": Sat69bEntry.objects.count(),
            "scheduled_url": settings.SAT69B_URL,
            "every_hours": settings.SAT69B_EVERY_HOURS,
            "form": Sat69bUploadForm(),
            "can_upload": request.user.is_operator,  # type: ignore[union-attr]
        },
    )


@org_view(SUPPORT)
@require_POST
def sat69b_upload(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = Sat69bUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise PorticoError(_("Choose the SAT 69-B CSV file to upload."), code="sat69b_no_file")
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BYTES:
        raise PorticoError(
            _("The file is larger than %(mb)s MB: it is not the SAT 69-B list.") % {"mb": MAX_BYTES // (1024 * 1024)},
            code="sat69b_too_large",
        )
    imported = actions.sat69b_import(data=upload.read(), source=f"upload: {upload.name}", actor=org_actor(request))
    messages.success(
        request,
        _("SAT 69-B list imported: %(rows)s rows; %(changes)s customer screenings changed.")
        % {"rows": imported.row_count, "changes": imported.rescreened_changes},
    )
    return redirect("sat69b_status", org_slug=org.slug)
