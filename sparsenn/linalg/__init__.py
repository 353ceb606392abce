"""sparsenn.linalg"""
__all__ = []
