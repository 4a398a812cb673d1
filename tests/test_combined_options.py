"""Batch normalisation with L2 and dropout on one network: check's report, what is drawn, and
the names of its files (the gradients of random such networks: tests/test_batch_norm.py)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bpdiag.cli import cli
from bpdiag.graph import build_graph
from bpdiag.model import Network
from bpdiag.views import View


@pytest.mark.parametrize("output, layers", [("softmax", "2,3,3,3"), ("sigmoid", "2,3,2,1"),
                                            ("linear", "3,2,2,2")])
def test_check_json_of_all_three_reports_each_sides_fields(output, layers):
    result = CliRunner().invoke(cli, ["check", "--json", "--batch-norm", "--l2", "0.1",
                                      "--keep-prob", "0.8", "--output", output,
                                      "--layers", layers])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] and data["batch_norm"] is True and data["bn_epsilon"] == 1e-08
    assert data["lambd"] == 0.1 and data["keep_prob"] == 0.8
    assert sorted(data["masks"]) == ["D1", "D2"]
    assert {"gamma1", "beta1", "gamma2", "beta2", "W3", "b3"} <= set(data["params"])
    assert "b1" not in data["params"]
    assert {"dgamma1", "dbeta2", "dW1"} <= set(data["grads"])


def test_the_graphs_draw_the_mask_after_batch_norm_and_the_l2_terms():
    network = Network((2, 3, 2, 1), batch_norm=True, l2=0.1, keep_prob=0.8)
    forward = build_graph(network, View(None))
    assert {"D", "Ã", "Z̃", "Z_norm", "γ", "β", "L2 cost"} <= {
        data.get("name") for _, data in forward.nodes(data=True)}
    graph = build_graph(network, View(1))
    assert {"dÃ", "dZ̃", "dZ_norm", "dγ", "dβ", "L2 term"} <= {
        data.get("name") for _, data in graph.nodes(data=True)}
    assert graph.graph["batch_norm"] and graph.graph["lambd"] == 0.1
    assert graph.graph["keep_prob"] == 0.8
    # the dropout of layer 1 masks g[1](Z̃[1]): A[1] is drawn in the batch-norm row with its mask
    groups = {data.get("name"): data.get("group") for _, data in forward.nodes(data=True)
              if data.get("layer") == 1}
    assert groups["D"] == groups["A"] == groups["Z̃"]


def test_render_names_the_files_in_the_tags_order(tmp_path):
    result = CliRunner().invoke(cli, ["render", "--to-layer", "2", "--batch-norm", "--l2", "0.1",
                                      "--keep-prob", "0.8", "--format", "json",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["backprop_to_layer_2_batchnorm_l2_dropout.json"]
    result = CliRunner().invoke(cli, ["render", "--inference", "--batch-norm", "--l2", "0.1",
                                      "--keep-prob", "0.8", "--format", "json",
                                      "--out", str(tmp_path / "inf")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "inf").iterdir()] == ["forward_batchnorm_inference.json"]
