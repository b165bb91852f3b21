"""Who the client is: RFC 6749 section 2.3.1, by HTTP Basic or by form fields (not both)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from specserve.identity.errors import OAuthError

BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="ids"'}


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    secret: str
    by_basic: bool

    def rejected(self) -> OAuthError:
        return OAuthError(
            "invalid_client",
            "The client could not be authenticated.",
            status=401,
            headers=BASIC_CHALLENGE if self.by_basic else None,
        )


def client_credentials(form: dict[str, Any], authorization: str | None) -> ClientCredentials:
    basic = basic_credentials(authorization)
    in_form = form.get("client_id") is not None or form.get("client_secret") is not None
    if basic is not None and form.get("client_secret") is not None:
        raise OAuthError(
            "invalid_request", "Authenticate the client one way: HTTP Basic or the form, not both."
        )
    if basic is not None:
        if form.get("client_id") not in (None, basic.client_id):
            raise OAuthError(
                "invalid_request",
                "The form's client_id is not the client of the HTTP Basic credentials.",
            )
        return basic
    if not in_form or not form.get("client_id") or form.get("client_secret") is None:
        raise OAuthError(
            "invalid_client",
            "Give client_id and client_secret in the form, or HTTP Basic credentials.",
            status=401,
        )
    return ClientCredentials(str(form["client_id"]), str(form["client_secret"]), by_basic=False)


def basic_credentials(authorization: str | None) -> ClientCredentials | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        client_id, secret = decoded.split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise OAuthError(
            "invalid_client",
            "The HTTP Basic credentials are malformed.",
            status=401,
            headers=BASIC_CHALLENGE,
        ) from error
    # RFC 6749 has both parts form-urlencoded before they are joined.
    return ClientCredentials(unquote_plus(client_id), unquote_plus(secret), by_basic=True)
