"""Problem collection and small readers shared by the instrument parser."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from colead.exceptions import InstrumentError, InstrumentProblem

RESERVED_IDS = ("respondent_id", "school_id")
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class Problems:
    """What parsing a file found: its problems, and the texts it gave in other languages
    (``translations``: (language, key, text)) beside those in its own ``language``."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[InstrumentProblem] = []
        self.language = "en"
        self.translations: list[tuple[str, str, str]] = []

    def add(self, where: str, field: str, reason: str) -> None:
        self.found.append(InstrumentProblem(self.file, where, field, reason))

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
    return f"{kind} {ident!r}" + (f" (line {line})" if line else "")


def check_fields(
    p: Problems, mapping: Mapping[str, Any], allowed: tuple[str, ...], where: str
) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(allowed)})"
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
        p.add(where, key, f"must be text, not {value!r}; quote it ('{value}')")
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
    known = list(known)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f"; known: {', '.join(known)}" if known else "; none are defined"


def check_id(p: Problems, ident: Any, where: str, field: str) -> bool:
    if not isinstance(ident, str) or not ident:
        p.add(where, field, "is required" if ident is None else f"must be text, not {ident!r}")
        return False
    if not ID_PATTERN.match(ident):
        p.add(where, field, f"{ident!r} must start with a letter and hold only letters, digits, _")
        return False
    if ident in RESERVED_IDS:
        p.add(where, field, f"{ident!r} is reserved for colead's own column")
        return False
    return True


def _translated(p: Problems, value: Mapping[Any, Any], key: str, where: str,
                translate: str) -> str:
    texts = {}
    for language, text in value.items():
        if not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
            p.add(where, key, f"{language!r} is not a language code (such as en, es, pt-BR)")
        elif not isinstance(text, str) or not text.strip():
            p.add(where, key, f"the {language!r} text must be text, not {text!r}")
        else:
            texts[language] = text.strip()
    if p.language not in texts:
        p.add(where, key, f"has no text in the instrument's language {p.language!r}")
        return ""
    p.translations += [(lang, translate, text) for lang, text in texts.items()
                       if lang != p.language]
    return texts[p.language]
