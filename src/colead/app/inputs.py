"""A request's files and fields turned into what the library takes: the instrument, the
mapping and its school column, the platform, a roster and a previous wave.

Shared by the pages and the API so that both check the same things with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colead.app import outputs, work
from colead.app.store import Form, Upload, save
from colead.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from colead.instrument import Instrument
    from colead.io import Responses

PLATFORM_TITLES = {
    "auto": "Detect it from the file",
    "qualtrics": "Qualtrics",
    "surveymonkey": "SurveyMonkey",
    "google_forms": "Google Forms",
    "microsoft_forms": "Microsoft Forms",
    "limesurvey": "LimeSurvey",
    "redcap": "REDCap",
    "generic": "A plain table (one header row)",
}


@dataclass
class Sent:
    """The files of one request, saved in ``folder``, and the choices made with them."""

    folder: Path
    export: Upload
    instrument_name: str | None
    instrument_file: Upload | None
    mapping: dict[str, str]
    school: str | None
    platform: str

    def instrument(self) -> Instrument:
        path = self.instrument_file.path if self.instrument_file else None
        return work.instrument(self.instrument_name, path)


def receive(form: Form, folder: Path) -> Sent:
    """Save a request's export, instrument and mapping into ``folder`` and check the
    fields; raise a ColeadError naming what is wrong."""
    if "file" not in form.files:
        raise InvalidParameterError("choose your survey export (file): a CSV, TSV or XLSX file")
    platform = form.text("platform", "auto") or "auto"
    if platform not in PLATFORM_TITLES:
        raise InvalidParameterError(
            f"platform {platform[:40]!r} is not one of {', '.join(PLATFORM_TITLES)}"
        )
    export = save(folder, form.files["file"], "export.csv")
    if export is None:
        raise InvalidParameterError("choose your survey export (file)")
    instrument_file = save(folder, form.files.get("instrument_file"), "instrument.yaml")
    name = form.text("instrument") or None
    mapping, school_in_file = read_mapping(form, folder)
    school = _school(form.fields.get("school"), school_in_file)
    return Sent(folder=folder, export=export, instrument_name=name,
                instrument_file=instrument_file, mapping=mapping, school=school,
                platform=platform)


def _school(field: str | None, from_mapping: str | None) -> str | None:
    """The school column: the ``school`` field ("none" for none), else the mapping's
    ``school:``, else ``school_id``."""
    if field is not None and field.strip():
        return None if field.strip().casefold() == "none" else field.strip()
    return from_mapping or "school_id"


def read_mapping(form: Form, folder: Path) -> tuple[dict[str, str], str | None]:
    """The mapping sent as a file (YAML or CSV, as ``--mapping`` reads it) or as YAML/JSON
    text in the ``mapping`` field, and the school column it names (``school:``)."""
    from colead.io import read_mapping as library_read

    upload = save(folder, form.files.get("mapping"), "mapping.yaml")
    if upload is None and form.text("mapping"):
        upload = save(folder, ("mapping.yaml", form.text("mapping").encode()), "mapping.yaml")
    if upload is None:
        return {}, None
    school = None
    if upload.path.suffix.lower() != ".csv":
        school = _checked_yaml(upload)
    return library_read(upload.path), school


def _checked_yaml(upload: Upload) -> str | None:
    """Parse a YAML mapping with colead's bounded loader first (a file of aliases that
    expands to billions of values is refused, not expanded); its ``school:``."""
    import yaml

    from colead._files import decode_error
    from colead._yaml import describe_yaml_error, load_yaml
    from colead.exceptions import ResponseDataError

    try:
        data, _ = load_yaml(upload.path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ResponseDataError([{"reason": f"the mapping file {decode_error(exc)}"}],
                                context=upload.name) from None
    except yaml.YAMLError as exc:
        raise ResponseDataError([{"reason": f"the mapping file is {describe_yaml_error(exc)}"}],
                                context=upload.name) from None
    return work.read_school(data) if isinstance(data, dict) else None


def roster(form: Form, folder: Path, school: str | None) -> Any:
    upload = save(folder, form.files.get("roster"), "roster.csv")
    return None if upload is None else outputs.roster_for(upload.path, school)


def norms(form: Form, folder: Path) -> Path | None:
    """A norms file (YAML or CSV, :func:`colead.load_norms`) to benchmark against."""
    upload = save(folder, form.files.get("norms"), "norms.yaml")
    return None if upload is None else upload.path


def previous(form: Form, folder: Path, inst: Instrument, sent_mapping: dict[str, str],
             school: str | None) -> Responses | None:
    """The previous wave (an export of the same instrument), read with the same mapping and
    school column."""
    from colead.exceptions import ResponseDataError
    from colead.io import read_responses

    upload = save(folder, form.files.get("previous"), "previous.csv")
    if upload is None:
        return None
    try:
        return read_responses(upload.path, inst, mapping=sent_mapping or None, school=school)
    except ResponseDataError as exc:
        raise ResponseDataError([{"reason": line} for line in exc.problem_lines()],
                                context=f"the previous wave ({upload.name})") from None
