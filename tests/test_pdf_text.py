"""The PDF text reader the handout tests use (``tests/pdf_text.py``), on small content streams and a made-up PDF."""

from __future__ import annotations

import zlib

from tests.pdf_text import printed_sizes, text_sizes, tokens, uses_xobjects


def test_sizes_follow_the_matrix_the_font_and_the_saved_state():
    content = (b"q 2 0 0 2 0 0 cm BT /F1 10 Tf (a(b)c) Tj ET Q"  # 10 pt doubled; nested parentheses are one string
               b" BT /F1 10 Tf 1 0 0 -1 0 0 Tm (ab) Tj ET"  # a flipped text matrix keeps the size
               b" q BT /F1 7 Tf ET Q BT (x) Tj ET"  # Q restores the font size that q saved
               b" /Span<</ActualText (fi) >> BDC >> BT /F1 9 Tf [(y) -3 <00010002>] TJ ET")  # a stray >> is harmless
    assert text_sizes(content) == {20.0: 5, 10.0: 3, 9.0: 3}


def test_a_literal_string_is_one_token_with_its_escapes():
    assert list(tokens(rb"(a\) b(c)) Tj")) == [rb"(a\) b(c))", b"Tj"]
    assert text_sizes(rb"BT /F1 12 Tf (a\053b\n) Tj ET") == {12.0: 4}


def _pdf(content: bytes) -> bytes:
    """A one-page PDF (not a complete file: the reader needs only the objects) whose compressed content ends in a CR."""
    # White space after the content changes zlib's closing checksum: find some that makes it end in a CR.
    data = next(data for padding in range(256) if (data := zlib.compress(content + b"\t" * padding + b"\n")).endswith(b"\r"))
    return (b"%PDF-1.4\n1 0 obj\n<</Type /Page /Contents 2 0 R>>\nendobj\n"
            b"2 0 obj\n<</Filter /FlateDecode /Length " + str(len(data)).encode() + b">>\nstream\r\n" + data + b"\r\nendstream\nendobj\n")


def test_a_page_is_read_by_its_stream_length():
    pdf = _pdf(b"BT /F1 11 Tf (hello) Tj ET")
    assert printed_sizes(pdf) == {11.0: 5}
    assert not uses_xobjects(pdf) and uses_xobjects(_pdf(b"q /X1 Do Q"))
