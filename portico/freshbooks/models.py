"""The organization's FreshBooks connection (OAuth2 authorization code). Tokens are stored
sealed (core.crypto) and refreshed before they expire; FreshBooks rotates the refresh token on
every refresh, so the new one replaces the old in the same transaction that reads it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class FreshbooksConnection(models.Model):
    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="freshbooks")
    account_id = models.CharField(max_length=40)  # the accounting account clients are created in
    business_name = models.CharField(max_length=200, blank=True)
    access_token = models.TextField()  # sealed
    refresh_token = models.TextField()  # sealed
    expires_at = models.DateTimeField()
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"FreshBooks {self.account_id} of {self.org_id}"


class FreshbooksAuthState(models.Model):
    """The OAuth ``state`` of one connect attempt: only its SHA-256 is kept; used once."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"auth state of {self.org_id}"
