"""Client secrets are stored as bcrypt hashes, never in clear."""

from __future__ import annotations

import bcrypt

from store.off_the_loop import off_the_loop

# bcrypt reads at most 72 bytes; longer secrets are refused rather than silently cut.
MAX_SECRET_BYTES = 72


def hash_secret(secret: str, *, rounds: int = 12) -> str:
    raw = secret.encode("utf-8")
    if len(raw) > MAX_SECRET_BYTES:
        raise ValueError(f"a client secret may have at most {MAX_SECRET_BYTES} bytes")
    return off_the_loop(bcrypt.hashpw, raw, bcrypt.gensalt(rounds=rounds)).decode("ascii")


def secret_matches(secret: str, secret_hash: str) -> bool:
    raw = secret.encode("utf-8")
    if len(raw) > MAX_SECRET_BYTES:
        return False
    return off_the_loop(bcrypt.checkpw, raw, secret_hash.encode("ascii"))
