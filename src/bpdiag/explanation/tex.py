"""The plain course notation (W[2], A[1]ᵀ, ⊙, Σᵢ, ℒ(i), (1/m), g[2]') turned into LaTeX."""

from __future__ import annotations

import re

# NAME[layer] with its unit index _jk (a subscript), example index (i), transpose ᵀ and prime ':
# all but the unit index in one superscript
_INDEXED = re.compile(r"(d?[Ãã]|[A-Za-z]+|ℒ)\[([^\]]+)\](?:_([0-9a-z]+))?(\(i\))?(ᵀ)?('|′)?(²)?")
# dropout's activations: Ã[l] is \tilde{A}^{[l]}
_TILDE = {"Ã": r"\tilde{A}", "ã": r"\tilde{a}"}
# a variable name of the course's code, kept whole (its words are not prose)
_KEEP_PROB, _KEEP_PROB_MARK = "keep_prob", "\x00"
# English words inside a formula ('1 where Z[2] > 0, else 0'); log and tanh are functions
_WORD = re.compile(r"(?<![\\A-Za-z])(?!log\b|tanh\b)[a-z]{3,}\b")
_FUNCTIONS = [(re.compile(r"\bLeakyReLU\b"), r"\\operatorname{LeakyReLU}"),
              (re.compile(r"\bReLU\b"), r"\\operatorname{ReLU}"),
              (re.compile(r"\btanh\b"), r"\\tanh"),
              (re.compile(r"\blog\b"), r"\\log")]
_SYMBOLS = [
    ("(1/m)", r"\frac{1}{m}"), ("Σᵢ", r"\sum_{i}"), ("Σ_j", r"\sum_{j}"), ("Σ_k", r"\sum_{k}"), ("ℒ(i)", r"\mathcal{L}^{(i)}"),
    ("ℒ", r"\mathcal{L}"), ("ᵀ", "^{T}"), ("⊙", r"\odot"), ("−", "-"), ("·", r"\cdot"),
    ("σ", r"\sigma"), ("α", r"\alpha"), ("∈", r"\in"), ("×", r"\times"), ("Ŷ", r"\hat{Y}"),
    ("∂", r"\partial"), ("′", "'"), ("{0, 1}", r"\{0, 1\}"), ("^(1 \\times m)", "^{1 \\times m}"),
    # regularisation: (λ/m) W[l], (λ/2m) Σ_l ‖W[l]‖², Σ w[l]_jk²
    ("(λ/m)", r"\frac{\lambda}{m}"), ("(λ/2m)", r"\frac{\lambda}{2m}"), ("λ", r"\lambda"),
    ("Σ_l", r"\sum_{l}"), ("Σ", r"\sum"), ("‖", r"\|"), ("²", "^{2}"),
]
# In prose, the runs that are mathematics: indexed symbols, J(W, b; X, Y), single capitals
_MATH_TOKEN = (r"(?:(?:d?[Ãã]|[A-Za-z]+|ℒ)\[[^\]]*\](?:_[0-9a-z]+)?(?:\(i\))?[ᵀ'′]*(?:\([^()]*\))?"
               r"|J\([^()]*\)|Σ_[jk]|(?<![\w\[])[A-Zb](?![\w\[])|[=⊙−+·σ])")
_MATH_RUN = re.compile(rf"{_MATH_TOKEN}(?:(?:,? +|, *){_MATH_TOKEN})*")


def _superscript(match: re.Match) -> str:
    name, layer, unit, example, transpose, prime, squared = match.groups()
    if name == "ℒ":
        name = r"\mathcal{L}"
    if name[-1] in _TILDE:
        name = name[:-1] + _TILDE[name[-1]]
    superscript = f"[{layer}]" + (example or "") + ("T" if transpose else "")
    if prime:
        superscript += r"\prime"
    subscript = f"_{{{unit}}}" if unit else ""
    symbol = f"{name}^{{{superscript}}}{subscript}"
    return f"{{{symbol}}}^{{2}}" if squared else symbol  # braces: one superscript per group


def math(text: str) -> str:
    """Course notation -> LaTeX math, e.g. 'dW[2] = (1/m) dZ[2] A[1]ᵀ' ->
    'dW^{[2]} = \\frac{1}{m} dZ^{[2]} A^{[1]T}'."""
    text = text.replace(_KEEP_PROB, _KEEP_PROB_MARK)
    text = _WORD.sub(lambda found: rf"\text{{ {found.group(0)} }}", text)
    text = _INDEXED.sub(_superscript, text)
    for plain, latex in _SYMBOLS:
        text = text.replace(plain, latex)
    for pattern, latex in _FUNCTIONS:
        text = pattern.sub(latex, text)
    text = text.replace(_KEEP_PROB_MARK, r"\mathrm{keep\_prob}")
    return " ".join(text.split())


def _text(words: str) -> str:
    """Words for \\text{}: the characters LaTeX treats specially are escaped."""
    for special, escaped in (("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"),
                             ("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#"),
                             ("$", r"\$"), ("^", r"\^{}"), ("~", r"\~{}")):
        words = words.replace(special, escaped)
    return rf"\text{{{words}}}" if words else ""


def prose(text: str) -> str:
    """A sentence mixing words and notation, as math: words in \\text{}, notation converted."""
    parts = []
    position = 0
    for found in _MATH_RUN.finditer(text):
        parts.append(_text(text[position:found.start()]))
        parts.append(math(found.group(0)))
        position = found.end()
    parts.append(_text(text[position:]))
    return "".join(parts)
