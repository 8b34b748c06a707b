"""Write the input data sets of the ordinal R reference values.

Run from the repository root:

    python tests/reference/ordinal/make_data.py
    Rscript tests/reference/ordinal/ordinal.R

Writes, next to this file:

* ``bfi.csv``      psych's bfi: the 25 Big Five items (1..6) and ``gender`` (1 male, 2 female),
                   2,800 respondents with their missing answers (exported by Rscript)
* ``skewed.csv``   1,600 simulated respondents in two regions, 8 four-point items with skewed
                   thresholds, two correlated factors, 2% of answers missing at random
* ``empty.csv``    550 simulated respondents in two groups, 6 four-point items, one factor;
                   nobody in group ``small`` chose category 4 of ``e3``

The simulated sets are drawn here with numpy (seeded), not with colead, so that they do not
change when colead's simulator does.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def graded(
    rng: np.random.Generator, eta: np.ndarray, loadings: np.ndarray, thresholds: np.ndarray
) -> np.ndarray:
    """Answers 1..C of a normal-ogive graded model: y* = eta loadings + sqrt(1 - l^2) e."""
    noise = rng.standard_normal((len(eta), len(loadings)))
    ystar = eta * loadings + noise * np.sqrt(1.0 - loadings**2)
    return 1 + (ystar[:, :, None] > thresholds[None, :, :]).sum(axis=2)


def skewed(rng: np.random.Generator) -> pd.DataFrame:
    sizes = {"north": 900, "south": 700}
    lam = np.array([0.75, 0.65, 0.7, 0.55, 0.8, 0.6, 0.7, 0.5])
    factor = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    # Most answers in the two lowest categories (right-skewed), thresholds differ by item.
    base = np.array([-0.1, 0.7, 1.5])
    shift = np.array([0.0, -0.2, 0.3, 0.1, -0.1, 0.2, 0.0, 0.4])
    frames = []
    for g, (region, n) in enumerate(sizes.items()):
        mean = np.array([0.0, 0.0]) if g == 0 else np.array([0.3, -0.2])
        sd = np.array([1.0, 1.0]) if g == 0 else np.array([1.1, 0.9])
        corr = np.array([[1.0, 0.4], [0.4, 1.0]])
        eta = rng.multivariate_normal(mean, corr * np.outer(sd, sd), size=n)
        cuts = base[None, :] + shift[:, None]
        if g == 1:
            cuts[2] += 0.35  # item 3: higher thresholds in the south (not invariant)
        ans = np.column_stack(
            [graded(rng, eta[:, [f]], lam[[j]], cuts[[j]])[:, 0] for j, f in enumerate(factor)]
        ).astype(float)
        ans[rng.random(ans.shape) < 0.02] = np.nan
        frame = pd.DataFrame(ans, columns=[f"y{j + 1}" for j in range(8)])
        frame.insert(0, "region", region)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def empty(rng: np.random.Generator) -> pd.DataFrame:
    sizes = {"large": 400, "small": 150}
    lam = np.array([0.7, 0.6, 0.75, 0.65, 0.55, 0.7])
    cuts = np.tile(np.array([-0.8, 0.2, 1.1]), (6, 1))
    frames = []
    for group, n in sizes.items():
        eta = rng.standard_normal((n, 1))
        ans = graded(rng, eta, lam, cuts).astype(float)
        if group == "small":
            ans[ans[:, 2] == 4, 2] = 3  # nobody in the small group chose 4 on e3
        frame = pd.DataFrame(ans, columns=[f"e{j + 1}" for j in range(6)])
        frame.insert(0, "group", group)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    rng = np.random.default_rng(20250118)
    skewed(rng).to_csv(HERE / "skewed.csv", index=False, float_format="%.0f")
    empty(rng).to_csv(HERE / "empty.csv", index=False, float_format="%.0f")
    script = (
        "x <- psychTools::bfi[, c(1:25, 26)]; "
        f'write.csv(x, "{HERE / "bfi.csv"}", row.names = FALSE, na = "")'
    )
    subprocess.run(["Rscript", "-e", script], check=True)


if __name__ == "__main__":
    main()
