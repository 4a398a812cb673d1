"""Notation profiles: how the course's symbols are drawn (`--notation dls|nielsen|FILE.toml`).

The graph keeps the course's notation (W[2], dZ[3], g[2]'(Z[2])); a profile only rewrites the text
that is drawn, token by token: a course base name with its layer index becomes the profile's
symbol with the layer written in the profile's style, e.g. for `nielsen`

    dW[2] = (1/m) dZ[2] A[1]ᵀ   ->   ∂C/∂w^{2} = (1/m) δ^{2} a^{1}ᵀ

where `^{...}` is drawn as a superscript (see richtext). Unit subscripts (`_13`), ᵀ, the example
index (i) and all the mathematics pass through unchanged. The JSON export never sees a profile.

A profile file (TOML) says:

    profile = "mine"                       # required: the name shown in the legend
    title = "..."                          # optional: one line shown beside the name
    description = "..."                    # optional, e.g. how its symbols relate to the course's
    note = "..."                           # optional
    [style]
    layer = "superscript"                  # w^{2}; "brackets" (the default) draws W[2]
    [names]                                # course base name -> drawn symbol (layer follows it)
    dZ = "δ"
    [symbols.dZ]                           # legend rows, keyed by the graph's node `name`
    symbol = "δ^{l}"
    meaning = "..."
    shape = "(n^{l}, m)"
    [symbols.dZ.unit]                      # optional: what differs in the example or unit view
    symbol = "δ^{l}_j"
    [symbols.dZ.softmax]                   # optional: what differs with the softmax (or linear)
    meaning = "..."                        # output; [symbols.dZ.unit.softmax] for both
    [operators]
    "⊙" = "element-wise product"
    [key]                                  # the colour key's texts, by kind (styles.toml)
    gradient = "gradient: δ, ∂C/∂w, ∂C/∂b"

What a file leaves out is the course's (`dls`), rewritten with the file's own names and style,
so a small file only says what differs: a name it does not give is drawn in the course's letters,
a legend row (`writes_row`), an operator or a colour-key text it does not give is the course's.
The builtin profiles give every name and row a view draws (tests/test_notation.py).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import tomlfile
from .choices import canonical
from .errors import InputError
from .resources import template_path
from .usertext import (MAX_NOTE, MAX_PHRASE, MAX_SYMBOL, MAX_TITLE, check_length,
                       check_text)

BUILTIN = ("dls", "nielsen")
DEFAULT = "dls"

# The base names the graph's text is written with, and what may follow them.
BASE_NAMES = ("W", "b", "Z", "A", "X", "Y", "J", "ℒ", "dA", "dZ", "dW", "db", "g", "n",
              "x", "y", "z", "a", "w", "dz", "da", "dw",
              # batch norm's (ops/batch_norm.py)
              "Z_norm", "Z̃", "z_norm", "z̃", "μ", "σ²", "γ", "β", "dZ_norm", "dZ̃", "dz_norm",
              "dz̃", "dμ", "dσ²", "dγ", "dβ",
              # dropout's (ops/dropout.py)
              "D", "d", "Ã", "ã", "dÃ", "dã")
# Base names followed by the example index (i) that a profile may draw as one symbol.
EXAMPLE_NAMES = ("dW(i)", "ℒ(i)")
NAME_KEYS = BASE_NAMES + EXAMPLE_NAMES
# The `name` attribute of every quantity node any view draws: the legend's rows.
NODE_NAMES = ("X", "Y", "x", "y", "W", "w", "b", "Z", "z", "A", "a", "ℒ", "J", "dA", "da",
              "dZ", "dz", "g'", "dW", "dW(i)", "dw", "db",
              "μ", "σ²", "Z_norm", "z_norm", "γ", "β", "Z̃", "z̃", "dZ̃", "dz̃", "dγ", "dβ",
              "dZ_norm", "dz_norm", "dσ²", "dμ",
              "D", "d", "Ã", "ã", "dÃ", "dã", "data cost", "L2 cost", "L2 term",
              "J with L2")
GRANULARITIES = ("example", "unit")  # views whose legend rows may differ from the batch view's
OUTPUT_VARIANTS = ("softmax", "linear")  # output heads whose rows may differ from the sigmoid's
ROW_FIELDS = ("symbol", "meaning", "shape")
TOP_KEYS = ("profile", "title", "description", "note", "style", "names", "symbols", "operators",
            "key")
# The colour key's entries (styles.toml's kinds, and the cache mark), which [key] may reword.
KEY_ENTRIES = ("data", "parameter", "forward", "cost", "gradient", "derivative", "operation",
               "annotation", "cached")
DLS_LAYER = "[{l}]"
LAYER_STYLES = {"brackets": DLS_LAYER, "superscript": "^{{l}}"}  # {l} is the layer index

# A name may stand without a layer index (J, X, 'dZ's columns') unless it is also an English
# word or letter; 'A' and 'a' are rewritten bare only right after ∂ (∂ℒ/∂A).
_BARE = {"W", "b", "Z", "X", "Y", "J", "ℒ", "dA", "dZ", "dW", "db", "x", "y", "z", "w",
         "dz", "da", "dw", "Z_norm", "Z̃", "z_norm", "z̃", "μ", "σ²", "γ", "β", "dZ_norm", "dZ̃",
         "dz_norm", "dz̃", "dμ", "dσ²", "dγ", "dβ", "Ã", "ã", "dÃ", "dã"}
_AFTER_PARTIAL = {"A", "a"}
_LAYER_INDEX = r"\d+|l|L|l-1|l\+1|1\.\.L"
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_\]])(?P<name>" + "|".join(sorted(map(re.escape, BASE_NAMES), key=len,
                                                           reverse=True)) + r")"
    r"(?:\[(?P<layer>" + _LAYER_INDEX + r")\])?(?P<example>\(i\))?(?![A-Za-z])"
)

_SUPERSCRIPTS = str.maketrans("0123456789+-=()lLn", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ˡᴸⁿ")
_PLAIN_SUP = re.compile(r"\^\{([^{}]*)\}")


@dataclass(frozen=True, eq=False)
class Profile:
    """A notation profile; `rewrite` turns course-notation text into this profile's drawn text."""

    name: str
    title: str
    description: str
    note: str
    layer_style: str                               # "[{l}]" or "^{{l}}": {l} is the index
    names: dict[str, str]                          # course base name -> drawn symbol
    symbols: dict[str, dict[str, dict[str, str]]]  # node name -> {"": row, "unit": row, ...}
    operators: tuple[tuple[str, str], ...]
    key: dict[str, str]                            # colour key entry -> its text in this notation
    source: str = "profile"                        # the file (or template) it was read from

    def texts(self) -> list[tuple[str, str]]:
        """(key, text) of everything of the profile's own that may be drawn, keys as in its file."""
        texts = [("profile", self.name), ("title", self.title), ("description", self.description),
                 ("note", self.note)]
        texts += [(f"names.{_key(k)}", v) for k, v in self.names.items()]
        for node_name, rows in self.symbols.items():
            for granularity, row in rows.items():
                where = ".".join(filter(None, ("symbols", _key(node_name), granularity)))
                texts += [(f"{where}.{field_name}", v) for field_name, v in row.items()]
        for operator, meaning in self.operators:
            texts += [(f"operators.{_key(operator)}", operator), (f"operators.{_key(operator)}", meaning)]
        texts += [(f"key.{entry}", text) for entry, text in self.key.items()]
        return texts

    @property
    def is_builtin(self) -> bool:
        """True for a profile shipped with bpdiag (dls, nielsen), False for a user's file."""
        return any(self is builtin(name) for name in BUILTIN)

    def operator_rows(self) -> tuple[tuple[str, str], ...]:
        """The legend's operator rows: the profile's own, then the course's it leaves out
        (by their rewritten symbol), rewritten."""
        own = {operator for operator, _ in self.operators}
        course = tuple((self.rewrite(op), self.rewrite(meaning))
                       for op, meaning in builtin(DEFAULT).operators)
        return self.operators + tuple(row for row in course if row[0] not in own)

    def key_text(self, entry: str, course_text: str) -> str:
        """The colour key's text for `entry` ('gradient', ...): the profile's own, or the
        course's text (styles.toml) rewritten."""
        return self.key.get(entry) or self.rewrite(course_text)

    @property
    def is_course(self) -> bool:
        """True when drawing with this profile changes nothing (the course's own notation)."""
        return self.layer_style == DLS_LAYER and all(self.names.get(k, k) == k for k in NAME_KEYS)

    def rewrite(self, text: str) -> str:
        """Course notation -> this profile's drawn text (plain text with ^{...} superscripts)."""
        if self.is_course or not text:
            return text
        return _TOKEN.sub(self._token, text)

    def plain(self, text: str) -> str:
        """Like `rewrite`, for plain-text outputs (tooltips, explain): superscripts in Unicode
        where every character has one (w², δˡ), else ^(...)."""
        return plain_superscripts(self.rewrite(text))

    def _token(self, match: re.Match) -> str:
        key = _name_key(match)
        if key is None:
            return match.group(0)
        name, layer, example = match.group("name", "layer", "example")
        if key in self.names and key != name:  # one symbol for the name and its (i)
            drawn, example = self.names[key], ""
        else:
            drawn = self.names.get(name, name)
        index = "" if layer is None else self.layer_style.replace("{l}", layer)
        if "{l}" in drawn:
            return drawn.replace("{l}", index) + (example or "")
        return drawn + index + (example or "")

    def writes_row(self, name: str, granularity: str = "batch", output: str = "sigmoid") -> bool:
        """True when the profile's own [symbols] give the legend row of node name `name` in a
        view of `granularity` with the `output` head; False when it leaves the row out, or says
        nothing about an output head where the course's notation does (e.g. Y with softmax)."""
        entry = self.symbols.get(name)
        if entry is None:
            return False
        course = builtin(DEFAULT)
        heads = (output, f"{granularity}.{output}")
        return (self is course or output not in OUTPUT_VARIANTS or any(key in entry for key in heads)
                or not any(key in course.symbols.get(name, {}) for key in heads))

    def legend_row(self, name: str, granularity: str = "batch",
                   output: str = "sigmoid") -> tuple[str, str, str] | None:
        """(symbol, meaning, shape) of node name `name` in a view of `granularity` with the
        `output` head, or None. A row the profile does not write (`writes_row`) is the
        course's, rewritten."""
        course = builtin(DEFAULT)
        if self is not course and not self.writes_row(name, granularity, output):
            row = course.legend_row(name, granularity, output)
            return None if row is None else tuple(self.rewrite(part) for part in row)
        entry = self.symbols.get(name)
        if entry is None:
            return None
        variants = [output, granularity, f"{granularity}.{output}"]
        row = dict(entry[""])
        for key in variants:
            row.update(entry.get(key, {}))
        return row["symbol"], row["meaning"], row["shape"]


def _name_key(match: re.Match) -> str | None:
    """The [names] key a match of _TOKEN is drawn with ('dW', or 'dW(i)' for dW[2](i)), or None
    where the text is not a symbol (a bare letter that may be a word)."""
    name, layer, example = match.group("name", "layer", "example")
    if layer is None:
        before = match.string[:match.start()]
        if not (name in _BARE or (name in _AFTER_PARTIAL and before.endswith("∂"))):
            return None
    return f"{name}(i)" if example and f"{name}(i)" in EXAMPLE_NAMES else name


def names_in(text: str) -> set[str]:
    """The [names] keys a profile's `rewrite` looks up in `text` (course notation)."""
    return {key for match in _TOKEN.finditer(text) if (key := _name_key(match)) is not None}


def plain_superscripts(text: str) -> str:
    """'w^{2}' -> 'w²', 'w^{1..L}' -> 'w^(1..L)': drawn text for plain-text outputs."""
    return _PLAIN_SUP.sub(_plain_superscript, text)


def _plain_superscript(match: re.Match) -> str:
    inner = match.group(1)
    converted = inner.translate(_SUPERSCRIPTS)
    if all(ord(c) > 127 for c in converted):
        return converted
    return f"^({inner})"


def load_profile(name_or_path: str | Path | Profile | None) -> Profile:
    """A builtin profile by name ('dls', 'nielsen'), or a profile TOML file by its path.

    Every mistake is an InputError of one line naming the file, the key and the fix.
    """
    if isinstance(name_or_path, Profile):
        return name_or_path
    if name_or_path is None:
        return builtin(DEFAULT)
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"notation must be {', '.join(BUILTIN)}, a profile file's path or a "
                        f"Profile, not {type(name_or_path).__name__}")
    name_or_path = canonical(name_or_path, BUILTIN)
    if isinstance(name_or_path, str) and name_or_path in BUILTIN:
        return builtin(name_or_path)
    text = str(name_or_path)
    if isinstance(name_or_path, str) and not _looks_like_path(text):
        close = difflib.get_close_matches(text, BUILTIN, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise InputError(f"unknown notation profile '{text}'; {hint}choose "
                         f"{', '.join(BUILTIN)} or give the path of a profile .toml file")
    return read_profile(Path(name_or_path))


def _looks_like_path(text: str) -> bool:
    return text.endswith(".toml") or "/" in text or "\\" in text or Path(text).is_file()


@lru_cache(maxsize=None)
def builtin(name: str) -> Profile:
    """A profile shipped in templates/notation/, parsed once per process."""
    path = template_path("notation", f"{name}.toml")
    return parse_profile(path.read_text(encoding="utf-8"), source=f"notation/{name}.toml")


def read_profile(path: Path) -> Profile:
    text = tomlfile.read_text(path, option="--notation", kind="notation profile",
                              wanted=f"{', '.join(BUILTIN)} or the path of a profile .toml file")
    return parse_profile(text, source=str(path))


def parse_profile(text: str, source: str = "profile") -> Profile:
    """Check the TOML `text` of a profile; `source` names it in error messages."""
    table = tomlfile.parse(text, source, nesting_hint="a profile nests tables one level deep, "
                                                    "e.g. [names]")
    _known(table, TOP_KEYS, source, "")
    if "profile" not in table:
        raise InputError(f'{source}: missing key \'profile\'; add its name, e.g. profile = "mine"')
    name = _text(table, "profile", source, "")
    if not name.strip():
        raise InputError(f"{source}: 'profile' is empty; give the profile a name")
    title, description, note = (_text(table, key, source, "", "") for key in ("title", "description", "note"))

    style = _table(table, "style", source)
    _known(style, ("layer",), source, "style.")
    layer = canonical(_text(style, "layer", source, "style.", "brackets"), tuple(LAYER_STYLES))
    if layer not in LAYER_STYLES:
        raise InputError(f"{source}: 'style.layer' is \"{layer}\"; choose " +
                         " or ".join(f'"{name}"' for name in LAYER_STYLES))
    layer_style = LAYER_STYLES[layer]

    names_table = _table(table, "names", source)
    _known(names_table, NAME_KEYS, source, "names.")
    names = {key: _text(names_table, key, source, "names.") for key in names_table}
    for key, value in names.items():
        if not value.strip():
            raise InputError(f"{source}: 'names.{key}' is empty; write the symbol drawn for {key}")

    symbols: dict[str, dict[str, dict[str, str]]] = {}
    for node_name, entry in _table(table, "symbols", source).items():
        where = f"symbols.{_key(node_name)}"
        if node_name not in NODE_NAMES:
            raise InputError(f"{source}: {_unknown(node_name, NODE_NAMES, 'symbols.')}")
        if not isinstance(entry, dict):
            raise InputError(f"{source}: '{where}' must be a table with symbol, meaning, shape")
        _known(entry, ROW_FIELDS + GRANULARITIES + OUTPUT_VARIANTS, source, where + ".")
        rows = {"": {}}
        for field_name in ROW_FIELDS:
            if field_name not in entry:
                raise InputError(f"{source}: '{where}' lacks '{field_name}'; give symbol, meaning "
                                 "and shape")
            rows[""][field_name] = _text(entry, field_name, source, where + ".")
        for variant in GRANULARITIES + OUTPUT_VARIANTS:
            if variant in entry:
                _variant_rows(rows, entry, variant, source, where)
        symbols[node_name] = rows

    operators_table = _table(table, "operators", source)
    operators = tuple((key, _text(operators_table, key, source, "operators."))
                      for key in operators_table)
    key_table = _table(table, "key", source)
    _known(key_table, KEY_ENTRIES, source, "key.")
    key = {entry: _text(key_table, entry, source, "key.") for entry in key_table}
    return Profile(name, title, description, note, layer_style, names, symbols, operators, key,
                   source)


def _variant_rows(rows: dict, entry: dict, variant: str, source: str, where: str) -> None:
    """The row fields a [symbols.NAME.VARIANT] table overrides; a granularity's table may hold
    an output's (`unit.softmax`)."""
    override = _table(entry, variant, source, where + ".")
    inner = OUTPUT_VARIANTS if variant in GRANULARITIES else ()
    _known(override, ROW_FIELDS + inner, source, f"{where}.{variant}.")
    rows[variant] = {key: _text(override, key, source, f"{where}.{variant}.")
                     for key in override if key in ROW_FIELDS}
    for output in inner:
        if output in override:
            _variant_rows(rows, override, output, source, f"{where}.{variant}")
            rows[f"{variant}.{output}"] = rows.pop(output)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def _unknown(key: str, known: tuple[str, ...], prefix: str) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean '{prefix}{close[0]}'? " if close else ""
    return f"unknown key '{prefix}{tomlfile.shown_key(key)}'; {hint}the known keys are " + ", ".join(known)


def _known(table: dict, known: tuple[str, ...], source: str, prefix: str) -> None:
    for key in table:
        if key not in known:
            raise InputError(f"{source}: {_unknown(key, known, prefix)}")


def _text(table: dict, key: str, source: str, prefix: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise InputError(f"{source}: missing key '{prefix}{key}'")
        return default
    value = table[key]
    name = prefix + tomlfile.shown_key(key)  # an operator's key may be any text
    if not isinstance(value, str):
        raise InputError(f"{source}: '{name}' must be text in quotes, not "
                         f"{tomlfile.describe(value)}; write e.g. {_key(tomlfile.shown_key(key))} = \"...\"")
    try:
        check_text(key, f"the key '{name}'")
        check_text(value, f"'{name}'")
        check_length(key, f"the key '{name}'", MAX_SYMBOL)
        limit, one_line = _length_limit(prefix, key)
        check_length(value, f"'{name}'", limit, one_line=one_line)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    return value


def _length_limit(prefix: str, key: str) -> tuple[int, bool]:
    """The most characters the text at `prefix + key` may have, and whether it is one line:
    symbols are short, meanings a phrase; the note and description are tooltips only."""
    if prefix == "":
        return {"profile": (MAX_SYMBOL, True), "title": (MAX_TITLE, True)}.get(key, (MAX_NOTE, False))
    if prefix in ("names.", "style.") or (prefix.startswith("symbols.") and key in ("symbol", "shape")):
        return MAX_SYMBOL, True
    return MAX_PHRASE, True


def _table(table: dict, key: str, source: str, prefix: str = "") -> dict:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise InputError(f"{source}: '{prefix}{key}' must be a table ([{prefix}{key}]), not "
                         f"{tomlfile.describe(value)}")
    return value
