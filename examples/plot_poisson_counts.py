"""
Counts with a sparse Poisson regressor
======================================

Counts (events per sensor, per hour, per cell) are non-negative and their
noise grows with their mean. ``loss="poisson"`` gives
:class:`~sparsenn.SparseMLPRegressor` an exponential output and the Poisson
deviance as loss, as ``MLPRegressor(loss="poisson")``: its predictions are
positive rates. With the squared error, the same sparse network predicts
negative rates where the counts are small.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import d2_tweedie_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparsenn import SparseMLPRegressor

# the fits below run a fixed, small number of epochs on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, size=(4000, 8))
rate = np.exp(0.5 + 1.5 * X[:, 0] * X[:, 1] - X[:, 2] + 0.5 * np.sin(3 * X[:, 3]))
y = rng.poisson(rate)
X_train, X_test, y_train, y_test, _, rate_test = train_test_split(
    X, y, rate, random_state=0
)

models = {}
for loss in ("poisson", "squared_error"):
    reg = SparseMLPRegressor(
        (128,), loss=loss, density="auto", learning_rate_init=0.01, max_iter=60,
        random_state=0,
    )  # fmt: skip
    models[loss] = make_pipeline(StandardScaler(), reg).fit(X_train, y_train)

for loss, model in models.items():
    pred = model.predict(X_test)
    print(
        f"{loss:>13}: {int((pred <= 0).sum())} rates <= 0 predicted, "
        f"D^2 {d2_tweedie_score(y_test, np.clip(pred, 1e-6, None), power=1):.3f}"
    )

# %%
# Predicted against true rate on the held-out quarter (log axes: the squared
# error's rates <= 0 are drawn at the bottom edge).
fig, ax = plt.subplots(figsize=(5, 5))
for loss, model in models.items():
    pred = np.clip(model.predict(X_test), 1e-2, None)
    ax.scatter(rate_test, pred, s=4, alpha=0.4, label=f"loss={loss!r}")
ax.plot([0.05, 40], [0.05, 40], color="black", linewidth=1)
ax.set(xscale="log", yscale="log", xlabel="true rate", ylabel="predicted rate")
ax.legend()
plt.show()
