"""Frame writers for the animation: GIF through Pillow, MP4 through ffmpeg.

Both take RGB frames (height x width x 3, uint8) one at a time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

GIF_COLOURS = 255


class GifWriter:
    """Animated GIF with one palette for every frame.

    The palette is built from a few sample frames, so colours do not flicker
    between frames and each frame is mapped to it quickly without dithering.
    Frames are kept as 8-bit palette images (one byte a pixel) until ``close``.
    """

    def __init__(self, path: Path, fps: int, samples: list[np.ndarray]):
        self.path = Path(path)
        self.duration_ms = int(round(1000 / fps))
        mosaic = Image.fromarray(np.concatenate(samples, axis=0))
        self.palette = mosaic.quantize(colors=GIF_COLOURS, method=Image.Quantize.MEDIANCUT,
                                       dither=Image.Dither.NONE)
        self.frames: list[Image.Image] = []

    def add(self, rgb: np.ndarray) -> None:
        self.frames.append(
            Image.fromarray(rgb).quantize(palette=self.palette, dither=Image.Dither.NONE)
        )

    def close(self) -> Path:
        if self.frames:
            self.frames[0].save(self.path, save_all=True, append_images=self.frames[1:],
                                duration=self.duration_ms, loop=0, optimize=False)
        self.frames = []
        return self.path


class Mp4Writer:
    """H.264 MP4 (yuv420p, plays in browsers and PowerPoint) via imageio-ffmpeg."""

    def __init__(self, path: Path, fps: int, crf: int = 23):
        self.path = Path(path)
        self.fps = fps
        self.crf = crf
        self._gen = None

    def add(self, rgb: np.ndarray) -> None:
        if self._gen is None:
            import imageio_ffmpeg

            h, w = rgb.shape[:2]
            self._gen = imageio_ffmpeg.write_frames(
                str(self.path), (w, h), fps=self.fps, codec="libx264", pix_fmt_in="rgb24",
                pix_fmt_out="yuv420p", quality=None, macro_block_size=2,
                ffmpeg_log_level="error",
                output_params=["-crf", str(self.crf), "-preset", "veryfast",
                               "-tune", "animation", "-movflags", "+faststart"],
            )
            self._gen.send(None)
        self._gen.send(np.ascontiguousarray(rgb))

    def close(self) -> Path:
        if self._gen is not None:
            self._gen.close()
            self._gen = None
        return self.path
