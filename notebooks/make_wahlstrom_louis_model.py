"""Write notebooks/wahlstrom_louis_model.ipynb with its outputs.

    python notebooks/make_wahlstrom_louis_model.py

The notebook is kept as this script so that its cells are reviewed as code; running the script
runs the notebook (in a temporary folder) and writes it with its outputs. The test suite checks
that the committed notebook is this script's, with the outputs of the current code
(tests/test_notebooks.py), and its estimates against the truth (tests/test_relate_notebook.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_tools

CELLS = [
    (
        "md",
        """# Leadership, trust and professional community: the two-level analysis

Wahlstrom & Louis (2008) related 4,165 teachers' reports of shared leadership, trust in the
principal and professional community to their instructional practice with stepwise OLS;
Louis, Dretzke & Wahlstrom (2010) modelled leadership and trust feeding professional
community, which feeds focused instruction, as a path model on school-aggregated data.
Teachers are nested in schools, so this notebook does the analysis at two levels, on a
simulated district whose population values are known, and puts **the truth beside every
estimate**:

1. correlations between and within schools,
2. hierarchical OLS with errors clustered by school (blocks in Wahlstrom & Louis's order),
3. a multilevel model,
4. the path model with direct, indirect and total effects and cluster-bootstrap intervals.

`colead.simulate` draws latent scores `sqrt(icc) B_school + sqrt(1 - icc) W` with B and W from
the same standardized path model, so the truth is the same at both levels. Every analysis is
run twice: on the **scale scores** a survey gives (items carry measurement error, which
attenuates every relation) and on the simulation's **latent scores** (no measurement error),
where the estimates should sit on the truth.""",
    ),
    (
        "code",
        """%matplotlib inline
import numpy as np
import pandas as pd

import colead as cl

pd.set_option("display.precision", 3)
pd.set_option("display.width", 120)

sim = cl.simulate("colead-teacher", n_schools=80, respondents=(4, 30), icc=0.2,
                  loadings=(0.75, 0.9), seed=2008)
truth = sim.population
print(truth.summary())""",
    ),
    (
        "md",
        """Scale scores (with `years_experience` from the survey) and the latent scores, both
with the school of every teacher.""",
    ),
    (
        "code",
        """scores = cl.score(sim).assign(years_experience=sim.data["years_experience"])
latent = truth.latent.reset_index(drop=True).assign(school_id=sim.data["school_id"].to_numpy())
reliability = cl.reliability(sim, omega_total=False).set_index("scale")
print(f"{len(scores):,} teachers in {scores.school_id.nunique()} schools")
reliability[["k", "alpha"]].T""",
    ),
    (
        "md",
        """The true standardized paths, and the helpers that put the truth beside an estimate:
the path matrix `B` (`B[y, x]` the path x -> y) and the total effects `(I - B)^-1 - I`.""",
    ),
    (
        "code",
        """names = list(truth.correlation.index)
index = {v: i for i, v in enumerate(names)}
B = np.zeros((len(names), len(names)))
for row in truth.paths.itertuples():
    B[index[row.outcome], index[row.predictor]] = row.beta
TOTAL = np.linalg.inv(np.eye(len(names)) - B) - np.eye(len(names))
model = {}
for row in truth.paths.itertuples():
    model.setdefault(row.outcome, []).append(row.predictor)


def true_path(outcome, predictor):
    return B[index[outcome], index[predictor]]


def true_effect(row):
    y, x = index[row.outcome], index[row.predictor]
    if row.effect == "direct":
        return B[y, x]
    if row.effect == "total":
        return TOTAL[y, x]
    if row.path:
        route = row.path.split(" -> ")
        return np.prod([B[index[b], index[a]] for a, b in zip(route[:-1], route[1:])])
    return TOTAL[y, x] - B[y, x]


truth.paths""",
    ),
    (
        "md",
        """## 1. Correlations between and within schools

School-level correlations use suppressed school means only (`cl.aggregate`, schools under
`min_n = 5` left out); within-school correlations use deviations from school means. The latent
correlation matrix holds at both levels. Scale-score correlations are attenuated by
measurement error; the disattenuated ones (alpha) should be close to the truth.""",
    ),
    (
        "code",
        """SCALES = ["shared_leadership", "instructional_leadership", "trust_principal",
          "collective_responsibility", "shared_focus", "focused_instruction"]
pairs = cl.correlate(scores, columns=SCALES, level=["school", "within"],
                     disattenuate=reliability["alpha"].to_dict())
pairs_latent = cl.correlate(latent, columns=SCALES, level=["school", "within"])
correlations = pairs[["level", "x", "y", "n", "r", "r_disattenuated"]].assign(
    r_latent=pairs_latent["r"].to_numpy(),
    truth=[truth.correlation.loc[x, y] for x, y in zip(pairs["x"], pairs["y"])],
)
correlations.head(8)""",
    ),
    (
        "code",
        """summary = correlations.groupby("level")[["r", "r_disattenuated", "r_latent"]].apply(
    lambda t: (t.sub(correlations.loc[t.index, "truth"], axis=0)).abs().mean())
summary.round(3)  # mean absolute distance from the truth""",
    ),
    (
        "code",
        """ax = cl.plots.plot_relations(
    pairs, title="Scale scores: between (above) and within (below) schools")""",
    ),
    (
        "md",
        """## 2. Hierarchical OLS with errors clustered by school

Wahlstrom & Louis's order of entry: teacher characteristics, trust, shared leadership,
professional community. (They used stepwise selection; colead does not offer it, because
selecting predictors by their p-values on the same data biases the kept coefficients and
makes their tests too optimistic. Blocks in an order fixed in advance answer the same
question honestly.) Errors are CR1 cluster-robust by school, with t tests on G - 1 df.

In this population focused instruction depends on the four elements of professional
community only; trust and shared leadership act through them, so their true coefficients in
the full model are 0, as are those of years of experience.""",
    ),
    (
        "code",
        """BLOCKS = {
    "teacher": ["years_experience"],
    "trust": ["trust_principal"],
    "shared_leadership": ["shared_leadership"],
    "professional_community": ["reflective_dialogue", "deprivatized_practice", "shared_focus",
                               "collective_efficacy"],
}
formula = "focused_instruction ~ " + " + ".join(t for terms in BLOCKS.values() for t in terms)
hierarchical = cl.regress(formula, scores, cluster="school_id", blocks=BLOCKS)
hierarchical.blocks[["block", "r2", "r2_change", "f_change", "p_value", "wald_f",
                     "wald_p_value"]]""",
    ),
    (
        "md",
        """Trust loses its importance once professional community enters, as Wahlstrom &
Louis found (standardized coefficients at each step):""",
    ),
    (
        "code",
        """pd.DataFrame({
    name: step.coefficients.set_index("term")["std_estimate"]
    for name, step in zip(BLOCKS, hierarchical.steps)
}).loc[["trust_principal", "shared_leadership"]]""",
    ),
    (
        "code",
        """latent_fit = cl.regress(formula.replace("years_experience + ", ""), latent,
                        cluster="school_id")
ols = hierarchical.coefficients.set_index("term").drop(index=["Intercept", "years_experience"])
ols = ols[["std_estimate", "ci_low", "ci_high", "p_value"]].rename(
    columns={"std_estimate": "std_estimate_scores"})
ols["estimate_latent"] = latent_fit.coefficients.set_index("term")["estimate"]
ols["se_latent"] = latent_fit.coefficients.set_index("term")["se"]
ols["truth"] = [true_path("focused_instruction", t) for t in ols.index]
ols""",
    ),
    (
        "md",
        """## 3. A multilevel model

Random intercepts for schools, the elements of professional community as predictors
(REML, statsmodels MixedLM, checked against lme4). With the latent scores the truth is
known: the fixed effects are the paths, the intercept variance is `icc (1 - R2)` and the
residual variance `(1 - icc)(1 - R2)`; the null model's ICC is the simulation's.""",
    ),
    (
        "code",
        """PC = BLOCKS["professional_community"]
ml_formula = "focused_instruction ~ " + " + ".join(PC)
ml_scores = cl.multilevel(ml_formula, scores, group="school_id")
ml_latent = cl.multilevel(ml_formula, latent, group="school_id")
beta = np.array([true_path("focused_instruction", p) for p in PC])
R = truth.correlation.loc[PC, PC].to_numpy()
r2 = beta @ R @ beta
icc = truth.icc["focused_instruction"]
fixed = ml_latent.coefficients.set_index("term").loc[PC, ["estimate", "se"]]
fixed["std_estimate_scores"] = ml_scores.coefficients.set_index("term").loc[PC, "std_estimate"]
fixed["truth"] = beta
fixed""",
    ),
    (
        "md",
        """Variance components and the variance explained at each level. The predictors
explain the same share, R2, within and between schools; the between-school share rests on
80 schools and two estimated intercept variances, so it is noisy (it can even be negative).""",
    ),
    (
        "code",
        """components = pd.DataFrame({
    "latent": ml_latent.fit[["tau00", "sigma2", "icc_null", "r2_within", "r2_between"]],
    "truth": [icc * (1 - r2), (1 - icc) * (1 - r2), icc, r2, r2],
}).astype(float)
components""",
    ),
    (
        "md",
        """## 4. The path model

Leadership and trust -> professional community -> focused instruction.

The model is the simulation's (Louis, Dretzke & Wahlstrom's structure, with professional
community in four elements). Teachers are nested in schools, so the bootstrap resamples
schools with all their teachers (1,000 replicates, solved without refitting anything), and
the coefficients' standard errors are cluster-robust.""",
    ),
    (
        "code",
        """path_latent = cl.path(model, latent, group="school_id", n_boot=1000, seed=1)
path_scores = cl.path(model, scores, group="school_id", n_boot=1000, seed=1)
print(path_latent.fit[["n", "groups", "chisq", "df", "cfi", "rmsea", "srmr"]].to_string())
paths = path_latent.coefficients[["outcome", "term", "estimate", "ci_low", "ci_high"]].copy()
paths["std_estimate_scores"] = path_scores.coefficients["std_estimate"].to_numpy()
paths["truth"] = [true_path(y, x) for y, x in zip(paths["outcome"], paths["term"])]
paths""",
    ),
    (
        "md",
        """Effects of leadership and trust on focused instruction: direct, through professional
community (indirect), and total, with percentile cluster-bootstrap intervals.""",
    ),
    (
        "code",
        """LEADERS = ["shared_leadership", "instructional_leadership", "trust_principal",
           "trust_colleagues"]
effects = path_latent.effects
effects = effects[(effects["outcome"] == "focused_instruction")
                  & effects["predictor"].isin(LEADERS)
                  & effects["effect"].isin(["indirect", "total"])].copy()
effects["truth"] = [true_effect(r) for r in effects.itertuples()]
scored = path_scores.effects.set_index(["outcome", "predictor", "effect", "path"])
effects["std_estimate_scores"] = [
    scored.loc[(r.outcome, r.predictor, r.effect, r.path), "std_estimate"]
    for r in effects.itertuples()
]
effects[["predictor", "effect", "estimate", "se", "ci_low", "ci_high", "std_estimate_scores",
         "truth"]]""",
    ),
    ("code", """ax = path_latent.plot(title="Effects on focused instruction (latent scores)")"""),
    (
        "md",
        """### At the school level, as Louis, Dretzke & Wahlstrom (2010)

The same model on school means (suppressed aggregates: schools with fewer than 5 teachers are
excluded). School means follow the same standardized paths, but there are only as many
observations as schools, so the intervals are wide; the bootstrap resamples schools.""",
    ),
    (
        "code",
        """school_fit = cl.path(model, latent, level="school", group="school_id", n_boot=1000,
                     seed=2)
school = school_fit.effects
school = school[(school["outcome"] == "focused_instruction")
                & school["predictor"].isin(LEADERS) & (school["effect"] == "total")].copy()
school["truth"] = [true_effect(r) for r in school.itertuples()]
print(f"{school_fit.fit['n']} schools ({school_fit.fit['schools_excluded']} excluded)")
school[["predictor", "estimate", "ci_low", "ci_high", "truth"]]""",
    ),
    (
        "md",
        """## What to take away

* On latent scores every estimate sits on the truth within its interval: the estimators are
  right. On scale scores the standardized estimates are smaller (attenuation); disattenuated
  correlations recover the truth.
* Clustering matters: the cluster-robust and cluster-bootstrap intervals are the honest ones
  when teachers share a school.
* Trust in the principal and shared leadership matter for instruction through professional
  community, which is what Wahlstrom & Louis and Louis, Dretzke & Wahlstrom reported.""",
    ),
]


def build():
    return notebook_tools.build(CELLS)


if __name__ == "__main__":
    notebook_tools.make(CELLS, Path(__file__).with_name("wahlstrom_louis_model.ipynb"))
