"""bpdiag: dataflow diagrams of the forward pass and back-propagation of a small neural network."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bpdiag")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
