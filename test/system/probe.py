#!/usr/bin/env python3
"""Network probes the system tests run inside the throwaway root or a peer namespace.

  probe.py scan HOST FIRST LAST          TCP connect scan; prints open ports as JSON
  probe.py udp HOST PORT...              sends a datagram to each; prints ports that answered
  probe.py tcp HOST PORT                 exit 0 if a TCP connection opens, else 1 (prints why)
  probe.py proxy PROXY_PORT NAME PORT    CONNECT through the local proxy, then GET /; prints the statuses
  probe.py find argv|journal             counts a secret (on stdin) in other processes' argv or the journal
  probe.py http METHOD URL [HEADER...]   one HTTP request; prints the status code
                                         ("Authorization: Bearer -" reads the token from stdin)
  probe.py back-up URL TIMEOUT [already-down]
                                         waits for a killed gateway to go down and accept the token
                                         (stdin) at URL/tools/invoke again; prints "up SECONDS" or
                                         "timeout" (already-down: the first acceptance counts)
  probe.py listen PORT ADDRESS...        a canary: listens on each address, prints "ready", then
                                         "accepted ADDRESS" for every connection it takes
HOST and ADDRESS may be IPv4 or IPv6 addresses.
"""
import errno
import ipaddress
import json
import os
import resource
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request

# Outcomes that mean "not open"; anything else (out of file descriptors, say)
# would make a scan report closed ports it never really tried, so it aborts.
NOT_OPEN = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ECONNRESET, errno.EPERM, errno.EACCES}


def family(address):
    return socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET


def _scan(host, first, last, timeout=1.5, width=4000):
    """Non-blocking connects in batches; the kernel completes handshakes while this
    waits, so a busy machine delays the answer but cannot turn an open port closed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2 * width)), hard))
    opened = []
    ports = list(range(first, last + 1))
    for start in range(0, len(ports), width):
        pending = {}
        poller = select.poll()
        for port in ports[start : start + width]:
            s = socket.socket(family(host), socket.SOCK_STREAM)
            s.setblocking(False)
            code = s.connect_ex((host, port))
            if code not in (0, errno.EINPROGRESS):
                s.close()
                if code not in NOT_OPEN:
                    raise OSError(code, os.strerror(code))
                continue
            pending[s.fileno()] = (s, port)
            poller.register(s, select.POLLOUT)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for fd, _ in poller.poll(max(1, int((deadline - time.monotonic()) * 1000))):
                s, port = pending.pop(fd)
                poller.unregister(fd)
                code = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code == 0:
                    opened.append(port)
                elif code not in NOT_OPEN:
                    raise OSError(code, os.strerror(code))
                s.close()
        for s, _ in pending.values():
            s.close()
    return sorted(opened)


def scan(host, first, last):
    print(json.dumps(_scan(host, int(first), int(last))))


def find(where):
    """Counts where a secret (read from stdin) appears: 'argv' of every other process, or 'journal'."""
    needle = sys.stdin.readline().strip().encode()
    if not needle:
        raise SystemExit("find: no secret on stdin")
    hits = 0
    if where == "argv":
        for pid in filter(str.isdigit, os.listdir("/proc")):
            if int(pid) == os.getpid():
                continue
            try:
                hits += needle in open(f"/proc/{pid}/cmdline", "rb").read()
            except OSError:
                pass
    else:
        hits = subprocess.run(["journalctl", "--no-pager", "-o", "cat"], capture_output=True).stdout.count(needle)
    print(hits)


def secrets():
    """Where any of the secrets on stdin (one a line) can be read by this process: every
    regular file under / it may open (but /proc, /sys, /dev), every /proc/<pid>/environ
    and cmdline. Prints a JSON list, per secret, of the paths holding it (never the secret)."""
    needles = [l.strip().encode() for l in sys.stdin if l.strip()]
    if not needles:
        raise SystemExit("secrets: no secret on stdin")
    hits = [[] for _ in needles]
    scanned = 0

    def check(path, data):
        for i, needle in enumerate(needles):
            if needle in data:
                hits[i].append(path)

    for top, dirs, files in os.walk("/", onerror=lambda e: None):
        if top == "/":
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        for name in files:
            path = os.path.join(top, name)
            try:
                if not os.path.isfile(path) or os.path.islink(path):
                    continue
                with open(path, "rb") as f:
                    check(path, f.read(64 * 1024 * 1024))
                scanned += 1
            except OSError:
                pass
    procs = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        for part in ("environ", "cmdline"):
            try:
                check(f"/proc/{pid}/{part}", open(f"/proc/{pid}/{part}", "rb").read())
                procs += part == "environ"
            except OSError:
                pass
    print(json.dumps({"files": scanned, "environs": procs, "hits": hits}))


def raw(host, port):
    """Sends the raw HTTP request on stdin to host:port; prints the status code (0: none)."""
    request = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    try:
        s = socket.create_connection((host, int(port)), timeout=10)
        s.sendall(request)
        head = s.recv(4096).decode(errors="replace")
    except OSError as e:
        print(f"0 {e}")
        return 1
    print(head.split(" ")[1] if " " in head else "0")
    return 0


def hammer(url, seconds):
    """POSTs to url, one request after another, for that many seconds; prints JSON
    counts of each status (or error) seen. Each answer is read to its end."""
    counts = {}
    deadline = time.monotonic() + float(seconds)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        req = urllib.request.Request(url, method="POST", data=b'{"model":"m","max_tokens":1,"messages":[]}')
        req.add_header("Content-Type", "application/json")
        try:
            with opener.open(req, timeout=30) as r:
                r.read()
                key = str(r.status)
        except urllib.error.HTTPError as e:
            key = str(e.code)
        except OSError as e:
            key = f"error {e}"
        counts[key] = counts.get(key, 0) + 1
    print(json.dumps(counts))


def udp(host, *ports):
    answered = []
    for port in ports:
        s = socket.socket(family(host), socket.SOCK_DGRAM)
        s.settimeout(1.0)
        try:
            s.sendto(b"\x00clawkit-probe", (host, int(port)))
            s.recvfrom(512)
            answered.append(int(port))
        except OSError:
            pass
        finally:
            s.close()
    print(json.dumps(answered))


def tcp(host, port):
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
        print("connected")
        return 0
    except OSError as e:
        print(f"blocked: {e}")
        return 1


def proxy(proxy_port, name, port):
    try:
        s = socket.create_connection(("127.0.0.1", int(proxy_port)), timeout=5)
    except OSError as e:
        print(f"proxy unreachable: {e}")
        return 1
    s.sendall(f"CONNECT {name}:{port} HTTP/1.1\r\nHost: {name}:{port}\r\n\r\n".encode())
    head = s.recv(4096).decode(errors="replace")
    status = head.split(" ")[1] if " " in head else "?"
    if status != "200":
        print(f"connect={status}")
        return 1
    s.sendall(f"GET / HTTP/1.0\r\nHost: {name}\r\n\r\n".encode())
    reply = s.recv(4096).decode(errors="replace")
    print(f"connect=200 upstream={reply.split(' ')[1] if ' ' in reply else '?'}")
    return 0


def http(method, url, *headers):
    req = urllib.request.Request(url, method=method, data=b'{"tool":"sessions_list","args":{}}' if method == "POST" else None)
    req.add_header("Content-Type", "application/json")
    for h in headers:
        k, v = h.split(":", 1)
        # "Bearer -": the token comes on stdin, so it never sits in a command line.
        v = v.strip().replace("Bearer -", "Bearer " + sys.stdin.readline().strip()) if v.strip() == "Bearer -" else v.strip()
        req.add_header(k.strip(), v)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        print(opener.open(req, timeout=10).status)
    except urllib.error.HTTPError as e:
        print(e.code)
    except OSError as e:
        print(f"error {e}")
    return 0


def back_up(url, timeout, already_down=""):
    """Waits for a killed gateway to go down and then accept its token (stdin) at
    URL/tools/invoke again. Polls the cheap /startupz until start-up is complete, then
    the token: a tool call per 100 ms through start-up would slow what it measures."""
    token = sys.stdin.readline().strip()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def status(path, data=None, headers=()):
        req = urllib.request.Request(f"{url}{path}", method="POST" if data else "GET", data=data)
        for k, v in headers:
            req.add_header(k, v)
        try:
            return opener.open(req, timeout=2).status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return None

    start = time.monotonic()
    deadline, seen_down = start + float(timeout), already_down == "already-down"
    while time.monotonic() < deadline:
        if status("/startupz") != 200:
            seen_down = True
        elif seen_down:
            code = status(
                "/tools/invoke",
                b'{"tool":"sessions_list","args":{}}',
                [("Content-Type", "application/json"), ("Authorization", f"Bearer {token}")],
            )
            if code == 200:
                print(f"up {time.monotonic() - start:.2f}")
                return 0
        time.sleep(0.1)
    print("timeout")
    return 1


def listen(port, *addresses):
    def accept(server, address):
        while True:
            conn, _ = server.accept()
            print(f"accepted {address}", flush=True)
            conn.close()

    for address in addresses:
        server = socket.socket(family(address), socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if ":" in address:
            server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        server.bind((address, int(port)))
        server.listen()
        threading.Thread(target=accept, args=(server, address), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({"scan": scan, "udp": udp, "tcp": tcp, "proxy": proxy, "http": http, "find": find, "back-up": back_up, "listen": listen, "secrets": secrets, "raw": raw, "hammer": hammer}[cmd](*args) or 0)
