"""Facts the work company's training service publishes."""
from marshmallow import Schema, fields, validate

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import UUID_PATTERN, Code, Codes, Id, LanguageLevel, Text


class TrainingFact(Schema):
    participant_id = Id()
    programme_id = Id()


class Plan(Schema):
    modules = fields.List(Text(60), required=True, validate=validate.Length(min=1, max=20),
                          metadata={"description": "the participant's route, in order"})
    planned_end = fields.Date(required=True)
    finishes_before_release = fields.Boolean(required=True)


@event_contract("training.enrolled", producer="training")
class Enrolled(TrainingFact, Plan):
    """The participant has a place in a cohort for `module`."""
    module = Text(60, required=True)
    cohort_id = Id()
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


@event_contract("training.waitlisted", producer="training")
class Waitlisted(TrainingFact, Plan):
    """No cohort for `module` has a place: the participant waits, at `position`."""
    module = Text(60, required=True)
    position = fields.Integer(required=True, validate=validate.Range(min=1))


@event_contract("training.module_completed", producer="training")
class ModuleCompleted(TrainingFact):
    module = Text(60, required=True)
    passed = fields.Boolean(required=True)
    completed_on = fields.Date(required=True)


# Unordered in this release, as the other corrections are (shared/contracts/placement.py).
@event_contract("training.result_corrected", producer="training")
class ResultCorrected(TrainingFact):
    """The recorded result of `module` was wrong: it is `passed` on `completed_on`. A fail
    put right as a pass is followed by the certificate it earns (`training.certificate_awarded`);
    a pass put right as a fail takes back the certificate it earned, `certificate_revoked`, by
    the award's `certificate_id`: the same certificate may be earned again."""
    module = Text(60, required=True)
    passed = fields.Boolean(required=True)
    completed_on = fields.Date(required=True)
    previous_passed = fields.Boolean(required=True)
    previous_completed_on = fields.Date(required=True)
    reason = Code(vocabulary.CORRECTION_REASONS, required=True)
    certificate_revoked = Code(vocabulary.CERTIFICATES, open=True, load_default=None,
                               allow_none=True)
    revoked_certificate_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(UUID_PATTERN),
        metadata={"description": "the certificate_id of the award taken back"})


@event_contract("training.certificate_awarded", producer="training", ordered=True)
class CertificateAwarded(TrainingFact):
    certificate_id = Id()
    number = Text(40, required=True)
    certificate = Code(vocabulary.CERTIFICATES, open=True, required=True)
    module = Text(60, required=True)
    issuer = Text(120, required=True)
    issued_on = fields.Date(required=True)
    expires_on = fields.Date(load_default=None, allow_none=True)


@event_contract("training.programme_completed", producer="training", ordered=True)
class ProgrammeCompleted(TrainingFact):
    certificates = Codes(vocabulary.CERTIFICATES, open=True, required=True)
    completed_on = fields.Date(required=True)


DROP_OUT_REASONS = {"motivation", "health", "transferred", "released-early", "other",
                    "left-the-chain"}


@event_contract("training.dropped_out", producer="training", ordered=True)
class DroppedOut(TrainingFact):
    """The programme stopped: by the trainer, or `left-the-chain` when intake withdrew the
    participant."""
    reason = Code(DROP_OUT_REASONS, required=True)


class ModuleFact(Schema):
    """A module of training's catalogue as it is now: facts about the catalogue, not about a
    participant. `revision` is 1 when the chain first hears of the module and one more with
    each change.

    Unordered: a new ordered type takes two releases (docs/events.md#versioning), and every
    service that follows training's ordered facts would have to follow these too. Each fact
    carries the whole module and its revision instead, so a consumer keeps the highest
    revision it heard of, whatever order the facts come in
    (services/matching/tests/test_store.py::test_a_modules_older_revision_changes_nothing)."""
    module = Text(60, required=True)
    name = Text(120, required=True)
    certificate = Code(vocabulary.CERTIFICATES, open=True, required=True,
                       metadata={"description": "the certificate passing the module awards"})
    min_language_level = LanguageLevel(load_default=None, allow_none=True)
    weeks = fields.Integer(required=True, validate=validate.Range(min=1))
    required_modules = fields.List(Text(60), required=True, validate=validate.Length(max=10),
                                   metadata={"description": "modules to pass first"})
    sectors = Codes(vocabulary.SECTORS, open=True, required=True)
    revision = fields.Integer(required=True, validate=validate.Range(min=1))


@event_contract("training.module_added", producer="training", subject="module")
class ModuleAdded(ModuleFact):
    """A module joined the catalogue: added by a trainer, or one of the standard modules
    training starts with."""


@event_contract("training.module_changed", producer="training", subject="module")
class ModuleChanged(ModuleFact):
    """A trainer changed a module; its code stays."""
