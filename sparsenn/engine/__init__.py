"""The training engine: activations, losses, initialisation, optimizers, passes, loop.

Nothing here knows an estimator: every function takes the network (weight
objects, biases, activation names) and the data as arguments.
"""

from ._activations import ACTIVATIONS, DERIVATIVES, log_loss, softmax
from ._init import glorot_bound, init_bias
from ._lbfgs import fit_lbfgs
from ._loop import epoch_callbacks
from ._network import forward, loss_and_grads, predict_proba
from ._optimizers import OPTIMIZERS, AdamOptimizer, SGDOptimizer
from ._outputs import OUTPUTS

__all__ = [
    "ACTIVATIONS",
    "DERIVATIVES",
    "OPTIMIZERS",
    "OUTPUTS",
    "AdamOptimizer",
    "SGDOptimizer",
    "fit_lbfgs",
    "epoch_callbacks",
    "forward",
    "glorot_bound",
    "init_bias",
    "log_loss",
    "loss_and_grads",
    "predict_proba",
    "softmax",
]
