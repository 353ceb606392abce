"""
Large and sparse against small and dense
========================================

At an equal number of stored weights, is it better to have many hidden neurons
sparsely connected or few densely connected? Each pair below stores about the
same number of parameters (``coefs_`` entries plus biases).
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import make_morse

# the fits below run a fixed, small number of epochs on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_morse(50, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)


def n_stored(clf):
    """Stored weights and biases of a fitted network."""
    weights = sum(W.nnz for W in clf.coefs_)
    return weights + sum(b.size for b in clf.intercepts_)


rows = []
for width, density in [(16, 1.0), (64, 0.25), (32, 1.0), (128, 0.25), (256, 0.125)]:
    clf = SparseMLPClassifier(
        (width,), density=density, learning_rate_init=0.01, max_iter=20, random_state=0
    ).fit(X_train, y_train)
    rows.append((width, density, n_stored(clf), clf.score(X_test, y_test)))
    print(f"width {width:3d} density {density:5.3f}: {rows[-1][2]:6d} stored, "
          f"accuracy {rows[-1][3]:.3f}")  # fmt: skip

# %%
# Accuracy against stored parameters: dense (circles) and sparse (squares).
fig, ax = plt.subplots()
for marker, dense in (("o", True), ("s", False)):
    pts = np.array([(n, acc) for _, d, n, acc in rows if (d == 1.0) == dense])
    ax.plot(pts[:, 0], pts[:, 1], marker, label="dense" if dense else "sparse")
for width, density, n, acc in rows:
    ax.annotate(f"{width}@{density:g}", (n, acc), textcoords="offset points",
                xytext=(4, 4))  # fmt: skip
ax.set_xlabel("stored parameters")
ax.set_ylabel("test accuracy")
ax.legend()
plt.show()
