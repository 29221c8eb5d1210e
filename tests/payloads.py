"""Facts checked against the AsyncAPI catalogue's payload schemas, as integrators' tools would."""
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7


def payload_validator(document, event_type):
    """A JSON Schema validator of the catalogue's payload of `event_type`, the whole document
    at hand for its references."""
    # AsyncAPI's schema format is a superset of JSON Schema draft 07.
    registry = Registry().with_resource(
        "urn:doorstroom:catalogue", Resource.from_contents(document, DRAFT7))
    name = event_type.replace(".", "_")
    return Draft7Validator({"$ref": f"urn:doorstroom:catalogue#/components/messages/{name}/payload"},
                           registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)
