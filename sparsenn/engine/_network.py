"""Forward and backward passes as free functions over a list of weight objects.

A network is ``weights`` (one :class:`~sparsenn.layers.WeightMatrix` per
junction), ``biases`` (one 1-D array per junction), the name of the hidden
activation and the name of the output layer (a key of
:data:`~sparsenn.engine._outputs.OUTPUTS`: ``"softmax"`` by default,
``"logistic"``, ``"identity"`` or ``"exp"``).  Nothing here knows the weight
types: it only calls ``forward``, ``backward`` and ``grad``.
"""

import numpy as np

from .._warnings import warn
from ._activations import ACTIVATIONS, DERIVATIVES
from ._outputs import OUTPUTS

__all__ = ["forward", "predict_proba", "loss_and_grads"]


def forward(
    weights, biases, X, activation, training=False, output="softmax", quantizer=None
):
    """Return the activations of every layer, input first, the output last.

    Parameters
    ----------
    weights : list of WeightMatrix
    biases : list of ndarray of shape (n_out,)
    X : ndarray of shape (n_samples, n_in)
    activation : str
        Key of ``ACTIVATIONS`` for the hidden layers.
    training : bool, default=False
        Call each weight's ``forward_train`` and also return the contexts it
        gives back, for ``grad_and_backward``.
    output : {"softmax", "logistic", "identity", "exp"} or None, default="softmax"
        Output layer; None applies the hidden activation to the last layer
        too (a stack of hidden layers, as the pseudo-inverse model's).
    quantizer : Quantizer or None, default=None
        Quantisation-aware pass (:class:`~sparsenn.engine._quantize.Quantizer`):
        inputs, weights, biases, pre-activations and activations on its grid.

    Returns
    -------
    activations : list of ndarray
        ``activations[0] is X``; ``activations[-1]`` has shape
        (n_samples, n_outputs) (softmax: rows summing to one).
    contexts : list
        Only when ``training``: one ``ctx`` per junction.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.layers import DenseWeights
    >>> A = forward([DenseWeights(np.zeros((2, 3)))], [np.zeros(3)], np.ones((1, 2)),
    ...             "relu")
    >>> A[-1].round(3)
    array([[0.333, 0.333, 0.333]])
    """
    if quantizer is not None:
        weights, biases = quantizer.parameters(weights, biases)
    return _layers(weights, biases, X, activation, training, output, quantizer)


def _layers(weights, biases, X, activation, training, output, quantizer):
    """Return :func:`forward`, with the weights and biases used as given."""
    hidden = ACTIVATIONS[activation]
    out = hidden if output is None else OUTPUTS[output].activation
    if quantizer is not None:
        X = quantizer.inputs(X)
    activations, contexts = [X], []
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        if training:
            Z, ctx = w.forward_train(activations[-1])
            contexts.append(ctx)
        else:
            Z = w.forward(activations[-1])
        Z += b
        if quantizer is not None:
            name, fn = (output, out) if i == last else (activation, hidden)
            activations.append(quantizer.activation(name, quantizer.round(Z), fn))
        else:
            activations.append(out(Z) if i == last else hidden(Z))
    return (activations, contexts) if training else activations


def predict_proba(
    weights, biases, X, activation, chunk_size=4096, output="softmax", quantizer=None
):
    """Return the network output (class probabilities), computed in chunks.

    Chunks keep the memory bounded.

    Parameters
    ----------
    weights, biases, activation, output, quantizer : see :func:`forward`
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_in)
    chunk_size : int

    Returns
    -------
    P : ndarray of shape (n_samples, n_outputs)
    """
    chunks, saturated, with_nan = [], 0, 0
    for start in range(0, X.shape[0], chunk_size):
        Xc = _dense_rows(X, slice(start, start + chunk_size))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            P = forward(
                weights, biases, Xc, activation, output=output, quantizer=quantizer
            )
        P = P[-1]
        bad = None if quantizer is not None else ~np.isfinite(P).all(axis=1)
        if bad is not None and bad.any():
            P[bad] = _finite_forward(weights, biases, Xc[bad], activation, output)
            saturated += int(bad.sum())
            with_nan += int(np.isnan(Xc[bad]).any(axis=1).sum())
        chunks.append(P)
    warn_saturated(saturated, X.shape[0], with_nan)
    n_out = weights[-1].shape[1]
    dtype = biases[-1].dtype
    return np.concatenate(chunks) if chunks else np.empty((0, n_out), dtype)


def loss_and_grads(
    weights,
    biases,
    X,
    y,
    activation,
    alpha,
    sample_weight,
    output="softmax",
    quantizer=None,
):
    """Return the loss and gradients of one minibatch.

    The objective is ``sum(w_i * loss_i) / sum(w) + alpha * ||W||^2 /
    (2 * sum(w))`` as in scikit-learn's MLPs, ``loss_i`` the output's loss
    (cross-entropy, binary cross-entropy, half the squared error or half the
    Poisson deviance).

    Parameters
    ----------
    weights, biases, activation : see :func:`forward`
    X : ndarray of shape (n_samples, n_in)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Integer class codes for ``"softmax"``; a 0/1 indicator matrix for
        ``"logistic"``; the targets for ``"identity"`` and ``"exp"``.
    alpha : float
        L2 penalty on the weights (not on the biases).
    sample_weight : ndarray of shape (n_samples,)
    output : {"softmax", "logistic", "identity", "exp"}, default="softmax"
    quantizer : Quantizer or None, default=None
        Quantisation-aware training: the forward pass and back-propagation run
        on the quantised values, the gradients are straight-through (rounding
        taken as the identity) and those that would push a saturated
        parameter further out are zeroed; the penalty uses the float weights.

    Returns
    -------
    loss : float
    weight_grads : list of ndarray
        Aligned with each ``weights[i].params``.
    bias_grads : list of ndarray
        Aligned with ``biases``.
    """
    floats, float_biases = weights, biases
    if quantizer is not None:
        weights, biases = quantizer.parameters(weights, biases)
    activations, contexts = _layers(
        weights, biases, X, activation, True, output, quantizer
    )
    P, spec = activations[-1], OUTPUTS[output]
    total = float(sample_weight.sum())
    loss = spec.loss(P, y, sample_weight)
    if alpha:
        loss += 0.5 * alpha * sum(float(w.params @ w.params) for w in floats) / total
    delta = spec.error(P, y)  # P - Y in place, scaled per sample below
    delta *= (sample_weight / total).astype(P.dtype, copy=False)[:, None]
    derivative = DERIVATIVES[activation]
    weight_grads, bias_grads = [None] * len(weights), [None] * len(weights)
    for i in range(len(weights) - 1, -1, -1):
        w = weights[i]
        bias_grads[i] = delta.sum(axis=0)
        if i:
            g, back = w.grad_and_backward(activations[i], delta, contexts[i])
            delta = derivative(activations[i], back)
        else:
            g = w.grad(activations[i], delta)
        if alpha:
            g += (alpha / total) * floats[i].params
        weight_grads[i] = g
    if quantizer is not None:
        quantizer.mask_gradients([w.params for w in floats], weight_grads)
        quantizer.mask_gradients(float_biases, bias_grads)
    return loss, weight_grads, bias_grads


def warn_saturated(n_saturated, n_rows, n_nan=0):
    """Warn, at the user's line, that ``n_saturated`` rows were computed saturated.

    Nothing is said when ``n_saturated`` is 0.  ``n_nan`` of those rows hold NaN
    in X, which reaches the network only when scikit-learn's check of X is off
    (``sklearn.set_config(assume_finite=True)``): the warning names them instead
    of blaming an overflow.
    """
    if not n_saturated:
        return
    message = ""
    if n_nan:
        message = (
            f"{n_nan} of the {n_rows} rows of X hold NaN (not checked: "
            "assume_finite=True); their outputs are placeholders (the NaN were "
            "replaced by 0 in the computation). Impute or drop those rows, for "
            "example with SimpleImputer. "
        )
    n_overflowed = n_saturated - n_nan
    if n_overflowed:
        message += (
            f"{n_overflowed} of the {n_rows} rows of X overflowed the network's "
            "float arithmetic (inputs or weights too large); their outputs were "
            "computed in saturating arithmetic (every value clipped to the largest "
            "finite float). Scale the inputs, for example with StandardScaler."
        )
    warn(message.rstrip(), RuntimeWarning)


def _finite_forward(weights, biases, X, activation, output="softmax"):
    """Probabilities through saturating arithmetic: inf and NaN never propagate.

    Used only for rows whose ordinary forward pass overflowed (finite but
    enormous inputs or parameters): every pre-activation is clipped to the
    largest finite value (NaN, from ``inf - inf``, becomes 0), so the softmax
    sees finite logits and the rows stay probability vectors.
    """
    hidden = ACTIVATIONS[activation]
    big = np.finfo(biases[-1].dtype).max
    A = np.nan_to_num(np.asarray(X), nan=0.0, posinf=big, neginf=-big)
    last = len(weights) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            Z = np.array(w.forward(A), dtype=b.dtype) + b
            np.nan_to_num(Z, copy=False, nan=0.0, posinf=big, neginf=-big)
            A = OUTPUTS[output].activation(Z) if i == last else hidden(Z)
            np.nan_to_num(A, copy=False, nan=0.0, posinf=big, neginf=-big)
    return A


def _dense_rows(X, rows):
    """Rows of ``X`` as a dense array (sparse input is densified per chunk)."""
    part = X[rows]
    return part.toarray() if hasattr(part, "toarray") else part
