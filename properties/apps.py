from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    name = "properties"
    verbose_name = "Properties"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from domi.accounts.personal_data import personal_data_register

        from .personal_data import section

        personal_data_register(section)

        from domi.accounts.models import Invitation
        from domi.accounts.services import invitation_acceptor_register

        from .models import Property, Tenancy, TenancyInvitation, Unit
        from .services import tenancy_invitation_fulfil

        for model in (Property, Unit, Tenancy, TenancyInvitation):
            auditlog.register(model)
        # Accepting a tenant's invitation gives the tenancy it offers.
        invitation_acceptor_register(role=Invitation.Role.TENANT, acceptor=tenancy_invitation_fulfil)
