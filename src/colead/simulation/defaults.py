"""Default population values for :func:`colead.simulate`.

They are plausible, not estimates: chosen so that synthetic schools look like the literature
describes them (Louis, Dretzke & Wahlstrom 2010; Ni, Yan & Pounder 2018; NCES tables) and so
that every relation the tests recover is clearly away from zero.
"""

from __future__ import annotations

# Standardized paths among colead-teacher's constructs, outcome -> {predictor: beta}: leadership
# and trust feed the elements of professional community, which feed focused instruction
# (after Louis, Dretzke & Wahlstrom 2010).
TEACHER_PATHS: dict[str, dict[str, float]] = {
    "reflective_dialogue": {
        "shared_leadership": 0.30,
        "trust_colleagues": 0.25,
        "instructional_leadership": 0.15,
    },
    "deprivatized_practice": {
        "shared_leadership": 0.20,
        "instructional_leadership": 0.25,
        "trust_colleagues": 0.15,
    },
    "collective_responsibility": {
        "shared_leadership": 0.25,
        "trust_colleagues": 0.30,
        "trust_principal": 0.10,
    },
    "shared_focus": {
        "instructional_leadership": 0.30,
        "shared_leadership": 0.20,
        "trust_principal": 0.10,
    },
    "collective_efficacy": {"collective_responsibility": 0.35, "trust_colleagues": 0.20},
    "focused_instruction": {
        "reflective_dialogue": 0.20,
        "deprivatized_practice": 0.15,
        "shared_focus": 0.25,
        "collective_efficacy": 0.15,
    },
}

# Correlations among the exogenous constructs of TEACHER_PATHS.
TEACHER_EXOGENOUS: dict[tuple[str, str], float] = {
    ("shared_leadership", "instructional_leadership"): 0.60,
    ("shared_leadership", "trust_principal"): 0.55,
    ("instructional_leadership", "trust_principal"): 0.50,
    ("shared_leadership", "trust_colleagues"): 0.35,
    ("instructional_leadership", "trust_colleagues"): 0.30,
    ("trust_principal", "trust_colleagues"): 0.35,
}

#: Correlation between constructs when the instrument has no default path model.
DEFAULT_CORRELATION = 0.3

#: Mean latent position of a construct: teachers' answers lean towards agreement.
CONSTRUCT_LOCATION = 0.4

#: How far apart an item's thresholds lie, as a multiple of the cut points that would give
#: equal category shares. Teachers' answers cluster on a few neighbouring points: with equal
#: shares (1.0) within-school answers were nearly as scattered as random ones (median rwg(j)
#: .45), where published school surveys report median rwg(j) of about .70-.85 for such
#: scales (LeBreton & Senter 2008; Bliese 2000). 1.4 gives a median of about .80 with some
#: schools under .70, while ICC(1), alpha and the mean answer stay as they were.
ANSWER_SPREAD = 1.4

# Mean latent influence of a stakeholder (matched on a word in its id) ...
STAKEHOLDER_MEANS: tuple[tuple[str, float], ...] = (
    ("assistant", 0.4),
    ("principal", 1.3),
    ("teacher_leader", 0.2),
    ("teacher", -0.1),
    ("district", 0.5),
    ("state", 0.3),
    ("board", 0.0),
    ("parent", -0.8),
    ("student", -1.1),
)
# ... shifted by zone for teachers and teacher teams: more say in curriculum than in hiring.
TEACHER_ZONE_SHIFT: dict[str, float] = {
    "curriculum": 0.5,
    "standards": 0.3,
    "pd_content": 0.3,
    "discipline": 0.1,
    "budget": -0.5,
    "hiring": -0.7,
    "evaluation": -0.9,
}

# Relations of each stakeholder's influence to the principal's (Ni, Yan & Pounder 2018:
# teachers and the district supportive, the state inhibiting).
RELATION_BETAS: tuple[tuple[str, float], ...] = (
    ("teacher", 0.30),
    ("district", 0.25),
    ("state", -0.30),
)
RELATION_OUTCOME = "principal"

#: Share of the variance of perceived influence that lies between schools.
INFLUENCE_ICC = 0.2

# School context: items with these ids are school attributes, drawn once per school.
SCHOOL_ATTRIBUTES = ("school_level", "locale", "enrolment", "pct_frpl")

SCHOOL_NAMES = (
    "Alder",
    "Birch",
    "Cedar",
    "Dogwood",
    "Elm",
    "Fir",
    "Ginkgo",
    "Hawthorn",
    "Ironwood",
    "Juniper",
    "Kapok",
    "Linden",
    "Magnolia",
    "Nutmeg",
    "Oak",
    "Pine",
    "Quince",
    "Rowan",
    "Spruce",
    "Tamarack",
    "Umbrella Pine",
    "Vine Maple",
    "Willow",
    "Yew",
)


def keyword_value(ident: str, table: tuple[tuple[str, float], ...], default: float = 0.0) -> float:
    """The value of the first keyword contained in ``ident`` (order matters in ``table``)."""
    for word, value in table:
        if word in ident:
            return value
    return default
