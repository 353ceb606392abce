"""
Grid search over density and connectivity
=========================================

How much accuracy does sparsity cost, and which pattern loses least? A
:class:`~sklearn.model_selection.GridSearchCV` over ``density`` x
``connectivity`` of a :class:`~sparsenn.SparseMLPClassifier` in a pipeline,
drawn as a validation curve per pattern with
:class:`~sparsenn.plotting.DensityCurveDisplay`.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparsenn import SparseMLPClassifier
from sparsenn.datasets import make_morse
from sparsenn.plotting import DensityCurveDisplay

# the fits below run a fixed, small number of epochs on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_morse(50, random_state=0)  # 3200 frames, 64 classes
pipe = make_pipeline(
    StandardScaler(),
    SparseMLPClassifier((128,), learning_rate_init=0.01, max_iter=20, random_state=0),
)

grid = {
    "sparsemlpclassifier__density": [0.05, 0.1, 0.25, 0.5, 1.0],
    "sparsemlpclassifier__connectivity": ["random", "structured", "clash_free"],
}
search = GridSearchCV(pipe, grid, cv=3, return_train_score=True)
search.fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.3f}")

# %%
# One line per connectivity: mean validation accuracy with one standard
# deviation over the folds; dashed: training accuracy.
disp = DensityCurveDisplay.from_results(search.cv_results_, group_name="connectivity")
disp.ax_.set_title("Morse, 128 hidden neurons")
plt.show()
