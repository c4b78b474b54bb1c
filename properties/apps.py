from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    name = "properties"
    verbose_name = "Properties"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Property, Tenancy, Unit

        for model in (Property, Unit, Tenancy):
            auditlog.register(model)
