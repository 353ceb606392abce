"""The integer model of a sigmoid network on the FPGA datapath."""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from .._sklearn import _get_feature_names
from .._validation import check_bool, check_int
from ._format import INPUT_BITS, QFormat, quantize_inputs
from ._lut import sigmoid_derivative_lut, sigmoid_lut
from ._quirks import check_rtl_quirks
from ._simulate import JunctionKernel, hardware_argmax

__all__ = ["FixedPointNetwork"]

_CHUNK_ELEMENTS = 1 << 21  # per-edge work array per junction and chunk (measured)
_N_THREADS = min(os.cpu_count() or 1, 4)


class FixedPointNetwork:
    """Bit-exact integer model of a sigmoid MLP on the fixed-point datapath.

    Usually built by :func:`to_fixed_point` or :func:`load`.

    Parameters
    ----------
    fmt : QFormat
    layouts : list of JunctionLayout
        Edges of each junction in weight order, with the parallelism.
    edge_weights : list of ndarray of int
        Weight codes of each junction in weight order, shape (n_edges,).
    biases : list of ndarray of int
        Bias codes, shape (n_out,) per junction.
    classes : ndarray of shape (n_classes,)
        Labels; output neuron ``k`` stands for ``classes[k]``.
    input_bits : int, default=8
        Width of the unsigned input port.
    lut_floor_lsb : bool, default=False
        Use the LUTs whose zero entries are raised to 1 LSB.
    rtl_quirks : dict or None, default=None
        Deviations of the released RTL to reproduce (off by default, see
        :data:`sparsenn.fixedpoint.RTL_QUIRKS`); :meth:`predict` follows
        ``"argmax_last_group"``, :func:`train_on_device` the others.

    Attributes
    ----------
    rtl_quirks : dict
        All quirk keys (validated when set).
    edge_weights, biases, layouts : list
        As given; treat them as read-only (the simulator prepares its kernels
        from them once). :func:`train_on_device` returns a new network.
    weights : list of scipy.sparse.csr_matrix of int64, shape (n_in, n_out)
    sigmoid_lut, sigmoid_derivative_lut : ndarray of int64, shape (2**fmt.width,)
        Indexed by the pre-activation code minus ``fmt.min_code``.
    conversion_saturation_ : dict
        ``{"weights": [...], "biases": [...]}``: values clamped per junction when
        the float model was converted.
    saturation_ : dict
        Saturation events of the last simulation: ``"products"`` and ``"sums"``
        (per junction) and ``"n_samples"``.
    output_scale_, output_shift_ : float
        The argmax-preserving transform applied to the output junction at
        conversion (``1.0, 0.0`` when none), see :func:`to_fixed_point`.
    feature_names_in_ : ndarray of str
        Only when the source model was fitted on a DataFrame with string
        column names (set by :func:`to_fixed_point`, kept by :func:`save` /
        :func:`load`): a DataFrame ``X`` must then have these columns in
        this order.

    Examples
    --------
    One junction, 2 inputs -> 2 outputs, weights +-1.0 and 3/256, 9/256:

    >>> import numpy as np
    >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat
    >>> lay = JunctionLayout(2, 2, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 2)
    >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [np.array([256, -256, 3, 9])],
    ...                         [np.array([0, 1])], np.array(["a", "b"]))
    >>> [a.tolist() for a in net.activations([[1.0, 0.5]])]
    [[[255, 128]], [[159, 130]]]
    >>> net.predict([[1.0, 0.5]]).tolist(), net.weights[0].toarray().tolist()
    (['a'], [[256, 3], [-256, 9]])
    """

    def __init__(
        self,
        fmt,
        layouts,
        edge_weights,
        biases,
        classes,
        *,
        input_bits=INPUT_BITS,
        lut_floor_lsb=False,
        rtl_quirks=None,
    ):
        if not isinstance(fmt, QFormat):
            raise TypeError(f"fmt must be a QFormat, got {type(fmt).__name__}.")
        self.fmt = fmt
        self.layouts = list(layouts)
        self.edge_weights = [_codes(w, fmt, "edge_weights") for w in edge_weights]
        self.biases = [_codes(b, fmt, "biases") for b in biases]
        self.classes_ = np.asarray(classes)
        self.input_bits = check_int(input_bits, "input_bits", low=1)
        self.lut_floor_lsb = check_bool(lut_floor_lsb, "lut_floor_lsb")
        self.rtl_quirks = rtl_quirks
        self._check_shapes()
        self.sigmoid_lut = sigmoid_lut(fmt, self.lut_floor_lsb)
        self.sigmoid_derivative_lut = sigmoid_derivative_lut(fmt, self.lut_floor_lsb)
        n = len(self.layouts)
        self.conversion_saturation_ = {"weights": [0] * n, "biases": [0] * n}
        self.saturation_ = {"products": [0] * n, "sums": [0] * n, "n_samples": 0}
        self.output_scale_, self.output_shift_ = 1.0, 0.0
        self._kernels = None

    # ----------------------------------------------------------------- checks
    def _check_shapes(self):
        if not (len(self.layouts) == len(self.edge_weights) == len(self.biases) > 0):
            raise ValueError(
                "layouts, edge_weights and biases need one entry per junction."
            )
        for i, (lay, w, b) in enumerate(
            zip(self.layouts, self.edge_weights, self.biases, strict=True)
        ):
            if w.shape != (lay.n_edges,) or b.shape != (lay.n_out,):
                raise ValueError(
                    f"junction {i}: expected {lay.n_edges} weights and {lay.n_out} "
                    f"biases, got shapes {w.shape} and {b.shape}."
                )
            if i and lay.n_in != self.layouts[i - 1].n_out:
                raise ValueError(
                    f"junction {i}: n_in does not match the previous n_out."
                )
        n_out = self.layouts[-1].n_out
        if n_out != len(self.classes_) and not (n_out == 1 and len(self.classes_) == 2):
            raise ValueError(
                f"{n_out} output neurons for {len(self.classes_)} classes."
            )

    # ------------------------------------------------------------- properties
    @property
    def rtl_quirks(self):
        """The released RTL's quirks this model reproduces (all off by default)."""
        return dict(self._rtl_quirks)

    @rtl_quirks.setter
    def rtl_quirks(self, value):
        self._rtl_quirks = check_rtl_quirks(value)

    @property
    def weights(self):
        """Weight codes as ``scipy.sparse.csr_matrix`` (n_in, n_out), one per junction.

        Every edge is stored, also those whose code is 0.
        """
        return [
            _csr(lay, w) for lay, w in zip(self.layouts, self.edge_weights, strict=True)
        ]

    @property
    def n_features_in_(self):
        return self.layouts[0].n_in

    @property
    def layer_sizes(self):
        return [self.layouts[0].n_in] + [lay.n_out for lay in self.layouts]

    # ------------------------------------------------------------- simulation
    def _top_input_code(self):
        """Return the largest input code, that of a pixel of 1.0."""
        return int(quantize_inputs(np.ones((1, 1)), self.fmt, self.input_bits)[0, 0])

    def _get_kernels(self):
        if self._kernels is None:
            a_max = [self._top_input_code()]
            a_max += [int(self.sigmoid_lut.max())] * len(self.layouts)
            a_range = [(0, a) for a in a_max[:-1]]
            self._kernels = [
                JunctionKernel(lay.left, lay.right, w, b, lay.n_out, self.fmt, rng)
                for lay, w, b, rng in zip(
                    self.layouts, self.edge_weights, self.biases, a_range, strict=True
                )
            ]
        return self._kernels

    def input_codes(self, X):
        """Input codes (n_samples, n_features) of ``X`` in [0, 1]."""
        self._check_feature_names(X)
        codes = quantize_inputs(X, self.fmt, self.input_bits)
        if codes.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {codes.shape[1]} features, the network expects "
                f"{self.n_features_in_}."
            )
        return codes

    def _check_feature_names(self, X):
        """Refuse a DataFrame whose columns differ from ``feature_names_in_``."""
        expected = getattr(self, "feature_names_in_", None)
        names = None if expected is None else _get_feature_names(X)
        if names is None or np.array_equal(names, expected):
            return
        n = min(len(names), len(expected))
        i = next((k for k in range(n) if names[k] != expected[k]), n)
        got = repr(names[i]) if i < len(names) else "missing"
        want = repr(expected[i]) if i < len(expected) else "no column"
        raise ValueError(
            f"X's column names differ from feature_names_in_ (the model's, at "
            f"conversion): column {i} is {got}, expected {want}. The datapath "
            "reads inputs by position; give X[net.feature_names_in_]."
        )

    def _simulate(self, X, keep_hidden, codes=None):
        """Feature-major layer activations of every chunk of samples.

        Chunks are independent, so they are spread over ``_N_THREADS`` threads
        (numpy releases the GIL in the gathers and arithmetic); results and
        saturation counts do not depend on the split. ``codes`` (input codes)
        replaces ``X`` when given.
        """
        if codes is None:
            codes = self.input_codes(X)
        kernels = self._get_kernels()
        chunk = max(1, _CHUNK_ELEMENTS // max(k.left.size for k in kernels))
        starts = range(0, codes.shape[0], chunk)

        def run(lo):
            counts = [{} for _ in kernels]
            aT = np.ascontiguousarray(codes[lo : lo + chunk].T)
            layers = [aT]
            for kernel, count in zip(kernels, counts, strict=True):
                sT = kernel(aT.astype(kernel.dtype, copy=False), count)
                aT = self.sigmoid_lut[sT - self.fmt.min_code]
                layers.append(aT)
            return (layers if keep_hidden else [aT]), counts

        if _N_THREADS > 1 and len(starts) > 1:
            with ThreadPoolExecutor(_N_THREADS) as pool:
                results = list(pool.map(run, starts))
        else:
            results = [run(lo) for lo in starts]
        self.saturation_ = {
            key: [
                sum(r[1][i].get(key, 0) for r in results) for i in range(len(kernels))
            ]
            for key in ("products", "sums")
        }
        self.saturation_["n_samples"] = int(codes.shape[0])
        return [r[0] for r in results]

    def activations(self, X):
        """Integer activations of every layer, input codes first.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Values in [0, 1].

        Returns
        -------
        list of ndarray of int64, shape (n_samples, layer_size)
            ``len(layer_sizes)`` arrays; the value of code ``c`` is
            ``c * fmt.step``.
        """
        return self._stack_layers(self._simulate(X, keep_hidden=True))

    def activations_from_codes(self, codes):
        """Integer activations of every layer for integer input codes.

        Parameters
        ----------
        codes : ndarray of int, shape (n_samples, n_features)
            Input codes as :meth:`input_codes` returns them.

        Returns
        -------
        list of ndarray of int64, shape (n_samples, layer_size)
        """
        codes = np.asarray(codes, dtype=np.int64)
        if codes.ndim != 2 or codes.shape[1] != self.n_features_in_:
            raise ValueError(
                f"codes must have shape (n_samples, {self.n_features_in_}), got "
                f"{codes.shape}."
            )
        top = self._top_input_code()
        if codes.size and (codes.min() < 0 or codes.max() > top):
            raise ValueError(
                f"codes must lie in [0, {top}] (input codes of {self.input_bits}-bit "
                f"pixels in {self.fmt}); got values in [{int(codes.min())}, "
                f"{int(codes.max())}]. Use input_codes(X) to make them."
            )
        return self._stack_layers(self._simulate(None, True, codes=codes))

    def _stack_layers(self, chunks):
        n_layers = len(self.layouts) + 1
        if not chunks:
            return [np.zeros((0, size), dtype=np.int64) for size in self.layer_sizes]
        return [
            np.concatenate([c[i].T for c in chunks]).astype(np.int64, copy=False)
            for i in range(n_layers)
        ]

    def output_codes(self, X):
        """Output-layer activation codes, shape (n_samples, n_outputs)."""
        chunks = self._simulate(X, keep_hidden=False)
        if not chunks:
            return np.zeros((0, self.layouts[-1].n_out), dtype=np.int64)
        return np.concatenate([c[0].T for c in chunks])

    def predict(self, X):
        """Class labels: the argmax of the output activations.

        Ties are broken as in the RTL: within one clock the lower neuron wins,
        across clocks the later one. With ``rtl_quirks["argmax_last_group"]``
        the last clock's group of output neurons never wins (the released RTL's
        argmax register resets in that clock); a single group then predicts
        neuron 0, the register's reset value.
        """
        out = self.output_codes(X)
        if out.shape[1] == 1 and len(self.classes_) == 2:
            return self.classes_[
                (out[:, 0] >= 1 << (self.fmt.fraction - 1)).astype(int)
            ]
        group = self.layouts[-1].neurons_per_clock()
        skip = self._rtl_quirks["argmax_last_group"]
        return self.classes_[hardware_argmax(out, group, skip_last_group=skip)]

    def score(self, X, y):
        """Mean accuracy of :meth:`predict` on ``(X, y)``."""
        predicted, y = self.predict(X), np.asarray(y)
        if y.shape != predicted.shape:
            raise ValueError(
                f"y must have shape {predicted.shape} (one label per sample of X), "
                f"got {y.shape}."
            )
        return float(np.mean(predicted == y))

    def save(self, path, X=None, *, hidden_vectors=True):
        """Write the export directory (see :func:`sparsenn.fixedpoint.save`)."""
        from ._export import save

        return save(self, path, X=X, hidden_vectors=hidden_vectors)

    def to_verilog(self, path, X=None, *, top="sparsenn_core", hidden_vectors=True):
        """Export the network and write a SystemVerilog inference core for it.

        ``save(path, X)`` writes the export (memory images, manifest, test
        vectors of ``X``); then ``path/rtl/`` receives the core (``{top}.sv``
        and its modules ``{top}_ring.sv``, ``{top}_junction.sv``,
        ``{top}_outbuf.sv``) and, with ``X``, the self-checking testbench
        ``{top}_tb.sv``. The core reads the weight, bias, left-neuron and sigmoid
        images with ``$readmemh`` (parameter ``MEM_DIR``, default ``"."``: run
        from the export directory). See ``docs/fixedpoint.md``.

        Parameters
        ----------
        path : str or pathlib.Path
            Export directory (new, empty or an earlier export).
        X : array-like of shape (n_samples, n_features), optional
            Test inputs streamed by the testbench.
        top : str, default="sparsenn_core"
            Name of the top module (prefix of the other modules).
        hidden_vectors : bool, default=True
            Passed to :meth:`save` (the testbench needs only the input and
            output vectors).

        Returns
        -------
        dict
            ``rtl``, ``sources``, ``testbench``, ``top``, ``clocks_per_sample``,
            ``latency`` (see :func:`sparsenn.fixedpoint.write_verilog`).

        Raises
        ------
        ValueError
            If the generator cannot build this network (the message says what
            it supports); nothing is written then.

        Examples
        --------
        >>> import tempfile
        >>> import numpy as np
        >>> from sparsenn.fixedpoint import FixedPointNetwork, JunctionLayout, QFormat
        >>> w = np.arange(8)  # 4 -> 2, fully connected, z = 4: C = 2 clocks
        >>> lay = JunctionLayout(4, 2, w % 4, w // 4, 4)
        >>> net = FixedPointNetwork(QFormat(3, 8), [lay], [10 * w], [np.zeros(2, int)],
        ...                         np.array([0, 1]))
        >>> info = net.to_verilog(tempfile.mkdtemp(), X=np.full((3, 4), 0.5))
        >>> [p.name for p in info["sources"]]  # doctest: +NORMALIZE_WHITESPACE
        ['sparsenn_core_ring.sv', 'sparsenn_core_junction.sv',
         'sparsenn_core_outbuf.sv', 'sparsenn_core.sv']
        >>> info["testbench"].name, info["clocks_per_sample"], info["latency"]
        ('sparsenn_core_tb.sv', 2, 9)
        """
        from ._verilog import to_verilog

        return to_verilog(self, path, X=X, top=top, hidden_vectors=hidden_vectors)


def _codes(values, fmt, name):
    arr = np.asarray(values)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer codes, got dtype {arr.dtype}.")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < fmt.min_code or arr.max() > fmt.max_code):
        raise ValueError(
            f"{name} codes must lie in [{fmt.min_code}, {fmt.max_code}] for {fmt}."
        )
    return arr


def _csr(layout, w):
    """CSR (n_in, n_out) holding every edge explicitly (zeros included)."""
    order = np.lexsort((layout.right, layout.left))
    indptr = np.zeros(layout.n_in + 1, dtype=np.int64)
    np.cumsum(np.bincount(layout.left, minlength=layout.n_in), out=indptr[1:])
    return sp.csr_matrix(
        (w[order], layout.right[order], indptr), shape=(layout.n_in, layout.n_out)
    )
