from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from portico.accounts.actions import user_profile_update
from portico.accounts.forms import ProfileForm
from portico.core.actors import Actor


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "language": user.language})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        user_profile_update(user=user, actor=Actor.from_request(request), **form.cleaned_data)  # type: ignore[arg-type]
        if form.cleaned_data["language"]:
            translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})
