"""One-time sign-in links for the customer portal.

Customers have no password: they ask for a link by e-mail. Only a hash of the
link's token is stored, so reading the database does not let anyone sign in;
each link works once and for a few minutes only.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SignInLink(models.Model):
    """A sign-in link e-mailed to one of the customer's addresses."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="portal_links"
    )
    email = models.CharField(max_length=254, help_text="The address the link was sent to.")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "created_at"], name="portal_link_email")]

    def __str__(self) -> str:
        return f"Sign-in link for {self.email}"
