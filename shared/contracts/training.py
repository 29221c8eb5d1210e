"""Facts the work company's training service publishes."""
from marshmallow import Schema, fields, validate

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import Code, Codes, Id, Text


class TrainingFact(Schema):
    participant_id = Id()
    programme_id = Id()


@event_contract("training.enrolled", producer="training")
class Enrolled(TrainingFact):
    modules = fields.List(Text(60), required=True, validate=validate.Length(min=1, max=20))
    planned_end = fields.Date(required=True)


@event_contract("training.module_completed", producer="training")
class ModuleCompleted(TrainingFact):
    module = Text(60, required=True)
    passed = fields.Boolean(required=True)
    completed_on = fields.Date(required=True)


@event_contract("training.certificate_awarded", producer="training")
class CertificateAwarded(TrainingFact):
    certificate_id = Id()
    certificate = Code(vocabulary.CERTIFICATES, required=True)
    module = Text(60, required=True)
    issued_on = fields.Date(required=True)
    expires_on = fields.Date(load_default=None, allow_none=True)


@event_contract("training.programme_completed", producer="training")
class ProgrammeCompleted(TrainingFact):
    certificates = Codes(vocabulary.CERTIFICATES, required=True)
    completed_on = fields.Date(required=True)


@event_contract("training.dropped_out", producer="training")
class DroppedOut(TrainingFact):
    reason = Code({"motivation", "health", "transferred", "released-early", "other"}, required=True)
