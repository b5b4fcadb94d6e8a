import * as pulumi from "@pulumi/pulumi";
import { GatewayToken } from "../core/gatewayToken";
import { ARG_NAMES, dnsLabel, plainArgProblems, refuseArgs } from "../core/rules";
import { afterProvisioning } from "./afterProvisioning";
import { VPS_INPUT_ARGS, VpsAgentArgs } from "./args";
import { HardenedServer } from "./hardenedServer";
import { packBundle, renderBundle } from "./host/bundle";
import { Provisioner } from "./provisioner";
import { vpsProblems } from "./rules";
import { hostSettings, vpsSettings } from "./settings";
import { TailnetAccess, waitForTailnetDevice } from "./tailnetAccess";

export { VpsAgentArgs } from "./args";

/**
 * One OpenClaw agent on a hardened Hetzner server that nobody can reach from the
 * internet: a one-off tailnet key, the server and its state volume, provisioning over
 * the tailnet, the secrets on stdin, the lockdown switch, the posture report and the
 * exposure check. Its args are checked by the same rules as the `clawkit:` keys; a bad
 * one fails with a ResourceError naming it, before anything is registered.
 */
export class VpsAgent extends pulumi.ComponentResource {
  /** The gateway's bearer token (secret). */
  public readonly gatewayToken: pulumi.Output<string>;
  /** The gateway's address on the tailnet (HTTPS through tailscale serve). */
  public readonly tailnetUrl: pulumi.Output<string>;
  /** The server's public IPv4 (no port is open on it). */
  public readonly serverIpv4: pulumi.Output<string>;
  /** The server's public IPv6 (no port is open on it either). */
  public readonly serverIpv6: pulumi.Output<string>;
  /** How to log in, from a machine on the tailnet. */
  public readonly sshCommand: pulumi.Output<string>;
  /** The kit's provisioning key (secret): for an operator without adminSshKeys. */
  public readonly adminPrivateKey: pulumi.Output<string>;
  /** The server's pinned SSH host key. */
  public readonly sshHostKey: pulumi.Output<string>;
  /** What the last lockdown switch did on the host. */
  public readonly lockdown: pulumi.Output<string>;
  /** The host's posture after this run (clawkit-posture --json): no secret in it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON, typed "Any" in the schema
  public readonly posture: pulumi.Output<Record<string, any>>;
  /** The TCP ports something listens on, on the host: what the exposure check probes. */
  public readonly listeningPorts: pulumi.Output<number[]>;

  constructor(name: string, args: VpsAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refused before anything, this component included, is registered.
    refuseArgs("VpsAgent", name, plainArgProblems(args, VPS_INPUT_ARGS, ARG_NAMES));
    refuseArgs("VpsAgent", name, vpsProblems(args, ARG_NAMES));
    super("clawkit:index:VpsAgent", name, {}, opts);
    const settings = vpsSettings(args, dnsLabel("openclaw", pulumi.getStack(), name));

    const labels = {
      "managed-by": "clawkit",
      "clawkit-stack": dnsLabel(pulumi.getStack()),
      "clawkit-agent": dnsLabel(name),
    };

    const token = new GatewayToken(
      `${name}-gateway-token`,
      { rotation: settings.tokenRotation },
      { parent: this },
    );
    const tailnet = new TailnetAccess(
      `${name}-tailnet`,
      { tags: settings.tailnetTags },
      { parent: this },
    );

    const host = new HardenedServer(
      `${name}-host`,
      {
        hostname: settings.hostname,
        serverType: settings.serverType,
        location: settings.location,
        image: settings.image,
        volumeSizeGb: settings.volumeSizeGb,
        keepVolumeOnDestroy: settings.keepVolumeOnDestroy,
        deleteProtection: settings.deleteProtection,
        backups: settings.backups,
        adminUser: settings.adminUser,
        adminSshKeys: settings.adminSshKeys,
        tailnetAuthKey: tailnet.authKey,
        labels,
      },
      { parent: this },
    );

    const device = waitForTailnetDevice(settings.hostname, host.server.id, { parent: host });
    const bundle = host.volumeDevice.apply((volumeDevice) =>
      packBundle(renderBundle(hostSettings(settings, volumeDevice))),
    );

    const provisioner = new Provisioner(
      `${name}-host`,
      {
        host: device.addresses[0],
        user: settings.adminUser,
        privateKey: host.adminPrivateKey,
        bundle,
      },
      { parent: this, dependsOn: [host.volumeAttachment] },
    );

    const tailnetUrl = pulumi.interpolate`https://${device.name}`;
    const { lockdown, posture } = afterProvisioning(this, name, {
      provisioner,
      bundleSha256: bundle.sha256,
      settings,
      gatewayToken: token.value,
      tailnetUrl,
      ipv4: host.server.ipv4Address,
      ipv6: host.server.ipv6Address,
    });

    this.gatewayToken = token.value;
    this.tailnetUrl = tailnetUrl;
    this.serverIpv4 = host.server.ipv4Address;
    this.serverIpv6 = host.server.ipv6Address;
    this.sshCommand = pulumi.interpolate`ssh ${settings.adminUser}@${device.name}`;
    this.adminPrivateKey = host.adminPrivateKey;
    this.sshHostKey = provisioner.hostKey;
    this.lockdown = lockdown.report;
    this.posture = posture.report;
    this.listeningPorts = posture.listeningPorts;
    this.registerOutputs({
      gatewayToken: this.gatewayToken,
      tailnetUrl: this.tailnetUrl,
      serverIpv4: this.serverIpv4,
      serverIpv6: this.serverIpv6,
      sshCommand: this.sshCommand,
      adminPrivateKey: this.adminPrivateKey,
      sshHostKey: this.sshHostKey,
      lockdown: this.lockdown,
      posture: this.posture,
      listeningPorts: this.listeningPorts,
    });
  }
}
