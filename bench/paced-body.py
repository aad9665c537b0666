#!/usr/bin/env python3
"""A client whose body arrives over time, as over a real network: each request's body goes out in 16 KB pieces 1 ms
apart (a 214 KB body in ~14 ms), and what is timed is the client's last byte -> the whole answer, the part of the
latency a proxy adds after the body is in. On loopback the load runner's body is whole in the gateway's socket buffer
before its first read, so the harness cannot show whether a proxy sends a body on while it arrives; this can.

  python3 bench/paced-body.py BODY N NAME=PORT [NAME=PORT ...]

Each NAME=PORT is a server on 127.0.0.1 taking POST /v1/chat/completions, or PACED_PATH (the fake upstream directly, a gateway, nginx);
they are measured in turn, the order reversed every other round, N rounds. Prints p50, p25 and p75 per server.
"""
import os
import socket
import statistics
import sys
import time

PIECE, GAP = 16 * 1024, 0.001
# PACED_PATH=/v1/messages sends the body as an Anthropic client does (its key and version headers, no session header).
PATH = os.environ.get("PACED_PATH", "/v1/chat/completions")
AUTH = (b"x-api-key: sk-ant-bench\r\nanthropic-version: 2023-06-01\r\n" if PATH.endswith("/messages")
        else b"Authorization: Bearer sk-bench\r\n")


def one(body, port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b"POST %s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n"
              % (PATH.encode(), AUTH, len(body)))
    for i in range(0, len(body), PIECE):
        if i:
            time.sleep(GAP)
        s.sendall(body[i:i + PIECE])
    last_byte = time.perf_counter()
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int(next(l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")))
    while len(rest) < length:
        rest += s.recv(65536)
    elapsed = (time.perf_counter() - last_byte) * 1000
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"port {port} answered {head.splitlines()[0]!r}")
    s.close()
    return elapsed


def main():
    body = open(sys.argv[1], "rb").read()
    rounds = int(sys.argv[2])
    targets = dict((name, int(port)) for name, port in (arg.split("=") for arg in sys.argv[3:]))
    results = {name: [] for name in targets}
    for name, port in targets.items():
        one(body, port)  # a connection and a warm path each
    for i in range(rounds):
        for name in (list(targets) if i % 2 == 0 else list(reversed(targets))):
            results[name].append(one(body, targets[name]))
    for name, times in results.items():
        times.sort()
        print(f"{name:10s} last byte -> whole answer: p50 {statistics.median(times):.3f} ms, "
              f"p25 {times[len(times) // 4]:.3f}, p75 {times[3 * len(times) // 4]:.3f} (n={len(times)})")


if __name__ == "__main__":
    main()
