"""sparsenn.datasets"""
__all__ = []
