"""Connexion's request validation, with each operation's validators built once.

Connexion 3.3 builds, for every request, two URI parsers, a parameter validator and a body
validator, and a media-type table to check the Content-Type against; all of them follow from
the operation and, for the body, the request's media type and charset. None keeps state of
a request, so each operation builds them on first use and keeps them. The validation itself
is Connexion's (with specserve.validation's validators), unchanged.
"""

from __future__ import annotations

from typing import Any

from connexion import utils
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from starlette.types import Receive, Scope, Send

_NO_VALIDATOR = object()
# Media types and charsets are the client's words: only so many are remembered per operation.
_REMEMBERED_BODY_VALIDATORS = 16


class _OperationValidatedOnce(RequestValidationOperation):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operation = self._operation
        self._uri_parser = operation.uri_parser_class(
            operation.parameters, operation.body_definition()
        )
        self._parameter_validator = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=self._uri_parser,
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )
        self._consumed = MediaTypeDict([(c.lower(), None) for c in operation.consumes])
        self._body_validators: dict[tuple[str, str], Any] = {}

    def validate_mime_type(self, mime_type: str) -> None:
        if self._operation.consumes and mime_type.lower() not in self._consumed:
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({mime_type}), expected {self._operation.consumes}"
            )

    def _body_validator(self, mime_type: str, encoding: str) -> Any:
        key = (mime_type, encoding)
        validator = self._body_validators.get(key)
        if validator is None:
            validator = self._make_body_validator(*key)
            if len(self._body_validators) < _REMEMBERED_BODY_VALIDATORS:
                self._body_validators[key] = validator
        return validator

    def _make_body_validator(self, mime_type: str, encoding: str) -> Any:
        operation = self._operation
        schema = operation.body_schema(mime_type)
        if not schema:
            return _NO_VALIDATOR
        try:
            validator_class = self._validator_map["body"][mime_type]
        except KeyError:
            return _NO_VALIDATOR
        return validator_class(
            schema=schema,
            required=operation.request_body.get("required", False),
            nullable=utils.is_nullable(operation.body_definition(mime_type)),
            encoding=encoding,
            strict_validation=self.strict_validation,
            uri_parser=self._uri_parser,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._parameter_validator.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        validator = self._body_validator(mime_type, encoding)
        if validator is not _NO_VALIDATOR:
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


class _ApiValidatedOnce(RequestValidationAPI):  # type: ignore[misc]
    def make_operation(self, operation: Any) -> RequestValidationOperation:
        return _OperationValidatedOnce(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class RequestValidatedOnce(RequestValidationMiddleware):  # type: ignore[misc]
    """Connexion's RequestValidationMiddleware, its validators built once per operation."""

    api_cls = _ApiValidatedOnce
