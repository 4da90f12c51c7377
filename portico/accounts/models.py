"""Users: one login (email) per person, across organizations.

Staff membership and roles live in ``portico.orgs``; support operators are users with
``is_operator`` set, who see every organization and may use the Django admin.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotifyBy(models.TextChoices):
    """How a client hears that staff answered their request."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_operator"] = True
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, help_text=_("In E.164, e.g. +525512345678"))
    notify_by = models.CharField(
        _("tell me about replies by"),
        max_length=8,
        choices=NotifyBy.choices,
        default=NotifyBy.EMAIL,
        help_text=_("For clients: how the portal tells you that staff answered a request."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the browser's language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_operator = models.BooleanField(
        _("support operator"),
        default=False,
        help_text=_("Operators run the installation: they see every organization and restore deleted records."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    # Django admin access: operators only (no per-model permissions for anyone else).
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_operator

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff
