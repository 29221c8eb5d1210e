"""An employer answers the proposals for its own vacancies, with its own key.

The employer's key names the employer it speaks for (`employer:<id>`); it sees only its own
vacancies and proposals, each with an anonymous candidate and what speaks for them.

    DOORSTROOM_API_KEY=... python examples/employer.py EMPLOYER_ID proposals
    DOORSTROOM_API_KEY=... python examples/employer.py EMPLOYER_ID answer PROPOSAL_ID accept
"""
from chain_api import Api, arguments


def main():
    parser = arguments(__doc__, "http://localhost:8003")
    parser.add_argument("employer", help="your employer id, as the employer desk gave it")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("proposals", help="the proposals waiting for your answer")
    answering = commands.add_parser("answer", help="accept or decline a proposal")
    answering.add_argument("proposal")
    answering.add_argument("decision", choices=["accept", "decline"])
    answering.add_argument("--reason", help="why, when declining")
    args = parser.parse_args()
    matching = Api(args.url)
    path = f"/employers/{args.employer}/proposals"
    if args.command == "proposals":
        for proposal in matching.get(path):
            if proposal["status"] == "proposed" and not proposal["employer_accepted"]:
                print(f"proposal {proposal['id']} for vacancy {proposal['vacancy_id']}: "
                      f"{proposal['candidate']}, {'; '.join(proposal['reasons'])}")
    else:
        proposal = matching.post(f"{path}/{args.proposal}/responses",
                                 {"decision": args.decision, "reason": args.reason})
        print(f"proposal {proposal['id']} {proposal['status']}")


if __name__ == "__main__":
    main()
