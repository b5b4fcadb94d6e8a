import { renderAgentEgressRules } from "./firewall";
import { HOST, readShipped } from "./paths";
import { renderSshdConfig } from "./sshd";

/** Tailscale's package signing key (Tailscale Inc., RSA 4096, 2020): apt trusts only it for that source. */
export const TAILSCALE_APT_KEY_FINGERPRINT = "2596A99EAAB33821893C0A79458CA832957F5868";

/** Inputs of the first-boot user-data. */
export interface UserDataOptions {
  /** The server's hostname, also its name on the tailnet. */
  readonly hostname: string;
  /** The admin (provisioning) account. */
  readonly adminUser: string;
  /** Public keys allowed to log in as the admin: the kit's provisioning key and the operator's. */
  readonly adminSshKeys: readonly string[];
  /** The one-off, preauthorized, short-lived tailnet auth key. */
  readonly tailnetAuthKey: string;
}

/** A file that both the first boot and every provisioning run install. */
export interface HostFile {
  /** Path relative to the bundle root (scripts/…, files/…). */
  readonly bundlePath: string;
  /** Where it lands on the host. */
  readonly hostPath: string;
  readonly content: string;
  readonly mode: number;
}

/**
 * The files of the bootstrap concerns (shell helpers, firewall, sshd). One list
 * serves the user-data and the provisioning bundle, so the two never disagree.
 */
export function bootstrapFiles(opts: { adminUser: string }): HostFile[] {
  const script = (name: string): HostFile => ({
    bundlePath: `scripts/${name}`,
    hostPath: `${HOST.libDir}/scripts/${name}`,
    content: readShipped(`scripts/${name}`),
    mode: 0o755,
  });
  return [
    script("lib.sh"),
    script("firewall.sh"),
    script("tailscale-join.sh"),
    script("shred-userdata.sh"),
    {
      bundlePath: "files/ufw-agent.rules",
      hostPath: `${HOST.libDir}/files/ufw-agent.rules`,
      content: renderAgentEgressRules("ipv4"),
      mode: 0o644,
    },
    {
      bundlePath: "files/ufw-agent6.rules",
      hostPath: `${HOST.libDir}/files/ufw-agent6.rules`,
      content: renderAgentEgressRules("ipv6"),
      mode: 0o644,
    },
    {
      bundlePath: "files/sshd-clawkit.conf",
      hostPath: "/etc/ssh/sshd_config.d/10-clawkit.conf",
      content: renderSshdConfig(opts),
      mode: 0o644,
    },
  ];
}

/**
 * Renders the cloud-config for first boot. Bootstrap only: the four users, sshd,
 * the firewall, and the tailnet join. The only secret in it is the one-off
 * tailnet key, which is worthless once used and expires within the hour; the
 * key file and cloud-init's copies of this document are shredded after boot.
 * JSON is valid YAML, and leaves no quoting to chance.
 */
/**
 * The size the kit keeps its user-data under: Hetzner takes 32 KiB; the kit keeps well
 * clear of it, so a longer key list or rule block never meets that limit first.
 */
export const USER_DATA_BUDGET = 20 * 1024;

export function renderUserData(opts: UserDataOptions): string {
  const files = bootstrapFiles(opts);
  const config = {
    hostname: opts.hostname,
    preserve_hostname: false,
    disable_root: true,
    ssh_pwauth: false,
    ssh_deletekeys: true,
    ssh_genkeytypes: ["ed25519"],
    users: [
      {
        name: opts.adminUser,
        gecos: "clawkit admin",
        shell: "/bin/bash",
        lock_passwd: true,
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        ssh_authorized_keys: [...opts.adminSshKeys],
      },
      {
        name: HOST.agentUser,
        gecos: "OpenClaw agent",
        system: true,
        shell: "/usr/sbin/nologin",
        homedir: HOST.stateDir,
        no_create_home: true,
        lock_passwd: true,
      },
      {
        // The credential gateway's workers: the firewall names this user from first boot.
        name: HOST.credentialGatewayUser,
        gecos: "clawkit credential gateway",
        system: true,
        shell: "/usr/sbin/nologin",
        homedir: "/nonexistent",
        no_create_home: true,
        lock_passwd: true,
      },
      {
        // The alert watcher: the firewall names this user from first boot too.
        name: HOST.alertUser,
        gecos: "clawkit alert watcher",
        system: true,
        shell: "/usr/sbin/nologin",
        homedir: "/nonexistent",
        no_create_home: true,
        lock_passwd: true,
      },
      {
        // The backup shipper: the firewall names this user from first boot as well.
        name: HOST.backupUser,
        gecos: "clawkit backup",
        system: true,
        shell: "/usr/sbin/nologin",
        homedir: "/nonexistent",
        no_create_home: true,
        lock_passwd: true,
      },
    ],
    apt: {
      sources: {
        "tailscale.list": {
          source:
            "deb [signed-by=$KEY_FILE] https://pkgs.tailscale.com/stable/debian bookworm main",
          keyid: TAILSCALE_APT_KEY_FINGERPRINT,
        },
      },
    },
    package_update: true,
    packages: ["ufw", "tailscale", "curl"],
    write_files: [
      ...files.map((f) => ({
        path: f.hostPath,
        content: f.content,
        owner: "root:root",
        permissions: "0" + f.mode.toString(8),
      })),
      {
        path: "/etc/systemd/system/clawkit-shred-userdata.service",
        content: readShipped("files/clawkit-shred-userdata.service"),
        owner: "root:root",
        permissions: "0644",
      },
      {
        path: HOST.tailscaleKeyFile,
        content: opts.tailnetAuthKey,
        owner: "root:root",
        permissions: "0600",
      },
    ],
    runcmd: [
      ["sh", `${HOST.libDir}/scripts/firewall.sh`],
      ["systemctl", "restart", "ssh"],
      ["sh", `${HOST.libDir}/scripts/tailscale-join.sh`, opts.hostname],
      ["systemctl", "start", "--no-block", "clawkit-shred-userdata.service"],
    ],
  };
  return "#cloud-config\n" + JSON.stringify(config, null, 1) + "\n";
}
