"""The combined results.xml of a ``harness test-all`` matrix: a ``<testsuites>`` with
one ``<testsuite>`` per test, named after its run (``<test>/<run folder>``). A run's
own suite (its results.xml, :mod:`reports.junit`) is taken as it is and renamed; a test
that crashed without one gets a suite with an error, one that was not run a suite with
a skipped case, so CI lists every test of the matrix. Pure."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from reports.matrix import NOT_RUN, MatrixEntry

_COUNTED = ("tests", "failures", "errors", "skipped")


def render_matrix_junit(entries: Sequence[MatrixEntry], name: str) -> str:
    """The combined JUnit document of ``entries``; ``name`` names the matrix."""
    root = ET.Element("testsuites", name=name)
    totals = dict.fromkeys(_COUNTED, 0)
    elapsed = 0.0
    for entry in entries:
        suite = _suite(entry)
        for key in _COUNTED:
            totals[key] += int(suite.get(key) or 0)
        elapsed += float(suite.get("time") or 0)
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{elapsed:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def suite_name(entry: MatrixEntry) -> str:
    """The run folder (``<test>/<stamp>``), else ``<test> #<number>``."""
    return entry.run or f"{entry.name} #{entry.number}"


def _suite(entry: MatrixEntry) -> ET.Element:
    own = _own_suite(entry.results_xml)
    if own is not None and entry.status != "crashed":
        own.set("name", suite_name(entry))
        _property(own, "matrix_test", str(entry.number))
        return own
    suite = ET.Element("testsuite", name=suite_name(entry), tests="1")
    suite.set("time", f"{entry.duration_s or 0:.3f}")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="seed", value=str(entry.seed))
    ET.SubElement(props, "property", name="reproduce", value=entry.reproduce)
    case = ET.SubElement(suite, "testcase", classname=entry.name, name="run")
    if entry.status == NOT_RUN:
        ET.SubElement(case, "skipped", message=f"not run: {entry.reason}")
        counts = {"failures": 0, "errors": 0, "skipped": 1}
    else:
        message = entry.reason or f"the run crashed (exit {entry.exit_code})"
        ET.SubElement(case, "error", message=message, type=entry.status)
        counts = {"failures": 0, "errors": 1, "skipped": 0}
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _own_suite(text: str | None) -> ET.Element | None:
    """The run's ``<testsuite>``, or None if there is none or it does not parse."""
    if not text:
        return None
    try:
        element = ET.fromstring(text)
    except ET.ParseError:
        return None
    return element if element.tag == "testsuite" else None


def _property(suite: ET.Element, name: str, value: str) -> None:
    props = suite.find("properties")
    if props is None:
        props = ET.Element("properties")
        suite.insert(0, props)
    ET.SubElement(props, "property", name=name, value=value)
