from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from domi.accounts.personal_data import personal_data_register

        from .personal_data import section

        personal_data_register(section)

        # request_created is not among them: the AI crew sends request_received and the emergency
        # messages itself, with its own wording, through notifications.services.notify().
        from . import receivers

        receivers.connect()
