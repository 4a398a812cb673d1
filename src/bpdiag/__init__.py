"""bpdiag: dataflow diagrams of the forward pass and back-propagation of a small neural network.

The API in five calls (each one's docstring has an example)::

    import bpdiag
    net = bpdiag.Network((2, 3, 2, 1), hidden_activation="relu")
    graph = bpdiag.build_graph(net, 2)      # networkx DiGraph of back-propagation to layer 2
    bpdiag.check(net).ok                    # every gradient against finite differences
    print(bpdiag.explain(net, 2))           # the steps, in the diagram's order and notation
    bpdiag.render(net, 2).write("out/")     # files; in Jupyter the diagram shows itself

`import bpdiag` loads neither numpy nor networkx; they load when first needed.
"""

__version__ = "0.1.0"

# Each name loads its module on first use (PEP 562), so that `import bpdiag` costs next to
# nothing: the `bpdiag` command installs its signal handlers only after this package is imported.
_HOMES = {"Diagram": "api", "as_view": "api", "build_graph": "api", "check": "api",
          "explain": "api", "render": "api", "load_data": "api", "compare": "api", "train": "api", "BpdiagError": "errors", "InputError": "errors",
          "Network": "model", "View": "views"}

__all__ = ["BpdiagError", "Diagram", "InputError", "Network", "View", "__version__", "as_view",
           "build_graph", "check", "compare", "explain", "load_data", "render", "train"]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'bpdiag' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
