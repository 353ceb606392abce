"""
How redundant is the dataset? PCA before a sparse network
=========================================================

A Morse frame has 64 positions, but neighbouring positions are strongly
correlated. Projecting onto the first principal components inside a
:class:`~sklearn.pipeline.Pipeline` shows how many directions the classifier
needs: the accuracy stops improving long before 64 components.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import make_morse

# the fits below run a fixed, small number of epochs on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)


X, y = make_morse(50, random_state=0)
components = [4, 8, 16, 32, 64]
scores = []
for k in components:
    pipe = make_pipeline(
        PCA(n_components=k, random_state=0),
        StandardScaler(),
        SparseMLPClassifier(
            (128,), density=0.25, learning_rate_init=0.01, max_iter=20, random_state=0
        ),
    )
    scores.append(cross_val_score(pipe, X, y, cv=3))
    print(f"{k:2d} components: accuracy {scores[-1].mean():.3f}")

explained = np.cumsum(PCA().fit(X).explained_variance_ratio_)

# %%
# Accuracy (left) and the variance the components explain (right).
fig, ax = plt.subplots()
mean = np.mean(scores, axis=1)
ax.errorbar(components, mean, yerr=np.std(scores, axis=1), marker="o", label="accuracy")
ax.set_xscale("log", base=2)
ax.set_xlabel("PCA components")
ax.set_ylabel("cross-validated accuracy")
right = ax.twinx()
right.plot(np.arange(1, 65), explained, color="C1", label="explained variance")
right.set_ylabel("cumulative explained variance")
ax.set_title("Sparse network (density 0.25) after PCA")
plt.show()
