"""sparsenn.fixedpoint"""
__all__ = []
