// The exposure check `pulumi up` runs on the operator's machine after the host
// changes (vps/exposureCheck.ts). Plain Node.js, no dependency: the machine
// that runs `pulumi up` has Node because Pulumi's nodejs runtime needs it.
//
//   node exposure-check.mjs [--public ADDRESS]... [--ports P,P,...] [--url URL] [--lockdown]
//
// - Every --public address (IPv4 or IPv6) must refuse or drop a TCP connection on
//   every port, tried in parallel with a short timeout. An address family this
//   machine has no route to is skipped, and the report says so.
// - Through --url (https://<device> on the tailnet; http:// for the system tests'
//   stand-in), POST /tools/invoke must get 401 or 403 without a token and with a
//   wrong one, and 200 with the token; with --lockdown, 200 to nothing.
// The gateway token comes on stdin (first line), never argv or the environment,
// and is never printed. stdout is a short report; each finding goes to stderr,
// naming the address and port or the URL and status, and the exit status is 1
// (2: bad usage).
import crypto from "node:crypto";
import dgram from "node:dgram";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { fileURLToPath } from "node:url";

/** How long a TCP connect may take before the port counts as dropped. */
export const CONNECT_TIMEOUT_MS = 1500;
/** How long one request to the gateway may take. */
export const REQUEST_TIMEOUT_MS = 4000;
/** What an unauthenticated call to the gateway must get. */
const REFUSED = [401, 403];
const INVOKE_BODY = JSON.stringify({ tool: "sessions_list", args: {} });

/** The command line as options; throws a usage message on anything else. */
export function parseArgs(argv) {
  const options = { addresses: [], ports: [], url: undefined, lockdown: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === "--public") {
      const address = value();
      if (net.isIP(address) === 0) throw new Error(`--public: not an IP address: ${address}`);
      options.addresses.push(address);
    } else if (flag === "--ports") {
      for (const port of value().split(",")) {
        if (!/^[0-9]+$/.test(port) || Number(port) < 1 || Number(port) > 65535)
          throw new Error(`--ports: not a TCP port: ${port}`);
        options.ports.push(Number(port));
      }
    } else if (flag === "--url") {
      const url = new URL(value());
      if (!["https:", "http:"].includes(url.protocol) || url.pathname !== "/" || url.search)
        throw new Error(`--url: not a bare http(s) URL: ${url.href}`);
      options.url = url.origin;
    } else if (flag === "--lockdown") {
      options.lockdown = true;
    } else {
      throw new Error(`unknown argument: ${flag}`);
    }
  }
  if (options.addresses.length > 0 && options.ports.length === 0)
    throw new Error("--public needs --ports");
  if (options.addresses.length === 0 && options.url === undefined)
    throw new Error("nothing to check: give --public and --ports, or --url");
  return options;
}

/** "IPv4" or "IPv6". */
export function familyOf(address) {
  return net.isIPv6(address) ? "IPv6" : "IPv4";
}

/** address:port, with an IPv6 address in brackets. */
export function endpoint(address, port) {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Every (address, port) pair to try, each once, in address then port order. */
export function targets(addresses, ports) {
  const uniquePorts = [...new Set(ports)].sort((a, b) => a - b);
  return [...new Set(addresses)].flatMap((address) =>
    uniquePorts.map((port) => ({ address, port, family: familyOf(address) })),
  );
}

/**
 * Whether this machine has a route to the address: a UDP socket's connect() asks the
 * kernel for one and sends nothing.
 */
export function hasRoute(address) {
  return new Promise((resolve) => {
    let socket;
    try {
      socket = dgram.createSocket(familyOf(address) === "IPv6" ? "udp6" : "udp4");
    } catch {
      resolve(false);
      return;
    }
    // A failed connect goes to the callback, with the error.
    socket.connect(9, address, (error) => {
      socket.close();
      resolve(!error);
    });
  });
}

/** Errors that mean the port did not take the connection. */
const CLOSED = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET"]);

/**
 * One TCP connect: "open", "refused", "timed out", "unreachable" (ICMP), or
 * "error CODE" for a failure that says nothing about the port (out of sockets).
 */
export function tryPort(address, port, timeoutMs = CONNECT_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (outcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done("timed out"));
    socket.once("connect", () => done("open"));
    socket.once("error", (error) => {
      if (error.code === "ECONNREFUSED") done("refused");
      else if (CLOSED.has(error.code)) done("unreachable");
      else done(`error ${error.code ?? error.message}`);
    });
  });
}

/**
 * The public half's verdict. results: [{address, port, outcome}]; skipped: the
 * addresses with no route from here. Every port must be refused, timed out or
 * unreachable; a port that could not be tried is a finding too.
 */
export function publicVerdict(addresses, results, skipped) {
  const findings = [];
  const lines = [];
  for (const address of addresses) {
    const family = familyOf(address);
    if (skipped.includes(address)) {
      lines.push(
        `public ${family} ${address}: SKIPPED, this machine has no ${family} route to it (not checked, not passed)`,
      );
      continue;
    }
    const mine = results.filter((r) => r.address === address);
    const counts = {};
    for (const r of mine) {
      counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      if (r.outcome === "open")
        findings.push(`${endpoint(address, r.port)} accepts TCP connections from this machine`);
      else if (r.outcome.startsWith("error"))
        findings.push(`${endpoint(address, r.port)} could not be tried (${r.outcome})`);
    }
    const summary = Object.entries(counts)
      .map(([outcome, n]) => `${n} ${outcome}`)
      .join(", ");
    lines.push(
      `public ${family} ${address}: ${mine.length} ports (${mine.map((r) => r.port).join(",")}): ${summary}`,
    );
  }
  return { findings, lines };
}

/** A status code, or the error code when no answer came. */
function shown(answer) {
  return typeof answer === "number" ? String(answer) : `no answer (${answer})`;
}

/**
 * The tailnet half's verdict from the answers (a status code or an error code) to
 * POST /tools/invoke without a token, with a wrong one and with the token.
 */
export function tailnetVerdict(url, answers, lockdown) {
  const findings = [];
  const target = `${url}/tools/invoke`;
  if (lockdown) {
    for (const [what, answer] of Object.entries(answers)) {
      if (answer === 200)
        findings.push(
          `${target} answered 200 to ${what} during lockdown (the gateway must be stopped)`,
        );
    }
  } else {
    for (const what of ["no token", "a wrong token"]) {
      if (!REFUSED.includes(answers[what]))
        findings.push(
          `${target} answered ${shown(answers[what])} to ${what} (expected 401 or 403)`,
        );
    }
    if (answers["the token"] !== 200)
      findings.push(
        `${target} answered ${shown(answers["the token"])} to the token (expected 200)`,
      );
  }
  const seen = Object.entries(answers)
    .map(([what, answer]) => `${what} ${shown(answer)}`)
    .join(", ");
  return {
    findings,
    lines: [`tailnet ${url}${lockdown ? " (lockdown: the gateway must not answer)" : ""}: ${seen}`],
  };
}

/** POST /tools/invoke with an optional bearer token: the status, or an error code. */
export function invoke(url, token) {
  const target = new URL("/tools/invoke", url);
  const client = target.protocol === "https:" ? https : http;
  const headers = { "Content-Type": "application/json" };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return new Promise((resolve) => {
    const req = client.request(target, { method: "POST", headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })),
    );
    req.on("error", (error) => resolve(error.code ?? error.message));
    req.end(INVOKE_BODY);
  });
}

async function checkPublic(addresses, ports) {
  const routed = await Promise.all(addresses.map(hasRoute));
  const skipped = addresses.filter((_, i) => !routed[i]);
  const tried = targets(
    addresses.filter((a) => !skipped.includes(a)),
    ports,
  );
  const results = await Promise.all(
    tried.map(async (t) => ({ ...t, outcome: await tryPort(t.address, t.port) })),
  );
  return publicVerdict(addresses, results, skipped);
}

async function checkTailnet(url, token, lockdown) {
  // The token first: the gateway rate-limits failures, and this check's own two must
  // not lock out the call that matters.
  const right = await invoke(url, token);
  const [none, wrong] = await Promise.all([
    invoke(url, undefined),
    invoke(url, crypto.randomBytes(32).toString("hex")),
  ]);
  return tailnetVerdict(
    url,
    { "no token": none, "a wrong token": wrong, "the token": right },
    lockdown,
  );
}

/** Runs the check; returns the exit status. */
export async function main(argv, stdin, out = process.stdout, err = process.stderr) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    err.write(`clawkit exposure check: ${error.message}\n`);
    return 2;
  }
  const token = stdin.split("\n")[0].trim();
  if (options.url !== undefined && token === "") {
    err.write("clawkit exposure check: no gateway token on stdin\n");
    return 2;
  }
  const start = performance.now();
  const halves = await Promise.all([
    options.addresses.length > 0
      ? checkPublic(options.addresses, options.ports)
      : { findings: [], lines: [] },
    options.url !== undefined
      ? checkTailnet(options.url, token, options.lockdown)
      : { findings: [], lines: [] },
  ]);
  const seconds = (performance.now() - start) / 1000;
  const findings = halves.flatMap((h) => h.findings);
  const lines = halves.flatMap((h) => h.lines);
  out.write(
    `clawkit exposure check: ${findings.length === 0 ? "nothing exposed" : `${findings.length} finding(s)`} in ${seconds.toFixed(1)} s\n` +
      lines.map((l) => `  ${l}\n`).join(""),
  );
  for (const finding of findings) err.write(`clawkit exposure check: FOUND ${finding}\n`);
  return findings.length === 0 ? 0 : 1;
}

// Run as a program, not when a test imports it (no top-level await: tests require() it).
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2), fs.readFileSync(0, "utf8")).then((status) => {
    process.exitCode = status;
  });
}
