"""Request validation messages a client developer can act on.

Connexion's parameter validator answers with jsonschema's multi-line dump of the schema and
without the parameter's name; this one names the parameter and says what is wrong in one line.
"""

from __future__ import annotations

from typing import Any

from connexion.utils import is_null, is_nullable
from connexion.validators import ParameterValidator
from jsonschema import Draft4Validator, ValidationError


class NamedParameterValidator(ParameterValidator):  # type: ignore[misc]
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        name = param.get("name", param_name)
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            if param.get("required"):
                return f"The {parameter_type} parameter '{name}' is required."
            return None
        schema = param.get("schema", param)
        try:
            Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER).validate(value)
        except ValidationError as error:
            return f"The {parameter_type} parameter '{name}' is invalid: {error.message}."
        return None
