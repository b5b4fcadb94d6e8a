import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { PackedBundle, PROVISION_COMMAND } from "./host/bundle";

/** How clawkit reaches the server: over the tailnet, as the admin user, with the kit's key. */
export type Connection = command.types.input.remote.ConnectionArgs;

/** Arguments of Provisioner. */
export interface ProvisionerArgs {
  /** The server's tailnet address. */
  readonly host: pulumi.Input<string>;
  /** The admin account. */
  readonly user: string;
  /** The kit's provisioning key (secret). */
  readonly privateKey: pulumi.Input<string>;
  /** What to ship: packages, runtime, config, unit, firewall, proxy. */
  readonly bundle: pulumi.Input<PackedBundle>;
}

/**
 * Everything after first boot, over the tailnet. The server's SSH host key is
 * read once over the tailnet (WireGuard already authenticates the device that
 * used our one-off key) and pinned for every later connection. The bundle runs
 * again only when its hash changes, and provision.sh itself is idempotent.
 */
export class Provisioner extends pulumi.ComponentResource {
  /** The pinned connection, for other commands on this server (secret: it holds the key). */
  public readonly connection: pulumi.Output<Connection>;
  /** The server's SSH host key as read at first contact, OpenSSH format. */
  public readonly hostKey: pulumi.Output<string>;
  /** The provisioning run; other steps depend on it. */
  public readonly run: command.remote.Command;

  constructor(name: string, args: ProvisionerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:host:Provisioner", name, args, opts);

    const firstContact: Connection = {
      host: args.host,
      user: args.user,
      privateKey: args.privateKey,
      dialErrorLimit: 60,
      perDialTimeout: 10,
    };
    const hostKey = new command.remote.Command(
      `${name}-host-key`,
      {
        connection: firstContact,
        create: "cat /etc/ssh/ssh_host_ed25519_key.pub",
        // On destroy, leave the tailnet so the device does not linger there.
        delete: "sudo sh -c '(sleep 2; tailscale logout) >/dev/null 2>&1 &'",
      },
      { parent: this },
    );

    this.hostKey = hostKey.stdout.apply((s) => s.trim());
    this.connection = pulumi.output({ ...firstContact, hostKey: this.hostKey });

    const bundle = pulumi.output(args.bundle);
    this.run = new command.remote.Command(
      `${name}-provision`,
      {
        connection: this.connection,
        create: PROVISION_COMMAND,
        stdin: bundle.base64,
        triggers: [bundle.sha256],
      },
      { parent: this },
    );

    this.registerOutputs({ hostKey: this.hostKey, provisioned: this.run.stdout });
  }
}
