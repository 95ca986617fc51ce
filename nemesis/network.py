"""The network nemesis: partitions, packet loss, flapping links, netem delay/duplication.

Nodes must run in network namespaces (``NodeHost.netns``); rules live in one nftables
table per namespace (:mod:`nemesis.netfilter`). The harness's own address (the bridge,
found as the local source address towards the nodes) is never cut: clients keep
reaching every node, like Jepsen's control node.

Faults act on *places* (:mod:`nemesis.places`): with several nodes per host (``--hosts``)
a partition cuts whole hosts, and its completion names both the host grudge (``hosts``)
and the node grudge it means (the value, as without hosts).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace

from base.db import HostShell, NodeHost
from base.op import Op, OpType
from nemesis import netfilter
from nemesis.errors import FaultFailed, UnsupportedFault
from nemesis.faultspec import FaultSpec, Need
from nemesis.grudge import PARTITIONS, Grudge, GrudgeError, grudge_to_json
from nemesis.options import NemesisOptions
from nemesis.places import Place, machine_of, node_grudge, place_topology, places_of, shared
from nemesis.probe import Reach, tcp_probe
from nemesis.protocol import FaultEnv
from nemesis.targets import read_topology

NETWORK_FS = frozenset(
    {
        "start-partition",
        "stop-partition",
        "start-packet-loss",
        "stop-packet-loss",
        "start-flap",
        "stop-flap",
        "start-delay",
        "stop-delay",
        "start-duplicate",
        "stop-duplicate",
    }
)


def local_address_towards(ip: str) -> str:
    """The source address this host uses to reach ``ip`` (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((ip, 9))
        return str(s.getsockname()[0])


def table_for(hosts: Sequence[NodeHost | Place], configured: str | None) -> str:
    """The nftables table name: configured, else the run prefix of the namespaces."""
    if configured:
        return netfilter.check_table_name(configured)
    host = hosts[0]
    if host.netns is None:
        raise UnsupportedFault("network faults on SSH hosts need the table named (the run does)")
    suffix = f"-{host.name}"
    prefix = host.netns[: -len(suffix)] if host.netns.endswith(suffix) else host.netns
    cleaned = "".join(c if c.isalnum() else "_" for c in prefix)
    return netfilter.check_table_name(cleaned if cleaned[:1].isalpha() else f"sb_{cleaned}")


async def gather_all(steps: Iterable[Awaitable[None]]) -> list[BaseException]:
    """Run every step; return the exceptions (every step runs even if some fail)."""
    results = await asyncio.gather(*steps, return_exceptions=True)
    return [r for r in results if isinstance(r, BaseException)]


class NetworkNemesis:
    """Handles :data:`NETWORK_FS` for the faults ``specs`` (their ``needs`` say which
    must probe netem at setup)."""

    def __init__(self, options: NemesisOptions, specs: Iterable[FaultSpec]) -> None:
        self.options = options
        self.specs = tuple(specs)
        self.families = frozenset(s.family for s in self.specs)
        self._env: FaultEnv | None = None
        self._hosts: dict[str, Place] = {}
        self._shared = False
        self._machine_of: dict[str, str] = {}
        self._shell: HostShell | None = None
        self._match = netfilter.NAMESPACE_MATCH
        self._table = ""
        self._harness_ip = ""
        self._grudge: Grudge = {}
        self._flap: asyncio.Task[None] | None = None
        self._netem_used = False

    @property
    def fs(self) -> frozenset[str]:
        return NETWORK_FS

    @property
    def table(self) -> str:
        return self._table

    @property
    def harness_ip(self) -> str:
        return self._harness_ip

    async def setup(self, env: FaultEnv) -> None:
        names = ", ".join(sorted(self.families))
        outside = [h.name for h in env.hosts if h.netns is None]
        if env.hosts and len(outside) == len(env.hosts) and isinstance(env.db, HostShell):
            self._shell = env.db  # SSH hosts: nft runs there, over the DB's shell
            self._match = netfilter.HOST_MATCH
            outside = []
            if any(Need.NETEM in s.needs for s in self.specs):
                raise UnsupportedFault(
                    "delay and duplicate (netem) need node namespaces; not on SSH hosts"
                )
        if outside or not env.hosts:
            raise UnsupportedFault(
                f"faults {names} need every node in its own network namespace; "
                f"not in one: {', '.join(outside) or 'no nodes'}"
            )
        self._env = env
        self._hosts = places_of(env.hosts)
        self._shared = shared(env.hosts)
        self._machine_of = machine_of(env.hosts)
        places = list(self._hosts.values())
        self._table = table_for(places, self.options.table)
        self._harness_ip = local_address_towards(places[0].ip)
        netem = dict.fromkeys(s.family for s in self.specs if Need.NETEM in s.needs)
        if netem:
            reason = await netfilter.netem_missing(self._ns(places[0]))
            if reason is not None:
                raise UnsupportedFault(
                    f"fault '{next(iter(netem))}' needs the kernel's netem qdisc (sch_netem), "
                    f"which this kernel lacks ({reason}); packet-loss and flap work "
                    "without it"
                )
        # Check nft works in every namespace and clear a stale table of a previous run.
        errors = await gather_all(
            self._nft(h, netfilter.delete_table_script(self._table)) for h in places
        )
        if errors:
            raise UnsupportedFault(f"nftables does not work in the node namespaces: {errors[0]}")

    async def invoke(self, op: Op) -> Op:
        env = self._require_env()
        try:
            if op.f == "start-partition":
                return await self._start_partition(op, env)
            if op.f == "stop-partition":
                await self._heal_partition()
                return op.complete(OpType.OK, value="network-healed")
            if op.f == "start-packet-loss":
                percent = round(self.options.packet_loss_percent)
                await self._each(
                    lambda ns: netfilter.loss_script(
                        self._table, percent, self._harness_ip, self._match
                    )
                )
                return op.complete(OpType.OK, value={"percent": percent, "nodes": self._names()})
            if op.f == "stop-packet-loss":
                await self._each(lambda ns: netfilter.delete_chain_script(self._table, "loss"))
                return op.complete(OpType.OK, value="packet-loss-healed")
            if op.f == "start-flap":
                node = env.rng.choice(self._names())
                await self._stop_flap()
                self._flap = asyncio.create_task(self._flapping(self._hosts[node]))
                flapped: dict[str, object] = {"node": node, "period_s": self.options.flap_period_s}
                if self._shared:
                    flapped = {**flapped, "host": node, "node": list(self._hosts[node].node_names)}
                return op.complete(OpType.OK, value=flapped)
            if op.f == "stop-flap":
                await self._stop_flap()
                return op.complete(OpType.OK, value="flap-stopped")
            if op.f in ("start-delay", "start-duplicate"):
                args = self._netem_args(op.f)
                self._netem_used = True
                errors = await gather_all(
                    netfilter.netem(self._ns(h), args) for h in self._hosts.values()
                )
                if errors:
                    raise FaultFailed(f"netem: {errors[0]}")
                return op.complete(
                    OpType.OK, value={"netem": " ".join(args), "nodes": self._names()}
                )
            if op.f in ("stop-delay", "stop-duplicate"):
                errors = await gather_all(
                    netfilter.netem_clear(self._ns(h)) for h in self._hosts.values()
                )
                if errors:
                    raise FaultFailed(f"netem: {errors[0]}")
                return op.complete(OpType.OK, value="netem-cleared")
        except GrudgeError as e:
            return op.complete(OpType.FAIL, error=str(e))
        except (FaultFailed, netfilter.FirewallError, OSError) as e:
            env.log(f"nemesis: {op.f} failed: {e}")
            return op.complete(OpType.INFO, error=str(e))
        raise ValueError(f"network nemesis: unknown f {op.f!r}")

    async def teardown(self) -> None:
        """Stop flapping, delete the table in every namespace, clear netem. Tries all."""
        if self._env is None:
            return
        errors: list[BaseException] = []
        try:
            await self._stop_flap()
        except Exception as e:
            errors.append(e)
        errors += await gather_all(
            self._nft(h, netfilter.delete_table_script(self._table)) for h in self._hosts.values()
        )
        if self._netem_used:
            errors += await gather_all(
                netfilter.netem_clear(self._ns(h)) for h in self._hosts.values()
            )
        self._grudge = {}
        if errors:
            raise FaultFailed(f"network heal incomplete: {'; '.join(map(str, errors))}")

    # -- partitions ---------------------------------------------------------------

    async def _start_partition(self, op: Op, env: FaultEnv) -> Op:
        kind = str(op.value)
        if kind not in PARTITIONS:
            raise GrudgeError(f"unknown partition kind {kind!r}")
        topology = await read_topology(env.db, self.options.topology_timeout_s, env.log)
        if self._shared:
            topology = place_topology(topology, self._machine_of)
        grudge = PARTITIONS[kind](self._names(), topology, env.rng)
        await self.apply_grudge(grudge)
        if not self._shared:
            return op.complete(OpType.OK, value=grudge_to_json(grudge))
        done = op.complete(OpType.OK, value=grudge_to_json(node_grudge(grudge, self._hosts)))
        return replace(done, extra={**done.extra, "hosts": grudge_to_json(grudge)})

    async def apply_grudge(self, grudge: Grudge) -> None:
        """Make every place drop the packets of the places in its grudge (node names when
        every node has a place of its own), then check it."""
        self._require_env()
        self._grudge = {n: frozenset(p) for n, p in grudge.items() if p}
        await self._each_host(
            lambda h: netfilter.drop_from_script(
                self._table, [self._hosts[p].ip for p in self._grudge.get(h.name, ())], self._match
            )
        )
        if self.options.verify:
            await self._verify(self._grudge, expect_cut=True)

    async def _heal_partition(self) -> None:
        previous = self._grudge
        await self._each(lambda ns: netfilter.delete_chain_script(self._table, "partition"))
        self._grudge = {}
        if self.options.verify and previous:
            await self._verify(previous, expect_cut=False)

    async def _verify(self, grudge: Grudge, expect_cut: bool) -> None:
        """For each pair where ``a`` drops ``b``: ``b`` connecting to ``a`` must time out
        (cut) or get an answer (healed: accepted or refused, the path is open)."""
        pairs = [(a, b) for a, peers in grudge.items() for b in peers]
        results = await asyncio.gather(
            *(self._probe(self._hosts[b], self._hosts[a]) for a, b in pairs)
        )
        wrong = [
            f"{b}->{a} {r.value}"
            for (a, b), r in zip(pairs, results, strict=True)
            if (r is not Reach.DROPPED) == expect_cut
        ]
        # The harness (root namespace, through the bridge) must still reach every node.
        hosts = list(self._hosts.values())
        reach = await asyncio.gather(
            *(tcp_probe(None, h.ip, h.port, self.options.probe_timeout_s) for h in hosts)
        )
        wrong += [
            f"harness->{h.name} {r.value}"
            for h, r in zip(hosts, reach, strict=True)
            if r is Reach.DROPPED
        ]
        if wrong:
            what = "cut did not hold" if expect_cut else "still cut after healing"
            raise FaultFailed(f"{what}: {', '.join(sorted(wrong))}")

    # -- flapping -----------------------------------------------------------------

    async def _flapping(self, host: Place) -> None:
        down = True
        try:
            while True:
                await self._nft(
                    host, netfilter.flap_script(self._table, down, self._harness_ip, self._match)
                )
                await asyncio.sleep(self.options.flap_period_s)
                down = not down
        except asyncio.CancelledError:
            raise
        except Exception as e:
            self._require_env().log(f"nemesis: flapping {host.name} stopped: {e}")

    async def _stop_flap(self) -> None:
        task, self._flap = self._flap, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._each(lambda ns: netfilter.delete_chain_script(self._table, "flap"))

    # -- plumbing -----------------------------------------------------------------

    def _netem_args(self, f: str) -> list[str]:
        if f == "start-delay":
            return ["delay", f"{self.options.delay_ms:g}ms", f"{self.options.delay_jitter_ms:g}ms"]
        return ["duplicate", f"{self.options.duplicate_percent:g}%"]

    async def _each(self, script: Callable[[str], str]) -> None:
        await self._each_host(lambda h: script(h.name))

    async def _each_host(self, script: Callable[[Place], str]) -> None:
        errors = await gather_all(self._nft(h, script(h)) for h in self._hosts.values())
        if errors:
            raise FaultFailed("; ".join(map(str, errors)))

    def _names(self) -> list[str]:
        return list(self._hosts)

    async def _nft(self, place: Place, script: str) -> None:
        """Apply an nft script on ``place``: in its namespace, or over the DB's shell."""
        if self._shell is not None:
            await self._shell.host_run(place.name, ["nft", "-f", "-"], stdin=script)
        else:
            await netfilter.nft(self._ns(place), script)

    async def _probe(self, source: Place, to: Place) -> Reach:
        """Connect from ``source`` to ``to``'s first node: in ``source``'s namespace, or
        on the SSH host with bash's /dev/tcp under ``timeout`` (124: no answer)."""
        timeout_s = self.options.probe_timeout_s
        if self._shell is None:
            return await tcp_probe(source.netns, to.ip, to.port, timeout_s)
        script = (
            f'timeout {timeout_s:g} bash -c "exec 3<>/dev/tcp/{to.ip}/{to.port}" '
            "2>/dev/null; echo $?"
        )
        out = await self._shell.host_run(source.name, ["bash", "-c", script])
        status = out.strip()
        if status == "0":
            return Reach.OPEN
        return Reach.DROPPED if status == "124" else Reach.REFUSED

    @staticmethod
    def _ns(host: Place) -> str:
        assert host.netns is not None
        return host.netns

    def _require_env(self) -> FaultEnv:
        if self._env is None:
            raise RuntimeError("network nemesis used before setup")
        return self._env
