"""What a message about a fact says, in the recipient's language: what happened, about whom (the
participant by pseudonym; a vacancy, match or placement by its id) and what changed, with dates
as the people the chain serves count them (Europe/Amsterdam) and written out, whatever the
machine's locale.

A message renders only what the fact it is given carries: a recipient's copy has already lost
what its organisation may not know (domain.redacted_for), so an employer's message names no
participant (test_an_employer_message_names_its_placement_not_the_participant).
"""
from datetime import date, datetime, timezone

from shared.clock import ZONE
from shared.contracts.erasure import ERASED_BY
from shared.contracts.municipalities import named
from shared.contracts.vocabulary import OCCUPATIONS

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def day_shown(day, language):
    """3 december 2026 / 3 December 2026."""
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def moment_shown(moment, language):
    """A moment at the time it was in Amsterdam: 3 december 2026 om 14:05. A moment without a
    zone is taken as UTC, as the chain keeps moments."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(ZONE)
    at = {"nl": "om", "en": "at"}[language]
    return f"{day_shown(local.date(), language)} {at} {local:%H:%M}"


# Codes as people read them, per field of a fact. A code a release does not know yet (open
# vocabularies grow) is shown as it is.
LABELS = {
    "nl": {
        "reason": {
            "not-motivated": "niet gemotiveerd",
            "safety-not-cleared": "veiligheid niet vrijgegeven",
            "no-consent": "geen toestemming", "other": "overige reden",
            "entry-error": "het was verkeerd ingevoerd",
            "recorded-in-advance": "het was vooraf vastgelegd",
            "dropped-out": "uitgevallen", "transferred": "overgeplaatst",
            "recalled-to-custody": "teruggeroepen in detentie",
            "filled-elsewhere": "elders vervuld",
            "withdrawn-by-employer": "ingetrokken door de werkgever",
            "timed-out": "niet op tijd beantwoord", "vacancy-changed": "de vacature is gewijzigd",
            "vacancy-closed": "de vacature is gesloten",
            "candidate-withdrawn": "de kandidaat is uit de keten gegaan",
            "contract-ended": "contract afgelopen", "dismissed": "ontslagen",
            "resigned": "zelf opgezegd", "returned-to-custody": "terug in detentie",
            "moved-away": "verhuisd", "health": "gezondheid", "motivation": "motivatie",
            "released-early": "eerder vrijgelaten", "left-the-chain": "uit de keten gegaan",
        },
        "condition": {"id-document": "ID-bewijs", "housing": "huisvesting", "income": "inkomen",
                      "debts": "schulden", "care": "zorg"},
        "status": {"settled": "geregeld", "in-progress": "in behandeling",
                   "not-settled": "niet geregeld", "open": "open", "filled": "vervuld"},
        "contract_type": {"work-trial": "proefplaatsing", "learn-work-job": "leerwerkbaan",
                          "paid-temporary": "tijdelijk contract",
                          "paid-permanent": "vast contract", "sheltered-work": "beschut werk"},
        "occupation": {"office-cleaner": "schoonmaker kantoren",
                       "industrial-cleaner": "industrieel schoonmaker",
                       "warehouse-worker": "magazijnmedewerker",
                       "forklift-driver": "heftruckchauffeur",
                       "construction-labourer": "bouwplaatsmedewerker",
                       "road-worker": "wegenbouwer", "kitchen-assistant": "keukenhulp",
                       "cook": "kok", "van-driver": "bestelbuschauffeur",
                       "truck-driver": "vrachtwagenchauffeur", "gardener": "hovenier",
                       "production-worker": "productiemedewerker",
                       "building-caretaker": "huismeester"},
        "certificate": {"employee-skills": "werknemersvaardigheden", "vca-basic": "VCA Basis",
                        "bhv": "BHV", "forklift": "heftruck", "code-95": "Code 95",
                        "cleaning-diploma": "schoonmaakdiploma",
                        "hospitality-basic": "basis horeca",
                        "dutch-for-work": "Nederlands voor het werk"},
        "sector": {"cleaning": "schoonmaak", "logistics": "logistiek", "construction": "bouw",
                   "hospitality": "horeca", "transport": "transport", "facility": "facilitair"},
        "target_group": {"detainee-last-phase": "gedetineerde in de laatste fase",
                         "penitentiary-programme": "penitentiair programma",
                         "community-service": "taakstraf", "disability": "arbeidsbeperking",
                         "long-term-unemployed": "langdurig werkloos",
                         "refugee-with-permit": "statushouder"},
        "risk": {"attention": "aandacht vraagt", "at-risk": "gevaar loopt"},
        "purpose": {"training": "training", "matching": "bemiddeling naar werk",
                    "placement-follow-up": "begeleiding na plaatsing",
                    "inform-municipality": "het informeren van de gemeente"},
        "legal_basis": {"consent": "toestemming", "legal-obligation": "wettelijke plicht"},
        "declined_by": {"employer": "de werkgever", "candidate": "de kandidaat"},
        "channel": {"inbox": "inbox", "email": "e-mail", "webhook": "webhook"},
        "safety_cleared": {True: "veiligheid vrijgegeven", False: "veiligheid niet vrijgegeven"},
        "passed": {True: "gehaald", False: "niet gehaald"},
        "wage_cost_subsidy": {True: ", met loonkostensubsidie", False: ""},
        "social_return": {True: ", met afspraken over social return", False: ""},
    },
    "en": {
        "reason": {
            "not-motivated": "not motivated", "safety-not-cleared": "safety not cleared",
            "no-consent": "no consent", "other": "another reason",
            "entry-error": "it was entered wrongly",
            "recorded-in-advance": "it was recorded in advance",
            "dropped-out": "dropped out", "transferred": "transferred",
            "recalled-to-custody": "recalled to custody",
            "filled-elsewhere": "filled elsewhere",
            "withdrawn-by-employer": "withdrawn by the employer",
            "timed-out": "not answered in time", "vacancy-changed": "the vacancy changed",
            "vacancy-closed": "the vacancy closed",
            "candidate-withdrawn": "the candidate left the chain",
            "contract-ended": "contract ended", "dismissed": "dismissed",
            "resigned": "resigned", "returned-to-custody": "returned to custody",
            "moved-away": "moved away", "health": "health", "motivation": "motivation",
            "released-early": "released early", "left-the-chain": "left the chain",
        },
        "condition": {"id-document": "ID document", "housing": "housing", "income": "income",
                      "debts": "debts", "care": "care"},
        "status": {"settled": "settled", "in-progress": "in progress",
                   "not-settled": "not settled", "open": "open", "filled": "filled"},
        "contract_type": {"work-trial": "work trial", "learn-work-job": "learn-work job",
                          "paid-temporary": "temporary contract",
                          "paid-permanent": "permanent contract",
                          "sheltered-work": "sheltered work"},
        "occupation": {code: name[0].lower() + name[1:]
                       for code, (_, name) in OCCUPATIONS.items()},
        "certificate": {"employee-skills": "employee skills", "vca-basic": "VCA Basic",
                        "bhv": "BHV (emergency response)", "forklift": "forklift",
                        "code-95": "Code 95", "cleaning-diploma": "cleaning diploma",
                        "hospitality-basic": "hospitality basics",
                        "dutch-for-work": "Dutch for work"},
        "sector": {"cleaning": "cleaning", "logistics": "logistics",
                   "construction": "construction", "hospitality": "hospitality",
                   "transport": "transport", "facility": "facility services"},
        "target_group": {"detainee-last-phase": "detainee in the last phase",
                         "penitentiary-programme": "penitentiary programme",
                         "community-service": "community service", "disability": "disability",
                         "long-term-unemployed": "long-term unemployed",
                         "refugee-with-permit": "refugee with a residence permit"},
        "risk": {"attention": "needs attention", "at-risk": "is at risk"},
        "purpose": {"training": "training", "matching": "matching to work",
                    "placement-follow-up": "placement follow-up",
                    "inform-municipality": "informing the municipality"},
        "legal_basis": {"consent": "consent", "legal-obligation": "legal obligation"},
        "declined_by": {"employer": "the employer", "candidate": "the candidate"},
        "channel": {"inbox": "inbox", "email": "e-mail", "webhook": "webhook"},
        "safety_cleared": {True: "safety cleared", False: "safety not cleared"},
        "passed": {True: "passed", False: "not passed"},
        "wage_cost_subsidy": {True: ", with a wage cost subsidy", False: ""},
        "social_return": {True: ", with social-return agreements", False: ""},
    },
}
# Fields whose codes read as another field's.
LABELS_OF = {"certificates": "certificate", "required_certificates": "certificate",
             "certificate_revoked": "certificate", "previous_passed": "passed"}

WORDS = {
    "nl": {"participant": "deelnemer {}", "nobody": "de kandidaat", "none": "geen",
           "unknown": "onbekend", "since": "sinds {}", "valid_until": ", geldig tot {}",
           "revoked": "; het certificaat {} is ingetrokken"},
    "en": {"participant": "participant {}", "nobody": "the candidate", "none": "none",
           "unknown": "unknown", "since": "since {}", "valid_until": ", valid until {}",
           "revoked": "; the certificate {} is withdrawn"},
}
# Numbers that count something: (one, more).
COUNTED = {
    "nl": {"months": ("{} maand", "{} maanden"), "months_in_work": ("{} maand", "{} maanden"),
           "positions": ("{} plaats", "{} plaatsen"), "weeks": ("{} week", "{} weken")},
    "en": {"months": ("{} month", "{} months"), "months_in_work": ("{} month", "{} months"),
           "positions": ("{} position", "{} positions"), "weeks": ("{} week", "{} weeks")},
}

# One template per fact a recipient may hear of, in each language. {participant} is the
# participant's pseudonymous id, or "the candidate" in a copy that may not name them;
# {Participant} the same at the start of a sentence; {vacancy} its title where the fact has one
# and its id.
TEMPLATES = {
    "nl": {
        "participant.registered": "{Participant} is aangemeld door {institution} "
                                  "({target_group}); verwachte vrijlating op "
                                  "{expected_release_date}, terug naar {municipality}.",
        "participant.screened": "{Participant} is gescreend: motivatie {motivation} van 5, "
                                "taalniveau {language_level}, {safety_cleared}.",
        "participant.rejected": "{Participant} is niet toegelaten tot de keten: {reason}.",
        "participant.admitted": "{Participant} is toegelaten tot de keten; verwachte "
                                "vrijlating op {expected_release_date}, terug naar "
                                "{municipality}.",
        "participant.release_date_changed": "De verwachte vrijlatingsdatum van {participant} "
                                            "is verschoven van {previous_release_date} naar "
                                            "{expected_release_date}.",
        "participant.release_corrected": "De vrijlatingsdatum van {participant} is "
                                         "gecorrigeerd van {previous_released_on} naar "
                                         "{released_on}: {reason}.",
        "participant.basic_conditions_updated": "De basisvoorwaarden van {participant} "
                                                "(gemeente {municipality}) zijn bijgewerkt: "
                                                "{conditions}.",
        "participant.released": "{Participant} is op {released_on} vrijgelaten en keert "
                                "terug naar {municipality}.",
        "participant.withdrawn": "{Participant} is op {withdrawn_on} uit de keten gegaan: "
                                 "{reason}.",
        "participant.consent_given": "Voor {participant} is op {given_at} een grondslag "
                                     "vastgelegd voor {purpose}: {legal_basis}.",
        "participant.consent_withdrawn": "Voor {participant} is de grondslag voor {purpose} "
                                         "op {withdrawn_at} vervallen: wis wat u daarvoor over "
                                         "deze deelnemer bewaart.",
        "training.enrolled": "{Participant} is ingeschreven voor module {module}, van "
                             "{starts_on} tot {ends_on}; het programma eindigt naar plan op "
                             "{planned_end}.",
        "training.waitlisted": "{Participant} staat op de wachtlijst voor module {module}, op "
                               "plaats {position}.",
        "training.module_completed": "{Participant} heeft module {module} op {completed_on} "
                                     "afgerond: {passed}.",
        "training.result_corrected": "Het resultaat van {participant} voor module {module} is "
                                     "gecorrigeerd van {previous_passed} op "
                                     "{previous_completed_on} naar {passed} op "
                                     "{completed_on}: {reason}{revoked}.",
        "training.certificate_awarded": "{Participant} heeft op {issued_on} het certificaat "
                                        "{certificate} behaald (nummer {number}, uitgegeven "
                                        "door {issuer}{valid_until}).",
        "training.programme_completed": "{Participant} heeft op {completed_on} het programma "
                                        "afgerond, met de certificaten: {certificates}.",
        "training.dropped_out": "{Participant} is gestopt met het programma: {reason}.",
        "training.module_added": "Module {module} ({name}) is aan de catalogus toegevoegd: "
                                 "{weeks}, leidt tot het certificaat {certificate}.",
        "training.module_changed": "Module {module} ({name}) is gewijzigd: {weeks}, leidt tot "
                                   "het certificaat {certificate}.",
        "employer.registered": "Werkgever {name} ({sector}, {municipality}) is "
                               "aangemeld{social_return}.",
        "vacancy.published": "Vacature {vacancy} is gepubliceerd: {positions} als "
                             "{occupation} in {municipality}, {hours_per_week} uur per week, "
                             "vanaf {start_date}.",
        "vacancy.changed": "Vacature {vacancy} is gewijzigd en is nu {status}: {positions} "
                           "als {occupation} in {municipality}, {hours_per_week} uur "
                           "per week, vanaf {start_date}.",
        "vacancy.closed": "Vacature {vacancy} is gesloten: {reason}.",
        "match.proposed": "Voor vacature {vacancy} is {participant} voorgesteld (voorstel "
                          "{match_id}, score {score}); het voorstel verloopt op {expires_at}.",
        "match.accepted": "Het voorstel {match_id} van {participant} voor vacature {vacancy} is "
                          "door beide partijen geaccepteerd: {occupation}, {hours_per_week} uur "
                          "per week, start op {start_date}.",
        "match.declined": "Het voorstel {match_id} van {participant} voor vacature {vacancy} "
                          "is afgewezen door {declined_by}: {reason}.",
        "match.expired": "Het voorstel {match_id} van {participant} voor vacature {vacancy} is "
                         "verlopen: {reason}.",
        "placement.planned": "Plaatsing {placement_id} van {participant} is gepland: "
                             "{occupation}, {hours_per_week} uur per week, start op "
                             "{start_date}.",
        "placement.started": "{Participant} is op {started_on} aan het werk gegaan (plaatsing "
                             "{placement_id}): {contract_type}, {hours_per_week} uur per "
                             "week{wage_cost_subsidy}.",
        "placement.terms_agreed": "{Participant} werkt sinds {started_on} op "
                                  "{contract_type} (plaatsing {placement_id}): "
                                  "{hours_per_week} uur per week tegen {hourly_wage} bruto per "
                                  "uur{wage_cost_subsidy}.",
        "placement.start_corrected": "De startdatum van plaatsing {placement_id} van "
                                     "{participant} is gecorrigeerd van {previous_started_on} "
                                     "naar {started_on}: {reason}.",
        "placement.milestone_reached": "Plaatsing {placement_id} van {participant} heeft op "
                                       "{reached_on} de mijlpaal van {months} werk bereikt.",
        "placement.sustained": "Plaatsing {placement_id} van {participant} is op "
                               "{sustained_on} duurzaam: zes maanden aan het werk.",
        "placement.ended": "Plaatsing {placement_id} van {participant} is op {ended_on} "
                           "beëindigd na {months_in_work}: {reason}.",
        "placement.end_corrected": "De einddatum van plaatsing {placement_id} van "
                                   "{participant} is gecorrigeerd van {previous_ended_on} naar "
                                   "{ended_on}: {reason}.",
        "placement.risk_raised": "De jobcoach meldt op {raised_on} dat plaatsing "
                                 "{placement_id} van {participant} {risk}.",
        "notification.delivered": "De melding over {event_type} ({event_id}) is via {channel} "
                                  "bezorgd bij {recipient} ({organisation}).",
        "notification.failed": "De melding over {event_type} ({event_id}) kon na {attempts} "
                               "pogingen niet via {channel} bij {recipient} ({organisation}) "
                               "worden bezorgd: {error}.",
        **{f"{service}.participant_erased": f"De dienst {service} heeft gewist wat hij voor "
                                            "{purpose} over de deelnemer bewaarde (intrekking "
                                            "{withdrawal_id})."
           for service in sorted({s for services in ERASED_BY.values() for s in services})},
    },
    "en": {
        "participant.registered": "{Participant} was registered by {institution} "
                                  "({target_group}); expected release on "
                                  "{expected_release_date}, returning to {municipality}.",
        "participant.screened": "{Participant} was screened: motivation {motivation} of 5, "
                                "language level {language_level}, {safety_cleared}.",
        "participant.rejected": "{Participant} was not admitted to the chain: {reason}.",
        "participant.admitted": "{Participant} was admitted to the chain; expected release on "
                                "{expected_release_date}, returning to {municipality}.",
        "participant.release_date_changed": "The expected release date of {participant} moved "
                                            "from {previous_release_date} to "
                                            "{expected_release_date}.",
        "participant.release_corrected": "The release date of {participant} was corrected "
                                         "from {previous_released_on} to {released_on}: "
                                         "{reason}.",
        "participant.basic_conditions_updated": "The basic conditions of {participant} "
                                                "(municipality {municipality}) were updated: "
                                                "{conditions}.",
        "participant.released": "{Participant} was released on {released_on} and returns to "
                                "{municipality}.",
        "participant.withdrawn": "{Participant} left the chain on {withdrawn_on}: {reason}.",
        "participant.consent_given": "A basis for {purpose} was recorded for {participant} on "
                                     "{given_at}: {legal_basis}.",
        "participant.consent_withdrawn": "The basis for {purpose} for {participant} lapsed on "
                                         "{withdrawn_at}: erase what you keep about this "
                                         "participant for it.",
        "training.enrolled": "{Participant} was enrolled in module {module}, from {starts_on} "
                             "to {ends_on}; the programme is planned to end on {planned_end}.",
        "training.waitlisted": "{Participant} is on the waiting list for module {module}, at "
                               "place {position}.",
        "training.module_completed": "{Participant} finished module {module} on "
                                     "{completed_on}: {passed}.",
        "training.result_corrected": "The result of {participant} for module {module} was "
                                     "corrected from {previous_passed} on "
                                     "{previous_completed_on} to {passed} on {completed_on}: "
                                     "{reason}{revoked}.",
        "training.certificate_awarded": "{Participant} earned the certificate {certificate} on "
                                        "{issued_on} (number {number}, issued by "
                                        "{issuer}{valid_until}).",
        "training.programme_completed": "{Participant} completed the programme on "
                                        "{completed_on}, with the certificates: "
                                        "{certificates}.",
        "training.dropped_out": "{Participant} stopped the programme: {reason}.",
        "training.module_added": "Module {module} ({name}) joined the catalogue: {weeks}, "
                                 "leading to the certificate {certificate}.",
        "training.module_changed": "Module {module} ({name}) changed: {weeks}, leading to the "
                                   "certificate {certificate}.",
        "employer.registered": "Employer {name} ({sector}, {municipality}) was "
                               "registered{social_return}.",
        "vacancy.published": "Vacancy {vacancy} was published: {positions} as "
                             "{occupation} in {municipality}, {hours_per_week} hours a week, "
                             "from {start_date}.",
        "vacancy.changed": "Vacancy {vacancy} changed and is now {status}: {positions} as "
                           "{occupation} in {municipality}, {hours_per_week} "
                           "hours a week, from {start_date}.",
        "vacancy.closed": "Vacancy {vacancy} was closed: {reason}.",
        "match.proposed": "{Participant} was proposed for vacancy {vacancy} (proposal "
                          "{match_id}, score {score}); the proposal expires on {expires_at}.",
        "match.accepted": "Both sides accepted proposal {match_id} of {participant} for "
                          "vacancy {vacancy}: {occupation}, {hours_per_week} hours a week, "
                          "starting on {start_date}.",
        "match.declined": "Proposal {match_id} of {participant} for vacancy {vacancy} was "
                          "declined by {declined_by}: {reason}.",
        "match.expired": "Proposal {match_id} of {participant} for vacancy {vacancy} expired: "
                         "{reason}.",
        "placement.planned": "Placement {placement_id} of {participant} was planned: "
                             "{occupation}, {hours_per_week} hours a week, starting on "
                             "{start_date}.",
        "placement.started": "{Participant} started work on {started_on} (placement "
                             "{placement_id}): {contract_type}, {hours_per_week} hours a "
                             "week{wage_cost_subsidy}.",
        "placement.terms_agreed": "{Participant} has worked since {started_on} on "
                                  "{contract_type} (placement {placement_id}): "
                                  "{hours_per_week} hours a week at {hourly_wage} gross an "
                                  "hour{wage_cost_subsidy}.",
        "placement.start_corrected": "The start date of placement {placement_id} of "
                                     "{participant} was corrected from {previous_started_on} "
                                     "to {started_on}: {reason}.",
        "placement.milestone_reached": "Placement {placement_id} of {participant} reached the "
                                       "milestone of {months} in work on {reached_on}.",
        "placement.sustained": "Placement {placement_id} of {participant} is sustainable on "
                               "{sustained_on}: six months in work.",
        "placement.ended": "Placement {placement_id} of {participant} ended on {ended_on} "
                           "after {months_in_work}: {reason}.",
        "placement.end_corrected": "The end date of placement {placement_id} of {participant} "
                                   "was corrected from {previous_ended_on} to {ended_on}: "
                                   "{reason}.",
        "placement.risk_raised": "The job coach reports on {raised_on} that placement "
                                 "{placement_id} of {participant} {risk}.",
        "notification.delivered": "The message about {event_type} ({event_id}) was delivered "
                                  "to {recipient} ({organisation}) by {channel}.",
        "notification.failed": "The message about {event_type} ({event_id}) could not be "
                               "delivered to {recipient} ({organisation}) by {channel} after "
                               "{attempts} attempts: {error}.",
        **{f"{service}.participant_erased": f"The {service} service erased what it kept about "
                                            "the participant for {purpose} (withdrawal "
                                            "{withdrawal_id})."
           for service in sorted({s for services in ERASED_BY.values() for s in services})},
    },
}

# What the delivery log keeps of a message (store.py); a longer one is cut, visibly.
LONGEST = 1000
# For a fact this release does not know yet (a newer producer during a rolling upgrade).
UNKNOWN = {"nl": "Nieuw feit in de keten: {type}.", "en": "New fact in the chain: {type}."}


def describe(envelope, language):
    """One line about a fact, in the recipient's language, naming nobody but by pseudonym."""
    template = TEMPLATES[language].get(envelope["type"])
    if template is None:
        return UNKNOWN[language].format(type=envelope["type"])
    message = template.format_map(_values(envelope.get("data", {}), language))
    return message if len(message) <= LONGEST else message[:LONGEST - 1] + "…"


class _Values(dict):
    """A fact's values as shown; a field the fact lacks reads "unknown" rather than failing
    the delivery (facts as their contracts say lack none:
    test_every_fact_a_recipient_may_hear_of_has_its_own_message_in_every_language)."""

    def __init__(self, values, unknown):
        super().__init__(values)
        self.unknown = unknown

    def __missing__(self, name):
        return self.unknown


def _values(data, language):
    words = WORDS[language]
    values = _Values({name: _shown(name, value, language) for name, value in data.items()},
                     words["unknown"])
    participant = data.get("participant_id")
    values["participant"] = words["participant"].format(participant) if participant \
        else words["nobody"]
    values["Participant"] = values["participant"][0].upper() + values["participant"][1:]
    if "vacancy_id" in data:
        title = data.get("title")
        values["vacancy"] = f"“{title}” ({data['vacancy_id']})" if title else data["vacancy_id"]
    for name, (one, more) in COUNTED[language].items():
        if name in data:
            values[name] = (one if data[name] == 1 else more).format(data[name])
    if "conditions" in data:
        values["conditions"] = _conditions(data["conditions"], language)
    if "hourly_wage_cents" in data:
        values["hourly_wage"] = _euros(data["hourly_wage_cents"], language)
    expires_on = data.get("expires_on")
    values["valid_until"] = words["valid_until"].format(_shown("expires_on", expires_on,
                                                               language)) if expires_on else ""
    revoked = data.get("certificate_revoked")
    values["revoked"] = words["revoked"].format(_shown("certificate_revoked", revoked, language)) \
        if revoked else ""
    return values


def _shown(name, value, language):
    labels = LABELS[language].get(LABELS_OF.get(name, name))
    if isinstance(value, list):
        return ", ".join(_shown(name, item, language) for item in value) or \
            WORDS[language]["none"]
    if labels is not None:
        return labels.get(value, value)
    if name == "municipality":  # facts name places by code, people by name
        return named(value)
    if isinstance(value, str):
        return time_shown(value, language)
    return str(value)


def _euros(cents, language):
    """€ 14,71 / €14.71, as each language writes an amount."""
    euros, rest = divmod(cents, 100)
    return f"€ {euros},{rest:02d}" if language == "nl" else f"€{euros}.{rest:02d}"


def time_shown(text, language):
    """A date or moment in a fact (ISO 8601) as people read it; other text as it is."""
    try:
        if len(text) == 10:
            return day_shown(date.fromisoformat(text), language)
        if "T" in text:
            return moment_shown(datetime.fromisoformat(text), language)
    except ValueError:
        pass
    return text


def _conditions(conditions, language):
    """Each basic condition and its status since when, the latest change first."""
    labels, since = LABELS[language], WORDS[language]["since"]
    ordered = sorted(conditions, key=lambda c: c.get("since", ""), reverse=True)
    return "; ".join(
        f"{labels['condition'].get(c['condition'], c['condition'])} "
        f"{labels['status'].get(c['status'], c['status'])}"
        + (f" ({since.format(time_shown(c['since'], language))})" if c.get("since") else "")
        for c in ordered) or WORDS[language]["none"]
