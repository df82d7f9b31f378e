"""Tiny valid media for the fixtures, built from first principles at import time."""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_pixel(red: int = 255, green: int = 0, blue: int = 0) -> bytes:
    """A 1×1 RGB PNG of one colour."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit, truecolour
    scanline = bytes([0, red, green, blue])  # filter type 0, then the pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(scanline))
        + _png_chunk(b"IEND", b"")
    )


def wav_tone(hz: float = 440.0, seconds: float = 0.05, rate: int = 8000) -> bytes:
    """A short mono 16-bit PCM sine tone as a WAV file."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * n / rate)))
        for n in range(int(rate * seconds))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


PNG = png_pixel()
WAV = wav_tone()
