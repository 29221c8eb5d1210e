"""doorstroom: run the re-integration chain locally and walk a synthetic cohort through it."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="doorstroom", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="run all five services locally until Ctrl-C")
    demo = commands.add_parser("demo", help="walk a synthetic cohort through a running chain")
    demo.add_argument("--participants", type=int, default=10, metavar="N")
    keys = commands.add_parser("identity-keys", help="create the key file that seals "
                               "participants' identities in intake's database")
    keys.add_argument("path")
    for command in (up, demo):
        command.add_argument("--data-dir", help="where databases, logs and API keys live "
                             "(default $DOORSTROOM_DATA_DIR or ./var)")
        command.add_argument("--port-base", type=int, help="services listen on BASE+1 .. BASE+5 "
                             "(default $DOORSTROOM_PORT_BASE or 8000)")
    args = parser.parse_args(argv)

    if args.command == "identity-keys":
        from services.intake.vault import create_key_file
        try:
            print(f"created {create_key_file(args.path)}: keep it safe and back it up; without "
                  "it the identities sealed with it cannot be read")
        except FileExistsError:
            print(f"{args.path} exists: refusing to overwrite keys", file=sys.stderr)
            return 1
        return 0
    if args.command == "up":
        from doorstroom import up
        return up.run(args)
    from doorstroom import demo as demo_command
    return demo_command.run(args)


if __name__ == "__main__":
    sys.exit(main())
