"""Request validation as the specs mean it, with messages a client developer can act on.

- Patterns are ECMA-262 regular expressions (JSON Schema's dialect), where `$` matches only at
  the very end; Python's `re` also lets `$` match before a final newline, so `"S-1-5\\n"`
  would pass `^S-1-[0-9]$`. Patterns are translated once, `$` becoming `\\Z`.
- Connexion's parameter validator answers with jsonschema's multi-line dump of the schema and
  without the parameter's name; this one names the parameter in one line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    FormDataValidator,
    JSONRequestBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
)
from jsonschema import Draft4Validator, ValidationError
from jsonschema.validators import extend


@functools.lru_cache(maxsize=512)
def python_pattern(pattern: str) -> re.Pattern[str]:
    """The ECMA-262 `pattern` for Python's `re`: every `$` outside a class becomes `\\Z`."""
    out = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not python_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


ParameterSchemaValidator = extend(Draft4Validator, {"pattern": ecma_pattern})
BodySchemaValidator = extend(Draft4RequestValidator, {"pattern": ecma_pattern})


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
            ParameterSchemaValidator(
                schema, format_checker=Draft4Validator.FORMAT_CHECKER
            ).validate(value)
        except ValidationError as error:
            return f"The {parameter_type} parameter '{name}' is invalid: {error.message}."
        return None


class JSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """Connexion's JSON body validator, with ECMA patterns, built once per operation."""

    @functools.cached_property
    def _validator(self) -> Any:
        return BodySchemaValidator(self._schema, format_checker=Draft4Validator.FORMAT_CHECKER)


VALIDATOR_MAP = {
    "parameter": NamedParameterValidator,
    "body": MediaTypeDict(
        {
            "*/*json": JSONBodyValidator,
            "application/x-www-form-urlencoded": FormDataValidator,
            "multipart/form-data": MultiPartFormDataValidator,
        }
    ),
}
