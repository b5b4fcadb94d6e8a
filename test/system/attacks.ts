/**
 * Attacks the system layer runs on more than one test root (the rented server's and a
 * machine the operator owns): each takes the root it attacks, and what it needs to
 * know about it, through a function called when the tests run.
 */
import * as assert from "assert";
import { ChildProcess } from "child_process";
import * as path from "path";
import { HOST } from "../../vps/host/paths";
import { INWARD_DOMAIN, PROBE_IN_ROOT, testZone } from "./clawkitHost";
import { NET, Peer, SystemHost } from "./harness";

const PROBE = path.join(__dirname, "probe.py");

/** How probe.py runs: as a user of the host, with stdin. */
export interface ProbeOptions {
  readonly user?: string;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** probe.py inside the host (as root, or as a user of it) or in a peer namespace. */
export function probeFrom(
  host: SystemHost,
  where: Peer | "host",
  args: readonly string[],
  opts: ProbeOptions = {},
) {
  return where === "host"
    ? host.exec(["python3", PROBE_IN_ROOT, ...args], opts)
    : host.execIn(where, ["python3", PROBE, ...args], {
        input: opts.input,
        timeoutMs: opts.timeoutMs,
      });
}

/** What the inward attacks need to know of a root. */
export interface InwardTarget {
  readonly host: SystemHost;
  /** The host's own addresses but the tailnet ones (the served gateway holds those): a canary listens on 443 there. */
  readonly hostAddresses: readonly string[];
}

/**
 * The proxy as a tunnel into the host [A3]: every allowlisted name that resolves inward
 * is refused while a canary listens on the host, and the proxy user cannot reach any
 * address of the host.
 */
export function describeProxyInward(target: () => InwardTarget): void {
  describe("the proxy never tunnels into the host [A3]", function () {
    // A canary on 443 of the host's own addresses (the served gateway holds the
    // tailnet ones): a refusal must not be "nothing listened there".
    let canary: ChildProcess;
    const accepted: string[] = [];
    const host = () => target().host;
    const probe = (args: string[], opts: ProbeOptions = {}) =>
      probeFrom(host(), "host", args, opts);
    before(async function () {
      canary = host().spawnIn("host", [
        "python3",
        PROBE_IN_ROOT,
        "listen",
        "443",
        ...target().hostAddresses,
      ]);
      await new Promise<void>((resolve, reject) => {
        canary.stdout!.on("data", (chunk: Buffer) => {
          for (const line of chunk.toString().split("\n")) {
            if (line === "ready") resolve();
            else if (line.startsWith("accepted ")) accepted.push(line.slice(9));
          }
        });
        canary.once("exit", (code) => reject(new Error(`the canary exited (${code})`)));
      });
    });
    after(() => canary?.kill("SIGKILL"));

    const names = Object.keys(testZone()).filter(
      (n) => n.endsWith(`.${INWARD_DOMAIN}`) && !n.startsWith("outward"),
    );
    it(`refuses every allowlisted name that resolves inward (${names.length} classes, A and AAAA)`, function () {
      const answers = names.map((name) => {
        const r = probe(["proxy", "3128", name, "443"], { user: "openclaw" });
        return `${name} ${r.stdout.trim()}`;
      });
      assert.deepStrictEqual(
        answers,
        names.map((name) => `${name} connect=403`),
      );
      assert.deepStrictEqual(accepted, [], "the proxy reached a listener on the host");
    });

    it("while a name of the same allowlisted domain that resolves outward goes through", function () {
      const r = probe(["proxy", "3128", `outward.${INWARD_DOMAIN}`, "443"], {
        user: "openclaw",
      });
      assert.strictEqual(r.stdout.trim(), "connect=200 upstream=200");
    });

    it("the firewall stops the proxy user itself at every address of the host", function () {
      const addresses = host()
        .exec('ip -o addr show | awk \'$3 ~ /^inet/ { sub("/.*", "", $4); print $4 }\'')
        .stdout.split("\n")
        .filter((a) => a && !a.startsWith("fe80:"));
      assert.ok(addresses.includes(NET.publicHost6) && addresses.includes(NET.tailnetHost));
      for (const address of addresses) {
        // Root reaches each (canary or served gateway): there is something to refuse.
        assert.strictEqual(probe(["tcp", address, "443"]).status, 0, `root -> ${address}`);
        const r = probe(["tcp", address, "443"], { user: HOST.proxyUser });
        assert.notStrictEqual(r.status, 0, `the proxy user reached ${address}:443`);
      }
    });
  });
}
