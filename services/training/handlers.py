"""Training's use cases."""
from datetime import date

from services.training.domain import Programme
from shared.store import handle_fact


def enrol_admitted_participant(uow, fact, today=None):
    def enrol(uow):
        participant_id = fact.data["participant_id"]
        if uow.programmes.find(participant_id) is not None:
            return
        programme = Programme.enrol(participant_id, fact.data["preferred_sectors"],
                                    today or date.today())
        uow.programmes.add(programme)
        uow.record("training.enrolled", {
            **_ids(programme), "modules": list(programme.modules),
            "planned_end": programme.planned_end,
        }, subject=participant_id)
    return handle_fact(uow, fact, enrol)


def record_result(uow, participant_id, module, passed, completed_on):
    with uow:
        programme = uow.programmes.get(participant_id)
        certificate = programme.record_result(module, passed, completed_on)
        uow.record("training.module_completed", {
            **_ids(programme), "module": module, "passed": passed, "completed_on": completed_on,
        }, subject=participant_id)
        if certificate is not None:
            uow.record("training.certificate_awarded", {
                **_ids(programme), "certificate_id": certificate.id,
                "certificate": certificate.certificate, "module": certificate.module,
                "issued_on": certificate.issued_on, "expires_on": certificate.expires_on,
            }, subject=participant_id)
        if programme.complete:
            uow.record("training.programme_completed", {
                **_ids(programme), "certificates": [c.certificate for c in programme.certificates],
                "completed_on": completed_on,
            }, subject=participant_id)
        uow.commit()
    return programme


def drop_out(uow, participant_id, reason):
    with uow:
        programme = uow.programmes.get(participant_id)
        programme.drop_out(reason)
        uow.record("training.dropped_out", {**_ids(programme), "reason": reason},
                   subject=participant_id)
        uow.commit()
    return programme


def _ids(programme):
    return {"participant_id": programme.participant_id, "programme_id": programme.id}
