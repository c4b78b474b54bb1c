from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "domi.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Invitation, Organization, User

        auditlog.register(Organization)
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(Invitation, exclude_fields=["key_digest"])
