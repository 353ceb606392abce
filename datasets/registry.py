"""Verify or (re)write the checksums of the named Morse variants.

The registry is ``registry.json`` beside this script; the package reads the same
file (``sparsenn/datasets/registry.json`` is a relative symlink to it, copied into
wheels as a regular file).

Usage::

    python datasets/registry.py                    # check every variant
    python datasets/registry.py baseline noise-3   # check some variants
    python datasets/registry.py --max-samples 100000   # skip the full-size sets
    python datasets/registry.py --write            # recompute and store checksums

To add a variant, add an entry (description, family, grade, params, seed,
n_samples_per_class, "sha256": {}) to registry.json and run ``--write NAME``.
Changing the generator so that existing checksums change is a breaking change:
bump ``generator`` in the registry and say so in the changelog.
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

REGISTRY = Path(__file__).resolve().with_name("registry.json")
# check this checkout's generator, not whichever sparsenn happens to be installed
sys.path.insert(0, str(REGISTRY.parents[1]))

from sparsenn.datasets import generate_variant, morse_checksum  # noqa: E402
from sparsenn.datasets._registry import SUBSETS  # noqa: E402


def _dump(registry):
    text = json.dumps(registry, indent=2, ensure_ascii=False)
    # keep (min, max) ranges on one line
    text = re.sub(r"\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]", r"[\1, \2]", text)
    return text + "\n"


def _selected(registry, names):
    unknown = sorted(set(names) - set(registry["variants"]))
    if unknown:
        known = ", ".join(registry["variants"])
        raise SystemExit(f"unknown variants {unknown}; known: {known}")
    return names or list(registry["variants"])


def main(argv=None):
    """Check or rewrite the checksums; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="variants (default: all)")
    parser.add_argument("--write", action="store_true", help="store new checksums")
    parser.add_argument(
        "--max-samples",
        type=int,
        default=None,
        help="skip variants with more samples in total (e.g. the full-size sets)",
    )
    args = parser.parse_args(argv)
    registry = json.loads(REGISTRY.read_text(encoding="utf-8"))
    failures = 0
    print(f"{'variant':<16} {'subset':<6} {'samples':>8} {'seconds':>8}  status")
    for name in _selected(registry, args.names):
        entry = registry["variants"][name]
        total = 64 * sum(entry["n_samples_per_class"].values())
        if args.max_samples is not None and total > args.max_samples:
            print(f"{name:<16} {'-':<6} {total:>8} {'-':>8}  skipped")
            continue
        for subset in SUBSETS:
            start = time.perf_counter()
            digest = morse_checksum(*generate_variant(entry, subset))
            seconds = time.perf_counter() - start
            stored = entry["sha256"].get(subset)
            if args.write:
                status = "unchanged" if stored == digest else "WRITTEN"
                entry["sha256"][subset] = digest
            else:
                status = "ok" if stored == digest else "MISMATCH"
                failures += status != "ok"
            n = 64 * entry["n_samples_per_class"][subset]
            print(f"{name:<16} {subset:<6} {n:>8} {seconds:>8.2f}  {status}")
    if args.write:
        REGISTRY.write_text(_dump(registry), encoding="utf-8")
        print(f"wrote {REGISTRY}")
    elif failures:
        print(f"{failures} checksum mismatch(es)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
