"""The step-through page: one self-contained HTML file per view (its SVG inline, the page's
style, script and step data inlined from templates/html/), and an index linking a set.

Nothing in a page refers outside the file, so it works from file:// without a network.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

from ..resources import load_text

_PROLOG = re.compile(rb"^.*?(?=<svg[\s>])", re.S)  # XML declaration, DOCTYPE, Graphviz's comment


def inline_svg(svg: bytes) -> str:
    """The SVG file as an element of an HTML page: everything from its <svg> root on."""
    return _PROLOG.sub(b"", svg, count=1).decode("utf-8").rstrip() + "\n"


def _json_script(data) -> str:
    """JSON that cannot end its <script> element early (no '</' or '<!--' inside)."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("<", "\\u003c")


def _fill(template: str, parts: dict[str, str]) -> str:
    """Replace each <!--bpdiag:NAME--> marker; every marker must be given (else a KeyError)."""
    def part(match: re.Match) -> str:
        return parts[match.group(1)]
    return re.sub(r"<!--bpdiag:([a-z]+)-->", part, template)


def view_page(svg: bytes, steps: dict, page_title: str, diagram_label: str,
              index_name: str | None = None) -> bytes:
    """The page of one view: `steps` from stepdata.step_data, `svg` as export/svg.py wrote it;
    `index_name` links back to the set's index when there is one."""
    back = (f'<a class="index-link" href="{html.escape(index_name, quote=True)}">all views</a>'
            if index_name else "")
    script = load_text("html", "step.js")
    # the policy lets exactly this script run, and nothing load (the SVG's style attributes
    # need inline styles)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    page = _fill(load_text("html", "step.html"), {
        "title": html.escape(page_title),
        "label": html.escape(diagram_label, quote=True),
        "style": load_text("html", "step.css"),
        "script": script,
        "scripthash": f"'sha256-{digest}'",
        "data": _json_script(steps),
        "svg": inline_svg(svg),
        "index": back,
        "count": str(len(steps["steps"])),
    })
    return page.encode("utf-8")


def index_page(title: str, entries: list[tuple[str, str, int]]) -> bytes:
    """A page linking every view's page: (file name, title, number of steps) each."""
    items = "\n".join(
        f'<li><a href="{html.escape(name, quote=True)}">{html.escape(text)}</a> '
        f'<span class="count">{count} steps</span></li>' for name, text, count in entries)
    page = _fill(load_text("html", "index.html"), {
        "title": html.escape(title),
        "style": load_text("html", "index.css"),
        "items": items,
    })
    return page.encode("utf-8")
