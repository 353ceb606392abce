"""sparsenn.plotting: what each picture draws, on the Agg backend."""

import importlib.util
import sys

import numpy as np
import pytest

import sparsenn.plotting as plotting
from sparsenn.connectivity import clash_free, structured

HAVE_MPL = importlib.util.find_spec("matplotlib") is not None
needs_mpl = pytest.mark.skipif(not HAVE_MPL, reason="matplotlib is not installed")


@pytest.fixture(autouse=True)
def _agg_and_close():
    if not HAVE_MPL:
        yield
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@needs_mpl
def test_connection_pattern_image_is_the_biadjacency_matrix():
    pattern = structured(12, 6, 2, random_state=0)
    ax = plotting.plot_connection_pattern(pattern)
    (image,) = ax.images
    np.testing.assert_array_equal(image.get_array(), pattern.toarray() != 0)
    assert ax.get_xlabel() == "output neuron" and ax.get_ylabel() == "input neuron"
    assert "24 edges" in ax.get_title()


@needs_mpl
def test_connection_pattern_of_an_estimator_layer():
    from sparsenn import SparseMLPClassifier

    rng = np.random.default_rng(0)
    X, y = rng.random((60, 8)), rng.integers(0, 3, 60)
    clf = SparseMLPClassifier(
        (8,), density=0.5, connectivity="structured", max_iter=2, random_state=0
    ).fit(X, y)
    ax = plotting.plot_connection_pattern(clf, layer=1)
    np.testing.assert_array_equal(
        ax.images[0].get_array(), clf.coefs_[1].toarray() != 0
    )
    with pytest.raises(ValueError, match="layer=5"):
        plotting.plot_connection_pattern(clf, layer=5)
    with pytest.raises(TypeError, match="source must be"):
        plotting.plot_connection_pattern("pattern")


@needs_mpl
def test_clock_order_colours_each_edge_by_its_clock():
    pattern, order = clash_free(8, 4, 2, z=4, random_state=0, return_order=True)
    ax = plotting.plot_clock_order(order)
    clocks = ax.images[0].get_array()
    assert np.array_equal(~clocks.mask, pattern.toarray() != 0)
    # every clock reads each bank once: z edges per clock, distinct banks
    for c in range(order.n_clocks):
        rows, _ = np.nonzero(clocks.filled(-1) == c)
        assert sorted(rows % order.z) == list(range(order.z))
    assert len(ax.figure.axes) == 2  # the colour bar
    with pytest.raises(TypeError, match="ClashFreeOrder"):
        plotting.plot_clock_order(pattern)


def _results():
    params, s0, s1 = [], [], []
    for conn, base in (("random", 0.5), ("structured", 0.6)):
        for seed in (0, 1):
            for density in (0.1, 0.5, 1.0):
                params.append(
                    {"clf__connectivity": conn, "clf__density": density, "seed": seed}
                )
                s0.append(base + density / 10 + seed / 100)
                s1.append(base + density / 10 - seed / 100)
    return {"params": params, "split0_test_score": s0, "split1_test_score": s1}


@needs_mpl
def test_density_curve_from_results_pools_seeds_per_group():
    disp = plotting.DensityCurveDisplay.from_results(
        _results(), group_name="connectivity"
    )
    assert set(disp.lines_) == {"random", "structured"}
    line = disp.lines_["structured"]
    np.testing.assert_allclose(line.get_xdata(), [0.1, 0.5, 1.0])
    np.testing.assert_allclose(line.get_ydata(), [0.61, 0.65, 0.7])
    assert disp.test_scores["random"].shape == (3, 4)  # 2 splits x 2 seeds
    assert disp.ax_.get_xlabel() == "density"
    assert disp.ax_.get_ylabel() == "accuracy"
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == [
        "random",
        "structured",
    ]
    assert len(disp.ax_.collections) == 2  # the std bands


@needs_mpl
def test_density_curve_from_results_bad_names():
    with pytest.raises(ValueError, match="group_name='width'"):
        plotting.DensityCurveDisplay.from_results(_results(), group_name="width")
    with pytest.raises(ValueError, match="no split"):
        plotting.DensityCurveDisplay.from_results({"params": [{"density": 0.1}]})


@needs_mpl
def test_density_curve_from_results_reads_one_of_several_scorers():
    base = _results()
    multi = {"params": base["params"]}
    for k in ("split0", "split1"):
        multi[f"{k}_test_r2"] = base[f"{k}_test_score"]
        multi[f"{k}_test_neg_mse"] = [-v for v in base[f"{k}_test_score"]]
    disp = plotting.DensityCurveDisplay.from_results(
        multi, param_name="density", group_name="connectivity", metric="neg_mse"
    )
    np.testing.assert_allclose(
        disp.lines_["structured"].get_ydata(), [-0.61, -0.65, -0.7]
    )
    assert disp.ax_.get_ylabel() == "neg_mse"
    with pytest.raises(ValueError, match=r"metric in \['neg_mse', 'r2'\]"):
        plotting.DensityCurveDisplay.from_results(multi)
    disp = plotting.DensityCurveDisplay.from_results(base, score_name="R^2")
    assert disp.ax_.get_ylabel() == "R^2"


@needs_mpl
def test_density_curve_from_estimator_runs_the_validation_curve():
    from sparsenn import SparseMLPClassifier

    rng = np.random.default_rng(0)
    X = rng.random((90, 8))
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    est = SparseMLPClassifier((8,), max_iter=3, random_state=0)
    disp = plotting.DensityCurveDisplay.from_estimator(
        est,
        X,
        y,
        param_range=[0.5, 1.0],
        group_name="connectivity",
        group_values=["random", "structured"],
        cv=2,
    )
    assert set(disp.lines_) == {"random", "structured"}
    assert disp.test_scores["random"].shape == (2, 2)
    # training curves are drawn dashed next to the validation lines
    assert len(disp.ax_.lines) == 4
    assert disp.ax_.lines[1].get_linestyle() == "--"
    with pytest.raises(ValueError, match="group_name and group_values"):
        plotting.DensityCurveDisplay.from_estimator(est, X, y, group_name="x")


@needs_mpl
def test_training_history_draws_loss_and_validation_score():
    from sparsenn import SparseMLPClassifier

    rng = np.random.default_rng(0)
    X = rng.random((200, 6))
    y = (X[:, 0] > 0.5).astype(int)
    clf = SparseMLPClassifier(
        (8,),
        density=1.0,
        early_stopping=True,
        n_iter_no_change=100,
        max_iter=6,
        random_state=0,
    ).fit(X, y)
    ax = plotting.plot_training_history(clf)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), clf.loss_curve_)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(1, 7))
    np.testing.assert_allclose(ax.right_ax.lines[0].get_ydata(), clf.validation_scores_)
    assert ax.right_ax.get_ylabel() == "validation score"
    ax = plotting.plot_training_history(clf, x="seconds")
    expected = np.cumsum([h["seconds"] for h in clf.history_])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), expected)
    assert ax.get_xlabel() == "wall time (s)"
    with pytest.raises(ValueError, match="x='steps'"):
        plotting.plot_training_history(clf, x="steps")
    with pytest.raises(ValueError, match="loss_curve_"):
        plotting.plot_training_history(object())


@needs_mpl
def test_morse_frames_rows_and_labels():
    from sparsenn.datasets import CODEBOOK, make_morse

    X, y = make_morse(5, random_state=0)
    ax = plotting.plot_morse_frames(X, y, classes=[3, 7], n_per_class=2)
    image = ax.images[0].get_array()
    np.testing.assert_array_equal(image[:2], X[y == 3][:2])
    np.testing.assert_array_equal(image[2:], X[y == 7][:2])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{CODEBOOK[k][0]} {CODEBOOK[k][1]}" for k in (3, 7)]
    with pytest.raises(ValueError, match="n_per_class=0"):
        plotting.plot_morse_frames(X, y, n_per_class=0)
    with pytest.raises(ValueError, match="class 99"):
        plotting.plot_morse_frames(X, y, classes=[99])


def _saturating_net():
    from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat

    lay = JunctionLayout(2, 2, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 2)
    net = FixedPointNetwork(
        QFormat(3, 8),
        [lay],
        [np.array([2047, 2047, 3, 9])],
        [np.array([0, 1])],
        np.array(["a", "b"]),
    )
    net.conversion_saturation_ = {"weights": [1], "biases": [0]}
    net.predict([[1.0, 1.0], [0.0, 0.0]])
    return net


@needs_mpl
def test_saturation_bars_are_the_reported_rates():
    net = _saturating_net()
    rates = plotting.saturation_rates(net)
    assert rates["weights"].tolist() == [0.25]
    assert rates["sums"].tolist() == [net.saturation_["sums"][0] / 4]
    assert net.saturation_["sums"][0] == 1  # neuron 0 of the first sample
    ax = plotting.plot_saturation(net)
    assert [c.get_label() for c in ax.containers] == [
        "weights",
        "biases",
        "products",
        "sums",
    ]
    heights = [c.patches[0].get_height() for c in ax.containers]
    np.testing.assert_allclose(heights, [100 * rates[k][0] for k in rates])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["junction 0"]


@needs_mpl
def test_saturation_of_a_converted_model():
    from sparsenn import SparseMLPClassifier
    from sparsenn.fixedpoint import to_fixed_point

    rng = np.random.default_rng(0)
    X = rng.random((120, 8))
    y = (X[:, 0] > X[:, 1]).astype(int)
    clf = SparseMLPClassifier(
        (16,), activation="logistic", density=0.5, max_iter=20, random_state=0
    ).fit(X, y)
    net = to_fixed_point(clf)
    net.predict(X)
    ax = plotting.plot_saturation(net)
    assert len(ax.containers) == 4
    assert all(len(c.patches) == 2 for c in ax.containers)
    assert "120 samples" in ax.get_title()


def test_missing_matplotlib_names_the_plot_extra(monkeypatch):
    # None in sys.modules makes the import raise ImportError, as if uninstalled
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"'plot' extra.*sparsenn\[plot\]"):
        plotting.plot_connection_pattern(structured(4, 2, 1, random_state=0))
    with pytest.raises(ImportError, match="'plot' extra"):
        plotting.DensityCurveDisplay([0.1], {"a": [[0.5]]}).plot()
    with pytest.raises(ImportError, match="'plot' extra"):
        plotting.plot_morse_frames([[0.0, 1.0]], [0])
