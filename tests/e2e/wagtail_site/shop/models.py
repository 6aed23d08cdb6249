"""Page models of the test shop, each with editor-tagged variants."""

from django.db import models
from wagtail.api import APIField
from wagtail.models import Page

from veneer.plugin.wagtail.blocks import VariantsField


class ArticlePage(Page):
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    variants = VariantsField()

    api_fields = [APIField("summary"), APIField("body"), APIField("variants")]


class ProductPage(Page):
    summary = models.CharField(max_length=300, blank=True)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    variants = VariantsField()

    api_fields = [APIField("summary"), APIField("price"), APIField("variants")]
