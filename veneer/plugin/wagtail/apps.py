"""The Django app config for `veneer.plugin.wagtail`: connects the webhook signals."""

from django.apps import AppConfig


class VeneerWagtailConfig(AppConfig):  # type: ignore[misc]
    name = "veneer.plugin.wagtail"
    label = "veneer_wagtail"
    verbose_name = "Veneer personalization"

    def ready(self) -> None:
        from veneer.plugin.wagtail.signals import connect

        connect()
