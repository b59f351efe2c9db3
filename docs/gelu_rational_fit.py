"""Fits the two rational functions of Gelu's float passes, each odd: f(x) ~ x*P(x^2)/Q(x^2) on
[0, clamp], Q's constant term 1, by iteratively reweighted linear least squares on the linearised
residual x*P - f*Q (Lawson's scheme towards the minimax fit):

- the forward pass's erf(x): P of degree 6 and Q of degree 4 in x^2, clamp 3.92 (erf(3.92) = 1 - 3e-8);
- the backward pass's g(h) = erf(h/sqrt(2)) + h*sqrt(2/pi)*exp(-h^2/2), so that the derivative of
  2*GELU(h) = h*(1 + erf(h/sqrt(2))) is 1 + g(h): P of degree 7 and Q of degree 7, clamp 5.9
  (1 - g(5.9) = 1.3e-7).

Prints each fit's coefficients and its largest error in exact arithmetic and evaluated in float32
with fused multiply-adds, as the Java code does.

Run with any Python that has numpy and scipy: python3 docs/gelu_rational_fit.py
"""
import numpy as np
from scipy.special import erf


def erf_target(x):
    return erf(x)


def derivative_target(x):
    return erf(x / np.sqrt(2)) + x * np.sqrt(2 / np.pi) * np.exp(-x * x / 2)


FITS = [  # name, function, clamp, terms of P, terms of Q after the constant 1
    ("erf", erf_target, 3.92, 7, 4),
    ("gelu derivative - 1", derivative_target, 5.9, 8, 7),
]


def fit(target, clamp, p_terms, q_terms, iterations=80):
    x = np.unique(np.concatenate([clamp * (1 - np.cos(np.linspace(0, np.pi / 2, 6000))), np.linspace(0, clamp, 6000)]))
    x = x[x > 0]
    scale = clamp * clamp   # fitted in s = x^2 / scale, which keeps the least-squares system well conditioned
    s = x * x / scale
    y = target(x)
    a = np.hstack([np.stack([x * s ** k for k in range(p_terms)], 1),
                   np.stack([-y * s ** k for k in range(1, q_terms + 1)], 1)])
    w = np.ones_like(x)
    best = None
    for _ in range(iterations):
        c, *_ = np.linalg.lstsq(a * w[:, None], y * w, rcond=None)
        p, q = c[:p_terms], np.concatenate([[1.0], c[p_terms:]])
        err = np.abs(x * np.polyval(p[::-1], s) / np.polyval(q[::-1], s) - y)
        if best is None or err.max() < best[0]:
            best = (err.max(), p, q)
        w = w * np.sqrt(err / err.max() + 1e-3)
        w /= w.max()
    worst, p, q = best
    return worst, p / scale ** np.arange(p_terms), q / scale ** np.arange(q_terms + 1)   # coefficients in x^2


def float32_error(target, clamp, p, q):
    """Largest error over [-1.2 clamp, 1.2 clamp] of clamp(x)*P/Q with each multiply-add rounded once to float32."""
    x = np.linspace(-1.2 * clamp, 1.2 * clamp, 400001).astype(np.float32)
    c = np.clip(x, np.float32(-clamp), np.float32(clamp)).astype(np.float64)
    t = (c * c).astype(np.float32).astype(np.float64)

    def horner(coefficients):
        f32 = [float(np.float32(v)) for v in coefficients]
        value = np.full_like(t, f32[-1])
        for k in range(len(f32) - 2, -1, -1):
            value = (value * t + f32[k]).astype(np.float32).astype(np.float64)
        return value

    ratio = (horner(p) / horner(q)).astype(np.float32).astype(np.float64)
    exact = target(x.astype(np.float64))
    return np.abs((c * ratio).astype(np.float32).astype(np.float64) - exact).max()


if __name__ == "__main__":
    np.set_printoptions(precision=17)
    for name, target, clamp, p_terms, q_terms in FITS:
        worst, p, q = fit(target, clamp, p_terms, q_terms)
        print("%s on [0, %g]" % (name, clamp))
        print("P:", repr(p))
        print("Q:", repr(q))
        print("max |error|: exact %.3g, float32 %.3g" % (worst, float32_error(target, clamp, p, q)))
