"""Languages of localizable data: `Accept-Language` negotiation, and values stored as
`<root><en>Head Office</en><de>Hauptsitz</de></root>` (as the DFS samples store them)."""

from __future__ import annotations

import html
import re
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from specserve.apis import ApiDefinition, api_for_path

SUPPORTED_LANGUAGES = ("en", "de", "fr", "it")
DEFAULT_LANGUAGE = "en"

_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}|\*)(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)
_LOCALIZED = re.compile(r"^\s*<root>(.*)</root>\s*$", re.S)
_ENTRY = re.compile(r"<([a-z]{2})>(.*?)</\1>", re.S)


def negotiate(accept_language: str | None, supported: tuple[str, ...] = SUPPORTED_LANGUAGES) -> str:
    """The supported language the client prefers most (RFC 9110 weights; the earlier range wins
    a tie), English otherwise. Ranges that do not parse are passed over."""
    candidates = []
    for position, item in enumerate((accept_language or "").split(",")):
        match = _RANGE.match(item)
        if not match:
            continue
        try:
            weight = float(match.group(2)) if match.group(2) is not None else 1.0
        except ValueError:
            continue
        primary = match.group(1).lower()
        language = DEFAULT_LANGUAGE if primary == "*" else primary
        if language in supported and 0 < weight <= 1:
            candidates.append((weight, -position, language))
    return max(candidates)[2] if candidates else DEFAULT_LANGUAGE


def localize(value: str | None, language: str) -> str | None:
    """The text of `value` in `language`, else in English, else in its first language; a value
    that is not localized is returned as it is."""
    if value is None:
        return None
    match = _LOCALIZED.match(value)
    if not match:
        return value
    texts = {lang: html.unescape(text) for lang, text in _ENTRY.findall(match.group(1))}
    if not texts:
        return value
    return texts.get(language) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()))


_language: ContextVar[str] = ContextVar("specserve_language", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    """The language the request being served answers in."""
    return _language.get()


class ContentLanguage:
    """For the localized APIs: chooses the answer's language from `Accept-Language` and says
    it in `Content-Language`."""

    def __init__(self, app: ASGIApp, *, apis: tuple[ApiDefinition, ...]) -> None:
        self.app = app
        self.apis = apis

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = api_for_path(self.apis, scope.get("path", "")) if scope["type"] == "http" else None
        if api is None or not api.localized:
            await self.app(scope, receive, send)
            return
        language = negotiate(Headers(scope=scope).get("accept-language"))
        _language.set(language)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Content-Language"] = language
            await send(message)

        await self.app(scope, receive, send_with_language)
