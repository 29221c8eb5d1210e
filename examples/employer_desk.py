"""The social service's employer desk: employers, their vacancies, and answers to proposals.

Matching ranks the candidates against every vacancy and proposes the best, saying why; the
desk answers for the candidate, and for an employer who calls in. Both sides accepting makes
the match, and placement plans the job.

    DOORSTROOM_API_KEY=... python examples/employer_desk.py employer "Schoon BV" \\
        --sector cleaning --municipality Dordrecht --contact-email hr@schoon.example.org
    DOORSTROOM_API_KEY=... python examples/employer_desk.py vacancy EMPLOYER_ID \\
        --occupation office-cleaner --sector cleaning --municipality Dordrecht \\
        --certificate employee-skills --certificate cleaning-diploma --start-date 2027-02-01
    DOORSTROOM_API_KEY=... python examples/employer_desk.py proposals --vacancy VACANCY_ID
    DOORSTROOM_API_KEY=... python examples/employer_desk.py answer PROPOSAL_ID \\
        --for candidate accept
"""
from chain_api import arguments, run


def employer(matching, args):
    registered = matching.post("/employers", {
        "name": args.name, "sector": args.sector, "municipality": args.municipality,
        "contact_name": args.contact_name, "contact_email": args.contact_email,
        "social_return": args.social_return})
    print(f"employer {registered['id']} {registered['name']}")


def vacancy(matching, args):
    published = matching.post("/vacancies", {
        "employer_id": args.employer, "occupation": args.occupation, "sector": args.sector,
        "municipality": args.municipality, "hours_per_week": args.hours,
        "start_date": args.start_date, "positions": args.positions,
        "required_certificates": args.certificates, "min_language_level": "A2"})
    print(f"vacancy {published['id']} {published['occupation']} {published['status']}")


def proposals(matching, args):
    for proposal in matching.get("/proposals", vacancy_id=args.vacancy, status="proposed"):
        print(f"proposal {proposal['id']} for {proposal['participant_id']}, score "
              f"{proposal['score']}: {'; '.join(proposal['reasons'])}")


def answer(matching, args):
    proposal = matching.post(f"/proposals/{args.proposal}/responses", {
        "party": args.party, "decision": args.decision, "reason": args.reason})
    print(f"proposal {proposal['id']} {proposal['status']}")


def main():
    parser = arguments(__doc__, "http://localhost:8003")
    commands = parser.add_subparsers(dest="command", required=True)
    registering = commands.add_parser("employer", help="register an employer")
    registering.add_argument("name")
    registering.add_argument("--sector", required=True)
    registering.add_argument("--municipality", required=True)
    registering.add_argument("--contact-name", default="HR")
    registering.add_argument("--contact-email", required=True)
    registering.add_argument("--social-return", action="store_true",
                             help="the employer carries a social-return obligation")
    publishing = commands.add_parser("vacancy", help="publish a vacancy of an employer")
    publishing.add_argument("employer", help="the employer's id")
    publishing.add_argument("--occupation", required=True)
    publishing.add_argument("--sector", required=True)
    publishing.add_argument("--municipality", required=True)
    publishing.add_argument("--hours", type=int, default=32)
    publishing.add_argument("--start-date", required=True)
    publishing.add_argument("--positions", type=int, default=1)
    publishing.add_argument("--certificate", action="append", dest="certificates", default=[],
                            help="a required certificate (repeatable)")
    listing = commands.add_parser("proposals", help="pending proposals, with their reasons")
    listing.add_argument("--vacancy")
    answering = commands.add_parser("answer", help="accept or decline a proposal")
    answering.add_argument("proposal")
    answering.add_argument("decision", choices=["accept", "decline"])
    answering.add_argument("--for", dest="party", choices=["candidate", "employer"],
                           required=True)
    answering.add_argument("--reason", help="why, when declining")
    run(parser, {"employer": employer, "vacancy": vacancy, "proposals": proposals,
                 "answer": answer})


if __name__ == "__main__":
    main()
