"""The animated flow chart as one HTML page a presenter can pause and step through.

Every month of the chart is one PNG frame embedded in the page (no network, no
script from elsewhere): play and pause, step a month back or forward, drag the
slider, or use the keyboard (space, left and right arrows, Home, End). The file
opens offline in any browser and can be emailed as it is.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

from PIL import Image

SECONDS_PER_MONTH = 0.6

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; font: 15px/1.4 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1d2733; }}
main {{ max-width: {width}px; margin: 0 auto; padding: 12px; }}
img {{ width: 100%; height: auto; display: block; border: 1px solid #d9dee4; }}
.controls {{ display: flex; gap: 8px; align-items: center; margin: 10px 0; flex-wrap: wrap; }}
button {{ font-size: 15px; padding: 6px 12px; border: 1px solid #0b5c99; background: #fff;
  color: #0b5c99; border-radius: 4px; cursor: pointer; min-width: 44px; }}
button.primary {{ background: #0b5c99; color: #fff; }}
input[type=range] {{ flex: 1; min-width: 200px; }}
#label {{ font-weight: 600; min-width: 150px; text-align: right; }}
.help {{ color: #5b6673; font-size: 13px; }}
</style></head>
<body><main>
<h1 style="font-size:20px;margin:4px 0">{title}</h1>
<p class="help">{caption}</p>
<img id="frame" alt="Flow chart, one month" src="">
<div class="controls">
  <button id="first" title="First month (Home)">&#x23EE;</button>
  <button id="back" title="A month back (left arrow)">&#x25C0;</button>
  <button id="play" class="primary" title="Play or pause (space)">Play</button>
  <button id="next" title="A month forward (right arrow)">&#x25B6;</button>
  <button id="last" title="Last month (End)">&#x23ED;</button>
  <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="Month">
  <span id="label"></span>
  <label>speed <select id="speed"><option value="1.2">slow</option>
    <option value="{spm}" selected>normal</option><option value="0.25">fast</option></select></label>
</div>
<p class="help">Space plays or pauses; the arrow keys step a month; Home and End jump to the
start and the end.</p>
</main>
<script>
const frames = {frames};
const labels = {labels};
let k = 0, timer = null;
const img = document.getElementById("frame"), slider = document.getElementById("slider");
const label = document.getElementById("label"), play = document.getElementById("play");
function show(i) {{
  k = Math.max(0, Math.min(frames.length - 1, i));
  img.src = "data:image/png;base64," + frames[k];
  slider.value = k; label.textContent = labels[k];
}}
function pause() {{ if (timer) {{ clearInterval(timer); timer = null; }} play.textContent = "Play"; }}
function start() {{
  if (k >= frames.length - 1) show(0);
  const ms = 1000 * parseFloat(document.getElementById("speed").value);
  timer = setInterval(() => {{ if (k >= frames.length - 1) pause(); else show(k + 1); }}, ms);
  play.textContent = "Pause";
}}
play.onclick = () => timer ? pause() : start();
document.getElementById("back").onclick = () => {{ pause(); show(k - 1); }};
document.getElementById("next").onclick = () => {{ pause(); show(k + 1); }};
document.getElementById("first").onclick = () => {{ pause(); show(0); }};
document.getElementById("last").onclick = () => {{ pause(); show(frames.length - 1); }};
document.getElementById("speed").onchange = () => {{ if (timer) {{ pause(); start(); }} }};
slider.oninput = () => {{ pause(); show(parseInt(slider.value)); }};
document.addEventListener("keydown", (e) => {{
  if (e.key === " ") {{ e.preventDefault(); timer ? pause() : start(); }}
  else if (e.key === "ArrowLeft") {{ pause(); show(k - 1); }}
  else if (e.key === "ArrowRight") {{ pause(); show(k + 1); }}
  else if (e.key === "Home") {{ pause(); show(0); }}
  else if (e.key === "End") {{ pause(); show(frames.length - 1); }}
}});
show(0);
</script></body></html>
"""


def png_base64(rgb) -> str:
    buf = io.BytesIO()
    # 256 colours: the chart has flat colours, and the page stays a few MB for 5 years
    Image.fromarray(rgb).quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                  dither=Image.Dither.NONE).save(buf, format="PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def write_player(chart, path: Path) -> Path:
    """Write the page for a :class:`analysis.flowchart.FlowChart`: one frame per month."""
    n = chart.n_months()
    frames, labels = [], []
    for k in range(n):
        rgb = chart.frame(float(k), k * SECONDS_PER_MONTH)
        frames.append(png_base64(rgb))
        labels.append(chart.clock_text(float(k)))
    width = rgb.shape[1]
    title = "How staff move into, around and out of the care system"
    page = PAGE.format(title=html.escape(title), caption=html.escape(chart.caption),
                       width=width + 24, last=n - 1, spm=SECONDS_PER_MONTH,
                       frames=json.dumps(frames), labels=json.dumps(labels))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
