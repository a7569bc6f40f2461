"""Dated, cited policy parameters (OpenFisca style), one YAML file per region code or named policy.

The loader lives in :mod:`jiuzhu.rules.params.loader`; the YAML files sit next to it.
"""

from .loader import (
    PARAMS_DIR,
    DatedValue,
    ParamFileError,
    Policy,
    available_policies,
    load_policy,
)

__all__ = ["PARAMS_DIR", "DatedValue", "ParamFileError", "Policy", "available_policies", "load_policy"]
