"""doorstroom: run the re-integration chain locally, walk a synthetic cohort through it, and
watch it as an operator."""
import argparse
import os
import sys
import warnings

# nameko runs on eventlet, which warns on import that it is in maintenance mode.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

SERVICES = ("intake", "training", "matching", "placement", "notifications")


# Operators' commands: each prints what it finds, also as JSON.
OPERATOR_COMMANDS = ("status", "trace", "audit", "outbox", "migrate", "tail", "dlq",
                     "run-check", "keys")


def parser_of_commands():
    parser = argparse.ArgumentParser(prog="doorstroom", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    # Where the local chain is: the same two options for every command that uses it, so that
    # one pair can be passed to any of them.
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--data-dir", help="where databases, logs and API keys live "
                       "(default $DOORSTROOM_DATA_DIR or ./var)")
    where.add_argument("--port-base", type=int, help="services listen on BASE+1 .. BASE+5 "
                       "(default $DOORSTROOM_PORT_BASE or 8000)")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print what it found as JSON")

    def command(name, **kwargs):
        return commands.add_parser(
            name, parents=[where, as_json] if name in OPERATOR_COMMANDS else [where], **kwargs)

    up = command("up", help="run all five services locally until Ctrl-C")
    demo = command("demo", help="walk a synthetic cohort through a running chain and compare "
                   "the funnel it measures with the one it planned; exits 1 when they differ")
    demo.add_argument("--participants", type=int, default=10, metavar="N")
    command("status", help="health, queues, parked messages, outbox backlog and "
            "facts set aside per service; exits 1 when something is wrong")
    trace = command("trace", help="one participant's journey across the chain "
                    "(--json: the facts as CloudEvents JSON)")
    trace.add_argument("participant", metavar="PARTICIPANT_ID")
    audit = command("audit", help="check that each service's audit log of reads "
                    "of personal data is as it was written; exits 1 naming the service and the "
                    "first broken entry when one is not")
    audit.add_argument("action", choices=("verify",))
    audit.add_argument("services", nargs="*", metavar="SERVICE",
                       help=f"which services: {', '.join(SERVICES)} (default all five)")
    outbox = command("outbox", help="publish the facts a service's outbox set "
                     "aside again, with fresh attempts, once their cause is mended")
    outbox.add_argument("action", choices=("retry",))
    outbox.add_argument("service", choices=SERVICES)
    run_check = command("run-check", help="run one of a service's scheduled "
                        "checks now rather than on its timer, e.g. `run-check placement "
                        "milestones`; a service that has no such check names those it has")
    run_check.add_argument("service", choices=SERVICES)
    run_check.add_argument("check", help="the check, e.g. milestones (placement) or retention "
                           "(every service)")
    migrate = command("migrate", help="bring services' databases to this "
                      "release's schema (every service runs only on a current one)")
    migrate.add_argument("services", nargs="*", metavar="SERVICE",
                         help=f"which services: {', '.join(SERVICES)} (default all five)")
    migrate.add_argument("--database-url", metavar="URL",
                         help="the one named service's database (default $DATABASE_URL; "
                         "without either, the local chain's, as `doorstroom up` makes them)")
    migrate.add_argument("--check", action="store_true",
                         help="only say where each database stands; exits 1 when one is not "
                         "current (--json: as JSON)")
    migrate.add_argument("--new", metavar="MESSAGE",
                         help="write the named service's next revision from what its tables in "
                         "code have that its migrations lack")

    up.add_argument("--instances", type=int, default=1, metavar="N",
                    help="run training, matching, placement and notifications N times each; "
                    "intake runs once, as it serves the PI's API. Instance k of a service listens "
                    "10*(k-1) above its first. N > 1 needs --postgres")
    for postgres_user in (up, migrate):
        postgres_user.add_argument(
            "--postgres", metavar="URL", default=os.environ.get("DOORSTROOM_POSTGRES_URL"),
            help="a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres, with "
            "one database per service, created when missing (default $DOORSTROOM_POSTGRES_URL; "
            "without it each service has a SQLite file)")
        postgres_user.add_argument(
            "--database-prefix", default="doorstroom_", metavar="PREFIX",
            help="with --postgres, the databases are PREFIX<service> (default doorstroom_)")

    tail = command("tail", help="the chain's facts as they happen (--json: whole "
                   "CloudEvents as JSON lines)")
    tail.add_argument("--type", action="append", metavar="PATTERN",
                      help="only these event types, e.g. 'participant.*' (repeatable)")
    tail.add_argument("--participant", metavar="ID", help="only facts about this participant")
    tail.add_argument("--count", type=int, help="stop after N facts")
    tail.add_argument("--seconds", type=float, help="stop after S seconds")

    dlq = command("dlq", help="inspect, replay or purge a service's parked "
                  "messages")
    dlq.add_argument("action", choices=("list", "show", "replay", "purge"))
    dlq.add_argument("service", choices=SERVICES)
    dlq.add_argument("number", type=int, nargs="?", default=1,
                     help="for show: which message (as numbered by list)")
    dlq.add_argument("--yes", action="store_true", help="for purge: yes, delete them")
    dlq.add_argument("--skip-gaps", action="store_true",
                     help="for replay: apply ordered facts even if earlier facts about their "
                          "participant never came (after a purge, say)")

    catalogue = commands.add_parser("catalogue", help="write the AsyncAPI event catalogue "
                                    "docs/asyncapi.yaml from the contracts")
    catalogue.add_argument("--check", action="store_true",
                           help="only check that the committed catalogue is up to date")

    register = commands.add_parser("privacy-register", help="write the register of processing "
                                   "docs/privacy.md from the chain's privacy policy")
    register.add_argument("--check", action="store_true",
                          help="only check that the committed register is up to date")

    definitions = commands.add_parser("broker-definitions", help="write the RabbitMQ accounts "
                                      "and permissions docker/rabbitmq/definitions.json")
    definitions.add_argument("--check", action="store_true",
                             help="only check that the committed definitions are up to date")

    keys = commands.add_parser("identity-keys", help="create the key file that seals "
                               "participants' identities in intake's database")
    keys.add_argument("path")
    webhook_keys = commands.add_parser("webhook-keys", help="create the key file that seals "
                                       "webhook signing secrets in notifications' database")
    webhook_keys.add_argument("path")

    api_keys = command("keys", help="issue, revoke or list API keys; the file "
                       "keeps only their hashes")
    api_keys.add_argument("action", choices=("add", "revoke", "list"))
    api_keys.add_argument("name", nargs="?", help="the key holder, as audit logs name them")
    api_keys.add_argument("--role", help="for add: the holder's role")
    api_keys.add_argument("--employer", "--employer-id", dest="employer", metavar="ID",
                          help="for add, with the employer role: the employer whose data the "
                          "key opens")
    api_keys.add_argument("--municipality", metavar="CODE",
                          help="for add, with the municipality-caseworker role: the "
                          "municipality whose data the key opens, by CBS code (0505) or "
                          "exact name (Dordrecht)")
    api_keys.add_argument("--person", action="store_true",
                          help="for add: an account for a person to sign in to the pages "
                          "with a password (and a TOTP code where the role needs one), "
                          "instead of an API key")
    api_keys.add_argument("--shown-as", metavar="NAME",
                          help="for add --person: the person's name as the pages show it")
    api_keys.add_argument("--file", help="the keys file (default DATA_DIR/api-keys.json)")
    return parser, commands.choices


def main(argv=None):
    parser, commands = parser_of_commands()
    args = parser.parse_args(argv)
    if args.command == "up":
        _check_instances(commands["up"], args)
    if args.command in ("migrate", "audit") and set(args.services) - set(SERVICES):
        commands[args.command].error(
            f"no such service: {', '.join(sorted(set(args.services) - set(SERVICES)))}")
    if args.command == "keys" and args.action != "list" and not args.name:
        commands["keys"].error(f"keys {args.action} needs the holder's name")
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # what failed, in one line for the operator, not a traceback
        print(f"doorstroom {args.command}: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc):
    return " ".join(f"{exc.__class__.__name__}: {exc}".split())


def run(args):
    if args.command == "identity-keys":
        from services.intake.vault import create_key_file
        return _key_file(create_key_file, args.path, "the identities sealed with it")
    if args.command == "webhook-keys":
        from shared.sealing import create_key_file
        return _key_file(create_key_file, args.path, "the webhook signing secrets sealed with it")
    if args.command == "keys":
        from doorstroom import keys as keys_command
        return keys_command.run(args)
    if args.command == "privacy-register":
        from doorstroom import privacy
        return privacy.run(args)
    if args.command == "catalogue":
        from doorstroom import catalogue as catalogue_command
        return catalogue_command.run(args)
    if args.command == "broker-definitions":
        from doorstroom import provisioning
        return provisioning.run(args)
    if args.command == "up":
        from doorstroom import up
        return up.run(args)
    if args.command == "migrate":
        from doorstroom import migrate as migrate_command
        return migrate_command.run(args)
    if args.command == "demo":
        from doorstroom import demo as demo_command
        return demo_command.run(args)
    if args.command == "audit":
        from doorstroom import audit as audit_command
        return audit_command.run(args)
    from doorstroom import operators
    return getattr(operators, args.command.replace("-", "_"))(args)


def _check_instances(parser, args):
    if args.instances < 1:
        parser.error("--instances must be at least 1")
    if args.instances > 1 and not args.postgres:
        parser.error(f"--instances {args.instances} needs PostgreSQL: several processes of one "
                     "service cannot share a SQLite file, which has no row locks or advisory "
                     "locks. Pass --postgres URL (e.g. postgresql://postgres@127.0.0.1:5432/"
                     "postgres) or set DOORSTROOM_POSTGRES_URL.")


def _key_file(create, path, sealed):
    try:
        print(f"created {create(path)}: keep it safe and back it up; without it {sealed} "
              "cannot be read")
    except FileExistsError:
        print(f"{path} exists: refusing to overwrite keys", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
