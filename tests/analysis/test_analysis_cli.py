"""Command-line entry points: paths printed, clear errors, no tracebacks."""

from __future__ import annotations

from PIL import Image

from analysis.cli import animate_main, report_main


def test_report_cli_writes_into_folder(tmp_path, make_synthetic_run, capsys):
    run = make_synthetic_run(tmp_path / "run", weeks=20)
    assert report_main([str(run), "--dpi", "30"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(run / "report.html")
    assert "data:image/png;base64," in (run / "report.html").read_text()


def test_report_cli_out_option(tmp_path, make_synthetic_run, capsys):
    run = make_synthetic_run(tmp_path / "run", weeks=20)
    target = tmp_path / "elsewhere" / "board.html"
    assert report_main([str(run), "--out", str(target), "--dpi", "30"]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert target.exists() and not (run / "report.html").exists()


def test_report_cli_bad_folder(tmp_path, make_synthetic_run, capsys):
    run = make_synthetic_run(tmp_path / "run", weeks=8)
    (run / "summary.json").write_text("not json")
    assert report_main([str(run)]) == 2
    err = capsys.readouterr().err
    assert "summary.json" in err and "invalid JSON" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_animate_cli_gif_only(tmp_path, make_synthetic_run, capsys):
    run = make_synthetic_run(tmp_path / "run", weeks=20)
    out_dir = tmp_path / "anim"
    code = animate_main([str(run), "--out-dir", str(out_dir), "--format", "gif", "--fps", "2",
                         "--dpi", "20"])
    assert code == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out_dir / "flows.gif")]
    with Image.open(out_dir / "flows.gif") as im:
        assert im.size == (256, 144)
        frames = 6  # the start, then 5 months: 20 weeks from 7 April 2025 end in August
        assert im.n_frames == (frames - 1) * 1 + 1 + 3  # 1 frame a month, 1.5 s hold at 2 fps


def test_animate_cli_compare_names_output(tmp_path, make_synthetic_run, capsys):
    base = make_synthetic_run(tmp_path / "base", weeks=12)
    prog = make_synthetic_run(tmp_path / "programme_a", weeks=12, recruitment_boost={"acute": 2.0})
    code = animate_main([str(base), "--compare", str(prog), "--format", "mp4", "--fps", "2",
                         "--dpi", "20"])
    assert code == 0
    assert capsys.readouterr().out.split() == [str(base / "flows_vs_programme_a.mp4")]


def test_animate_cli_bad_folder(tmp_path, make_synthetic_run, capsys):
    run = make_synthetic_run(tmp_path / "run", weeks=8)
    (run / "flows.parquet").unlink()
    assert animate_main([str(run), "--format", "gif"]) == 2
    err = capsys.readouterr().err
    assert "flows.parquet: missing file" in err and "Traceback" not in err
    assert not (run / "flows.gif").exists()


def test_animate_cli_compare_with_bad_folder(tmp_path, make_synthetic_run, capsys):
    run = make_synthetic_run(tmp_path / "run", weeks=8)
    assert animate_main([str(run), "--compare", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_side_by_side_titles_name_programmes(tmp_path, make_synthetic_run):
    from analysis.cli import _panel_title
    from analysis.load import load

    base = load(make_synthetic_run(tmp_path / "0", weeks=4))
    prog = load(make_synthetic_run(tmp_path / "7", weeks=4,
                                   programmes=["international_recruitment", "pay_parity"]))
    assert _panel_title(base, first=True) == "Baseline (0)"
    assert _panel_title(prog, first=False) == "International Recruitment + Pay parity for care workers (7)"
