"""Run folders: writing one (`run_folder`), running many as a crash-safe sweep (`sweep`), and
gathering finished sweeps into one parquet dataset (`collect`)."""
