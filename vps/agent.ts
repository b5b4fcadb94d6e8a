import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { GatewayToken } from "../core/gatewayToken";
import { ARG_NAMES, dnsLabel, plainArgProblems, refuseArgs } from "../core/rules";
import { VPS_INPUT_ARGS, VpsAgentArgs } from "./args";
import { ExposureCheck } from "./exposureCheck";
import { HardenedServer } from "./hardenedServer";
import { packBundle, renderBundle } from "./host/bundle";
import { renderHostSecrets } from "./host/secrets";
import { HostLockdown } from "./hostLockdown";
import { HostPosture } from "./hostPosture";
import { Provisioner } from "./provisioner";
import { vpsProblems } from "./rules";
import { SecretsSync } from "./secretsSync";
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

    const secretsEnv = pulumi
      .all([
        token.value,
        settings.anthropicApiKey,
        settings.openaiApiKey,
        settings.telegram?.botToken,
        settings.alertWebhook,
        settings.backup?.key,
        settings.backup?.accessKeyId,
        settings.backup?.secretAccessKey,
      ])
      .apply(
        ([
          gatewayToken,
          anthropicApiKey,
          openaiApiKey,
          telegramBotToken,
          alertWebhook,
          backupKey,
          backupAccessKeyId,
          backupSecretAccessKey,
        ]) =>
          renderHostSecrets({
            gatewayToken,
            credentials: {
              anthropic: anthropicApiKey,
              openai: openaiApiKey,
              telegram: telegramBotToken,
            },
            alertWebhook,
            backup:
              backupKey && backupAccessKeyId && backupSecretAccessKey
                ? {
                    key: backupKey,
                    accessKeyId: backupAccessKeyId,
                    secretAccessKey: backupSecretAccessKey,
                  }
                : undefined,
          }),
      );
    const secrets = new SecretsSync(
      `${name}-gateway-secrets`,
      { connection: provisioner.connection, secretsEnv },
      { parent: this, dependsOn: [provisioner.run] },
    );
    const lockdown = new HostLockdown(
      `${name}-host-lockdown`,
      {
        connection: provisioner.connection,
        lockdown: settings.lockdown,
        provisioned: provisioner.run.id,
      },
      { parent: this, dependsOn: [secrets.apply] },
    );

    // What changes the host: a provisioning run, a new bundle, new secrets (as a digest,
    // itself kept secret in the state), the lockdown. Each makes the checks run again.
    const hostChanges = [
      provisioner.run.id,
      bundle.sha256,
      pulumi.secret(
        secretsEnv.apply((env) => crypto.createHash("sha256").update(env).digest("hex")),
      ),
      String(settings.lockdown),
    ];
    // Read after the lockdown switch, so it reports the host as the switch left it.
    const posture = new HostPosture(
      `${name}-host-posture`,
      { connection: provisioner.connection, triggers: hostChanges },
      { parent: this, dependsOn: [lockdown] },
    );

    const tailnetUrl = pulumi.interpolate`https://${device.name}`;
    new ExposureCheck(
      `${name}-exposure-check`,
      {
        ipv4: host.server.ipv4Address,
        ipv6: host.server.ipv6Address,
        tailnetUrl,
        gatewayPort: settings.gatewayPort,
        // Every port something on the host listens on, whatever its address.
        extraPorts: posture.listeningPorts,
        gatewayToken: token.value,
        lockdown: settings.lockdown,
        hostChanges,
      },
      // After the lockdown switch and the posture: a locked-down host is checked as one.
      { parent: this, dependsOn: [lockdown, posture] },
    );

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
