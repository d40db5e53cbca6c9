"""Equilibrium solvers; each returns a `SolveResult` whose equilibria have been verified."""
