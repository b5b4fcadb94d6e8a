import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { renderUserData } from "./host/userdata";

/** Arguments of HardenedServer. */
export interface HardenedServerArgs {
  /** Server name and hostname (also its tailnet name). */
  readonly hostname: string;
  /** Hetzner server type, e.g. cx23 or cax11. */
  readonly serverType: string;
  /** Hetzner location, e.g. nbg1. */
  readonly location: string;
  /** Image name or snapshot id (Debian 12). */
  readonly image: string;
  /** Size of the state volume in GB. */
  readonly volumeSizeGb: number;
  /** Leave the volume in Hetzner when the stack is destroyed. */
  readonly keepVolumeOnDestroy: boolean;
  /** Hetzner delete/rebuild protection on the server and volume. */
  readonly deleteProtection: boolean;
  /** Hetzner's daily backups of the server disk. */
  readonly backups: boolean;
  /** The admin (provisioning) account. */
  readonly adminUser: string;
  /** The operator's own public keys for the admin account. */
  readonly adminSshKeys: readonly string[];
  /** The one-off tailnet auth key (secret). */
  readonly tailnetAuthKey: pulumi.Input<string>;
  /** Labels on every Hetzner resource. */
  readonly labels: Record<string, string>;
}

/**
 * A Hetzner server nobody can reach from the internet: a cloud firewall with no
 * inbound rule, attached at creation so it holds from the first packet; user-data
 * that only bootstraps (users, sshd, ufw, tailnet join); the agent's state on a
 * separate volume; backups on.
 */
export class HardenedServer extends pulumi.ComponentResource {
  public readonly server: hcloud.Server;
  public readonly firewall: hcloud.Firewall;
  public readonly volume: hcloud.Volume;
  public readonly volumeAttachment: hcloud.VolumeAttachment;
  /** The kit's provisioning key (secret), OpenSSH format. */
  public readonly adminPrivateKey: pulumi.Output<string>;
  /** The state volume's block device on the server. */
  public readonly volumeDevice: pulumi.Output<string>;

  constructor(name: string, args: HardenedServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkit:host:HardenedServer", name, args, opts);

    const adminKey = new tls.PrivateKey(
      `${name}-admin-key`,
      { algorithm: "ED25519" },
      { parent: this, additionalSecretOutputs: ["privateKeyOpenssh", "privateKeyPem"] },
    );
    this.adminPrivateKey = pulumi.secret(adminKey.privateKeyOpenssh);

    // With an SSH key registered, Hetzner sets and mails no root password.
    const sshKey = new hcloud.SshKey(
      `${name}-ssh-key`,
      { publicKey: adminKey.publicKeyOpenssh, labels: args.labels },
      { parent: this },
    );

    this.firewall = new hcloud.Firewall(
      `${name}-firewall`,
      { labels: args.labels, rules: [] },
      { parent: this },
    );

    const userData = pulumi
      .all([args.tailnetAuthKey, adminKey.publicKeyOpenssh])
      .apply(([tailnetAuthKey, provisioningKey]) =>
        renderUserData({
          hostname: args.hostname,
          adminUser: args.adminUser,
          adminSshKeys: [provisioningKey.trim(), ...args.adminSshKeys],
          tailnetAuthKey,
        }),
      );

    this.server = new hcloud.Server(
      `${name}-server`,
      {
        name: args.hostname,
        serverType: args.serverType,
        image: args.image,
        location: args.location,
        sshKeys: [sshKey.id],
        firewallIds: [this.firewall.id.apply(Number)],
        userData: pulumi.secret(userData),
        backups: args.backups,
        deleteProtection: args.deleteProtection,
        rebuildProtection: args.deleteProtection,
        publicNets: [{ ipv4Enabled: true, ipv6Enabled: true }],
        labels: args.labels,
      },
      {
        parent: this,
        additionalSecretOutputs: ["userData"],
        // User-data is first-boot only; everything after goes through provisioning.
        // Re-bootstrapping is an explicit `pulumi up --replace`.
        ignoreChanges: ["userData"],
      },
    );

    this.volume = new hcloud.Volume(
      `${name}-state`,
      {
        name: `${args.hostname}-state`,
        size: args.volumeSizeGb,
        location: args.location,
        format: "ext4",
        deleteProtection: args.deleteProtection,
        labels: args.labels,
      },
      { parent: this, retainOnDelete: args.keepVolumeOnDestroy },
    );

    this.volumeAttachment = new hcloud.VolumeAttachment(
      `${name}-state-attachment`,
      {
        serverId: this.server.id.apply(Number),
        volumeId: this.volume.id.apply(Number),
        automount: false,
      },
      { parent: this },
    );
    this.volumeDevice = pulumi.interpolate`/dev/disk/by-id/scsi-0HC_Volume_${this.volume.id}`;

    this.registerOutputs({
      serverId: this.server.id,
      ipv4: this.server.ipv4Address,
      volumeId: this.volume.id,
      volumeDevice: this.volumeDevice,
    });
  }
}
