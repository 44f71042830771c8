"""The folders show the design: imports point one way and never go round in a circle.

Layers, lowest first (a module may import its own layer and the layers below, never above):

    core         sim: codes, rng, files, config, params, workers, population, kernels, metrics,
                 levers, engine, reference, employer_phases, agents, employers, recorder, cohorts,
                 start
    programmes   sim.programmes (see the model through `ModelView`, never import it)
    model        sim.model, sim.configuration, sim (the package)
    system       sim.system: presets and an ICS's own file, calibration
    runs         sim.runs: run folders, sweeps, the results store
    experiments  experiments: the programme comparison, sensitivity, benchmark
    commands     sim.commands: the command lines

`analysis` reads output files only: it imports nothing from `sim` or `experiments`.
Function-level and TYPE_CHECKING imports count: a circle of types is still a circle.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sim", "experiments", "analysis")
LAYERS = ("core", "programmes", "model", "system", "runs", "experiments", "commands")


def layer(module: str) -> str:
    if module.startswith("sim.commands"):
        return "commands"
    if module.startswith("experiments"):
        return "experiments"
    if module.startswith("sim.runs"):
        return "runs"
    if module.startswith("sim.system"):
        return "system"
    if module in ("sim", "sim.model", "sim.configuration"):
        return "model"
    if module.startswith("sim.programmes"):
        return "programmes"
    return "core"


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Project modules imported anywhere in the file (resolved to the longest known name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base]) if base else ".".join(up)
            # `from pkg import module` imports the module; `from pkg import name`, the package
            subs = [f"{base}.{a.name}" for a in node.names]
            names = [n for n in subs if n in known] or [base]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    g = {}
    for m, path in mods.items():
        deps = imports(path, m, known)
        if path.name == "__init__.py":  # a package re-exporting its children is not a circle
            deps = {d for d in deps if not d.startswith(m + ".")}
        g[m] = deps
    return g


def circles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles():
    assert circles(graph()) == []


def test_imports_point_down_the_layers():
    wrong = []
    for m, deps in graph().items():
        if m.startswith("analysis"):
            continue
        for d in deps:
            if not d.startswith("analysis") and LAYERS.index(layer(d)) > LAYERS.index(layer(m)):
                wrong.append(f"{m} ({layer(m)}) imports {d} ({layer(d)})")
    assert wrong == []


def test_analysis_reads_files_not_the_model():
    g = graph()
    wrong = [f"{m} imports {d}" for m, deps in g.items() if m.startswith("analysis")
             for d in deps if not d.startswith("analysis")]
    assert wrong == []


def test_programmes_do_not_import_the_model_or_its_engine():
    g = graph()
    wrong = [f"{m} imports {d}" for m, deps in g.items() if m.startswith("sim.programmes")
             for d in deps if d in ("sim", "sim.model", "sim.engine", "sim.reference")]
    assert wrong == []


def test_the_checks_can_fail():
    """A circle and an upward import are found when they exist."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert LAYERS.index(layer("sim.commands.wfsim")) > LAYERS.index(layer("sim.model"))
    assert layer("sim.kernels") == "core" and layer("sim.system.fit") == "system"
