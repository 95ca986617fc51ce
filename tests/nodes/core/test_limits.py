"""Flooding clients are cut off at the query / output buffer limits; others carry on."""

from __future__ import annotations

import socket

from tests.nodes.core.conftest import connect
from tests.support.servers import splitbrain_server, wait_until


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except BlockingIOError:
        return False


def test_query_buffer_limit_disconnects_a_client_that_never_finishes(tmp_path):
    proc = splitbrain_server(tmp_path, args=["--client-query-buffer-limit", "1mb"]).start()
    try:
        flood = socket.create_connection(("127.0.0.1", proc.port), timeout=5)
        flood.sendall(b"*1\r\n$100000000\r\n")
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < 8 * 1024 * 1024:
                flood.sendall(chunk)
                sent += len(chunk)
        except (ConnectionResetError, BrokenPipeError):
            pass
        flood.setblocking(False)
        wait_until(lambda: _closed(flood), 10, "the flooding client to be disconnected")
        flood.close()
        c = connect(proc.port)
        assert c.ping() is True
        c.close()
        assert "max query buffer" in proc.output()
    finally:
        proc.stop()


def test_output_buffer_limit_disconnects_a_client_that_does_not_read(tmp_path):
    proc = splitbrain_server(
        tmp_path, args=["--client-output-buffer-limit", "normal", "1mb", "0", "0"]
    ).start()
    try:
        c = connect(proc.port)
        c.set("big", b"v" * 200_000)
        reader = socket.create_connection(("127.0.0.1", proc.port), timeout=5)
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader.sendall(b"PING\r\n")
        assert reader.recv(16) == b"+PONG\r\n"
        assert len(c.client_list()) == 2
        request = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 50
        try:
            for _ in range(40):  # up to 400 MB of replies requested, never read
                reader.sendall(request)
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            pass

        def gone() -> bool:
            return len(c.client_list()) == 1

        wait_until(gone, 10, "the non-reading client to be disconnected")
        assert c.ping() is True
        reader.close()
        c.close()
        assert "output buffer limits" in proc.output()
    finally:
        proc.stop()
