"""Putting an instrument in the field (``colead field``, :func:`colead.field`).

colead writes the survey for the platform, so it chooses every question, choice and export id,
and the platform's export maps back onto the instrument with no mapping step:

- ``html``: a printable, accessible questionnaire (:mod:`colead.fielding.questionnaire`);
- ``qualtrics``: a Qualtrics survey file, ``.qsf`` (:mod:`colead.fielding.qualtrics`);
- ``limesurvey``: LimeSurvey's tab-separated survey structure, ``.txt``
  (:mod:`colead.fielding.limesurvey`);
- ``codebook``: a codebook as CSV and Markdown (:mod:`colead.fielding.codebook`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from colead._files import check_output, replacing
from colead._validation import check_option
from colead.exceptions import InvalidParameterError
from colead.instrument import Instrument, load_instrument

__all__ = ["TARGETS", "field"]

#: What ``field`` can write.
TARGETS = ("html", "qualtrics", "limesurvey", "codebook")


def field(
    instrument: str | os.PathLike[str] | Instrument,
    *,
    to: Literal["html", "qualtrics", "limesurvey", "codebook"],
    path: str | os.PathLike[str],
    language: str | None = None,
    min_n: int = 5,
) -> Path:
    """Write an instrument out for fielding: a questionnaire, a platform's survey file or a
    codebook.

    Parameters
    ----------
    instrument : str, path or Instrument
        A bundled instrument name, an instrument file, or an Instrument.
    to : {"html", "qualtrics", "limesurvey", "codebook"}
        ``html``: a printable questionnaire (one self-contained page; each section prints on
        a page of its own). ``qualtrics``: a Qualtrics survey file (``.qsf``) to import as a
        new project. ``limesurvey``: a LimeSurvey survey structure (tab-separated ``.txt``) to
        import as a new survey. ``codebook``: a CSV codebook (one row per item) and a
        Markdown codebook beside it.
    path : path
        The file to write. For ``codebook``, a ``.csv`` path (the ``.md`` goes beside it,
        same name), a ``.md`` path (the ``.csv`` beside it), or a folder (an existing one, or
        a path with no suffix, which is created), which receives ``<instrument>-codebook.csv``
        and ``.md``. Files are written whole or not at all (a temporary file beside each,
        renamed when complete), and never over the instrument file.
    language : str, optional
        Write the texts in this language (one of ``Instrument.languages``); by default the
        instrument's own. A LimeSurvey file carries every language the instrument gives, this
        one as the survey's base language.
    min_n : int, default 5
        The smallest group results are reported for, as the confidentiality statement of the
        questionnaire and the survey welcome texts promise (use the ``min_n`` of the reports).

    Returns
    -------
    Path
        The file written (for ``codebook``, the CSV file).

    Raises
    ------
    InvalidParameterError
        For an unknown ``to``, a language the instrument does not give, a ``min_n`` below
        3, a ``path`` that is the instrument file or a folder (or, for ``codebook``, has a
        suffix other than ``.csv`` and ``.md`` and is not a folder).
    InstrumentError
        When the instrument cannot be laid out on the platform (LimeSurvey answer codes are
        at most five letters or digits, so a value or missing answer code such as ``-1`` or
        ``2.5`` cannot be one; two item ids that give the same LimeSurvey code).

    See Also
    --------
    colead.read_responses : reads the platform's export back, matched by the ids written here.

    Notes
    -----
    Export tags (Qualtrics) are the item ids and LimeSurvey question codes are the item ids
    in letters and digits; recode values and answer codes are the instrument's values. So an
    export of the survey, in numeric codes or in choice text of any of the instrument's
    languages, is read by :func:`colead.read_responses` with no mapping.

    The missing answer options of a response scale (``missing: [{value: 8, label: "Don't
    know"}]``) are offered after its scale points, set apart in the questionnaire, with their
    codes as recode values and answer codes; an export holds the code or the label, and both
    are read as missing. Plain missing labels and codes (``"Not applicable"``, ``-99``) are
    not offered (there is no code to export): they only say how exports are read. The school of each
    respondent travels as embedded data ``school_id`` (Qualtrics) or a hidden question
    ``schoolid`` (LimeSurvey), both set from the survey link (``...?school_id=S01``,
    ``...&schoolid=S01``).

    Examples
    --------
    >>> import colead as cl, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> cl.field("colead-teacher", to="qualtrics", path=folder / "survey.qsf").name
    'survey.qsf'
    """
    from colead.privacy import check_min_n

    check_option(to, "to", "field", TARGETS)
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidParameterError(
            f"The 'path' parameter of field must be a file path; got {path!r}."
        )
    min_n = check_min_n(min_n, "field")
    inst = load_instrument(instrument)
    inputs = (instrument, inst.path)
    if to == "codebook":
        from colead.fielding._layout import in_language
        from colead.fielding.codebook import write_codebook

        return write_codebook(in_language(inst, language, "field"), Path(path), inputs=inputs)
    target = check_output(path, inputs=inputs, name="path", func="field")
    with replacing(target) as temp:
        if to == "html":
            from colead.fielding._layout import in_language
            from colead.fielding.questionnaire import write_questionnaire

            write_questionnaire(in_language(inst, language, "field"), temp, min_n=min_n)
        elif to == "qualtrics":
            from colead.fielding._layout import in_language
            from colead.fielding.qualtrics import write_qsf

            write_qsf(in_language(inst, language, "field"), temp, min_n=min_n)
        else:
            from colead.fielding.limesurvey import write_structure

            write_structure(inst, temp, language=language, min_n=min_n)
    return target
