"""``sparsenn morse``: list the named Morse variants or write one to ``.npz``."""

import sys

import numpy as np

from ._registry import SUBSETS, list_morse_variants, load_morse, morse_variant

__all__ = ["configure", "run"]

# subset -> (key of X, key of y) in the written file: the reference datasets'
# six-key convention (labels are stored as integers, not one-hot)
NPZ_KEYS = {"train": ("xtr", "ytr"), "val": ("xva", "yva"), "test": ("xte", "yte")}


def configure(parser):
    """Add the arguments of ``sparsenn morse`` to ``parser``."""
    parser.add_argument(
        "name", nargs="?", help="variant to write; without it, list the variants"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the variants (also without NAME)"
    )
    parser.add_argument("-o", "--output", help="output .npz file (default: <name>.npz)")
    parser.add_argument(
        "--subset",
        choices=[*SUBSETS, "all"],
        default="all",
        help="subset to write (default: all three)",
    )
    parser.add_argument(
        "--data-home",
        default=None,
        help="cache folder (default: $SPARSENN_DATA or ~/sparsenn_data)",
    )


def _list():
    header = f"{'name':<16} {'family':<10} {'features':>8} {'train/val/test':>20}"
    print(header + "  description")
    for name, description in list_morse_variants().items():
        entry = morse_variant(name)
        params = entry["params"]
        sizes = "/".join(f"{64 * entry['n_samples_per_class'][s]}" for s in SUBSETS)
        n_features = params["frame_length"] * params["dilation"]
        print(
            f"{name:<16} {entry['family']:<10} {n_features:>8} {sizes:>20}  "
            f"{description}"
        )
    return 0


def run(args):
    """Run ``sparsenn morse``; returns the exit status."""
    if args.list or args.name is None:
        return _list()
    try:
        morse_variant(args.name)
    except ValueError as exc:
        print(f"sparsenn morse: {exc}", file=sys.stderr)
        return 2
    subsets = SUBSETS if args.subset == "all" else (args.subset,)
    arrays = {}
    for subset in subsets:
        X, y = load_morse(
            args.name, subset=subset, data_home=args.data_home, return_X_y=True
        )
        x_key, y_key = NPZ_KEYS[subset]
        arrays[x_key], arrays[y_key] = X, y
    output = args.output or f"{args.name}.npz"
    with open(output, "wb") as fh:
        np.savez(fh, **arrays)
    shapes = ", ".join(f"{k} {v.shape}" for k, v in arrays.items())
    print(f"wrote {output}: {shapes}")
    return 0
