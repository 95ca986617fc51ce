"""The checkers' results as types: what each checker finds, with ``to_json`` (the
``details`` it writes into results.json, unchanged on disk) and ``from_json`` (how the
harness and the reports read results.json back).

- :mod:`checkers.results.run`: results.json as a whole (:class:`RunResults`).
- :mod:`checkers.results.setfull`: set-full's counts and lost writes.
- :mod:`checkers.results.linear`: the linearizability checker's result and explanation.
- :mod:`checkers.results.figures`: the counter, stats and perf checkers' figures.
- :mod:`checkers.results.loss`: the run's loss windows and availability per shard.
"""
