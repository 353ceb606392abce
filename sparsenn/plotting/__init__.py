"""Pictures: patterns, score against density, training, Morse frames, saturation.

Needs matplotlib (the ``plot`` extra: ``pip install "sparsenn[plot]"``). Importing
this module works without it; every function raises an ``ImportError`` naming the
extra when matplotlib is missing. Nothing here selects a backend.
"""

from ._curves import DensityCurveDisplay
from ._fixedpoint import plot_saturation, saturation_rates
from ._history import plot_training_history
from ._morse import plot_morse_frames
from ._patterns import plot_clock_order, plot_connection_pattern

__all__ = [
    "DensityCurveDisplay",
    "plot_clock_order",
    "plot_connection_pattern",
    "plot_morse_frames",
    "plot_saturation",
    "plot_training_history",
    "saturation_rates",
]
