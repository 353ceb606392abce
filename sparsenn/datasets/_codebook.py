"""The 64-class Morse codebook of the reference Morse-code datasets.

Class index = position in :data:`CODEBOOK` (the insertion order of the authors'
``Codebook.npy``). Classes 1 (``Ĥ``) and 10 (``(``) share the codeword ``-.--.``;
both are kept, so no classifier can exceed 63/64 + 1/128 ~ 98.4 % accuracy.
"""

__all__ = ["CODEBOOK", "SYMBOLS", "CODEWORDS", "ASCII_NAMES", "decode", "encode"]

# (symbol, codeword, ASCII spelling used as key in the reference Codebook.npy)
CODEBOOK = (
    ("Ĵ", ".---.", "J^"),
    ("Ĥ", "-.--.", "H^"),
    ("Ñ", "--.--", "N~"),
    ("CH", "----", "CH"),
    ("Ĝ", "--.-.", "G^"),
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
    ("B", "-...", "B"),
    ("E", ".", "E"),
    ("D", "-..", "D"),
    ("G", "--.", "G"),
    ("F", "..-.", "F"),
    ("I", "..", "I"),
    ("H", "....", "H"),
    ("K", "-.-", "K"),
    ("J", ".---", "J"),
    ("M", "--", "M"),
    ("L", ".-..", "L"),
    ("O", "---", "O"),
    ("N", "-.", "N"),
    ("Q", "--.-", "Q"),
    ("S", "...", "S"),
    ("U", "..-", "U"),
    ("T", "-", "T"),
    ("W", ".--", "W"),
    ("V", "...-", "V"),
    ("Y", "-.--", "Y"),
    ("X", "-..-", "X"),
    ("Z", "--..", "Z"),
    ("_", "..--.-", "_"),
    ("Ü", "..--", "U.."),
    ("Đ", "..--.", "D-"),
    ("Ö", "---.", "O.."),
    ("Ŝ", "...-.", "S^"),
    ("P", ".--.", "P"),
    ("Ä", ".-.-", "A.."),
    ("È", "..-..", "E`"),
    ("R", ".-.", "R"),
)

SYMBOLS = tuple(entry[0] for entry in CODEBOOK)
CODEWORDS = tuple(entry[1] for entry in CODEBOOK)
ASCII_NAMES = tuple(entry[2] for entry in CODEBOOK)


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
    for sym, code, ascii_name in CODEBOOK:
        if symbol in (sym, ascii_name):
            return code
    raise ValueError(f"symbol={symbol!r} is not in the 64-class Morse codebook")


def decode(codeword):
    """Return the class indices whose codeword is ``codeword``.

    Parameters
    ----------
    codeword : str
        A string of ``.`` and ``-``.

    Returns
    -------
    classes : list of int
        Usually one index; ``[1, 10]`` for ``-.--.`` (``Ĥ`` and ``(`` share it);
        empty if the codeword is not in the codebook.

    Examples
    --------
    >>> from sparsenn.datasets import decode
    >>> decode(".-.")
    [63]
    >>> decode("-.--.")
    [1, 10]
    """
    return [i for i, code in enumerate(CODEWORDS) if code == codeword]
