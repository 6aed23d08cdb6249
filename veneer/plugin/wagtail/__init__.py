"""`veneer.plugin.wagtail`: add to INSTALLED_APPS to give editors variant tagging.

Put a ``variants = VariantsField()`` on any page model and expose it in the API
(``api_fields = [APIField("variants")]``); Veneer's Wagtail adapter reads it as the entry's
variants.
"""
