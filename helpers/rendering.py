"""Figures to PNG for explorer updates, with each text run rasterised once.

Measured with ``make bench`` (matplotlib 3.11): most of an explorer update was
matplotlib drawing text. It lays out and rasterises every glyph of every title,
label, tick label and legend entry in Python, on every redraw, although an
update redraws mostly the same strings. :func:`figure_png` draws with an Agg
renderer that keeps each rasterised text run (its string, font, size, angle and
dpi) and composites it in the text's colour at the nearest whole pixel, as
matplotlib up to 3.10 placed text. Everything else is drawn by matplotlib as
usual. Lesson figures shown inline are not affected: only the explorers call it.

That renderer uses matplotlib API that is new (``Text.get_fontfeatures``, 3.11)
or private (``RendererAgg._renderer.draw_text_image``, ``FigureCanvasAgg._lastKey``).
Once, at import, :func:`text_runs_work` draws a small figure with it; where that
fails (another matplotlib), :data:`PATH` is ``"standard"`` and every figure is
drawn by matplotlib's own Agg canvas, as ``savefig`` does: the same picture,
slower. ``python -m helpers.environment`` reports the path in use.

>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> _ = ax.plot([0, 1], [0, 1])
>>> figure_png(fig)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> plt.close(fig)
"""

from __future__ import annotations

import math
import struct
import threading
import zlib
from collections import OrderedDict
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

from helpers.validate import elements

__all__ = ["figure_png", "png_bytes", "text_runs_work", "PATH", "TEXT_RUNS", "RENDERERS",
           "PNG_LEVEL"]

#: At most this many rasterised text runs are kept (least recently used go first), and
#: at most this many renderers (one per pixel size and dpi).
TEXT_RUNS, RENDERERS = 2048, 8
#: zlib level of the PNG: 1 encodes several times faster than the default 6, and a
#: figure of lines and flat colours compresses almost as well.
PNG_LEVEL = 1
#: Settings that change how a text run is rasterised (besides its own properties).
_RC_KEYS = ("text.hinting", "text.hinting_factor", "text.kerning_factor",
            "mathtext.fontset", "mathtext.default", "mathtext.fallback", "mathtext.rm",
            "mathtext.it", "mathtext.bf", "mathtext.sf", "mathtext.tt", "mathtext.cal")

_runs: OrderedDict[tuple, tuple[np.ndarray | None, int, int]] = OrderedDict()
_renderers: dict[tuple, _TextRunRenderer] = {}
_lock = threading.Lock()


def _run_key(renderer: RendererAgg, gc: Any, s: str, prop: Any, angle: float, ismath: Any,
             mtext: Any) -> tuple:
    font = (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size_in_points(), prop.get_file(),
            prop.get_math_fontfamily())
    shaping = (None if mtext is None
               else (str(mtext.get_fontfeatures()), str(mtext.get_language())))
    return (s, font, float(angle), ismath, float(renderer.dpi), bool(gc.get_antialiased()),
            shaping, tuple(str(mpl.rcParams[k]) for k in _RC_KEYS))


class _TextRunRenderer(RendererAgg):
    """RendererAgg drawing each distinct text run once, then compositing the stored coverage."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # noqa: D102
        if ismath == "TeX":  # LaTeX output is not ours to cache
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = _run_key(self, gc, s, prop, angle, ismath, mtext)
        run = _runs.get(key)
        if run is None:
            run = _runs[key] = _rasterise(self, gc, s, prop, angle, ismath, mtext)
            while len(_runs) > TEXT_RUNS:
                _runs.popitem(last=False)
        else:
            _runs.move_to_end(key)
        coverage, dx, dy = run
        if coverage is not None:  # y runs downwards here, as in RendererAgg.draw_text
            self._renderer.draw_text_image(coverage, round(x) + dx, round(y) + dy, 0, gc)


def _rasterise(target: RendererAgg, gc: Any, s: str, prop: Any, angle: float, ismath: Any,
               mtext: Any) -> tuple[np.ndarray | None, int, int]:
    """The text run's coverage (uint8, rows downwards) drawn by matplotlib at a whole-pixel
    origin, cropped, with the offsets of its left and bottom edges from that origin."""
    width, height, descent = target.get_text_width_height_descent(s, prop, ismath)
    reach = math.ceil(width + height + descent) + 8  # covers any rotation
    scratch = RendererAgg(2 * reach, 2 * reach, target.dpi)
    pen = scratch.new_gc()
    pen.copy_properties(gc)
    pen.set_clip_rectangle(None)
    pen.set_clip_path(None)
    pen.set_alpha(1.0)
    pen.set_foreground((0.0, 0.0, 0.0, 1.0), isRGBA=True)
    RendererAgg.draw_text(scratch, pen, reach, reach, s, prop, angle, ismath, mtext)
    pen.restore()
    alpha = np.asarray(scratch.buffer_rgba())[..., 3]
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    if rows.size == 0:
        return None, 0, 0
    coverage = np.ascontiguousarray(alpha[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    return coverage, int(cols[0]) - reach, int(rows[-1]) + 1 - reach


class _Canvas(FigureCanvasAgg):
    """Agg canvas sharing one text-run renderer per pixel size, so that matplotlib's text
    metrics (cached per renderer) are measured once too."""

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        renderer = _renderers.get(key)
        if renderer is None:
            if len(_renderers) >= RENDERERS:  # explorers use a few sizes; anything else is rare
                _renderers.clear()
            renderer = _renderers[key] = _TextRunRenderer(width, height, self.figure.dpi)
        self.renderer, self._lastKey = renderer, key
        return renderer


def text_runs_work() -> bool:
    """Whether the text-run renderer draws with this matplotlib: a figure with the kinds
    of text explorers draw (plain, rotated, mathtext) comes out with its text."""
    fig = Figure(figsize=(1.2, 0.8), dpi=50)
    ax = fig.add_axes((0.3, 0.3, 0.6, 0.6))
    ax.set_title("t")
    ax.set_ylabel("y", rotation=90)
    ax.set_xlabel(r"$\sigma^2$")
    try:
        with _lock:
            canvas = _Canvas(fig)
            canvas.draw()
            drawn = np.asarray(canvas.buffer_rgba())
        plain = FigureCanvasAgg(Figure(figsize=(1.2, 0.8), dpi=50))
        plain.figure.add_axes((0.3, 0.3, 0.6, 0.6))
        plain.draw()
        # more ink than the same axes without its three texts
        return bool((drawn[..., :3] < 128).sum() > (np.asarray(plain.buffer_rgba())[..., :3]
                                                    < 128).sum())
    except Exception:  # noqa: BLE001 - any failure of private API means: do not use it
        return False
    finally:
        _runs.clear()
        _renderers.clear()


#: How :func:`figure_png` draws, chosen once at import: ``"text runs"`` (the stored text
#: runs above) where they work with the installed matplotlib, else ``"standard"``
#: (matplotlib's own Agg drawing, as ``savefig``).
PATH = "text runs" if text_runs_work() else "standard"


def figure_png(fig: Figure) -> bytes:
    """``fig`` drawn to PNG bytes (its dpi, no layout pass), with stored text runs where
    :data:`PATH` says they work.

    The figure keeps the canvas it is given here; close it afterwards as usual.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    width, height = (int(v) for v in fig.bbox.max)  # the canvas's pixels, as matplotlib counts
    if width < 1 or height < 1:
        raise ValueError(f"fig must be at least one pixel wide and high, got {width} x {height}")
    elements(4 * width * height, "fig")  # its RGBA pixels must fit in memory
    if PATH == "standard":
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return png_bytes(np.asarray(canvas.buffer_rgba()))
    with _lock:  # one shared renderer per size: one drawing at a time
        canvas = _Canvas(fig)
        canvas.draw()
        return png_bytes(np.asarray(canvas.buffer_rgba()))


def png_bytes(rgba: np.ndarray) -> bytes:
    """An RGBA image (uint8, rows downwards) as PNG: RGB if it is opaque, no row filter.

    Written here because Pillow's encoder, which matplotlib uses, tries all five PNG row
    filters on every row: on an explorer figure that took 3 times as long as compressing
    (12 ms against 3.5 ms for 700 x 400 pixels), and the unfiltered rows of a figure of
    flat colours compress even smaller (48 KiB against 60).

    >>> png_bytes(np.full((2, 3, 4), 255, np.uint8))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    if not (isinstance(rgba, np.ndarray) and rgba.dtype == np.uint8 and rgba.ndim == 3
            and rgba.shape[2] == 4 and rgba.shape[0] > 0 and rgba.shape[1] > 0):
        raise TypeError("rgba must be a non-empty uint8 array of shape (height, width, 4), got "
                        f"{getattr(rgba, 'dtype', type(rgba).__name__)} "
                        f"{getattr(rgba, 'shape', '')}")
    height, width = rgba.shape[:2]
    opaque = bool((rgba[..., 3] == 255).all())
    pixels = rgba[..., :3] if opaque else rgba
    rows = np.zeros((height, 1 + width * pixels.shape[2]), np.uint8)  # filter byte 0: none
    rows[:, 1:] = pixels.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2 if opaque else 6, 0, 0, 0)
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
                     _chunk(b"IDAT", zlib.compress(rows, PNG_LEVEL)), _chunk(b"IEND", b"")))


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload)))
