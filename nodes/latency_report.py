"""LATENCY DOCTOR's report and LATENCY GRAPH's sparkline, in redis 7.0's words and
drawing (latency.c, sparkline.c). Only the ``command`` and ``fast-command`` events exist
in splitbrain-server, so only their advice is ever given."""

from __future__ import annotations

from nodes.latency import EventSeries, LatencyMonitor

_DISABLED = (
    "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
    'instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order '
    "to enable it. If we weren't in a deep space mission I'd suggest to take a look at "
    "https://redis.io/topics/latency-monitor.\n"
)
_CALM = (
    "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
    "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
    "pill, and think things over.\n"
)
_SPIKES = (
    "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
    "about it, do you Dave?\n\n"
)
_INSPECT = (
    "- Check your Slow Log to understand what are the commands you are running which are "
    "too slow to execute. Please check https://redis.io/commands/slowlog for more "
    "information.\n"
)
_SCHEDULER = (
    "- The system is slow to execute Redis code paths not containing system calls. This "
    "usually means the system does not provide Redis CPU time to run for long periods. "
    "You should try to:\n"
    "  1) Lower the system load.\n"
    "  2) Use a computer / VM just for Redis if you are running other software in the same "
    "system.\n"
    '  3) Check if you have a "noisy neighbour" problem.\n'
    "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
    "your system.\n"
    "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, "
    "if you are using Jemalloc. However this may create fragmentation problems.\n"
)
_LARGE_OBJECTS = (
    "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
    "blocking operation. If you have very large objects that are often deleted, expired, "
    "or evicted, try to fragment those objects into multiple smaller objects.\n"
)


def _stats(series: EventSeries, now_s: int) -> tuple[int, int, int, int]:
    """(samples, average ms, mean absolute deviation ms, period s) as redis computes."""
    latencies = [ms for _, ms in series.samples]
    count = len(latencies)
    if not count:
        return 0, 0, 0, 0
    avg = sum(latencies) // count
    mad = sum(abs(avg - ms) for ms in latencies) // count
    period = now_s - min(t for t, _ in series.samples) or 1
    return count, avg, mad, period


def doctor(monitor: LatencyMonitor, threshold_ms: int, slower_than_us: int, now_s: int) -> str:
    if not monitor.events and not threshold_ms:
        return _DISABLED
    report = ""
    advice = {"enable": False, "tune": False, "inspect": False, "scheduler": False}
    for number, (name, series) in enumerate(monitor.events.items(), start=1):
        if number == 1:
            report += _SPIKES
        count, avg, mad, period = _stats(series, now_s)
        event = name.decode()
        report += (
            f"{number}. {event}: {count} latency spikes (average {avg}ms, mean deviation "
            f"{mad}ms, period {period / count:.2f} sec). Worst all time event "
            f"{series.max_ms}ms.\n"
        )
        if event == "command":
            if slower_than_us < 0:
                advice["enable"] = True
            elif slower_than_us // 1000 > threshold_ms:
                advice["tune"] = True
            advice["inspect"] = True
        elif event == "fast-command":
            advice["scheduler"] = True
    if not monitor.events:
        return _CALM
    report += "\nI have a few advices for you:\n\n"
    suggested = threshold_ms * 1000
    if advice["enable"]:
        report += (
            "- There are latency issues with potentially slow commands you are using. Try "
            "to enable the Slow Log Redis feature using the command 'CONFIG SET "
            f"slowlog-log-slower-than {suggested}'. If the Slow log is disabled Redis is "
            "not able to log slow commands execution for you.\n"
        )
    if advice["tune"]:
        report += (
            "- Your current Slow Log configuration only logs events that are slower than "
            "your configured latency monitor threshold. Please use 'CONFIG SET "
            f"slowlog-log-slower-than {suggested}'.\n"
        )
    if advice["inspect"]:
        report += _INSPECT
    if advice["scheduler"]:
        report += _SCHEDULER
    if advice["inspect"]:
        report += _LARGE_OBJECTS
    return report


_COLUMNS = 80
_ROWS = 4
_FILL = "_o#"


def _age_label(elapsed: int) -> str:
    if elapsed < 60:
        return f"{elapsed}s"
    if elapsed < 3600:
        return f"{elapsed // 60}m"
    if elapsed < 86400:
        return f"{elapsed // 3600}h"
    return f"{elapsed // 86400}d"


def graph(event: bytes, series: EventSeries, now_s: int) -> str:
    """LATENCY GRAPH: a title, a rule, and a filled sparkline labelled with ages."""
    values = [ms for _, ms in series.samples]
    labels = [_age_label(now_s - t) for t, _ in series.samples]
    low, high = (min(values), max(values)) if values else (0, 0)
    out = (
        f"{event.decode(errors='replace')} - high {high} ms, low {low} ms "
        f"(all time high {series.max_ms} ms)\n" + "-" * _COLUMNS + "\n"
    )
    for start in range(0, len(values), _COLUMNS):
        if start:
            out += "\n"
        out += _render(
            values[start : start + _COLUMNS], labels[start : start + _COLUMNS], low, high
        )
    return out


def _render(values: list[int], labels: list[str], low: int, high: int) -> str:
    relmax = float(high - low) or 1.0
    steps = len(_FILL) * _ROWS
    out = ""
    row = 0
    while True:
        more = False
        chars = [" "] * len(values)
        for j, value in enumerate(values):
            step = min(max(int(int((value - low) * steps) / relmax), 0), steps - 1)
            if row < _ROWS:
                more = True
                index = step - (_ROWS - row - 1) * len(_FILL)
                if 0 <= index < len(_FILL):
                    chars[j] = _FILL[index]
                elif index >= len(_FILL):
                    chars[j] = "|"
            else:
                if row - _ROWS < 1:
                    more = True
                    break
                label_char = row - _ROWS - 1
                if len(labels[j]) > label_char:
                    more = True
                    chars[j] = labels[j][label_char]
        if not more:
            return out
        row += 1
        out += "".join(chars) + "\n"
