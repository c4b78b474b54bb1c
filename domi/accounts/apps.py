from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "domi.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models.signals import post_delete, post_save

        from .authentication import user_changed
        from .models import Invitation, Organization, User

        post_save.connect(user_changed, sender=User, dispatch_uid="accounts.user_changed.save")
        post_delete.connect(user_changed, sender=User, dispatch_uid="accounts.user_changed.delete")

        auditlog.register(Organization)
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(Invitation, exclude_fields=["key_digest"])
