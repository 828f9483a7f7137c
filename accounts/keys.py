"""The long-lived keys a device holds (display tokens, registered tablets): made
once, shown once, and stored only as their SHA-256."""

import hashlib
import secrets


def key_new(prefix: str) -> str:
    """A new key: ``prefix`` (which says what it opens) and 32 random bytes."""
    return prefix + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
