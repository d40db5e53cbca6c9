"""Analysis of explorations: robustness (regret, satisficing), PRIM scenario discovery, Sobol/Morris sensitivity.

Plain functions on arrays; each module imports only numpy/scipy (SALib inside the sensitivity functions).
"""
