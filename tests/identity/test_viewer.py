from __future__ import annotations

import pytest

from veneer.identity.keys import KeyKind
from veneer.identity.tokens import create_viewer_token
from veneer.identity.viewer import Viewer, ViewerError, resolve_viewer

SECRET = "site-secret-0123456789"


def _token(user_id: str = "user-42", ttl: int = 3600) -> str:
    return create_viewer_token(user_id, SECRET, ttl=ttl)


def _refused(kind: KeyKind, headers: dict[str, str]) -> ViewerError:
    with pytest.raises(ViewerError) as info:
        resolve_viewer(kind, headers, SECRET)
    return info.value


def test_no_headers_names_nobody() -> None:
    assert resolve_viewer(KeyKind.PUBLIC, {}, SECRET) is None
    assert resolve_viewer(KeyKind.SECRET, {}, SECRET) is None
    assert resolve_viewer(KeyKind.PUBLIC, {"accept": "application/json"}, SECRET) is None


def test_public_key_with_anonymous_id() -> None:
    viewer = resolve_viewer(KeyKind.PUBLIC, {"x-veneer-anonymous-id": "dev-1"}, SECRET)
    assert viewer == Viewer(anonymous_id="dev-1", user_id=None)


def test_public_key_with_viewer_token_names_the_tokens_user() -> None:
    headers = {"x-veneer-anonymous-id": "dev-1", "x-veneer-viewer-token": _token("user-42")}
    assert resolve_viewer(KeyKind.PUBLIC, headers, SECRET) == Viewer("dev-1", "user-42")
    only_token = {"x-veneer-viewer-token": _token("user-42")}
    assert resolve_viewer(KeyKind.PUBLIC, only_token, SECRET) == Viewer(None, "user-42")


def test_public_key_may_not_name_a_user() -> None:
    error = _refused(KeyKind.PUBLIC, {"x-veneer-user-id": "user-42"})
    assert error.status == 403
    assert "X-Veneer-User-Id" in error.message


def test_public_key_may_not_name_a_user_even_alongside_a_valid_token() -> None:
    headers = {"x-veneer-viewer-token": _token("user-42"), "x-veneer-user-id": "user-99"}
    assert _refused(KeyKind.PUBLIC, headers).status == 403


@pytest.mark.parametrize("kind", [KeyKind.PUBLIC, KeyKind.SECRET])
def test_bad_token_is_401(kind: KeyKind) -> None:
    error = _refused(kind, {"x-veneer-viewer-token": "not-a-token"})
    assert error.status == 401
    assert error.message == "X-Veneer-Viewer-Token: viewer token is malformed"


def test_expired_token_is_401() -> None:
    error = _refused(KeyKind.PUBLIC, {"x-veneer-viewer-token": _token(ttl=-1)})
    assert error.status == 401
    assert "expired" in error.message


def test_token_signed_with_another_secret_is_401() -> None:
    token = create_viewer_token("user-42", "someone-elses-secret")
    assert _refused(KeyKind.PUBLIC, {"x-veneer-viewer-token": token}).status == 401


def test_non_ascii_token_is_401_not_a_crash() -> None:
    assert _refused(KeyKind.PUBLIC, {"x-veneer-viewer-token": "é.é"}).status == 401


@pytest.mark.parametrize(
    "bad_id", ["", "has space", "a/b", "semi;colon", "é", "x" * 129, "dev-1\n", "<script>"]
)
def test_bad_anonymous_id_is_400(bad_id: str) -> None:
    error = _refused(KeyKind.PUBLIC, {"x-veneer-anonymous-id": bad_id})
    assert error.status == 400
    assert error.message.startswith("X-Veneer-Anonymous-Id: ")


@pytest.mark.parametrize(
    "good_id", ["a", "x" * 128, "ABC.def_0-9:@+", "user@example.com", "0f3c-uuid"]
)
def test_anonymous_ids_of_allowed_characters(good_id: str) -> None:
    viewer = resolve_viewer(KeyKind.PUBLIC, {"x-veneer-anonymous-id": good_id}, SECRET)
    assert viewer is not None
    assert viewer.anonymous_id == good_id


def test_secret_key_may_name_a_user() -> None:
    viewer = resolve_viewer(KeyKind.SECRET, {"x-veneer-user-id": "user-42"}, SECRET)
    assert viewer == Viewer(anonymous_id=None, user_id="user-42")


def test_secret_key_user_id_is_checked() -> None:
    error = _refused(KeyKind.SECRET, {"x-veneer-user-id": "user 42"})
    assert error.status == 400
    assert error.message.startswith("X-Veneer-User-Id: ")


def test_secret_key_named_user_overrides_a_token() -> None:
    headers = {"x-veneer-viewer-token": _token("user-42"), "x-veneer-user-id": "user-99"}
    viewer = resolve_viewer(KeyKind.SECRET, headers, SECRET)
    assert viewer is not None
    assert viewer.user_id == "user-99"


def test_viewer_id_is_the_user_once_known_else_the_device() -> None:
    assert Viewer(anonymous_id="dev-1").id == "anon:dev-1"
    assert Viewer(user_id="user-42").id == "user:user-42"
    assert Viewer(anonymous_id="dev-1", user_id="user-42").id == "user:user-42"


def test_anonymous_and_user_namespaces_do_not_collide() -> None:
    assert Viewer(anonymous_id="42").id != Viewer(user_id="42").id
