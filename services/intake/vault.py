"""Sealing participants' identities at rest, with keys kept outside the database.

Identities are sealed with the key file's encryption keys (shared/sealing.py: Fernet, newest key
first, so keys can be rotated). A BSN is found again through a keyed hash (HMAC-SHA256 with a
separate index key in the same file), so the database never holds the BSN itself; a name through
the keyed hashes of its words, each word found whole: the database holds no word of a name in
readable form, though the same word has the same hash, so how often words recur shows.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from datetime import date

from services.intake.domain import Identity
from shared.sealing import Sealer, create_key_file as create_sealing_key_file, read_key_file


class IdentityVault:
    def __init__(self, encryption_keys, index_key):
        self._sealer = Sealer(encryption_keys)
        self._index_key = base64.urlsafe_b64decode(index_key)

    @classmethod
    def from_file(cls, path):
        return read_key_file(path, "identity-keys",
                             lambda keys: cls(keys["encryption_keys"], keys["index_key"]))

    @classmethod
    def from_config(cls, config):
        return cls.from_file(config["IDENTITY_KEYS_FILE"])

    def seal(self, identity: Identity) -> bytes:
        return self._sealer.seal(json.dumps({
            "name": identity.name, "bsn": identity.bsn,
            "date_of_birth": identity.date_of_birth.isoformat()}).encode())

    def open(self, sealed: bytes) -> Identity:
        data = json.loads(self._sealer.open(sealed))
        return Identity(data["name"], data["bsn"], date.fromisoformat(data["date_of_birth"]))

    def index(self, bsn) -> str:
        return self._keyed(bsn)

    def name_index(self, name) -> set[str]:
        """The keyed hashes of the words of `name` as people type them: without accents or
        capitals, so "de Vries" finds "Jan de Vries", "Ozil" finds "Özil", "Yilmaz" finds
        "Yılmaz" and "Иван" is found as it is written."""
        return {self._keyed(f"name:{word}") for word in words_of(name)}

    def _keyed(self, value):
        return hmac.new(self._index_key, value.encode(), hashlib.sha256).hexdigest()


# Letters that lose no accent but are typed as others on a keyboard without them.
_TYPED_AS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th",
                           "æ": "ae", "œ": "oe", "ß": "ss"})


def words_of(name):
    """The words of a name without accents or capitals."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name.casefold())
                   if not unicodedata.combining(c))
    return re.findall(r"\w+", bare.translate(_TYPED_AS))


def create_key_file(path):
    """Write a new identity key file readable only by its owner; refuses to overwrite one."""
    return create_sealing_key_file(
        path, index_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
