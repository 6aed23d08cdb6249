"""The blocks editors tag variants with, in the shape Veneer's adapter reads.

A variant is an id, an audience (segment keys), a priority, field overrides, and an optional
experiment and schedule; stored as a StreamField so editors add, reorder and remove them in
the page editor like any other block.
"""

from __future__ import annotations

from typing import Any

from wagtail import blocks
from wagtail.fields import StreamField


class OverrideBlock(blocks.StructBlock):  # type: ignore[misc]
    field = blocks.CharBlock(help_text="The field this variant replaces, e.g. title.")
    value = blocks.TextBlock(help_text="What viewers in the audience see instead.")


class VariantBlock(blocks.StructBlock):  # type: ignore[misc]
    id = blocks.CharBlock(help_text="A stable id, e.g. v-campers; reported in every answer.")
    audience = blocks.ListBlock(
        blocks.CharBlock(), help_text="Segment keys; a viewer in any of them matches."
    )
    priority = blocks.IntegerBlock(default=0, help_text="The highest live match wins.")
    overrides = blocks.ListBlock(OverrideBlock())
    experiment = blocks.CharBlock(required=False, help_text="Experiment key, if any.")
    start = blocks.DateTimeBlock(required=False)
    end = blocks.DateTimeBlock(required=False)

    class Meta:
        icon = "group"
        label = "Variant"


def VariantsField(**kwargs: Any) -> StreamField:
    """The `variants` field to put on a page model."""
    kwargs.setdefault("blank", True)
    return StreamField([("variant", VariantBlock())], **kwargs)
