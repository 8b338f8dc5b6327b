"""Join codes people type on a phone, and the facilitator's secret token."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read off a projector or a slip of paper is
# typed right the first time.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """A random code of JOIN_CODE_LENGTH characters from JOIN_CODE_ALPHABET."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def clean_join_code(text: str) -> str:
    """What a player typed, as stored: upper case, without spaces or dashes."""
    return "".join(c for c in text.upper() if c not in " -\t")


def possible_join_code(code: str) -> bool:
    """Whether a cleaned code could be some table's: the alphabet's letters, the length."""
    return len(code) == JOIN_CODE_LENGTH and all(c in JOIN_CODE_ALPHABET for c in code)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """sha256 hex: the store keeps only this, so a leaked database grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    # Constant time, so response timing reveals nothing about the hash.
    return hmac.compare_digest(hash_token(token), token_hash)
