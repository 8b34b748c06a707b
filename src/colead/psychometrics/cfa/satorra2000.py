"""The scaled-and-shifted chi-square difference test of nested WLSMV fits (lavaan's
``lavTestLRT(method = "satorra.2000", scaled.shifted = TRUE)``, its ``lav_test_diff_Satorra2000``
with ``A.method = "delta"``).

With D1, D0 the moment Jacobians of the less and the more constrained model (all groups
stacked), ``H = D1^+ D0`` and A a basis of the rows orthogonal to H's columns (the restrictions
of the nested model, linearised), ``Q = E1^-1 A' (A E1^-1 A')^+ A E1^-1``. Then
``tr1 = sum_g f_g tr(W_g Gamma_g W_g D1_g Q D1_g')`` and ``tr2 = tr((V D1 Q D1' V Gamma)^2)`` with
``V = bdiag(W_g)``, ``Gamma = bdiag(f_g Gamma_g)``; ``a = sqrt(m / tr2)``, ``b = m - a tr1`` and the
statistic is ``(T0 - T1) a + b`` on ``m = df0 - df1`` degrees of freedom. The result does not
depend on how either model's free parameters are numbered.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg, special


def difference(
    h1: dict[str, Any], h0: dict[str, Any], weights: np.ndarray, gamma: list[np.ndarray]
) -> dict[str, float]:
    """``h1``, ``h0``: the fits (``fit`` results) of the less and the more constrained model."""
    m = int(h0["df"] - h1["df"])
    t_diff = h0["chisq"] - h1["chisq"]
    nan = {
        "chisq_diff": np.nan,
        "df_diff": m,
        "p_value_diff": np.nan,
        "rmsea_diff": np.nan,
        "scale_diff": np.nan,
        "shift_diff": np.nan,
    }
    if m <= 0 or h1["e_inv"] is None:
        return {**nan, "chisq_diff": t_diff}
    frac = h1["frac"]
    d1 = np.concatenate(list(h1["jac"]), axis=0)
    d0 = np.concatenate(list(h0["jac"]), axis=0)
    h = np.linalg.pinv(d1) @ d0
    a = linalg.null_space(h.T).T  # rows a with a' h = 0
    p_inv = h1["e_inv"]
    apa = a @ p_inv @ a.T
    tiny = np.sqrt(np.finfo(float).eps)
    keep = ~((np.abs(apa.sum(axis=0)) < tiny) & (np.abs(apa.sum(axis=1)) < tiny))
    a = a[keep]
    q = p_inv @ a.T @ np.linalg.pinv(a @ p_inv @ a.T) @ a @ p_inv
    blocks = np.cumsum([0] + [j.shape[0] for j in h1["jac"]])
    tr1 = 0.0
    v = np.concatenate(list(weights))
    u = (v[:, None] * d1) @ q @ (d1.T * v[None, :])
    ug = np.empty_like(u)
    for g, gam in enumerate(gamma):
        s = slice(blocks[g], blocks[g + 1])
        wgw = weights[g][:, None] * gam * weights[g][None, :]
        dg = d1[s]
        tr1 += frac[g] * float(np.sum(wgw * (dg @ q @ dg.T)))
        ug[:, s] = u[:, s] @ (frac[g] * gam)
    tr2 = float(np.sum(ug * ug.T))
    scale = np.sqrt(m / tr2)
    shift = m - scale * tr1
    stat = t_diff * scale + shift
    return {
        "chisq_diff": float(stat),
        "df_diff": m,
        "p_value_diff": float(special.chdtrc(m, stat)),
        "rmsea_diff": np.nan,
        "scale_diff": float(scale),
        "shift_diff": float(shift),
    }
