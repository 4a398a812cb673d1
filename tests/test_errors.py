"""Every way a run can fail: one line on stderr naming the problem and the fix, the documented exit
code, no traceback, nothing written.

ERRORS is the full list (README "Errors"); each row is an id, the command line, a setup step,
the exit code, a fragment naming the problem and one naming the fix.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdiag.cli import cli
from conftest import ROOT, needs_dot

DEEP = ",".join(["2"] * 31 + ["1"])  # L = 31 > graph.MAX_DRAWN_LAYERS


def _spec(text: str):
    def setup(tmp: Path, monkeypatch) -> None:
        (tmp / "net.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return setup


def _spec_bytes(data: bytes):
    def setup(tmp: Path, monkeypatch) -> None:
        (tmp / "net.toml").write_bytes(data)
    return setup


def _fake_dot(script: str):
    def setup(tmp: Path, monkeypatch) -> None:
        fake = tmp / "fake-dot"
        fake.write_text("#!/bin/sh\n" + script + "\n")
        fake.chmod(0o755)
        monkeypatch.setenv("BPDIAG_DOT", str(fake))
    return setup


def _truncating_dot(fmt: str):
    """A Graphviz that runs the real one, then cuts its `fmt` output short and exits 0."""
    return _fake_dot(f"""{shutil.which("dot") or "dot"} "$@" || exit
for a; do case $a in -o*.{fmt}) f=${{a#-o}}; head -c 200 "$f" > "$f.cut"; mv "$f.cut" "$f";; esac
done""")


def _env(**values: str):
    def setup(tmp: Path, monkeypatch) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    return setup


def _file(name: str):
    def setup(tmp: Path, monkeypatch) -> None:
        (tmp / name).write_text("keep me")
    return setup


def _unreadable_spec(tmp: Path, monkeypatch) -> None:
    (tmp / "net.toml").write_text("layers = [2, 1]\n")
    real = os.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("net.toml"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path, *args, **kwargs)
    monkeypatch.setattr(os, "open", refuse)


def _fifo(tmp: Path, monkeypatch) -> None:
    os.mkfifo(tmp / "net.toml")  # no writer: reading it would block forever


def _unwritable_out(tmp: Path, monkeypatch) -> None:
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(path).endswith("o")
                        else real(path, mode, **kw))


def _disk_full(tmp: Path, monkeypatch) -> None:
    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "write", full)


def _bug(tmp: Path, monkeypatch) -> None:
    import bpdiag.diagrams

    def broken(*args, **kwargs):
        raise RuntimeError("something impossible")
    monkeypatch.setattr(bpdiag.diagrams, "build_graph", broken)


def _os_error(tmp: Path, monkeypatch) -> None:
    import bpdiag.diagrams

    def failing(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error", "/some/file")
    monkeypatch.setattr(bpdiag.diagrams, "build_graph", failing)


def _npz(sizes=(2, 3, 1), name="mine.npz", drop=(), **replace):
    """A learner's data file of seeded random values, with keys dropped or replaced."""
    def setup(tmp: Path, monkeypatch) -> None:
        import numpy as np

        from bpdiag.model import Network
        from bpdiag.verify import random_problem

        problem = random_problem(Network(sizes), 4, 0)
        arrays = {"X": problem.x, "Y": problem.y, **problem.params, **replace}
        np.savez(tmp / name, **{key: value for key, value in arrays.items() if key not in drop})
    return setup


def _both(*setups):
    """Several files for one case (the data and the values to compare)."""
    def setup(tmp: Path, monkeypatch) -> None:
        for one in setups:
            one(tmp, monkeypatch)
    return setup


def _npy(tmp: Path, monkeypatch) -> None:
    import numpy as np
    np.save(tmp / "mine.npz", np.zeros(3))  # np.save adds .npy: mine.npz.npy
    (tmp / "mine.npz.npy").rename(tmp / "mine.npz")


def _data_fifo(tmp: Path, monkeypatch) -> None:
    os.mkfifo(tmp / "mine.npz")


def _chdir(tmp: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp)


def _ctrl_c(tmp: Path, monkeypatch) -> None:
    import bpdiag.diagrams

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(bpdiag.diagrams, "build_graph", interrupted)


# id, arguments ({tmp} is a fresh folder; render writes into {tmp}/o), setup, exit code,
# fragment naming the problem, fragment naming the fix
ERRORS = [
    # --to-layer outside 1..L
    ("to-layer-0", "render --to-layer 0", None, 2, "outside 1..3", "pick K between 1 and 3"),
    ("to-layer-past-L", "render --to-layer 4", None, 2, "outside 1..3", "pick K between 1 and 3"),
    ("to-layer-not-a-number", "render --to-layer two", None, 2, "'two' is not a valid integer",
     "--help"),
    ("explain-to-layer", "explain --to-layer 9", None, 2, "outside 1..3", "pick K"),
    # layer sizes
    ("size-zero", "check --layers 2,0,1", None, 2, "n[1] = 0 must be at least 1", "--layers 2,3,2,1"),
    ("size-negative", "check --layers 2,-1,1", None, 2, "n[1] = -1 must be at least 1", "--layers"),
    ("size-not-numeric", "check --layers 2,a,1", None, 2, "n[1] = 'a' is not a whole number",
     "sizes such as 2,3,2,1"),
    ("size-fraction", "check --layers 2,2.5,1", None, 2, "'2.5' is not a whole number", "such as"),
    ("sizes-empty", "check --layers ,", None, 2, "is not a whole number", "such as 2,3,2,1"),
    ("last-size-not-1", "check --layers 2,3,2", None, 2, "n[2] = 2 units", "end --layers with 1"),
    ("one-size", "check --layers 1", None, 2, "at least two sizes", "--layers 2,3,2,1"),
    # unknown names
    ("unknown-format", "render --format gif", None, 2, "unknown format 'gif'", "choose from"),
    ("empty-format", "render --format ,", None, 2, "--format is empty", "choose from"),
    ("unknown-view", "render --view cells", None, 2, "'cells' is not one of", "'batch'"),
    ("unknown-activation", "check --hidden-activation softmax", None, 2, "'softmax' is not one of",
     "'relu'"),
    ("unknown-explain-format", "explain --format html", None, 2, "'html' is not one of", "'text'"),
    ("unknown-option", "render --colour red", None, 2, "No such option", "--help"),
    ("unknown-command", "draw", None, 2, "No such command", "--help"),
    # other options
    ("m-zero", "check --m 0", None, 2, "0 is not in the range", "--help"),
    ("m-too-many", "check --m 5000", None, 2, "--m 5000 is more than the 1000", "e.g. --m 5"),
    ("seed-not-a-number", "check --seed abc", None, 2, "'abc' is not a valid integer", "--help"),
    ("slope-too-big", "check --hidden-activation leaky_relu --leaky-slope 5", None, 2,
     "slope 5.0 must be a number between 0 and 1", "--leaky-slope 0.01"),
    ("slope-nan", "check --hidden-activation leaky_relu --leaky-slope nan", None, 2, "slope nan", "--leaky-slope 0.01"),
    ("l2-negative", "check --l2 -0.5", None, 2, "λ = -0.5 must be a finite number 0 or larger",
     "--l2 0.1"),
    ("l2-infinite", "check --l2 inf", None, 2, "λ = inf must be a finite number", "--l2 0.1"),
    ("keep-prob-zero", "check --keep-prob 0", None, 2, "keep_prob = 0.0 must be a number above 0",
     "--keep-prob 0.8"),
    ("keep-prob-above-1", "render --keep-prob 1.2 --format json", None, 2, "and at most 1",
     "--keep-prob 0.8"),
    ("dropout-without-hidden-layer", "explain --keep-prob 0.5 --layers 3,1", None, 2,
     "a network with L = 1 has none", "drop --keep-prob"),
    ("spec-with-l2", "check --spec {tmp}/net.toml --l2 0.1", _spec("layers = [2, 1]\n"), 2,
     "--spec describes the network", "drop --l2"),
    ("spec-keep-prob-text", "check --spec {tmp}/net.toml", _spec('layers = [2, 3, 1]\nkeep_prob = "a"\n'),
     2, "'keep_prob' must be a number above 0 and at most 1", "keep_prob = 0.8"),
    # batch norm
    ("batch-norm-unit", "render --batch-norm --view unit", None, 2, "couple the m examples",
     "use --view example"),
    ("batch-norm-no-hidden-layer", "check --batch-norm --layers 2,1", None, 2,
     "a network with L = 1 has none", "add a hidden layer"),
    ("batch-norm-one-example", "check --batch-norm --m 1", None, 2, "with m = 1 every Z_norm",
     "give at least 2 examples"),
    ("batch-norm-values-inference", "render --batch-norm --inference --values", None, 2,
     "running averages", "drop --values"),
    ("batch-norm-spec-with-flag", "check --spec {tmp}/net.toml --batch-norm",
     _spec("layers = [2, 3, 1]\n"), 2, "--spec describes the network", "drop --batch-norm"),
    ("batch-norm-spec-not-bool", "check --spec {tmp}/net.toml",
     _spec("layers = [2, 3, 1]\nbatch_norm = 1\n"), 2, "'batch_norm' must be true or false",
     "batch_norm = true"),
    ("data-gamma-without-batch-norm", "check --data {tmp}/mine.npz",
     _npz(gamma1=[[1.0], [1.0], [1.0]]), 2, "unexpected key gamma1", "add --batch-norm"),
    ("data-b-with-batch-norm", "check --batch-norm --data {tmp}/mine.npz",
     _npz(gamma1=[[1.0], [1.0], [1.0]], beta1=[[0.0], [0.0], [0.0]]), 2, "unexpected key b1",
     "drop b1"),
    ("forward-and-to-layer", "render --forward --to-layer 2", None, 2, "choose one of", "--all"),
    ("inference-backprop", "render --to-layer 2 --inference", None, 2, "forward pass only",
     "drop --to-layer"),
    ("spec-with-layers", "check --spec {tmp}/net.toml --layers 2,1", _spec("layers = [2, 1]\n"), 2,
     "--spec describes the network", "drop --layers"),
    ("title-control-char", "render --format json --title a\x01b", None, 2,
     "control character U+0001", "remove it"),
    ("title-too-long", "render --format json --title " + "t" * 16_000, None, 2,
     "--title is 16000 characters long; diagrams show at most 200", "shorten it"),
    ("license-too-long", "render --format svg --license " + "l" * 20_000, None, 2,
     "--license is 20000 characters long; diagrams show at most 200", "shorten it"),
    ("title-two-lines", "render --format svg --title a\nb", None, 2, "--title contains a line break",
     "write a space instead"),
    ("license-control-char", "render --format json --license \x1b[31m", None, 2,
     "--license contains the control character U+001B", "remove it"),
    # U+3FFFD: unassigned, so in no font, and outside the BMP for the rule without fontconfig
    ("title-no-font-has-it", "render --format dot --title a\U0003FFFDb", None, 2,
     "the title contains '\U0003FFFD' (U+3FFFD) at position 2, which the diagrams cannot draw",
     "install a font that has it"),
    ("notation-file-no-font-has-it", "render --format svg --notation {tmp}/net.toml",
     _spec('profile = "x"\n[names]\ndW = "\\U0003FFFD"\n'), 2, "'names.dW' contains '\U0003FFFD'",
     "remove it"),
    # spec files
    ("spec-missing", "check --spec {tmp}/none.toml", None, 2, "no such file", "give the path"),
    ("spec-is-a-folder", "check --spec {tmp}", None, 2, "is a directory", "--help"),
    ("spec-unreadable", "check --spec {tmp}/net.toml", _unreadable_spec, 2, "cannot read it",
     "give a readable TOML file"),
    ("spec-not-utf8", "check --spec {tmp}/net.toml", _spec_bytes(b"layers = [2, 1]\ntitle = '\xff'"),
     2, "not UTF-8", "save the spec as UTF-8"),
    ("spec-bad-toml", "check --spec {tmp}/net.toml", _spec("layers = [2, 1]\n\ntitle = \n"), 2,
     "(at line 3, column 9)", "fix the syntax"),
    ("spec-layers-text", "check --spec {tmp}/net.toml", _spec('layers = "2,3"\n'), 2,
     'not the text "2,3"', "layers = [2, 3, 2, 1]"),
    ("spec-no-layers", "check --spec {tmp}/net.toml", _spec('title = "x"\n'), 2,
     "missing key 'layers'", "add the sizes"),
    ("spec-unknown-key", "check --spec {tmp}/net.toml", _spec("layers = [2, 1]\nactivation = 'tanh'\n"),
     2, "unknown key 'activation'", "the known keys are"),
    ("spec-unknown-activation", "check --spec {tmp}/net.toml",
     _spec("layers = [2, 1]\nhidden_activation = 'gelu'\n"), 2, "unknown hidden activation 'gelu'",
     "choose one of"),
    ("spec-notation-not-text", "check --spec {tmp}/net.toml", _spec("layers = [2, 1]\nnotation = 5\n"),
     2, "'notation' must be text", 'notation = "..."'),
    ("spec-title-control-char", "render --format json --spec {tmp}/net.toml",
     _spec('layers = [2, 1]\ntitle = "a\\u0007"\n'), 2, "control character U+0007", "remove it"),
    ("spec-nested-too-deep", "check --spec {tmp}/net.toml", _spec("layers = " + "[" * 5000 + "\n"),
     2, "nested more than 8 deep", "layers = [2, 3, 2, 1]"),
    ("spec-dotted-too-deep", "check --spec {tmp}/net.toml", _spec("a" + ".a" * 30_000 + " = 1\n"),
     2, "line 1: a dotted key of 30001 parts, more than the 8", "a spec needs no nesting"),
    ("spec-too-large", "check --spec {tmp}/net.toml", _spec("layers = [2, 1]\n" + "#" * 70_000),
     2, "is larger than 64 KiB", "give a smaller TOML file"),
    ("spec-fifo", "check --spec {tmp}/net.toml", _fifo, 2, "is a FIFO (named pipe), not a regular file",
     "give the path of a TOML network spec"),
    ("spec-device", "check --spec /dev/zero", None, 2, "is a device, not a regular file",
     "give the path of a TOML network spec"),
    # notation profiles
    ("unknown-notation", "render --format json --notation feynman", None, 2,
     "unknown notation profile 'feynman'", "choose dls, nielsen"),
    ("notation-file-missing", "explain --notation {tmp}/none.toml", None, 2, "no such file",
     "the path of a profile .toml file"),
    ("notation-file-folder", "explain --notation {tmp}", None, 2, "is a folder",
     "or the path of a profile .toml file"),
    ("notation-file-fifo", "explain --notation {tmp}/net.toml", _fifo, 2,
     "is a FIFO (named pipe), not a regular file", "or the path of a profile .toml file"),
    ("notation-file-device", "render --format svg --notation /dev/zero", None, 2,
     "is a device, not a regular file", "the path of a profile .toml file"),
    ("notation-file-dotted-too-deep", "explain --notation {tmp}/net.toml",
     _spec('profile = "x"\n[symbols' + ".a" * 30_000 + "]\n"), 2, "a dotted key of 30001 parts",
     "a profile nests tables one level deep"),
    ("notation-file-long-symbol", "render --format svg --notation {tmp}/net.toml",
     _spec('profile = "x"\n[names]\ndW = "' + "w" * 1_000_000 + '"\n'), 2, "is larger than 64 KiB",
     "give a smaller TOML file"),
    ("notation-file-symbol-too-long", "render --format svg --notation {tmp}/net.toml",
     _spec('profile = "x"\n[names]\ndW = "' + "w" * 41 + '"\n'), 2,
     "'names.dW' is 41 characters long; diagrams show at most 40", "shorten it"),
    ("spec-title-too-long", "render --format svg --spec {tmp}/net.toml",
     _spec('layers = [2, 1]\ntitle = "' + "t" * 201 + '"\n'), 2,
     "'title' is 201 characters long; diagrams show at most 200", "shorten it"),
    ("notation-file-not-utf8", "explain --notation {tmp}/net.toml", _spec_bytes(b"profile = '\xff'"),
     2, "not UTF-8", "save the notation profile as UTF-8"),
    ("notation-file-bad-toml", "render --format svg --notation {tmp}/net.toml",
     _spec('profile = "x"\n[names]\ndW = \n'), 2, "(at line 3, column 6)", "fix the syntax"),
    ("notation-file-wrong-type", "explain --notation {tmp}/net.toml",
     _spec('profile = "x"\n[names]\ndW = 5\n'), 2, "'names.dW' must be text", 'dW = "..."'),
    ("notation-file-unknown-key", "explain --notation {tmp}/net.toml",
     _spec('profile = "x"\n[nmaes]\n'), 2, "unknown key 'nmaes'", "did you mean 'names'"),
    ("notation-file-control-char", "render --format svg --notation {tmp}/net.toml",
     _spec('profile = "x"\n[names]\ndW = "<&\\u0002"\n'), 2, "'names.dW' contains the control "
     "character U+0002", "remove it"),
    ("spec-unknown-notation", "render --format json --spec {tmp}/net.toml",
     _spec('layers = [2, 1]\nnotation = "feynman"\n'), 2, "unknown notation profile", "choose"),
    # --out
    ("out-is-a-file", "render --format json --out {tmp}/o", _file("o"), 2, "is a file, not a folder",
     "name a folder"),
    ("out-below-a-file", "render --format json --out {tmp}/f/o", _file("f"), 2,
     "cannot create the output folder", "choose another --out"),
    ("out-not-writable", "render --format json --out {tmp}/o", _unwritable_out, 2,
     "cannot write into the output folder", "choose another --out"),
    ("disk-full", "render --format json --out {tmp}/o", _disk_full, 1, "No space left on device",
     "free some space"),
    ("out-empty", "render --format json --out ", _chdir, 2, "'--out': the folder name is empty",
     "--out . for the working folder"),
    ("out-name-too-long", "render --format json --out {tmp}/" + "a" * 300, None, 2,
     "(File name too long)", "choose another --out"),
    ("out-path-too-long", "render --format json --out {tmp}/" + "a/" * 3000, None, 2,
     "(File name too long)", "choose another --out"),
    # too large
    ("unit-view-too-large", "render --view unit --layers 4,8,8,1", None, 2, "would have 253 nodes",
     "use --view batch"),
    ("batch-view-too-deep", f"render --layers {DEEP}", None, 2, "L = 31 layers is too deep to draw",
     "draw fewer layers"),
    ("example-view-too-deep", f"render --view example --to-layer 1 --layers {DEEP}", None, 2,
     "too deep to draw", "--format json"),
    ("check-too-large", "check --layers 100,100,1", None, 2, "10201 weights and biases",
     "check a smaller network"),
    ("check-huge-size", "check --layers 99999999999999999999,1", None, 2,
     "n[0] = 99999999999999999999 is more than the 1000000 units", "give a smaller size"),
    ("too-many-layers", "render --format json --layers " + ",".join(["2"] * 101 + ["1"]), None, 2,
     "L = 101 layers is deeper than the 100", "give fewer layers"),
    ("spec-size-beyond-64-bits", "check --spec {tmp}/net.toml", _spec(f"layers = [{10**40}, 1]\n"), 2,
     "is more than the 1000000 units", "give a smaller size"),
    ("spec-size-too-many-digits", "check --spec {tmp}/net.toml", _spec(f"layers = [{'9' * 5000}, 1]\n"),
     2, "a number too long to read", "write a smaller number"),
    # a learner's data (--data, --compare) and training
    ("data-missing", "check --data {tmp}/none.npz", None, 2, "--data {tmp}/none.npz: no such file",
     'np.savez("mine.npz", X=X, Y=Y, **parameters)'),
    ("data-folder", "check --data {tmp}", None, 2, "is a folder", "give an .npz file"),
    ("data-not-npz", "check --data {tmp}/net.toml", _spec("layers = [2, 1]\n"), 2,
     "is not an .npz file", "write one with np.savez"),
    ("data-npy", "check --data {tmp}/mine.npz", _npy, 2, "holds one array (.npy)",
     "write an .npz"),
    ("data-fifo", "check --data {tmp}/mine.npz", _data_fifo, 2, "is a FIFO (named pipe), not a regular file",
     "give an .npz file"),
    ("data-no-parameters", "check --data {tmp}/mine.npz", _npz(drop=("W1", "b1", "W2", "b2")), 2,
     "no W1, b1", "write them with np.savez"),
    ("data-missing-key", "check --data {tmp}/mine.npz", _npz(drop=("b2",)), 2,
     "no key b2; needed b2 of shape (n[2], 1) = (1, 1)", "needed"),
    ("data-wrong-shape", "check --data {tmp}/mine.npz", _npz(X=[[1.0, 2.0]]), 2,
     "X has shape (1, 2); needed (n[0], m) = (2, 4)", "needed"),
    ("data-not-numbers", "check --data {tmp}/mine.npz", _npz(Y=[["a", "b", "c", "d"]]), 2,
     "Y holds <U1 values", "needed real numbers"),
    ("data-layers-disagree", "check --data {tmp}/mine.npz --layers 2,4,1", _npz(), 2,
     "the W shapes give layers 2,3,1 but the layers given are 2,4,1", "drop --layers"),
    ("data-with-seed", "check --data {tmp}/mine.npz --seed 3", _npz(), 2,
     "--data gives the examples, so --seed cannot apply", "drop --seed"),
    ("data-mask-without-dropout", "check --data {tmp}/mine.npz", _npz(D1=[[1.0] * 4] * 3), 2,
     "D1 is a dropout mask, but there is no dropout", "add --keep-prob"),
    ("data-mask-not-0-or-1", "check --data {tmp}/mine.npz --keep-prob 0.5",
     _npz(D1=[[0.5] * 4] * 3), 2, "D1 holds values other than 0 and 1", "keeps (1) or shuts down"),
    ("data-mask-wrong-shape", "check --data {tmp}/mine.npz --keep-prob 0.5",
     _npz(D1=[[1.0] * 3] * 3), 2, "D1 has shape (3, 3); needed (n[1], m) = (3, 4)", "needed"),
    ("data-too-large-to-check", "check --data {tmp}/mine.npz", _npz(sizes=(100, 100, 1)), 2,
     "10201 weights and biases", "add --no-numeric"),
    ("data-without-values", "render --format json --data {tmp}/mine.npz", _npz(), 2,
     "--data gives the numbers of --values", "add --values"),
    ("compare-missing", "check --data {tmp}/mine.npz --compare {tmp}/none.npz", _npz(), 2,
     "--compare {tmp}/none.npz: no such file", "give an .npz file"),
    ("compare-without-data", "check --compare {tmp}/mine.npz", _npz(), 2,
     "--compare compares your values with bpdiag's on your problem", "add --data mine.npz"),
    ("compare-unknown-name", "check --data {tmp}/mine.npz --compare {tmp}/grads.npz",
     _both(_npz(), _npz(name="grads.npz", grads=[1.0])), 2, "unknown name grads",
     "give values named as bpdiag's"),
    ("tolerance-without-compare", "check --tolerance 0.1", None, 2,
     "--tolerance applies to --compare", "add --compare"),
    ("compare-bad-tolerance", "check --data {tmp}/mine.npz --compare {tmp}/mine.npz --tolerance 2",
     _npz(), 2,
     "tolerance 2.0 must be a number between 0 and 1", "e.g. 1e-7"),
    ("train-no-data", "train --steps 3 --learning-rate 0.1", None, 2, "Missing option '--data'",
     "--help"),
    ("train-bad-rate", "train --data {tmp}/mine.npz --steps 3 --learning-rate 0", _npz(), 2,
     "learning rate 0.0 must be a number above 0", "--learning-rate 0.0075"),
    ("train-bad-save", "train --data {tmp}/mine.npz --steps 3 --learning-rate 0.1 --save "
     "{tmp}/none/t.npz", _npz(), 2, "the folder {tmp}/none does not exist", "create it"),
    ("train-diverges", "train --data {tmp}/mine.npz --steps 50 --learning-rate 1e6 --json --save "
     "{tmp}/t.npz", _npz(), 1, "reaches exactly 0 or 1", "lower it"),
    # Graphviz
    ("graphviz-missing", "render --format svg", _env(PATH="/nonexistent"), 1,
     "Graphviz's 'dot' program was not found", "apt-get install graphviz"),
    ("bpdiag-dot-wrong", "render --format svg", _env(BPDIAG_DOT="/nonexistent/dot"), 1,
     "BPDIAG_DOT='/nonexistent/dot' is not a program that can be run", "or unset it"),
    ("graphviz-fails", "render --format svg", _fake_dot("echo 'Error: out of memory' >&2; exit 3"), 1,
     "Graphviz failed: Error: out of memory", "dot -V"),
    ("graphviz-writes-nothing", "render --format svg", _fake_dot("exit 0"), 1,
     "without writing every layout", "check the installation"),   # the rows' own runs first
    ("graphviz-writes-nothing-column", "render --format svg --layout column", _fake_dot("exit 0"),
     1, "without writing every format", "check the installation"),
    ("graphviz-truncates-svg", "render --format svg,png,graphml", _truncating_dot("svg"), 1,
     "Graphviz wrote an incomplete SVG (not well-formed XML", "check the installation"),
    ("graphviz-truncates-png", "render --format svg,png,graphml", _truncating_dot("png"), 1,
     "Graphviz wrote an incomplete PNG (no IEND chunk at its end)", "check the installation"),
    ("graphviz-truncates-layout", "render --format svg,png,graphml", _truncating_dot("json0"), 1,
     "Graphviz wrote an incomplete JSON (not JSON", "check the installation"),
    ("graphviz-writes-other-xml", "render --format svg --layout column",  # (rows: JSON first)
     _fake_dot('for a; do case $a in -o*) echo "<html/>" > "${a#-o}";; esac; done'), 1,
     "incomplete SVG (its root is <html>, not <svg>)", "check the installation"),
    ("graphviz-too-slow", "render --format svg --to-layer 1",
     lambda tmp, mp: (_fake_dot("sleep 5")(tmp, mp), mp.setenv("BPDIAG_DOT_TIMEOUT", "0.3")), 1,
     "took longer than 0.3 s", "BPDIAG_DOT_TIMEOUT=SECONDS"),
    ("graphviz-timeout-bad", "render --format svg", _env(BPDIAG_DOT_TIMEOUT="soon"), 2,
     "BPDIAG_DOT_TIMEOUT='soon' is not a positive number", "give e.g. 300"),
    # the rest
    ("ctrl-c", "render --format json", _ctrl_c, 130, "interrupted (Ctrl-C)", "complete"),
    ("os-error", "render --format json", _os_error, 1, "Input/output error (/some/file)",
     "check the files and folders involved"),
    ("internal-error", "render --format json", _bug, 1, "internal error RuntimeError: something "
     "impossible", "please report it"),
]


@pytest.mark.parametrize("row", ERRORS, ids=[row[0] for row in ERRORS])
def test_every_failure_is_one_line_naming_problem_and_fix(row, tmp_path, monkeypatch):
    name, args, setup, code, problem, fix = row
    if setup is not None:
        setup(tmp_path, monkeypatch)
    argv = [part.replace("{tmp}", str(tmp_path)) for part in args.split(" ")]
    if argv[0] == "render" and "--out" not in argv:
        argv += ["--out", str(tmp_path / "o")]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == code, (result.output, result.exception)
    assert result.stdout == "", result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bpdiag: error: "), lines[0]
    problem, fix = problem.replace("{tmp}", str(tmp_path)), fix.replace("{tmp}", str(tmp_path))
    assert problem in lines[0] and fix in lines[0], lines[0]
    assert "Traceback" not in result.output
    # nothing written: no new file anywhere below the folder, the output folder empty if any
    after = sorted(p.name for p in tmp_path.iterdir())
    assert set(after) - set(before) <= {"o"}
    if (tmp_path / "o").is_dir():
        assert list((tmp_path / "o").iterdir()) == []
    elif (tmp_path / "o").is_file():
        assert (tmp_path / "o").read_text() == "keep me"


def test_the_table_covers_every_exit_code_and_documents_them():
    codes = {row[3] for row in ERRORS}
    assert codes == {1, 2, 130}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Errors", 1)[1].split("\n## ", 1)[0]
    for code in ("0", "1", "2", "129", "130", "143"):
        assert f"| {code} " in section, code


def _bpdiag(*args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.Popen([sys.executable, "-m", "bpdiag", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def test_a_real_process_shows_no_traceback_for_bad_input(tmp_path):
    process = _bpdiag("render", "--layers", "2,0,1", "--out", str(tmp_path / "o"))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert out == b""
    assert err.decode().splitlines() == [
        "bpdiag: error: layer size n[1] = 0 must be at least 1; e.g. --layers 2,3,2,1"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("command", [["check"], ["check", "--json"], ["explain", "--to-layer", "1"],
                                     ["render", "--format", "json"]])
def test_a_full_standard_output_is_one_line(command, tmp_path):
    out = ["--out", str(tmp_path / "o")] if command[0] == "render" else []
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "bpdiag", *command, *out], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60,
                              env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    assert done.returncode == 1
    assert done.stderr == ("bpdiag: error: could not write to standard output (No space left on "
                           "device); free some space or send the output elsewhere\n")


def test_a_closed_standard_output_is_one_line(tmp_path):
    done = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "bpdiag",
                           "render", "--format", "json", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    assert done.returncode == 1
    assert done.stderr == ("bpdiag: error: standard output is closed; give bpdiag one, e.g. "
                           "'> /dev/null' or '> file'\n")
    assert not (tmp_path / "o").exists()


def test_a_closed_pipe_is_quiet():
    # `bpdiag explain | head -c 0`: the reader is gone before bpdiag writes
    process = _bpdiag("explain", "--to-layer", "1")
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert err == b""
    assert process.returncode in (0, 1)


@needs_dot
@pytest.mark.parametrize("signum, code, name", [(signal.SIGINT, 130, "SIGINT"),
                                                (signal.SIGTERM, 143, "SIGTERM"),
                                                (signal.SIGHUP, 129, "SIGHUP")])
def test_a_signal_is_one_line_and_its_exit_code(signum, code, name, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")  # a Graphviz that hangs: the run is mid-render
    fake.chmod(0o755)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), BPDIAG_DOT=str(fake), TMPDIR=str(scratch))
    process = subprocess.Popen([sys.executable, "-m", "bpdiag", "render", "--out",
                                str(tmp_path / "o")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not any(p.endswith("sleep") or "sleep" in p for p in _children(process.pid)):
        assert time.monotonic() < deadline, "Graphviz never started"
        time.sleep(0.05)
    process.send_signal(signum)
    out, err = process.communicate(timeout=10)  # the hanging Graphviz runs are stopped too
    assert process.returncode == code
    assert err.decode().splitlines() == [
        f"bpdiag: error: interrupted ({name}); every file written is complete, the others were "
        "not written"]
    assert not (tmp_path / "o").exists()
    assert list(scratch.iterdir()) == []  # Graphviz's scratch folders were removed


TRIP_AT_IMPORT = """
import importlib.abc, signal, sys
count, trip_at, stop = 0, int(sys.argv[1]), getattr(signal, sys.argv[2])
class Trip(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        global count
        count += 1
        if count == trip_at:
            signal.raise_signal(stop)
sys.meta_path.insert(0, Trip())
import bpdiag.__main__
sys.argv = ["bpdiag", "explain"]
try:
    bpdiag.__main__.main()
finally:
    print(count, file=sys.stdout)
"""


@pytest.mark.parametrize("name, code", [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_signal_while_the_command_starts_is_one_line(name, code):
    """A stop signal during any import of the command line (after the package's own two, which
    Python runs before any bpdiag code) ends with one line and 128 + N, never a traceback."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    tripped = 0
    for trip_at in (3, 4, 6, 9, 14, 22, 35, 60, 100, 170, 300, 600):
        done = subprocess.run([sys.executable, "-c", TRIP_AT_IMPORT, str(trip_at), name], env=env,
                              capture_output=True, text=True, timeout=60)
        if done.returncode == -signal.Signals[name]:  # its default action, before any handler
            assert done.stderr == "" and done.stdout == ""
            continue
        imports = int(done.stdout.split()[-1])
        if imports < trip_at:  # the command ended before that many imports
            assert done.returncode == 0 and done.stderr == "", done.stderr
            continue
        tripped += 1
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"bpdiag: error: interrupted ({name}"), lines
    assert tripped >= 6


def test_ctrl_c_soon_after_start_shows_no_traceback_from_bpdiag(tmp_path):
    """Ctrl-C at moments through the start-up of a real process: whatever Python itself prints
    before any bpdiag code runs aside, bpdiag's code never ends in a traceback."""
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")  # the run is still going however late Ctrl-C is
    fake.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), BPDIAG_DOT=str(fake), TMPDIR=str(tmp_path))
    quiet = 0
    for delay in (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15, 0.25, 0.5, 0.8, 1.2):
        process = subprocess.Popen([sys.executable, "-m", "bpdiag", "render", "--format", "svg",
                                    "--out", str(tmp_path / "o")], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        frames = [line for line in err.splitlines() if line.startswith("  File ")]
        assert not [line for line in frames if "bpdiag" in line], err
        if process.returncode == 130:
            quiet += 1
            assert err.startswith("bpdiag: error: interrupted") and err.count("\n") == 1, err
    assert quiet >= 3


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_an_interrupt_inside_a_weakref_callback_is_not_lost():
    """Python prints and swallows an exception raised in a weakref callback; the CLI's hook
    delivers the interrupt again so it still stops the run quietly (no traceback)."""
    code = """
import signal, sys, time, weakref
from bpdiag import cli
signal.signal(signal.SIGTERM, cli._raise_interrupted)
sys.unraisablehook = cli._keep_interrupts
class Thing: pass
def callback(ref):
    signal.raise_signal(signal.SIGTERM)
thing = Thing(); ref = weakref.ref(thing, callback)
try:
    del thing
    for _ in range(2000): time.sleep(0.001)
    print("lost")
except cli.Interrupted as exc:
    print("surfaced", exc.signum)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.stdout == f"surfaced {int(signal.SIGTERM)}\n"
    assert done.stderr == ""


@pytest.mark.parametrize("args, fragment", [
    (["check", "--seed", "-1"], "--seed"),
    (["render", "--values", "--seed", "-3", "--format", "json"], "--seed"),
    (["check", "--leaky-slope", "0.3"], "applies to --hidden-activation leaky_relu only"),
    (["render", "--hidden-activation", "tanh", "--leaky-slope", "0.2", "--format", "json"],
     "applies to --hidden-activation leaky_relu only"),
])
def test_options_that_cannot_apply_are_refused(args, fragment, tmp_path):
    out = ["--out", str(tmp_path / "o")] if args[0] == "render" else []
    result = CliRunner().invoke(cli, args + out)
    assert result.exit_code == 2, result.output
    assert fragment in result.output and result.output.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_a_spec_slope_without_leaky_relu_is_refused(tmp_path):
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 3, 1]\nleaky_slope = 0.2\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--spec", str(spec)])
    assert result.exit_code == 2
    assert "'leaky_slope' applies to" in result.output


def test_api_write_refuses_an_unknown_extension(tmp_path):
    import bpdiag

    with pytest.raises(bpdiag.InputError, match="'.txt' is not a format"):
        bpdiag.render(view=1).write(tmp_path / "bp2.txt")
    assert not (tmp_path / "bp2.txt").exists()
    with pytest.raises(bpdiag.InputError, match="seed = -1 must be at least 0"):
        bpdiag.check(seed=-1)
