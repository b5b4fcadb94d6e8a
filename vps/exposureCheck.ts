import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { HOST } from "./host/paths";

/** The check itself: plain Node.js, run on the operator's machine. */
export const EXPOSURE_CHECK_SCRIPT = path.resolve(__dirname, "exposure-check.mjs");

/**
 * The ports no public address of the host may answer on: sshd, HTTP(S), the egress
 * proxy, the credential gateway, the gateway, and the extra ones (sorted, each once).
 */
export function exposurePorts(gatewayPort: number, extra: readonly number[] = []): number[] {
  const ports = [22, 80, 443, HOST.proxyPort, HOST.credentialGatewayPort, gatewayPort, ...extra];
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** What one run of the check looks at. Nothing here is secret. */
export interface ExposureTargets {
  /** Public addresses that must refuse or drop every port. */
  readonly publicAddresses: readonly string[];
  readonly ports: readonly number[];
  /** The gateway's URL on the tailnet; none: the tailnet half is not run. */
  readonly url?: string;
  /** The gateway must not accept the token (it is stopped). */
  readonly lockdown: boolean;
}

const quoted = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** The shell command that runs the check with a Node binary (the token goes on its stdin). */
export function exposureCheckCommand(node: string, targets: ExposureTargets): string {
  const args = [node, EXPOSURE_CHECK_SCRIPT];
  for (const address of targets.publicAddresses) args.push("--public", address);
  if (targets.ports.length > 0) args.push("--ports", targets.ports.join(","));
  if (targets.url !== undefined) args.push("--url", targets.url);
  if (targets.lockdown) args.push("--lockdown");
  return args.map(quoted).join(" ");
}

/** Arguments of ExposureCheck. */
export interface ExposureCheckArgs {
  /** The server's public IPv4 address. */
  readonly ipv4: pulumi.Input<string>;
  /** The server's public IPv6 address. */
  readonly ipv6: pulumi.Input<string>;
  /** The gateway's URL on the tailnet: https://<device name> (tailscale serve). */
  readonly tailnetUrl: pulumi.Input<string>;
  /** The gateway's port on the host. */
  readonly gatewayPort: number;
  /** More ports no public address may answer on, e.g. every port a listener on the host uses (default none). */
  readonly extraPorts?: pulumi.Input<number[]>;
  /** The gateway token (secret): it travels on stdin only. */
  readonly gatewayToken: pulumi.Input<string>;
  /** Lockdown: the gateway must not answer the token at all (default false). */
  readonly lockdown?: boolean;
  /** Values that change whenever something changes the host (provisioning, secrets): a new one runs the check again. */
  readonly hostChanges: pulumi.Input<string>[];
}

/**
 * What security-hardening-guide.md §1 asks users to verify by hand, on the
 * operator's machine after every change to the host: no port of the server's public
 * IPv4 and IPv6 addresses takes a TCP connection, and through the tailnet the gateway
 * refuses no token and a wrong token and accepts the right one (during lockdown: it
 * does not answer). A finding fails the command and so `pulumi up`, naming it.
 */
export class ExposureCheck extends pulumi.ComponentResource {
  /** The check's short report (no secret). */
  public readonly report: pulumi.Output<string>;

  constructor(name: string, args: ExposureCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:host:ExposureCheck", name, args, opts);
    const lockdown = args.lockdown ?? false;
    const create = pulumi
      .all([args.ipv4, args.ipv6, args.tailnetUrl, args.extraPorts ?? []])
      .apply(([ipv4, ipv6, url, extra]) =>
        // `node` from PATH: the one Pulumi's nodejs runtime runs this program with.
        exposureCheckCommand("node", {
          publicAddresses: [ipv4, ipv6].filter((a) => a !== ""),
          ports: exposurePorts(args.gatewayPort, extra),
          url,
          lockdown,
        }),
      );
    const run = new command.local.Command(
      `${name}-run`,
      {
        create,
        stdin: pulumi.secret(pulumi.interpolate`${args.gatewayToken}\n`),
        triggers: [...args.hostChanges, lockdown],
        // The provider would otherwise put the last run's output in the next run's environment.
        addPreviousOutputInEnv: false,
      },
      { parent: this, additionalSecretOutputs: ["stdin"] },
    );
    this.report = run.stdout;
    this.registerOutputs({ report: this.report });
  }
}
