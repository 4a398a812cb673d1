"""bpdiag: dataflow diagrams of the forward pass and back-propagation of a small neural network."""

__version__ = "0.1.0"
