"""The token signing key: made on first start, kept in the data folder, published as a JWK."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_FILE = "ids-signing-key.pem"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    public_jwk: dict[str, Any]


def load_or_create_signing_key(data_dir: Path) -> SigningKey:
    path = data_dir / "keys" / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    # The key is our own, made by _create_key_file: checking its RSA math again on every load
    # costs tens of milliseconds a start (and a test), and guards against nothing.
    private_key = serialization.load_pem_private_key(
        path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return _signing_key(private_key)


def _create_key_file(path: Path) -> None:
    """Write a new key so that concurrent workers starting together end up with one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.chmod(temporary, 0o600)
        # link() fails if another process got there first; its key wins.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _signing_key(private_key: rsa.RSAPrivateKey) -> SigningKey:
    public = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    kid = _thumbprint(public)
    jwk = {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": public["n"],
        "e": public["e"],
    }
    return SigningKey(kid=kid, private_key=private_key, public_jwk=jwk)


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an RSA key, the usual `kid`."""
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
