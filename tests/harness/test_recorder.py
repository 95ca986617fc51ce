"""The recorder writes exactly Op.to_json's form, in index order, and its in-memory
history matches the file."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from base.op import NEMESIS, Op, OpType
from harness.recorder import Recorder


def test_jsonl_lines_are_op_to_json(tmp_path: Path) -> None:
    ticks = itertools.count(1_000, 7)
    rec = Recorder(tmp_path / "history.jsonl", lambda: next(ticks), 1_000)
    a = rec.invoke(0, "add", 5, "s1")
    b = rec.invoke(1, "read", None, "s2")
    rec.complete(a, "ok", 5, node="n1", acks=1)
    rec.complete(b, "info", None, node="n2", error="timeout: no reply")
    nem = rec.record(Op(OpType.INVOKE, "start-partition", "partition-minority", NEMESIS))
    rec.record(nem.complete(OpType.INFO, value={"n1": ["n2"]}, extra={"note": "x"}))
    rec.close()
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    history = rec.history()
    assert [json.loads(line) for line in lines] == [op.to_json() for op in history]
    assert [op.index for op in history] == list(range(6))
    assert [op.time_ns for op in history] == sorted(op.time_ns for op in history)
    assert history[2].type is OpType.OK and history[2].acks == 1 and history[2].key == "s1"
    assert history[3].process == 1 and history[3].error == "timeout: no reply"
    assert rec.counts == {"ok": 1, "fail": 0, "info": 1}  # nemesis events not counted
    assert [Op.from_json(json.loads(line)) for line in lines] == history
