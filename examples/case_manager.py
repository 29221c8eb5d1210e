"""A PI case manager takes a detainee into the chain: register, screen, record consent, admit.

The identity (name, BSN, date of birth) stays at the PI's intake service: the BSN must pass
the eleven-test, and a BSN already in the chain is refused with the participant it belongs
to. The answer is the participant's random id, which is all the rest of the chain hears.

    DOORSTROOM_API_KEY=... python examples/case_manager.py --name "Jan de Vries" \\
        --bsn 111222333 --date-of-birth 1990-05-17 --municipality Dordrecht \\
        --release-date 2027-03-01
"""

from chain_api import Api, arguments, today

# Fill these in from the screening interview.
SCREENING = {
    "motivation": 4,
    "language_level": "B1",
    "skills": ["teamwork", "punctuality"],
    "occupations": ["office-cleaner"],
    "preferred_sectors": ["cleaning"],
    "hours_per_week": 32,
    "restrictions": {},
}
# Consent per purpose, each with its legal basis; informing the municipality of return is a
# legal obligation.
CONSENTS = {"training": "consent", "matching": "consent", "placement-follow-up": "consent",
            "inform-municipality": "legal-obligation"}
CONSENT_VERSION = "2026-1"


def main():
    parser = arguments(__doc__, "http://localhost:8001")
    parser.add_argument("--name", required=True)
    parser.add_argument("--bsn", required=True, help="burgerservicenummer, nine digits")
    parser.add_argument("--date-of-birth", required=True, help="YYYY-MM-DD")
    parser.add_argument("--municipality", required=True, help="of return: CBS code or name")
    parser.add_argument("--release-date", required=True, help="expected, YYYY-MM-DD")
    parser.add_argument("--institution", default="PI Dordtse Poorten")
    parser.add_argument("--target-group", default="detainee-last-phase")
    args = parser.parse_args()
    intake = Api(args.url)

    participant = intake.post("/participants", {
        "identity": {"name": args.name, "bsn": args.bsn, "date_of_birth": args.date_of_birth},
        "target_group": args.target_group, "institution": args.institution,
        "municipality": args.municipality, "expected_release_date": args.release_date})
    path = f"/participants/{participant['id']}"
    day = today().isoformat()
    intake.put(f"{path}/screening", {
        **SCREENING, "may_work_outside_from": day,
        "safety": {"cleared": True, "assessed_by": "security officer", "assessed_on": day}})
    for purpose, basis in CONSENTS.items():
        intake.post(f"{path}/consents", {"purpose": purpose, "legal_basis": basis,
                                         "version": CONSENT_VERSION})
    admitted = intake.post(f"{path}/selection", {"decision": "admit"})
    print(f"participant {admitted['id']} {admitted['status']}")


if __name__ == "__main__":
    main()
