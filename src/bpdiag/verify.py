"""Numeric check: a view's gradients, read off its executed graph, against finite differences.

The gradients come from executing the diagram's own graph (`execute`), so what is checked here
is what the diagrams draw, not a separate hand-written backprop.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .execute import evaluate, forward_values, view_inputs
from .graph import build_graph
from .graph.ids import backward_id, forward_id
from .graph.ids import unit_id
from .model import BN_EPSILON, DEFAULT_M, Network, SpecError
from .quantities import forward_quantities, gradient_quantities
from .views import DEFAULT_GRANULARITY, View

EPSILON = 1e-6        # central-difference step in float64
TOLERANCE = 1e-7      # relative error below which a gradient passes (DLS uses 2e-7)
# Round-off in J(θ ± ε) limits what central differences can see: each difference carries about
# u·(|J| + mean 1/min(a, 1 − a))/ε of noise (u = float64's unit round-off; the second term is the
# cross-entropy's sensitivity to a saturated output a = A[L], where log(1 − a) loses digits;
# `_saturation` gives it for each output head),
# whatever the gradient's size. NOISE_MARGIN times that is the floor below which a difference
# means nothing.
NOISE_MARGIN = 10.0
# A gradient is resolved when that floor is at most this fraction of its largest entry; smaller
# gradients (deep sigmoid stacks) are reported as too small to check, never as passing.
RESOLUTION = 1e-3
KINK_MARGIN = 1e-4    # ReLU-type kinks closer than this to a Z make finite differences unreliable
# The example and unit views add up the same terms in another order than the batch matrices do,
# so their gradients equal the batch view's up to float64 round-off, not bit for bit.
VIEWS_RTOL = 1e-12
VIEWS_ATOL = 1e-15


@dataclass
class Problem:
    """Seeded random data and parameters: X, Y and W[l], b[l] as float64 arrays."""

    x: np.ndarray
    y: np.ndarray
    params: dict[str, np.ndarray]  # "W1", "b1", ...
    # dropout's masks "D1", …, "D(L-1)" of shape (n[l], m), 1.0 or 0.0: held fixed, so the
    # forward pass, back-propagation and the finite differences all drop the same units
    masks: dict[str, np.ndarray] = field(default_factory=dict)

    def with_params(self, params: dict[str, np.ndarray]) -> "Problem":
        """The same data and masks with other parameters."""
        return replace(self, params=params)

    def inputs(self) -> dict[str, np.ndarray]:
        """Node ids of the forward graph mapped to values."""
        return view_inputs(self, "batch")


def activation_input(network: Network, layer: int) -> str:
    """The node id of g[l]'s input: Z[l], or Z̃[l] in a batch-normed layer (its kinks are there)."""
    return forward_id("Ztilde" if network.batch_normed(layer) else "Z", layer)


def _gradient(values: dict, network: Network, name: str, layer: int,
              granularity: str) -> np.ndarray:
    """dW[l], db[l] (or dγ[l], dβ[l]) read off an evaluated backward graph (assembled from
    scalars in the unit view, which has no batch norm)."""
    if granularity != "unit":
        return values[backward_id(f"d{name}", layer)]
    rows, cols = network.units(layer), (network.units(layer - 1) if name == "W" else 1)
    grad = np.empty((rows, cols))
    for j, k in np.ndindex(rows, cols):
        node = (unit_id("dw", layer, j + 1, k + 1) if name == "W" else unit_id("db", layer, j + 1))
        grad[j, k] = values[node]
    return grad


def _labels(network: Network, m: int, rng: np.random.Generator) -> np.ndarray:
    """Y: a 0/1 label per example (sigmoid), one-hot columns over C classes (softmax), or
    standard-normal targets (linear)."""
    if network.output == "sigmoid":
        return rng.integers(0, 2, size=(1, m)).astype(float)
    outputs = network.units(network.depth)
    if network.output == "softmax":
        return np.eye(outputs)[:, rng.integers(0, outputs, size=m)]
    return rng.standard_normal((outputs, m))


def random_problem(network: Network, m: int, seed: int) -> Problem:
    """Data and parameters drawn from a seeded generator (He-scaled weights, small biases)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SpecError(f"seed {seed!r} must be a whole number 0 or larger; e.g. --seed 0")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((network.units(0), m))
    y = _labels(network, m, rng)
    drawn = {}
    for layer in range(1, network.depth + 1):
        fan_in = network.units(layer - 1)
        drawn[f"W{layer}"] = rng.standard_normal((network.units(layer), fan_in)) * np.sqrt(2.0 / fan_in)
        drawn[f"b{layer}"] = rng.standard_normal((network.units(layer), 1)) * 0.1
    # batch norm's γ[l], β[l] are drawn after the others, so that X, Y and the W[l] are the same
    # with and without it; near the course's start γ = 1, β = 0 but not on it, so every term shows
    for layer in range(1, network.depth + 1):
        if network.batch_normed(layer):
            drawn[f"gamma{layer}"] = 1.0 + rng.standard_normal((network.units(layer), 1)) * 0.1
            drawn[f"beta{layer}"] = rng.standard_normal((network.units(layer), 1)) * 0.1
    params = {f"{name}{layer}": drawn[f"{name}{layer}"] for layer in range(1, network.depth + 1)
              for name in network.parameter_names(layer)}
    # the masks are drawn after everything else, so the data and parameters of a seed are those
    # without dropout
    return Problem(x, y, params, draw_masks(network, m, rng))


def draw_masks(network: Network, m: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """D[l] = (rand(n[l], m) < keep_prob) for every hidden layer, as 0.0/1.0; none without
    dropout."""
    if not network.dropout:
        return {}
    return {f"D{layer}": (rng.random((network.units(layer), m)) < network.keep_prob).astype(float)
            for layer in range(1, network.depth)}


def analytic_gradients(network: Network, problem: Problem, to_layer: int = 1,
                       forward: dict[str, np.ndarray] | None = None,
                       view: str = DEFAULT_GRANULARITY) -> dict[str, np.ndarray]:
    """dW[l], db[l] for l = L..to_layer, read off the back-propagation graph of granularity `view`.

    `forward` must hold the values of the same granularity's forward graph.
    """
    m = problem.x.shape[1]
    forward = forward if forward is not None else forward_values(network, problem, view)
    graph = build_graph(network, View(to_layer, view), m=m)
    values = evaluate(graph, forward)
    grads = {}
    for layer in range(network.depth, to_layer - 1, -1):
        for name in network.parameter_names(layer):
            grads[f"d{name}{layer}"] = _gradient(values, network, name, layer, view)
    return grads


def numeric_gradients(network: Network, problem: Problem, epsilon: float = EPSILON,
                      view: str = DEFAULT_GRANULARITY) -> dict[str, np.ndarray]:
    """Central differences (J(θ+ε) − J(θ−ε)) / 2ε for every parameter entry, J from the forward
    graph of granularity `view`."""
    m = problem.x.shape[1]
    graph = build_graph(network, View(None, view), m=m)
    cost_id = forward_id("J")
    grads = {}
    for key, param in problem.params.items():
        grad = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            shifted = {}
            for sign in (1.0, -1.0):
                bumped = param.copy()
                bumped[index] += sign * epsilon
                moved = problem.with_params({**problem.params, key: bumped})
                shifted[sign] = float(evaluate(graph, view_inputs(moved, view))[cost_id])
            grad[index] = (shifted[1.0] - shifted[-1.0]) / (2 * epsilon)
        grads[f"d{key}"] = grad
    return grads


def kink_crossings(network: Network, problem: Problem,
                   epsilon: float = EPSILON) -> dict[str, np.ndarray]:
    """For each parameter, the entries whose bumps θ ± ε put some ReLU-type input on different
    sides of its kink at 0: there central differences measure no derivative.
    Read off the batch forward graph; the kinks are the same in every view."""
    layers = [layer for layer in range(1, network.depth + 1)
              if network.activation(layer) in ("relu", "leaky_relu")]
    graph = build_graph(network, View(None), m=problem.x.shape[1])
    crossed = {}
    for key, param in problem.params.items():
        mask = np.zeros(param.shape, dtype=bool)
        for index in np.ndindex(param.shape):
            sides = []
            for sign in (1.0, -1.0):
                bumped = param.copy()
                bumped[index] += sign * epsilon
                values = evaluate(graph, view_inputs(problem.with_params({**problem.params,
                                                                          key: bumped})))
                sides.append([np.sign(values[activation_input(network, layer)])
                              for layer in layers])
            mask[index] = any(np.any(up != down) for up, down in zip(*sides))
        crossed[f"d{key}"] = mask
    return crossed


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖g − n‖ / (‖g‖ + ‖n‖), the DLS gradient-check measure (0 when both are zero)."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def _closest_kink(network: Network, forward: dict[str, np.ndarray]) -> float | None:
    """Smallest |Z| in ReLU-type layers, where finite differences cross a kink."""
    margins = [float(np.min(np.abs(forward[activation_input(network, layer)])))
               for layer in range(1, network.depth + 1)
               if network.activation(layer) in ("relu", "leaky_relu")]
    return min(margins) if margins else None


def classify(relative: float, difference: float, size: float, noise: float,
             tolerance: float = TOLERANCE) -> str:
    """The verdict on one gradient (or one entry): 'pass' when the relative error is below
    `tolerance`, or the difference is within round-off `noise` of a gradient large enough
    (`size`) for that to mean something; 'too small' when round-off hides the gradient itself;
    'fail' otherwise."""
    if relative < tolerance:
        return "pass"
    if difference <= noise:
        return "pass" if noise <= RESOLUTION * size else "too small"
    return "fail"


def _saturation(network: Network, output: np.ndarray, y: np.ndarray) -> float:
    """How much a log in the loss amplifies round-off: mean 1/min(a, 1 − a) for σ, the mean
    1/a of the true classes for the softmax; the squared error has no log (1)."""
    if network.output == "sigmoid":
        return float(np.mean(1.0 / np.minimum(output, 1.0 - output)))
    if network.output == "softmax":
        return float(np.mean(1.0 / np.sum(output * y, axis=0)))
    return 1.0


def _normalisation_gain(network: Network, forward: dict) -> float:
    """How much batch norm amplifies round-off: Z − μ loses u·|Z| to cancellation, and
    Z_norm = (Z − μ) / √(σ² + ε) divides it by the unit's spread, so J carries about
    max |Z| / √(σ² + ε) units of round-off (large for a unit whose m values nearly agree)."""
    gains = [float(np.max(np.abs(forward[forward_id("Z", layer)])
                          / np.sqrt(forward[forward_id("sigma2", layer)] + BN_EPSILON)))
             for layer in range(1, network.depth + 1) if network.batch_normed(layer)]
    return max(gains, default=0.0)


@dataclass
class CheckReport:
    network: Network
    m: int
    seed: int | None  # None: the problem was given (`source`), not drawn
    problem: Problem
    cost: float
    grads: dict[str, np.ndarray]
    numeric: dict[str, np.ndarray]
    errors: dict[str, float]
    abs_errors: dict[str, float]
    views_agree: bool
    kink_margin: float | None
    tolerance: float = TOLERANCE
    view: str = DEFAULT_GRANULARITY
    notes: list[str] = field(default_factory=list)
    saturation: float = 2.0  # mean 1/min(a, 1 − a) of the output: 2 when a = 0.5
    numeric_checked: bool = True  # False: no central differences (numeric is empty)
    source: str | None = None     # where a given problem came from (an .npz file)
    # Z1, A1, …, AL and dAL, dZL, …, dA0 by the course's names (quantities.py)
    forward: dict[str, np.ndarray] = field(default_factory=dict)
    backward: dict[str, np.ndarray] = field(default_factory=dict)
    # entries of a gradient left out of its check: their bumps cross a ReLU kink (kink_crossings)
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def noise(self) -> float:
        """The smallest difference central differences can tell from round-off here."""
        unit_roundoff = np.finfo(float).eps / 2
        return NOISE_MARGIN * unit_roundoff * (abs(self.cost) + self.saturation) / EPSILON

    def verdict(self, key: str) -> str:
        """'pass', 'fail', 'too small' when the gradient is too small to be resolved, or 'kink'
        when every entry's central difference crosses a ReLU kink."""
        if self.left_out.get(key, 0) == self.grads[key].size:
            return "kink"
        return classify(self.errors[key], self.abs_errors[key],
                        float(np.max(np.abs(self.numeric[key]))), self.noise, self.tolerance)

    def passed(self, key: str) -> bool:
        return self.verdict(key) == "pass"

    @property
    def unresolved(self) -> list[str]:
        return [key for key in self.errors if self.verdict(key) == "too small"]

    @property
    def ok(self) -> bool:
        """Every view agrees and no gradient disagrees with central differences."""
        return self.views_agree and all(self.verdict(key) != "fail" for key in self.errors)


# The largest check: finite differences evaluate the network twice per parameter, so the work grows
# with parameters² × m; at these limits a check takes seconds, and numpy's arrays stay small.
MAX_CHECK_PARAMETERS = 5_000
MAX_CHECK_EXAMPLES = 1_000


def check_size(network: Network, m: int, given: bool = False) -> None:
    """Refuse a check (or --values) too large to finish in reasonable time and memory; `given`:
    the data came from the user, who can still check it without finite differences."""
    parameters = network.parameter_count()
    instead = "; or add --no-numeric to check it without finite differences" if given else ""
    if parameters > MAX_CHECK_PARAMETERS:
        raise SpecError(f"the network has {parameters} weights and biases, more than the "
                        f"{MAX_CHECK_PARAMETERS} a numeric gradient check handles in reasonable time; "
                        "check a smaller network with the same depth and activations" + instead)
    if m > MAX_CHECK_EXAMPLES:
        if given:
            raise SpecError(f"X has {m} examples, more than the {MAX_CHECK_EXAMPLES} a numeric "
                            "gradient check uses; keep a few columns of X and Y" + instead)
        raise SpecError(f"--m {m} is more than the {MAX_CHECK_EXAMPLES} examples a numeric gradient "
                        "check uses; a few examples test the gradients as well, e.g. --m 5")


def check(network: Network, m: int = DEFAULT_M, seed: int = 0,
          view: str = DEFAULT_GRANULARITY, data=None, numeric: bool = True) -> CheckReport:
    """Evaluate every view of `network` at granularity `view` on seeded data (or on `data`, a
    validated npzdata.Data whose network this must be; then m and seed are unused) and check each
    gradient numerically (unless `numeric` is False).

    The cost, the gradients and the central differences all come from that granularity's graphs.
    `views_agree` says the back-propagation views to layers L..1 give the same gradients and, for
    the example and unit views, that cost and gradients equal the batch graph's (to VIEWS_RTOL).
    """
    view = View(None, view).granularity  # canonical case; unknown: a SpecError naming the choices
    if data is not None:
        problem, m, seed = data.problem, data.m, None
    if network.batch_norm and m < 2:
        raise SpecError(f"batch norm normalises over the examples, and with m = {m} every Z_norm[l] "
                        "is 0 (σ² = 0); give at least 2 examples" +
                        (" (columns of X and Y)" if data is not None else ", e.g. --m 4"))
    if numeric:
        check_size(network, m, given=data is not None)
    if data is None:
        problem = random_problem(network, m, seed)
    with np.errstate(all="ignore"):  # overflow in given data is reported below, as one line
        batch_forward = forward_values(network, problem)
    finite_forward(network, batch_forward, data.source if data is not None else "the data")
    forward = batch_forward if view == "batch" else forward_values(network, problem, view)
    grads = analytic_gradients(network, problem, 1, forward, view)
    views_agree = True
    for to_layer in range(network.depth, 1, -1):
        partial = analytic_gradients(network, problem, to_layer, forward, view)
        views_agree &= all(np.array_equal(value, grads[key]) for key, value in partial.items())
    if view != "batch":
        batch_grads = analytic_gradients(network, problem, 1, batch_forward)
        views_agree &= bool(np.allclose(forward[forward_id("J")], batch_forward[forward_id("J")],
                                        rtol=VIEWS_RTOL, atol=VIEWS_ATOL))
        atol = VIEWS_ATOL
        if network.batch_norm:
            # a batch-normed layer's gradients are differences of its routes through μ and σ²,
            # terms as large as the largest gradients over √(σ² + ε): round-off is relative to them
            largest = max(float(np.max(np.abs(value))) for value in batch_grads.values())
            atol += VIEWS_RTOL * (1.0 + _normalisation_gain(network, batch_forward)) * largest
        views_agree &= all(np.allclose(grads[key], batch_grads[key], rtol=VIEWS_RTOL,
                                       atol=atol) for key in batch_grads)
    differences = numeric_gradients(network, problem, view=view) if numeric else {}
    kink = _closest_kink(network, batch_forward)
    notes = []
    if numeric and kink is not None and kink < KINK_MARGIN:
        notes.append(f"a ReLU input lies {kink:.1e} from the kink at 0; finite differences may "
                     "disagree there" + ("" if data is not None else ": try another --seed"))
    errors, abs_errors, left_out = _errors(network, problem, grads, differences, kink, notes)
    saturation = _saturation(network, batch_forward[forward_id("A", network.depth)], problem.y)
    saturation += _normalisation_gain(network, batch_forward)
    return CheckReport(network, m, seed, problem, float(forward[forward_id("J")]), grads,
                       differences, errors, abs_errors, views_agree, kink, notes=notes, view=view,
                       saturation=saturation, numeric_checked=numeric, left_out=left_out,
                       source=None if data is None else data.source,
                       forward=forward_quantities(network, problem, batch_forward),
                       backward=gradient_quantities(network, problem, batch_forward))


def _errors(network: Network, problem: Problem, grads: dict, differences: dict,
            kink: float | None, notes: list[str]) -> tuple[dict, dict, dict]:
    """Relative and largest absolute error of each gradient against its central differences,
    leaving out the entries whose differences cross a ReLU kink (named in `notes`)."""
    crossed = (kink_crossings(network, problem) if differences and kink is not None
               and kink < KINK_MARGIN else {})
    errors, abs_errors, left_out = {}, {}, {}
    for key, numeric in differences.items():
        kept = ~crossed[key] if key in crossed else np.ones(numeric.shape, dtype=bool)
        errors[key] = relative_error(grads[key][kept], numeric[kept])
        abs_errors[key] = float(np.max(np.abs(grads[key] - numeric)[kept], initial=0.0))
        if not kept.all():
            left_out[key] = int((~kept).sum())
            notes.append(f"{key}: {left_out[key]} of {kept.size} entries move a ReLU input "
                         "across its kink at 0 between θ − ε and θ + ε, where central "
                         "differences measure no derivative; they are left out of its check")
    return errors, abs_errors, left_out


def finite_forward(network: Network, forward: dict, source: str = "the data",
                   fix: str = "scale X or the weights down") -> None:
    """Given data whose forward pass overflows (A[L] rounds to exactly 0 or 1, so the cost is
    infinite) is refused in one line: no gradient means anything there."""
    for layer in range(1, network.depth + 1):
        for name in ("Z", "A"):
            if not np.all(np.isfinite(forward[forward_id(name, layer)])):
                raise SpecError(f"{source}: {name}[{layer}] overflows (not finite); {fix}")
    if network.output == "linear":
        return  # the squared error takes no log: any finite output has a finite cost
    output = forward[forward_id("A", network.depth)]
    if np.any((output <= 0) | (output >= 1)):
        raise SpecError(f"{source}: A[{network.depth}] reaches exactly 0 or 1 in float64 (the "
                        f"{network.output} saturates), so the cost's log(A[L]) is infinite; {fix}")
