"""The import structure of sim: no cycles, the physics layer looks only down, nothing imports the CLI or the face.

Read from the source with ``ast`` (nothing is imported), so a violation
fails here before it can show up as an import-order bug.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sim"
#: The physics layer in data-flow order: each may import the ones before it.
PHYSICS = ("loads", "interventions", "mechanics", "geometry", "canal", "compression", "referral", "claudication",
           "pipeline")
#: Leaves any module, physics included, may import.
FOUNDATION = {"layout", "params", "units", "errors", "about", "data", "jit", "postures"}
#: Compatibility shims: functions whose imports keep an old name working and are not dependencies.
SHIM_FUNCTIONS = {"__getattr__"}


def _modules():
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level:
        base = base[:len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))
    return node.module or ""


def imports(module: str):
    """(target module, line, inside a function, importing a name of the package face) per sim import."""
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    found = []

    def visit(node, in_function, in_shim):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, True, in_shim or child.name in SHIM_FUNCTIONS)
                continue
            if in_shim:
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name == "sim" or alias.name.startswith("sim."):
                        found.append((alias.name, child.lineno, in_function, alias.name == "sim"))
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, is_package, child)
                if target == "sim" or target.startswith("sim."):
                    for alias in child.names:
                        sub = f"{target}.{alias.name}"
                        if sub in MODULES:
                            found.append((sub, child.lineno, in_function, False))
                        else:
                            found.append((target, child.lineno, in_function, target == "sim"))
            visit(child, in_function, in_shim)

    visit(tree, False, False)
    return found


def _short(module):
    return module.split(".", 1)[1] if "." in module else module


def _graph():
    return {m: {t for t, *_ in imports(m) if t != m and t != "sim"} for m in MODULES if m != "sim"}


def test_no_import_cycle_among_sim_modules():
    graph = _graph()
    state, stack, cycles = {}, [], []

    def dfs(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t in graph and not state.get(t):
                dfs(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if not state.get(m):
            dfs(m)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(map(_short, c)) for c in cycles)


@pytest.mark.parametrize("stage", PHYSICS)
def test_physics_layer_imports_only_downwards(stage):
    allowed = FOUNDATION | set(PHYSICS[:PHYSICS.index(stage)])
    bad = [(_short(t), line) for t, line, *_ in imports(f"sim.{stage}") if _short(t).split(".")[0] not in allowed]
    assert not bad, f"sim.{stage} imports above its layer: {bad}"


def test_physics_layer_imports_at_module_level():
    bad = [(s, line) for s in PHYSICS for t, line, in_function, _ in imports(f"sim.{s}") if in_function]
    assert not bad, f"imports of sim modules inside functions in the physics layer: {bad}"


def test_library_never_imports_the_cli():
    bad = [(m, line) for m in MODULES if m not in ("sim.cli", "sim.__main__")
           for t, line, *_ in imports(m) if t == "sim.cli"]
    assert not bad, f"library modules importing sim.cli: {bad}"


def test_no_module_imports_the_package_face():
    bad = [(m, line) for m in MODULES if m != "sim" for _, line, _, face in imports(m) if face]
    assert not bad, f"modules importing the package face `sim`: {bad}"


def test_checker_sees_a_cycle_and_an_upward_import(tmp_path, monkeypatch):
    """The checks can fail: a planted cycle and an upward import are found."""
    (tmp_path / "sim").mkdir()
    (tmp_path / "sim" / "__init__.py").write_text("")
    (tmp_path / "sim" / "loads.py").write_text("from .engine import x\n")
    (tmp_path / "sim" / "engine.py").write_text("from . import loads\n")
    fake = {"sim": tmp_path / "sim" / "__init__.py", "sim.loads": tmp_path / "sim" / "loads.py",
            "sim.engine": tmp_path / "sim" / "engine.py"}
    monkeypatch.setattr(__import__(__name__), "MODULES", fake)
    with pytest.raises(AssertionError, match="loads -> engine -> loads|engine -> loads -> engine"):
        test_no_import_cycle_among_sim_modules()
    with pytest.raises(AssertionError, match="above its layer"):
        test_physics_layer_imports_only_downwards("loads")
