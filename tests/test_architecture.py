"""The domain packages depend one way (docs/shared DESIGN: core <- accounts <- programs <- catalog
<- orders <- payments; reports reads them all). Checked on the source with `ast`, so an import
hidden inside a function counts as much as one at the top of a file.

App-level modules may import every domain and no domain imports them: `marketplace/__init__.py`
(create_app wires the domains together) and `marketplace/demo.py` with `demo_sales.py`,
`demo_rows.py` and `demo_buyers.py` (`flask seed-demo` fills every domain with demonstration data,
as a script on top of the app would). `marketplace/extensions.py`
holds the unbound Flask extensions every layer uses and counts as core.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "marketplace"

# Which domains each domain may import. A domain missing here is a new package to place first.
ALLOWED = {
    "core": set(),
    "accounts": {"core"},
    "programs": {"core", "accounts"},
    "catalog": {"core", "accounts", "programs"},
    "orders": {"core", "accounts", "programs", "catalog"},
    "payments": {"core", "accounts", "programs", "catalog", "orders"},
    "reports": {"core", "accounts", "programs", "catalog", "orders", "payments"},
}
# May import anything; nothing in a domain imports them.
APP_LEVEL = {"marketplace", "marketplace.demo", "marketplace.demo_sales", "marketplace.demo_rows",
             "marketplace.demo_buyers"}
CORE_MODULES = {"marketplace.extensions"}  # top-level modules that belong to core


@dataclass(frozen=True)
class Import:
    source: str  # file, relative to the repository
    line: int
    importer: str  # module name
    imported: str  # module name
    in_function: bool

    def __str__(self):
        where = " (inside a function)" if self.in_function else ""
        return f"{self.source}:{self.line}: {self.importer} imports {self.imported}{where}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[Import]:
    """Every `import` and `from … import` of marketplace modules in PATH."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), str(path.relative_to(PACKAGE.parent)),
                      is_package=path.name == "__init__.py")


def imports_in(text: str, module: str, source: str, *, is_package: bool = False) -> list[Import]:
    """The imports of marketplace modules in TEXT, the code of MODULE, at any depth (functions,
    classes, if blocks), relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            names = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:  # relative: from . import x, from ..core import y
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    prefix = ".".join(base + ([child.module] if child.module else []))
                else:
                    prefix = child.module or ""
                # `from marketplace import catalog` imports the package marketplace.catalog
                names = [f"{prefix}.{alias.name}" for alias in child.names] if prefix == "marketplace" else [prefix]
            for name in names:
                if name == "marketplace" or name.startswith("marketplace."):
                    found.append(Import(source, child.lineno, module, name, in_function))
            visit(child, nested)

    visit(ast.parse(text, filename=source), False)
    return found


def domain_of(module: str) -> str | None:
    """'core', 'catalog', … for a module of a domain; None for an app-level module."""
    if module in APP_LEVEL:
        return None
    if module in CORE_MODULES:
        return "core"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def all_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in imports_of(path)]


def domain_edges() -> list[tuple[str, str, Import]]:
    """(importing domain, imported domain, where) for every import between two domains."""
    edges = []
    for imp in all_imports():
        source, target = domain_of(imp.importer), domain_of(imp.imported)
        if source and target and source != target:
            edges.append((source, target, imp))
    return edges


def test_every_domain_package_has_a_place_in_the_layers():
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    packages.discard("translations")
    unplaced = packages - set(ALLOWED)
    assert not unplaced, f"Place {sorted(unplaced)} in ALLOWED (and in the DESIGN's layers) first."


def test_domains_import_only_the_domains_below_them():
    wrong = [f"{imp}  [{source} -> {target}]" for source, target, imp in domain_edges()
             if target not in ALLOWED[source]]
    assert not wrong, "Imports against the direction of the domains:\n" + "\n".join(wrong)


def test_core_imports_no_domain():
    wrong = [str(imp) for source, target, imp in domain_edges() if source == "core"]
    assert not wrong, "core must import no domain:\n" + "\n".join(wrong)


def test_nothing_imports_reports_or_the_app_level_modules():
    wrong = [str(imp) for imp in all_imports()
             if domain_of(imp.importer) is not None
             and (imp.imported in APP_LEVEL or domain_of(imp.imported) == "reports")
             and domain_of(imp.importer) != "reports"]
    assert not wrong, "No domain imports reports, create_app or the demo seed:\n" + "\n".join(wrong)


def test_no_domain_imports_another_domains_views_or_api():
    wrong = [str(imp) for source, target, imp in domain_edges()
             if imp.imported.split(".")[2:3] in (["views"], ["api"])]
    assert not wrong, "A domain may use another's models and services, never its routes:\n" + "\n".join(wrong)


def find_cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    state: dict[str, str] = {}
    stack: list[str] = []

    def walk(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = walk(nxt)
                if cycle:
                    return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = walk(node)
            if cycle:
                return cycle
    return None


def test_no_circle_between_domains():
    edges = domain_edges()
    cycle = find_cycle({(s, t) for s, t, _imp in edges})
    if cycle:
        pairs = set(zip(cycle, cycle[1:]))
        lines = [str(imp) for s, t, imp in edges if (s, t) in pairs]
        pytest.fail(f"Circle between domains: {' -> '.join(cycle)}\n" + "\n".join(lines))


def test_the_import_walker_sees_hidden_and_relative_imports():
    """The check itself: an import inside a function, relative or absolute, is found and placed."""
    text = ("import marketplace.core.errors\n"
            "def f():\n    from marketplace.catalog.models import Shop\n"
            "class C:\n    def g(self):\n        from ..programs import services\n"
            "from . import models\n"
            "from marketplace import reports\n")
    found = {(imp.imported, imp.line, imp.in_function)
             for imp in imports_in(text, "marketplace.accounts.probe", "marketplace/accounts/probe.py")}
    assert found == {("marketplace.core.errors", 1, False), ("marketplace.catalog.models", 3, True),
                     ("marketplace.programs", 6, True), ("marketplace.accounts", 7, False),
                     ("marketplace.reports", 8, False)}
    assert [domain_of(name) for name, _, _ in sorted(found)] == \
        ["accounts", "catalog", "core", "programs", "reports"]


def test_a_backwards_import_is_reported_with_its_file_and_line():
    imp = imports_in("def f():\n    from marketplace.catalog.models import Shop\n",
                     "marketplace.programs.queries", "marketplace/programs/queries.py")[0]
    assert str(imp) == ("marketplace/programs/queries.py:2: marketplace.programs.queries imports "
                        "marketplace.catalog.models (inside a function)")
    assert "catalog" not in ALLOWED[domain_of(imp.importer)]
    assert find_cycle({("programs", "catalog"), ("catalog", "programs")}) in (
        ["catalog", "programs", "catalog"], ["programs", "catalog", "programs"])
