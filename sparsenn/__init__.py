"""sparsenn: neural networks whose weight matrices are cheap by structure."""

__version__ = "0.1.0"

__all__ = ["__version__"]
