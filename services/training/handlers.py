"""Training's use cases: react to intake and matching, and serve trainers."""
from dataclasses import asdict

from services.training.domain import Cohort, Module, Programme, Status, first_open_cohort
from shared import clock
from shared.audit import audited_read
from shared.errors import Conflict, NotFound
from shared.store import erase_on_withdrawal, handle_fact, keep_order


# Who may read what training holds of a participant: their programme (route, attendance,
# results, certificates) and their place in cohorts. Any other role that asks is refused by the
# use case, so that the refusal is logged (shared/audit.py).
READERS = frozenset({"trainer"})
PROGRAMME = ("programme", "attendance", "results", "certificates")
CERTIFICATES = ("certificates",)
ATTENDANCE = ("attendance",)


# --- facts from other services ---------------------------------------------------------------

def enrol_admitted_participant(uow, fact, today=None):
    """Propose a route from the screening and employers' demand, and seek the first place."""
    today = today or clock.today()

    def enrol(uow):
        data = fact.data
        if uow.programmes.find(data["participant_id"]) is not None:
            return
        catalogue = uow.modules.catalogue()
        programme = Programme.propose(data["participant_id"], data["language_level"],
                                      data["preferred_sectors"], data["expected_release_date"],
                                      catalogue, uow.demand.counts(), today)
        uow.programmes.add(programme)
        _advance(uow, programme, catalogue, today)
    return handle_fact(uow, fact, enrol)


def replan_for_release_date(uow, fact):
    def replan(uow):
        programme = uow.programmes.find(fact.data["participant_id"], lock=True)
        if programme is not None:
            programme.replan(fact.data["expected_release_date"])
    return handle_fact(uow, fact, replan)


def end_for_withdrawn_participant(uow, fact, today=None):
    today = today or clock.today()

    def end(uow):
        # Locked, as a trainer may be ending the same programme at this moment.
        programme = uow.programmes.find(fact.data["participant_id"], lock=True)
        if programme is None or programme.status is not Status.ACTIVE:
            return
        # Its places first, as at a drop-out (drop_out).
        _give_up_places(uow, programme, today)
        programme.end(today)
    return handle_fact(uow, fact, end)


def erase_on_consent_withdrawal(uow, fact, today=None):
    """Consent for training is gone: erase everything held about the participant."""
    def erase(uow, participant_id):
        programme = uow.programmes.find(participant_id, lock=True)
        if programme is not None:
            _give_up_places(uow, programme, today or clock.today())
            uow.programmes.erase(programme)
        for cohort in uow.cohorts.where():
            if cohort.knows(participant_id):
                cohort.forget(participant_id)
        uow.waiting.remove(participant_id)
    erase_on_withdrawal(uow, fact, "training", erase)


def follow_vacancy(uow, fact):
    """Demand follows the open vacancies: published, changed or filled."""
    data = fact.data
    return handle_fact(uow, fact, lambda uow: uow.demand.vacancy(
        data["vacancy_id"], data["sector"], data["required_certificates"],
        open=data["status"] == "open"))


def follow_closed_vacancy(uow, fact):
    """A closed vacancy asks for nothing any more."""
    return handle_fact(uow, fact, lambda uow: uow.demand.vacancy(fact.data["vacancy_id"],
                                                                 open=False))


# The facts training follows, by producer: its queues are made from this table alone
# (shared/consumer.py follow).
FOLLOWS = {
    # Intake's facts about a participant are applied in the order intake recorded them,
    # whatever the number of workers and instances (docs/ordering.md;
    # tests/test_order_scale_out.py).
    "intake": {
        "participant.admitted": enrol_admitted_participant,
        "participant.release_date_changed": replan_for_release_date,
        "participant.withdrawn": end_for_withdrawn_participant,
        "participant.consent_withdrawn": erase_on_consent_withdrawal,
        # Training has no use for a release or a consent as such, but they are among intake's
        # ordered facts. Its planning runs to the expected release date, so it does not follow
        # the correction of a release (participant.release_corrected) at all.
        "participant.released": keep_order,
        "participant.consent_given": keep_order,
    },
    "matching": {
        "vacancy.published": follow_vacancy,
        "vacancy.changed": follow_vacancy,
        "vacancy.closed": follow_closed_vacancy,
    },
}


# --- trainers -------------------------------------------------------------------------------

def add_module(uow, **details):
    module = Module(**details)
    with uow:
        if module.code in uow.modules.catalogue():
            raise Conflict(f"module {module.code!r} exists; change it instead")
        _check_references(uow.modules.catalogue(), module)
        uow.modules.add(module)
        module.announce()
        uow.commit()
    return module


def change_module(uow, code, **details):
    with uow:
        catalogue = uow.modules.catalogue()
        # Locked, so that of two changes at once each takes its own revision.
        module = uow.modules.get(code, lock=True)
        module.change(**details)
        _check_references(catalogue, module)
        uow.commit()
    return module


def employer_demand(uow):
    """How many open vacancies ask for each certificate, per sector (a sector of None: the
    configured demand, before any vacancy is known)."""
    with uow:
        return [{"sector": sector, "certificate": certificate, "vacancies": count}
                for (sector, certificate), count in sorted(uow.demand.counts().items(),
                                                           key=lambda item: str(item[0]))]


def plan_cohort(uow, module, starts_on, ends_on, places, trainer, today=None):
    """A new cohort takes waiting participants first, in the order they joined the list."""
    today = today or clock.today()
    with uow:
        catalogue = uow.modules.catalogue()
        _module(catalogue, module)
        cohort = Cohort.plan(module, starts_on, ends_on, places, trainer)
        uow.cohorts.add(cohort)
        _fill_from_waiting_list(uow, cohort, catalogue, today)
        uow.commit()
    return cohort


def enrol_in_module(uow, participant_id, module, today=None):
    """Seek a place for a participant in `module`: their next step, or a retake."""
    today = today or clock.today()
    with uow:
        catalogue = uow.modules.catalogue()
        programme = uow.programmes.get(participant_id, lock=True)
        _seek_place(uow, programme, _module(catalogue, module), catalogue, today)
        overview = _overview(uow, programme, today)
        uow.commit()
    return overview


def programme_overview(uow, participant_id, reader, today, now=None):
    """The programme as a trainer reads it, with the planned end and attendance per module;
    every attempt is logged."""
    return audited_read(uow, reader, READERS, participant_id, PROGRAMME,
                        lambda: _overview(uow, uow.programmes.get(participant_id), today),
                        now=now)


def read_certificates(uow, participant_id, reader, now=None):
    """The certificates a participant earned; every attempt is logged."""
    return audited_read(uow, reader, READERS, participant_id, CERTIFICATES,
                        lambda: uow.programmes.get(participant_id).certificates, now=now)


def read_cohort(uow, cohort_id, reader, now=None):
    """One cohort with its members and attendance: a read of each member's attendance."""
    return audited_read(uow, reader, READERS, None, ATTENDANCE,
                        lambda: uow.cohorts.get(cohort_id), _attending, now)


def list_cohorts(uow, reader, query, now=None):
    """A page of cohorts with their members: a read of each member's attendance."""
    return audited_read(uow, reader, READERS, None, ATTENDANCE,
                        lambda: uow.cohorts.list(**query), _attending, now)


def _attending(found):
    cohorts = found if isinstance(found, list) else [found]
    return [(member, ATTENDANCE) for cohort in cohorts for member in cohort.members]


def _overview(uow, programme, today):
    # Read in the transaction that changed the programme, before it commits: a request that
    # committed must not fail on reading its answer (tests/faults/).
    catalogue = uow.modules.catalogue()
    steps = []
    for step in programme.steps:
        attended, held = (uow.cohorts.get(step.cohort_id).attendance_of(programme.participant_id)
                          if step.cohort_id else (0, 0))
        steps.append({**asdict(step), "sessions_attended": attended, "sessions_held": held})
    return {
        "id": programme.id, "participant_id": programme.participant_id,
        "status": programme.status, "enrolled_on": programme.enrolled_on,
        "release_date": programme.release_date, **programme.plan(catalogue, today),
        "steps": steps, "results": programme.results, "certificates": programme.certificates,
        "corrections": programme.corrections, "drop_out_reason": programme.drop_out_reason,
    }


def record_attendance(uow, cohort_id, held_on, present, absent, today=None):
    with uow:
        cohort = uow.cohorts.get(cohort_id)
        cohort.record_session(held_on, present, absent, today or clock.today())
        uow.commit()
    return cohort


def record_result(uow, participant_id, module, passed, completed_on, today=None):
    today = today or clock.today()
    with uow:
        catalogue = uow.modules.catalogue()
        programme = uow.programmes.get(participant_id, lock=True)
        definition = _module(catalogue, module)
        number = uow.next_certificate_number(completed_on.year) if passed else None
        programme.record_result(definition, passed, completed_on, number, today)
        _advance(uow, programme, catalogue, today)
        overview = _overview(uow, programme, today)
        uow.commit()
    return overview


def correct_result(uow, participant_id, module, passed, completed_on, reason, corrected_by,
                   previous_passed, previous_completed_on, today=None):
    """Put a recorded result right; a fail become a pass earns its certificate and the
    programme goes on, a pass become a fail takes it back
    (test_a_result_corrected_to_a_pass_awards_the_certificate_and_moves_on,
    test_a_pass_corrected_to_a_fail_takes_the_certificate_back)."""
    today = today or clock.today()
    with uow:
        catalogue = uow.modules.catalogue()
        programme = uow.programmes.get(participant_id, lock=True)
        definition = _module(catalogue, module)
        recorded = programme.latest_result(module)
        number = uow.next_certificate_number(completed_on.year) \
            if passed and not recorded.passed else None
        held = set(programme.cohorts_held())
        awarded, revoked = programme.correct_result(
            definition, passed, completed_on, reason, corrected_by,
            corrects=(previous_passed, previous_completed_on), certificate_number=number,
            today=today)
        if awarded is not None:
            for cohort_id in held - set(programme.cohorts_held()):  # the retake's place
                cohort = uow.cohorts.get(cohort_id)
                cohort.release(participant_id)
                _fill_from_waiting_list(uow, cohort, catalogue, today)
            uow.waiting.remove(participant_id, module)
            _advance(uow, programme, catalogue, today)
        if revoked is not None:  # what came after the pass is waited for no more
            uow.waiting.remove(participant_id)
        overview = _overview(uow, programme, today)
        uow.commit()
    return overview


def drop_out(uow, participant_id, reason, today=None):
    today = today or clock.today()
    with uow:
        programme = uow.programmes.get(participant_id, lock=True)
        # Its places first: whoever takes one hears of it before the drop-out is told
        # (test_a_freed_place_goes_to_the_first_in_line).
        _give_up_places(uow, programme, today)
        programme.drop_out(reason, today)
        overview = _overview(uow, programme, today)
        uow.commit()
    return overview


# --- placing participants in cohorts ----------------------------------------------------------

def _advance(uow, programme, catalogue, today):
    module = programme.next_module()
    if module is not None:
        _seek_place(uow, programme, catalogue[module], catalogue, today)


def _seek_place(uow, programme, module, catalogue, today):
    """A place in the earliest open cohort of `module`, or else a place on its waiting list."""
    uow.modules.lock(module.code)
    # A retake is in another cohort than the one the module was failed in.
    cohort = first_open_cohort([c for c in uow.cohorts.for_module(module.code)
                                if programme.participant_id not in c.members], today)
    if cohort is None:
        # Its place in line first, for its position: a programme that may not wait is refused,
        # and the transaction undone with its place.
        uow.waiting.remove(programme.participant_id, module.code)
        uow.waiting.add(module.code, programme.participant_id)
        programme.wait_for(module, uow.waiting.position(module.code, programme.participant_id),
                           catalogue, today)
        return
    _join(uow, programme, module, cohort, catalogue, today)


def _join(uow, programme, module, cohort, catalogue, today):
    programme.join(module, cohort, catalogue, today)
    uow.waiting.remove(programme.participant_id, module.code)


def _give_up_places(uow, programme, today):
    catalogue = uow.modules.catalogue()
    for cohort_id in programme.cohorts_held():
        cohort = uow.cohorts.get(cohort_id)
        cohort.release(programme.participant_id)
        _fill_from_waiting_list(uow, cohort, catalogue, today)
    uow.waiting.remove(programme.participant_id)


def _fill_from_waiting_list(uow, cohort, catalogue, today):
    module = catalogue[cohort.module]
    uow.modules.lock(module.code)
    for participant_id in uow.waiting.waiting_for(cohort.module):
        if not cohort.open_on(today):
            return
        programme = uow.programmes.find(participant_id)
        if programme is None:
            uow.waiting.remove(participant_id, cohort.module)
            continue
        try:
            _join(uow, programme, module, cohort, catalogue, today)
        except Conflict:
            continue  # prerequisites not met yet: keeps their place in the line


def _module(catalogue, code):
    if code not in catalogue:
        raise NotFound(f"no module {code!r}")
    return catalogue[code]


def _check_references(catalogue, module):
    unknown = [m for m in module.required_modules if m not in catalogue and m != module.code]
    if unknown or module.code in module.required_modules:
        raise Conflict(f"required modules must be other modules of the catalogue: "
                       f"{', '.join(unknown) or module.code}")
