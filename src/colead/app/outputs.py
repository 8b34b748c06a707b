"""What the app makes for a team, through the library's public functions: the report
(:func:`colead.report`'s public signature only), the scores and the school table (CSV-safe,
schools under ``min_n`` suppressed), with ``min_n`` and a roster read from the forms."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from colead.app.messages import wording
from colead.exceptions import ColeadError, InvalidParameterError, ResponseDataError

if TYPE_CHECKING:
    from colead.io import Responses


def check_groups(responses: Responses) -> None:
    if responses.data["school_id"].isna().all():
        raise InvalidParameterError(
            "no respondent has a school: choose the column that holds the school under "
            "'Match the columns'"
        )


def roster_for(path: Path, school: str | None) -> Any:
    """A roster (group sizes) whose group column is named like the export's school column
    or ``school_id``, as the report wants it (``school_id``)."""
    from colead.io import read_roster

    first, *others = list(dict.fromkeys(n for n in (school, "school_id") if n))
    try:
        return read_roster(path, by=first).rename(columns={first: "school_id"})
    except ResponseDataError:
        if not others:
            raise
        try:
            return read_roster(path, by="school_id")
        except ResponseDataError:
            pass
        raise


def make_report(responses: Responses, path: Path, *, min_n: int, title: str | None = None,
                roster: Any = None, previous: Responses | None = None, scores: str = "mean",
                norms: Path | None = None) -> Path:
    """The report, through :func:`colead.report`'s public signature only."""
    from colead.reporting import report

    check_groups(responses)
    extra: dict[str, Any] = {}
    if previous is not None:
        extra["previous"] = previous
    if scores != "mean":
        extra["scores"] = scores
    if norms is not None:
        extra["norms"] = norms
    return report(responses, path=path, by="school_id", min_n=min_n, title=title or None,
                  roster=roster, progress=False, **extra)


def scores_csv(responses: Responses, path: Path) -> Path:
    """Every respondent's scale scores (``colead score``), CSV-safe."""
    from colead.privacy import write_csv
    from colead.psychometrics import score

    write_csv(score(responses), path)
    return path


def school_table_csv(responses: Responses, path: Path, *, min_n: int, roster: Any = None
                     ) -> Path:
    """One row per school and scale, schools under ``min_n`` suppressed (``colead score
    --by school_id``)."""
    from colead.privacy import write_csv
    from colead.schools import aggregate

    check_groups(responses)
    write_csv(aggregate(responses, by="school_id", min_n=min_n, roster=roster), path)
    return path


def parse_scores(text: str | None) -> str:
    """The scores shown beside the means, from a form field: "mean" (none) or "rasch"."""
    value = (text or "").strip() or "mean"
    if value not in ("mean", "rasch"):
        raise InvalidParameterError(f"scores must be mean or rasch; got {value[:40]!r}")
    return value


def parse_min_n(text: str | None, default: int = 5) -> int:
    """The smallest group shown, from a form field (at least 3, as the library requires)."""
    from colead.privacy import check_min_n

    if text is None or not text.strip():
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidParameterError(
            f"the smallest group (min_n) must be a whole number; got {text.strip()[:20]!r}"
        ) from None
    try:
        return check_min_n(value, "report")
    except ColeadError as exc:
        raise InvalidParameterError(wording(str(exc))) from None
