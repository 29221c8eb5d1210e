"""Key files of Fernet keys, newest first: made readable by their owner only, what an older key
sealed still opens after a new key is put first, new values are sealed with the new key, and a
missing or broken key file is said plainly. (That one is never overwritten:
tests/test_keys_command.py.)"""
import json
import stat

import pytest
from cryptography.fernet import Fernet

from shared.sealing import Sealer, SealingError, create_key_file, read_key_file


def test_a_rotated_key_file_still_opens_what_older_keys_sealed(tmp_path):
    path = create_key_file(tmp_path / "keys.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    old_key = json.loads(path.read_text())["encryption_keys"][0]
    sealed_before = read_key_file(path, "some-keys").seal(b"value")
    assert b"value" not in sealed_before

    new_key = Fernet.generate_key().decode()
    path.write_text(json.dumps({"encryption_keys": [new_key, old_key]}))
    rotated = read_key_file(path, "some-keys")
    assert rotated.open(sealed_before) == b"value"
    sealed_after = rotated.seal(b"value")
    assert Sealer([new_key]).open(sealed_after) == b"value"
    with pytest.raises(SealingError, match="not in the key file"):
        Sealer([old_key]).open(sealed_after)


@pytest.mark.parametrize("content, problem", [
    (None, r"no key file at .*: create one with `doorstroom some-keys "),
    ("not json", "not a usable key file"),
    ('{"keys": []}', "not a usable key file"),
    ('{"encryption_keys": ["short"]}', "not a usable key file"),
    ('{"encryption_keys": []}', "at least one encryption key"),
])
def test_a_missing_or_broken_key_file_is_said_plainly(tmp_path, content, problem):
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SealingError, match=problem):
        read_key_file(path, "some-keys")
