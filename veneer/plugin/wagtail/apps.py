"""The Django app config for `veneer.plugin.wagtail`."""

from django.apps import AppConfig


class VeneerWagtailConfig(AppConfig):  # type: ignore[misc]
    name = "veneer.plugin.wagtail"
    label = "veneer_wagtail"
    verbose_name = "Veneer personalization"
