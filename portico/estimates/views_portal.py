"""The client's estimates in the portal (phone first): the list, one estimate (scope, lines,
total), ask a question (a request thread), approve with one tap (a confirm step showing the
total, then a POST naming the estimate's id and content hash), decline with an optional reason,
the PDF and the attachments. Another person's estimate is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.core.files import CACHE_NONE, private_file_response
from portico.estimates import selectors
from portico.estimates.actions import estimate_approve, estimate_ask, estimate_decline
from portico.estimates.content import estimate_sheet
from portico.estimates.forms import DeclineForm, QuestionForm
from portico.estimates.models import Estimate, EstimateState
from portico.estimates.views import pdf_response
from portico.portal.context import portal_view
from portico.portal.models import PortalAccount
from portico.requests.selectors import request_thread


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, kind=ActorKind.CLIENT)


def _get(request: HttpRequest, account: PortalAccount, estimate_id: int) -> Estimate:
    return selectors.estimate_get_for_person(org=account.org, user=_user(request), estimate_id=estimate_id)


@portal_view
def portal_estimate_list(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    page = selectors.estimates_of_person_page(
        org=account.org, user=_user(request), cursor=request.GET.get("cursor", "")
    )
    return render(
        request, "estimates/portal_list.html", {"portal": account.org.portal_settings, "account": account, "page": page}
    )


def _detail(
    request: HttpRequest,
    account: PortalAccount,
    estimate: Estimate,
    *,
    template: str = "estimates/portal_detail.html",
    question_form: QuestionForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lines = selectors.estimate_lines(estimate=estimate)
    sheet = estimate_sheet(estimate, lines, selectors.estimate_attachments(estimate=estimate))
    thread = (
        request_thread(client_request=estimate.question, for_client=True)  # type: ignore[arg-type]
        if estimate.question_id
        else []
    )
    return render(
        request,
        template,
        {
            "portal": account.org.portal_settings,
            "account": account,
            "e": estimate,
            "sheet": sheet,
            "thread": thread,
            "question_form": question_form or QuestionForm(),
            "decline_form": decline_form or DeclineForm(initial={"hash": estimate.content_hash}),
            "can_decide": estimate.state == EstimateState.SENT,
        },
        status=status,
    )


@portal_view
def portal_estimate_detail(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], estimate_id: int
) -> HttpResponse:
    return _detail(request, account, _get(request, account, estimate_id))


@portal_view
def portal_estimate_approve(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], estimate_id: int
) -> HttpResponse:
    """GET: the confirm step with the total. POST (id in the address, ``hash`` in the form): approved."""
    estimate = _get(request, account, estimate_id)
    if request.method == "POST":
        try:
            estimate_approve(estimate=estimate, actor=_actor(request), content_hash=request.POST.get("hash", ""))
        except PorticoError as exc:
            messages.error(request, str(exc.message))
            return redirect("portal_estimate_detail", org_slug=account.org.slug, estimate_id=estimate.pk)
        messages.success(request, _("Thank you: you approved estimate %(label)s.") % {"label": estimate.label})
        # On to the client's next step (the web app's "continue" page, by its URL name).
        return redirect("portal_continue", org_slug=account.org.slug)
    if estimate.state != EstimateState.SENT:
        return redirect("portal_estimate_detail", org_slug=account.org.slug, estimate_id=estimate.pk)
    return _detail(request, account, estimate, template="estimates/portal_approve.html")


@portal_view
def portal_estimate_decline(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], estimate_id: int
) -> HttpResponse:
    estimate = _get(request, account, estimate_id)
    form = DeclineForm(request.POST or None, initial={"hash": estimate.content_hash})
    if request.method == "POST" and form.is_valid():
        try:
            estimate_decline(
                estimate=estimate,
                actor=_actor(request),
                content_hash=form.cleaned_data["hash"],
                reason=form.cleaned_data["reason"],
            )
        except PorticoError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("You declined estimate %(label)s. We will be in touch.") % {"label": estimate.label}
            )
        return redirect("portal_estimate_detail", org_slug=account.org.slug, estimate_id=estimate.pk)
    if estimate.state != EstimateState.SENT:
        return redirect("portal_estimate_detail", org_slug=account.org.slug, estimate_id=estimate.pk)
    return _detail(request, account, estimate, template="estimates/portal_decline.html", decline_form=form)


@portal_view
def portal_estimate_question(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], estimate_id: int
) -> HttpResponse:
    estimate = _get(request, account, estimate_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            estimate_ask(estimate=estimate, actor=_actor(request), body=form.cleaned_data["body"])
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your question was sent. The answer will appear here."))
            return redirect("portal_estimate_detail", org_slug=account.org.slug, estimate_id=estimate.pk)
    return _detail(request, account, estimate, question_form=form, status=200 if request.method == "GET" else 400)


@portal_view
def portal_estimate_pdf(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], estimate_id: int
) -> HttpResponse:
    return pdf_response(_get(request, account, estimate_id), request.LANGUAGE_CODE)


@portal_view
def portal_estimate_attachment(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], estimate_id: int, attachment_id: int
) -> FileResponse:
    estimate = _get(request, account, estimate_id)
    attachment = selectors.estimate_attachment_get(estimate=estimate, attachment_id=attachment_id)
    return private_file_response(
        attachment.file, content_type=attachment.content_type, download_name=attachment.name, cache=CACHE_NONE
    )
