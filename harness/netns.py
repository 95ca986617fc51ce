"""Host networking for one run: a bridge in the root namespace and one network
namespace per node, joined to it by a veth pair.

Layout for prefix ``sb4f2a`` and subnet ``10.77.0.0/24``::

    root namespace                         namespace sb4f2a-n1
    sb4f2abr (bridge, 10.77.0.1/24) --- sb4f2av0 <-veth-> eth0 (10.77.0.2/24), lo up
                                    --- sb4f2av1 <-veth-> eth0 (10.77.0.3/24) in sb4f2a-n2 ...

The harness (like Jepsen's control node) talks to every node through the bridge
address; partitions are enforced inside the node namespaces (``nemesis.netfilter``) and
never cut the bridge address. Every name we create starts with the prefix, so a run's
leftovers can be found and removed by it (:func:`find_leftovers`), and nothing without
the prefix is ever touched.

Implementation: pyroute2 (0.9 API: ``pyroute2.netns``, ``IPRoute``, ``NetNS``) for
namespaces, links and addresses; it needs no external processes and reports errors as
exceptions with errno. Commands inside a namespace run with ``ip netns exec`` (see
:meth:`HostNetwork.exec_argv`), which also gives each namespace its own /etc/netns view.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyroute2 import IPRoute, NetNS, netns

from base.hostnet import NODE_IFNAME

IFNAMSIZ = 15
"""Longest interface name the kernel accepts."""

_PREFIX_RE = re.compile(r"^[a-z][a-z0-9]{1,9}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


SUBNET_LOCK = Path("/run/lock/splitbrain-subnets.lock")
"""Held (``flock``, exclusive) while a run picks a subnet and creates its network, so
that two runs starting together never take the same one (:func:`subnet_lock`)."""


class NetworkError(RuntimeError):
    """Creating or removing the host network failed (the message says which step)."""


@dataclass(frozen=True, slots=True)
class HostAddress:
    """One node's place on the network: its name, namespace and address."""

    name: str
    netns: str
    ip: str


@dataclass(frozen=True, slots=True)
class Leftovers:
    """Namespaces and root-namespace links whose names start with a prefix."""

    namespaces: tuple[str, ...] = ()
    bridges: tuple[str, ...] = ()
    veths: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.namespaces or self.bridges or self.veths)


def bridge_name(prefix: str) -> str:
    return f"{prefix}br"


def veth_name(prefix: str, index: int) -> str:
    return f"{prefix}v{index}"


def namespace_name(prefix: str, name: str) -> str:
    return f"{prefix}-{name}"


class HostNetwork:
    """The network of one run. ``create`` builds it, ``destroy`` removes exactly it.

    ``prefix`` is ``"sb"`` plus a short run id (lower-case letters and digits, at most
    10 characters in all); ``names`` are the node names (namespace ``f"{prefix}-{name}"``);
    ``subnet`` must hold the bridge address (its first host) and one address per node,
    and must not overlap a subnet already routed on this host (another run's bridge).
    """

    def __init__(self, prefix: str, names: Sequence[str], subnet: str = "10.77.0.0/24") -> None:
        if not _PREFIX_RE.match(prefix):
            raise ValueError(
                f"network prefix {prefix!r}: want 2-10 lower-case letters/digits, e.g. 'sb4f2a'"
            )
        if not names:
            raise ValueError("host network: no node names")
        if len(set(names)) != len(names):
            raise ValueError(f"host network: duplicate node names in {list(names)}")
        for n in names:
            if not _NAME_RE.match(n):
                raise ValueError(f"host network: bad node name {n!r}")
        try:
            net = ipaddress.IPv4Network(subnet, strict=True)
        except ValueError as e:
            raise ValueError(f"subnet {subnet!r}: {e}") from e
        hosts = list(net.hosts())
        if len(hosts) < len(names) + 1:
            raise ValueError(f"subnet {subnet}: too small for {len(names)} nodes and a bridge")
        self.prefix = prefix
        self.names = tuple(names)
        self.subnet = net
        self.bridge_ip = str(hosts[0])
        self.addresses = tuple(
            HostAddress(name=n, netns=namespace_name(prefix, n), ip=str(hosts[i + 1]))
            for i, n in enumerate(self.names)
        )
        self._by_name = {a.name: a for a in self.addresses}
        if len(veth_name(prefix, len(names) - 1)) > IFNAMSIZ:
            raise ValueError(f"network prefix {prefix!r}: interface names would exceed 15 chars")

    @property
    def bridge(self) -> str:
        return bridge_name(self.prefix)

    def address(self, name: str) -> HostAddress:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no node {name!r} in host network {self.prefix}") from None

    def create(self) -> list[HostAddress]:
        """Build the bridge, the namespaces and the veth pairs; return the node addresses.

        On any failure, removes what it made and raises :class:`NetworkError`. The
        subnet check and the creation happen under :func:`subnet_lock`.
        """
        with subnet_lock():
            return self._create_locked()

    def _create_locked(self) -> list[HostAddress]:
        self._check_subnet_free()
        self._check_names_free()
        made_spaces: list[str] = []
        made_links: list[str] = []
        step = "bridge"
        try:
            with IPRoute() as ipr:
                ipr.link("add", ifname=self.bridge, kind="bridge")
                made_links.append(self.bridge)
                br = _index(ipr, self.bridge)
                ipr.addr("add", index=br, address=self.bridge_ip, prefixlen=self.subnet.prefixlen)
                ipr.link("set", index=br, state="up")
                for i, host in enumerate(self.addresses):
                    step = f"namespace {host.netns}"
                    netns.create(host.netns)
                    made_spaces.append(host.netns)
                    step = f"veth for {host.netns}"
                    outer = veth_name(self.prefix, i)
                    ipr.link(
                        "add",
                        ifname=outer,
                        kind="veth",
                        peer={"ifname": NODE_IFNAME, "net_ns_fd": host.netns},
                    )
                    made_links.append(outer)
                    ipr.link("set", index=_index(ipr, outer), master=br, state="up")
                    step = f"addresses in {host.netns}"
                    with NetNS(host.netns) as ns:
                        ns.link("set", index=_index(ns, "lo"), state="up")
                        inner = _index(ns, NODE_IFNAME)
                        ns.addr(
                            "add",
                            index=inner,
                            address=host.ip,
                            prefixlen=self.subnet.prefixlen,
                        )
                        ns.link("set", index=inner, state="up")
        except Exception as e:
            # Undo only what this call made: a name that already existed is not ours.
            _remove(made_spaces, list(reversed(made_links)))
            raise NetworkError(f"host network {self.prefix}: creating {step} failed: {e}") from e
        return list(self.addresses)

    def destroy(self) -> None:
        """Remove the namespaces (their veth ends go with them), our veths and the bridge.

        Idempotent: names that are already gone are skipped. Raises
        :class:`NetworkError` listing what could not be removed, after trying everything.
        """
        veths = [veth_name(self.prefix, i) for i in range(len(self.addresses))]
        failures = _remove(
            namespaces=[a.netns for a in self.addresses],
            links=[*veths, self.bridge],
        )
        if failures:
            raise NetworkError(f"host network {self.prefix}: could not remove {failures}")

    def exec_argv(self, name: str, argv: Sequence[str]) -> list[str]:
        """The argv that runs ``argv`` inside node ``name``'s namespace."""
        return ["ip", "netns", "exec", self.address(name).netns, *argv]

    def _check_names_free(self) -> None:
        spaces = set(netns.listnetns())
        taken = [a.netns for a in self.addresses if a.netns in spaces]
        with IPRoute() as ipr:
            links = [self.bridge, *(veth_name(self.prefix, i) for i in range(len(self.names)))]
            taken += [name for name in links if ipr.link_lookup(ifname=name)]
        if taken:
            raise NetworkError(
                f"host network {self.prefix}: names already in use: {', '.join(taken)} "
                "(another run with this prefix? `harness cleanup` removes dead runs' leftovers)"
            )

    def _check_subnet_free(self) -> None:
        for used in _subnets_in_use():
            if used.overlaps(self.subnet):
                raise NetworkError(
                    f"host network {self.prefix}: subnet {self.subnet} overlaps {used}, "
                    "already used on this host (another run?); choose another subnet"
                )


@contextlib.contextmanager
def subnet_lock(path: Path | None = None) -> Iterator[None]:
    """Exclusive host-wide lock for choosing and claiming a subnet (``flock`` on
    :data:`SUBNET_LOCK`, or the same name in /tmp when /run/lock is missing). The kernel
    releases it if the holder dies, so a crashed run never leaves it taken."""
    if path is None:
        path = SUBNET_LOCK if SUBNET_LOCK.parent.is_dir() else Path("/tmp") / SUBNET_LOCK.name
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock


def _subnets_in_use() -> list[ipaddress.IPv4Network]:
    """Every IPv4 destination routed on this host and every subnet of an address
    assigned in the root namespace (a bridge that is still down has no route yet)."""
    used: list[ipaddress.IPv4Network] = []
    with IPRoute() as ipr:
        for route in ipr.get_routes(family=2):
            dst, length = route.get("dst"), route.get("dst_len")
            if dst is None or not length:
                continue  # the default route
            with contextlib.suppress(ValueError):
                used.append(ipaddress.IPv4Network(f"{dst}/{length}", strict=False))
        for addr in ipr.get_addr(family=2):
            ip, length = addr.get("address"), addr.get("prefixlen")
            if ip is None or not length or str(ip).startswith("127."):
                continue
            with contextlib.suppress(ValueError):
                used.append(ipaddress.IPv4Network(f"{ip}/{length}", strict=False))
    return used


def free_subnet(pool: str = "10.77.0.0/16", prefixlen: int = 24) -> str:
    """The first ``/prefixlen`` of ``pool`` that overlaps no route or address on this host.
    Only a hint: another run may claim it before this caller does. To pick and claim one
    without that race, use :func:`create_in_pool`. Raises :class:`NetworkError` if none."""
    used = _subnets_in_use()
    for candidate in ipaddress.IPv4Network(pool).subnets(new_prefix=prefixlen):
        if not any(candidate.overlaps(u) for u in used):
            return str(candidate)
    raise NetworkError(f"no free /{prefixlen} left in {pool}")


def create_in_pool(
    prefix: str, names: Sequence[str], pool: str = "10.77.0.0/16", prefixlen: int = 24
) -> HostNetwork:
    """A :class:`HostNetwork` on the first free ``/prefixlen`` of ``pool``, created. The
    choice and the creation happen under one :func:`subnet_lock`, so concurrent runs
    (even in other processes) always get distinct subnets."""
    with subnet_lock():
        network = HostNetwork(prefix, names, free_subnet(pool, prefixlen))
        network._create_locked()
    return network


def find_leftovers(prefix: str = "sb") -> Leftovers:
    """Namespaces, bridges and veths in the root namespace whose names start with ``prefix``.

    Caution: the default ``"sb"`` matches every run on this host, live or dead.
    """
    spaces = tuple(sorted(n for n in netns.listnetns() if n.startswith(prefix)))
    bridges: list[str] = []
    veths: list[str] = []
    with IPRoute() as ipr:
        for link in ipr.get_links():
            name = link.get("ifname")
            if not isinstance(name, str) or not name.startswith(prefix):
                continue
            kind = _kind(link)
            if kind == "bridge":
                bridges.append(name)
            elif kind == "veth":
                veths.append(name)
    return Leftovers(spaces, tuple(sorted(bridges)), tuple(sorted(veths)))


def destroy_leftovers(prefix: str = "sb") -> list[str]:
    """Remove everything :func:`find_leftovers` finds; return the names removed.

    Processes still running inside a removed namespace keep it alive (unnamed) until
    they exit: stop node processes first.
    """
    found = find_leftovers(prefix)
    failures = _remove(list(found.namespaces), [*found.veths, *found.bridges])
    gone = [*found.namespaces, *found.veths, *found.bridges]
    if failures:
        raise NetworkError(f"leftovers with prefix {prefix!r}: could not remove {failures}")
    return gone


def _remove(namespaces: Sequence[str], links: Sequence[str]) -> list[str]:
    failures: list[str] = []
    existing = set(netns.listnetns())
    for ns in namespaces:
        if ns in existing:
            try:
                netns.remove(ns)
            except OSError as e:
                failures.append(f"namespace {ns} ({e})")
    with IPRoute() as ipr:
        for name in links:
            found = ipr.link_lookup(ifname=name)
            if not found:
                continue
            try:
                ipr.link("del", index=found[0])
            except Exception as e:  # pyroute2 raises NetlinkError (an OSError) or others
                if ipr.link_lookup(ifname=name):
                    failures.append(f"link {name} ({e})")
    return failures


def _index(ipr: IPRoute | NetNS, ifname: str) -> int:
    found = ipr.link_lookup(ifname=ifname)
    if not found:
        raise NetworkError(f"interface {ifname} not found")
    return int(found[0])


def _kind(link: object) -> str | None:
    get_attr = getattr(link, "get_attr", None)
    if get_attr is None:
        return None
    info = get_attr("IFLA_LINKINFO")
    if info is None:
        return None
    kind = info.get_attr("IFLA_INFO_KIND")
    return kind if isinstance(kind, str) else None
