"""results.xml: the run's checkers as a JUnit test suite for CI systems. One testcase per
checker; ``invalid`` is a failure, ``unknown`` is an error when the checker crashed and
skipped otherwise (the run could not decide). Pure."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from checkers.verdict import CheckResult, Verdict
from reports.rundata import RunData

_DETAIL_LIMIT = 20_000


def render_junit(run: RunData) -> str:
    checkers = run.checker_results()
    suite = ET.Element(
        "testsuite",
        name=run.test_name,
        tests=str(max(1, len(checkers))),
        timestamp=str(run.test.get("start_time") or ""),
        time=f"{run.end_ns / 1e9:.3f}",
    )
    props = ET.SubElement(suite, "properties")
    for name in ("seed", "db", "nemesis", "workload"):
        if name in run.test:
            ET.SubElement(props, "property", name=name, value=_text(run.test[name]))
    ET.SubElement(props, "property", name="run", value=run.name)
    failures = errors = skipped = 0
    if not checkers:
        case = ET.SubElement(suite, "testcase", classname=run.test_name, name="results")
        reason = "; ".join(run.unknown_reasons()) or "no checker results"
        ET.SubElement(case, "skipped", message=reason)
        skipped += 1
    for name, result in checkers.items():
        case = ET.SubElement(suite, "testcase", classname=run.test_name, name=name)
        reason = result.reason or ""
        if result.verdict is Verdict.INVALID:
            failures += 1
            el = ET.SubElement(case, "failure", message=reason or "invalid", type="invalid")
            el.text = _details(result)
        elif result.verdict is Verdict.UNKNOWN:
            if reason.startswith("checker crashed"):
                errors += 1
                el = ET.SubElement(case, "error", message=reason, type="unknown")
                el.text = _details(result)
            else:
                skipped += 1
                ET.SubElement(case, "skipped", message=f"unknown: {reason or 'no reason'}")
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    ET.indent(suite)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )


def _details(result: CheckResult) -> str:
    text = json.dumps(result.to_json(), indent=1, default=str)
    if len(text) > _DETAIL_LIMIT:
        text = text[:_DETAIL_LIMIT] + f"\n... ({len(text):,} characters; see results.json)"
    return text


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)
