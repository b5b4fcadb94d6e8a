#!/usr/bin/env python3
"""The harness's resolver: answers A and AAAA queries from a zone the test writes.

  dns.py ZONE_JSON ADDRESS...

ZONE_JSON maps lower-case names to lists of addresses ({"a.test": ["192.0.2.1", "::1"]});
the file is read again on every query, so a test can change answers while it runs.
Listens on UDP and TCP port 53 of every ADDRESS. A known name without an address of
the asked family gets an empty answer (NOERROR), an unknown name NXDOMAIN, anything
but A/AAAA an empty answer. Prints "ready" once every socket listens.
"""
import ipaddress
import json
import socket
import struct
import sys
import threading

A, AAAA = 1, 28


def parse_question(message):
    """The query id, the question's wire bytes, its name and its type."""
    (query_id,) = struct.unpack("!H", message[:2])
    labels, offset = [], 12
    while message[offset]:
        length = message[offset]
        labels.append(message[offset + 1 : offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    offset += 1
    qtype, _ = struct.unpack("!HH", message[offset : offset + 4])
    return query_id, message[12 : offset + 4], ".".join(labels).lower(), qtype


def answer(message, zone_path):
    query_id, question, name, qtype = parse_question(message)
    with open(zone_path) as f:
        zone = json.load(f)
    records = []
    if name in zone:
        rcode = 0
        for address in zone[name]:
            ip = ipaddress.ip_address(address)
            if (ip.version == 4 and qtype == A) or (ip.version == 6 and qtype == AAAA):
                # A pointer to the question's name, type, class IN, TTL 0: squid must not cache.
                records.append(struct.pack("!HHHIH", 0xC00C, qtype, 1, 0, len(ip.packed)) + ip.packed)
    else:
        rcode = 3
    flags = 0x8400 | rcode  # a response, authoritative
    header = struct.pack("!HHHHHH", query_id, flags, 1, len(records), 0, 0)
    return header + question + b"".join(records)


def serve_udp(sock, zone_path):
    while True:
        message, peer = sock.recvfrom(4096)
        try:
            sock.sendto(answer(message, zone_path), peer)
        except (IndexError, struct.error, UnicodeError, ValueError):
            pass


def serve_tcp(sock, zone_path):
    while True:
        conn, _ = sock.accept()
        with conn:
            try:
                (length,) = struct.unpack("!H", conn.recv(2))
                reply = answer(conn.recv(length), zone_path)
                conn.sendall(struct.pack("!H", len(reply)) + reply)
            except (OSError, IndexError, struct.error, UnicodeError, ValueError):
                pass


def main(zone_path, *addresses):
    threads = []
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((address, 53))
        tcp = socket.socket(family, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((address, 53))
        tcp.listen()
        threads += [
            threading.Thread(target=serve_udp, args=(udp, zone_path), daemon=True),
            threading.Thread(target=serve_tcp, args=(tcp, zone_path), daemon=True),
        ]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(*sys.argv[1:])
