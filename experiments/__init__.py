"""Studies over many runs of the simulator: the programme comparison (`compare`), the global
sensitivity analysis (`sensitivity`) and the speed benchmark (`benchmark`)."""
