"""Two-by-two classics: Chicken and the Prisoner's Dilemma (exact integer payoffs)."""

from __future__ import annotations

from brinkmanship.games.normal import NormalFormGame


def chicken(swerve_swerve: int = 3, swerve_dare: int = 2, dare_swerve: int = 4, crash: int = 1) -> NormalFormGame:
    """Chicken (ordinal 4-3-2-1): two pure equilibria (one swerves) and one mixed."""
    A = [[swerve_swerve, swerve_dare], [dare_swerve, crash]]
    B = [[swerve_swerve, dare_swerve], [swerve_dare, crash]]
    g = NormalFormGame.bimatrix(
        A, B, title="Chicken", players=["Row", "Column"], strategies=[["Swerve", "Dare"], ["Swerve", "Dare"]],
        source="Rapoport & Chammah (1966), 'The Game of Chicken', American Behavioral Scientist 10(3); "
        "ordinal payoffs as in Brams, Game Theory and Politics (1975)",
    )
    return g


def prisoners_dilemma(R: int = 3, S: int = 0, T: int = 5, P: int = 1) -> NormalFormGame:
    """Prisoner's Dilemma with Axelrod's payoffs (T > R > P > S): unique equilibrium, mutual defection."""
    if not (T > R > P > S):
        raise ValueError("a Prisoner's Dilemma needs T > R > P > S")
    A = [[R, S], [T, P]]
    B = [[R, T], [S, P]]
    return NormalFormGame.bimatrix(
        A, B, title="Prisoner's Dilemma", players=["Row", "Column"],
        strategies=[["Cooperate", "Defect"], ["Cooperate", "Defect"]],
        source="Flood & Dresher (RAND, 1950); payoffs R=3, S=0, T=5, P=1 from Axelrod, The Evolution of "
        "Cooperation (1984)",
    )
