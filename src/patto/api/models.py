"""API tokens: a hashed secret for a person or a system, with scopes, a reach and an expiry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may write; reading public data needs no token."""

    REPORTING_WRITE = "reporting:write", _("Progress reports of projects")
    INDICATORS_WRITE = "indicators:write", _("Indicator values")


class ApiToken(models.Model):
    """A token for the API's writes. Only a digest of its secret is stored: the secret is
    shown once, when issued. Every write still goes through the services with the owner's
    roles; the token narrows them (scopes, one pact, one project), never widens them."""

    name = models.CharField(_("name"), max_length=200, help_text=_(
        "What the token is for, e.g. the system that uses it."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="api_tokens", verbose_name=_("owner"))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False,
                              help_text=_("The token's public part, to recognise it."))
    digest = models.CharField(_("digest of the secret"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    pact = models.ForeignKey("pact.Pact", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("only for the pact"))
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+",
                                verbose_name=_("only for the project"))
    expires_at = models.DateTimeField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(_("issued on"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("issued by"))
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("revoked by"))
    last_used_at = models.DateTimeField(_("last used on"), null=True, blank=True)

    #: Not the pact's data: writing a token (its last use) need not change the data version.
    #: Read by patto.core.cache.data_tables once the patch in /work/tmp-i18n/api-patch.md is in.
    PATTO_NOT_DATA = True

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None
                                            or self.expires_at > timezone.now())

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
