"""Fixed-pattern sparse kernels: SpMM, transposed SpMM and the sampled gradient."""

from ._kernels import sddmm, spmm

__all__ = ["spmm", "sddmm"]
