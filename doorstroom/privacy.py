"""`doorstroom privacy-register`: docs/privacy.md, the chain's register of processing per flow,
rendered from the one policy in shared/contracts/policy.py."""
from doorstroom import chain
from doorstroom.generated import write_or_check
from shared.contracts import all_contracts
from shared.contracts.policy import PURPOSES, RECEIVERS
from shared.retention import RETENTION

REGISTER = chain.PROJECT_ROOT / "docs" / "privacy.md"


def render():
    contracts = all_contracts()
    lines = [
        "# Register of processing: who receives which fact, for what, on what basis",
        "",
        "Generated from `shared/contracts/policy.py` by `doorstroom privacy-register`; do not edit",
        "by hand. Notifications' visibility per organisation and what it may forward to each",
        "integrator on the broker are made from the same table (`tests/test_privacy_policy.py`).",
        "Operators may hear of every fact to run the chain but the agreed terms of a placement,",
        "with the wage, which the municipality alone hears of. A basis that is per participant",
        "holds from `participant.consent_given` until `participant.consent_withdrawn` for its",
        "purpose. Notifications tells an organisation of a participant only while the basis",
        "of each purpose it receives the fact for holds, and of one whose basis is unknown",
        "nothing (`test_a_municipality_hears_nothing_of_a_participant_without_a_basis`,",
        "`test_a_work_company_hears_of_training_only_while_the_participant_consents`); each service",
        "that holds data for a consent purpose erases it when the consent is withdrawn.",
        "Integrators read no producer's exchange: notifications forwards each, on its own",
        "exchange `integrator.<name>`, the facts it receives here, about a participant only",
        "while the basis holds, and tells it of the withdrawal of a basis it held facts on",
        "(`services/notifications/tests/test_forwarding.py`).",
        "",
        "## Purposes",
        "",
        "| purpose | what for | legal basis | per participant |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| `{name}` | {p.description} | {p.basis} | {_needs(p)} |"
              for name, p in PURPOSES.items()]
    lines += ["", "## Flows", "", "| fact | producer | receiver | purpose |",
              "| --- | --- | --- | --- |"]
    for event_type, receivers in RECEIVERS.items():
        producer = contracts[event_type].producer
        if not receivers:
            lines.append(f"| `{event_type}` | {producer} | (operators only) | |")
        lines += [f"| `{event_type}` | {producer} | {receiver} | `{purpose}` |"
                  for receiver, purpose in receivers.items()]
    lines += ["", "## Retention", "",
              "What each service keeps once it no longer needs it, and for how long; every hour one",
              "instance of each service purges what has passed its period, or anonymises what",
              "still counts for the outcome reports (`shared/retention.py`,",
              "`shared/tests/test_retention.py`). Each period is a setting of the services it",
              "applies to.", "",
              "| what | kept for | setting | services |", "| --- | --- | --- | --- |"]
    lines += [f"| {period.what} | {period.days} day{'s' if period.days != 1 else ''} | "
              f"{f'`{period.setting}`' if period.setting else '(fixed)'} | "
              f"{', '.join(period.services)} |" for period in RETENTION]
    return "\n".join(lines) + "\n"


def _needs(purpose):
    return f"yes (`{purpose.needs}`)" if purpose.needs else "no"


def run(args):
    return write_or_check(REGISTER, render(), "privacy-register", args.check)
