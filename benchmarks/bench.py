"""bpdiag's speed measured against Graphviz alone, as whole processes.

    python benchmarks/bench.py [--runs 5] [--quick] [--json out.json]

(a)/(b)  `bpdiag render --all` (GraphML, SVG, PNG) against Graphviz alone laying out and
         drawing the same diagrams (one `dot -Tsvg -Tpng` run per diagram, one after another, on
         bpdiag's DOT of the column layout, which one dot run lays out: the default rows
         layout's DOT holds every position already, so dot would only draw it), for the default
         network and a deep one; runs interleaved, medians.
(c)      `bpdiag --help` start-up.
(d)      one back-propagation diagram (SVG + PNG) against torchviz drawing the same network's
         backward graph; only when torch and torchviz import (skipped otherwise).
(e)      the batch and unit views of growing networks, timed in-process by stage.

The bpdiag measured is the checkout this file belongs to (its src/ goes first on PYTHONPATH).
Standard library only; the torch side runs in the interpreter given by --torch-python.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

DEFAULT_LAYERS = "2,3,2,1"
DEEP_LAYERS = "4,8,8,8,8,8,8,8,1"

GOAL_DEFAULT = 1.5      # (a)/(b), default network
GOAL_DEEP = 0.8         # (a)/(b), deep network
GOAL_STARTUP = 0.15     # (c), seconds
GOAL_TORCHVIZ = 0.15    # (d), bpdiag / torchviz
GOAL_LINEAR = 1.5       # (e), per-layer cost at the deepest / at the shallowest network

WIDTHS = (2, 4, 8, 16)
DEPTHS = (3, 6, 12)


# --------------------------------------------------------------------------- helpers


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    if SRC.is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds one process takes, start to exit; fails loudly when it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise SystemExit(f"bench: {shlex.join(command)} failed ({done.returncode}): "
                         + " | ".join(detail))
    return elapsed


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT MET")


def dot_program() -> str:
    program = os.environ.get("BPDIAG_DOT") or shutil.which("dot")
    if not program:
        raise SystemExit("bench: Graphviz's dot is needed (install graphviz)")
    return program


def graphviz_version(dot: str) -> str:
    done = subprocess.run([dot, "-V"], capture_output=True, text=True)
    return (done.stderr or done.stdout).strip()


# --------------------------------------------------------------------------- (a)/(b)


def drawn_formats(bpdiag: list[str], env: dict[str, str], work: Path) -> str:
    """graphml,svg,png when this bpdiag writes GraphML, else svg,png (noted in the output)."""
    probe = subprocess.run([*bpdiag, "render", "--forward", "--format", "graphml",
                            "--out", str(work / "probe")], capture_output=True, env=env)
    return "graphml,svg,png" if probe.returncode == 0 else "svg,png"


def versus_graphviz(bpdiag: list[str], env: dict[str, str], dot: str, layers: str, formats: str,
                    runs: int, work: Path) -> dict:
    """(a) bpdiag render --all against (b) dot -Tsvg -Tpng per diagram, interleaved."""
    dot_dir = work / f"dot-{layers}"
    subprocess.run([*bpdiag, "render", "--all", "--layers", layers, "--format", "dot",
                    "--layout", "column", "--out", str(dot_dir)], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    sources = sorted(dot_dir.glob("*.dot"))
    out_a, out_b = work / "a", work / "b"
    out_b.mkdir(exist_ok=True)
    command_a = [*bpdiag, "render", "--all", "--layers", layers, "--format", formats,
                 "--out", str(out_a)]

    def run_a() -> float:
        shutil.rmtree(out_a, ignore_errors=True)
        return timed(command_a, env)

    def run_b() -> float:
        start = time.perf_counter()
        for source in sources:
            timed([dot, "-Tsvg", f"-o{out_b / source.stem}.svg", "-Tpng",
                   f"-o{out_b / source.stem}.png", str(source)])
        return time.perf_counter() - start

    run_a(), run_b()  # warm the caches (files, fonts) once, untimed
    times_a, times_b = [], []
    for index in range(runs):
        pair = (run_a, run_b) if index % 2 == 0 else (run_b, run_a)
        first, second = pair[0](), pair[1]()
        if index % 2 == 0:
            times_a.append(first), times_b.append(second)
        else:
            times_b.append(first), times_a.append(second)
    a, b = median(times_a), median(times_b)
    return {"layers": layers, "diagrams": len(sources), "formats": formats, "a_s": a, "b_s": b,
            "ratio": a / b, "runs_a": times_a, "runs_b": times_b}


# --------------------------------------------------------------------------- (c)


def startup(bpdiag: list[str], env: dict[str, str], runs: int) -> dict:
    bare = [sys.executable, "-c", "pass"]
    timed([*bpdiag, "--help"], env)
    helps, pythons = [], []
    for _ in range(max(runs, 5)):
        helps.append(timed([*bpdiag, "--help"], env))
        pythons.append(timed(bare, env))
    return {"help_s": median(helps), "python_s": median(pythons)}


# --------------------------------------------------------------------------- (d)

TORCH_SCRIPT = textwrap.dedent("""
    import sys
    import torch
    from torch import nn
    from torchviz import make_dot

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2), nn.ReLU(),
                          nn.Linear(2, 1), nn.Sigmoid())
    X, Y = torch.randn(5, 2), torch.randint(0, 2, (5, 1)).float()
    loss = nn.functional.binary_cross_entropy(model(X), Y)
    graph = make_dot(loss, params=dict(model.named_parameters()))
    for fmt in ("svg", "png"):
        graph.render(sys.argv[1], format=fmt, cleanup=True)
""")


def torch_python(requested: str | None) -> str | None:
    python = requested or sys.executable
    probe = subprocess.run([python, "-c", "import torch, torchviz"], capture_output=True)
    return python if probe.returncode == 0 else None


def versus_torchviz(bpdiag: list[str], env: dict[str, str], python: str, runs: int,
                    work: Path) -> dict:
    script = work / "torchviz_backward.py"
    script.write_text(TORCH_SCRIPT)
    command_t = [python, str(script), str(work / "torchviz" / "backward")]
    command_b = [*bpdiag, "render", "--to-layer", "1", "--format", "svg,png",
                 "--out", str(work / "one")]
    timed(command_t), timed(command_b, env)
    times_b, times_t = [], []
    for index in range(runs):
        if index % 2 == 0:
            times_b.append(timed(command_b, env)), times_t.append(timed(command_t))
        else:
            times_t.append(timed(command_t)), times_b.append(timed(command_b, env))
    b, t = median(times_b), median(times_t)
    return {"bpdiag_s": b, "torchviz_s": t, "ratio": b / t}


# --------------------------------------------------------------------------- (e)

STAGE_WORKER = textwrap.dedent("""
    import json, sys, time
    from bpdiag.diagrams import (DEFAULT_FORMATS, RenderOptions, dot_stage, export_stage,
                                 graphviz_formats)
    from bpdiag.export.render import run_dot
    from bpdiag.graph import build_graph
    from bpdiag.model import Network
    from bpdiag.views import View
    try:
        from bpdiag.graph import unit as unit_module
        unit_module.MAX_UNIT_NODES = 10 ** 9   # measured beyond the limit, to set it
    except ImportError:
        unit_module = None

    import bpdiag.export.render as render_module
    spent = [0.0]
    lay_out_each = getattr(render_module, "lay_out_each", None)

    def timed_lay_out(*args, **kwargs):
        start = time.perf_counter()
        try:
            return lay_out_each(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    if lay_out_each is not None:
        render_module.lay_out_each = timed_lay_out  # dot_stage imports it when it runs

    def measure(sizes, granularity, runs):
        network = Network(tuple(sizes), "relu", 0.01)
        view = View(1, granularity)
        options = RenderOptions()
        best = None
        for _ in range(runs):
            t = {}
            start = time.perf_counter()
            graph = build_graph(network, view)
            t["graph"] = time.perf_counter() - start
            start = time.perf_counter()
            spent[0] = 0.0
            dot, legend, title, profile = dot_stage(network, graph, options)
            source = dot.source
            t["layout"] = spent[0]  # the rows' layout and routing runs, inside the DOT stage
            t["dot"] = time.perf_counter() - start - spent[0]
            start = time.perf_counter()
            produced = run_dot(source, graphviz_formats(DEFAULT_FORMATS))
            t["graphviz"] = time.perf_counter() - start
            start = time.perf_counter()
            export_stage(graph, produced, DEFAULT_FORMATS, legend, title, profile)
            t["export"] = time.perf_counter() - start
            t["total"] = t["graph"] + t["dot"] + t["layout"] + t["graphviz"] + t["export"]
            if best is None or t["total"] < best["total"]:
                best = t
        best.update(nodes=graph.number_of_nodes(), edges=graph.number_of_edges(),
                    png_bytes=len(produced["png"]), graphml="graphml" in DEFAULT_FORMATS)
        return best

    def predicted(sizes, granularity):
        if granularity != "unit" or unit_module is None:
            return None
        return unit_module.unit_node_count(Network(tuple(sizes), "relu", 0.01), View(1, "unit"))

    request = json.loads(sys.argv[1])
    if request["what"] == "predict":
        print(json.dumps(predicted(request["sizes"], request["granularity"])))
    else:
        print(json.dumps(measure(request["sizes"], request["granularity"], request["runs"])))
""")


def stage_call(env: dict[str, str], request: dict, timeout: float | None = None) -> object:
    done = subprocess.run([sys.executable, "-c", STAGE_WORKER, json.dumps(request)],
                          capture_output=True, text=True, env=env, timeout=timeout)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit {done.returncode}"}
    return json.loads(done.stdout)


def growth(env: dict[str, str], widths: tuple[int, ...], depths: tuple[int, ...], runs: int,
           unit_max_nodes: int, timeout: float) -> dict:
    """Back-propagation to layer 1 (each network's largest diagram), batch and unit views."""
    has_unit = stage_call(env, {"what": "predict", "sizes": [2, 2, 1], "granularity": "unit"})
    rows = []
    for granularity in ("batch", "unit"):
        if granularity == "unit" and not isinstance(has_unit, int):
            rows.append({"granularity": "unit", "skipped": "the unit view is not in this bpdiag"})
            continue
        for width in widths:
            for depth in depths:
                sizes = [width] * depth + [1]
                row = {"granularity": granularity, "width": width, "depth": depth}
                if granularity == "unit":
                    count = stage_call(env, {"what": "predict", "sizes": sizes,
                                             "granularity": "unit"})
                    if isinstance(count, int) and count > unit_max_nodes:
                        row["skipped"] = f"{count} nodes > --unit-max-nodes {unit_max_nodes}"
                        rows.append(row)
                        continue
                try:
                    result = stage_call(env, {"what": "measure", "sizes": sizes,
                                              "granularity": granularity, "runs": runs},
                                        timeout=timeout)
                except subprocess.TimeoutExpired:
                    result = {"skipped": f"over {timeout:g} s"}
                row.update(result)
                rows.append(row)
    return {"rows": rows, "linear": linearity(rows, depths)}


def linearity(rows: list[dict], depths: tuple[int, ...]) -> dict:
    """Per width: (cost per layer at the deepest network) / (cost per layer at the shallowest),
    for everything bpdiag does itself and for Graphviz's layout; 1.0 is exactly linear."""
    result = {}
    low, high = min(depths), max(depths)
    for row_low in rows:
        if row_low.get("granularity") != "batch" or row_low.get("depth") != low or "total" not in row_low:
            continue
        row_high = next((r for r in rows if r.get("granularity") == "batch"
                         and r.get("width") == row_low["width"] and r.get("depth") == high
                         and "total" in r), None)
        if row_high is None:
            continue
        own = lambda r: r["graph"] + r["dot"] + r["export"]  # noqa: E731
        per_layer = lambda r, key: key(r) / r["depth"]  # noqa: E731
        result[row_low["width"]] = {
            "bpdiag": per_layer(row_high, own) / per_layer(row_low, own),
            "layout": per_layer(row_high, lambda r: r["layout"]) / per_layer(row_low, lambda r: r["layout"]),
            "nodes": (row_high["nodes"] / high) / (row_low["nodes"] / low),
            "graphviz": per_layer(row_high, lambda r: r["graphviz"]) / per_layer(row_low, lambda r: r["graphviz"]),
        }
    return result


# --------------------------------------------------------------------------- report


def report(results: dict) -> str:
    lines = []
    add = lines.append
    meta = results["meta"]
    add(f"bpdiag benchmark: {meta['runs']} runs each, medians, whole processes unless noted")
    add(f"  {meta['graphviz']}; Python {meta['python']}; {meta['cpus']} CPUs")
    add("")
    add("(a) bpdiag render --all  vs  (b) Graphviz alone: dot -Tsvg -Tpng per diagram, one after another")
    add(f"  {'network':<22}{'diagrams':>9}{'formats':>17}{'(a) s':>9}{'(b) s':>9}{'a/b':>7}   goal")
    for key, goal in (("default", GOAL_DEFAULT), ("deep", GOAL_DEEP)):
        row = results.get(key)
        if not row:
            continue
        ok = row["ratio"] <= goal
        add(f"  {row['layers']:<22}{row['diagrams']:>9}{row['formats']:>17}{row['a_s']:>9.2f}"
            f"{row['b_s']:>9.2f}{row['ratio']:>7.2f}   <= {goal}  {verdict(ok)}")
    if results.get("default", {}).get("formats") == "svg,png":
        add("  (this bpdiag does not write GraphML yet: (a) is measured with --format svg,png)")
    add("")
    if "startup" in results:
        row = results["startup"]
        add(f"(c) bpdiag --help: {row['help_s']:.3f} s   (python -c pass: {row['python_s']:.3f} s)"
            f"   goal <= {GOAL_STARTUP} s  {verdict(row['help_s'] <= GOAL_STARTUP)}")
        add("")
    row = results.get("torchviz")
    if row and "ratio" in row:
        add(f"(d) backprop to layer 1, SVG + PNG, 2,3,2,1: bpdiag {row['bpdiag_s']:.2f} s, "
            f"torchviz {row['torchviz_s']:.2f} s, ratio {row['ratio']:.2f}"
            f"   goal <= {GOAL_TORCHVIZ}  {verdict(row['ratio'] <= GOAL_TORCHVIZ)}")
    elif row:
        add(f"(d) skipped: {row['skipped']}")
    if row:
        add("")
    growth_result = results.get("growth")
    if growth_result:
        add("(e) back-propagation to layer 1 by view and network, in-process, best of runs, seconds")
        add("    graph = build the networkx graph; dot = legend + DOT text + placing the rows;")
        add("    layout = the runs laying out the rows and routing between them; graphviz = the run drawing")
        add("    SVG+PNG+layout; export = layout parsing + GraphML")
        add(f"  {'view':<6}{'width':>6}{'depth':>6}{'nodes':>7}{'edges':>7}{'graph':>8}{'dot':>8}"
            f"{'layout':>8}{'graphviz':>9}{'export':>8}{'total':>8}")
        for row in growth_result["rows"]:
            head = f"  {row['granularity']:<6}{row.get('width', ''):>6}{row.get('depth', ''):>6}"
            if "skipped" in row or "error" in row:
                add(f"{head}  skipped: {row.get('skipped') or row.get('error')}")
                continue
            add(f"{head}{row['nodes']:>7}{row['edges']:>7}{row['graph']:>8.3f}{row['dot']:>8.3f}"
                f"{row['layout']:>8.3f}{row['graphviz']:>9.3f}{row['export']:>8.3f}{row['total']:>8.3f}")
        if not any(row.get("graphml") for row in growth_result["rows"]):
            add("  (no GraphML exporter in this bpdiag: export is layout parsing only)")
        linear = growth_result["linear"]
        if linear:
            add("  batch view, cost per layer at the deepest network / at the shallowest (1.0 = linear):")
            worst = max(value["bpdiag"] for value in linear.values())
            for width, value in linear.items():
                add(f"    width {width:>2}: nodes {value['nodes']:.2f}, bpdiag's own work "
                    f"{value['bpdiag']:.2f}, Graphviz layout {value['layout']:.2f}, "
                    f"Graphviz layout+SVG+PNG {value['graphviz']:.2f}")
            whole = max(value["graphviz"] for value in linear.values())
            add(f"  goal: bpdiag's own work per layer <= {GOAL_LINEAR}x  "
                f"{verdict(worst <= GOAL_LINEAR)}; the whole Graphviz run per layer "
                f"<= {GOAL_LINEAR}x  {verdict(whole <= GOAL_LINEAR)}")
            add("  (Graphviz's drawing grows with the picture's area: the layers sit side by side, so")
            add("   a deeper diagram grows in width only)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="2 runs, smaller growth table (widths 2,8; depths 3,6)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this JSON file")
    parser.add_argument("--bpdiag", default=None,
                        help="command that runs bpdiag (default: this Python with -m bpdiag)")
    parser.add_argument("--torch-python", default=None,
                        help="interpreter with torch and torchviz for (d) (default: this one)")
    parser.add_argument("--only", default="abcde", help="which parts to run, e.g. 'ac' (default abcde)")
    parser.add_argument("--unit-max-nodes", type=int, default=1200,
                        help="(e) skips unit views predicted larger than this (default 1200)")
    parser.add_argument("--timeout", type=float, default=300, help="(e) seconds per measurement")
    args = parser.parse_args()

    runs = 2 if args.quick else max(1, args.runs)
    widths, depths = ((2, 8), (3, 6)) if args.quick else (WIDTHS, DEPTHS)
    env = child_env()
    bpdiag = shlex.split(args.bpdiag) if args.bpdiag else [sys.executable, "-m", "bpdiag"]
    dot = dot_program()
    results: dict = {"meta": {"runs": runs, "graphviz": graphviz_version(dot),
                              "python": platform.python_version(), "cpus": os.cpu_count(),
                              "bpdiag": shlex.join(bpdiag)}}
    with tempfile.TemporaryDirectory(prefix="bpdiag-bench-") as folder:
        work = Path(folder)
        if "a" in args.only or "b" in args.only:
            formats = drawn_formats(bpdiag, env, work)
            for key, layers in (("default", DEFAULT_LAYERS), ("deep", DEEP_LAYERS)):
                print(f"... (a)/(b) {layers}", file=sys.stderr)
                results[key] = versus_graphviz(bpdiag, env, dot, layers, formats, runs, work)
        if "c" in args.only:
            print("... (c) start-up", file=sys.stderr)
            results["startup"] = startup(bpdiag, env, runs)
        if "d" in args.only:
            python = torch_python(args.torch_python)
            if python is None:
                results["torchviz"] = {"skipped": "torch and torchviz are not installed "
                                                  "(see --torch-python)"}
            else:
                print("... (d) torchviz", file=sys.stderr)
                results["torchviz"] = versus_torchviz(bpdiag, env, python, runs, work)
        if "e" in args.only:
            print("... (e) growth", file=sys.stderr)
            results["growth"] = growth(env, widths, depths, min(runs, 3), args.unit_max_nodes,
                                       args.timeout)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
