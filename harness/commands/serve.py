"""`harness serve`: Browse the run store over HTTP on localhost.

Binds 127.0.0.1 only. Bounded: at most ``--max-clients`` requests are served at once
(more wait for a slot), each connection times out after 30 s of silence, and
``--duration`` can end the server after a time. Ctrl-C (or SIGTERM) exits 0. The
store's index.html is refreshed whenever it is requested.
"""

from __future__ import annotations

import argparse
import functools
import signal
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

import reports
from base.exits import EXIT_BAD_ARGS, EXIT_VALID

HOST = "127.0.0.1"


class _Handler(SimpleHTTPRequestHandler):
    timeout = 30  # seconds of silence before a connection is dropped
    index_lock = threading.Lock()

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] in ("/", "/index.html"):
            self._refresh_index()
        super().do_GET()

    def _refresh_index(self) -> None:
        """Runs finished since the server started appear without a restart."""
        with self.index_lock:
            try:
                reports.update_index(Path(self.directory))
            except OSError as e:
                self.log_message("cannot refresh index.html: %s", e)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"serve: {self.address_string()} {format % args}\n")


class BoundedServer(ThreadingHTTPServer):
    """A threading HTTP server that handles at most ``max_clients`` requests at once."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any, max_clients: int) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(max_clients)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare this subcommand's options."""
    parser.add_argument(
        "--store", type=Path, default=Path("store"), metavar="DIR", help="the run store (store)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8080,
        metavar="P",
        help="TCP port on 127.0.0.1 (8080; 0: any free port)",
    )
    parser.add_argument(
        "--max-clients", type=int, default=16, metavar="N", help="requests served at once (16)"
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=0.0,
        metavar="S",
        help="stop after S seconds (0: until Ctrl-C)",
    )


def main(args: argparse.Namespace) -> int:
    store: Path = args.store
    if not store.is_dir():
        print(f"harness serve: {store}: no such store directory", file=sys.stderr)
        return EXIT_BAD_ARGS
    if not 0 <= args.port <= 65535 or args.max_clients < 1 or args.duration < 0:
        print(
            "harness serve: --port must be 0..65535, --max-clients >= 1, --duration >= 0",
            file=sys.stderr,
        )
        return EXIT_BAD_ARGS
    try:
        reports.update_index(store)
    except OSError as e:
        print(f"harness serve: cannot write {store}/index.html: {e}", file=sys.stderr)
    handler = functools.partial(_Handler, directory=str(store.resolve()))
    try:
        server = BoundedServer((HOST, args.port), handler, args.max_clients)
    except OSError as e:
        print(f"harness serve: cannot listen on {HOST}:{args.port}: {e}", file=sys.stderr)
        return EXIT_BAD_ARGS
    port = server.server_address[1]
    print(
        f"harness serve: http://{HOST}:{port}/index.html  (store {store}; Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGINT too, explicitly: a process started in the background by a shell inherits
    # SIGINT ignored, and Python then never raises KeyboardInterrupt for it.
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    timer = None
    if args.duration > 0:
        timer = threading.Timer(args.duration, server.shutdown)
        timer.daemon = True
        timer.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("harness serve: stopped", file=sys.stderr)
    finally:
        if timer is not None:
            timer.cancel()
        server.server_close()
        for sig, handler_before in previous.items():
            signal.signal(sig, handler_before)
    return EXIT_VALID
