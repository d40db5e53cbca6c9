"""brinkmanship: a lab for analysing coercive-diplomacy and deterrence strategies.

Importing the package is cheap: submodules are loaded only when used.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
