"""Problem collection and small readers shared by the instrument parser."""

from __future__ import annotations

import difflib
import re
import reprlib
from collections.abc import Iterable, Mapping
from typing import Any

from colead.exceptions import InstrumentError, InstrumentProblem

RESERVED_IDS = ("respondent_id", "school_id")
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

#: The most characters of a problem's where, field and reason: a message never grows with the
#: input (a value of a million characters, or a list an alias expanded, is cut).
_MAX_WHERE, _MAX_FIELD, _MAX_REASON = 120, 80, 400
#: How much of an input value a message quotes.
_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 2, 60, 60
_REPR.maxtuple = _REPR.maxlist = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = 4
_MAX_LISTED = 12


def shown(value: Any, *, quote: bool = True) -> str:
    """An input value as a message quotes it: ``repr`` of at most about 60 characters, lists
    and mappings cut to their first few entries (``quote=False``: text without quotes)."""
    if not quote and isinstance(value, str):
        return value if len(value) <= 60 else value[:57] + "..."
    return _REPR.repr(value)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Problems:
    """What parsing a file found: its problems, and the texts it gave in other languages
    (``translations``: (language, key, text)) beside those in its own ``language``."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[InstrumentProblem] = []
        self.language = "en"
        self.translations: list[tuple[str, str, str]] = []

    def add(self, where: str, field: str, reason: str) -> None:
        self.found.append(
            InstrumentProblem(
                self.file,
                _cut(where, _MAX_WHERE),
                _cut(field, _MAX_FIELD),
                _cut(reason, _MAX_REASON),
            )
        )

    def raise_if_any(self) -> None:
        if self.found:
            raise InstrumentError(self.found)


class Declared:
    """The ids a file declares, whether or not their definitions were sound."""

    def __init__(self, response_scales: set[Any], scales: set[Any], items: set[Any]) -> None:
        self.response_scales = response_scales
        self.scales = scales
        self.items = items


def declared_keys(raw: Any) -> set[Any]:
    return set(raw) if isinstance(raw, Mapping) else set()


def kind_of(value: Any) -> str:
    """How a YAML value reads to a user, for messages."""
    if value is None:
        return "empty"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else type(value).__name__


def where_of(kind: str, ident: Any, mapping: Any = None) -> str:
    line = getattr(mapping, "line", 0)
    return f"{kind} {shown(ident)}" + (f" (line {line})" if line else "")


def check_fields(
    p: Problems, mapping: Mapping[str, Any], allowed: tuple[str, ...], where: str
) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key)[:100], allowed, n=1, cutoff=0.6)
            known = ", ".join(allowed)
            hint = f" (did you mean {shown(close[0])}?)" if close else f" (known: {known})"
            p.add(where, str(key), f"is not a known field{hint}")


def read_text(
    p: Problems, mapping: Mapping[str, Any], key: str, where: str, required: bool = False,
    *, translate: str | None = None,
) -> str:
    """A text field. With ``translate`` (the key its translations are filed under) the value
    may also be a mapping language -> text: the instrument's own language is returned and the
    others are recorded in ``p.translations``."""
    value = mapping.get(key)
    if translate is not None and isinstance(value, Mapping):
        return _translated(p, value, key, where, translate)
    if value is None:
        if required:
            p.add(where, key, "is required")
        return ""
    if isinstance(value, bool | int | float):
        p.add(where, key, f"must be text, not {shown(value)}; quote it ('{shown(value)}')")
        return ""
    if not isinstance(value, str):
        p.add(where, key, f"must be text, not {kind_of(value)}")
        return ""
    if required and not value.strip():
        p.add(where, key, "is empty")
    return value.strip()


def read_citations(p: Problems, mapping: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = mapping.get("citations")
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        p.add(where, "citations", "must be a list of text entries")
        return ()
    return tuple(v.strip() for v in value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def did_you_mean(value: str, known: Iterable[str]) -> str:
    known = [str(k) for k in known]
    close = difflib.get_close_matches(value[:100], known[:1000], n=1, cutoff=0.6)
    if close:
        return f" (did you mean {shown(close[0])}?)"
    if not known:
        return "; none are defined"
    listed = ", ".join(shown(k, quote=False) for k in known[:_MAX_LISTED])
    more = f" and {len(known) - _MAX_LISTED} more" if len(known) > _MAX_LISTED else ""
    return f"; known: {listed}{more}"


def check_id(p: Problems, ident: Any, where: str, field: str) -> bool:
    if not isinstance(ident, str) or not ident:
        p.add(where, field, "is required" if ident is None else f"must be text, not {shown(ident)}")
        return False
    if not ID_PATTERN.match(ident):
        reason = f"{shown(ident)} must start with a letter and hold only letters, digits, _"
        p.add(where, field, reason)
        return False
    if ident in RESERVED_IDS:
        p.add(where, field, f"{shown(ident)} is reserved for colead's own column")
        return False
    return True


def _translated(p: Problems, value: Mapping[Any, Any], key: str, where: str,
                translate: str) -> str:
    texts = {}
    for language, text in value.items():
        if not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
            p.add(where, key, f"{shown(language)} is not a language code (such as en, es, pt-BR)")
        elif not isinstance(text, str) or not text.strip():
            p.add(where, key, f"the {shown(language)} text must be text, not {shown(text)}")
        else:
            texts[language] = text.strip()
    if p.language not in texts:
        p.add(where, key, f"has no text in the instrument's language {shown(p.language)}")
        return ""
    p.translations += [(lang, translate, text) for lang, text in texts.items()
                       if lang != p.language]
    return texts[p.language]
