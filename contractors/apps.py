from django.apps import AppConfig


class ContractorsConfig(AppConfig):
    name = "contractors"
    verbose_name = "Contractors"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Contractor, ServiceArea

        auditlog.register(Contractor, m2m_fields={"trades"})
        auditlog.register(ServiceArea)
