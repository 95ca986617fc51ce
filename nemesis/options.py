"""The nemesis's knobs (``--nemesis-*`` options of ``harness run``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class NemesisOptions:
    """Defaults follow Jepsen (10 s between changes) with a recovery window on.

    ``interval_s``: mean seconds a fault lasts and (with ``recovery``) the quiet window
    after it; ``jitter``: each interval is multiplied by a seeded uniform factor in
    ``[1 - jitter, 1 + jitter]``; ``recovery_s`` overrides the window length.
    ``table``: the nftables table name in node namespaces; None derives it from the
    run prefix of the namespaces (``sb4f2a-n1`` -> ``sb4f2a``).
    """

    interval_s: float = 10.0
    recovery: bool = True
    recovery_s: float | None = None
    jitter: float = 0.3
    first_fault_s: float | None = None
    """When the first fault starts (default: one jittered interval in)."""
    packet_loss_percent: float = 20.0
    flap_period_s: float = 1.0
    delay_ms: float = 100.0
    delay_jitter_ms: float = 20.0
    duplicate_percent: float = 5.0
    reshard_slots: int = 8
    reshard_keys_per_batch: int = 100
    failover_wait_s: float = 5.0
    clock_offset_s: float = 60.0
    verify: bool = True
    """Probe TCP after cutting (a cut pair must time out) and after healing."""
    probe_timeout_s: float = 0.5
    topology_timeout_s: float = 3.0
    command_timeout_s: float = 10.0
    table: str | None = None

    def __post_init__(self) -> None:
        checks = (
            (self.interval_s > 0, "nemesis interval must be > 0 s"),
            (0 <= self.jitter < 1, "nemesis jitter must be in [0, 1)"),
            (self.recovery_s is None or self.recovery_s >= 0, "recovery window must be >= 0 s"),
            (0 <= self.packet_loss_percent <= 100, "packet loss must be 0..100 %"),
            (0 <= self.duplicate_percent <= 100, "duplicate share must be 0..100 %"),
            (self.flap_period_s > 0, "flap period must be > 0 s"),
            (self.reshard_slots >= 1, "reshard slots must be >= 1"),
            (self.probe_timeout_s > 0, "probe timeout must be > 0 s"),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def recovery_window_s(self) -> float:
        if not self.recovery:
            return 0.0
        return self.interval_s if self.recovery_s is None else self.recovery_s


def with_settings(base: NemesisOptions, settings: Sequence[str]) -> NemesisOptions:
    """``base`` with ``NAME=VALUE`` settings applied (``--nemesis-option``), e.g.
    ``packet_loss_percent=30``, ``recovery=no``. Raises ``ValueError`` naming the bad
    setting and the known names."""
    known = {f.name: f for f in fields(NemesisOptions)}
    options = base
    for setting in settings:  # one at a time, so that a refused value is named
        name, sep, raw = setting.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in known:
            raise ValueError(
                f"nemesis option {setting!r}: want NAME=VALUE with NAME one of "
                f"{', '.join(sorted(known))}"
            )
        value = _convert(name, raw.strip(), known[name].type)
        try:
            options = replace(options, **{name: value})  # type: ignore[arg-type]
        except ValueError as e:
            raise ValueError(f"nemesis option {setting!r}: {e}") from e
    return options


_PARSERS: dict[str, type] = {"float": float, "int": int, "bool": bool, "str": str}


def _convert(name: str, raw: str, declared: object) -> object:
    """``raw`` as the field's declared type (annotations are strings here)."""
    text = str(declared)
    if text.endswith(" | None") and raw.lower() in ("none", ""):
        return None
    kind = _PARSERS[text.removesuffix(" | None")]
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"nemesis option {name}={raw!r}: want yes or no")
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(f"nemesis option {name}={raw!r}: not a valid {kind.__name__}") from None
