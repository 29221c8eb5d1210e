"""How marshmallow fields become schemas, for the services' OpenAPI documents (OpenAPI 3.0) and
the event catalogue (JSON Schema, by way of OpenAPI 3.1): apispec's conversion, with the gaps it
leaves filled."""
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import fields

from shared.contracts.fields import Code

JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


class Converter(OpenAPIConverter):
    def init_attribute_functions(self):
        super().init_attribute_functions()
        # Before field2nullable, which allows a null only where the type is known.
        self.attribute_functions.insert(self.attribute_functions.index(self.field2nullable),
                                        self.enum2type)
        self.attribute_functions.append(self.open_vocabulary)

    def field2range(self, field, ret):
        # apispec writes the bounds as the field dumps its values, a Decimal's as strings; a
        # range compares numbers.
        bounds = super().field2range(field, ret)
        if isinstance(field, fields.Decimal):
            return {name: float(bound) for name, bound in bounds.items()}
        return bounds

    def enum2type(self, field, ret):
        """An enum by value (fields.Enum(by_value=True)) has the type of its values, where
        apispec gives it none."""
        types = {JSON_TYPES.get(type(value)) for value in ret.get("enum", ()) if value is not None}
        if "type" in ret or len(types) != 1 or None in types:
            return {}
        return {"type": types.pop()}

    def open_vocabulary(self, field, ret):
        """A code list that grows within an event type says so: consumers keep a code they do
        not know yet (docs/events.md#versioning)."""
        return {"x-open-vocabulary": True} if isinstance(field, Code) and field.open \
            else {}


class Plugin(MarshmallowPlugin):
    Converter = Converter
