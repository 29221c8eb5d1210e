"""`doorstroom keys`: issue, revoke and list the API keys in a keys file. A key is shown once,
when it is issued; the file keeps only its hash. Services read the file again when it
changes, so keys come and go without a restart."""
import json
import os
import secrets
import sys
from pathlib import Path

from doorstroom import chain
from shared.http import ROLES, key_hash


def run(args):
    path = Path(args.file) if args.file else chain.data_dir(args.data_dir) / "api-keys.json"
    holders = json.loads(path.read_text()) if path.exists() else {}
    if args.action == "list":
        for name, entry in sorted(holders.items()):
            bound = f"  employer {entry['employer_id']}" if entry.get("employer_id") else ""
            print(f"{name}  {entry['role']}{bound}")
        return 0
    if args.action == "revoke":
        if holders.pop(args.name, None) is None:
            print(f"{path} holds no key of {args.name!r}", file=sys.stderr)
            return 1
        _write(path, holders)
        print(f"revoked the key of {args.name}")
        return 0
    problem = _problem(args, holders)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    key = secrets.token_urlsafe(24)
    holders[args.name] = {"role": args.role, "key_sha256": key_hash(key),
                          **({"employer_id": args.employer_id} if args.employer_id else {})}
    _write(path, holders)
    print(f"key of {args.name} ({args.role}), shown this once:\n{key}")
    return 0


def _problem(args, holders):
    if args.name in holders:
        return f"{args.name!r} has a key already: revoke it first"
    if args.role not in ROLES:
        return f"--role is one of {', '.join(sorted(ROLES))}"
    if (args.role == "employer") != bool(args.employer_id):
        return "--employer-id is given for, and only for, the employer role"
    return None


def _write(path, holders):
    # Whole or not at all: a service reading the file meanwhile sees the old one or the new.
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.new")
    draft.write_text(json.dumps(holders, indent=2) + "\n")
    draft.chmod(0o600)
    os.replace(draft, path)
