"""Sealing participants' identities at rest, with keys kept outside the database.

Identities are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`). The
key file lists encryption keys newest first: new data is sealed with the first, and older keys
still open what they sealed, so keys can be rotated. A BSN is found again through a keyed hash
(HMAC-SHA256 with a separate index key), so the database never holds the BSN itself.
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from services.intake.domain import Identity


class VaultError(Exception):
    pass


class IdentityVault:
    def __init__(self, encryption_keys, index_key):
        if not encryption_keys:
            raise VaultError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in encryption_keys])
        self._index_key = base64.urlsafe_b64decode(index_key)

    @classmethod
    def from_file(cls, path):
        path = Path(path)
        if not path.exists():
            raise VaultError(f"no identity key file at {path}: create one with "
                             f"`doorstroom identity-keys {path}` and keep it safe")
        try:
            keys = json.loads(path.read_text())
            return cls(keys["encryption_keys"], keys["index_key"])
        except (ValueError, KeyError, TypeError) as exc:
            raise VaultError(f"{path} is not a usable identity key file: {exc!r}") from exc

    def seal(self, identity: Identity) -> bytes:
        return self._fernet.encrypt(json.dumps({
            "name": identity.name, "bsn": identity.bsn,
            "date_of_birth": identity.date_of_birth.isoformat()}).encode())

    def open(self, sealed: bytes) -> Identity:
        try:
            data = json.loads(self._fernet.decrypt(sealed))
        except InvalidToken as exc:
            raise VaultError("an identity was sealed with a key that is not in the key file") from exc
        return Identity(data["name"], data["bsn"], date.fromisoformat(data["date_of_birth"]))

    def index(self, bsn) -> str:
        return hmac.new(self._index_key, bsn.encode(), hashlib.sha256).hexdigest()


def create_key_file(path):
    """Write a new key file readable only by its owner; refuses to overwrite one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {"encryption_keys": [Fernet.generate_key().decode()],
            "index_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        json.dump(keys, file, indent=2)
        file.write("\n")
    return path
