"""Offset-tridiagonal matrices: products, solves, determinants, inverses, lstsq."""

from ._tridiagonal import OffsetTridiagonal

__all__ = ["OffsetTridiagonal"]
