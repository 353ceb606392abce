"""The manifest of an export: its checksums and the files it owns.

``manifest.json`` lists the SHA-256 of every other file and carries the SHA-256
of its own canonical JSON (``manifest_sha256``). :func:`write_verilog` adds an
``rtl`` entry with the SHA-256 of the SystemVerilog files it generated under
``rtl/``, so that a later ``save`` knows which of them it owns. Every name a
manifest lists must resolve inside the export (:func:`inside`).
"""

import hashlib
import json
import pathlib

__all__ = [
    "ExportError",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MANIFEST_CHECKSUM",
    "check_manifest",
    "generated_rtl",
    "inside",
    "manifest_checksum",
    "record_rtl",
]

FORMAT_NAME = "sparsenn.fixedpoint"
FORMAT_VERSION = 2
#: Manifest entry holding the SHA-256 of the rest of the manifest.
MANIFEST_CHECKSUM = "manifest_sha256"


class ExportError(ValueError):
    """An export directory is missing a file, corrupted or inconsistent."""


def manifest_checksum(manifest):
    """SHA-256 of the manifest's canonical JSON, without its own checksum entry.

    Examples
    --------
    >>> from sparsenn.fixedpoint._manifest import manifest_checksum
    >>> manifest_checksum({"b": 1, "a": [2]}) == manifest_checksum({"a": [2], "b": 1})
    True
    """
    body = {k: v for k, v in manifest.items() if k != MANIFEST_CHECKSUM}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def generated_rtl(root, manifest):
    """Return the ``rtl/`` files :func:`write_verilog` generated, still unchanged.

    Parameters
    ----------
    root : pathlib.Path
        The export directory.
    manifest : dict
        Its (verified) manifest; its ``rtl`` entry lists the generated files.

    Returns
    -------
    list of pathlib.Path
        Those whose SHA-256 still matches (an edited file is not ours to delete).

    Raises
    ------
    ExportError
        If the entry names a file outside ``root``.
    """
    where = root / "manifest.json"
    rtl = _listing(manifest.get("rtl") or {}, "files", where)
    paths = {name: inside(root, name, where) for name in rtl}
    return [
        path
        for name, path in paths.items()
        if path.is_file() and _sha256(path) == rtl[name]
    ]


def record_rtl(root, manifest, top, files):
    """Add the generated ``rtl/`` files to the manifest and re-sign it.

    Parameters
    ----------
    root : pathlib.Path
        The export directory.
    manifest : dict
        Its verified manifest (updated in place).
    top : str
        Name of the top module.
    files : list of pathlib.Path
        The generated files, inside ``root / "rtl"``.
    """
    names = [path.relative_to(root).as_posix() for path in files]
    manifest["rtl"] = {"top": top, "files": _checksums(root, names)}
    if MANIFEST_CHECKSUM in manifest:  # format_version 1 has none
        manifest[MANIFEST_CHECKSUM] = manifest_checksum(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


def _listing(entry, key, where):
    """Return the ``{name: sha256}`` dict ``entry[key]`` (``{}`` if absent)."""
    listing = entry.get(key, {}) if isinstance(entry, dict) else None
    if not isinstance(listing, dict):
        raise ExportError(f"{where}: entry {key!r} is not a mapping of file names.")
    return listing


def inside(root, name, where):
    """``root / name`` after checking that it stays inside ``root``.

    Parameters
    ----------
    root : pathlib.Path
        The export directory.
    name : str
        A relative POSIX path from a manifest.
    where : pathlib.Path
        The manifest, named in the error.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ExportError
        If ``name`` is not a string, is absolute, contains ``..`` or resolves
        (through a symbolic link) outside ``root``.

    Examples
    --------
    >>> import pathlib
    >>> from sparsenn.fixedpoint._manifest import inside
    >>> inside(pathlib.Path("e"), "junction0/bias_bank000.mem", "m").as_posix()
    'e/junction0/bias_bank000.mem'
    >>> inside(pathlib.Path("e"), "../victim.txt", "m")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sparsenn.fixedpoint._manifest.ExportError: m: lists the file '../victim.txt', ...
    """
    rel = pathlib.PurePosixPath(name) if isinstance(name, str) else None
    bad = rel is None or rel.is_absolute() or ".." in rel.parts or not rel.parts
    path = root.joinpath(*rel.parts) if not bad else None
    if not bad:
        real_root = root.resolve()
        parent = path.parent.resolve()
        bad = parent != real_root and real_root not in parent.parents
    if bad:
        raise ExportError(
            f"{where}: lists the file {name!r}, which is not a path inside the "
            f"export folder {str(root)!r} (absolute, '..' or through a symbolic "
            f"link); refusing to replace this export (nothing was deleted)."
        )
    return path


def check_manifest(manifest, where):
    """Check a manifest's ``format_version`` and, from version 2, its checksum.

    Parameters
    ----------
    manifest : dict
    where : pathlib.Path
        The manifest file, named in the error.

    Returns
    -------
    int
        The format version (1 has no checksum to check).

    Raises
    ------
    ExportError
        If the version is not supported or the checksum does not match.
    """
    version = manifest.get("format_version")
    if version not in (1, FORMAT_VERSION):
        raise ExportError(
            f"{where}: format_version {version!r} is not supported "
            f"(this library reads 1 and {FORMAT_VERSION})."
        )
    stored = manifest.get(MANIFEST_CHECKSUM)
    if version != 1 and stored != manifest_checksum(manifest):
        raise ExportError(
            f"{where}: checksum mismatch ({MANIFEST_CHECKSUM} is {stored!r}, the "
            f"content gives {manifest_checksum(manifest)!r}); the manifest was "
            f"edited or corrupted."
        )
    return version


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _checksums(root, names):
    """SHA-256 of the files the export wrote (not of files added later, e.g. rtl/)."""
    return {name: _sha256(root / name) for name in sorted(names)}


def _read_manifest(root):
    path = root / "manifest.json"
    if not path.is_file():
        raise ExportError(f"{path}: missing; not a {FORMAT_NAME} export directory.")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: not valid JSON ({exc}).") from exc
    if not isinstance(manifest, dict):
        raise ExportError(f"{path}: expected a JSON object.")
    return manifest
