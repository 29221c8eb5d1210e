"""Facts checked against the AsyncAPI catalogue's payload schemas, as integrators' tools would,
and the facts a producer may publish, generated from its contracts."""
import uuid
from datetime import date, datetime, timezone

from hypothesis import strategies as st
from jsonschema import Draft7Validator
from marshmallow import fields, validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from shared.contracts import all_contracts
from shared.contracts.fields import Municipality
from shared.contracts.municipalities import MUNICIPALITIES
from shared.events import new_event


def payload_validator(document, event_type):
    """A JSON Schema validator of the catalogue's payload of `event_type`, the whole document
    at hand for its references."""
    # AsyncAPI's schema format is a superset of JSON Schema draft 07.
    registry = Registry().with_resource(
        "urn:doorstroom:catalogue", Resource.from_contents(document, DRAFT7))
    name = event_type.replace(".", "_")
    return Draft7Validator({"$ref": f"urn:doorstroom:catalogue#/components/messages/{name}/payload"},
                           registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def values(field):
    """What a producer may give for `field` of a contract, in JSON's terms."""
    validators = {type(v): v for v in field.validators}
    length = validators.get(validate.Length, validate.Length())
    if isinstance(field, fields.Nested):
        strategy = objects(field.schema)
    elif isinstance(field, fields.List):
        strategy = st.lists(values(field.inner), min_size=length.min or 0,
                            max_size=min(length.max or 3, 3))
    elif isinstance(field, Municipality):
        strategy = st.sampled_from(sorted(MUNICIPALITIES))
    elif validate.OneOf in validators:
        strategy = st.sampled_from(list(validators[validate.OneOf].choices))
    elif validate.Regexp in validators:
        strategy = st.from_regex(validators[validate.Regexp].regex, fullmatch=True)
    elif isinstance(field, fields.String):
        strategy = st.text(min_size=length.min or 0, max_size=length.max)
    elif isinstance(field, fields.Integer):
        bounds = validators.get(validate.Range, validate.Range())
        strategy = st.integers(bounds.min, bounds.max)
    elif isinstance(field, fields.Boolean):
        strategy = st.booleans()
    elif isinstance(field, fields.DateTime):
        strategy = st.datetimes(timezones=st.just(timezone.utc)).map(datetime.isoformat)
    elif isinstance(field, fields.Date):
        strategy = st.dates().map(date.isoformat)
    else:
        raise TypeError(f"no examples for {field!r}: teach values() its kind")
    return st.one_of(st.none(), strategy) if field.allow_none else strategy


def objects(schema):
    return st.fixed_dictionaries(
        {name: values(field) for name, field in schema.fields.items() if field.required},
        optional={name: values(field) for name, field in schema.fields.items()
                  if not field.required})


def fact(event_type, data):
    contract = all_contracts()[event_type]
    return new_event(contract.producer, event_type, data, subject=str(uuid.uuid4()),
                     sequence=1 if contract.ordered else None).to_json()
