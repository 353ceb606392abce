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
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import make_morse
from sparsenn.fixedpoint import to_fixed_point
from sparsenn.plotting import plot_saturation, saturation_rates

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
# The report: counts at conversion and over the last simulated batch.
print("conversion_saturation_:", net.conversion_saturation_)
print("saturation_:", net.saturation_)
for kind, rate in saturation_rates(net).items():
    print(f"{kind:8s}", np.round(100 * rate, 3), "%")

plot_saturation(net)

# %%
# The export directory: manifest, arrays and one memory image per bank.
with tempfile.TemporaryDirectory() as tmp:
    net.save(Path(tmp) / "export")
    files = sorted(p.relative_to(tmp) for p in Path(tmp).rglob("*") if p.is_file())
    print(len(files), "files, for example:", *[str(f) for f in files[:6]], sep="\n  ")
plt.show()
