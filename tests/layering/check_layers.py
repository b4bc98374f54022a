#!/usr/bin/env python3
"""Fails when an include goes the wrong way between Tsumiki's layers (README, "Layout").

Layers, bottom up: autograd (with ops/, detail/, debug/ inside), functional, nn, optim, data, io, distributed.
Rules:
  - autograd/ never includes functional/, nn/, optim/, data/, io/ or distributed/;
  - autograd/ops/ never includes functional/ (ops are primitives; composites sit above them);
  - only debug/ itself and the umbrella header include autograd/debug/;
  - nn/ never includes optim/, data/, io/ or distributed/; optim/ never includes nn/ (io/ joins them);
  - data/ and distributed/ include only autograd/ (public headers);
  - no installed header (any .hpp outside a detail/ folder) includes a detail/ header;
  - a quoted include resolves relative to the including file (so <prefix>/include is the only path needed);
  - a primitive in autograd/ops/ passes a registered name to apply(): TSUMIKI_PRIMITIVE, never a literal.
Usage: check_layers.py <source dir>
"""
import os
import re
import sys

LAYERS = ["autograd", "functional", "nn", "optim", "data", "io", "distributed"]
# What each layer may include besides itself.
ALLOWED = {
    "autograd": set(),
    "functional": {"autograd"},
    "nn": {"autograd", "functional"},
    "optim": {"autograd"},
    "data": {"autograd"},
    "io": {"autograd", "functional", "nn", "optim"},
    "distributed": {"autograd"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def resolve(root, including, target):
    """The repository path an include names, or None for a system header."""
    if target.startswith("tsumiki/"):
        return os.path.normpath(target[len("tsumiki/"):])
    candidate = os.path.normpath(os.path.join(os.path.dirname(including), target))
    if os.path.exists(os.path.join(root, candidate)):
        return candidate
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    errors = []
    checked = 0
    files = []
    for layer in LAYERS:
        for dirpath, _, names in os.walk(os.path.join(root, layer)):
            files += [os.path.relpath(os.path.join(dirpath, n), root) for n in names if n.endswith((".hpp", ".cpp"))]
    for path in sorted(files):
        layer = path.split(os.sep)[0]
        parts = path.split(os.sep)
        installed = path.endswith(".hpp") and "detail" not in parts
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        for lineno, line in enumerate(text.split("\n"), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = resolve(root, path, m.group(1))
            if target is None:
                if '"' in line.split("include", 1)[1]:
                    errors.append(f"{path}:{lineno}: \"{m.group(1)}\" does not resolve relative to the file; "
                                  "installed headers must work with only <prefix>/include on the path")
                continue
            checked += 1
            tparts = target.split(os.sep)
            tlayer = tparts[0]
            where = f"{path}:{lineno}: includes {target}"
            if tlayer in LAYERS and tlayer != layer and tlayer not in ALLOWED[layer]:
                errors.append(f"{where}: {layer}/ may not include {tlayer}/")
            if parts[:2] == ["autograd", "ops"] and tlayer == "functional":
                errors.append(f"{where}: a primitive may not include a composite")
            if tparts[:2] == ["autograd", "debug"] and parts[:2] != ["autograd", "debug"]:
                errors.append(f"{where}: only debug/ and tsumiki.hpp include autograd/debug/")
            if installed and "detail" in tparts:
                errors.append(f"{where}: an installed header may not include a detail/ header")
        if parts[:2] == ["autograd", "ops"] and path.endswith(".cpp"):
            for m in re.finditer(r'\bapply\(\s*"', text):
                lineno = text.count("\n", 0, m.start()) + 1
                errors.append(f"{path}:{lineno}: apply() with a literal name; define it once with TSUMIKI_PRIMITIVE")
    if checked == 0:
        errors.append("no include was checked: wrong source directory?")
    for e in errors:
        print(e)
    print(f"check_layers: {len(files)} files, {checked} includes checked, {len(errors)} wrong-way")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
