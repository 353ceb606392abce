"""
Export to fixed point and read the saturation report
====================================================

A logistic network with clash-free junctions is converted to the 12-bit
``ap_fixed<12,4>`` datapath, simulated bit-exactly, and written as memory
images. The saturation counters say where the format is too narrow: weights
and biases clamped at conversion, products and neuron sums clamped while
simulating.
"""

import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import make_morse
from sparsenn.fixedpoint import QFormat, to_fixed_point
from sparsenn.plotting import plot_saturation, saturation_rates

# the fits below run a fixed, small number of epochs on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_morse(50, random_state=0)  # values in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
clf = SparseMLPClassifier(
    (128,),
    activation="logistic",
    connectivity="clash_free",
    density=0.125,
    parallelism=16,
    learning_rate_init=0.01,
    max_iter=20,
    random_state=0,
).fit(X_train, y_train)

net = to_fixed_point(clf, calibration_X=X_train[:500])
agreement = np.mean(net.predict(X_test) == clf.predict(X_test))
print(f"float accuracy {clf.score(X_test, y_test):.3f}, "
      f"fixed-point accuracy {np.mean(net.predict(X_test) == y_test):.3f}, "
      f"agreement {agreement:.3f}")  # fmt: skip

# %%
# The report: counts at conversion and over the last simulated batch (here
# the test set). In the default format nothing saturates; in a format with one
# integer bit (range [-2, 2)) weights are clamped at conversion (with a
# warning) and products and sums while simulating.
narrow = QFormat(1, 8)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", UserWarning)
    net_narrow = to_fixed_point(clf, narrow, calibration_X=X_train[:500])
print("warning:", *[str(w.message) for w in caught])
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, model in zip(axes, (net, net_narrow), strict=True):
    accuracy = np.mean(model.predict(X_test) == y_test)
    print(f"{model.fmt}: accuracy {accuracy:.3f}")
    print("  conversion_saturation_:", model.conversion_saturation_)
    print("  saturation_:", model.saturation_)
    for kind, rate in saturation_rates(model).items():
        print(f"  {kind:8s}", np.round(100 * rate, 3), "%")
    plot_saturation(model, ax=ax)
fig.tight_layout()

# %%
# The export directory: manifest, arrays and one memory image per bank.
with tempfile.TemporaryDirectory() as tmp:
    net.save(Path(tmp) / "export")
    files = sorted(p.relative_to(tmp) for p in Path(tmp).rglob("*") if p.is_file())
    print(f"{len(files)} files, for example:")
    print(*[f"  {f}" for f in files[:6]], sep="\n")
plt.show()
