"""Python source for the importer: literals and a small layout of calls, tuples and dicts, as ruff format writes them.

Each node is written on one line when it fits in ``line_length``; otherwise its brackets open one
item per line, each followed by a comma (the "magic trailing comma" that keeps ``ruff format`` and
Black from joining the lines again), so the module is already formatted.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

#: The escapes of characters a literal cannot hold as they are.
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def string(text: str) -> str:
    """A Python literal of ``text``: printable characters as they are, the rest escaped.

    Double-quoted, unless ``text`` holds more double quotes than single ones (ruff format's choice).
    """
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for char in text:
        if char == quote:
            out.append("\\" + char)
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return quote + "".join(out) + quote


def width(text: str) -> int:
    """The columns ``text`` takes, as ruff counts them: East Asian wide characters two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def number(value: float) -> str:
    """A Python literal of a JSON number, as ruff format writes it (``1e16``, not ``1e+16``)."""
    return repr(value).replace("e+", "e")


@dataclass(frozen=True)
class Atom:
    """Text that is never split (a literal, a name, a short expression)."""

    text: str


@dataclass(frozen=True)
class Call:
    """``func(arg, ..., name=value, ...)``."""

    func: str
    args: Sequence[Node] = ()
    kwargs: Sequence[tuple[str, Node]] = ()


@dataclass(frozen=True)
class Subscript:
    """``name[item, ...]`` (a type: ``Literal["a", "b"]``)."""

    name: str
    items: Sequence[Node] = ()


@dataclass(frozen=True)
class Tuple:
    """``(a, b)``; one item is written ``(a,)``."""

    items: Sequence[Node] = ()


@dataclass(frozen=True)
class Dict:
    """``{key: value, ...}``."""

    items: Sequence[tuple[Node, Node]] = field(default_factory=tuple)


Node = Atom | Call | Subscript | Tuple | Dict


def flat(node: Node) -> str:
    """``node`` on one line."""
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Call):
        parts = [flat(a) for a in node.args] + [f"{k}={flat(v)}" for k, v in node.kwargs]
        return f"{node.func}({', '.join(parts)})"
    if isinstance(node, Subscript):
        return f"{node.name}[{', '.join(flat(i) for i in node.items)}]"
    if isinstance(node, Tuple):
        if len(node.items) == 1:
            return f"({flat(node.items[0])},)"
        return f"({', '.join(flat(i) for i in node.items)})"
    return "{" + ", ".join(f"{flat(k)}: {flat(v)}" for k, v in node.items) + "}"


def layout(node: Node, *, indent: int, column: int, suffix: int, line_length: int) -> str:
    """``node`` starting at ``column`` of a line indented ``indent``, followed by ``suffix`` characters."""
    one_line = flat(node)
    if isinstance(node, Atom) or column + width(one_line) + suffix <= line_length:
        return one_line
    inner = indent + 4
    pad = " " * inner
    if isinstance(node, Call):
        opening, closing = f"{node.func}(", ")"
        lines = [pad + layout(a, indent=inner, column=inner, suffix=1, line_length=line_length) + ","
                 for a in node.args]
        lines += [pad + f"{k}=" + layout(v, indent=inner, column=inner + width(k) + 1, suffix=1, line_length=line_length)
                  + "," for k, v in node.kwargs]
    elif isinstance(node, Subscript):
        opening, closing = f"{node.name}[", "]"
        lines = [pad + layout(i, indent=inner, column=inner, suffix=1, line_length=line_length) + ","
                 for i in node.items]
    elif isinstance(node, Tuple):
        opening, closing = "(", ")"
        lines = [pad + layout(i, indent=inner, column=inner, suffix=1, line_length=line_length) + ","
                 for i in node.items]
    else:
        opening, closing = "{", "}"
        lines = []
        for key, value in node.items:
            head = flat(key) + ": "
            lines.append(pad + head + layout(value, indent=inner, column=inner + width(head), suffix=1,
                                             line_length=line_length) + ",")
    if not lines:
        return one_line
    return "\n".join([opening, *lines, " " * indent + closing])


def assignment(name: str, node: Node, *, line_length: int, annotation: Atom | Subscript | None = None) -> str:
    """``name = node`` (or ``name: annotation = node``) as a top-level statement.

    When even the first line of a split value (``name: annotation = Flag(``) is too long, the
    annotation's brackets open instead, as ruff format does: ``name: Attribute[\n    str, ...\n] = ...``.
    """
    head = f"{name} = " if annotation is None else f"{name}: {flat(annotation)} = "
    first = head + (flat(node) if isinstance(node, Atom) else flat(node).split("(", 1)[0].split("[", 1)[0] + "(")
    if not isinstance(annotation, Subscript) or width(first) <= line_length or width(head + flat(node)) <= line_length:
        return head + layout(node, indent=0, column=width(head), suffix=0, line_length=line_length)
    if width(head) + 1 <= line_length:  # ruff format's parenthesized value
        return f"{head}(\n    " + layout(node, indent=4, column=4, suffix=0, line_length=line_length) + "\n)"
    inner = ", ".join(flat(i) for i in annotation.items)
    return (f"{name}: {annotation.name}[\n    {inner}\n] = "
            + layout(node, indent=0, column=4, suffix=0, line_length=line_length))
