from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StripeKeysForm(forms.Form):
    """The keys from the Stripe dashboard. The secrets are never filled in again: on an edit, a
    blank secret keeps the stored one."""

    publishable_key = forms.CharField(
        label=_("Publishable key"), max_length=255, help_text=_("Starts with pk_test_ or pk_live_.")
    )
    secret_key = forms.CharField(
        label=_("Secret key"),
        max_length=255,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Starts with sk_ (or rk_ for a restricted key). Stored encrypted, never shown again."),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"),
        max_length=255,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Starts with whsec_: shown by Stripe when you add the endpoint below."),
    )

    def __init__(self, *args: object, connected: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if connected:
            for name in ("secret_key", "webhook_secret"):
                self.fields[name].help_text = _("Leave blank to keep the stored one.")
        else:
            self.fields["secret_key"].required = True
            self.fields["webhook_secret"].required = True
