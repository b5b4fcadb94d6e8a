#!/usr/bin/env node
// A minimal OpenClaw gateway WebSocket client for tests (Node 24: global WebSocket, no dependencies).
//
//   node gateway-ws.mjs [options] URL METHOD [PARAMS_JSON] [METHOD [PARAMS_JSON]]... <token
//
// The bearer token is read from stdin (never argv or the environment, where other users could
// read it); an empty stdin sends no token. All methods run, in order, on one connection. Prints
// one JSON line: {connected, role, scopes, deviceToken, methods, error?, calls: [{method, ok,
// error?, payload?}]}, plus the one call's fields at the top level when a single method is given.
// Exits 0 whenever the gateway answered the handshake at all (a refusal is data for the test),
// 2 when it could not be reached, 64 on bad usage.
//
// Options:
//   --header "Name: value"  extra upgrade header (Origin, X-Forwarded-For, ...); repeatable
//   --client ID/MODE        client id and mode (default cli/cli, what the openclaw CLI sends)
//   --role ROLE             operator (default) or node
//   --scopes A,B            requested scopes (default every operator scope; "" for none)
//   --commands A,B          commands a node declares
//   --device                sign the handshake with a fresh Ed25519 device identity, as real
//                           clients do (device pairing and auto-approval key on it)
//   --device-key FILE       the same with a key kept in FILE (created when missing), so a device
//                           approved once can reconnect as itself
//   --timeout MS            per-frame wait (default 15000)
//   --list-methods          print the advertised method list instead of its length
//   --full                  print payloads whole instead of summarized
//
// A params string "$N.key" stands for call N's payload field key (e.g. a terminal's sessionId).
import crypto from "node:crypto";
import fs from "node:fs";

const ALL_OPERATOR_SCOPES = [
  "operator.admin",
  "operator.read",
  "operator.write",
  "operator.approvals",
  "operator.pairing",
  "operator.questions",
  "operator.talk.secrets",
];

function usage(message) {
  process.stderr.write(`${message}\nusage: gateway-ws.mjs [options] URL METHOD [PARAMS_JSON]...\n`);
  process.exit(64);
}

function parseArgs(argv) {
  const opts = { headers: {}, client: "cli/cli", role: "operator", scopes: null, commands: [] };
  Object.assign(opts, { device: false, timeout: 15_000 });
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === "--header") {
      const h = value();
      const at = h.indexOf(":");
      if (at < 1) usage(`bad header: ${h}`);
      opts.headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
    } else if (a === "--client") opts.client = value();
    else if (a === "--role") opts.role = value();
    else if (a === "--scopes") opts.scopes = value().split(",").filter(Boolean);
    else if (a === "--commands") opts.commands = value().split(",").filter(Boolean);
    else if (a === "--device") opts.device = true;
    else if (a === "--device-key") Object.assign(opts, { device: true, deviceKey: value() });
    else if (a === "--timeout") opts.timeout = Number(value());
    else if (a === "--list-methods") opts.listMethods = true;
    else if (a === "--full") opts.full = true;
    else rest.push(a);
  }
  const [url, ...calls] = rest;
  if (!url || calls.length === 0) usage("URL and METHOD are required");
  // A JSON object or array right after a method is that method's params.
  opts.calls = [];
  for (const c of calls) {
    if (/^\s*[[{]/.test(c)) {
      if (opts.calls.length === 0) usage(`params before any method: ${c}`);
      opts.calls[opts.calls.length - 1].params = JSON.parse(c);
    } else opts.calls.push({ method: c, params: {} });
  }
  opts.url = url;
  opts.scopes ??= opts.role === "operator" ? ALL_OPERATOR_SCOPES : [];
  return opts;
}

async function readStdin() {
  if (process.stdin.isTTY) return "";
  let data = "";
  for await (const chunk of process.stdin) data += chunk;
  return data.trim();
}

function deviceKey(file) {
  if (!file) return crypto.generateKeyPairSync("ed25519").privateKey;
  if (!fs.existsSync(file)) {
    const pem = crypto
      .generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem" });
    fs.writeFileSync(file, pem, { mode: 0o600 });
  }
  return crypto.createPrivateKey(fs.readFileSync(file));
}

/** The device block of `connect`: openclaw's v3 signature over the challenge nonce and timestamp. */
function signDevice({
  privateKey,
  clientId,
  clientMode,
  platform,
  role,
  scopes,
  token,
  nonce,
  ts,
}) {
  const publicKey = crypto.createPublicKey(privateKey);
  // Raw 32-byte key: the SPKI DER minus its fixed 12-byte prefix. The device id is its SHA-256.
  const raw = publicKey.export({ type: "spki", format: "der" }).subarray(12);
  const id = crypto.createHash("sha256").update(raw).digest("hex");
  const payload = ["v3", id, clientId, clientMode, role, scopes.join(","), String(ts)];
  payload.push(token ?? "", nonce, platform.toLowerCase(), "");
  const signature = crypto.sign(null, Buffer.from(payload.join("|")), privateKey);
  return {
    id,
    publicKey: raw.toString("base64url"),
    signature: signature.toString("base64url"),
    signedAt: ts,
    nonce,
  };
}

/** Scalars as they are, strings cut short, objects and arrays only sized: enough to assert on. */
function summarize(value, depth = 0) {
  if (value === null || typeof value !== "object") {
    return typeof value === "string" && value.length > 120 ? `${value.slice(0, 117)}...` : value;
  }
  if (Array.isArray(value))
    return depth > 0 ? `[${value.length}]` : value.slice(0, 20).map((v) => summarize(v, 1));
  if (depth > 0) return `{${Object.keys(value).length} keys}`;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarize(v, 1)]));
}

function errorOf(e) {
  if (!e) return undefined;
  const out = { code: e.code, message: e.message };
  if (e.details?.code) out.detailsCode = e.details.code;
  if (e.details?.missingScope) out.missingScope = e.details.missingScope;
  if (e.details?.requestId) out.requestId = e.details.requestId;
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const token = await readStdin();
  const [clientId, clientMode] = opts.client.split("/");
  const ws = new WebSocket(opts.url, { headers: opts.headers });
  const inbox = [];
  let waiter = null;
  let closed = null;
  ws.onmessage = (m) => {
    inbox.push(JSON.parse(String(m.data)));
    waiter?.();
  };
  ws.onclose = (e) => {
    closed = { code: e.code, reason: e.reason };
    waiter?.();
  };
  ws.onerror = () => undefined; // onclose follows with the reason

  // Waits for the first frame that matches; null when the socket closed or the wait timed out.
  async function next(match) {
    const deadline = Date.now() + opts.timeout;
    for (;;) {
      const at = inbox.findIndex(match);
      if (at >= 0) return inbox.splice(at, 1)[0];
      if (closed || Date.now() > deadline) return null;
      await new Promise((resolve) => {
        waiter = resolve;
        setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      waiter = null;
    }
  }

  const result = { connected: false };
  // The gateway speaks first: a challenge whose nonce and ts a device must sign.
  const challenge = await next((f) => f.type === "event" && f.event === "connect.challenge");
  if (!challenge) {
    process.stdout.write(JSON.stringify({ ...result, closed }) + "\n");
    process.exit(2);
  }
  const platform = process.platform;
  const params = {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: clientId, version: "1.0.0", platform, mode: clientMode },
    role: opts.role,
    scopes: opts.scopes,
    caps: [],
    ...(opts.role === "node" ? { commands: opts.commands } : {}),
    ...(token ? { auth: { token } } : {}),
  };
  if (opts.device) {
    const { nonce, ts } = challenge.payload;
    const { role, scopes } = opts;
    const privateKey = deviceKey(opts.deviceKey);
    const signed = { privateKey, clientId, clientMode, platform, role, scopes, token, nonce, ts };
    params.device = signDevice(signed);
    result.deviceId = params.device.id;
  }
  ws.send(JSON.stringify({ type: "req", id: "connect", method: "connect", params }));
  const hello = await next((f) => f.type === "res" && f.id === "connect");
  if (!hello?.ok) {
    Object.assign(result, { error: errorOf(hello?.error), closed });
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exit(hello ? 0 : 2);
  }
  const auth = hello.payload.auth ?? {};
  Object.assign(result, {
    connected: true,
    role: auth.role,
    scopes: auth.scopes,
    deviceToken: Boolean(auth.deviceToken),
    methods: opts.listMethods
      ? hello.payload.features?.methods
      : hello.payload.features?.methods?.length,
    calls: [],
  });
  const payloads = [];
  const resolve = (v) =>
    typeof v === "string" && /^\$\d+\./.test(v)
      ? payloads[Number(v.slice(1, v.indexOf(".")))]?.[v.slice(v.indexOf(".") + 1)]
      : v;
  for (const [i, call] of opts.calls.entries()) {
    const callParams = JSON.parse(JSON.stringify(call.params), (_, v) => resolve(v));
    let res;
    // A busy or still-starting gateway answers retryable UNAVAILABLE before the method runs.
    for (let attempt = 0; attempt < 10; attempt++) {
      const id = `call-${i}-${attempt}`;
      ws.send(JSON.stringify({ type: "req", id, method: call.method, params: callParams }));
      res = await next((f) => f.type === "res" && f.id === id);
      if (res?.ok !== false || res.error?.retryable !== true) break;
      await new Promise((r) => setTimeout(r, Math.min(res.error.retryAfterMs ?? 1000, 5000)));
    }
    payloads.push(res?.payload);
    const out = { method: call.method, ok: res ? res.ok : false };
    if (!res) out.error = { code: closed ? "CLOSED" : "TIMEOUT", message: closed?.reason ?? "" };
    else if (res.ok) out.payload = opts.full ? res.payload : summarize(res.payload);
    else out.error = errorOf(res.error);
    result.calls.push(out);
  }
  if (result.calls.length === 1) Object.assign(result, result.calls[0]);
  process.stdout.write(JSON.stringify(result) + "\n");
  ws.close();
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(2);
});
