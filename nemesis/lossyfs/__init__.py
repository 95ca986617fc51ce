"""lossyfs: a FUSE file system that holds unsynced file data back, so a ``kill-power``
fault can drop it (Jepsen's LazyFS idea, written for this project over pyfuse3).

:mod:`nemesis.lossyfs.pages` is the pure model of pending data; :mod:`nemesis.lossyfs.fs`
the file system; ``python -m nemesis.lossyfs`` mounts one with a control socket;
:mod:`nemesis.lossyfs.control` starts, drives and unmounts one from the harness.
"""
