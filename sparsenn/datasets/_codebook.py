"""The 64-class Morse codebook of the reference Morse-code datasets.

Class index = position in :data:`CODEBOOK`, which is the label order of the
authors' published datasets (``baseline.npz``, ``difficult.npz`` and the IEEE
DataPort competition copies). Those were generated under Python 2, where loading
the pickled ``Codebook.npy`` rebuilds a hash-ordered dict; the order here is the
one that the original generator gives under Python 2.7.18.

:data:`CODEBOOK_ORDER` maps it to the pickle's insertion order (``class_order=
"codebook"``, the label order of sparsenn 0.1.0): published class ``i`` is
codebook class ``CODEBOOK_ORDER[i]``. Classes 1 (``Ĥ``) and 10 (``(``) share the
codeword ``-.--.`` in both orders; both are kept, so no classifier can exceed
63/64 + 1/128 ~ 98.4 % accuracy.
"""

import numpy as np

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
    "relabel_morse",
]

# (symbol, codeword, ASCII spelling used as key in the reference Codebook.npy),
# in the label order of the authors' published datasets
CODEBOOK = (
    ("Ĵ", ".---.", "J^"),
    ("Ĥ", "-.--.", "H^"),
    ("B", "-...", "B"),
    ("Ñ", "--.--", "N~"),
    ("Ü", "..--", "U.."),
    ("!", "-.-.--", "!"),
    ('"', ".-..-.", '"'),
    ("'", ".----.", "'"),
    ("Ç", "-.-..", "C,"),
    (")", "-.--.-", ")"),
    ("(", "-.--.", "("),
    ("+", ".-.-.", "+"),
    ("-", "-....-", "-"),
    (",", "--..--", ","),
    ("/", "-..-.", "/"),
    (".", ".-.-.-", "."),
    ("1", ".----", "1"),
    ("0", "-----", "0"),
    ("3", "...--", "3"),
    ("2", "..---", "2"),
    ("5", ".....", "5"),
    ("4", "....-", "4"),
    ("7", "--...", "7"),
    ("6", "-....", "6"),
    ("9", "----.", "9"),
    ("8", "---..", "8"),
    (";", "-.-.-.", ";"),
    (":", "---...", ":"),
    ("=", "-...-", "="),
    ("?", "..--..", "?"),
    ("A", ".-", "A"),
    ("@", ".--.-.", "@"),
    ("C", "-.-.", "C"),
    ("CH", "----", "CH"),
    ("E", ".", "E"),
    ("D", "-..", "D"),
    ("G", "--.", "G"),
    ("F", "..-.", "F"),
    ("I", "..", "I"),
    ("Ĝ", "--.-.", "G^"),
    ("K", "-.-", "K"),
    ("J", ".---", "J"),
    ("M", "--", "M"),
    ("L", ".-..", "L"),
    ("O", "---", "O"),
    ("N", "-.", "N"),
    ("Q", "--.-", "Q"),
    ("P", ".--.", "P"),
    ("S", "...", "S"),
    ("R", ".-.", "R"),
    ("U", "..-", "U"),
    ("T", "-", "T"),
    ("W", ".--", "W"),
    ("V", "...-", "V"),
    ("Y", "-.--", "Y"),
    ("X", "-..-", "X"),
    ("Z", "--..", "Z"),
    ("_", "..--.-", "_"),
    ("Đ", "..--.", "D-"),
    ("Ö", "---.", "O.."),
    ("Ŝ", "...-.", "S^"),
    ("Ä", ".-.-", "A.."),
    ("È", "..-..", "E`"),
    ("H", "....", "H"),
)

# published class i is class CODEBOOK_ORDER[i] of the pickle's insertion order
CODEBOOK_ORDER = (
    0,
    1,
    33,
    2,
    56,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    26,
    27,
    28,
    29,
    30,
    31,
    32,
    3,
    34,
    35,
    36,
    37,
    38,
    4,
    40,
    41,
    42,
    43,
    44,
    45,
    46,
    60,
    47,
    63,
    48,
    49,
    50,
    51,
    52,
    53,
    54,
    55,
    57,
    58,
    59,
    61,
    62,
    39,
)

CLASS_ORDERS = ("published", "codebook")

SYMBOLS = tuple(entry[0] for entry in CODEBOOK)
CODEWORDS = tuple(entry[1] for entry in CODEBOOK)
ASCII_NAMES = tuple(entry[2] for entry in CODEBOOK)

_PICKLE_ORDER = tuple(
    CODEBOOK[i] for i in sorted(range(len(CODEBOOK)), key=CODEBOOK_ORDER.__getitem__)
)
_ORDERED = {"published": CODEBOOK, "codebook": _PICKLE_ORDER}


def check_class_order(class_order, name="class_order"):
    """Validate a ``class_order`` argument and return it.

    Parameters
    ----------
    class_order : {"published", "codebook"}
        ``"published"``: the label order of the authors' published datasets (the
        default everywhere). ``"codebook"``: the insertion order of the authors'
        ``Codebook.npy`` pickle, the label order of sparsenn 0.1.0.
    name : str, default="class_order"
        The parameter named in the error message.

    Returns
    -------
    class_order : str

    Raises
    ------
    ValueError
        If ``class_order`` is not one of :data:`CLASS_ORDERS`.

    Examples
    --------
    >>> from sparsenn.datasets._codebook import check_class_order
    >>> check_class_order("codebook")
    'codebook'
    """
    if not isinstance(class_order, str) or class_order not in _ORDERED:
        raise ValueError(
            f"{name}={class_order!r} must be one of {CLASS_ORDERS}: 'published' "
            "(the authors' published datasets) or 'codebook' (Codebook.npy's pickle "
            "order, the labels of sparsenn 0.1.0)"
        )
    return class_order


def codebook(class_order="published"):
    """Return the 64 ``(symbol, codeword, ascii_name)`` entries in a class order.

    Parameters
    ----------
    class_order : {"published", "codebook"}, default="published"
        See :func:`check_class_order`; ``"published"`` gives :data:`CODEBOOK`.

    Returns
    -------
    entries : tuple of (str, str, str)
        Entry ``k`` is class ``k`` in that order.

    Examples
    --------
    >>> from sparsenn.datasets import codebook
    >>> codebook()[2], codebook("codebook")[2]
    (('B', '-...', 'B'), ('Ñ', '--.--', 'N~'))
    """
    return _ORDERED[check_class_order(class_order)]


def encode(symbol):
    """Return the dot-dash codeword of ``symbol`` (a string of ``.`` and ``-``).

    Parameters
    ----------
    symbol : str
        One of :data:`SYMBOLS` or its ASCII spelling in :data:`ASCII_NAMES`.

    Returns
    -------
    codeword : str

    Examples
    --------
    >>> from sparsenn.datasets import encode
    >>> encode("R")
    '.-.'
    """
    if not isinstance(symbol, str):
        raise TypeError(f"symbol={symbol!r} must be a str (a codebook symbol)")
    for sym, code, ascii_name in CODEBOOK:
        if symbol in (sym, ascii_name):
            return code
    raise ValueError(f"symbol={symbol!r} is not in the 64-class Morse codebook")


def decode(codeword, *, class_order="published"):
    """Return the class indices whose codeword is ``codeword``.

    Parameters
    ----------
    codeword : str
        A string of ``.`` and ``-`` (anything else is an error).
    class_order : {"published", "codebook"}, default="published"
        The class order the indices refer to (see :func:`check_class_order`).

    Returns
    -------
    classes : list of int
        Usually one index; ``[1, 10]`` for ``-.--.`` (``Ĥ`` and ``(`` share it,
        in both orders); empty if the codeword is not in the codebook.

    Examples
    --------
    >>> from sparsenn.datasets import decode
    >>> decode(".-."), decode(".-.", class_order="codebook")
    ([49], [63])
    >>> decode("-.--.")
    [1, 10]
    """
    if not isinstance(codeword, str):
        raise TypeError(f"codeword={codeword!r} must be a str of '.' and '-'")
    if codeword.strip(".-"):
        raise ValueError(f"codeword={codeword!r} must be a str of '.' and '-' only")
    entries = codebook(class_order)
    return [i for i, entry in enumerate(entries) if entry[1] == codeword]


def relabel_morse(y, *, source="codebook", target="published"):
    """Map Morse class labels from one class order to another.

    Parameters
    ----------
    y : array-like of int, any shape
        Labels in 0..63, in the ``source`` order.
    source, target : {"published", "codebook"}, defaults "codebook" and "published"
        Class orders (see :func:`check_class_order`). The defaults map labels of
        sparsenn 0.1.0 (and of ``class_order="codebook"``) to the published order.

    Returns
    -------
    y_target : ndarray of int64, same shape as ``y``
        The same classes (symbols) as labels of the ``target`` order.

    Raises
    ------
    ValueError
        If an order is unknown or a label is outside 0..63.

    Notes
    -----
    Published label ``i`` is codebook label ``CODEBOOK_ORDER[i]``, so
    ``relabel_morse(y, source="published", target="codebook")`` is
    ``numpy.asarray(CODEBOOK_ORDER)[y]`` and the default direction is
    ``numpy.argsort(CODEBOOK_ORDER)[y]``.

    Examples
    --------
    >>> from sparsenn.datasets import SYMBOLS, codebook, relabel_morse
    >>> old = 63  # "R" in sparsenn 0.1.0 (codebook order)
    >>> codebook("codebook")[old][0], SYMBOLS[int(relabel_morse(old))]
    ('R', 'R')
    """
    check_class_order(source, "source")
    check_class_order(target, "target")
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise ValueError(
            f"y has dtype {labels.dtype}; Morse labels are integers in 0..63"
        )
    outside = labels[(labels < 0) | (labels >= len(CODEBOOK))]
    if outside.size:
        raise ValueError(f"y holds label {outside.flat[0]}; Morse labels are in 0..63")
    labels = labels.astype(np.int64)
    if source == target:
        return labels
    table = np.asarray(CODEBOOK_ORDER, dtype=np.int64)  # published -> codebook
    if source == "codebook":
        table = np.argsort(table)  # codebook -> published
    return table[labels]
