"""Bounded reading of user YAML and JSON: the one way spin-eval parses a file it did not write itself.

Limits are checked before anything is built in memory:

- **size**: a file is read through :func:`read_bounded`: regular files only (a FIFO would block, a link
  to ``/dev/zero`` never ends), at most ``max_bytes`` bytes;
- **aliases** (YAML): at most ``max_aliases`` alias uses, and the document expanded through its aliases
  at most ``max_nodes`` nodes, counted on the composed node graph before construction (the "billion
  laughs" bomb: a few hundred bytes that expand to billions of nodes);
- **depth**: at most ``max_depth`` nested lists/mappings;
- **numbers**: a number literal of at most ``max_number_chars`` characters, and a float literal that
  does not overflow to infinity (JSON ``1e400``); NaN/Infinity *spelled* as such are kept (lm-eval
  writes them; the consumers judge them, see ``spin_eval.results.finite``).

Every error is an :class:`~spin_eval.errors.InputError` whose message is one line of bounded length
(:func:`one_line`), naming the file and the limit. Standard library only (PyYAML imported inside).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spin_eval.errors import InputError

#: The longest error message a reader produces (the value it quotes is cut, never the file name).
MAX_MESSAGE_CHARS = 400


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 16 << 20
    max_aliases: int = 100
    max_nodes: int = 1_000_000
    max_depth: int = 64
    max_number_chars: int = 100


#: Small hand-written files (policies, task facts).
SMALL = Limits(max_bytes=1 << 20)
#: Machine-written files (manifests, lm-eval results files, submissions).
LARGE = Limits(max_bytes=512 << 20, max_nodes=50_000_000)
#: One line of a JSONL file (a logged sample with its document and generations).
LINE = Limits(max_bytes=64 << 20, max_nodes=5_000_000)


def one_line(text: Any, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` on one line (whitespace runs joined), cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, computed without building the whole repr of a huge
    value (containers are summarised by type and length)."""
    if isinstance(value, (list, tuple, dict, set)):
        return f"<{type(value).__name__} of {len(value)} item(s)>"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"<integer of about {int(value.bit_length() * 0.30103) + 1} digits>"
    text = repr(value[: limit + 1] if isinstance(value, str) else value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def open_regular(path: str | Path, where: str):
    """``path`` opened for binary reading when it is a regular file (symlinks followed); InputError for a
    FIFO, device or folder. Opened non-blocking first, so a FIFO cannot hang the reader."""
    try:
        fd = os.open(Path(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(one_line(f"{where}: file not found")) from None
    except OSError as exc:
        raise InputError(one_line(f"{where}: cannot read ({exc.strerror})")) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(one_line(f"{where}: not a regular file (a FIFO, device or folder); give a file"))
    fh = os.fdopen(fd, "rb")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fh


def read_bounded(path: str | Path, where: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (:func:`open_regular`), refusing files over ``max_bytes``."""
    with open_regular(path, where) as fh:
        if os.fstat(fh.fileno()).st_size > max_bytes:
            raise InputError(one_line(f"{where}: over the limit of {max_bytes} bytes; is this the right file?"))
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(one_line(f"{where}: over the limit of {max_bytes} bytes; is this the right file?"))
    return data


def decode(data: bytes, where: str) -> str:
    """UTF-8 text (a leading byte-order mark dropped); InputError naming the byte offset otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None


# ------------------------------------------------------------------------------------------------- JSON


def _json_hooks(where: str, limits: Limits) -> dict[str, Any]:
    def parse_int(text: str) -> int:
        if len(text) > limits.max_number_chars:
            raise InputError(one_line(f"{where}: a number of {len(text)} digits is over the limit of "
                                      f"{limits.max_number_chars}; the file is corrupt"))
        return int(text)

    def parse_float(text: str) -> float:
        if len(text) > limits.max_number_chars:
            raise InputError(one_line(f"{where}: a number of {len(text)} characters is over the limit of "
                                      f"{limits.max_number_chars}; the file is corrupt"))
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise InputError(one_line(f"{where}: the number {text[:40]} is too large for a 64-bit float; the "
                                      "file is corrupt"))
        return value

    return {"parse_int": parse_int, "parse_float": parse_float}


def _check_depth(value: Any, where: str, max_depth: int) -> None:
    """InputError when ``value`` nests deeper than ``max_depth`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                raise InputError(one_line(f"{where}: nested deeper than {max_depth} levels; the file is corrupt"))
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))


def loads_json(text: str | bytes, where: str, limits: Limits = LARGE, *, fix: str = "fix the file") -> Any:
    """Parse JSON text under ``limits``; InputError ``<where>: not valid JSON (<why>); <fix>``."""
    if isinstance(text, bytes):
        text = decode(text, where)
    if len(text) > limits.max_bytes:
        raise InputError(one_line(f"{where}: over the limit of {limits.max_bytes} characters; {fix}"))
    try:
        value = json.loads(text, **_json_hooks(where, limits))
    except json.JSONDecodeError as exc:
        raise InputError(one_line(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}); {fix}")) from None
    except RecursionError:
        raise InputError(one_line(f"{where}: not valid JSON (nested too deeply); {fix}")) from None
    _check_depth(value, where, limits.max_depth)
    return value


def read_json_file(path: str | Path, where: str | None = None, limits: Limits = LARGE, *,
                   fix: str = "fix the file") -> Any:
    """:func:`read_bounded` + :func:`loads_json`."""
    where = where or str(path)
    return loads_json(read_bounded(path, where, limits.max_bytes), where, limits, fix=fix)


# ------------------------------------------------------------------------------------------------- YAML


def _yaml_loader(where: str, limits: Limits):
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        """SafeLoader that counts aliases and nesting while composing (before any object is built)."""

        aliases = 0
        depth = 0

        def compose_node(self, parent, index):  # noqa: ANN001 (PyYAML's signature)
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > limits.max_aliases:
                    raise InputError(one_line(f"{where}: more than {limits.max_aliases} YAML aliases (*name); "
                                              "write the values out"))
                return super().compose_node(parent, index)
            self.depth += 1
            try:
                if self.depth > limits.max_depth:
                    raise InputError(one_line(f"{where}: nested deeper than {limits.max_depth} levels"))
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return BoundedLoader


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _check_yaml_nodes(root: Any, where: str, limits: Limits) -> None:
    """Count the nodes of the document expanded through its aliases (shared nodes counted once per use,
    computed once per node) and check number literals; InputError past a limit."""
    import yaml

    expanded: dict[int, int] = {}
    stack = [(root, False)]
    while stack:  # post-order, iterative
        node, done = stack.pop()
        if id(node) in expanded:
            continue
        children = _children(node)
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in expanded)
            continue
        if isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS and len(node.value) > limits.max_number_chars:
            raise InputError(one_line(f"{where}: line {node.start_mark.line + 1}: a number of {len(node.value)} "
                                      f"characters is over the limit of {limits.max_number_chars}"))
        total = 1 + sum(expanded.get(id(c), 1) for c in children)
        if total > limits.max_nodes:
            raise InputError(one_line(f"{where}: the document expands to more than {limits.max_nodes} values "
                                      "through its aliases (an alias bomb?); write the values out"))
        expanded[id(node)] = total


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def loads_yaml(text: str | bytes, where: str, limits: Limits = SMALL) -> Any:
    """Parse one YAML document (safe tags only) under ``limits``; InputError ``<where>: not valid YAML``."""
    import yaml

    if isinstance(text, bytes):
        text = decode(text, where)
    if len(text) > limits.max_bytes:
        raise InputError(one_line(f"{where}: over the limit of {limits.max_bytes} characters"))
    loader = None
    try:
        loader = _yaml_loader(where, limits)(text)  # the reader checks the characters here already
        root = loader.get_single_node()
        if root is None:
            return None
        _check_yaml_nodes(root, where, limits)
        return loader.construct_document(root)
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        # ValueError: YAML scalars such as out-of-range timestamps fail while being constructed.
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise InputError(one_line(f"{where}: not valid YAML ({one_line(why, 200)})")) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml_file(path: str | Path, where: str | None = None, limits: Limits = SMALL) -> Any:
    """:func:`read_bounded` + :func:`loads_yaml`."""
    where = where or str(path)
    return loads_yaml(read_bounded(path, where, limits.max_bytes), where, limits)
