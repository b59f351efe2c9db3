"""Fits the rational erf used by Gelu's float forward pass: erf(x) ~ x*P(x^2)/Q(x^2) on [0, 3.92],
P of degree 6 and Q of degree 4 in x^2 (Q's constant term 1), by iteratively reweighted linear least
squares on the linearised residual x*P - erf*Q (Lawson's scheme towards the minimax fit). Prints
the coefficients and the largest error in exact and in float32 arithmetic.

Run with any Python that has numpy and scipy: python3 docs/erf_rational_fit.py
"""
import numpy as np
from scipy.special import erf

CLAMP = 3.92          # erf(3.92) = 1 - 3e-8: beyond it float's erf is +-1 within rounding
P_TERMS, Q_TERMS = 7, 4


def fit(iterations=60):
    x = np.unique(np.concatenate([CLAMP * (1 - np.cos(np.linspace(0, np.pi / 2, 4000))), np.linspace(0, CLAMP, 4000)]))
    t = x * x
    y = erf(x)
    a = np.hstack([np.stack([x * t ** k for k in range(P_TERMS)], 1),
                   np.stack([-y * t ** k for k in range(1, Q_TERMS + 1)], 1)])
    w = np.ones_like(x)
    best = None
    for _ in range(iterations):
        c, *_ = np.linalg.lstsq(a * w[:, None], y * w, rcond=None)
        p, q = c[:P_TERMS], np.concatenate([[1.0], c[P_TERMS:]])
        err = np.abs(x * np.polyval(p[::-1], t) / np.polyval(q[::-1], t) - y)
        if best is None or err.max() < best[0]:
            best = (err.max(), p, q)
        w = w * np.sqrt(err / err.max() + 1e-3)
        w /= w.max()
    return best


def float32_error(p, q):
    x = np.linspace(0, CLAMP, 200001).astype(np.float32)
    t = x * x
    pv = np.float32(p[-1])
    for k in range(len(p) - 2, -1, -1):
        pv = pv * t + np.float32(p[k])
    qv = np.float32(q[-1])
    for k in range(len(q) - 2, -1, -1):
        qv = qv * t + np.float32(q[k])
    return np.abs((x * pv / qv).astype(np.float64) - erf(x.astype(np.float64))).max()


if __name__ == "__main__":
    worst, p, q = fit()
    np.set_printoptions(precision=17)
    print("P:", repr(p))
    print("Q:", repr(q))
    print("max |error|: exact %.3g, float32 %.3g" % (worst, float32_error(p, q)))
