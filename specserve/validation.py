"""Request validation as the specs mean it, with messages a client developer can act on (and
the response validators, see specserve.answer_validation).

- Patterns are ECMA-262 regular expressions (JSON Schema's dialect). Python's `re` differs:
  its `$` also matches before a final newline, so `"S-1-5\\n"` would pass `^S-1-[0-9]$`, and
  its `\\d` takes any Unicode digit. Patterns are translated once (see `python_pattern`).
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
    TextResponseBodyValidator,
)
from jsonschema import Draft4Validator, ValidationError
from jsonschema.validators import extend

from specserve.answer_validation import OnceJSONResponseValidator
from specserve.per_object import PerObject

# ECMA-262's white space and line terminators, which its \s and . are defined by.
_ECMA_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_OUTSIDE_CLASS = {
    "$": r"\Z",
    ".": "[^\n\r\u2028\u2029]",
    "\\s": f"[{_ECMA_SPACE}]",
    "\\S": f"[^{_ECMA_SPACE}]",
}
_INSIDE_CLASS = {"\\s": _ECMA_SPACE}


@functools.lru_cache(maxsize=512)
def python_pattern(pattern: str) -> re.Pattern[str]:
    r"""The ECMA-262 `pattern` for Python's `re`. ASCII mode gives \d and \w their ECMA meaning;
    `$`, `.` and \s are spelt out, since Python's differ (`$` also matches before a final
    newline, `.` matches \r)."""
    out = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        token = pattern[index : index + 2] if char == "\\" else char
        table = _INSIDE_CLASS if in_class else _OUTSIDE_CLASS
        out.append(table.get(token, token))
        if token == "[":
            in_class = True
        elif token == "]":
            in_class = False
        index += len(token)
    return re.compile("".join(out), re.ASCII)


def ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not python_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


ParameterSchemaValidator = extend(Draft4Validator, {"pattern": ecma_pattern})
BodySchemaValidator = extend(Draft4RequestValidator, {"pattern": ecma_pattern})

_compiled: PerObject[Any] = PerObject()


def compiled(validator_class: type[Any], schema: dict[str, Any]) -> Any:
    """The validator of `schema`, built once: building one (with its format checker and
    reference resolver) cost more than most validations."""
    return _compiled.get(
        schema,
        lambda: validator_class(schema, format_checker=Draft4Validator.FORMAT_CHECKER),
        validator_class,
    )


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
            compiled(ParameterSchemaValidator, schema).validate(value)
        except ValidationError as error:
            return f"The {parameter_type} parameter '{name}' is invalid: {error.message}."
        return None


class JSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """Connexion's JSON body validator, with ECMA patterns."""

    @property
    def _validator(self) -> Any:
        return compiled(BodySchemaValidator, self._schema)


VALIDATOR_MAP = {
    "parameter": NamedParameterValidator,
    "body": MediaTypeDict(
        {
            "*/*json": JSONBodyValidator,
            "application/x-www-form-urlencoded": FormDataValidator,
            "multipart/form-data": MultiPartFormDataValidator,
        }
    ),
    "response": MediaTypeDict(
        {
            "*/*json": OnceJSONResponseValidator,
            "text/plain": TextResponseBodyValidator,
        }
    ),
}
