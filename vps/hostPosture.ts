import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "./provisioner";

/** The host command that prints the posture report as JSON (vps/host/scripts/posture.sh). */
export const POSTURE_COMMAND = "sudo /usr/local/sbin/clawkit-posture --json";

/** One listening socket on the host, as clawkit-posture reports it. */
export interface Listener {
  readonly proto: string;
  readonly address: string;
  readonly port: number;
  readonly program: string;
}

/** Arguments of HostPosture. */
export interface HostPostureArgs {
  /** The pinned connection to the server. */
  readonly connection: pulumi.Input<Connection>;
  /** Re-read the posture when any of these change (default: only on create). */
  readonly triggers?: pulumi.Input<unknown>[];
}

/**
 * Reads the host's posture after provisioning and secrets: firewall state,
 * listeners, the gateway unit's exposure, openclaw's audit summary, versions,
 * the last secrets change, lockdown and the last day's security event counts.
 * Plain output: the report holds no secret by construction (posture.sh prints
 * states, counts, versions and ports), and the unit test checks it.
 */
export class HostPosture extends pulumi.ComponentResource {
  /** The report, parsed. */
  public readonly report: pulumi.Output<Record<string, unknown>>;
  /** Every TCP port something listens on, on any address, sorted: for the exposure check. */
  public readonly listeningPorts: pulumi.Output<number[]>;

  constructor(name: string, args: HostPostureArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:host:HostPosture", name, args, opts);
    const read = new command.remote.Command(
      `${name}-read`,
      {
        connection: args.connection,
        create: POSTURE_COMMAND,
        triggers: args.triggers,
        logging: "stderr",
      },
      { parent: this },
    );
    this.report = read.stdout.apply((out) => parsePosture(out));
    this.listeningPorts = this.report.apply((r) => tcpPorts(r));
    this.registerOutputs({ report: this.report, listeningPorts: this.listeningPorts });
  }
}

/** Parses clawkit-posture --json, refusing anything that is not one JSON object. */
export function parsePosture(stdout: string): Record<string, unknown> {
  const report: unknown = JSON.parse(stdout);
  if (typeof report !== "object" || report === null || Array.isArray(report))
    throw new Error("clawkit-posture did not print a JSON object");
  return report as Record<string, unknown>;
}

/** The distinct TCP ports of a report's listeners, sorted. */
export function tcpPorts(report: Record<string, unknown>): number[] {
  const listeners = (report.listeners ?? []) as Listener[];
  return [...new Set(listeners.filter((l) => l.proto === "tcp").map((l) => l.port))].sort(
    (a, b) => a - b,
  );
}
