"""Write one reStructuredText API page per public package of a module tree."""

import importlib
import inspect
import os
import pkgutil


def public_modules(package):
    """Return the dotted names of ``package`` and its public subpackages/modules.

    A module is public when no component of its dotted name starts with ``_``
    and it defines ``__all__``.
    """
    names = [package.__name__]
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "__all__"):
            names.append(info.name)
    return sorted(names)


_SCALARS = (bool, int, float, complex, str, bytes, type(None))


def _key(obj, module, attr):
    """Identity of an exported object; plain values are their own (module, name)."""
    return (module, attr) if isinstance(obj, _SCALARS) else id(obj)


def canonical_homes(modules):
    """Map every exported object to the deepest module exporting it.

    Returns a function ``home(module_name, attr) -> module_name``.
    """
    homes = {}
    for name in sorted(modules, key=lambda m: m.count(".")):
        module = importlib.import_module(name)
        for attr in module.__all__:
            homes[_key(getattr(module, attr), name, attr)] = name  # deeper wins

    def home(name, attr):
        obj = getattr(importlib.import_module(name), attr)
        return homes[_key(obj, name, attr)]

    return home


def _directive(obj):
    if inspect.isclass(obj):
        return "autoclass", ["   :members:", "   :show-inheritance:"]
    if callable(obj):
        return "autofunction", []
    return "py:data", [f"   :type: {type(obj).__name__}", "", f"   {_describe(obj)}"]


def _describe(obj):
    """One line about a data object: its value if short, else its size and keys."""
    text = repr(obj)
    if len(text) <= 70:
        return f"Value: ``{text}``."
    if isinstance(obj, dict):
        keys = ", ".join(f"``{k!r}``" for k in list(obj)[:6])
        more = ", ..." if len(obj) > 6 else ""
        return f"A dict of {len(obj)} entries, keys {keys}{more}."
    if hasattr(obj, "__len__"):
        return f"A {type(obj).__name__} of {len(obj)} entries."
    return f"A {type(obj).__name__}."


def _page(name, homes):
    module = importlib.import_module(name)
    lines = [f"``{name}``", "=" * (len(name) + 4), ""]
    lines += [f".. automodule:: {name}", "   :no-members:", ""]
    for attr in module.__all__:
        obj = getattr(module, attr)
        home = homes(name, attr)
        if home != name:
            lines += [f"* ``{attr}``: see :py:obj:`{home}.{attr}`", ""]
            continue
        directive, options = _directive(obj)
        # py:data takes the name relative to the automodule's current module
        target = attr if directive == "py:data" else f"{name}.{attr}"
        lines += [f".. {directive}:: {target}", *options, ""]
    return "\n".join(lines)


def write_api_pages(package, folder):
    """Write ``folder/<module>.rst`` for every public module of ``package``.

    Pages of modules that no longer exist are removed; unchanged pages are not
    rewritten (so Sphinx rebuilds only what changed).
    """
    os.makedirs(folder, exist_ok=True)
    modules = public_modules(package)
    homes = canonical_homes(modules)
    wanted = {f"{name}.rst": _page(name, homes) for name in modules}
    for stale in set(os.listdir(folder)) - set(wanted):
        os.remove(os.path.join(folder, stale))
    for filename, text in wanted.items():
        path = os.path.join(folder, filename)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                if f.read() == text:
                    continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return modules
