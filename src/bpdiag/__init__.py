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

from .api import Diagram, as_view, build_graph, check, explain, render
from .errors import BpdiagError, InputError
from .model import Network
from .views import View


__all__ = ["BpdiagError", "Diagram", "InputError", "Network", "View", "__version__", "as_view",
           "build_graph", "check", "explain", "render"]
