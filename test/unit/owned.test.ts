import * as assert from "assert";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { packBundle, renderBundle } from "../../vps/host/bundle";
import { preflightCommand } from "../../vps/host/owned";
import { pinnedHostKey, Provisioner } from "../../vps/provisioner";
import { baseConfig, sourceOf } from "../support/config";
import {
  filler,
  installMocks,
  isWireSecret,
  optionsByName,
  registered,
  Registered,
  SAMPLE_HOST_KEY,
  settle,
  unwrap,
  valueOf,
} from "../support/mocks";
import { sampleSettings } from "../support/samples";
import { program } from "../../program/program";
import { VpsAgent } from "../../vps/agent";

/** The one registration of a name since start. */
function named(start: number, name: string): Registered {
  const found = registered.slice(start).filter((r) => r.name === name);
  assert.strictEqual(found.length, 1, `expected one ${name}, found ${found.length}`);
  return found[0];
}

const plain = (r: Registered) => unwrap(r.inputs) as Record<string, unknown>;

describe("provisioner: the owned machine's options, and the vps inputs unchanged without them", function () {
  before(installMocks);

  it("vps: the first contact and the provisioning run take exactly the inputs they took before the options [R8]", async function () {
    const start = registered.length;
    const agent = program(sourceOf(baseConfig()), "dev") as VpsAgent;
    await valueOf(agent.sshHostKey);
    await settle();
    const hostKey = named(start, "openclaw-host-host-key");
    const provision = named(start, "openclaw-host-provision");
    // The mocked provider's key for the kit's admin-key (test/support/mocks.ts).
    const adminKey = `-----BEGIN OPENSSH PRIVATE KEY-----\n${filler("openclaw-host-admin-keypriv", 64)}\n-----END OPENSSH PRIVATE KEY-----\n`;
    const firstContact = {
      dialErrorLimit: 60,
      host: "100.101.102.103",
      perDialTimeout: 10,
      port: 22,
      privateKey: adminKey,
      user: "clawadmin",
    };
    // Byte for byte: the same keys in the same order, the same strings, the same secrecy.
    assert.strictEqual(
      JSON.stringify(plain(hostKey)),
      JSON.stringify({
        connection: firstContact,
        create: "cat /etc/ssh/ssh_host_ed25519_key.pub",
        delete: "sudo sh -c '(sleep 2; tailscale logout) >/dev/null 2>&1 &'",
      }),
    );
    assert.ok(isWireSecret(hostKey.inputs.connection));
    const { stdin, triggers, ...rest } = plain(provision);
    assert.strictEqual(
      JSON.stringify(rest),
      JSON.stringify({
        // The engine hands inputs over with their keys sorted.
        connection: {
          dialErrorLimit: 60,
          host: "100.101.102.103",
          hostKey: SAMPLE_HOST_KEY,
          perDialTimeout: 10,
          port: 22,
          privateKey: adminKey,
          user: "clawadmin",
        },
        create:
          'sudo sh -c \'set -e; d=$(mktemp -d); trap "rm -rf $d" EXIT; base64 -d | tar -xz -C "$d"; sh "$d/scripts/provision.sh"\'',
      }),
    );
    assert.match(String(stdin), /^H4sI/);
    assert.deepStrictEqual(Object.keys(plain(provision)), [
      "connection",
      "create",
      "stdin",
      "triggers",
    ]);
    assert.strictEqual((triggers as string[]).length, 1);
    assert.ok(isWireSecret(provision.inputs.connection));
  });

  /** A Provisioner with the owned machine's options, and what it registered. */
  async function owned(name: string, extra: { knownHostKey?: string; privateKey?: string } = {}) {
    const start = registered.length;
    const preflight = preflightCommand("dev/openclaw", []);
    const provisioner = new Provisioner(name, {
      host: "box.tail1234.ts.net",
      user: "alice",
      ...extra,
      preflight,
      provisionCommand: "sudo true provision",
      bundle: packBundle(renderBundle(sampleSettings())),
    });
    await valueOf(provisioner.connection);
    await settle();
    return { provisioner, preflight, start };
  }

  it("owned: the preflight replaces the key read and has no delete step; no key means the operator's ssh-agent, never a socket path", async function () {
    const { provisioner, preflight, start } = await owned("p1");
    assert.ok(!registered.slice(start).some((r) => r.name === "p1-host-key"));
    const first = plain(named(start, "p1-preflight"));
    assert.strictEqual(first.create, preflight.command);
    assert.strictEqual(first.stdin, preflight.stdin);
    assert.strictEqual(first.delete, undefined, "an owned machine is never logged out");
    assert.strictEqual(first.triggers, undefined);
    const connection = first.connection as Record<string, unknown>;
    for (const field of ["privateKey", "agentSocketPath", "hostKey", "password"])
      assert.ok(!(field in connection), `the first contact sets ${field}`);
    assert.strictEqual(await valueOf(provisioner.hostKey), SAMPLE_HOST_KEY);
    assert.strictEqual(await valueOf(provisioner.dnsName), "box.tail1234.ts.net");
    const run = plain(named(start, "p1-provision"));
    assert.strictEqual(run.create, "sudo true provision");
    assert.strictEqual((run.connection as Record<string, unknown>).hostKey, SAMPLE_HOST_KEY);
    assert.ok(!("agentSocketPath" in (run.connection as object)));
  });

  it("owned: a given host key is pinned from the first packet, and a private key rides in the secret connection [R8]", async function () {
    const { start } = await owned("p2", {
      knownHostKey: `${SAMPLE_HOST_KEY} root@box`,
      privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    });
    const first = named(start, "p2-preflight");
    assert.strictEqual(
      (plain(first).connection as Record<string, unknown>).hostKey,
      `${SAMPLE_HOST_KEY} root@box`,
    );
    assert.ok(isWireSecret(first.inputs.connection));
    assert.ok(isWireSecret(named(start, "p2-provision").inputs.connection));
  });

  it("owned: provisioning waits for what it is told to, on the pinned connection", async function () {
    const start = registered.length;
    let handed: pulumi.Output<unknown> | undefined;
    const record = new command.local.Command("p3-record", { create: "true" });
    const provisioner = new Provisioner("p3", {
      host: "box.tail1234.ts.net",
      user: "alice",
      preflight: preflightCommand("dev/openclaw", []),
      bundle: packBundle(renderBundle(sampleSettings())),
      beforeProvisioning: (connection) => {
        handed = connection;
        return [record];
      },
    });
    await valueOf(provisioner.connection);
    await settle();
    assert.strictEqual(handed, provisioner.connection);
    const dependencies = optionsByName.get("p3-provision")?.dependencies ?? [];
    assert.ok(
      dependencies.some((urn) => urn.endsWith("::p3-record")),
      dependencies.join(", "),
    );
    assert.ok(registered.slice(start).some((r) => r.name === "p3-provision"));
  });

  it("the host key read must be the one given (comments aside), naming clawkit:sshHostKey", function () {
    assert.strictEqual(pinnedHostKey(SAMPLE_HOST_KEY, undefined), SAMPLE_HOST_KEY);
    assert.strictEqual(
      pinnedHostKey(SAMPLE_HOST_KEY, `${SAMPLE_HOST_KEY} root@box`),
      SAMPLE_HOST_KEY,
    );
    assert.throws(
      () => pinnedHostKey(SAMPLE_HOST_KEY, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAnotherMachine"),
      /is not sshHostKey \(clawkit:sshHostKey/,
    );
  });
});
