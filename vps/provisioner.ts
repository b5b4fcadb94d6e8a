import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { PackedBundle, PROVISION_COMMAND } from "./host/bundle";
import { parsePreflight, ScriptCommand } from "./host/owned";

/** How clawkit reaches the server: over the tailnet, as the admin user, with the kit's key. */
export type Connection = command.types.input.remote.ConnectionArgs;

/** Arguments of Provisioner. */
export interface ProvisionerArgs {
  /** The server's tailnet address. */
  readonly host: pulumi.Input<string>;
  /** The admin account. */
  readonly user: string;
  /**
   * The provisioning key (secret). Left out: the operator's ssh-agent, which the command
   * provider finds through its own SSH_AUTH_SOCK (a socket path set here would change
   * every session and run every command again).
   */
  readonly privateKey?: pulumi.Input<string>;
  /**
   * The server's host key as the operator knows it (OpenSSH format): pinned from the
   * first packet, and what the first contact reads must be it. Default: learned at
   * first contact.
   */
  readonly knownHostKey?: string;
  /**
   * The first contact's command, in place of reading the host key file: it prints the
   * host key, then the machine's tailnet name (parsePreflight). It has no delete step, so
   * destroying it leaves the machine as it is. Default: read the key, and log the server
   * out of the tailnet on destroy.
   */
  readonly preflight?: ScriptCommand;
  /** The command that runs the bundle from stdin. Default: PROVISION_COMMAND. */
  readonly provisionCommand?: string;
  /**
   * Resources on the pinned connection that provisioning waits for, so that destroy
   * removes them after it. Default: none.
   */
  readonly beforeProvisioning?: (connection: pulumi.Output<Connection>) => pulumi.Resource[];
  /** What to ship: packages, runtime, config, unit, firewall, proxy. */
  readonly bundle: pulumi.Input<PackedBundle>;
}

/** The first two fields of an OpenSSH public key line: its type and its key, no comment. */
function keyOnly(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}

/**
 * The host key read at first contact, once it is the one the operator gave (when given):
 * a key that differs is another machine, or this one's key changed.
 */
export function pinnedHostKey(read: string, known: string | undefined): string {
  if (known !== undefined && keyOnly(read) !== keyOnly(known))
    throw new Error(
      `the machine's host key (${keyOnly(read)}) is not sshHostKey (clawkit:sshHostKey: ${keyOnly(known)}): ` +
        "another machine answered, or its key changed. Compare with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on its console, then set clawkit:sshHostKey to the key it prints",
    );
  return read;
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
  /** The machine's MagicDNS name as the preflight reported it; undefined without a preflight. */
  public readonly dnsName: pulumi.Output<string | undefined>;
  /** The provisioning run; other steps depend on it. */
  public readonly run: command.remote.Command;

  constructor(name: string, args: ProvisionerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:host:Provisioner", name, args, opts);

    const firstContact: Connection = {
      host: args.host,
      user: args.user,
      ...(args.privateKey !== undefined ? { privateKey: args.privateKey } : {}),
      dialErrorLimit: 60,
      perDialTimeout: 10,
      ...(args.knownHostKey !== undefined ? { hostKey: args.knownHostKey } : {}),
    };
    const preflight = args.preflight;
    const contact = preflight
      ? new command.remote.Command(
          `${name}-preflight`,
          {
            connection: firstContact,
            create: preflight.command,
            stdin: preflight.stdin,
            addPreviousOutputInEnv: false,
          },
          { parent: this },
        )
      : new command.remote.Command(
          `${name}-host-key`,
          {
            connection: firstContact,
            create: "cat /etc/ssh/ssh_host_ed25519_key.pub",
            // On destroy, leave the tailnet so the device does not linger there.
            delete: "sudo sh -c '(sleep 2; tailscale logout) >/dev/null 2>&1 &'",
          },
          { parent: this },
        );
    const report = contact.stdout.apply((stdout) =>
      preflight ? parsePreflight(stdout) : { hostKey: stdout.trim(), dnsName: undefined },
    );

    this.hostKey = report.apply(({ hostKey }) => pinnedHostKey(hostKey, args.knownHostKey));
    this.dnsName = report.apply(({ dnsName }) => dnsName);
    this.connection = pulumi.output({ ...firstContact, hostKey: this.hostKey });

    const bundle = pulumi.output(args.bundle);
    this.run = new command.remote.Command(
      `${name}-provision`,
      {
        connection: this.connection,
        create: args.provisionCommand ?? PROVISION_COMMAND,
        stdin: bundle.base64,
        triggers: [bundle.sha256],
      },
      { parent: this, dependsOn: args.beforeProvisioning?.(this.connection) },
    );

    this.registerOutputs({
      hostKey: this.hostKey,
      provisioned: this.run.stdout,
      ...(preflight ? { dnsName: this.dnsName } : {}),
    });
  }
}
