"""The signing key: made once, kept private, named by its RFC 7638 thumbprint."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from specserve.identity.keys import KEY_FILE, load_or_create_signing_key


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def test_the_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    first = load_or_create_signing_key(tmp_path)
    path = tmp_path / "keys" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_signing_key(tmp_path).kid == first.kid
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE]


def test_the_kid_is_the_rfc7638_thumbprint(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path)
    numbers = key.private_key.public_key().public_numbers()
    members = {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode("utf-8")
    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=")
    assert key.kid == expected.decode("ascii")
    assert key.public_jwk == {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": key.kid, **members}


def test_two_workers_starting_together_end_up_with_one_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both threads must be past the "no key file yet" check before either writes its key.
    both_generating = threading.Barrier(2, timeout=30)
    generate = rsa.generate_private_key

    def generate_together(*args: Any, **kwargs: Any) -> Any:
        both_generating.wait()
        return generate(*args, **kwargs)

    monkeypatch.setattr(rsa, "generate_private_key", generate_together)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda _: load_or_create_signing_key(tmp_path), range(2))
    assert first.kid == second.kid
    assert [p.name for p in (tmp_path / "keys").iterdir()] == [KEY_FILE]
