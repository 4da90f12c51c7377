"""An import-linter contract: no app reaches into another app's pages or private parts.

Within ``container`` (``portico``), an app is ``portico.<app>``. A module of one app may not import
from another app:

- its views (``views`` or ``views_*`` modules): pages are reached by URL name, never called;
- its private names (``from portico.clients.views import _filters``) or private modules.

Tests are left out: they exercise whatever they need.
"""

from __future__ import annotations

import ast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


def _app(module: str, container: str) -> str | None:
    parts = module.split(".")
    if parts[0] != container or len(parts) < 2:
        return None
    return parts[1]


def _is_test(module: str) -> bool:
    return ".tests." in f"{module}." or module.endswith(".tests")


def _imported_names(line: str) -> list[str]:
    try:
        tree = ast.parse(line.strip().rstrip("\\").rstrip("("))
    except SyntaxError:
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names += [alias.name for alias in node.names]
    return names


class AppBoundariesContract(Contract):
    type_name = "app_boundaries"

    container = fields.StringField()

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        container = str(self.container)  # type: ignore[attr-defined]
        problems: list[str] = []
        for importer in sorted(graph.modules):
            importer_app = _app(importer, container)
            if importer_app is None or _is_test(importer):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                imported_app = _app(imported, container)
                if imported_app is None or imported_app == importer_app:
                    continue
                last = imported.split(".")[-1]
                if last == "views" or last.startswith("views_"):
                    problems.append(f"{importer} imports another app's views: {imported}")
                    continue
                if any(part.startswith("_") and not part.startswith("__") for part in imported.split(".")):
                    problems.append(f"{importer} imports another app's private module: {imported}")
                    continue
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    private = [n for n in _imported_names(detail["line_contents"]) if n.startswith("_")]
                    if private:
                        problems.append(
                            f"{importer}:{detail['line_number']} imports private names of {imported}: {private}"
                        )
        return ContractCheck(kept=not problems, metadata={"problems": problems})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for problem in check.metadata["problems"]:
            output.print_error(problem, bold=False)
            output.new_line()
