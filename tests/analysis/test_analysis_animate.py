"""The animated flow chart: frame count, size, content and both file formats."""

from __future__ import annotations

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from analysis import animate
from analysis.load import load

FPS = 4  # 2 frames a month at 0.5 s a month
DPI = 30  # 12.8 x 7.2 inches -> 384 x 216 pixels
MONTHS = 24  # the fixture runs 104 weeks from April 2025: April 2025 to March 2027
FRAMES = MONTHS + 1  # the start, then the end of each month


def expected_frames(months=FRAMES, fps=FPS, hold=0.0):
    per_month = round(fps * animate.SECONDS_PER_MONTH)
    return (months - 1) * per_month + 1 + round(hold * fps)


def gif_frames(path) -> list[np.ndarray]:
    with Image.open(path) as im:
        out = []
        for k in range(im.n_frames):
            im.seek(k)
            out.append(np.asarray(im.convert("RGB")))
        return out


def test_frame_times_are_smooth_then_hold():
    times = animate.frame_times(n_months=5, fps=10, seconds_per_month=0.5, hold_seconds=1.0)
    assert len(times) == 4 * 5 + 1 + 10
    months = [t for t, _ in times]
    assert months[0] == 0 and months[-1] == 4
    assert np.allclose(np.diff(months[:21]), 0.2)  # interpolated between monthly points
    assert np.allclose(np.diff([s for _, s in times]), 0.1)


@pytest.fixture(scope="module")
def run(synthetic_run):
    return load(synthetic_run)


@pytest.fixture(scope="module")
def rendered(run, tmp_path_factory):
    stem = tmp_path_factory.mktemp("anim") / "flows"
    paths = animate.render([run], stem, fps=FPS, dpi=DPI, hold_seconds=0.5)
    return {p.suffix: p for p in paths}


def test_gif_has_expected_frames_and_size(rendered):
    gif = rendered[".gif"]
    with Image.open(gif) as im:
        assert im.size == (384, 216)
        assert im.n_frames == expected_frames(hold=0.5)
        assert im.info["loop"] == 0
        assert im.info["duration"] == 250
    frames = gif_frames(gif)
    assert not np.array_equal(frames[0], frames[-1])  # things move
    acute_blue = np.array([0x00, 0x72, 0xB2])
    hits = np.all(np.abs(frames[5].astype(int) - acute_blue) <= 12, axis=-1).sum()
    assert hits > 200  # the acute sector's circle is drawn in its colour


def test_mp4_has_expected_frames_and_size(rendered):
    mp4 = rendered[".mp4"]
    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(mp4))
    assert n_frames == expected_frames(hold=0.5)
    assert seconds == pytest.approx(n_frames / FPS, abs=0.3)
    meta = next(imageio_ffmpeg.read_frames(str(mp4)))
    assert meta["size"] == (384, 216)
    assert meta["codec"] == "h264"


def test_sector_circles_grow_with_staff(run):
    chart = animate.build_chart([run], ["run"], dpi=DPI)
    chart.frame(0, 0)
    s = chart.series[0]
    k = chart.sectors.index("acute")
    radii = {sector: c.get_radius() for sector, c in chart.panels[0]["circles"].items()}
    biggest = max(radii, key=radii.get)
    assert biggest == chart.sectors[int(np.argmax(s.headcount[0]))]
    ratio = radii["primary"] / radii["acute"]
    expected = np.sqrt(s.headcount[0, chart.sectors.index("primary")] / s.headcount[0, k])
    assert ratio == pytest.approx(expected)


def test_monthly_flows_are_people_per_month(run):
    chart = animate.build_chart([run], ["run"], dpi=DPI)
    s = chart.series[0]
    assert len(s.months) == FRAMES and str(s.months[0].date()) == "2025-04-07"  # the start
    assert str(s.months[1].date()) == "2025-04-30"  # the end of the first month
    moved = [i for i, e in enumerate(chart.edges) if e.kind != "within"]
    total_per_month = s.flows[1:, moved].sum(axis=1).mean()
    weekly = run.flows[run.flows["source"] != run.flows["target"]]["count"].sum() / 104
    # lines under 1% of all moves are not drawn: what is drawn is nearly everything
    drawn_share = 1 - chart.graph.hidden_per_month / (weekly * 52 / 12)
    assert total_per_month == pytest.approx(weekly * 52 / 12 * drawn_share, rel=0.05)
    assert s.joined[-1] == run.flows[run.flows["source"].isin(
        ["education", "international", "local_labour", "returners"])]["count"].sum()


def test_side_by_side_shares_scale(synthetic_run, synthetic_programme_run, tmp_path):
    base, prog = load(synthetic_run), load(synthetic_programme_run)
    paths = animate.render([base, prog], tmp_path / "cmp", formats=("gif",), fps=FPS, dpi=DPI,
                           hold_seconds=0)
    with Image.open(paths[0]) as im:
        assert im.size == (576, 150)  # baseline, programme, difference: 6.4 inches each, 5 high
        assert im.n_frames == expected_frames()
    chart = animate.build_chart([base, prog], ["a", "b"], dpi=DPI)
    chart.frame(MONTHS, 0)
    left, right = (p["circles"]["acute"].get_radius() for p in chart.panels[:2])
    heads = [s.headcount[-1, chart.sectors.index("acute")] for s in chart.series]
    assert right / left == pytest.approx(np.sqrt(heads[1] / heads[0]))
    assert "vs baseline" in chart.panels[1]["totals"].get_text()


def test_side_by_side_uses_common_months(synthetic_run, tmp_path, make_synthetic_run):
    short = load(make_synthetic_run(tmp_path / "short", weeks=30, seed=2))
    chart = animate.build_chart([load(synthetic_run), short], ["a", "b"], dpi=DPI)
    assert chart.n_months() == len(chart.series[1].months) < MONTHS
