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


def canonical_homes(modules):
    """Map ``id(obj)`` of every exported object to the deepest module exporting it."""
    homes = {}
    for name in sorted(modules, key=lambda m: m.count(".")):
        module = importlib.import_module(name)
        for attr in module.__all__:
            homes[id(getattr(module, attr))] = name  # deeper modules win
    return homes


def _directive(obj):
    if inspect.isclass(obj):
        return "autoclass", ["   :members:", "   :show-inheritance:"]
    if callable(obj):
        return "autofunction", []
    return "autodata", ["   :no-value:"]


def _page(name, homes):
    module = importlib.import_module(name)
    lines = [f"``{name}``", "=" * (len(name) + 4), ""]
    lines += [f".. automodule:: {name}", "   :no-members:", ""]
    for attr in module.__all__:
        obj = getattr(module, attr)
        home = homes[id(obj)]
        if home != name:
            lines += [f"* ``{attr}``: see :py:obj:`{home}.{attr}`", ""]
            continue
        directive, options = _directive(obj)
        lines += [f".. {directive}:: {name}.{attr}", *options, ""]
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
