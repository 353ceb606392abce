"""Morse frames, a few per class."""

import numpy as np

from ._mpl import axes_or_new

__all__ = ["plot_morse_frames"]


def _label_of(cls):
    """Codebook symbol of an integer class, else the class as a string."""
    from ..datasets import CODEBOOK

    if isinstance(cls, (int, np.integer)) and 0 <= cls < len(CODEBOOK):
        return f"{CODEBOOK[cls][0]} {CODEBOOK[cls][1]}"
    return str(cls)


def plot_morse_frames(X, y, *, classes=None, n_per_class=3, ax=None, cmap="magma"):
    """Draw ``n_per_class`` frames of each class as rows of one image.

    Parameters
    ----------
    X : array-like of shape (n_samples, frame_length)
        Frames (for example from :func:`~sparsenn.datasets.make_morse`).
    y : array-like of shape (n_samples,)
        Class of each frame.
    classes : sequence, optional
        Classes to draw, in order; by default the first eight classes present.
    n_per_class : int, default=3
        Frames per class (the first ones of that class in ``X``).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure when None.
    cmap : str, default="magma"
        Colour map of the intensities.

    Returns
    -------
    ax : matplotlib Axes
        One image of shape (len(classes) * n_per_class, frame_length); the
        y tick labels name each class (symbol and codeword for the 64 Morse
        classes of the published order).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sparsenn.datasets import make_morse
    >>> from sparsenn.plotting import plot_morse_frames
    >>> X, y = make_morse(4, random_state=0)
    >>> ax = plot_morse_frames(X, y, classes=[0, 1], n_per_class=2)
    >>> ax.images[0].get_array().shape
    (4, 64)
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(
            "X must be 2-D and y one label per row; got shapes "
            f"{X.shape} and {y.shape}."
        )
    if not isinstance(n_per_class, (int, np.integer)) or n_per_class < 1:
        raise ValueError(f"n_per_class={n_per_class!r} must be an int >= 1.")
    if classes is None:
        classes = np.unique(y)[:8]
    rows, ticks = [], []
    for cls in classes:
        members = np.flatnonzero(y == cls)[:n_per_class]
        if members.size == 0:
            raise ValueError(f"class {cls!r} has no frame in y.")
        ticks.append((len(rows) + (members.size - 1) / 2, _label_of(cls)))
        rows.extend(X[members])
    ax = axes_or_new(ax)
    ax.imshow(np.array(rows), cmap=cmap, aspect="auto", interpolation="nearest")
    ax.set_yticks([t for t, _ in ticks], [label for _, label in ticks])
    ax.set_xlabel("position in frame")
    ax.set_title(f"{n_per_class} frames per class")
    return ax
