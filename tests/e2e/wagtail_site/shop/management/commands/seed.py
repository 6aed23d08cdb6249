"""Seed the test site: articles and products, some with variants, one in French; recipes."""

from django.core.management.base import BaseCommand
from kitchen.models import QuickRecipePage, RecipePage
from wagtail.models import Locale, Page

from shop.models import ArticlePage, ProductPage


def variant(vid, audience, priority, **overrides):
    return (
        "variant",
        {
            "id": vid,
            "audience": audience,
            "priority": priority,
            "overrides": [{"field": k, "value": v} for k, v in overrides.items()],
            "experiment": "",
            "start": None,
            "end": None,
        },
    )


class Command(BaseCommand):
    help = "Create the pages Veneer's adapter tests read."

    def handle(self, *args, **options):
        french, _ = Locale.objects.get_or_create(language_code="fr")
        root = Page.get_first_root_node()
        home = root.get_children().first()
        for n in range(1, 26):
            product = ProductPage(
                title=f"Product {n:02d}",
                slug=f"product-{n:02d}",
                summary=f"Summary of product {n}",
                price=f"{10 * n}.00",
            )
            if n == 1:
                product.variants = [
                    variant("v-campers", ["campers"], 10, title="Product 01 for campers"),
                    variant("v-premium", ["premium"], 20, title="Product 01, premium"),
                ]
            home.add_child(instance=product)
            product.save_revision().publish()
        article = ArticlePage(title="Trail notes", slug="trail-notes", summary="Notes", body="Hi")
        article.variants = [variant("v-trail", ["trail-runners"], 5, summary="For runners")]
        home.add_child(instance=article)
        article.save_revision().publish()
        draft = ArticlePage(title="Unpublished", slug="unpublished", live=False)
        home.add_child(instance=draft)
        for recipe in (
            RecipePage(
                title="Pancakes",
                slug="pancakes",
                ingredients="flour, milk, eggs",
                minutes=20,
                serves=4,
                variants=[variant("v-brunch", ["brunchers"], 5, title="Sunday pancakes")],
            ),
            RecipePage(title="Shakshuka", slug="shakshuka", ingredients="eggs, tomatoes"),
            QuickRecipePage(
                title="Overnight oats",
                slug="overnight-oats",
                ingredients="oats, milk",
                minutes=5,
                shortcut="soak the night before",
            ),
        ):
            home.add_child(instance=recipe)
            recipe.save_revision().publish()
        french_home = home.copy_for_translation(french)
        french_home.save_revision().publish()
        french_article = article.copy_for_translation(french, copy_parents=True)
        french_article.title = "Notes de sentier"
        french_article.save_revision().publish()
        self.stdout.write("seeded")
