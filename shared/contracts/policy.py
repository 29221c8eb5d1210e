"""The chain's privacy policy: for every fact, who outside its producer may receive it, and for
what purpose. Notifications' visibility per organisation, what it forwards to each integrator
and the broker grants that allow no more are made from this one table
(services/notifications/domain.py and handlers.py, doorstroom/provisioning.py), and
`doorstroom privacy-register` renders it as docs/privacy.md for the privacy officers to sign off
(tests/test_privacy_policy.py keeps all three current).

A receiver is an organisation of the chain (as notifications' recipients are) or an integrator on
the broker (`integrator:<name>`), to which notifications forwards its facts on an exchange of
its own (services/notifications/forwarding.py). Operators may hear of every fact, to run the
chain, and are not listed. A purpose whose basis is per participant (consent, or the legal
obligation to inform the municipality) holds for a fact about a participant only while intake
has recorded that basis for them: `participant.consent_given` until
`participant.consent_withdrawn`.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Purpose:
    description: str
    basis: str
    # The consent purpose (shared/contracts/vocabulary.py CONSENT_PURPOSES) whose record for the
    # participant the sharing needs, if the basis is per participant.
    needs: str | None = None


PURPOSES = {
    "case-management": Purpose(
        "the PI follows its own participants through the chain",
        "the PI's statutory task for detainees in their last phase"),
    "training": Purpose(
        "the work company plans and gives pre-release training",
        "the participant's consent for training", needs="training"),
    "matching": Purpose(
        "the social service's employer desk matches candidates to vacancies",
        "the participant's consent for matching", needs="matching"),
    "placement-follow-up": Purpose(
        "job coaches and the social service follow a placement until it lasts",
        "the participant's consent for placement follow-up", needs="placement-follow-up"),
    "inform-municipality": Purpose(
        "the municipality of return arranges basic conditions (ID, housing, income, debts, care)",
        "a legal obligation to inform the municipality (art. 18a Pbw), or consent",
        needs="inform-municipality"),
    "probation": Purpose(
        "the probation service supervises conditions after release",
        "the probation service's statutory task"),
    "employer-relation": Purpose(
        "an employer hears of its own vacancies, proposals and placements, never who a candidate is",
        "the agreement between the employer and the social service"),
    "social-return": Purpose(
        "social return is counted per employer (jobs suppliers of government contracts provide)",
        "the social-return agreements of the contracting governments"),
}

# The organisations of the chain, as API keys and notifications' recipients belong to them.
ORGANISATIONS = ("pi", "work-company", "social-service", "municipality", "probation", "employer",
                 "operator")
_PI, _WORK, _SOCIAL, _MUNICIPALITY, _PROBATION, _EMPLOYER, _ = ORGANISATIONS
_TO_MUNICIPALITY = {_MUNICIPALITY: "inform-municipality",
                    "integrator:municipality": "inform-municipality"}
_TO_PROBATION = {_PROBATION: "probation", "integrator:probation": "probation"}
_SOCIAL_RETURN = {"integrator:social-return-monitor": "social-return"}
# Who hears of the day a placement started or ended, and so of its correction.
_START_AND_END = {_PI: "case-management", _WORK: "placement-follow-up",
                  _SOCIAL: "placement-follow-up", _EMPLOYER: "employer-relation",
                  **_TO_MUNICIPALITY, **_TO_PROBATION, **_SOCIAL_RETURN}
_RELEASE = {_PI: "case-management", _SOCIAL: "matching", **_TO_MUNICIPALITY, **_TO_PROBATION}

# Each fact: its receivers and the purpose each receives it for.
RECEIVERS = {
    "participant.registered": {_PI: "case-management"},
    "participant.screened": {_PI: "case-management"},
    "participant.rejected": {_PI: "case-management"},
    "participant.admitted": {_PI: "case-management", _WORK: "training"},
    "participant.release_date_changed": {_PI: "case-management", _WORK: "training",
                                         **_TO_MUNICIPALITY},
    "participant.basic_conditions_updated": {_PI: "case-management", **_TO_MUNICIPALITY},
    "participant.released": _RELEASE,
    # Whoever heard of the release hears of its correction.
    "participant.release_corrected": _RELEASE,
    "participant.withdrawn": {_PI: "case-management", _WORK: "training",
                              **_TO_MUNICIPALITY, **_TO_PROBATION},
    "participant.consent_given": {_PI: "case-management"},
    "participant.consent_withdrawn": {_PI: "case-management"},
    "training.enrolled": {_WORK: "training"},
    "training.waitlisted": {_WORK: "training"},
    "training.module_completed": {_WORK: "training"},
    # The PI follows its participants' certificates in their journey: as they are awarded, and
    # as a correction re-dates or takes one back.
    "training.result_corrected": {_PI: "case-management", _WORK: "training"},
    "training.certificate_awarded": {_PI: "case-management", _WORK: "training"},
    "training.programme_completed": {_PI: "case-management", _WORK: "training",
                                     _SOCIAL: "matching"},
    "training.dropped_out": {_PI: "case-management", _WORK: "training"},
    # The catalogue, about no participant: the work company's own, and the employer desk's,
    # whose advice to a near miss names its modules.
    "training.module_added": {_WORK: "training", _SOCIAL: "matching"},
    "training.module_changed": {_WORK: "training", _SOCIAL: "matching"},
    "employer.registered": {_SOCIAL: "matching", **_SOCIAL_RETURN},
    "vacancy.published": {_SOCIAL: "matching", _EMPLOYER: "employer-relation"},
    "vacancy.changed": {_SOCIAL: "matching", _EMPLOYER: "employer-relation"},
    "vacancy.closed": {_SOCIAL: "matching", _EMPLOYER: "employer-relation"},
    "match.proposed": {_SOCIAL: "matching", _EMPLOYER: "employer-relation"},
    "match.accepted": {_SOCIAL: "matching", _WORK: "placement-follow-up",
                       _EMPLOYER: "employer-relation"},
    "match.declined": {_SOCIAL: "matching"},
    "match.expired": {_SOCIAL: "matching", _EMPLOYER: "employer-relation"},
    "placement.planned": {_WORK: "placement-follow-up", _SOCIAL: "placement-follow-up"},
    "placement.started": _START_AND_END,
    # The wage is between the participant, the employer and the municipality that pays the
    # benefit: no other receiver of the start hears of it.
    "placement.terms_agreed": {**_TO_MUNICIPALITY},
    "placement.milestone_reached": {_WORK: "placement-follow-up", _SOCIAL: "placement-follow-up",
                                    _EMPLOYER: "employer-relation", **_SOCIAL_RETURN},
    "placement.sustained": {_WORK: "placement-follow-up", _SOCIAL: "placement-follow-up",
                            _EMPLOYER: "employer-relation", **_TO_MUNICIPALITY,
                            **_SOCIAL_RETURN},
    "placement.ended": _START_AND_END,
    "placement.start_corrected": _START_AND_END,
    "placement.end_corrected": _START_AND_END,
    "placement.risk_raised": {_WORK: "placement-follow-up", _SOCIAL: "placement-follow-up"},
    "notification.delivered": {},
    "notification.failed": {},
    # Receipts of erasure, for the PI that answers to the participant.
    **{f"{service}.participant_erased": {_PI: "case-management"}
       for service in ("training", "matching", "placement", "notifications")},
}

INTEGRATOR = "integrator:"
# A withdrawn basis is told to every receiver that holds facts about the participant for its
# purpose, so that it erases them too: the participant's id and the purpose, no more.
WITHDRAWAL = "participant.consent_withdrawn"


# Facts only their receivers hear of, not operators either: the wage is between the
# participant, the employer and the municipality that pays the benefit
# (tests/test_privacy_policy.py::test_the_wage_is_told_to_the_municipality_alone).
RECEIVERS_ONLY = frozenset({"placement.terms_agreed"})


def visible_to(organisation):
    """The facts an organisation of the chain may hear of (an operator: every fact but those
    for their receivers only)."""
    return sorted(t for t, receivers in RECEIVERS.items() if organisation in receivers
                  or organisation == "operator" and t not in RECEIVERS_ONLY)


def integrators():
    """{integrator name: the facts it is entitled to}."""
    names = {r[len(INTEGRATOR):] for receivers in RECEIVERS.values() for r in receivers
             if r.startswith(INTEGRATOR)}
    return {name: visible_to(INTEGRATOR + name) for name in sorted(names)}


def integrators_of(event_type):
    """The integrators entitled to a fact of `event_type`, by name."""
    return sorted(r[len(INTEGRATOR):] for r in RECEIVERS[event_type] if r.startswith(INTEGRATOR))


def forwarded_to(name):
    """What notifications forwards to the integrator: the facts it is entitled to, and the
    withdrawal of a basis if it holds any of them on a per-participant basis."""
    entitled = visible_to(INTEGRATOR + name)
    told = any(needed_for(t, INTEGRATOR + name) for t in entitled)
    return sorted({*entitled, *([WITHDRAWAL] if told else [])})


def needed_for(event_type, receiver):
    """The consent purposes whose record for the participant `receiver` needs to hold a fact
    of `event_type` about them; an operator holds each fact for every purpose it is shared
    for."""
    receivers = RECEIVERS[event_type]
    names = receivers.values() if receiver == "operator" else [receivers.get(receiver)]
    return {PURPOSES[name].needs for name in names if name and PURPOSES[name].needs}
