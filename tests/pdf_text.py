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
LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")  # a direct length (an indirect one falls back to ``endstream``)
CONTENTS = re.compile(rb"/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)")
REFERENCE = re.compile(rb"(\d+)\s+0\s+R")
TOKEN = re.compile(rb"<<|>>|<[0-9A-Fa-f\s]*>|\(|\[|\]|/[^\s/<>\[\]()]*|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z'\"*]+")
NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)")
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
                found.append(_stream_data(objects[int(number)]))
    return found


def _stream_data(body: bytes) -> bytes:
    """An object's stream, by its /Length where that is a number (compressed data may end in a CR), decompressed."""
    head = body.split(b"stream", 1)[0]
    length = LENGTH.search(head)
    if length:
        start = body.index(b"stream", len(head)) + len(b"stream")
        start += 2 if body[start:start + 2] == b"\r\n" else 1
        data = body[start:start + int(length.group(1))]
    else:
        data = STREAM.search(body).group(1)
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def tokens(content: bytes):
    """The content stream's tokens; a literal string ``( ... )`` whole, with its nested parentheses and escapes."""
    position = 0
    while (found := TOKEN.search(content, position)) is not None:
        if found.group() != b"(":
            yield found.group()
            position = found.end()
            continue
        depth, index = 1, found.end()
        while index < len(content) and depth:
            char = content[index:index + 1]
            index += 2 if char == b"\\" else 1
            depth += {b"(": 1, b")": -1}.get(char, 0)
        yield content[found.start():index]
        position = index


def _glyphs(operand: bytes) -> int:
    """How many glyphs a shown string holds: 2-byte codes in a hex string (Chromium's Identity-H fonts), else its bytes
    with each escape (``\\n``, ``\\053``, ``\\(``) counted once."""
    if operand.startswith(b"<"):
        return len(re.sub(rb"\s", b"", operand[1:-1])) // 4 or 1
    return max(len(re.sub(rb"\\(?:[0-7]{1,3}|.)", b"x", operand[1:-1], flags=re.S)), 1)


def text_sizes(content: bytes) -> Counter[float]:
    """Glyphs shown by one content stream, counted by printed size in points (rounded to 0.01)."""
    sizes: Counter[float] = Counter()
    matrix, saved, text, size = IDENTITY, [], IDENTITY, 0.0  # the font size is part of the graphics state, saved by q
    operands: list[bytes] = []
    depth = 0  # inside a << >> dictionary (a marked-content property list): not operands of ours
    for token in tokens(content):
        if token == b"<<":
            depth += 1
        elif token == b">>":
            depth = max(depth - 1, 0)
        elif depth:
            continue
        elif token in (b"[", b"]") or token[:1] in b"/(<+-.0123456789":
            operands.append(token)
        else:
            numbers = [float(value) for value in operands if NUMBER.fullmatch(value)]
            if token == b"q":
                saved.append((matrix, size))
            elif token == b"Q":
                matrix, size = saved.pop() if saved else (IDENTITY, size)
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
