"""The dashboard: pick a system and programmes, run, and see the difference from the baseline.

A Solara page (`page`, module level, as Mesa's examples have it). Mesa's `SolaraViz` builds
its form from the model's constructor arguments and shows one live model; this page also
needs a file upload, parameters that appear when a programme is ticked, a paired baseline
on the same seeds, a run in the background that survives a reload, and downloads, so it is a
Solara component page of its own. The quick look is live (a 5% copy, stepped week by week,
the flow picture redrawn as it goes); every run, quick or full, is an ordinary run folder
that `wfsim-report` reads (`sim.commands.dashboard.runs`).
"""
from __future__ import annotations

import base64
import io
import os
import re
import time
from pathlib import Path

import pandas as pd
import solara

from analysis import differences, style
from analysis.experiment import programme_label
from sim.commands.dashboard import choices, job, runs
from sim.config import ConfigError

ROOT = Path(os.environ.get("WFSIM_DASHBOARD_RUNS", "outputs/dashboard"))
LIVE_EVERY_WEEKS = 8  # the live flow picture is redrawn every two months or so
POLL_SECONDS = 1.0

# What one browser tab has chosen and sees (Solara keeps these per tab).
system = solara.reactive("default")
system_file = solara.reactive(None)
file_message = solara.reactive("")
picked = solara.reactive([])
values = solara.reactive({})
baseline = solara.reactive(choices.BASELINE)   # a named scenario, or "" for the system as it stands
compared = solara.reactive("")                  # a named scenario to compare with it, or ""
years = solara.reactive(5)
n_seeds = solara.reactive(3)
first_seed = solara.reactive(0)
error = solara.reactive("")
live = solara.reactive({})
shown = solara.reactive("")
open_path = solara.reactive("")
tick = solara.reactive(0)


def current_choice(scale: float) -> choices.Choice:
    seeds = list(range(int(first_seed.value), int(first_seed.value) + int(n_seeds.value)))
    return choices.Choice(system.value, system_file.value, list(picked.value),
                          {k: dict(v) for k, v in values.value.items()}, int(years.value), seeds, scale,
                          baseline.value or None, compared.value or None)


def choice_label(choice: choices.Choice) -> str:
    """What is compared with the baseline, in words: a scenario and programmes by name."""
    parts = ([style.label(choice.scenario)] if choice.scenario else []) + [
        style.label(p) for p in choice.programmes]
    return " + ".join(parts) if parts else "Baseline (no programme)"


# --- the system ---------------------------------------------------------------------------
@solara.component_vue("csv_picker.vue")
def CsvPicker(label: str, event_pick=None):
    pass


def on_csv(info: dict) -> None:
    """Save the uploaded CSV and check it as `wfsim system=from_file` would; a bad file is
    refused with every problem listed, and the preset stays chosen."""
    from sim.system.build import load

    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(info.get("name") or "my_ics.csv").name)
    folder = ROOT / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / name).resolve()
    path.write_bytes(base64.b64decode(info.get("data") or ""))
    try:
        built = load(path)
    except ConfigError as err:
        system_file.value = None
        file_message.value = f"error: {err}"
        return
    system_file.value = path
    heads = sum(r.get("headcount", 0) for s in built.system["sectors"].values()
                for r in s.get("roles", {}).values())
    file_message.value = f"ok: {name}: {heads:,} staff; calibrated to its rates when first run"


@solara.component
def SystemPanel():
    with solara.Card("1. Your system", classes=["wf-system"]):
        solara.Select("Preset ICS", values=choices.presets(), value=system,
                      disabled=system_file.value is not None)
        CsvPicker(label="…or your own numbers: a CSV file (see configs/system/examples/example_ics.csv)",
                  event_pick=on_csv)
        if file_message.value.startswith("error"):
            solara.Error(file_message.value[len("error: "):], classes=["wf-file-error"])
        elif file_message.value:
            solara.Success(file_message.value[len("ok: "):], classes=["wf-file-ok"])
            solara.Button("Use the preset instead", text=True,
                          on_click=lambda: (system_file.set(None), file_message.set("")))


# --- what to compare ------------------------------------------------------------------------
def set_value(name: str, key: str, value) -> None:
    v = {k: dict(d) for k, d in values.value.items()}
    v.setdefault(name, {})[key] = value
    values.value = v


@solara.component
def ScenarioPanel():
    named = [c.name for c in choices.comparables(system.value) if c.kind == "scenario"]
    bases = {"": "The system as it stands", **{n: style.label(n) for n in named if n == choices.BASELINE}}
    others = {"": "None", **{n: style.label(n) for n in named if n not in bases}}
    with solara.Card("2. Policy", classes=["wf-scenario"]):
        solara.Select("Baseline", values=list(bases.values()), value=bases.get(baseline.value, bases[""]),
                      on_value=lambda v: baseline.set(next(k for k, x in bases.items() if x == v)))
        solara.Select("Scenario to compare (on top of current policy)", values=list(others.values()),
                      value=others.get(compared.value, "None"),
                      on_value=lambda v: compared.set(next(k for k, x in others.items() if x == v)))
        solara.Text("Scenario files: configs/scenario (each change with its source).",
                    classes=["wf-scenario-note"])


@solara.component
def ProgrammePanel():
    with solara.Card("3. Programmes to compare with the baseline", classes=["wf-programmes"]):
        for item in choices.comparables(system.value):
            if item.kind != "programme":
                continue  # the named scenarios are chosen above
            name = item.name
            on = name in picked.value

            def toggle(checked, name=name):
                picked.value = sorted({*picked.value, name} if checked else set(picked.value) - {name})

            with solara.Div(classes=[f"wf-prog-{name}"]):
                solara.Checkbox(label=style.label(name), value=on, on_value=toggle)
            if on:
                with solara.Column(style={"margin-left": "28px"}):
                    for p in choices.parameters(name):
                        ParameterInput(name, p)


@solara.component
def ParameterInput(name: str, p: choices.Parameter):
    current = values.value.get(name, {}).get(p.key, p.default)
    label = p.key.replace("_", " ").replace(".", ": ")
    rng = p.slider
    if rng is not None and p.whole:
        solara.SliderInt(label, value=int(current), min=int(rng[0]), max=int(rng[1]),
                         on_value=lambda v: set_value(name, p.key, int(v)))
    elif rng is not None:
        solara.SliderFloat(label, value=float(current), min=rng[0], max=rng[1], step=0.01,
                           on_value=lambda v: set_value(name, p.key, float(v)))
    elif p.whole:
        solara.InputInt(label, value=int(current), on_value=lambda v: set_value(name, p.key, v))
    else:
        solara.InputFloat(label, value=float(current), on_value=lambda v: set_value(name, p.key, v))


@solara.component
def RunPanel():
    with solara.Card("4. Years and seeds", classes=["wf-years"]):
        solara.SliderInt("Years", value=years, min=1, max=10)
        solara.SliderInt("Seeds (runs of each, paired with the baseline)", value=n_seeds, min=1, max=20)
        solara.InputInt("First seed", value=first_seed)
        last = first_seed.value + n_seeds.value - 1
        solara.Text(f"{years.value} years; seeds {first_seed.value} to {last}", classes=["wf-years-chosen"])


# --- running --------------------------------------------------------------------------------
def live_picture(model, title: str) -> bytes:
    """The flow picture of a model being stepped: its tables so far, drawn as a frame."""
    from PIL import Image

    from analysis import animate
    from analysis.load import Run, by_node_pair, role_changes

    cfg = model.config
    summary = {"sectors": {s: {"headcount_start": int(v)} for s, v in model.headcount_start.items()
                           if s in cfg.system.sectors},
               "manifest": {"system": cfg.system.name, "start_date": str(cfg.system.start_date),
                            "seed": cfg.seed, "years": cfg.years}}
    flows = model.flows()
    run = Run(Path("live"), model.timeseries(), by_node_pair(flows), summary, role_changes(flows))
    chart = animate.build_chart([run], [title], dpi=60, caption=title)
    buf = io.BytesIO()
    Image.fromarray(chart.frame(chart.n_months() - 1, model.week / 10)).save(buf, format="PNG")
    return buf.getvalue()


def quick_look() -> None:
    """Validate, then run the choice live (a 5% copy) and its paired baseline runs."""
    error.value = ""
    choice = current_choice(choices.QUICK_SCALE)
    try:
        planned = runs.validate(choice)
    except ConfigError as err:
        error.value = str(err)
        return
    # the live run is the choice itself on the first seed: put it first
    planned = sorted(planned, key=lambda r: (r[0] == "baseline", r[1]))
    folder = runs.start(ROOT, "quick", choice)
    title = choice_label(choice)
    started = time.perf_counter()
    live.value = {"folder": str(folder), "week": 0, "weeks": planned[0][3].years * 52,
                  "run": 1, "runs": len(planned), "png": None, "title": title}

    def on_week(model, i):
        state = {**live.value, "week": model.week, "run": i + 1}
        if i == 0 and model.week % LIVE_EVERY_WEEKS == 0:
            state["png"] = live_picture(model, title)
        live.value = state

    try:
        runs.run_all(folder, planned, on_week)
    except Exception as err:
        error.value = f"the run failed: {err}"
        return
    live.value = {**live.value, "done": True, "seconds": round(time.perf_counter() - started, 1)}
    shown.value = str(folder)


quick_task = solara.lab.task(quick_look, prefer_threaded=True)


def full_run() -> None:
    error.value = ""
    choice = current_choice(1.0)
    try:
        runs.validate(choice)  # nothing starts on a bad choice
    except ConfigError as err:
        error.value = str(err)
        return
    folder = runs.start(ROOT, "full", choice)
    job.launch(folder)
    tick.value += 1


@solara.component
def QuickLook():
    state = live.value
    with solara.Card("Quick look: a 5% copy of the system, live", classes=["wf-quick"]):
        with solara.Row():
            solara.Button("Run a quick look", color="primary", on_click=quick_task,
                          disabled=quick_task.pending, classes=["wf-run-quick"])
            solara.Button("Start the full run in the background", on_click=full_run,
                          classes=["wf-run-full"])
        if error.value:
            solara.Error(error.value, classes=["wf-error"])
        if state:
            frac = (state["run"] - 1 + state["week"] / max(state["weeks"], 1)) / state["runs"]
            solara.ProgressLinear(value=100 * min(frac, 1.0))
            solara.Text(f"Run {state['run']} of {state['runs']} (the first is shown live), week "
                        f"{state['week']} of {state['weeks']}"
                        + (f" — done in {state['seconds']} s" if state.get("done") else ""),
                        classes=["wf-quick-status" + (" wf-quick-done" if state.get("done") else "")])
            if state.get("png"):
                solara.Image(state["png"], classes=["wf-live-picture"])


def poll() -> None:
    """While a full run is going, re-read the run folders every second."""
    while any(not s.finished for s in runs.listing(ROOT)):
        time.sleep(POLL_SECONDS)
        tick.value += 1


@solara.component
def FullRuns():
    tick.value  # noqa: B018 - re-read the folders when the poller ticks
    listing = [s for s in runs.listing(ROOT) if s.kind == "full"]
    going = tuple(str(s.folder) for s in listing if not s.finished)
    solara.use_thread(poll, dependencies=[going])
    with solara.Card("Full runs (they go on if this page is closed or reloaded)", classes=["wf-full"]):
        if not listing:
            solara.Text("None yet.")
        for s in listing[:8]:
            what = choice_label(s.choice) if s.choice else s.folder.name
            with solara.Row(classes=["wf-full-run"]):
                solara.Text(f"{s.folder.name}: {what} — {s.status}")
                if not s.finished:
                    solara.ProgressLinear(value=100 * s.fraction, classes=["wf-full-progress"])
                elif s.status == "done":
                    solara.Button("Show", text=True, on_click=lambda f=str(s.folder): shown.set(f))
                elif s.error:
                    solara.Text(s.error)
        with solara.Row():
            solara.InputText("Open a finished sweep or run folder", value=open_path)
            solara.Button("Open", on_click=lambda: shown.set(open_path.value.strip()),
                          classes=["wf-open"])


# --- results ----------------------------------------------------------------------------------
def comparison_of(folder: Path) -> pd.DataFrame:
    file = folder / "comparison.parquet"
    if file.exists():
        return pd.read_parquet(file)
    from experiments.compare import compare

    return compare(folder)


@solara.component
def Results(folder: str):
    path = Path(folder)
    try:
        table = comparison_of(path)
    except (FileNotFoundError, ValueError, OSError) as err:
        solara.Error(f"{folder}: {err}", classes=["wf-error"])
        return
    names = differences.scenarios(table)
    if not names:
        solara.Info("Only baseline runs in this folder: nothing to compare.")
        return
    which, set_which = solara.use_state(names[0])
    which = which if which in names else names[0]
    label = "the programmes chosen" if which == "all" else programme_label(which)
    head = differences.headline(table, which)
    sectors = differences.by_sector(table, which)
    with solara.Card(f"Difference from the baseline: {label}", classes=["wf-results"]):
        if len(names) > 1:
            solara.Select("Scenario", values=names, value=which, on_value=set_which)
        n = int(head["n_seeds"].max()) if len(head) else 0
        year = head["year"].dropna().max() if len(head) else ""
        solara.Markdown(f"Mean difference over {n} seeds, each paired with the baseline on the same "
                        f"seed, with its 90% interval; year {year} for yearly measures. Folder: `{path}`")
        solara.HTML(tag="div", unsafe_innerHTML=differences.html_table(head), classes=["wf-diff-table"])
        solara.Markdown("**Staff in post by sector** (spill-over: the sectors the programme does not target)")
        solara.HTML(tag="div", unsafe_innerHTML=differences.html_table(sectors, "wf-sectors"))
        solara.FigureMatplotlib(differences.staff_chart(table, which, label), format="png")
        Downloads(path, head, sectors, table)


def animation_bytes(folder: Path) -> bytes:
    from analysis import animate
    from analysis.load import load_run
    from analysis.scenarios import scenario

    numbered = sorted((p for p in folder.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    base = next(p for p in numbered if not scenario(p))
    other = next((p for p in numbered if scenario(p)), None)
    chosen = [load_run(base)] + ([load_run(other)] if other else [])
    titles = ["Baseline"] + ([style.scenario_label(scenario(other))] if other else [])
    out = animate.render(chosen, folder / "flows_dashboard", formats=("html",), titles=titles)
    return out[0].read_bytes()


def report_bytes(folder: Path) -> bytes:
    from analysis.report import write_report

    return write_report(folder).read_bytes()


@solara.component
def Downloads(folder: Path, head: pd.DataFrame, sectors: pd.DataFrame, table: pd.DataFrame):
    on_screen = pd.concat([head.assign(table="headline"), sectors.assign(table="by_sector")],
                          ignore_index=True).to_csv(index=False).encode()
    with solara.Row(classes=["wf-downloads"], style={"flex-wrap": "wrap"}):
        solara.FileDownload(on_screen, filename="differences.csv", label="Tables on screen (CSV)")
        solara.FileDownload(table.to_csv(index=False).encode(), filename="comparison.csv",
                            label="Full comparison (CSV)")
        solara.FileDownload(lambda: report_bytes(folder), filename="report.html",
                            label="Board report (HTML)")
        solara.FileDownload(lambda: animation_bytes(folder), filename="flows.html",
                            label="Animation (HTML, step through)")


@solara.component
def Dashboard():
    solara.Title("wfsim dashboard")
    with solara.AppBar():
        solara.AppBarTitle("wfsim: the workforce of an integrated care system")
    with solara.Sidebar():
        SystemPanel()
        ScenarioPanel()
        ProgrammePanel()
        RunPanel()
    solara.Markdown("Pick a system, a policy and programmes on the left, then run a **quick look** "
                    "(a 5% copy, seconds) or the **full run** in the background. Every result is the "
                    "difference from the baseline on the same seeds.")
    QuickLook()
    FullRuns()
    if shown.value:
        Results(shown.value)


page = Dashboard()
