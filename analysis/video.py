"""Frame writers for the animation: GIF and MP4, both encoded by ffmpeg.

The ffmpeg binary is the one bundled with the ``imageio-ffmpeg`` wheel, so no
system package is needed. Frames (height x width x 3 RGB, uint8) are piped to
ffmpeg as they are drawn: memory use stays flat and encoding runs on another
core while the next frame is drawn.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


class FfmpegPipe:
    """Feeds raw RGB frames to an ffmpeg process writing ``path``."""

    def __init__(self, path: Path, fps: int, output_args: list[str],
                 extra_inputs: list[str] | None = None):
        self.path = Path(path)
        self.fps = fps
        self.output_args = output_args
        self.extra_inputs = extra_inputs or []
        self._proc: subprocess.Popen | None = None
        self._log = None

    def _start(self, width: int, height: int) -> None:
        cmd = [ffmpeg_exe(), "-y", "-v", "error",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
               "-r", str(self.fps), "-i", "-", *self.extra_inputs,
               *self.output_args, str(self.path)]
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=self._log)

    def add(self, rgb: np.ndarray) -> None:
        if self._proc is None:
            self._start(rgb.shape[1], rgb.shape[0])
        try:
            self._proc.stdin.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())
        except BrokenPipeError:
            self.close()

    def close(self) -> Path:
        if self._proc is None:
            return self.path
        proc, self._proc = self._proc, None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
        code = proc.wait()
        self._log.seek(0)
        message = self._log.read().decode(errors="replace").strip()
        self._log.close()
        if code != 0:
            raise RuntimeError(f"ffmpeg could not write {self.path}: {message}")
        return self.path


class Mp4Writer(FfmpegPipe):
    """H.264 MP4 in yuv420p, which plays in browsers, PowerPoint and phones."""

    def __init__(self, path: Path, fps: int, crf: int = 23):
        super().__init__(path, fps, [
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "animation",
            "-crf", str(crf), "-pix_fmt", "yuv420p", "-movflags", "+faststart",
        ])


class GifWriter(FfmpegPipe):
    """Looping GIF with one fixed palette taken from a few sample frames.

    A fixed palette keeps colours steady from frame to frame; without dithering,
    ffmpeg only stores the part of each frame that changed, which keeps the
    file small.
    """

    def __init__(self, path: Path, fps: int, samples: list[np.ndarray]):
        self._tmp = tempfile.TemporaryDirectory()
        palette_file = Path(self._tmp.name) / "palette.png"
        palette_image(samples).save(palette_file)
        super().__init__(
            path, fps,
            ["-lavfi", "[0:v][1:v]paletteuse=dither=none:diff_mode=rectangle", "-loop", "0"],
            extra_inputs=["-i", str(palette_file)],
        )

    def close(self) -> Path:
        try:
            return super().close()
        finally:
            self._tmp.cleanup()


def palette_image(samples: list[np.ndarray]) -> Image.Image:
    """A 16 x 16 image of the 256 colours that best cover the sample frames."""
    mosaic = Image.fromarray(np.concatenate([s[:, :, :3] for s in samples], axis=0))
    quantized = mosaic.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                dither=Image.Dither.NONE)
    colours = np.array(quantized.getpalette()[: 256 * 3], dtype=np.uint8).reshape(-1, 3)
    colours = np.vstack([colours, np.repeat(colours[-1:], 256 - len(colours), axis=0)])
    return Image.fromarray(colours.reshape(16, 16, 3))
