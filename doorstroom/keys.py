"""`doorstroom keys`: issue, revoke and list the API keys in a keys file, and the accounts of
people who sign in to the pages (`keys add NAME --role ROLE --person`). A key or password is
shown once, when it is issued; the file keeps only its hash. Services read the file again when it
changes, so keys come and go without a restart."""
import json
import os
import secrets
import sys
from pathlib import Path

import pyotp

from doorstroom import chain
from shared.http import ROLES, key_hash
from shared.organisations import organisation_named
from shared.web.people import SECOND_FACTOR_ROLES, new_password_hash, new_totp_secret

# The roles whose keys must say which organisation of their kind they speak for, and the option
# that says it.
BOUND_BY = {"employer": "--employer", "municipality-caseworker": "--municipality"}


def keys_file(args):
    return Path(args.file) if args.file else chain.data_dir(args.data_dir) / "api-keys.json"


def run(args):
    path = keys_file(args)
    holders = json.loads(path.read_text()) if path.exists() else {}
    if args.action == "list":
        listed = [{"holder": name, "role": entry["role"], "organisation": binding(entry)}
                  for name, entry in sorted(holders.items())]
        if args.json:
            print(json.dumps(listed, indent=2))
            return 0
        for holder in listed:
            bound = f"  {holder['organisation']}" if holder["organisation"] else ""
            print(f"{holder['holder']}  {holder['role']}{bound}")
        return 0
    if args.action == "revoke":
        if holders.pop(args.name, None) is None:
            print(f"{path} holds no key of {args.name!r}", file=sys.stderr)
            return 1
        write(path, holders)
        print(json.dumps({"revoked": args.name}) if args.json else
              f"revoked the key of {args.name}")
        return 0
    if args.name in holders:
        print(f"{args.name!r} has a key already: revoke it first", file=sys.stderr)
        return 2
    try:
        organisation = organisation_of(args)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return 2
    if args.person:
        return add_person(args, path, holders, organisation)
    key = secrets.token_urlsafe(24)
    holders[args.name] = {"role": args.role, "key_sha256": key_hash(key),
                          **({"organisation": organisation} if organisation else {})}
    write(path, holders)
    if args.json:
        print(json.dumps({"holder": args.name, "role": args.role, "organisation": organisation,
                          "key": key}))
        return 0
    bound = f" of {organisation}" if organisation else ""
    print(f"key of {args.name} ({args.role}{bound}), shown this once:\n{key}")
    return 0


def add_person(args, path, holders, organisation):
    """An account for a person to sign in to the pages with (shared/web/people.py): a password,
    and a TOTP secret where the role needs a second factor, shown this once; the file keeps the
    password's argon2 hash."""
    password = secrets.token_urlsafe(15)
    secret = new_totp_secret() if args.role in SECOND_FACTOR_ROLES else None
    holders[args.name] = {"role": args.role, "name": args.shown_as or args.name,
                          "password_argon2": new_password_hash(password),
                          **({"totp_secret": secret} if secret else {}),
                          **({"organisation": organisation} if organisation else {})}
    write(path, holders)
    uri = (pyotp.TOTP(secret).provisioning_uri(name=args.name, issuer_name="doorstroom")
           if secret else None)
    if args.json:
        print(json.dumps({"holder": args.name, "role": args.role, "organisation": organisation,
                          "password": password, "totp_secret": secret, "totp_uri": uri}))
        return 0
    print(f"account of {args.name} ({args.role}), shown this once:\npassword {password}")
    if secret:
        print(f"TOTP secret {secret} (add it to an authenticator app: {uri})")
    return 0


def organisation_of(args):
    """The organisation `keys add` binds the key to, as shared/http.py ApiKeys reads it
    (`employer:<id>`, `municipality:<CBS code>`), or None for a role of which the chain has one
    organisation; ValueError says what is wrong with the options."""
    if args.role not in ROLES:
        raise ValueError(f"--role is one of {', '.join(sorted(ROLES))}")
    given = {"--employer": args.employer, "--municipality": args.municipality}
    needed = BOUND_BY.get(args.role)
    for option, value in given.items():
        if value and option != needed:
            raise ValueError(f"{option} is given for, and only for, the "
                             f"{_role_bound_by(option)} role")
    if needed is None:
        return None
    if not given[needed]:
        raise ValueError(f"the {args.role} role needs {needed}: which one the key speaks for")
    kind = ROLES[args.role]
    try:
        return organisation_named(f"{kind}:{given[needed]}", kind, whole=True)
    except ValueError as problem:
        raise ValueError(f"{needed}: {problem}") from problem


def _role_bound_by(option):
    return next(role for role, bound_by in BOUND_BY.items() if bound_by == option)


def binding(entry):
    """The organisation a keys file entry binds its key to, or None."""
    if entry.get("organisation"):
        return entry["organisation"]
    return f"employer:{entry['employer_id']}" if entry.get("employer_id") else None


def write(path, holders):
    # Whole or not at all: a service reading the file meanwhile sees the old one or the new.
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.new")
    draft.write_text(json.dumps(holders, indent=2) + "\n")
    draft.chmod(0o600)
    os.replace(draft, path)
