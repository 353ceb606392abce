"""Hierarchical (H-) matrices with low-rank blocks stored as factors per tree level."""

from ._hmatrix import HMatrix

__all__ = ["HMatrix"]
