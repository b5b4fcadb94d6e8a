import * as assert from "assert";
import * as http from "http";
import * as net from "net";
import * as pulumi from "@pulumi/pulumi";
import {
  endpoint,
  main,
  parseArgs,
  publicVerdict,
  tailnetVerdict,
  targets,
} from "../../vps/exposure-check.mjs";
import {
  EXPOSURE_CHECK_SCRIPT,
  exposureCheckCommand,
  exposurePorts,
} from "../../vps/exposureCheck";
import { program } from "../../program/program";
import { VpsAgent } from "../../vps/agent";
import { baseConfig, sourceOf, TEST_SECRETS } from "../support/config";
import {
  installMocks,
  isWireSecret,
  optionsByName,
  registered,
  Registered,
  settle,
  unwrap,
  valueOf,
  visibleParts,
} from "../support/mocks";

const V4 = "203.0.113.10";
const V6 = "2001:db8:1::10";
const URL = "https://openclaw-dev.tail1234.ts.net";

describe("exposure check: the script's parts (vps/exposure-check.mjs) [R2]", function () {
  it("targets every public address on every port, each once; IPv6 in brackets", function () {
    const list = targets([V4, V6, V4], [443, 22, 443]);
    assert.deepStrictEqual(
      list.map((t) => `${t.family} ${endpoint(t.address, t.port)}`),
      [`IPv4 ${V4}:22`, `IPv4 ${V4}:443`, `IPv6 [${V6}]:22`, `IPv6 [${V6}]:443`],
    );
  });

  it("the ports: sshd, HTTP(S), the egress proxy, the credential gateway, the gateway and every extra, each once", function () {
    assert.deepStrictEqual(exposurePorts(18789), [22, 80, 443, 3128, 3129, 18789]);
    assert.deepStrictEqual(
      exposurePorts(18790, [53, 22, 18790, 41641]),
      [22, 53, 80, 443, 3128, 3129, 18790, 41641],
    );
  });

  it("a public port that takes a connection, or that could not be tried, is a finding naming address and port", function () {
    const { findings, lines } = publicVerdict(
      [V4, V6],
      [
        { address: V4, port: 22, outcome: "timed out" },
        { address: V4, port: 80, outcome: "refused" },
        { address: V4, port: 8080, outcome: "open" },
        { address: V6, port: 22, outcome: "unreachable" },
        { address: V6, port: 443, outcome: "error EMFILE" },
      ],
      [],
    );
    assert.deepStrictEqual(findings, [
      `${V4}:8080 accepts TCP connections from this machine`,
      `[${V6}]:443 could not be tried (error EMFILE)`,
    ]);
    assert.match(
      lines[0],
      /^public IPv4 203\.0\.113\.10: 3 ports \(22,80,8080\): 1 timed out, 1 refused, 1 open$/,
    );
  });

  it("an address family with no route from the operator's machine is SKIPPED and said, never passed", function () {
    const { findings, lines } = publicVerdict(
      [V4, V6],
      [{ address: V4, port: 22, outcome: "timed out" }],
      [V6],
    );
    assert.deepStrictEqual(findings, []);
    assert.match(lines[1], /^public IPv6 2001:db8:1::10: SKIPPED, this machine has no IPv6 route/);
    assert.match(lines[1], /not passed/);
  });

  it("through the tailnet: 401/403 without a token and with a wrong one, 200 with the token; anything else names the URL and status", function () {
    const ok = tailnetVerdict(
      URL,
      { "no token": 401, "a wrong token": 403, "the token": 200 },
      false,
    );
    assert.deepStrictEqual(ok.findings, []);
    const bad = tailnetVerdict(
      URL,
      { "no token": 200, "a wrong token": 429, "the token": "ECONNREFUSED" },
      false,
    );
    assert.deepStrictEqual(bad.findings, [
      `${URL}/tools/invoke answered 200 to no token (expected 401 or 403)`,
      `${URL}/tools/invoke answered 429 to a wrong token (expected 401 or 403)`,
      `${URL}/tools/invoke answered no answer (ECONNREFUSED) to the token (expected 200)`,
    ]);
  });

  it("during lockdown the gateway must not answer 200 to anything, the token included", function () {
    const stopped = { "no token": "ECONNREFUSED", "a wrong token": 502, "the token": 502 };
    assert.deepStrictEqual(tailnetVerdict(URL, stopped, true).findings, []);
    const running = { "no token": 401, "a wrong token": 401, "the token": 200 };
    assert.deepStrictEqual(tailnetVerdict(URL, running, true).findings, [
      `${URL}/tools/invoke answered 200 to the token during lockdown (the gateway must be stopped)`,
    ]);
  });

  it("refuses bad arguments: not an address, a port out of range, a URL with a path, addresses without ports", function () {
    for (const [argv, message] of [
      [["--public", "example.com", "--ports", "22"], /not an IP address/],
      [["--public", V4, "--ports", "22,70000"], /not a TCP port: 70000/],
      [["--url", `${URL}/tools`], /not a bare http\(s\) URL/],
      [["--url", "ftp://x"], /not a bare http\(s\) URL/],
      [["--public", V4], /--public needs --ports/],
      [[], /nothing to check/],
    ] as [string[], RegExp][])
      assert.throws(() => parseArgs(argv), message);
    assert.deepStrictEqual(parseArgs(["--public", V6, "--ports", "22,443", "--url", `${URL}/`]), {
      addresses: [V6],
      ports: [22, 443],
      url: URL,
      lockdown: false,
    });
  });

  it("the command line names the script, addresses, ports, URL and lockdown, shell-quoted", function () {
    const line = exposureCheckCommand("node", {
      publicAddresses: [V4, V6],
      ports: [22, 443],
      url: URL,
      lockdown: true,
    });
    assert.strictEqual(
      line,
      `'node' '${EXPOSURE_CHECK_SCRIPT}' '--public' '${V4}' '--public' '${V6}' '--ports' '22,443' '--url' '${URL}' '--lockdown'`,
    );
    assert.deepStrictEqual(
      parseArgs(
        line
          .split(" ")
          .slice(2)
          .map((w) => w.slice(1, -1)),
      ),
      { addresses: [V4, V6], ports: [22, 443], url: URL, lockdown: true },
    );
  });

  describe("a whole run against loopback (a listener and a stand-in gateway)", function () {
    const TOKEN = "T".repeat(64);
    let gateway: http.Server;
    let listener: net.Server;
    let url: string;
    let closedPort: number;
    before(async function () {
      gateway = http.createServer((req, res) => {
        res.writeHead(req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 401).end();
      });
      listener = net.createServer((s) => s.destroy());
      await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", r));
      await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
      url = `http://127.0.0.1:${(gateway.address() as net.AddressInfo).port}`;
      // A port that was just free: nothing listens on it.
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
      closedPort = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
    });
    after(function () {
      gateway.close();
      listener.close();
    });

    const runCheck = async (argv: string[]) => {
      let out = "";
      let err = "";
      const status = await main(
        argv,
        `${TOKEN}\n`,
        { write: (t) => (out += t) },
        { write: (t) => (err += t) },
      );
      return { status, out, err };
    };

    it("passes with every port closed and the token checks right; the report holds no token", async function () {
      const r = await runCheck([
        "--public",
        "127.0.0.1",
        "--ports",
        String(closedPort),
        "--url",
        url,
      ]);
      assert.strictEqual(r.status, 0, r.err);
      assert.match(r.out, /^clawkit exposure check: nothing exposed in \d+\.\d s\n/);
      assert.match(r.out, /no token 401, a wrong token 401, the token 200/);
      assert.ok(!(r.out + r.err).includes(TOKEN), "the token is in the output");
    });

    it("fails naming the address and port that took a connection", async function () {
      const open = (listener.address() as net.AddressInfo).port;
      const r = await runCheck(["--public", "127.0.0.1", "--ports", `${closedPort},${open}`]);
      assert.strictEqual(r.status, 1);
      assert.strictEqual(
        r.err,
        `clawkit exposure check: FOUND 127.0.0.1:${open} accepts TCP connections from this machine\n`,
      );
    });

    it("in lockdown, fails naming the URL when the gateway still accepts the token", async function () {
      const r = await runCheck(["--url", url, "--lockdown"]);
      assert.strictEqual(r.status, 1);
      assert.match(
        r.err,
        new RegExp(`FOUND ${url}/tools/invoke answered 200 to the token during lockdown`),
      );
    });

    it("without a token on stdin it refuses to run the tailnet half (exit 2)", async function () {
      const status = await main(["--url", url], "\n", { write: () => true }, { write: () => true });
      assert.strictEqual(status, 2);
    });
  });
});

describe("vps stack: the exposure check on every change to the host (mocks) [R2]", function () {
  before(installMocks);

  const build = async (values: Record<string, string>) => {
    const start = registered.length;
    const outputs = program(sourceOf(values), "dev") as VpsAgent;
    await valueOf(outputs.tailnetUrl);
    await settle();
    const check = registered
      .slice(start)
      .filter(
        (r) => r.type === "command:local:Command" && r.name === "openclaw-exposure-check-run",
      );
    assert.strictEqual(check.length, 1, "one exposure check command");
    return { check: check[0], outputs };
  };
  const plain = (r: Registered) => unwrap(r.inputs) as Record<string, unknown>;

  it("runs on the operator's machine after the lockdown switch (so after the secrets), the token on its stdin only (secret)", async function () {
    const { check, outputs } = await build(baseConfig());
    const token = await valueOf(outputs.gatewayToken);
    const inputs = plain(check);
    assert.ok(isWireSecret(check.inputs.stdin), "stdin is not marked secret");
    assert.strictEqual(inputs.stdin, `${token}\n`);
    for (const secret of [token, ...Object.values(TEST_SECRETS)]) {
      assert.ok(!visibleParts(inputs).includes(secret), "a secret is in the command line");
      assert.ok(!JSON.stringify(inputs.triggers).includes(secret), "a secret is in the triggers");
    }
    assert.strictEqual(inputs.environment, undefined, "the command has an environment");
    assert.strictEqual(inputs.addPreviousOutputInEnv, false);
    const options = optionsByName.get("openclaw-exposure-check-run");
    assert.ok(options?.additionalSecretOutputs.includes("stdin"));
    assert.ok(
      optionsByName
        .get("openclaw-exposure-check")
        ?.dependencies.some((urn) => /::openclaw-host-lockdown(-switch)?$/.test(urn)),
      "the check does not wait for the lockdown switch",
    );
  });

  it("checks the public IPv4 and IPv6 on 22, 80, 443, 3128, 3129 and the gateway port, and the tailnet URL", async function () {
    const { check, outputs } = await build({ ...baseConfig(), "clawkit:gatewayPort": "18790" });
    assert.strictEqual(
      plain(check).create,
      exposureCheckCommand("node", {
        publicAddresses: ["203.0.113.10", "2001:db8:1::10"],
        ports: [22, 80, 443, 3128, 3129, 18790],
        url: "https://openclaw-dev.tail1234.ts.net",
        lockdown: false,
      }),
    );
    assert.strictEqual(await valueOf(outputs.serverIpv6), "2001:db8:1::10");
    assert.strictEqual(await pulumi.isSecret(outputs.serverIpv6), false);
  });

  it("runs again when the bundle, the secrets or lockdown change, and only then", async function () {
    const triggersOf = async (changes: Record<string, string>) =>
      JSON.stringify(plain((await build({ ...baseConfig(), ...changes })).check).triggers);
    const base = await triggersOf({});
    assert.strictEqual(await triggersOf({}), base, "the same configuration runs it again");
    for (const changes of [
      { "clawkit:egressAllowlist": '["api.github.com"]' },
      { "clawkit:tokenRotation": "2026-12-01" },
      { "clawkit:anthropicApiKey": "sk-ant-api03-TESTONLY-rotated-key" },
      { "clawkit:lockdown": "true" },
    ] as Record<string, string>[])
      assert.notStrictEqual(await triggersOf(changes), base, JSON.stringify(changes));
    const locked = plain((await build({ ...baseConfig(), "clawkit:lockdown": "true" })).check);
    assert.match(String(locked.create), / '--lockdown'$/);
  });
});
