from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from veneer.identity.keys import KeyKind
from veneer.identity.tokens import create_viewer_token
from veneer.identity.viewer import Viewer, ViewerError, resolve_viewer

SECRET = "site-secret-0123456789-0123456789"


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
    assert error.message.startswith("X-Veneer-Viewer-Token: viewer token is malformed")


def test_expired_token_is_401() -> None:
    error = _refused(KeyKind.PUBLIC, {"x-veneer-viewer-token": _token(ttl=-3600)})
    assert error.status == 401
    assert error.message == "X-Veneer-Viewer-Token: viewer token has expired"


def test_token_signed_with_another_secret_is_401() -> None:
    token = create_viewer_token("user-42", "someone-elses-secret-0123456789-01")
    assert _refused(KeyKind.PUBLIC, {"x-veneer-viewer-token": token}).status == 401


def test_a_jwt_signed_by_the_site_s_backend_logs_in_and_vouches_for_the_device() -> None:
    claims = {"sub": "user-42", "aid": "dev-1", "exp": int(time.time()) + 3600}
    headers = {
        "x-veneer-anonymous-id": "dev-1",
        "x-veneer-viewer-token": jwt.encode(claims, SECRET, algorithm="HS256"),
    }
    viewer = resolve_viewer(KeyKind.PUBLIC, headers, SECRET)
    assert viewer == Viewer("dev-1", "user-42")
    assert viewer is not None and viewer.device_is_users


def _legacy_token(claims: dict[str, object]) -> str:
    """A token in the format before JWTs, as a site backend built it by hand."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    mac = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_a_legacy_token_still_logs_in_until_it_expires() -> None:
    current = _legacy_token({"sub": "user-42", "aid": "dev-1", "exp": int(time.time()) + 60})
    headers = {"x-veneer-anonymous-id": "dev-1", "x-veneer-viewer-token": current}
    viewer = resolve_viewer(KeyKind.PUBLIC, headers, SECRET)
    assert viewer == Viewer("dev-1", "user-42")
    assert viewer is not None and viewer.device_is_users

    expired = _legacy_token({"sub": "user-42", "exp": int(time.time()) - 1})
    error = _refused(KeyKind.PUBLIC, {"x-veneer-viewer-token": expired})
    assert (error.status, error.message) == (
        401,
        "X-Veneer-Viewer-Token: viewer token has expired",
    )


@pytest.mark.parametrize("algorithm", ["none", "HS512"])
def test_a_token_in_another_algorithm_is_401(algorithm: str) -> None:
    claims = {"sub": "user-42", "exp": int(time.time()) + 3600}
    token = jwt.encode(claims, None if algorithm == "none" else SECRET * 2, algorithm=algorithm)
    error = _refused(KeyKind.PUBLIC, {"x-veneer-viewer-token": token})
    assert error.status == 401
    assert error.message == (
        f"X-Veneer-Viewer-Token: viewer token must be signed with HS256, not '{algorithm}'"
    )


def test_a_token_whose_sub_is_not_a_usable_id_is_400() -> None:
    token = jwt.encode(
        {"sub": "has space", "exp": int(time.time()) + 60}, SECRET, algorithm="HS256"
    )
    error = _refused(KeyKind.PUBLIC, {"x-veneer-viewer-token": token})
    assert error.status == 400
    assert error.message.startswith("X-Veneer-Viewer-Token: sub: ")


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
