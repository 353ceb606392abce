"""Warning classes that sparsenn issues (filter them by class).

Examples
--------
>>> import warnings
>>> from sparsenn.exceptions import UnusedNeuronWarning
>>> warnings.filterwarnings("ignore", category=UnusedNeuronWarning)
"""

from ._warnings import UnusedNeuronWarning

__all__ = ["UnusedNeuronWarning"]
