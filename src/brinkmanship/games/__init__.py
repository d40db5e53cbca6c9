"""Formal games: normal and extensive form, exact solvers, Gambit interop, the classic deterrence games.

Import the submodules you need (`normal`, `extensive`, `builder`, `gambit_io`, `solvers`, `library`,
`repeated`, `chainstore`); nothing heavy happens at package import.
"""
