"""Back-propagation derived from the forward graph: a reverse pass from J over the operation rules.

The pass starts at the operation producing J with the seed (J itself) and visits forward
operations in the order their output's gradient becomes known (breadth first, so one layer's steps
are drawn together). For each it calls the operation kind's rule (ops/), which adds the backward
steps in course notation through the methods below. It stops where the course stops: no
dA[K-1] below layer K, and never a gradient of data (X, Y).

What the forward pass must cache is what the rules read: every forward quantity a backward
operation takes as an operand, with the gradients it is read for (`Derived.reads`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import networkx as nx

from .. import ops
from . import attrs as a
from .builder import GraphBuilder
from .ids import gradient_id

BWD = a.BACKWARD_PHASE
CACHE_NOTE = "Cached by the forward pass in training: read by "


@dataclass(frozen=True)
class Seed:
    """The gradient of J by itself: where the chain rule starts (drawn as a link from J)."""

    cost: str


@dataclass
class _Sum:
    """Terms of a gradient that several operations contribute to (the unit view's da[l-1]_k)."""

    op: str
    label: str
    note: str
    layer: int
    group: str
    operands: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # attributes of the summing operation (e.g. ε)
    one_per_line: bool = False  # draw the sum one term a line


@dataclass
class Derived:
    graph: nx.DiGraph
    reads: dict[str, list[str]]  # forward quantity id -> the gradients read from it, in order


class ReversePass:
    """The state of one derivation; the rules in ops/ call its methods."""

    def __init__(self, forward: nx.DiGraph, granularity: str, to_layer: int) -> None:
        self.forward = forward
        self.granularity = granularity
        self.to_layer = to_layer
        self.builder = GraphBuilder()
        self.gradients: dict[str, object] = {}  # forward quantity -> its gradient's id (or Seed)
        self.sums: dict[str, _Sum] = {}
        self.reads: dict[str, list[str]] = {}
        self.done: set[str] = set()
        self.stop_note: tuple[str, str] | None = None
        # a parameter J reaches through several operations (L2's cost reads every W[l]): the
        # other operations' terms of its gradient, added where the gradient is formed (defer)
        self.deferred: dict[str, list] = {}          # parameter -> builders of its other terms
        self.gradient_of_param: dict[str, str] = {}  # d(param) awaiting them -> param

    # -- the forward graph, as rules see it -------------------------------------------------
    def attr(self, node: str, key: str):
        return self.forward.nodes[node].get(key)

    def symbol(self, node: str) -> str:
        graph = self.builder.graph if node in self.builder.graph else self.forward
        return graph.nodes[node][a.SYMBOL]

    def gradient_symbol(self, node: str) -> str:
        """dZ[2] for Z[2], dw[2]_12 for w[2]_12."""
        return "d" + self.forward.nodes[node][a.SYMBOL]

    def operands(self, op: str) -> list[str]:
        edges = sorted((data[a.ARG], source)
                       for source, _, data in self.forward.in_edges(op, data=True) if a.ARG in data)
        return [source for _, source in edges]

    def output(self, op: str) -> str:
        return next(target for _, target, data in self.forward.out_edges(op, data=True)
                    if data.get(a.ROLE) == a.OUTPUT)

    def producer(self, node: str) -> str | None:
        return next((source for source, _, data in self.forward.in_edges(node, data=True)
                     if data.get(a.ROLE) == a.OUTPUT), None)

    def consumers(self, node: str) -> list[str]:
        return [target for _, target, data in self.forward.out_edges(node, data=True)
                if a.ARG in data]

    def is_data(self, node: str) -> bool:
        return self.attr(node, a.KIND) == a.DATA

    def continues(self, node: str) -> bool:
        """Whether the gradient of `node` is drawn: never for data, and not below layer K."""
        layer = self.attr(node, a.LAYER)
        return not self.is_data(node) and layer is not None and layer >= self.to_layer

    # -- adding the backward steps ------------------------------------------------------------
    def read(self, node: str, group: str | None) -> str:
        """Draw forward quantity `node` in the view, in the group of the step that reads it."""
        if node not in self.builder.graph:
            data = dict(self.forward.nodes[node])
            if data[a.LAYER] is None:
                group = None
            self.builder.graph.add_node(node, **{**data, a.GROUP: group})
        return node

    def quantity(self, node_id: str, *, like: str, symbol: str, name: str, kind: str,
                 formula: str, note: str, shape: list[str] | None = None,
                 dims: list[int | None] | None = None) -> str:
        """A backward quantity in the layer of forward quantity `like` (in its group: the
        layer's, or its batch normalisation's), of its shape unless given."""
        data = self.forward.nodes[like]
        layer = data[a.LAYER]
        group = data[a.GROUP] if a.is_batch_norm_group(data[a.GROUP]) else a.layer_group(layer)
        return self.builder.quantity(
            node_id, symbol=symbol, name=name, kind=kind, phase=BWD, layer=layer,
            group=group, shape=data[a.SHAPE] if shape is None else shape,
            dims=data[a.DIMS] if dims is None else dims, formula=formula, note=note)

    def gradient(self, of: str, *, formula: str, note: str) -> str:
        """d(of): dZ[l] for Z[l], shaped like it."""
        node = self.quantity(gradient_id(of), like=of, symbol=self.gradient_symbol(of),
                             name="d" + self.forward.nodes[of][a.NAME], kind=a.GRADIENT,
                             formula=formula, note=note)
        if of in self.deferred:
            self.gradient_of_param[node] = of
        return node

    def operation(self, output: str, op: str, inputs: list[str], *, label: str, layer: int,
                  group: str, reader: str | None = None, **extra) -> str:
        """A backward operation; the forward quantities among `inputs` are read from the cache
        (for `reader`, by default the symbol of `output`)."""
        reader = reader or self.symbol(output)
        inputs, label = self._add_terms(output, inputs, label, extra)
        for source in inputs:
            if source in self.forward and self.attr(source, a.KIND) == a.FORWARD:
                readers = self.reads.setdefault(source, [])
                if reader not in readers:
                    readers.append(reader)
        return self.builder.operation(output, op, inputs, label=label, phase=BWD, layer=layer,
                                      group=group, **extra)

    def seed(self, seed: Seed, first_step: str) -> None:
        """Link J to the first backward step: where the chain rule starts."""
        self.builder.link(seed.cost, first_step, a.SEED)

    def emit(self, of: str, gradient: object) -> None:
        """The gradient of forward quantity `of` is complete."""
        self.gradients[of] = gradient

    def contribute(self, of: str, *, op: str, operands: list[str], term: str, label: str,
                   note: str, layer: int, group: str, one_per_line: bool = False,
                   **extra) -> None:
        """One consumer's term of the gradient of `of`; the terms are summed when it is needed
        (by operation `op`, with the label, note, `extra` attributes and `one_per_line` of the
        first term)."""
        total = self.sums.setdefault(of, _Sum(op, label, note, layer, group, extra=extra,
                                              one_per_line=one_per_line))
        total.operands += operands
        total.terms.append(term)

    def defer(self, param: str, build) -> None:
        """Another term of d(param), such as L2's (λ/m) W[l]: `build()` adds its node and returns
        its id when the rule forming d(param) draws its operation, which then adds the term to
        its result (the `added` operands), so dW[l] = (1/m) dZ[l] A[l-1]ᵀ + (λ/m) W[l] is one
        step reading the term, as the course writes it."""
        self.deferred.setdefault(param, []).append(build)

    def _add_terms(self, output: str, inputs: list[str], label: str, extra: dict):
        """The deferred terms of the parameter whose gradient `output` is, if any: added to the
        operation's operands, its label and the gradient's formula."""
        param = self.gradient_of_param.pop(output, None)
        if param is None:
            return inputs, label
        terms = [build() for build in self.deferred.pop(param)]
        plus = "".join(f" + {self.symbol(term)}" for term in terms)
        self.builder.graph.nodes[output][a.FORMULA] += plus
        extra[a.ADDED] = len(terms)
        return [*inputs, *terms], label + plus

    def stop(self, text: str, *, near: str) -> None:
        """The note where back-propagation ends (the first rule to stop places it)."""
        if self.stop_note is None:
            self.stop_note = (text, near)

    # -- the pass -------------------------------------------------------------------------------
    def gradient_of(self, node: str):
        """The gradient of forward quantity `node`: formed from its terms when first needed."""
        if node not in self.gradients:
            total = self.sums.pop(node)
            for operand in total.operands:
                if operand in self.forward:
                    self.read(operand, total.group)
            d_node = self.gradient(node, note=total.note,
                                   formula=f"{self.gradient_symbol(node)} = " + " + ".join(total.terms))
            if total.one_per_line:
                self.builder.graph.nodes[d_node][a.FORMULA_LINES] = [
                    ("= " if index == 0 else "+ ") + term for index, term in enumerate(total.terms)]
            self.operation(d_node, total.op, total.operands, label=total.label, layer=total.layer,
                           group=total.group, **total.extra)
            self.gradients[node] = d_node
        return self.gradients[node]

    def _ready(self, node: str) -> bool:
        if node in self.gradients:
            return True
        return node in self.sums and all(op in self.done for op in self.consumers(node))

    def run(self) -> Derived:
        cost = next(node for node, data in self.forward.nodes(data=True) if data[a.KIND] == a.COST)
        self.gradients[cost] = Seed(cost)
        queue = deque([self.producer(cost)])
        queued = set(queue)
        while queue:
            op = queue.popleft()
            rule = ops.OPS[self.attr(op, a.OP)].rule
            rule(self, op, self.gradient_of(self.output(op)))
            self.done.add(op)
            for operand in self.operands(op):
                below = self.producer(operand)
                if below is not None and below not in queued and self._ready(operand):
                    queue.append(below)
                    queued.add(below)
        if self.deferred:  # a term no rule took up: the pass would draw a wrong gradient
            raise RuntimeError("terms never added to the gradients of " + ", ".join(self.deferred))
        if self.stop_note is not None:
            text, near = self.stop_note
            self.builder.annotation("bwd:stop", text=text, layer=self.to_layer - 1, group=None,
                                    near=near)
        return Derived(self.builder.graph, self.reads)


def derive(forward: nx.DiGraph, granularity: str, to_layer: int) -> Derived:
    """Back-propagation to layer `to_layer` of `forward` (a training forward graph)."""
    return ReversePass(forward, granularity, to_layer).run()


def mark_cache(forward: nx.DiGraph, reads: dict[str, list[str]]) -> None:
    """Mark what the forward pass keeps in training: what the backward rules read."""
    for node, readers in reads.items():
        data = forward.nodes[node]
        note = CACHE_NOTE + ", ".join(readers)
        data.update({a.CACHED: True, a.CACHED_FOR: list(readers),
                     a.NOTE: f"{data[a.NOTE]} {note}" if data[a.NOTE] else note})
