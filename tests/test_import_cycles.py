"""No import cycles among asktell's modules at import time.

The graph is read from the source with `ast`: an edge for every import a
module runs when it is imported (module-level statements, also under
``if``/``try``/``with``, never under ``if TYPE_CHECKING``), to the modules of
the package it names. ``from pkg import sub`` where ``sub`` is a submodule
depends on ``sub`` only; the implicit import of a module's own parent
packages is no edge (every module would otherwise depend on the root).
"""

import ast
import pathlib

import asktell

PACKAGE = pathlib.Path(asktell.__file__).parent


def _modules(package_dir):
    """``{dotted name: (path, is_package)}`` of every module under ``package_dir``."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = (path, is_package)
    return modules


def _type_checking(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_imports(statements):
    for node in statements:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _type_checking(node):
                yield from _import_time_imports(node.body)
            yield from _import_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _import_time_imports(block)
        elif isinstance(node, ast.With):
            yield from _import_time_imports(node.body)


def import_graph(package_dir):
    """``{module: set of modules it imports at import time}`` for the package at ``package_dir``."""
    modules = _modules(package_dir)
    graph = {}
    for name, (path, is_package) in modules.items():
        here = name if is_package else name.rpartition(".")[0]
        deps = set()
        for node in _import_time_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names if alias.name in modules)
                continue
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            submodules = {f"{target}.{alias.name}" for alias in node.names} & set(modules)
            deps |= submodules
            if target in modules and len(submodules) < len(node.names):
                deps.add(target)
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_graph_finds_a_cycle_and_ignores_what_does_not_run_at_import(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .a import f\n")
    (pkg / "a.py").write_text("from .sub import b\n\ndef f():\n    from . import c\n")
    (pkg / "c.py").write_text("import typing\nif typing.TYPE_CHECKING:\n    from . import a\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("try:\n    from ..a import f\nexcept ImportError:\n    pass\n")
    graph = import_graph(pkg)
    assert graph["pkg"] == {"pkg.a"}
    assert graph["pkg.a"] == {"pkg.sub.b"}  # the import inside f() runs later
    assert graph["pkg.c"] == set()  # TYPE_CHECKING only
    assert graph["pkg.sub.b"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b"]]


def test_asktell_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert {"asktell.study", "asktell.study._study", "asktell._loop", "asktell.protocol"} <= set(graph)
    assert "asktell.study._study" in graph["asktell.study"]
    assert cycles(graph) == []
