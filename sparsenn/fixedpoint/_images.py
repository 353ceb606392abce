"""Every memory image of an export, listed once for the writer and the reader.

:func:`network_images` and :func:`vector_images` return the files of an export
with the words they must hold; :func:`sparsenn.fixedpoint.save` writes exactly
these and :func:`sparsenn.fixedpoint.load` recomputes the same list from the
arrays and compares every file with it, word by word.
"""

from dataclasses import dataclass

import numpy as np

from ._memfiles import write_coe, write_mem

__all__ = [
    "Image",
    "banks",
    "network_images",
    "vector_images",
    "write_images",
    "input_pixels",
    "codes_from_banks",
]

#: Width of the words of ``vectors/predictions.mem``.
PREDICTION_BITS = 16


@dataclass(frozen=True, eq=False)
class Image:
    """One memory-image file and the words it must hold.

    Parameters
    ----------
    name : str
        Path relative to the export directory; ``.mem`` is ``$readmemh`` text,
        ``.coe`` Xilinx COE.
    values : ndarray of int64, shape (n_words,)
    width : int
        Bits per word.
    signed : bool
        Two's-complement words (else unsigned).
    note : str
        Comment written at the top of the file.
    source : str
        What the words are derived from (named in load errors).
    """

    name: str
    values: np.ndarray
    width: int
    signed: bool
    note: str
    source: str = "arrays.npz"

    @property
    def is_coe(self):
        return self.name.endswith(".coe")


def banks(values, n_banks, fill=0):
    """(n_banks, depth): bank j address c holds ``values[c * n_banks + j]``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.fixedpoint._images import banks
    >>> banks(np.arange(5), 2).tolist()
    [[0, 2, 4], [1, 3, 0]]
    """
    values = np.asarray(values, dtype=np.int64).ravel()
    depth = -(-values.size // n_banks)
    padded = np.full(depth * n_banks, fill, dtype=np.int64)
    padded[: values.size] = values
    return padded.reshape(depth, n_banks).T


def _both(name, values, width, note, source="arrays.npz"):
    """Return the ``.mem`` and ``.coe`` images of one memory."""
    return [
        Image(f"{name}.{ext}", values, width, True, note, source)
        for ext in ("mem", "coe")
    ]


def network_images(net):
    """Images of the LUTs and of every junction's banks (weights, biases, ...)."""
    fmt = net.fmt
    images = []
    for name, lut in [
        ("sigmoid_lut", net.sigmoid_lut),
        ("sigmoid_derivative_lut", net.sigmoid_derivative_lut),
    ]:
        note = f"{name}: entry s - ({fmt.min_code}) for pre-activation code s, {fmt}"
        images += _both(name, lut, fmt.width, note, f"the {name} of {fmt}")
    for i, (lay, w, b) in enumerate(
        zip(net.layouts, net.edge_weights, net.biases, strict=True)
    ):
        images += _junction_images(i, lay, w, b, fmt)
    return images


def _junction_images(i, lay, w, b, fmt):
    folder = f"junction{i}"
    head = f"sparsenn junction {i}: {lay.n_in} -> {lay.n_out}, z={lay.z}"
    index_width = max(int(lay.padded_sizes[0] - 1).bit_length(), 1)
    slots_w, slots_l = lay.slot_values(w), lay.slot_left  # padding slots hold 0
    images = []
    for j, (wb, lb) in enumerate(
        zip(banks(slots_w, lay.z), banks(slots_l, lay.z), strict=True)
    ):
        note = f"{head}, weight bank {j}: address c = edge c*z+{j}, {fmt}"
        images += _both(f"{folder}/weights_bank{j:03d}", wb, fmt.width, note)
        note = f"{head}, left neuron of weight bank {j}, unsigned {index_width} bits"
        images.append(
            Image(f"{folder}/left_bank{j:03d}.mem", lb, index_width, False, note)
        )
    g = lay.neurons_per_clock()
    for r, bb in enumerate(banks(lay.padded_bias(b), g)):
        note = f"{head}, bias bank {r}: address c = neuron c*{g}+{r}, {fmt}"
        images += _both(f"{folder}/bias_bank{r:03d}", bb, fmt.width, note)
    if lay.seeds is not None:
        bits = max(int(lay.depth - 1).bit_length(), 1)
        note = f"{head}, seed phi_s[j] at s*z+j"
        images.append(Image(f"{folder}/seeds.mem", lay.seeds, bits, False, note))
        bits = max(int(lay.z - 1).bit_length(), 1)
        note = f"{head}, bank v_s[j] at s*z+j"
        images.append(Image(f"{folder}/dither.mem", lay.dither, bits, False, note))
    return images


def input_pixels(codes, fmt, input_bits):
    """Pixels of the input port that give the input ``codes`` (spec section 4.1).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenn.fixedpoint import QFormat
    >>> from sparsenn.fixedpoint._images import input_pixels
    >>> input_pixels(np.array([0, 127]), QFormat(2, 7), 8).tolist()
    [0, 254]
    """
    shift = fmt.fraction - input_bits
    codes = np.asarray(codes, dtype=np.int64)
    return codes >> shift if shift >= 0 else codes << -shift


def codes_from_banks(bank_values, n_samples, n_features):
    """Invert the bank layout of ``vectors/layer{h}_bank{b}.mem``.

    Parameters
    ----------
    bank_values : ndarray of shape (z, n_samples * depth)

    Returns
    -------
    ndarray of shape (n_samples, n_features)
    """
    z = bank_values.shape[0]
    depth = n_features // z
    return (
        bank_values.reshape(z, n_samples, depth)
        .transpose(1, 2, 0)
        .reshape(n_samples, n_features)
    )


def vector_images(net, acts, winners, layers=None):
    """Test-vector images of the activations ``acts``.

    Parameters
    ----------
    net : FixedPointNetwork
    acts : list of ndarray of int64, shape (n_samples, layer_size)
        ``net.activations(X)``.
    winners : ndarray of int, shape (n_samples,)
        Index of the winning output neuron of each sample.
    layers : list of int, optional
        Layers whose bank images are written (default: all); the sample-major
        input, output and prediction streams are always written.
    """
    fmt, width = net.fmt, net.fmt.width
    source = "the simulator run on the inputs of vectors/layer0_bank*.mem"
    zs = [lay.z for lay in net.layouts] + [1]
    sizes = [lay.padded_sizes[0] for lay in net.layouts] + [net.layouts[-1].n_out]
    layers = range(len(acts)) if layers is None else layers
    images = []
    for h in layers:
        a, z = acts[h], zs[h]
        a = np.pad(a, ((0, 0), (0, sizes[h] - a.shape[1])))  # virtual inputs: 0
        depth = a.shape[1] // z
        # bank b, address n*depth + r holds neuron r*z + b of sample n
        layer = a.reshape(a.shape[0], depth, z).transpose(2, 0, 1).reshape(z, -1)
        for bank, values in enumerate(layer):
            note = (
                f"layer {h} activations, bank {bank}: "
                f"address n*{depth}+r = neuron r*{z}+{bank}"
            )
            name = f"vectors/layer{h}_bank{bank:03d}.mem"
            images.append(Image(name, values, width, True, note, source))
    pixels = input_pixels(acts[0], fmt, net.input_bits)
    note = (
        f"input port words (unsigned {net.input_bits} bits), address "
        f"n*{acts[0].shape[1]}+l = input l of sample n"
    )
    images.append(
        Image("vectors/input_pixels.mem", pixels, net.input_bits, False, note, source)
    )
    note = f"output codes, address n*{acts[-1].shape[1]}+k = output k of sample n"
    images.append(
        Image("vectors/output_codes.mem", acts[-1], width, True, note, source)
    )
    note = "winning output neuron per sample"
    images.append(
        Image("vectors/predictions.mem", winners, PREDICTION_BITS, False, note, source)
    )
    return images


def write_images(root, images):
    """Write every image under the directory ``root``."""
    for image in images:
        path = root / image.name
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = write_coe if image.is_coe else write_mem
        writer(path, image.values, image.width, image.note)
