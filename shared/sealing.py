"""Sealing values at rest with keys kept outside the database.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`). A key file
is JSON whose `encryption_keys` lists keys newest first: new values are sealed with the first,
and older keys still open what they sealed, so keys can be rotated
(shared/tests/test_sealing.py).
"""
import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SealingError(Exception):
    pass


class Sealer:
    def __init__(self, encryption_keys):
        if not encryption_keys:
            raise SealingError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in encryption_keys])

    def seal(self, value: bytes) -> bytes:
        return self._fernet.encrypt(value)

    def open(self, sealed: bytes) -> bytes:
        try:
            return self._fernet.decrypt(sealed)
        except InvalidToken as exc:
            raise SealingError("a value was sealed with a key that is not in the key file") \
                from exc


def read_key_file(path, command, make=lambda keys: Sealer(keys["encryption_keys"])):
    """What `make` builds from the key file's JSON, by default a Sealer of its keys. A missing
    file's error names `command`, the doorstroom command that creates one."""
    path = Path(path)
    if not path.exists():
        raise SealingError(f"no key file at {path}: create one with `doorstroom {command} "
                           f"{path}` and keep it safe")
    try:
        return make(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        raise SealingError(f"{path} is not a usable key file: {exc!r}") from exc


def create_key_file(path, **more):
    """Write a new key file with one encryption key (and `more`), readable only by its owner;
    refuses to overwrite one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {"encryption_keys": [Fernet.generate_key().decode()], **more}
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        json.dump(keys, file, indent=2)
        file.write("\n")
    return path
