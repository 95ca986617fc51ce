"""Reports: one self-contained HTML report per run, an index of runs, JUnit XML."""
