"""Opaque ids: stable for what they name, distinct for anything else, and unreadable."""

from __future__ import annotations

from veneer.identity.opaque_ids import opaque_id

SECRET = "a-secret-long-enough-for-tests"


def test_the_same_parts_give_the_same_id_and_any_change_another() -> None:
    one = opaque_id(SECRET, "Personalization", "anon:ann", "tent-x2", "en")

    assert one == opaque_id(SECRET, "Personalization", "anon:ann", "tent-x2", "en")
    others = {
        opaque_id(SECRET, "Personalization", "anon:bob", "tent-x2", "en"),
        opaque_id(SECRET, "Personalization", "anon:ann", "cinder-trail-runner", "en"),
        opaque_id(SECRET, "Personalization", "anon:ann", "tent-x2", "de"),
        opaque_id(SECRET, "Personalization", "anon:ann", "tent-x2", None),
        opaque_id(SECRET, "ConsentState", "anon:ann", "tent-x2", "en"),
        opaque_id("another-secret", "Personalization", "anon:ann", "tent-x2", "en"),
    }
    assert one not in others and len(others) == 6


def test_parts_do_not_run_into_each_other() -> None:
    assert opaque_id(SECRET, "K", "a:b", "c") != opaque_id(SECRET, "K", "a", "b:c")
    assert opaque_id(SECRET, "K", "ab", "") != opaque_id(SECRET, "K", "a", "b")
    assert opaque_id(SECRET, "K", None) != opaque_id(SECRET, "K", "-")


def test_an_id_does_not_show_whose_it_is() -> None:
    found = opaque_id(SECRET, "ConsentState", "user:ada@example.org", "ANALYTICS")

    assert "ada" not in found and "ANALYTICS" not in found
    assert len(found) == 22 and found.isascii()
