"""The command lines (`wfsim`, `wfsim-calibrate`, `wfsim-compare`, `wfsim-collect`). They sit on
top of everything: they may import the model, the systems, the run folders and the experiments;
nothing imports them."""
