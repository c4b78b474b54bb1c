from django.apps import AppConfig


class ContractorsConfig(AppConfig):
    name = "contractors"
    verbose_name = "Contractors"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from domi.accounts.models import Invitation
        from domi.accounts.services import invitation_acceptor_register

        from .models import Contractor, ContractorInvitation, ServiceArea, WebhookEndpoint
        from .services import contractor_invitation_fulfil

        auditlog.register(Contractor, m2m_fields={"trades"})
        auditlog.register(ServiceArea)
        auditlog.register(ContractorInvitation)
        # Integrations: where the events go, and whether; the signing secret is logged masked.
        auditlog.register(WebhookEndpoint, mask_fields=["secret"])
        # Accepting a contractor's invitation makes the new account the roster entry's login.
        invitation_acceptor_register(role=Invitation.Role.CONTRACTOR, acceptor=contractor_invitation_fulfil)
