import * as pulumi from "@pulumi/pulumi";

/** A resource the mocked engine was asked to create. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  /** Inputs as the engine saw them: secrets still wrapped. */
  readonly inputs: Record<string, unknown>;
}

/** How the Pulumi SDK marks a secret on the wire. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** True when a value reached the engine wrapped as a secret. */
export function isWireSecret(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** A value with every secret wrapper removed. */
export function unwrap(value: unknown): unknown {
  if (isWireSecret(value)) return unwrap((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  }
  return value;
}

export const registered: Registered[] = [];

/** What clawkit-posture --json prints on a healthy host (the shape posture.sh writes). */
export const SAMPLE_POSTURE = JSON.stringify({
  firewall: { active: true, agentRules: { ipv4: true, ipv6: true } },
  listeners: [
    { proto: "tcp", address: "127.0.0.1", port: 3128, program: "squid" },
    { proto: "tcp", address: "0.0.0.0", port: 22, program: "sshd" },
    { proto: "tcp", address: "::", port: 22, program: "sshd" },
    { proto: "udp", address: "0.0.0.0", port: 41641, program: "tailscaled" },
  ],
  gatewayExposure: 1.9,
  openclawAudit: { critical: 0, warn: 2, info: 1 },
  versions: { openclaw: "2026.9.6", node: "v24.16.0" },
  secretsRotated: "2026-12-01T10:00:00Z",
  lockdown: false,
  last24h: {
    egressBlocked: { firewall: 0, proxy: 3 },
    execDenied: 1,
    authFailures: 0,
    gatewayStarts: 2,
  },
});

/** The host key the mocked machines answer with: a whole ed25519 key, its 32 bytes "HostKeyOfTheServerForTestsOnly00". */
export const SAMPLE_HOST_KEY =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEhvc3RLZXlPZlRoZVNlcnZlckZvclRlc3RzT25seTAw";

/** What an owned machine's preflight prints (vps/host/owned.ts parsePreflight): its host key, its tailnet name. */
export const SAMPLE_PREFLIGHT = `${SAMPLE_HOST_KEY}\nbox.tail1234.ts.net.\n`;

/** Resource options as the engine received them, by resource name. */
export interface RegisteredOptions {
  readonly ignoreChanges: string[];
  readonly retainOnDelete: boolean;
  readonly additionalSecretOutputs: string[];
  /** URNs of the resources it depends on (dependsOn and inputs). */
  readonly dependencies: string[];
}
export const optionsByName = new Map<string, RegisteredOptions>();

/** A registration as the engine would name it: its URN, and the URNs it may have had before. */
export interface Registration {
  readonly urn: string;
  /** Alias URNs, when the SDK computes them itself (see computeAliasesInSdk). */
  readonly aliases: string[];
}
export const registrations: Registration[] = [];

/**
 * Makes the SDK compute every alias URN itself, inheritance from a parent's aliases
 * included, and send them as URNs (as it does for an engine without alias specs), so a
 * test can read the URNs a resource answers to.
 */
export function computeAliasesInSdk(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("@pulumi/pulumi/runtime/state").getStore().supportsAliasSpecs = false;
}

/** The subset of the register request this file reads. */
interface RegisterRequest {
  getName(): string;
  getIgnorechangesList(): string[];
  getRetainondelete(): boolean | undefined;
  getAdditionalsecretoutputsList(): string[];
  getDependenciesList(): string[];
  getParent(): string;
  getType(): string;
  getAliasurnsList(): string[];
}

/** Deterministic filler, so two runs of one config produce the same graph. */
export function filler(seed: string, length: number): string {
  let out = "";
  let h = 0;
  for (const c of seed) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  while (out.length < length) {
    h = (h * 1103515245 + 12345) >>> 0;
    out += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[h % 62];
  }
  return out;
}

/** The value the mocked provider gives an AccountToken of this name. */
export function mockTokenValue(name: string): string {
  return filler(`${name}-value`, 40);
}

/** Installs mocks that record every resource and answer like the providers would. */
export async function installMocks(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const inputs = unwrap(args.inputs) as Record<string, unknown>;
        const state: Record<string, unknown> = { ...inputs };
        switch (args.type) {
          case "random:index/randomPassword:RandomPassword":
            // Per resource, as the provider's are: two agents never share a token.
            state.result = filler(
              args.name + JSON.stringify(inputs.keepers ?? {}),
              Number(inputs.length),
            );
            break;
          case "tls:index/privateKey:PrivateKey":
            state.publicKeyOpenssh = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${filler(args.name, 43)} \n`;
            state.privateKeyOpenssh = `-----BEGIN OPENSSH PRIVATE KEY-----\n${filler(args.name + "priv", 64)}\n-----END OPENSSH PRIVATE KEY-----\n`;
            break;
          case "tailscale:index/tailnetKey:TailnetKey":
            state.key = `tskey-auth-${filler(args.name, 40)}`;
            break;
          case "hcloud:index/server:Server":
            state.ipv4Address = "203.0.113.10";
            state.ipv6Address = "2001:db8:1::10";
            break;
          case "cloudflare:index/accountToken:AccountToken":
            state.value = mockTokenValue(args.name);
            break;
          case "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication":
            state.aud = filler(args.name + "aud", 64);
            break;
          case "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken":
            state.clientId = `${filler(args.name + "id", 32)}.access`;
            state.clientSecret = filler(args.name + "secret", 64);
            break;
          case "command:local:Command":
            state.stdout = "";
            state.stderr = "";
            break;
          case "command:remote:Command":
            state.stdout = String(inputs.create).startsWith("cat /etc/ssh/")
              ? `${SAMPLE_HOST_KEY}\n`
              : String(inputs.create).startsWith("sh -s -- --owner ")
                ? SAMPLE_PREFLIGHT
                : String(inputs.create).includes("clawkit-posture")
                  ? SAMPLE_POSTURE
                  : "";
            state.stderr = "";
            break;
        }
        // Numeric like Hetzner ids, and stable per resource so two builds compare equal.
        return {
          id: String(100000 + (parseInt(filler(args.type + args.name, 6), 36) % 900000)),
          state,
        };
      },
      call(args) {
        if (args.token === "tailscale:index/getDevice:getDevice") {
          const hostname = String(args.inputs.hostname);
          return {
            addresses: ["100.101.102.103", "fd7a:115c:a1e0::1"],
            name: `${hostname}.tail1234.ts.net`,
          };
        }
        if (
          args.token ===
          "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList"
        ) {
          return {
            results: [
              { id: "r2-admin-write", name: "Workers R2 Storage Write", scopes: [] },
              { id: "r2-item-read", name: "Workers R2 Storage Bucket Item Read", scopes: [] },
              { id: "r2-item-write", name: "Workers R2 Storage Bucket Item Write", scopes: [] },
            ],
          };
        }
        if (args.token === "cloudflare:index/getZeroTrustOrganization:getZeroTrustOrganization") {
          return { authDomain: "example-team.cloudflareaccess.com" };
        }
        return args.inputs;
      },
    },
    "clawkit",
    "dev",
    false,
  );
  // The mock hands newResource only type, name and inputs; the request itself also
  // carries the resource options, so read them there, as the engine would.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: RegisterRequest, callback: unknown) => {
    optionsByName.set(req.getName(), {
      ignoreChanges: req.getIgnorechangesList(),
      retainOnDelete: req.getRetainondelete() ?? false,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      dependencies: req.getDependenciesList(),
    });
    // The engine's URN: the parent's type chain, this type, this name.
    const parent = req.getParent();
    const type = parent ? `${parent.split("::")[2]}$${req.getType()}` : req.getType();
    registrations.push({
      urn: `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${type}::${req.getName()}`,
      aliases: req.getAliasurnsList(),
    });
    return register(req, callback);
  };
}

/** What a command resource shows outside its stdin: its command lines and environment. */
export function visibleParts(inputs: Record<string, unknown>): string {
  return JSON.stringify([inputs.create, inputs.update, inputs.delete, inputs.environment ?? null]);
}

/** Resolves an Output's value (mocks resolve everything). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until the mocked engine has settled every pending registration. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}
