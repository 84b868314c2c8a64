"""A TCP proxy in front of a real server (Redis, PostgreSQL) that a test turns sick.

    proxy = FaultProxy("127.0.0.1", 6379).start()   # forwards to the server
    proxy.hang()       # accepts connections but moves no byte either way
    proxy.drop()       # closes every open connection, and each new one at once
    proxy.slow(0.5)    # forwards every chunk of bytes 0.5 s late
    proxy.forward()    # healthy again
    proxy.close()

Bytes held back while hanging move on when the proxy forwards again (a client that gave up
has closed its end by then). One thread accepts; two threads per connection pump bytes.
"""

from __future__ import annotations

import select
import socket
import threading
import time

_POLL = 0.01  # seconds between looks at the mode while idle


class FaultProxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.mode = "forward"
        self.delay = 0.0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(_POLL)
        self.port: int = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> FaultProxy:
        self._accepting.start()
        return self

    def forward(self) -> None:
        self.mode = "forward"

    def hang(self) -> None:
        self.mode = "hang"

    def slow(self, seconds: float) -> None:
        self.delay, self.mode = seconds, "slow"

    def drop(self) -> None:
        self.mode = "drop"
        self._close_all()

    def close(self) -> None:
        self._stopped.set()
        self._accepting.join()
        self._listener.close()
        self._close_all()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            if self.mode == "drop":
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while not self._stopped.is_set():
                if self.mode == "hang":
                    time.sleep(_POLL)
                    continue
                readable, _, _ = select.select([src], [], [], _POLL)
                if not readable or self.mode == "hang":  # bytes sent after hang() stay put
                    continue
                data = src.recv(65536)
                if not data:
                    break
                if self.mode == "slow":
                    time.sleep(self.delay)
                dst.sendall(data)
        except (OSError, ValueError):  # the other pump or drop() closed the sockets
            pass
        finally:
            self._shut(src, dst)

    def _close_all(self) -> None:
        with self._lock:
            sockets = list(self._open)
        self._shut(*sockets)

    def _shut(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._open.discard(sock)
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the pump blocked on it
            except OSError:
                pass
            sock.close()
