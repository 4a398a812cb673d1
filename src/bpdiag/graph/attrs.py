"""Names of the node and edge attributes every view carries, and their allowed values.

The exporters, the numeric check and the JSON all read these names, so they live in one place.
"""

# node attributes
KIND = "kind"
PHASE = "phase"
LAYER = "layer"
GROUP = "group"
SYMBOL = "symbol"
NAME = "name"
SHAPE = "shape"
DIMS = "dims"
FORMULA = "formula"
CACHED = "cached"
CACHED_FOR = "cached_for"
NOTE = "note"
OP = "op"
LABEL = "label"
FUNCTION = "fn"
AXIS = "axis"
TRANSPOSE = "transpose"
SCALE = "scale"
BIAS = "bias"          # on a weighted_sum: its last operand is a bias added to the sum
EPSILON = "epsilon"    # on batch-norm operations: the ε of √(σ² + ε)
FORMULA_LINES = "formula_lines"  # a long formula's right side as drawn, one term a line (labels)

# edge attributes
ARG = "arg"          # position of an input among an operation's operands (0, 1, ...)
ROLE = "role"        # on operation -> quantity edges: OUTPUT or EQUIVALENT

OUTPUT = "output"
EQUIVALENT = "equivalent"  # a second, shorter way to the same value; the check compares the two
SEED = "seed"              # J -> the first backward step: where the chain rule starts (no operand)

# kinds of quantity node
DATA = "data"              # X, Y: fixed, never differentiated
PARAMETER = "parameter"    # W[l], b[l]: the variables J is a function of
FORWARD = "forward"        # Z[l], A[l], the loss
COST = "cost"              # J
GRADIENT = "gradient"      # dA[l], dZ[l], dW[l], db[l]
DERIVATIVE = "derivative"  # g[l]'(Z[l]), a local derivative of an activation
QUANTITY_KINDS = (DATA, PARAMETER, FORWARD, COST, GRADIENT, DERIVATIVE)

# kinds of the other nodes
OPERATION = "operation"
ANNOTATION = "annotation"  # a note drawn on the diagram (e.g. where differentiation stops)

FORWARD_PHASE, BACKWARD_PHASE = "forward", "backward"
PHASES = (FORWARD_PHASE, BACKWARD_PHASE)

# operations (the `op` attribute); ops/ gives each its numpy meaning and derivative rule
LINEAR = "linear"                  # W·A + b
ACTIVATION = "activation"          # g(Z), element-wise; `fn` names g
LOSS = "loss"                      # binary cross-entropy per example
CROSS_ENTROPY = "cross_entropy"    # −Σₖ Y log A over the C classes, per example
SQUARED_ERROR = "squared_error"    # ½ ‖A − Y‖² per example
SOFTMAX = "softmax"                # A = softmax(Z), column by column (not element-wise)
MEAN = "mean"                      # mean over the examples (axis 1) or of everything (axis None)
LOSS_DERIVATIVE = "loss_derivative"              # dA[L] = -Y/A + (1-Y)/(1-A)
CROSS_ENTROPY_DERIVATIVE = "cross_entropy_derivative"  # dA[L] = -Y/A
SQUARED_ERROR_DERIVATIVE = "squared_error_derivative"  # dA[L] = A - Y
SOFTMAX_DERIVATIVE = "softmax_derivative"  # the softmax's Jacobian diag(a) − a aᵀ, per column
JACOBIAN_PRODUCT = "jacobian_product"      # dZ = Jᵀ dA, column by column
SOFTMAX_CHAIN = "softmax_chain"            # dz_j = a_j (da_j − Σ_k a_k da_k), the unit view's
IDENTITY = "identity"                      # dZ = dA: the linear output's g' = 1
ACTIVATION_DERIVATIVE = "activation_derivative"  # g'(Z), from Z or from the cached A
HADAMARD = "hadamard"              # element-wise product
SUBTRACT = "subtract"              # A[L] - Y
MATMUL = "matmul"                  # with `transpose` = "left" or "right" and optional `scale`
# the example and unit views: one example at a time, then the average over the m examples
PRODUCT = "product"                # scalar × scalar (the unit view's counterpart of hadamard)
WEIGHTED_SUM = "weighted_sum"      # Σ_k w_k·v_k from operands w_1, v_1, w_2, v_2, ... (+ bias)
MEAN_OVER_EXAMPLES = "mean_over_examples"  # (1/m) Σᵢ of the product of its per-example operands;
#                                            with `axis` None the result is the number J
# regularisation (ops/l2.py, ops/dropout.py, ops/products.py)
ADD = "add"                        # the sum of its operands: J = data cost + L2 cost, dW's terms
L2_COST = "l2_cost"                # (λ/2m) Σ_l ‖W[l]‖², with `lambd` and `m`
L2_GRADIENT = "l2_gradient"        # (λ/m) W[l], L2's term of dW[l]
DROPOUT = "dropout"                # A ⊙ D / keep_prob (forward) and dA ⊙ D / keep_prob (backward)
LAMBD = "lambd"                    # λ on the L2 operations (the course's variable name)
EXAMPLES = "m"                     # the number of examples the L2 operations divide by
KEEP_PROB = "keep_prob"            # on a dropout operation
ADDED = "added"                    # on any operation: its last `added` operands are added to
#                                    its result (dW[l] = (1/m) dZ[l] A[l-1]ᵀ + (λ/m) W[l])
# batch normalisation (ops/batch_norm.py); over the m examples: the statistics and the gradients
# of what is shared by every example (μ, σ², γ, β)
BN_MEAN = "bn_mean"                # μ[l] = (1/m) Σᵢ Z[l](i)
BN_VARIANCE = "bn_variance"        # σ²[l] = (1/m) Σᵢ (Z[l](i) − μ[l])², biased
BN_NORMALIZE = "bn_normalize"      # Z_norm[l] = (Z[l] − μ[l]) / √(σ²[l] + ε)
BN_SCALE_SHIFT = "bn_scale_shift"  # Z̃[l] = γ[l] ⊙ Z_norm[l] + β[l]
BN_MEAN_PRODUCT = "bn_mean_product"            # (1/m) Σᵢ of its operands' product: dγ, dβ
BN_VARIANCE_GRADIENT = "bn_variance_gradient"  # dσ²[l]
BN_MEAN_GRADIENT = "bn_mean_gradient"          # dμ[l]
BN_INPUT_GRADIENT = "bn_input_gradient"        # dZ[l] through the batch statistics
BATCH_NORM_OPERATIONS = (BN_MEAN, BN_VARIANCE, BN_NORMALIZE, BN_SCALE_SHIFT, BN_MEAN_PRODUCT,
                         BN_VARIANCE_GRADIENT, BN_MEAN_GRADIENT, BN_INPUT_GRADIENT)
OPERATIONS = (LINEAR, ACTIVATION, LOSS, MEAN, LOSS_DERIVATIVE, ACTIVATION_DERIVATIVE,
              HADAMARD, SUBTRACT, MATMUL, PRODUCT, WEIGHTED_SUM, MEAN_OVER_EXAMPLES,
              CROSS_ENTROPY, SQUARED_ERROR, SOFTMAX, CROSS_ENTROPY_DERIVATIVE,
              SQUARED_ERROR_DERIVATIVE, SOFTMAX_DERIVATIVE, JACOBIAN_PRODUCT, SOFTMAX_CHAIN, IDENTITY,
              ADD, L2_COST, L2_GRADIENT, DROPOUT, *BATCH_NORM_OPERATIONS)

COST_GROUP = "cost"


def layer_group(layer: int) -> str:
    """The group id of layer l's nodes, e.g. 'L2'."""
    return f"L{layer}"


BATCH_NORM_GROUP = "bn"


def batch_norm_group(layer: int) -> str:
    """The group id of layer l's batch normalisation and activation, e.g. 'L2bn': a group (a row
    of the slide layout) of its own beside the layer's linear step, as the course draws it."""
    return f"L{layer}{BATCH_NORM_GROUP}"


def is_batch_norm_group(group: str | None) -> bool:
    return group is not None and group.startswith("L") and group.endswith(BATCH_NORM_GROUP)


def is_backward(graph) -> bool:
    """Whether a view's graph draws back-propagation (its graph attribute `view` is not
    "forward")."""
    return graph.graph.get("view", "forward") != "forward"
