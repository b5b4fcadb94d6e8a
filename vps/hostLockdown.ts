import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "./provisioner";

/** The host command that switches the lockdown (vps/host/scripts/lockdown.sh). */
export function lockdownCommand(lockdown: boolean): string {
  return `sudo /usr/local/sbin/clawkit-lockdown ${lockdown ? "on" : "off"}`;
}

/** Arguments of HostLockdown. */
export interface HostLockdownArgs {
  /** The pinned connection to the server. */
  readonly connection: pulumi.Input<Connection>;
  /** Locked down (`clawkit:lockdown`); default false. */
  readonly lockdown?: boolean;
  /**
   * Changes whenever provisioning ran again (a new bundle, a rebuilt server): a
   * lockdown is then applied again. Never the other way: provisioning does not end
   * a lockdown someone switched on by hand on the host.
   */
  readonly provisioned: pulumi.Input<string>;
}

/**
 * The incident switch on the host: `on` cuts the agent off and takes the gateway
 * off the tailnet, `off` brings it back healthy with the same state and token. It
 * runs after the secrets, so a token rotated in the same `pulumi up` is the one
 * the gateway comes back with. It replaces nothing but itself; the host's state
 * is one file there, which provisioning and the secrets command honour too.
 */
export class HostLockdown extends pulumi.ComponentResource {
  /** What the switch did, as the host printed it (no secret). */
  public readonly report: pulumi.Output<string>;

  constructor(name: string, args: HostLockdownArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:host:HostLockdown", name, args, opts);
    const lockdown = args.lockdown ?? false;
    const sw = new command.remote.Command(
      `${name}-switch`,
      {
        connection: args.connection,
        create: lockdownCommand(lockdown),
        triggers: [lockdown, lockdown ? args.provisioned : "not locked down"],
      },
      { parent: this },
    );
    this.report = sw.stdout;
    this.registerOutputs({ report: this.report });
  }
}
