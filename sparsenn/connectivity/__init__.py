"""sparsenn.connectivity"""
__all__ = []
