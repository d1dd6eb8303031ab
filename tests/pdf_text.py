"""The size of every piece of text a PDF prints, read from its pages' content streams (no PDF library: zlib and a tokenizer).

Enough of PDF for what Chromium writes: each page's ``/Contents`` (one stream or an array), Flate-compressed or
plain; the graphics state's matrix (``q``, ``Q``, ``cm``); the text state (``BT``, ``Tf``, ``Tm``); and the text it
shows (``Tj``, ``TJ``, ``'``, ``"``). A glyph's printed size is the font size times the vertical scale of the text
matrix by the current matrix, in points (PDF user space is 1/72 inch). Text inside form XObjects is not read: a
test using this checks that the pages draw none (``uses_xobjects``).
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

OBJECT = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
CONTENTS = re.compile(rb"/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)")
REFERENCE = re.compile(rb"(\d+)\s+0\s+R")
TOKEN = re.compile(rb"<<|>>|<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\)|\[|\]|/[^\s/<>\[\]()]*|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z'\"*]+")
SHOWS = {b"Tj", b"TJ", b"'", b'"'}


def times(first: Matrix, second: Matrix) -> Matrix:
    """``first`` then ``second`` (PDF's row-vector convention: a point p maps to p * first * second)."""
    a, b, c, d, e, f = first
    p, q, r, s, t, u = second
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def page_streams(pdf: bytes) -> list[bytes]:
    """Each page's content, in the file's order, decompressed."""
    objects = {int(number): body for number, body in OBJECT.findall(pdf)}
    found = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page\b(?!s)", body):
            continue
        for contents in CONTENTS.findall(body):
            for number in REFERENCE.findall(contents):
                stream = objects[int(number)]
                data = STREAM.search(stream).group(1)
                found.append(zlib.decompress(data) if b"/FlateDecode" in stream.split(b"stream")[0] else data)
    return found


def _glyphs(operand: bytes) -> int:
    """How many glyphs a shown string holds: 2-byte codes in a hex string (Chromium's Identity-H fonts), else bytes."""
    if operand.startswith(b"<"):
        return len(re.sub(rb"\s", b"", operand[1:-1])) // 4 or 1
    return max(len(operand) - 2, 1)


def text_sizes(content: bytes) -> Counter[float]:
    """Glyphs shown by one content stream, counted by printed size in points (rounded to 0.01)."""
    sizes: Counter[float] = Counter()
    matrix, saved, text, size = IDENTITY, [], IDENTITY, 0.0
    operands: list[bytes] = []
    depth = 0  # inside a << >> dictionary (a marked-content property list): not operands of ours
    for token in TOKEN.findall(content):
        if token == b"<<":
            depth += 1
        elif token == b">>":
            depth -= 1
        elif depth or token in (b"[", b"]") or token[:1] in b"/(<+-.0123456789":
            operands.append(token) if not depth else None
        else:
            numbers = [float(value) for value in operands if re.fullmatch(rb"[-+]?(?:\d+\.?\d*|\.\d+)", value)]
            if token == b"q":
                saved.append(matrix)
            elif token == b"Q":
                matrix = saved.pop() if saved else IDENTITY
            elif token == b"cm" and len(numbers) >= 6:
                matrix = times(tuple(numbers[-6:]), matrix)
            elif token == b"BT":
                text = IDENTITY
            elif token == b"Tm" and len(numbers) >= 6:
                text = tuple(numbers[-6:])
            elif token == b"Tf" and numbers:
                size = numbers[-1]
            elif token in SHOWS:
                shown = times(text, matrix)
                glyphs = sum(_glyphs(value) for value in operands if value[:1] in b"<(")
                sizes[round(size * math.hypot(shown[2], shown[3]), 2)] += glyphs
            operands = []
    return sizes


def printed_sizes(pdf: bytes) -> Counter[float]:
    """Every glyph the PDF's pages show, counted by printed size in points."""
    total: Counter[float] = Counter()
    for content in page_streams(pdf):
        total += text_sizes(content)
    return total


def uses_xobjects(pdf: bytes) -> bool:
    """Whether a page draws a form or image XObject (``Do``), whose text ``printed_sizes`` would not see."""
    return any(re.search(rb"\sDo\b", content) for content in page_streams(pdf))
