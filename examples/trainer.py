"""A trainer at the work company plans cohorts and records results.

Admitted participants get a route and a place from training itself; the trainer plans the
cohorts they take places in, and records each participant's result for the module they are
in: a pass awards its certificate and gives a place in the next module.

    DOORSTROOM_API_KEY=... python examples/trainer.py plan forklift --starts-on 2027-01-11 \\
        --weeks 4 --places 12 --trainer "Team Leerwerkbedrijf"
    DOORSTROOM_API_KEY=... python examples/trainer.py result PARTICIPANT_ID [--failed]
"""
from datetime import date, timedelta

from chain_api import arguments, run, today


def plan(training, args):
    starts_on = date.fromisoformat(args.starts_on)
    cohort = training.post("/cohorts", {
        "module": args.module, "starts_on": args.starts_on,
        "ends_on": str(starts_on + timedelta(weeks=args.weeks)), "places": args.places,
        "trainer": args.trainer})
    print(f"cohort {cohort['id']} of {cohort['module']} from {cohort['starts_on']}: "
          f"{len(cohort['members'])} of {cohort['places']} places taken")


def result(training, args):
    path = f"/participants/{args.participant}"
    programme = training.get(f"{path}/programme")
    current = [step["module"] for step in programme["steps"] if step["status"] == "enrolled"]
    if not current:
        raise SystemExit(f"{args.participant} is in no module now: "
                         f"{[(s['module'], s['status']) for s in programme['steps']]}")
    programme = training.post(f"{path}/results", {
        "module": current[0], "passed": not args.failed, "completed_on": args.completed_on})
    print(f"{current[0]}: {'failed' if args.failed else 'passed'}; programme "
          f"{programme['status']}, certificates: "
          f"{', '.join(c['certificate'] for c in programme['certificates']) or 'none'}")


def main():
    parser = arguments(__doc__, "http://localhost:8002")
    commands = parser.add_subparsers(dest="command", required=True)
    planning = commands.add_parser("plan", help="plan a cohort of a module")
    planning.add_argument("module", help="a module code, e.g. forklift (GET /modules)")
    planning.add_argument("--starts-on", default=str(today()))
    planning.add_argument("--weeks", type=int, default=6)
    planning.add_argument("--places", type=int, default=12)
    planning.add_argument("--trainer", required=True)
    recording = commands.add_parser("result", help="record the result of a participant's "
                                                   "current module")
    recording.add_argument("participant")
    recording.add_argument("--failed", action="store_true")
    recording.add_argument("--completed-on", default=str(today()))
    run(parser, {"plan": plan, "result": result})


if __name__ == "__main__":
    main()
