"""Reports: one self-contained HTML report per run, an index of runs, JUnit XML.

Layering: :mod:`reports.loader` reads a run folder into :class:`RunData` (the only
reader); pure modules turn it into text (:mod:`reports.page` for report.html with
:mod:`reports.sections`, :mod:`reports.chartdata`, :mod:`reports.counterexample_svg`;
:mod:`reports.junit`, :mod:`reports.summary`, :mod:`reports.index`); :mod:`reports.store`
writes the files.
"""

from reports.loader import RunFolderError, load_run
from reports.rundata import RunData
from reports.store import render_run, update_index

__all__ = ["RunData", "RunFolderError", "load_run", "render_run", "update_index"]
