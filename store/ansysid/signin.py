"""What the B2C sign-in stand-in reads and keeps: apps, resources, users' credentials and
global roles, authorization codes, and whether a personal access token still holds."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.ansysid.access import GLOBAL_ROLES
from store.ansysid.models import (
    AidAccountUser,
    AidApp,
    AidAuthorizationCode,
    AidGlobalRole,
    AidPersonalAccessToken,
    AidResource,
    AidRole,
    AidUser,
)
from store.ansysid.rows import user_by_email
from store.identity.secrets import secret_matches
from store.timestamps import as_utc, utc_now

CODE_LIFETIME = datetime.timedelta(minutes=10)


class GrantRefused(Exception):
    """A code, PAT or credential that does not hold; the message says why."""


@dataclass(frozen=True)
class AppRecord:
    client_id: str
    name: str
    confidential: bool
    redirect_uris: frozenset[str]
    grant_types: frozenset[str]
    scopes: frozenset[str]
    roles: frozenset[str]


@dataclass(frozen=True)
class ResourceRecord:
    app_id_uri: str
    app_id: str
    name: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class SignInUser:
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    global_roles: frozenset[str]

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


@dataclass(frozen=True)
class CodeRequest:
    client_id: str
    redirect_uri: str
    user_id: uuid.UUID
    pat_id: uuid.UUID | None
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    policy: str


@dataclass(frozen=True)
class PatGrant:
    """A PAT that holds: whose it is, its account and scopes."""

    id: uuid.UUID
    user_id: uuid.UUID
    account_id: uuid.UUID
    scopes: frozenset[str]
    expires_at: datetime.datetime


class SignInRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # apps and resources

    def app(self, client_id: str) -> AppRecord | None:
        row = self._session.get(AidApp, client_id)
        return None if row is None else _app(row)

    def authenticate_app(self, client_id: str, secret: str) -> AppRecord | None:
        row = self._session.get(AidApp, client_id)
        if row is None or row.secret_hash is None or not secret_matches(secret, row.secret_hash):
            return None
        return _app(row)

    def resources(self) -> list[ResourceRecord]:
        return [
            ResourceRecord(
                app_id_uri=row.app_id_uri,
                app_id=row.app_id,
                name=row.name,
                scopes=frozenset(row.scopes.split()),
            )
            for row in self._session.scalars(select(AidResource).order_by(AidResource.app_id_uri))
        ]

    # users

    def user(self, user_id: uuid.UUID) -> SignInUser | None:
        row = self._session.get(AidUser, user_id)
        return None if row is None else self._sign_in_user(row)

    def user_by_email(self, email: str) -> SignInUser | None:
        row = user_by_email(self._session, email)
        return None if row is None else self._sign_in_user(row)

    def authenticate_user(self, email: str, password: str) -> SignInUser | None:
        row = user_by_email(self._session, email)
        if row is None or row.password_hash is None:
            return None
        if not secret_matches(password, row.password_hash):
            return None
        return self._sign_in_user(row)

    # personal access tokens

    def pat_grant(self, pat_id: uuid.UUID, user_id: uuid.UUID) -> PatGrant:
        """The PAT if it still holds (see check_pat); the use is recorded."""
        row = self._holding_pat(pat_id, user_id)
        row.last_used_at = utc_now()
        return PatGrant(
            id=row.id,
            user_id=row.user_id,
            account_id=row.account_id,
            scopes=frozenset(row.scopes.split()),
            expires_at=as_utc(row.expires_at),
        )

    def check_pat(self, pat_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """GrantRefused unless the PAT still holds: not revoked, not expired, its owner still
        in its account (or seeing every account)."""
        self._holding_pat(pat_id, user_id)

    def _holding_pat(self, pat_id: uuid.UUID, user_id: uuid.UUID) -> AidPersonalAccessToken:
        row = self._session.get(AidPersonalAccessToken, pat_id)
        if row is None or row.user_id != user_id:
            raise GrantRefused("The personal access token is unknown.")
        if row.revoked_at is not None:
            raise GrantRefused("The personal access token has been revoked.")
        if as_utc(row.expires_at) <= utc_now():
            raise GrantRefused("The personal access token has expired.")
        user = self._session.get(AidUser, row.user_id)
        in_account = self._session.get(AidAccountUser, (row.account_id, row.user_id)) is not None
        if user is None or not (in_account or self._sign_in_user(user).global_roles & GLOBAL_ROLES):
            raise GrantRefused("The token's owner may no longer see its account.")
        return row

    # authorization codes

    def issue_code(self, request: CodeRequest) -> str:
        code = secrets.token_urlsafe(32)
        now = utc_now()
        # Expired codes are of no use to anyone: cleared as new ones are made.
        self._session.execute(
            delete(AidAuthorizationCode).where(AidAuthorizationCode.expires_at < now)
        )
        self._session.add(
            AidAuthorizationCode(
                code_hash=_digest(code),
                client_id=request.client_id,
                redirect_uri=request.redirect_uri,
                user_id=request.user_id,
                pat_id=request.pat_id,
                scope=request.scope,
                nonce=request.nonce,
                code_challenge=request.code_challenge,
                code_challenge_method=request.code_challenge_method,
                policy=request.policy,
                expires_at=now + CODE_LIFETIME,
            )
        )
        self._session.flush()
        return code

    def redeem_code(
        self, code: str, *, client_id: str, redirect_uri: str | None, code_verifier: str | None
    ) -> CodeRequest:
        """The request a code was issued for; a code is good once, for its client, redirect URI
        and PKCE challenge, within its lifetime. A refused attempt (another client, a wrong
        verifier) leaves the code to its rightful holder: only a redemption uses it up."""
        row = self._session.scalar(
            select(AidAuthorizationCode)
            .where(AidAuthorizationCode.code_hash == _digest(code))
            .with_for_update()
        )
        if row is None or row.used_at is not None or as_utc(row.expires_at) <= utc_now():
            raise GrantRefused("The authorization code is invalid, used or expired.")
        if row.client_id != client_id:
            raise GrantRefused("The authorization code was issued to another client.")
        if redirect_uri is not None and redirect_uri != row.redirect_uri:
            raise GrantRefused("The redirect_uri is not the one the code was issued for.")
        if row.code_challenge is not None:
            if not code_verifier:
                raise GrantRefused("The code was issued with a PKCE challenge: send code_verifier.")
            if not _verifier_matches(code_verifier, row.code_challenge, row.code_challenge_method):
                raise GrantRefused("The code_verifier does not match the code challenge.")
        row.used_at = utc_now()
        self._session.flush()
        return CodeRequest(
            client_id=row.client_id,
            redirect_uri=row.redirect_uri,
            user_id=row.user_id,
            pat_id=row.pat_id,
            scope=row.scope,
            nonce=row.nonce,
            code_challenge=row.code_challenge,
            code_challenge_method=row.code_challenge_method,
            policy=row.policy,
        )

    def _sign_in_user(self, row: AidUser) -> SignInUser:
        roles = self._session.scalars(
            select(AidRole.name)
            .join(AidGlobalRole, AidGlobalRole.role_id == AidRole.id)
            .where(AidGlobalRole.user_id == row.id)
        )
        return SignInUser(
            id=row.id,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            global_roles=frozenset(roles),
        )


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _verifier_matches(verifier: str, challenge: str, method: str | None) -> bool:
    if (method or "plain") == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    return hmac.compare_digest(expected, challenge)


def _app(row: AidApp) -> AppRecord:
    return AppRecord(
        client_id=row.client_id,
        name=row.name,
        confidential=row.secret_hash is not None,
        redirect_uris=frozenset(row.redirect_uris.split()),
        grant_types=frozenset(row.grant_types.split()),
        scopes=frozenset(row.scopes.split()),
        roles=frozenset(role for role in row.roles.split("|") if role),
    )
