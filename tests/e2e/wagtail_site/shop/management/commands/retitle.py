"""Publish a new title for a page, as an editor would: `manage.py retitle SLUG TITLE`."""

from django.core.management.base import BaseCommand
from wagtail.models import Page


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("title")

    def handle(self, slug, title, **options):
        page = Page.objects.get(slug=slug, locale__language_code="en").specific
        page.title = title
        page.save_revision().publish()
