"""exp and log from additions, multiplications, divisions and exact scalings only, the same in NumPy and Numba.

NumPy's own exp and log are vectorised approximations whose last bit can differ from the C library's that
compiled code calls; both simulators compute the model's exponentials and logarithms here, in the same
order of IEEE operations (each correctly rounded), so the fused kernel and the NumPy reference agree to
the bit. Accuracy: within a few units in the last place (tests compare with the C library).
`exp_scalar` and `log_scalar` are the one-number versions the kernel compiles; the array versions below
repeat their operations on arrays.
"""

from __future__ import annotations

import math

import numpy as np

TWO = 2.0  # doubling a mantissa; ln m = 2 atanh(s)
LN2 = math.log(TWO)
# Cody and Waite's split of ln 2 (fdlibm): LN2_HI has trailing zero bits, so k * LN2_HI is exact
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
HALF = 0.5  # rounds x / ln 2 to the nearest integer
TWO_I = 2  # the Horner loops start at the second-highest coefficient
TABLE_BITS = 5  # exp reduces x by multiples of ln 2 / 32 and reads 2^(j/32) from a table
TABLE_SIZE = 1 << TABLE_BITS
EXP_TABLE = np.array([math.exp(j * LN2 / TABLE_SIZE) for j in range(TABLE_SIZE)])  # the same table for both
EXP_TERMS = 7  # Taylor terms of exp on |r| <= ln(2) / 64: the next term is below 2^-57
EXP_COEF = tuple(1.0 / math.factorial(j) for j in range(EXP_TERMS))
LOG_TERMS = 12  # odd-power terms of 2 atanh(s) for |s| <= 0.172: the next is below 2^-60
LOG_COEF = tuple(1.0 / (TWO * j + 1) for j in range(LOG_TERMS))
SQRT_HALF = math.sqrt(HALF)  # log's mantissa is brought into [sqrt(1/2), sqrt(2))
SCALE = TABLE_SIZE / LN2
STEP_HI = LN2_HI / TABLE_SIZE  # exact: a power-of-two division
STEP_LO = LN2_LO / TABLE_SIZE
MIN_EXP, MAX_EXP = -1022, 1023  # exponents of normal floats: 2^m is exact, so scaling by it is exact
POW2 = np.ldexp(1.0, np.arange(MIN_EXP, MAX_EXP + 1))


def exp_scalar(x: float) -> float:
    """e^x for one float: x = (32 m + j) ln 2 / 32 + r, a Taylor polynomial of r in Horner form, times the
    table's 2^(j/32), times 2^m (exact for normal results; m is clamped to the normal exponents)."""
    k = math.floor(x * SCALE + HALF)
    r = (x - k * STEP_HI) - k * STEP_LO
    p = EXP_COEF[EXP_TERMS - 1]
    for j in range(EXP_TERMS - TWO_I, -1, -1):
        p = p * r + EXP_COEF[j]
    j = int(k) & (TABLE_SIZE - 1)
    m = min(max((int(k) - j) >> TABLE_BITS, MIN_EXP), MAX_EXP)
    return (EXP_TABLE[j] * p) * POW2[m - MIN_EXP]


def log_scalar(x: float) -> float:
    """ln x for one positive float: x = m 2^e with m near 1, ln m = 2 atanh((m - 1) / (m + 1)) as a series."""
    m, e = math.frexp(x)
    if m < SQRT_HALF:
        m = m * TWO
        e = e - 1
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = LOG_COEF[LOG_TERMS - 1]
    for j in range(LOG_TERMS - TWO_I, -1, -1):
        p = p * s2 + LOG_COEF[j]
    return (e * LN2_HI + TWO * s * p) + e * LN2_LO


def exp(x: np.ndarray) -> np.ndarray:
    """`exp_scalar` on an array (the same operations, element by element, in place where possible)."""
    x = np.asarray(x, dtype=float)
    shape = x.shape
    x = x.reshape(-1)
    k = x * SCALE
    k += HALF
    np.floor(k, out=k)
    r = x - k * STEP_HI
    r -= k * STEP_LO
    p = r * EXP_COEF[EXP_TERMS - 1]
    p += EXP_COEF[EXP_TERMS - TWO_I]
    for j in range(EXP_TERMS - TWO_I - 1, -1, -1):
        p *= r
        p += EXP_COEF[j]
    ki = k.astype(np.int64)
    j = ki & (TABLE_SIZE - 1)
    ki -= j
    ki >>= TABLE_BITS
    np.clip(ki, MIN_EXP, MAX_EXP, out=ki)
    ki -= MIN_EXP
    p *= EXP_TABLE[j]
    p *= POW2[ki]
    return p.reshape(shape)


def log(x: np.ndarray) -> np.ndarray:
    """`log_scalar` on an array of positive floats."""
    m, e = np.frexp(np.asarray(x, dtype=float))
    low = m < SQRT_HALF
    m = np.where(low, m * TWO, m)
    e = (e - low).astype(np.float64)
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = np.full(s.shape, LOG_COEF[LOG_TERMS - 1])
    for j in range(LOG_TERMS - TWO_I, -1, -1):
        p = p * s2 + LOG_COEF[j]
    return (e * LN2_HI + TWO * s * p) + e * LN2_LO
