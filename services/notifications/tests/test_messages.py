"""Messages people can act on: each says what happened, about whom and what changed, with dates
as they are in Amsterdam, written out in the recipient's language."""
from datetime import date, datetime, timezone

import pytest

from services.notifications.domain import (LANGUAGES, VISIBLE_TO, Delivery, Recipient,
                                           digest_text, redacted_for)
from services.notifications.handlers import _email_text, _subject
from services.notifications.messages import (LONGEST, TEMPLATES, day_shown, describe,
                                             moment_shown)
from shared.contracts import all_contracts, contract_for
from shared.contracts.policy import RECEIVERS

PARTICIPANT = "3f1e1b9e-8a5c-4d0f-9a43-0b7b2f0c2d11"
EMPLOYER = "7d4b0c6e-1f2a-4c3b-8d5e-6f7a8b9c0d1e"
PLACEMENT = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
VACANCY = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
MATCH = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
PROGRAMME = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
OTHER = "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a"
NOW = datetime(2026, 12, 3, 9, tzinfo=timezone.utc)

PLACEMENT_IDS = {"placement_id": PLACEMENT, "participant_id": PARTICIPANT,
                 "employer_id": EMPLOYER}
MATCH_IDS = {"match_id": MATCH, "vacancy_id": VACANCY, "employer_id": EMPLOYER,
             "participant_id": PARTICIPANT}
VACANCY_DATA = {"vacancy_id": VACANCY, "employer_id": EMPLOYER, "occupation": "cook",
                "sector": "hospitality", "required_certificates": ["hospitality-basic"],
                "municipality": "0505", "hours_per_week": 32, "start_date": "2027-02-01",
                "positions": 2}
MODULE = {"module": "window-cleaning", "name": "Glazenwassen", "certificate": "vca-basic",
          "min_language_level": None, "weeks": 3, "required_modules": ["employee-skills"],
          "sectors": ["cleaning"], "revision": 1}
PLAN = {"modules": ["vca-basic"], "planned_end": "2027-03-31", "finishes_before_release": True}

# A fact of each type the contracts know, as its producer publishes it
# (test_the_samples_are_facts_as_their_contracts_say).
SAMPLES = {
    "participant.registered": {"participant_id": PARTICIPANT,
                               "target_group": "detainee-last-phase",
                               "institution": "PI Dordrecht", "municipality": "0505",
                               "expected_release_date": "2027-01-15"},
    "participant.screened": {"participant_id": PARTICIPANT, "motivation": 4,
                             "safety_cleared": True, "language_level": "B1"},
    "participant.rejected": {"participant_id": PARTICIPANT, "reason": "no-consent"},
    "participant.admitted": {"participant_id": PARTICIPANT,
                             "target_group": "detainee-last-phase", "municipality": "0505",
                             "expected_release_date": "2027-01-15", "language_level": "B1"},
    "participant.release_date_changed": {"participant_id": PARTICIPANT,
                                         "expected_release_date": "2027-03-01",
                                         "previous_release_date": "2027-01-15"},
    "participant.basic_conditions_updated": {
        "participant_id": PARTICIPANT, "municipality": "0505",
        "conditions": [{"condition": "id-document", "status": "settled", "since": "2026-11-02"},
                       {"condition": "housing", "status": "in-progress",
                        "since": "2026-12-03"}]},
    "participant.released": {"participant_id": PARTICIPANT, "released_on": "2027-01-15",
                             "municipality": "0505"},
    "participant.withdrawn": {"participant_id": PARTICIPANT, "reason": "recalled-to-custody",
                              "withdrawn_on": "2026-12-03"},
    "participant.consent_given": {"participant_id": PARTICIPANT,
                                  "purpose": "inform-municipality",
                                  "legal_basis": "legal-obligation",
                                  "given_at": "2026-12-02T23:30:00+00:00"},
    "participant.consent_withdrawn": {"participant_id": PARTICIPANT, "purpose": "training",
                                      "withdrawn_at": "2026-07-01T08:15:00+00:00"},
    "training.enrolled": {"participant_id": PARTICIPANT, "programme_id": PROGRAMME, **PLAN,
                          "module": "vca-basic", "cohort_id": OTHER, "starts_on": "2027-01-04",
                          "ends_on": "2027-01-29"},
    "training.waitlisted": {"participant_id": PARTICIPANT, "programme_id": PROGRAMME, **PLAN,
                            "module": "vca-basic", "position": 3},
    "training.module_completed": {"participant_id": PARTICIPANT, "programme_id": PROGRAMME,
                                  "module": "vca-basic", "passed": False,
                                  "completed_on": "2027-01-29"},
    "training.result_corrected": {"participant_id": PARTICIPANT, "programme_id": PROGRAMME,
                                  "module": "vca-basic", "passed": False,
                                  "completed_on": "2027-01-29", "previous_passed": True,
                                  "previous_completed_on": "2027-01-29",
                                  "reason": "entry-error", "certificate_revoked": "vca-basic",
                                  "revoked_certificate_id": OTHER},
    "training.certificate_awarded": {"participant_id": PARTICIPANT, "programme_id": PROGRAMME,
                                     "certificate_id": OTHER, "number": "VCA-12345",
                                     "certificate": "vca-basic", "module": "vca-basic",
                                     "issuer": "Examenbureau", "issued_on": "2027-01-29",
                                     "expires_on": "2037-01-29"},
    "training.programme_completed": {"participant_id": PARTICIPANT, "programme_id": PROGRAMME,
                                     "certificates": ["vca-basic", "forklift"],
                                     "completed_on": "2027-03-31"},
    "training.dropped_out": {"participant_id": PARTICIPANT, "programme_id": PROGRAMME,
                             "reason": "released-early"},
    "training.module_added": MODULE,
    "training.module_changed": {**MODULE, "certificate": "cleaning-diploma", "weeks": 1,
                                "revision": 2},
    "employer.registered": {"employer_id": EMPLOYER, "name": "Bakkerij de Korf",
                            "sector": "hospitality", "municipality": "0505",
                            "social_return": True},
    "vacancy.published": VACANCY_DATA,
    "vacancy.changed": {**VACANCY_DATA, "positions": 1, "status": "filled"},
    "vacancy.closed": {"vacancy_id": VACANCY, "employer_id": EMPLOYER,
                       "reason": "withdrawn-by-employer"},
    "match.proposed": {**MATCH_IDS, "score": 87, "reasons": ["heeft VCA"],
                       "expires_at": "2026-12-10T16:00:00+00:00"},
    "match.accepted": {**MATCH_IDS, "occupation": "cook", "hours_per_week": 32,
                       "start_date": "2027-02-01"},
    "match.declined": {**MATCH_IDS, "declined_by": "candidate", "reason": "te ver reizen"},
    "match.expired": {**MATCH_IDS, "reason": "timed-out"},
    "placement.planned": {**PLACEMENT_IDS, "match_id": MATCH, "vacancy_id": VACANCY,
                          "occupation": "cook", "start_date": "2027-02-01",
                          "hours_per_week": 32},
    "placement.started": {**PLACEMENT_IDS, "contract_type": "learn-work-job",
                          "hours_per_week": 32, "started_on": "2027-02-01",
                          "wage_cost_subsidy": True},
    "placement.milestone_reached": {**PLACEMENT_IDS, "months": 3, "reached_on": "2027-05-01"},
    "placement.sustained": {**PLACEMENT_IDS, "sustained_on": "2027-08-01"},
    "placement.ended": {**PLACEMENT_IDS, "reason": "resigned", "ended_on": "2027-06-12",
                        "months_in_work": 4},
    "placement.risk_raised": {**PLACEMENT_IDS, "risk": "at-risk", "raised_on": "2027-04-20"},
    "participant.release_corrected": {"participant_id": PARTICIPANT,
                                      "released_on": "2027-01-14",
                                      "previous_released_on": "2027-01-15",
                                      "reason": "entry-error"},
    "placement.terms_agreed": {**PLACEMENT_IDS, "contract_type": "paid-temporary",
                               "hours_per_week": 32, "hourly_wage_cents": 1525,
                               "started_on": "2027-02-01", "wage_cost_subsidy": False},
    "placement.start_corrected": {**PLACEMENT_IDS, "started_on": "2027-02-03",
                                  "previous_started_on": "2027-02-01", "reason": "entry-error",
                                  "milestones_withdrawn": []},
    "placement.end_corrected": {**PLACEMENT_IDS, "ended_on": "2027-06-10",
                                "previous_ended_on": "2027-06-12", "reason": "entry-error",
                                "months_in_work": 4, "milestones_withdrawn": []},
    "notification.delivered": {"delivery_id": OTHER, "recipient": "dordrecht",
                               "organisation": "municipality", "channel": "email",
                               "event_id": "f-1", "event_type": "participant.released"},
    "notification.failed": {"delivery_id": OTHER, "recipient": "dordrecht",
                            "organisation": "municipality", "channel": "webhook",
                            "event_id": "f-1", "event_type": "participant.released",
                            "attempts": 5, "error": "delivery failed: HTTP 500"},
    **{t: {"withdrawal_id": OTHER, "purpose": "training"}
       for t in ("training.participant_erased", "matching.participant_erased",
                 "placement.participant_erased", "notifications.participant_erased")},
}


def fact(event_type, data=None):
    if data is None:
        data = SAMPLES[event_type]
    return {"specversion": "1.0", "id": "f-1", "source": "/doorstroom/test", "type": event_type,
            "time": "2026-12-03T23:30:00.000Z", "subject": PARTICIPANT, "data": data}


def complete(message):
    """Every value rendered: no placeholder left, no field missing or empty."""
    return "{" not in message and not {"None", "onbekend", "unknown"} & set(
        message.replace(",", " ").replace(")", " ").split())


def test_the_samples_are_facts_as_their_contracts_say():
    assert set(SAMPLES) == set(all_contracts())
    for event_type, data in SAMPLES.items():
        assert contract_for(event_type).schema().validate(data) == {}, event_type


def test_every_fact_a_recipient_may_hear_of_has_its_own_message_in_every_language():
    heard_of = {t for types in VISIBLE_TO.values() for t in types}
    assert heard_of == set(RECEIVERS)
    for language in LANGUAGES:
        assert heard_of <= set(TEMPLATES[language])
        for event_type in heard_of:
            message = describe(fact(event_type), language)
            assert complete(message), message
            assert "Nieuw feit" not in message and "New fact" not in message


def test_a_fact_that_lacks_a_field_still_gets_its_message():
    lacking = fact("participant.released", {"participant_id": PARTICIPANT,
                                            "municipality": "0505"})
    assert describe(lacking, "nl") == (f"Deelnemer {PARTICIPANT} is op onbekend vrijgelaten en "
                                       "keert terug naar Dordrecht (0505).")


def test_a_message_fits_the_delivery_log_however_long_the_fact_s_texts():
    failed = {**SAMPLES["notification.failed"], "event_type": "x" * 200, "event_id": "y" * 200,
              "recipient": "r" * 80, "error": "e" * 500}
    message = describe(fact("notification.failed", failed), "nl")
    assert len(message) == LONGEST and message.endswith("e…")


def test_a_fact_this_release_does_not_know_gets_a_plain_message():
    assert describe(fact("participant.relocated", {"participant_id": PARTICIPANT}), "nl") == \
        "Nieuw feit in de keten: participant.relocated."
    assert describe(fact("participant.relocated", {}), "en") == \
        "New fact in the chain: participant.relocated."


def test_dates_are_written_out_and_moments_are_shown_in_amsterdams_time():
    assert day_shown(date(2026, 12, 3), "nl") == "3 december 2026"
    assert day_shown(date(2026, 12, 3), "en") == "3 December 2026"
    # 23:30 UTC is already the next day in Amsterdam, winter (+1) and summer (+2).
    assert moment_shown(datetime(2026, 12, 2, 23, 30, tzinfo=timezone.utc), "nl") == \
        "3 december 2026 om 00:30"
    assert moment_shown(datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc), "en") == \
        "1 July 2026 at 00:30"


def test_a_release_says_the_day_and_where_the_participant_returns():
    assert describe(fact("participant.released"), "nl") == (
        f"Deelnemer {PARTICIPANT} is op 15 januari 2027 vrijgelaten en keert terug naar "
        "Dordrecht (0505).")
    assert describe(fact("participant.released"), "en") == (
        f"Participant {PARTICIPANT} was released on 15 January 2027 and returns to "
        "Dordrecht (0505).")


def test_a_changed_release_date_says_the_old_and_the_new_date():
    assert describe(fact("participant.release_date_changed"), "nl") == (
        f"De verwachte vrijlatingsdatum van deelnemer {PARTICIPANT} is verschoven van "
        "15 januari 2027 naar 1 maart 2027.")
    assert "from 15 January 2027 to 1 March 2027" in \
        describe(fact("participant.release_date_changed"), "en")


def test_updated_basic_conditions_say_which_and_their_status_the_latest_first():
    assert describe(fact("participant.basic_conditions_updated"), "nl") == (
        f"De basisvoorwaarden van deelnemer {PARTICIPANT} (gemeente Dordrecht (0505)) zijn "
        "bijgewerkt: huisvesting in behandeling (sinds 3 december 2026); ID-bewijs geregeld "
        "(sinds 2 november 2026).")
    assert "housing in progress (since 3 December 2026); ID document settled" in \
        describe(fact("participant.basic_conditions_updated"), "en")


def test_a_milestone_says_how_many_months_and_when():
    assert describe(fact("placement.milestone_reached"), "nl") == (
        f"Plaatsing {PLACEMENT} van deelnemer {PARTICIPANT} heeft op 1 mei 2027 de mijlpaal "
        "van 3 maanden werk bereikt.")
    one_month = {**SAMPLES["placement.milestone_reached"], "months": 1}
    assert describe(fact("placement.milestone_reached", one_month), "en").endswith(
        "reached the milestone of 1 month in work on 1 May 2027.")
    assert describe(fact("placement.sustained"), "nl").endswith(
        "is op 1 augustus 2027 duurzaam: zes maanden aan het werk.")


def test_an_ended_placement_says_when_after_how_long_and_why():
    assert describe(fact("placement.ended"), "nl") == (
        f"Plaatsing {PLACEMENT} van deelnemer {PARTICIPANT} is op 12 juni 2027 beëindigd na "
        "4 maanden: zelf opgezegd.")
    assert "ended on 12 June 2027 after 4 months: resigned." in \
        describe(fact("placement.ended"), "en")


def test_a_started_placement_says_the_day_the_contract_and_the_hours():
    assert describe(fact("placement.started"), "nl") == (
        f"Deelnemer {PARTICIPANT} is op 1 februari 2027 aan het werk gegaan (plaatsing "
        f"{PLACEMENT}): leerwerkbaan, 32 uur per week, met loonkostensubsidie.")


def test_a_vacancy_is_named_by_its_title_where_the_fact_has_one():
    titled = {**SAMPLES["vacancy.published"], "title": "Kok in de bedrijfskeuken"}
    assert describe(fact("vacancy.published", titled), "nl") == (
        f"Vacature “Kok in de bedrijfskeuken” ({VACANCY}) is gepubliceerd: 2 plaatsen als "
        "kok in Dordrecht (0505), 32 uur per week, vanaf 1 februari 2027.")
    assert describe(fact("vacancy.changed"), "en") == (
        f"Vacancy {VACANCY} changed and is now filled: 1 position as cook in "
        "Dordrecht (0505), 32 hours a week, from 1 February 2027.")
    assert describe(fact("vacancy.closed"), "nl") == \
        f"Vacature {VACANCY} is gesloten: ingetrokken door de werkgever."


def test_a_proposal_says_until_when_it_may_be_answered_in_amsterdams_time():
    assert describe(fact("match.proposed"), "nl") == (
        f"Voor vacature {VACANCY} is deelnemer {PARTICIPANT} voorgesteld (voorstel {MATCH}, "
        "score 87); het voorstel verloopt op 10 december 2026 om 17:00.")


def test_a_module_fact_says_how_long_the_module_takes_and_what_it_leads_to():
    assert describe(fact("training.module_added", SAMPLES["training.module_added"]), "nl") == (
        "Module window-cleaning (Glazenwassen) is aan de catalogus toegevoegd: 3 weken, leidt "
        "tot het certificaat VCA Basis.")
    assert describe(fact("training.module_changed", SAMPLES["training.module_changed"]),
                    "en") == ("Module window-cleaning (Glazenwassen) changed: 1 week, leading "
                              "to the certificate cleaning diploma.")


def test_a_consent_withdrawal_says_what_to_erase():
    assert describe(fact("participant.consent_withdrawn"), "nl") == (
        f"Voor deelnemer {PARTICIPANT} is de grondslag voor training op 1 juli 2026 om 10:15 "
        "vervallen: wis wat u daarvoor over deze deelnemer bewaart.")


@pytest.mark.parametrize("event_type, nl, en", [
    ("participant.release_corrected", "gecorrigeerd van 15 januari 2027 naar 14 januari 2027",
     "corrected from 15 January 2027 to 14 January 2027: it was entered wrongly."),
    ("placement.start_corrected", "gecorrigeerd van 1 februari 2027 naar 3 februari 2027",
     "corrected from 1 February 2027 to 3 February 2027: it was entered wrongly."),
    ("placement.end_corrected", "gecorrigeerd van 12 juni 2027 naar 10 juni 2027",
     "corrected from 12 June 2027 to 10 June 2027: it was entered wrongly."),
])
def test_a_correction_says_the_date_it_replaces_the_new_date_and_why(event_type, nl, en):
    assert nl in describe(fact(event_type), "nl") and PARTICIPANT in describe(fact(event_type),
                                                                              "nl")
    assert describe(fact(event_type), "en").endswith(en)


def test_a_corrected_result_says_what_it_was_what_it_is_and_which_certificate_is_withdrawn():
    assert describe(fact("training.result_corrected"), "nl") == (
        f"Het resultaat van deelnemer {PARTICIPANT} voor module vca-basic is gecorrigeerd van "
        "gehaald op 29 januari 2027 naar niet gehaald op 29 januari 2027: het was verkeerd "
        "ingevoerd; het certificaat VCA Basis is ingetrokken.")
    kept = {**SAMPLES["training.result_corrected"], "certificate_revoked": None}
    assert describe(fact("training.result_corrected", kept), "en").endswith(
        "to not passed on 29 January 2027: it was entered wrongly.")


def test_an_employer_message_names_its_placement_not_the_participant():
    for language in LANGUAGES:
        employer = Recipient.register("bakkerij", f"employer:{EMPLOYER}", language=language)
        for event_type in sorted(VISIBLE_TO["employer"]):
            summary = Delivery.of(employer, "inbox", fact(event_type), NOW).summary
            assert PARTICIPANT not in summary, summary
            assert complete(summary), summary
    assert describe(redacted_for("employer", fact("placement.ended")), "nl") == (
        f"Plaatsing {PLACEMENT} van de kandidaat is op 12 juni 2027 beëindigd na 4 maanden: "
        "zelf opgezegd.")
    assert describe(redacted_for("employer", fact("match.proposed")), "en").startswith(
        f"The candidate was proposed for vacancy {VACANCY} (proposal {MATCH}")


def test_an_email_and_a_digest_show_their_days_in_amsterdams_time():
    recipient = Recipient.register("wmo", "municipality:0505", email="wmo@example.org",
                                   language="en")
    delivery = Delivery.of(recipient, "email", fact("participant.released"), NOW)
    assert "participant.released — 4 December 2026 at 00:30" in _email_text(delivery, "en")
    subject, text = digest_text(recipient, [delivery], date(2026, 12, 4))
    assert subject == "doorstroom digest for 4 December 2026"
    assert text.splitlines()[2] == f"- {delivery.summary}"


def test_an_emails_subject_names_the_kind_of_fact_and_nothing_it_says():
    recipient = Recipient.register("wmo", "municipality:0505", email="wmo@example.org")
    delivery = Delivery.of(recipient, "email", fact("placement.terms_agreed"), NOW)
    assert _subject(delivery) == "[doorstroom] placement.terms_agreed"
    assert "15,25" in delivery.summary


def test_the_agreed_terms_say_the_wage_as_each_language_writes_an_amount():
    assert describe(fact("placement.terms_agreed"), "nl") == (
        f"Deelnemer {PARTICIPANT} werkt sinds 1 februari 2027 op tijdelijk contract (plaatsing "
        f"{PLACEMENT}): 32 uur per week tegen € 15,25 bruto per uur.")
    assert "32 hours a week at €15.25 gross an hour." in describe(
        fact("placement.terms_agreed"), "en")
