"""
Loss and validation curves
==========================

Every gradient-trained estimator records ``loss_curve_``, the validation
scores of early stopping in ``validation_scores_`` and one dict per epoch in
``history_`` (loss, wall time, samples, validation score).
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import make_morse
from sparsenn.plotting import plot_training_history

# the fits below run a fixed, small number of epochs on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_morse(50, random_state=0)
clf = SparseMLPClassifier(
    (128,),
    density=0.25,
    early_stopping=True,
    validation_fraction=0.2,
    n_iter_no_change=5,
    max_iter=60,
    random_state=0,
).fit(X, y)

print(f"{clf.n_iter_} epochs; last epoch: {clf.history_[-1]}")

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
plot_training_history(clf, ax=axes[0])
plot_training_history(clf, x="seconds", ax=axes[1])
fig.tight_layout()
plt.show()
