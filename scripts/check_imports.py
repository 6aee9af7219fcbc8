"""Check the first-party import graph: no cycles, layers respected, no guarded first-party imports.

Usage: ``python scripts/check_imports.py [--list-lazy] [ROOT]`` (ROOT defaults to the
repository root; ``--list-lazy`` also prints every function-level first-party import, which
should stay only where it defers a heavy dependency and says so in a comment).

Every ``.py`` file under the first-party packages (``samaudio_core``, ``tools``, ``agent``,
``prompts``) is parsed with :mod:`ast`, and every import in it is collected: module-level
*and* function-level (a lazy import still makes a cycle, it only hides it until run time).
Imports under ``if TYPE_CHECKING:`` are skipped (they never run). ``importlib.import_module``
with a constant name counts as an import; with a computed name, every string constant in the
file that names a first-party module counts (the tables such calls read from).

``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``.
Parent packages are not added as edges: importing ``a.b.c`` runs ``a/__init__`` too, but
counting that would make every package's re-exports a cycle with its own modules.

It fails (exit status 1) and says where, on:
- a cycle in the module graph (each printed as ``a -> b -> ... -> a`` with file:line of each edge);
- a layer violation: ``samaudio_core`` importing ``tools``, ``agent`` or ``prompts``;
  ``tools`` importing ``agent``; ``prompts`` importing ``tools`` or ``agent``
  (ARCHITECTURE.md: a core module never imports tools/ or agent/);
- ``try: import <first-party> ... except ImportError`` (or ``ModuleNotFoundError``): a
  first-party module is always there, so guarding it only hides real errors. Guards belong
  around optional third-party packages only.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

FIRST_PARTY = ("samaudio_core", "tools", "agent", "prompts")
#: top-level package -> top-level packages it must never import.
FORBIDDEN = {
    "samaudio_core": {"tools", "agent", "prompts"},
    "tools": {"agent"},
    "prompts": {"tools", "agent"},
}
#: Layer violations tolerated for now, each with the reason: (importer, imported) modules.
ALLOWED_EDGES: dict[tuple[str, str], str] = {
}
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    path: str
    line: int
    lazy: bool = False  # inside a function


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def collect_modules(root: Path) -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for pkg in FIRST_PARTY:
        for path in sorted((root / pkg).rglob("*.py")):
            if "__pycache__" not in path.parts:
                modules[module_name(root, path)] = path
    return modules


def _is_first_party(name: str) -> bool:
    return name.split(".", 1)[0] in FIRST_PARTY


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_dynamic_import(node: ast.Call) -> bool:
    f = node.func
    return (isinstance(f, ast.Attribute) and f.attr == "import_module") or (
        isinstance(f, ast.Name) and f.id in ("import_module", "__import__")
    )


class _Collector(ast.NodeVisitor):
    """Import targets of one file, each as (absolute module, line), plus guarded imports."""

    def __init__(self, module: str, is_package: bool, modules: dict[str, Path], tree: ast.AST) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.modules = modules
        self.targets: list[tuple[str, int, bool]] = []
        self.guarded: list[tuple[str, int]] = []  # first-party imports inside try/except ImportError
        self._guard_depth = 0
        self._function_depth = 0
        self._constants = {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in modules
        }

    def _resolve(self, name: str) -> str:
        """The module a dotted name lands on: the longest first-party prefix that is a module."""
        parts = name.split(".")
        while parts:
            cand = ".".join(parts)
            if cand in self.modules:
                return cand
            parts.pop()
        return name

    def _add(self, name: str, line: int) -> None:
        if not _is_first_party(name):
            return
        target = self._resolve(name)
        self.targets.append((target, line, self._function_depth > 0))
        if self._guard_depth:
            self.guarded.append((target, line))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._function_depth += 1
        self.generic_visit(node)
        self._function_depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for stmt in node.orelse:
                self.visit(stmt)
            return
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        catches = False
        for h in node.handlers:
            names = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type] if h.type else []
            catches |= any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)
        self._guard_depth += catches
        for stmt in node.body:
            self.visit(stmt)
        self._guard_depth -= catches
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".") if self.package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            prefix = ".".join([*base, node.module] if node.module else base)
        else:
            prefix = node.module or ""
        for alias in node.names:
            sub = f"{prefix}.{alias.name}"
            self._add(sub if sub in self.modules else prefix, node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        if _is_dynamic_import(node) and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                self._add(arg.value, node.lineno)
            else:
                # A computed name: assume any first-party module this file names may be imported.
                for name in sorted(self._constants):
                    self._add(name, node.lineno)
                if self._guard_depth:
                    self.guarded.append(("<computed module name>", node.lineno))
        self.generic_visit(node)


def build_graph(root: Path) -> tuple[dict[str, Path], list[Edge], list[str]]:
    """All modules, all first-party import edges, and problems found while collecting."""
    modules = collect_modules(root)
    edges: list[Edge] = []
    problems: list[str] = []
    for mod, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        col = _Collector(mod, path.name == "__init__.py", modules, tree)
        col.visit(tree)
        rel = str(path.relative_to(root))
        for target, line, lazy in col.targets:
            if target != mod:
                edges.append(Edge(mod, target, rel, line, lazy))
        for target, line in col.guarded:
            problems.append(
                f"{rel}:{line}: first-party import of {target} guarded by except ImportError "
                "(first-party modules are always present: import them plainly)"
            )
    return modules, edges, problems


def layer_violations(edges: list[Edge]) -> tuple[list[str], list[str]]:
    """(violations, allowlisted ones) as printable lines."""
    bad, allowed = [], []
    for e in edges:
        src_top, dst_top = e.src.split(".", 1)[0], e.dst.split(".", 1)[0]
        if dst_top in FORBIDDEN.get(src_top, set()):
            line = f"{e.path}:{e.line}: layer violation: {e.src} imports {e.dst}"
            reason = ALLOWED_EDGES.get((e.src, e.dst))
            (allowed if reason else bad).append(line + (f" (allowed: {reason})" if reason else ""))
    return bad, allowed


def find_cycles(edges: list[Edge]) -> list[tuple[list[str], list[Edge]]]:
    """For each strongly connected component with more than one module: its members and one
    shortest cycle through them (Tarjan's algorithm for the components, breadth-first search
    for the cycle). Breaking that cycle may leave others in the component: run again."""
    graph: dict[str, dict[str, Edge]] = {}
    for e in edges:
        graph.setdefault(e.src, {}).setdefault(e.dst, e)
        graph.setdefault(e.dst, {})
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def strongconnect(v: str) -> None:  # iterative, so deep graphs do not hit the recursion limit
        nonlocal counter
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        components.append(sorted(comp))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)

    cycles = []
    for comp in components:
        members = set(comp)
        start = comp[0]
        # Shortest path start -> ... -> start inside the component.
        prev: dict[str, str] = {}
        frontier = [start]
        found = None
        while frontier and found is None:
            nxt = []
            for u in frontier:
                for w in sorted(graph[u]):
                    if w not in members:
                        continue
                    if w == start:
                        found = u
                        break
                    if w not in prev:
                        prev[w] = u
                        nxt.append(w)
                if found is not None:
                    break
            frontier = nxt
        path = [start]
        node = found
        while node is not None and node != start:
            path.append(node)
            node = prev[node]
        path = [start, *reversed(path[1:])]
        cycles.append((comp, [graph[a][b] for a, b in zip(path, [*path[1:], start], strict=True)]))
    return cycles


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    list_lazy = "--list-lazy" in args
    args = [a for a in args if a != "--list-lazy"]
    root = Path(args[0]) if args else Path(__file__).resolve().parents[1]
    modules, edges, problems = build_graph(root)
    bad_layers, allowed = layer_violations(edges)
    cycles = find_cycles(edges)
    if list_lazy:
        for path, line, dst in sorted({(e.path, e.line, e.dst) for e in edges if e.lazy}):
            print(f"{path}:{line}: function-level import of {dst}")
    for line in allowed:
        print(line)
    for line in problems + bad_layers:
        print(line)
    for members, cyc in cycles:
        chain = " -> ".join([cyc[0].src, *(e.dst for e in cyc)])
        where = ", ".join(f"{e.path}:{e.line}" for e in cyc)
        print(f"import cycle: {chain}  ({where})")
        if len(members) > len(cyc):
            print(f"  (one of several among {len(members)} modules: {', '.join(members)})")
    failed = bool(problems or bad_layers or cycles)
    print(
        f"check_imports: {len(modules)} modules, {len(edges)} first-party imports, "
        f"{len(cycles)} cycle(s), {len(bad_layers)} layer violation(s), {len(problems)} guarded import(s)"
        + (" - FAILED" if failed else " - ok")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
