"""Dated parameters: legal thresholds kept as data, each version with its dates and source."""

from onestop.parameters.store import ParameterVersion, in_force, versions

__all__ = ["ParameterVersion", "in_force", "versions"]
