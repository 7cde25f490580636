"""Write a :class:`~spin_eval.report.compare.Comparison` as HTML, Markdown or JSON (atomically).

HTML and Markdown come from Jinja2 templates in the top-level ``reports/`` folder; the HTML environment
autoescapes everything, so model answers (``<script>`` included) show as text. The HTML is one
self-contained file: inline CSS and SVG, no script, no external resource.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from spin_eval.errors import InputError
from spin_eval.fileio import write_text_atomic
from spin_eval.paths import reports_dir
from spin_eval.report.context import build_context
from spin_eval.report.model import Comparison

Format = Literal["html", "md", "json"]
FORMATS: tuple[str, ...] = ("html", "md", "json")
TEMPLATES = {"html": "report.html.j2", "md": "report.md.j2"}


def md_escape(text: object) -> str:
    """Text safe inside a Markdown table cell: no raw HTML, pipes or line breaks."""
    s = str(text)
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("`", "\\`"), ("*", "\\*"), ("[", "\\["), ("]", "\\]")):
        s = s.replace(a, b)
    return " ".join(s.split())


def _environment(fmt: str):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_dir())),
        autoescape=(fmt == "html"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env


def render_report(comparison: Comparison, fmt: Format = "html") -> str:
    """The report as a string in ``fmt`` (``html``, ``md`` or ``json``)."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r} is unknown; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(comparison.to_dict(), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    template = _environment(fmt).get_template(TEMPLATES[fmt])
    return template.render(**build_context(comparison))


def format_from_path(path: str | Path, default: Format = "html") -> Format:
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"htm": "html", "html": "html", "md": "md", "markdown": "md", "json": "json"}.get(suffix, default)  # type: ignore[return-value]


def write_report(comparison: Comparison, out_path: str | Path, fmt: Format | None = None) -> Path:
    """Render and write atomically (temp file in the same folder + ``os.replace``); returns the path.

    ``fmt=None`` picks the format from the file suffix (``.html``, ``.md``, ``.json``), else HTML.
    Rendering happens before anything is written, so a failure leaves no partial file.
    """
    out = Path(out_path)
    if out.is_dir():
        raise InputError(f"-o {out}: is a folder; give a file name such as {out / 'report.html'}")
    text = render_report(comparison, fmt or format_from_path(out))
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"-o {out}: folder {parent} does not exist; create it first")
    return write_text_atomic(out, text)
