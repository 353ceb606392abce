"""``sparsenn morse``: list the named Morse variants or write one to ``.npz``."""

import argparse
import os
import sys

from ..datasets._npz import write_morse_npz
from ..datasets._registry import SUBSETS, list_morse_variants, load_morse, morse_variant

__all__ = ["configure", "run"]

DESCRIPTION = """\
List the named Morse-code variants (without NAME; --list NAME lists only that
one), or write variant NAME to an .npz file with the six keys of the authors'
datasets: xtr, ytr (train), xva, yva (validation), xte, yte (test). Labels
follow the class order of the authors' published datasets
(sparsenn.datasets.CODEBOOK). By default frames are float32 and labels int64
class indices; --one-hot writes what the authors' tools (load_data.py,
dataset_metrics.py) read: float64 frames and one-hot float64 labels of shape
(n, 64), compressed. Read either back with sparsenn.datasets.load_morse_npz.
"""

EPILOG = """\
examples:
  sparsenn morse                                   list the variants
  sparsenn morse --list difficult                  list one variant
  sparsenn morse difficult -o difficult.npz --one-hot
  sparsenn morse baseline-small --subset test -o test.npz"""


def configure(parser):
    """Add the arguments, description and defaults of ``sparsenn morse``."""
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.set_defaults(_parser=parser)  # for usage errors found in run()
    parser.add_argument(
        "name", nargs="?", help="variant to write; without it, list the variants"
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list the variants instead of writing one (with NAME: only that one)",
    )
    parser.add_argument(
        "-o",
        "--output",
        help="output .npz file; '.npz' is appended if the name lacks it, as numpy "
        "does (default: NAME.npz in this folder)",
    )
    parser.add_argument(
        "--subset",
        choices=[*SUBSETS, "all"],
        default=None,
        help="subset to write (default: all, the three subsets)",
    )
    parser.add_argument(
        "--one-hot",
        action="store_true",
        help="write the authors' format: float64 frames, one-hot float64 labels "
        "(default: float32 frames, int64 labels)",
    )
    parser.add_argument(
        "--data-home",
        default=None,
        help="cache folder (default: $SPARSENN_DATA, else ~/sparsenn_data)",
    )


def _list(names=None):
    header = f"{'name':<16} {'family':<10} {'features':>8} {'train/val/test':>20}"
    print(header + "  description")
    for name, description in list_morse_variants().items():
        if names is not None and name not in names:
            continue
        entry = morse_variant(name)
        params = entry["params"]
        sizes = "/".join(f"{64 * entry['n_samples_per_class'][s]}" for s in SUBSETS)
        n_features = params["frame_length"] * params["dilation"]
        print(
            f"{name:<16} {entry['family']:<10} {n_features:>8} {sizes:>20}  "
            f"{description}"
        )
    return 0


def _name(name):
    """Return ``name`` after checking it is a registered variant."""
    morse_variant(name)
    return name


def _write_options(args):
    """Return the writing options given on the command line (for usage errors)."""
    given = {
        "-o/--output": args.output is not None,
        "--subset": args.subset is not None,
        "--one-hot": args.one_hot,
    }
    return [option for option, present in given.items() if present]


def _npz_name(output):
    """Return ``output`` with ``.npz`` appended when missing, saying so on stderr."""
    if output.endswith(".npz"):
        return output
    print(
        f"sparsenn morse: warning: {output!r} does not end in .npz; writing "
        f"{output + '.npz'!r} (as numpy.savez does)",
        file=sys.stderr,
    )
    return output + ".npz"


def _check_output(output):
    """Fail before generating anything if ``output`` cannot be written."""
    folder = os.path.dirname(os.path.abspath(output))
    if os.path.isdir(output):
        raise ValueError(f"output {output!r} is a folder; give a file name")
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write {output!r}: folder {folder!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"cannot write {output!r}: folder {folder!r} is not writable")


def _write(args):
    morse_variant(args.name)
    output = args.output or f"{args.name}.npz"
    _check_output(output)  # a folder is an error, not a name to extend
    named = _npz_name(output)
    if named != output:
        _check_output(named)
    output = named
    subsets = SUBSETS if args.subset in (None, "all") else (args.subset,)
    arrays = {
        subset: load_morse(
            args.name, subset=subset, data_home=args.data_home, return_X_y=True
        )
        for subset in subsets
    }
    tmp = f"{output}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            shapes = write_morse_npz(fh, arrays, one_hot=args.one_hot)
        os.replace(tmp, output)
    except OSError as exc:  # named by the user's path, not the temporary file
        raise ValueError(f"cannot write {output!r}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    listed = ", ".join(f"{key} {shape}" for key, shape in shapes.items())
    labels = "one-hot" if args.one_hot else "integer"
    print(f"wrote {output} ({labels} labels): {listed}")
    return 0


def run(args):
    """Run ``sparsenn morse``; return the exit status (2 for a user error)."""
    options = _write_options(args)
    if options and (args.list or args.name is None):
        verb = "needs" if len(options) == 1 else "need"
        problem = (
            "cannot be combined with --list (which only lists)"
            if args.list
            else f"{verb} a variant NAME to write"
        )
        args._parser.error(
            f"{', '.join(options)} {problem}; run `sparsenn morse` for the names"
        )
    try:
        if args.list or args.name is None:
            return _list(None if args.name is None else [_name(args.name)])
        return _write(args)
    except BrokenPipeError:
        raise  # a closed output pipe: the command's main() stops quietly
    except (ValueError, OSError) as exc:
        print(f"sparsenn morse: error: {exc}", file=sys.stderr)
        return 2
