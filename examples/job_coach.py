"""A job coach at the work company starts the placement of an accepted match and checks in.

Placement plans a placement when a match is accepted; the coach starts it with the contract,
and records each check-in. The notes stay with the coach's organisation; a risk of
`attention` or `at-risk` is told to the social service, without the notes.

    DOORSTROOM_API_KEY=... python examples/job_coach.py start PARTICIPANT_ID \\
        --contract-type work-trial --hourly-wage 14.06 --coach "Team Jobcoaching"
    DOORSTROOM_API_KEY=... python examples/job_coach.py check-in PLACEMENT_ID --risk none \\
        --notes "settling in well"
"""

from chain_api import arguments, run, today


def start(placement, args):
    planned = placement.get("/placements", participant_id=args.participant, status="planned")
    if not planned:
        raise SystemExit(f"no planned placement for {args.participant}")
    started = placement.post(f"/placements/{planned[0]['id']}/start", {
        "contract_type": args.contract_type, "hourly_wage": args.hourly_wage,
        "job_coach": args.coach, "started_on": args.started_on})
    print(f"placement {started['id']} {started['status']} on {started['started_on']} "
          f"as {started['occupation']}")


def check_in(placement, args):
    checked = placement.post(f"/placements/{args.placement}/check-ins", {
        "held_on": args.held_on, "risk": args.risk, "notes": args.notes})
    print(f"placement {checked['id']}: {len(checked['check_ins'])} check-in(s), "
          f"risk {checked['risk']}")


def main():
    parser = arguments(__doc__, "http://localhost:8004")
    commands = parser.add_subparsers(dest="command", required=True)
    starting = commands.add_parser("start", help="start a participant's planned placement")
    starting.add_argument("participant")
    starting.add_argument("--contract-type", required=True,
                          help="work-trial, learn-work-job, paid-temporary, ...")
    starting.add_argument("--hourly-wage", required=True, help="gross, in euros: 14.06")
    starting.add_argument("--coach", required=True)
    starting.add_argument("--started-on", default=str(today()))
    checking = commands.add_parser("check-in", help="record a check-in")
    checking.add_argument("placement")
    checking.add_argument("--risk", choices=["none", "attention", "at-risk"], required=True)
    checking.add_argument("--notes", default="")
    checking.add_argument("--held-on", default=str(today()))
    run(parser, {"start": start, "check-in": check_in})


if __name__ == "__main__":
    main()
