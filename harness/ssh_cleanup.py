"""``harness cleanup --ssh-hosts FILE``: remove what killed runs left on SSH hosts, on
every host of the file: node processes whose working folder is a run folder there
(:data:`harness.dbs.ssh_cluster.ROOT_PREFIX` + prefix), nftables tables named with the
prefix, and the run folders. A host that cannot be reached is an error in the report,
never skipped in silence.
"""

from __future__ import annotations

import asyncio

from harness.dbs.ssh_cluster import ROOT_PREFIX, SSHAccess
from harness.leftovers import CleanupReport
from harness.ssh import SSHHost, SSHTarget

GONE_TIMEOUT_S = 10.0


async def clean_ssh_hosts(access: SSHAccess, prefix: str, report: CleanupReport) -> None:
    """Clean every host of ``access``; what was done goes into ``report``."""
    await asyncio.gather(*(_clean_one(access, t, prefix, report) for t in access.targets))


async def _clean_one(
    access: SSHAccess, target: SSHTarget, prefix: str, report: CleanupReport
) -> None:
    try:
        ssh = await access.connect(target)
    except Exception as e:
        report.errors.append(f"{target}: not answering: {e}")
        return
    try:
        await _kill_nodes(ssh, prefix, report)
        await _delete_tables(ssh, prefix, report)
        await _remove_folders(ssh, prefix, report)
    except Exception as e:
        report.errors.append(f"{target}: {e}")
    finally:
        await ssh.close()


async def _kill_nodes(ssh: SSHHost, prefix: str, report: CleanupReport) -> None:
    # By working folder, not command line: redis-server rewrites its process title.
    script = (
        'for d in /proc/[0-9]*; do c=$(readlink "$d/cwd" 2>/dev/null) && case "$c" in '
        f'{ROOT_PREFIX}{prefix}*) echo "${{d#/proc/}} $c";; esac; done'
    )
    found = await ssh.run(["sh", "-c", script], check=False)
    pids: dict[int, str] = {}
    for line in found.stdout.splitlines():
        number, _, folder = line.partition(" ")
        if number.isdigit():
            pids[int(number)] = f"in {folder}"
    for pid, command in pids.items():
        await ssh.signal(pid, "CONT")
        if await ssh.signal(pid, "KILL"):
            report.removed.append(f"{ssh.target}: process {pid} ({command[:80]})")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GONE_TIMEOUT_S
    for pid in pids:
        while await ssh.alive(pid):
            if loop.time() >= deadline:
                report.errors.append(f"{ssh.target}: process {pid} survived SIGKILL")
                break
            await asyncio.sleep(0.1)


async def _delete_tables(ssh: SSHHost, prefix: str, report: CleanupReport) -> None:
    listing = await ssh.run(["nft", "list", "tables"], check=False)
    if listing.status != 0:
        report.errors.append(f"{ssh.target}: nft list tables: {listing.stderr.strip()}")
        return
    for line in listing.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "table" and parts[2].startswith(prefix):
            await ssh.run(["nft", "delete", "table", parts[1], parts[2]])
            report.removed.append(f"{ssh.target}: nft table {parts[1]} {parts[2]}")


async def _remove_folders(ssh: SSHHost, prefix: str, report: CleanupReport) -> None:
    listing = await ssh.run(
        ["sh", "-c", f"ls -d {ROOT_PREFIX}{prefix}* 2>/dev/null || true"], check=False
    )
    for folder in listing.stdout.split():
        if folder.startswith(ROOT_PREFIX + prefix):
            await ssh.run(["rm", "-rf", folder])
            report.removed.append(f"{ssh.target}: folder {folder}")
