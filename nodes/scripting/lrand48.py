"""redis's ``redisLrand48`` (POSIX lrand48, a 48-bit linear congruential generator): what
``math.random`` uses inside scripts, so a seeded script draws the same numbers as on
redis-server. State lives on the sandbox (never the global ``random`` module)."""

from __future__ import annotations

_A = 0x5DEECE66D
_C = 0xB
_MOD = 1 << 48
_LRAND48_MAX = 2147483647


class Lrand48:
    """The generator; starts in lrand48's documented initial state."""

    def __init__(self) -> None:
        self.state = 0x1234ABCD330E

    def seed(self, value: int) -> None:
        """``srand48``: the low 32 bits of ``value`` become the high 32 bits of the state."""
        self.state = ((int(value) & 0xFFFFFFFF) << 16) | 0x330E

    def next31(self) -> int:
        self.state = (_A * self.state + _C) % _MOD
        return self.state >> 17

    def random(self) -> float:
        """A float in [0, 1) as redis's ``math.random()`` computes it."""
        return (self.next31() % _LRAND48_MAX) / _LRAND48_MAX
