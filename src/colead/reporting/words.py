"""The report's plain words: what each statistic means, in one sentence, and the published
bands that turn agreement and reliability into words a school team can discuss.

Agreement bands are LeBreton & Senter's (2008, Table 3) for rwg(j): .00-.30 lack of
agreement, .31-.50 weak, .51-.70 moderate, .71-.90 strong, .91-1.00 very strong. A school
mean is called stable when its reliability, ICC(2) for the school's number of respondents,
reaches .70; the respondents a scale needs for that come from the Spearman-Brown relation
(:func:`colead.plan`; Bliese 2000).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["BANDS", "EXPLAIN", "STABLE", "agreement_band", "band_index", "listing"]

#: (upper bound, words, short name) of each rwg(j) band, LeBreton & Senter (2008).
BANDS: tuple[tuple[float, str, str], ...] = (
    (0.30, "lack of agreement", "none"),
    (0.50, "weak agreement", "weak"),
    (0.70, "moderate agreement", "moderate"),
    (0.90, "strong agreement", "strong"),
    (math.inf, "very strong agreement", "very strong"),
)
#: The reliability of a school mean from which it is called a stable estimate.
STABLE = 0.70

#: One sentence per statistic, shown next to it.
EXPLAIN: dict[str, tuple[str, str]] = {
    "mean": ("Mean", "the average of the teachers' scale scores; each scale score is the "
             "average of a teacher's answers to the scale's items, on the scale's range."),
    "sd": ("SD", "the standard deviation: how far teachers' scores typically lie from the "
           "mean."),
    "n": ("n", "the number of respondents a figure rests on."),
    "interval": ("95% interval", "the range that, with 95% confidence, holds the mean this "
                 "school's teachers would give if all of them answered; a wide interval means "
                 "few answers."),
    "rwg": ("rwg(j)", "agreement among the school's teachers, from 0 (answers as scattered as "
            "random answers) to 1 (everyone gives the same answer); named by the bands of "
            "LeBreton & Senter (2008): up to .30 lack of agreement, .31-.50 weak, .51-.70 "
            "moderate, .71-.90 strong, above .90 very strong."),
    "icc2_school": ("Reliability of mean", "how stable the school mean is, ICC(2) for this "
                    "many respondents, from 0 to 1; from .70 on, another group of the "
                    "school's teachers would very likely give a similar mean."),
    "icc1": ("ICC(1)", "the share of the differences between teachers that lies between "
             "schools; .05 to .20 is usual, and the higher it is, the more schools differ."),
    "icc2": ("ICC(2)", "the reliability of a typical school's mean (from ICC(1) and the "
             "number of respondents per school); .70 or more means school means can be "
             "compared."),
    "ad": ("AD", "the average deviation: how far, in points of the answer scale, teachers' "
           "answers lie on average from their school's mean; smaller means closer "
           "agreement."),
    "share": ("Schools agreeing", "the share of schools whose teachers agree strongly or "
              "very strongly (rwg(j) above .70)."),
    "alpha": ("Alpha", "Cronbach's alpha: how consistently the items of a scale measure the "
              "same thing, from 0 to 1; .70 or more is usually enough for a scale score."),
    "alpha_ci": ("95% interval", "the range that, with 95% confidence, holds the alpha of "
                 "the whole population of teachers."),
    "omega": ("Omega", "a second measure of consistency that allows items to differ in how "
              "strongly they reflect the scale; read it like alpha."),
    "ordinal": ("Ordinal alpha and omega", "the same two measures computed from the "
                "polychoric correlations of the items, which treat answers as ordered "
                "categories rather than equally spaced numbers; they suit items with five or "
                "fewer answer categories or answers bunched at one end."),
    "benchmark": ("Score (1-99)", "the mean on a benchmark scale: 50 is the reference's "
                  "average and every 20 points is one standard deviation of it."),
    "rasch_score": ("Rasch score (1-99)", "the average of the teachers' Rasch measures (their "
                    "answers weighed by how hard each item is to agree with) on a benchmark "
                    "scale: 50 is the reference's average and every 20 points is one "
                    "standard deviation of it."),
    "band": ("Band", "the score in words: below 20 very weak, 20-39 weak, 40-59 neutral, "
             "60-79 strong, 80 and above very strong (half a standard deviation and one and "
             "a half standard deviations either side of the reference's average)."),
    "person_reliability": ("Person reliability", "how reliably the Rasch measures tell one "
                           "respondent's view from another's, from 0 to 1; read it like "
                           "alpha."),
    "infit_outfit": ("Infit and outfit", "how closely an item's answers follow the pattern the "
                     "Rasch model expects, 1 meaning exactly; infit weighs the answers of "
                     "respondents near the item's level, outfit every answer alike."),
    "shares": ("Difference", "the district's share minus the reference's latest, in "
               "percentage points: positive means more of the district's respondents chose "
               "that answer."),
    "flagged": ("Items to check", "items whose answers go less well with the rest of the "
                "scale (the scale would be more consistent without them)."),
    "correlation": ("Correlation", "from -1 to 1: how closely two scales go together; 0 "
                    "means not at all, .30 moderately, .50 or more strongly."),
    "total": ("Total", "the mean rating of influence over this kind of decision, over all "
              "the people and groups asked about."),
    "principal": ("Principal", "the mean rating of the principal's influence."),
    "gap": ("Gap", "teachers' influence minus the principal's, in points of the answer "
            "scale; negative means the principal has more say."),
    "breadth": ("Breadth", "how many of the people and groups asked about hold at least "
                "moderate influence: the more, the more widely leadership is shared."),
    "gini": ("Gini", "how unequally influence is spread over the people and groups, from 0 "
             "(everyone the same) to 1 (one holds it all)."),
}


def band_index(rwg: float) -> int:
    """The position of ``rwg`` in :data:`BANDS` (0: lack of agreement), read at the two
    decimals the report prints (.705 shows as .71: strong agreement)."""
    rwg = round(rwg, 2)
    for i, (upper, _, _) in enumerate(BANDS):
        if rwg <= upper + 1e-9:
            return i
    return len(BANDS) - 1


def agreement_band(rwg: Any) -> str:
    """The band's words for an rwg(j), or "" when it is missing."""
    if rwg is None or not isinstance(rwg, int | float) or math.isnan(rwg):
        return ""
    return BANDS[band_index(float(rwg))][1]


def listing(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
