"""Exporters: one module per output format, each turning a graph (and its layout) into bytes."""
