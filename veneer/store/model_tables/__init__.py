"""The tables, by area; `veneer.store.models` gathers them."""
