import pytest

from bpdiag.model import Network, SpecError, parse_sizes


def test_default_network_is_the_course_three_layer_net():
    net = Network()
    assert net.sizes == (2, 3, 2, 1)
    assert net.depth == 3
    assert [net.activation(layer) for layer in (1, 2, 3)] == ["relu", "relu", "sigmoid"]


def test_single_layer_is_plain_logistic_regression():
    net = Network((4, 1), "tanh")
    assert net.depth == 1
    assert net.activation(1) == "sigmoid"


@pytest.mark.parametrize(
    "sizes, fragment",
    [
        ((2,), "at least two sizes"),
        ((2, 0, 1), "n[1] = 0 must be at least 1"),
        ((2, -3, 1), "n[1] = -3"),
        ((2, 3, 2), "needs exactly 1"),
        ((2, 2.5, 1), "not a whole number"),
        ((2, True, 1), "not a whole number"),
    ],
)
def test_invalid_sizes_name_the_problem(sizes, fragment):
    with pytest.raises(SpecError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        Network(sizes)


def test_invalid_activation_lists_the_choices():
    with pytest.raises(SpecError, match="relu, tanh, sigmoid, leaky_relu"):
        Network((2, 1), "softplus")


@pytest.mark.parametrize("slope", [0, 1, -0.1, 2.0])
def test_leaky_slope_must_be_between_0_and_1(slope):
    with pytest.raises(SpecError, match="slope"):
        Network((2, 3, 1), "leaky_relu", slope)


def test_parse_sizes():
    assert parse_sizes("2, 3,2 ,1") == (2, 3, 2, 1)
    with pytest.raises(SpecError, match=r"n\[1\] = 'x'"):
        parse_sizes("2,x,1")
