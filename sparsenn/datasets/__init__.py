"""Datasets: Morse-code generator, named variants, metrics and loaders.

The Morse-code generator and its named variants, a reader of the authors' ``.npz``
files, the four difficulty metrics, and an offline Fashion-MNIST loader.
"""

from ._codebook import (
    ASCII_NAMES,
    CLASS_ORDERS,
    CODEBOOK,
    CODEBOOK_ORDER,
    CODEWORDS,
    SYMBOLS,
    codebook,
    decode,
    encode,
    relabel_morse,
)
from ._difficulty import morse_difficulty
from ._fashion_mnist import load_fashion_mnist
from ._morse import frame_lengths, make_morse
from ._npz import load_morse_npz
from ._registry import (
    generate_variant,
    get_data_home,
    list_morse_variants,
    load_morse,
    morse_checksum,
    morse_variant,
)

__all__ = [
    "ASCII_NAMES",
    "CLASS_ORDERS",
    "CODEBOOK",
    "CODEBOOK_ORDER",
    "CODEWORDS",
    "SYMBOLS",
    "codebook",
    "decode",
    "encode",
    "frame_lengths",
    "generate_variant",
    "get_data_home",
    "list_morse_variants",
    "load_fashion_mnist",
    "load_morse",
    "load_morse_npz",
    "make_morse",
    "morse_checksum",
    "morse_difficulty",
    "morse_variant",
    "relabel_morse",
]
