"""The `bpdiag` command: parses options and calls the library; no logic of its own."""

from __future__ import annotations

import functools
import inspect
import json
import os
import signal
import sys
import threading
from pathlib import Path

import click

from . import __version__
from .errors import STOP_SIGNALS, BpdiagError
from .layouts import DEFAULT_LAYOUT, LAYOUTS
from .layouts import HELP as LAYOUT_HELP
from .model import (DEFAULT_LEAKY_SLOPE, DEFAULT_M, DEFAULT_OUTPUT, DEFAULT_SIZES_FOR,
                    HIDDEN_ACTIVATIONS, OUTPUTS, Network, parse_sizes)
from .views import DEFAULT_GRANULARITY, GRANULARITIES

EXPLAIN_FORMATS = ("text", "markdown", "latex")  # bpdiag.explanation.FORMATS, without importing it


class _Group(click.Group):
    """Every failure becomes one line on stderr and an exit code: 2 for bad input, 1 otherwise,
    128 + N for signal N (129 SIGHUP, 130 Ctrl-C, 143 SIGTERM); never a traceback
    (BPDIAG_DEBUG=1 shows one for a bug)."""

    def _help_hint(self, exc: click.UsageError, args, kwargs) -> str:
        """Where the help is: the command's own, also for an error click's parser raises
        before the command has a context (an option missing its value)."""
        if exc.ctx is not None:
            return f" (see '{exc.ctx.command_path} --help')"
        argv = kwargs.get("args", args[0] if args else None)
        argv = sys.argv[1:] if argv is None else list(argv)
        command = next((word for word in argv if word in self.commands), None)
        return f" (see 'bpdiag {command} --help')" if command else " (see 'bpdiag --help')"

    def main(self, *args, **kwargs):  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            if sys.stdout is None:  # started with stdout closed (`bpdiag check >&-`)
                raise StdoutError("standard output is closed; give bpdiag one, e.g. "
                                  "'> /dev/null' or '> file'")
            code = super().main(*args, **kwargs)
            _flush_stdout()
        except _NO_ARGS as exc:  # plain `bpdiag`: the help, as click shows it (exit 2)
            exc.show()
            sys.exit(exc.exit_code)
        except Interrupted as exc:
            _fail(f"interrupted ({exc.signal_name}); every file written is complete, "
                  "the others were not written", exc.exit_code)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt):
                _fail("interrupted (Ctrl-C); every file written is complete, the others were "
                      "not written", 130)
            _fail("aborted", 1)
        except click.UsageError as exc:
            _fail(exc.format_message() + self._help_hint(exc, args, kwargs), 2)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except BpdiagError as exc:  # bad data lists each mismatch on a line of its own
            _fail_lines(getattr(exc, "lines", [str(exc)]), exc.exit_code)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except StdoutError as exc:
            _drop_stdout()
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted (Ctrl-C); every file written is complete, the others were "
                  "not written", 130)
        except MemoryError:
            _fail("out of memory; draw or check a smaller network", 1)
        except OSError as exc:  # the system refused something no check foresaw: not a bug
            where = f" ({exc.filename})" if exc.filename else ""
            _fail(f"{exc.strerror or exc}{where}; check the files and folders involved and run "
                  "again", 1)
        except Exception as exc:  # a bug: still one line, with what to report
            if os.environ.get("BPDIAG_DEBUG"):
                raise
            _fail(f"internal error {type(exc).__name__}: {exc}; please report it with the "
                  "command line (BPDIAG_DEBUG=1 shows the traceback)", 1)
        sys.exit(code if isinstance(code, int) else 0)


# click >= 8.2 raises this for a group called without a command; older clicks print the help
_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP, raised in the main thread so that cleanup (`finally`) runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        self.exit_code = 128 + signum


def _raise_interrupted(signum, frame):  # noqa: ARG001 - signal handler signature
    raise Interrupted(signum)


_REDELIVERIES = 50  # how often a swallowed interrupt is delivered again before giving up


def _keep_interrupts(unraisable) -> None:
    """sys.unraisablehook: an interrupt raised inside a callback Python cannot raise from (a
    weakref or __del__) would be printed with a traceback and lost; deliver it again instead,
    so that it surfaces in ordinary code and cleanup still runs."""
    global _REDELIVERIES
    if isinstance(unraisable.exc_value, Interrupted) and _REDELIVERIES > 0:
        _REDELIVERIES -= 1
        # from another thread, a moment later: the main thread has left the callback by then
        resend = threading.Timer(0.001, os.kill, (os.getpid(), unraisable.exc_value.signum))
        resend.daemon = True
        resend.start()
        return
    sys.__unraisablehook__(unraisable)


class StdoutError(BpdiagError):
    """What bpdiag prints could not be written (a full disk, a closed standard output)."""


def _echo(text: str) -> None:
    """click.echo to standard output; a failure to write it is a StdoutError, not a bug."""
    try:
        click.echo(text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _stdout_error(exc) from None


def _echo_json(value) -> None:
    """One JSON object on standard output, written as it is encoded: with an assignment-sized
    --data (X of 12288 × 209) the text is over 100 MB, and is never held whole in memory."""
    out = sys.stdout
    try:
        buffer: list[str] = []
        for chunk in json.JSONEncoder(indent=2).iterencode(value):
            buffer.append(chunk)
            if len(buffer) >= 4096:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer) + "\n")
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _stdout_error(exc) from None


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _stdout_error(exc) from None


def _stdout_error(exc: OSError) -> StdoutError:
    return StdoutError(f"could not write to standard output ({exc.strerror or exc}); free some "
                       "space or send the output elsewhere")


def _drop_stdout() -> None:
    """Point standard output at the null device, so that Python's flush at exit cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass


def _quiet_broken_pipe() -> None:
    """The reader went away (`bpdiag check | head`): stop quietly, like other Unix tools."""
    _drop_stdout()
    sys.exit(1)


def _fail(message: str, code: int) -> None:
    _fail_lines([message], code)


def _fail_lines(messages: list[str], code: int) -> None:
    try:
        for message in messages:
            click.echo(f"bpdiag: error: {' '.join(message.split())}", err=True)
    except (BrokenPipeError, OSError):
        pass
    sys.exit(code)


def _warn(message: str) -> None:
    click.echo(f"bpdiag: warning: {' '.join(message.split())}", err=True)


def _given(name: str) -> bool:
    """Whether the option `name` was typed on the command line (not its default)."""
    ctx = click.get_current_context()
    return ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE


def data_option(help_text: str):
    return click.option("--data", "data_file", type=click.Path(path_type=Path), default=None,
                        metavar="FILE.npz", help=help_text)


def _load_data(data_file: Path, network: Network, *, instead_of: tuple[str, ...] = ("seed", "m")):
    """The problem in --data, on the network's activations; its layers must be those of
    --layers or --spec when either is given. --seed and --m describe drawn data, so they
    cannot go with it."""
    from .npzdata import load_data

    if network.dropout:  # --seed seeds the dropout masks a file does not hold
        instead_of = tuple(name for name in instead_of if name != "seed")
    clash = [f"--{name}" for name in instead_of if _given(name)]
    if clash:
        raise click.UsageError(f"--data gives the examples, so {', '.join(clash)} cannot apply; "
                               f"drop {' and '.join(clash)}")
    layers = network.sizes if _given("layers") or _given("spec_file") else None
    seed = click.get_current_context().params.get("seed") or 0
    data = load_data(data_file, hidden_activation=network.hidden_activation,
                     leaky_slope=network.leaky_slope, output=network.output, layers=layers,
                     batch_norm=network.batch_norm, l2=network.l2, keep_prob=network.keep_prob,
                     mask_seed=seed)
    for line in data.warnings:
        _warn(line)
    return data


NETWORK_FLAGS = {"layers": "--layers", "hidden_activation": "--hidden-activation",
                 "leaky_slope": "--leaky-slope", "output": "--output", "batch_norm": "--batch-norm",
                 "l2": "--l2", "keep_prob": "--keep-prob"}


def network_options(command):
    """--spec or --layers, --hidden-activation, --leaky-slope, --output, --batch-norm, --l2 and
    --keep-prob, turned into a `network` argument.

    A spec file describes the whole network, so giving it with any of the network options is
    a usage error. A command with a `spec` parameter also receives the loaded Spec (or None), for
    the legend text the file may carry.
    """
    wants_spec = "spec" in inspect.signature(command).parameters
    spec_keys = ("layers, hidden_activation, leaky_slope, output, batch_norm, l2, keep_prob"
                 + (", title, licence, notation" if wants_spec else ""))

    @functools.wraps(command)
    def wrapper(*args, layers, hidden_activation, leaky_slope, output, spec_file, batch_norm, l2,
                keep_prob, **kwargs):
        spec = None
        if spec_file is not None:
            ctx = click.get_current_context()
            given = [flag for name, flag in NETWORK_FLAGS.items()
                     if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]
            if given:
                raise click.UsageError(f"--spec describes the network; drop {', '.join(given)} "
                                       "or drop --spec")
            from .spec import read_spec
            spec = read_spec(spec_file)
            network = spec.network
        else:
            ctx = click.get_current_context()
            slope_given = ctx.get_parameter_source("leaky_slope") == click.core.ParameterSource.COMMANDLINE
            if slope_given and hidden_activation != "leaky_relu":
                raise click.UsageError("--leaky-slope applies to --hidden-activation leaky_relu "
                                       f"only, not {hidden_activation}; drop one of them")
            if layers is None:  # with --data the W shapes give the sizes (npzdata)
                sizes = DEFAULT_SIZES_FOR[output.lower()]  # (a click.Choice: one of OUTPUTS)
            else:
                sizes = parse_sizes(layers)
            network = Network(sizes, hidden_activation, leaky_slope, output, batch_norm, l2,
                              keep_prob)
        if wants_spec:
            kwargs["spec"] = spec
        return command(*args, network=network, **kwargs)

    options = [
        click.option("--spec", "spec_file", type=click.Path(path_type=Path, dir_okay=False),
                     metavar="FILE.toml",
                     help=f"The network from a TOML file ({spec_keys}); not with "
                          "--layers/--hidden-activation/--leaky-slope/--output/--batch-norm/"
                          "--l2/--keep-prob."),
        click.option("--layers", default=None, metavar="N0,N1,...,1",
                     help="Units per layer n[0..L]; the last is 1 for --output sigmoid, the "
                          "number of classes C >= 2 for softmax. [default: 2,3,2,1; 2,3,2,3 for "
                          "softmax; with --data, from its W shapes]"),
        click.option("--hidden-activation", type=click.Choice(HIDDEN_ACTIVATIONS, case_sensitive=False), default="relu",
                     show_default=True, help="g[l] of the hidden layers (the output's: --output)."),
        click.option("--leaky-slope", type=float, default=DEFAULT_LEAKY_SLOPE, show_default=True,
                     help="Slope α of leaky_relu for z < 0."),
        click.option("--output", type=click.Choice(OUTPUTS, case_sensitive=False),
                     default=DEFAULT_OUTPUT, show_default=True,
                     help="The output head: sigmoid with binary cross-entropy (n[L] = 1), softmax "
                          "with cross-entropy over C = n[L] classes, or linear with the squared "
                          "error (regression)."),
        click.option("--batch-norm", "batch_norm", is_flag=True,
                     help="Batch normalisation on every hidden layer: Z̃[l] = γ[l] ⊙ Z_norm[l] + "
                          "β[l] with μ[l], σ²[l] over the m examples, and no b[l]."),
        click.option("--l2", "l2", type=float, default=0.0, metavar="LAMBDA",
                     help="L2 regularisation: J gains (λ/2m) Σ_l ‖W[l]‖², dW[l] gains (λ/m) W[l] "
                          "[default: 0, none]."),
        click.option("--keep-prob", "keep_prob", type=float, default=1.0, metavar="P",
                     help="Inverted dropout on every hidden layer in training, keeping each unit "
                          "with probability P (0 < P <= 1) [default: 1, none]."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def view_option(command):
    """--view batch|example|unit: the granularity of the diagrams, passed on as `granularity`."""
    return click.option(
        "--view", "granularity", type=click.Choice(GRANULARITIES, case_sensitive=False), default=DEFAULT_GRANULARITY,
        show_default=True,
        help="batch: m examples as matrix columns; example: one example's column vectors and "
             "the average over the m examples; unit: every scalar as a node (small networks).",
    )(command)


NOTATION_CHOICES = ("dls (the course, default), nielsen (Neural Networks and Deep Learning), "
                    "or a profile TOML file")


def notation_option(help_text: str):
    """--notation NAME|FILE: the symbols used (default: a --spec file's `notation`, else dls);
    `help_text` says what they are used for in this command."""
    return click.option("--notation", "notation", default=None, metavar="NAME|FILE.toml",
                        help=help_text)


def _out_folder(text: str) -> Path:
    """--out as a Path; an empty name is refused (it would mean the working folder, unsaid)."""
    if text == "":
        raise click.BadParameter("the folder name is empty; name a folder, e.g. --out out (or "
                                 "--out . for the working folder)", param_hint="'--out'")
    return Path(text)


def _notation(notation: str | None, spec):
    """The notation profile: --notation, else the spec file's, else the course's; read now, so
    that a bad profile stops before anything is computed or written."""
    from .profiles import load_profile

    if notation is None and spec is not None:
        notation = spec.notation
    return load_profile(notation)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="bpdiag")
def cli() -> None:
    """Draw the forward pass and back-propagation of a small neural network (binary logistic
    regression, softmax classification or linear regression) as dataflow diagrams
    (yEd GraphML, draw.io, SVG, PNG, PDF, DOT, JSON, an HTML page to step through), check its
    gradients, explain its steps, and run them on your own numbers."""


@cli.command(short_help="Check every gradient of the diagrams against finite differences.")
@network_options
@view_option
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the random data and parameters.")
@click.option("--m", "m", type=click.IntRange(min=1), default=DEFAULT_M, show_default=True,
              help="Number of examples (the same default as render --values).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@data_option("X, Y and the parameters W1, b1, ... from an .npz file instead of seeded data; "
             "the layers come from the W shapes.")
@click.option("--compare", "compare_file", type=click.Path(path_type=Path), default=None,
              metavar="MINE.npz",
              help="Compare your own values (any of AL, cost, dAL, dW2, db1, dA1, ...) with "
                   "bpdiag's; exits 1 when one differs.")
@click.option("--tolerance", type=float, default=None, metavar="T",
              help="Largest difference --compare accepts, relative to the values' size "
                   "[default: 1e-07].")
@click.option("--no-numeric", "no_numeric", is_flag=True,
              help="Skip the finite differences (for large networks): the gradients are read off "
                   "the graphs, their shapes and the dZ[L] shortcut still checked.")
def check(network: Network, granularity: str, seed: int, m: int, as_json: bool,
          data_file: Path | None, compare_file: Path | None, tolerance: float | None,
          no_numeric: bool) -> None:
    """Evaluate the diagrams' graphs with numpy and compare every gradient with finite differences.

    With --view example or unit, the graphs of that view are evaluated and their gradients must
    also equal the batch view's. With --data, on your X, Y and parameters; with --compare, your
    values are compared with those. Exits 1 when any gradient disagrees."""
    from .report import check_json, check_table
    from .verify import check as run_check

    if tolerance is not None and compare_file is None:
        raise click.UsageError("--tolerance applies to --compare; add --compare MINE.npz or "
                               "drop --tolerance")
    if compare_file is not None and data_file is None:
        raise click.UsageError("--compare compares your values with bpdiag's on your problem; "
                               "add --data mine.npz (the X, Y and parameters they come from)")
    data = _load_data(data_file, network) if data_file is not None else None
    if data is not None:
        network = data.network
    mine = None
    if compare_file is not None:
        from .npzdata import COMPARE_HINT, read_npz
        mine = read_npz(compare_file, "--compare", COMPARE_HINT)
    report = run_check(network, m=m, seed=seed, view=granularity, data=data,
                       numeric=not no_numeric)
    comparisons = []
    if mine is not None:
        from .comparison import DEFAULT_TOLERANCE, compare
        comparisons = compare(report, mine, source=str(compare_file),
                              tolerance=DEFAULT_TOLERANCE if tolerance is None else tolerance)
    if as_json:
        result = check_json(report)
        if mine is not None:
            result["compare"] = [item.as_json() for item in comparisons]
        _echo_json(result)
    else:
        text = check_table(report)
        if mine is not None:
            text += f"\n\ncompared with {compare_file}:\n" + "\n".join(
                item.line() for item in comparisons)
            differ = [item.name for item in comparisons if not item.agrees]
            text += "\n" + (f"DIFFERS: {', '.join(differ)}" if differ else
                            f"ok: all {len(comparisons)} agree with bpdiag's values")
        _echo(text)
    if not report.ok or not all(item.agrees for item in comparisons):
        sys.exit(1)


@cli.command(short_help="Train the network on your data by batch gradient descent.")
@network_options
@click.option("--data", "data_file", type=click.Path(path_type=Path), required=True,
              metavar="FILE.npz", help="X, Y and the starting parameters W1, b1, ... (the layers "
                                       "come from the W shapes).")
@click.option("--steps", type=int, required=True, metavar="N", help="Number of updates.")
@click.option("--learning-rate", "learning_rate", type=float, required=True, metavar="ALPHA",
              help="α of W[l] := W[l] − α dW[l], b[l] := b[l] − α db[l].")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"costs": [...], "params": {...}} instead of the costs every K steps.')
@click.option("--print-every", "print_every", type=click.IntRange(min=1), default=100,
              show_default=True, metavar="K", help="Print the cost of every K-th step (and the last).")
@click.option("--save", "save_file", type=click.Path(path_type=Path), default=None,
              metavar="FILE.npz", help="Write the trained parameters W1, b1, ... to an .npz file.")
def train(network: Network, data_file: Path, steps: int, learning_rate: float, as_json: bool,
          print_every: int, save_file: Path | None) -> None:
    """Run N steps of batch gradient descent as the course's L_layer_model does: forward pass,
    cost, back-propagation, update; all computed by evaluating the diagrams' graphs.

    The cost of step i is that of its forward pass, before its update. On a terminal a progress
    bar shows on stderr while no costs are printed there."""
    from .training import check_settings, train as run_training

    check_settings(steps, learning_rate)
    data = _load_data(data_file, network, instead_of=())
    if save_file is not None:
        _check_save(save_file, data_file)
    printing = not as_json
    show_bar = sys.stderr.isatty() and not (printing and sys.stdout.isatty())
    width = len(str(steps - 1))

    def report_step(step: int, cost: float) -> None:
        if printing and (step % print_every == 0 or step == steps - 1):
            _echo(f"cost after step {step:>{width}}: {cost:.10g}")

    with click.progressbar(length=steps, label="training", file=sys.stderr,
                           hidden=not show_bar) as bar:
        def on_step(step: int, cost: float) -> None:
            report_step(step, cost)
            bar.update(1)
        result = run_training(data.network, data.problem, steps, learning_rate, on_step)
    if save_file is not None:
        from .files import atomic_write
        from .npzdata import npz_bytes
        atomic_write(save_file, npz_bytes(result.params))
    if as_json:
        _echo_json({"costs": result.costs,
                    "params": {key: value.tolist() for key, value in result.params.items()}})
    elif save_file is not None:
        _echo(f"saved the parameters after {steps} steps to {save_file}")


def _check_save(path: Path, data_file: Path) -> None:
    """--save must name a file in an existing folder, before any step is run, and not the
    --data file: it holds the parameters only, so X and Y would be lost."""
    if path.exists() and data_file.exists() and os.path.samefile(path, data_file):
        raise click.UsageError(f"--save {path} is the --data file; the parameters alone would "
                               "replace your X and Y: give another file, e.g. --save trained.npz")
    from .files import check_targets

    if path.suffix.lower() != ".npz":
        raise click.BadParameter(f"{path} does not end in .npz; name an .npz file, e.g. "
                                 "--save trained.npz", param_hint="'--save'")
    folder = path.parent
    if not folder.is_dir():
        raise click.BadParameter(f"the folder {folder} does not exist; create it or save "
                                 "elsewhere", param_hint="'--save'")
    check_targets([path])


@cli.command(short_help="Write the diagrams (GraphML, draw.io, SVG, PNG, PDF, DOT, JSON, HTML) into a folder.")
@network_options
@view_option
@click.option("--forward", "forward", is_flag=True, help="The forward pass.")
@click.option("--to-layer", "to_layer", type=int, metavar="K",
              help="Back-propagation from J down to layer K (1 <= K <= L).")
@click.option("--all", "all_views", is_flag=True,
              help="Forward plus back-propagation to every layer L..1 (the default).")
@click.option("--format", "formats", default="graphml,svg,png", show_default=True,
              metavar="LIST", help="Comma-separated from graphml,svg,png,pdf,dot,json,drawio,html.")
@click.option("--out", "out_dir", type=click.Path(path_type=str), default="out",
              show_default=True, callback=lambda ctx, param, value: _out_folder(value),
              help="Output folder, created if missing.")
@click.option("--inference", is_flag=True,
              help="Draw the forward pass as at inference: nothing cached, ending at the "
                   "prediction A[L].")
@click.option("--title", default=None, help="Title in the legend (default: from the view).")
@click.option("--license", "license_text", default=None, help='Licence line in the legend, e.g. "CC BY 4.0".')
@click.option("--no-legend", is_flag=True, help="Leave the legend out.")
@click.option("--layout", type=click.Choice(LAYOUTS, case_sensitive=False),
              default=DEFAULT_LAYOUT, show_default=True, help=LAYOUT_HELP)
@click.option("--values", is_flag=True,
              help="Show each quantity's numbers on check's seeded example, and the check's verdict.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the example for --values.")
@click.option("--m", "m", type=click.IntRange(min=1), default=None,
              help=f"Number of examples (default: symbolic m; {DEFAULT_M} with --values, as "
                   "check).")
@data_option("With --values: the numbers of your X, Y and parameters W1, b1, ... (an .npz "
             "file) instead of the seeded example; the layers come from the W shapes.")
@click.option("--no-numeric", "no_numeric", is_flag=True,
              help="With --values: no finite differences, so no check verdicts (large networks).")
@notation_option(f"Notation profile of the drawn symbols: {NOTATION_CHOICES}. The JSON and "
                 "the mathematics stay in the course's notation.")
def render(network: Network, spec, granularity: str, forward: bool, to_layer: int | None,
           all_views: bool, formats: str, out_dir: Path, inference: bool, title: str | None,
           license_text: str | None, no_legend: bool, layout: str, values: bool, seed: int,
           m: int | None, data_file: Path | None, no_numeric: bool,
           notation: str | None) -> None:
    """Write the diagrams into --out: forward.<ext> and backprop_to_layer_K.<ext>.

    Each variant adds a suffix, in this order: --output other than sigmoid, --batch-norm,
    --l2 above 0, --keep-prob below 1 (those two not at --inference), --view example or unit,
    --inference, the --notation profile other than dls (its name), --values and --layout
    other than rows, e.g. forward_softmax_example_inference_nielsen_values_column.svg; so no
    variant replaces another's files.
    --title and --license replace a --spec file's."""
    from .diagrams import RenderOptions, parse_formats, write_views
    from .views import View, all_views as every_view

    chosen = parse_formats(formats)
    profile = _notation(notation, spec)
    data = None
    if data_file is not None:
        if not values:
            raise click.UsageError("--data gives the numbers of --values; add --values")
        data = _load_data(data_file, network)
        network = data.network
    if no_numeric and not values:
        raise click.UsageError("--no-numeric applies to --values; add --values or drop it")
    if to_layer is not None and (forward or all_views):
        raise click.UsageError("choose one of --forward, --to-layer K, --all")
    if forward and all_views:
        raise click.UsageError("choose one of --forward, --to-layer K, --all")
    if to_layer is not None:
        if inference:
            raise click.UsageError("--inference draws the forward pass only (nothing is "
                                   "differentiated at inference); drop --to-layer or --inference")
        views = [View(to_layer, granularity)]
    elif forward or inference:
        views = [View(None, granularity)]
    else:
        views = every_view(network, granularity)
    if spec is not None:
        title = title if title is not None else spec.title
        license_text = license_text if license_text is not None else spec.license
    options = RenderOptions(inference=inference, title=title, license=license_text,
                            legend=not no_legend, values=values, seed=seed, m=m,
                            notation=profile, layout=layout.lower(), data=data,
                            numeric=not no_numeric)

    def note(text: str) -> None:
        click.echo(f"bpdiag: note: {text}", err=True)

    for path in write_views(network, views, chosen, out_dir, options, note=note):
        _echo(str(path))


@cli.command("explain", short_help="Print a view's computation, one step per line.")
@network_options
@view_option
@click.option("--forward", "forward", is_flag=True, help="The forward pass (the default).")
@click.option("--to-layer", "to_layer", type=int, metavar="K",
              help="Back-propagation from J down to layer K (1 <= K <= L).")
@click.option("--inference", is_flag=True,
              help="The forward pass as at inference: nothing cached, ending at the prediction A[L].")
@click.option("--format", "fmt", type=click.Choice(EXPLAIN_FORMATS, case_sensitive=False), default="text",
              show_default=True, help="Plain text, GitHub Markdown, or LaTeX lines for align*.")
@notation_option(f"Notation profile of the printed symbols: {NOTATION_CHOICES}; text and "
                 "markdown only (latex is in the course's notation). The mathematics stays the "
                 "course's.")
def explain_command(network: Network, spec, granularity: str, forward: bool, to_layer: int | None,
                    inference: bool, fmt: str, notation: str | None) -> None:
    """Print a view's computation step by step, in the order and notation of its diagram:
    formula, shape and what each step reads, ending with why the view stops there."""
    from .api import explain

    if to_layer is not None and (forward or inference):
        raise click.UsageError("choose one of --forward, --to-layer K (--inference goes with "
                               "the forward pass only)")
    from .views import View

    profile = _notation(notation, spec)
    _echo(explain(network, View(to_layer, granularity), fmt, inference=inference,
                       notation=profile))


def main(pending=None) -> None:
    """The console script: SIGINT, SIGTERM and SIGHUP become `Interrupted`, so temporary files
    are removed. `pending()` is a signal that came while starting, or None (`bpdiag.__main__`)."""
    try:
        for name in STOP_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _raise_interrupted)
        sys.unraisablehook = _keep_interrupts
        signum = pending() if pending is not None else None
        if signum is not None:
            raise Interrupted(signum)
        cli(prog_name="bpdiag")
    except Interrupted as exc:  # before the command started: nothing was written
        _fail(f"interrupted ({exc.signal_name}) while starting; nothing was written",
              exc.exit_code)
