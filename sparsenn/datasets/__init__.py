"""Datasets: the Morse-code generator and its named variants, the four
difficulty metrics, and an offline Fashion-MNIST loader.
"""

from ._codebook import ASCII_NAMES, CODEBOOK, CODEWORDS, SYMBOLS, decode, encode
from ._difficulty import morse_difficulty
from ._fashion_mnist import load_fashion_mnist
from ._morse import frame_lengths, make_morse
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
    "CODEBOOK",
    "CODEWORDS",
    "SYMBOLS",
    "decode",
    "encode",
    "frame_lengths",
    "generate_variant",
    "get_data_home",
    "list_morse_variants",
    "load_fashion_mnist",
    "load_morse",
    "make_morse",
    "morse_checksum",
    "morse_difficulty",
    "morse_variant",
]
