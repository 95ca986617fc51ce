"""``python -m nemesis.lossyfs BACKING MOUNT --control SOCKET [--writeback-s 30]``

``SOCKET`` is a path, or ``@name`` for a Linux abstract socket (no file to clean up, and
no 108-byte path limit to hit with deep run folders).

Mounts :class:`nemesis.lossyfs.fs.LossyFS` over ``BACKING`` at ``MOUNT`` in the
foreground and prints ``ready`` on stdout once both the mount and the control socket
answer. The control socket (a Unix stream socket) takes one command per line and answers
one JSON line:

- ``drop``: lose every unsynced change (the power loss): ``{"dropped_bytes": N, "files": M}``
- ``flush``: make everything durable: ``{"flushed_bytes": N}``
- ``stats``: ``{"pending_bytes": N}``

SIGTERM or SIGINT flushes everything (a clean shutdown writes its page cache back) and
unmounts. Exit 254 for bad arguments or a mount that cannot be made, said in one line.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Sequence

import pyfuse3
import trio

from base.exits import EXIT_BAD_ARGS
from nemesis.lossyfs.fs import LossyFS


def answer(fs: LossyFS, command: str) -> dict[str, object]:
    """The reply to one control command."""
    if command == "drop":
        lost, files = fs.drop()
        return {"dropped_bytes": lost, "files": files}
    if command == "flush":
        return {"flushed_bytes": fs.flush_all()}
    if command == "stats":
        return {"pending_bytes": fs.pending_bytes()}
    return {"error": f"unknown command {command!r} (drop, flush, stats)"}


async def _serve_control(fs: LossyFS, listener: trio.SocketListener) -> None:
    async def one(stream: trio.SocketStream) -> None:
        buffer = b""
        async with stream:
            async for chunk in stream:
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    reply = answer(fs, line.decode(errors="replace").strip())
                    await stream.send_all(json.dumps(reply).encode() + b"\n")

    await trio.serve_listeners(one, [listener])


async def _writeback(fs: LossyFS) -> None:
    while True:
        await trio.sleep(1.0)
        fs.writeback()


def socket_address(control: str) -> str:
    """``@name`` is a Linux abstract socket (no file, no path-length limit); anything
    else a path."""
    return "\0" + control[1:] if control.startswith("@") else control


async def _run(fs: LossyFS, control: str) -> None:
    sock = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
    if not control.startswith("@") and os.path.exists(control):
        os.unlink(control)
    await sock.bind(socket_address(control))
    sock.listen(8)
    listener = trio.SocketListener(sock)
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(pyfuse3.main)
            nursery.start_soon(_serve_control, fs, listener)
            nursery.start_soon(_writeback, fs)
            print("ready", flush=True)
            async for _ in signals:
                fs.flush_all()
                nursery.cancel_scope.cancel()
                break


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nemesis.lossyfs")
    parser.add_argument("backing", help="the folder that holds the durable data")
    parser.add_argument("mount", help="where to mount it (an empty folder)")
    parser.add_argument(
        "--control", required=True, help="control socket: a path, or @name (abstract)"
    )
    parser.add_argument("--writeback-s", type=float, default=30.0, help="writeback age")
    args = parser.parse_args(argv)
    for folder in (args.backing, args.mount):
        if not os.path.isdir(folder):
            print(f"lossyfs: {folder}: not a folder", file=sys.stderr)
            return EXIT_BAD_ARGS
    if not os.path.exists("/dev/fuse"):
        print("lossyfs: /dev/fuse missing: this machine cannot mount FUSE", file=sys.stderr)
        return EXIT_BAD_ARGS
    fs = LossyFS(
        args.backing, clock=lambda: int(trio.current_time() * 1e9), writeback_s=args.writeback_s
    )
    options = {"fsname=lossyfs", "subtype=lossyfs", "default_permissions"}
    try:
        pyfuse3.init(fs, args.mount, options)
    except RuntimeError as e:
        print(f"lossyfs: cannot mount {args.mount}: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    try:
        trio.run(_run, fs, args.control)
    finally:
        pyfuse3.close(unmount=True)
        if not args.control.startswith("@") and os.path.exists(args.control):
            os.unlink(args.control)
    return 0


if __name__ == "__main__":
    sys.exit(main())
