"""Exact and floating numbers for game data: parse Gambit number text, format it back losslessly."""

from __future__ import annotations

from fractions import Fraction

Number = int | float | Fraction


def to_fraction(value: Number | str) -> Fraction:
    """Exact value of an int, Fraction, decimal/rational string or float (a float means its printed decimal)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return Fraction(value.strip())
    if isinstance(value, bool):
        raise TypeError("a payoff cannot be a boolean")
    if isinstance(value, int):
        return Fraction(value)
    return decimal_fraction(float(value))


def decimal_fraction(x: float) -> Fraction:
    """The decimal number a float prints as (0.1 -> 1/10): what a user who typed 0.1 meant."""
    return Fraction(repr(float(x)))


def format_number(value: Number) -> str:
    """Gambit-style text: integers plain, rationals as p/q, floats in shortest round-trip decimal."""
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if isinstance(value, int):
        return str(value)
    x = float(value)
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    text = repr(x)
    if "e" in text or "inf" in text or "nan" in text:
        if x != x or x in (float("inf"), float("-inf")):
            raise ValueError("payoffs must be finite")
        return format_number(Fraction(x))
    return text
