"""A recipe site's page models, unlike the shop's: what Veneer must discover on its own.

`QuickRecipePage` subclasses `RecipePage`, so Wagtail's ``type=kitchen.RecipePage`` lists
both kinds of page; Veneer must still serve each page once, as its own type.
"""

from django.db import models
from wagtail.api import APIField
from wagtail.models import Page

from veneer.plugin.wagtail.blocks import VariantsField


class RecipePage(Page):
    ingredients = models.TextField(blank=True)
    minutes = models.PositiveIntegerField(default=30)
    serves = models.PositiveIntegerField(default=2)
    variants = VariantsField()

    api_fields = [
        APIField("ingredients"),
        APIField("minutes"),
        APIField("serves"),
        APIField("variants"),
    ]


class QuickRecipePage(RecipePage):
    shortcut = models.CharField(max_length=200, blank=True)

    api_fields = [*RecipePage.api_fields, APIField("shortcut")]
