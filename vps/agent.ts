import * as pulumi from "@pulumi/pulumi";
import { packBundle, renderBundle, HostSettings } from "./host/bundle";
import { renderHostSecrets } from "./host/secrets";
import * as crypto from "crypto";
import { ExposureCheck } from "./exposureCheck";
import { GatewayToken } from "../core/gatewayToken";
import { HardenedServer } from "./hardenedServer";
import { HostLockdown } from "./hostLockdown";
import { HostPosture } from "./hostPosture";
import { Provisioner } from "./provisioner";
import { SecretsSync } from "./secretsSync";
import { TailnetAccess, waitForTailnetDevice } from "./tailnetAccess";
import { VpsConfig } from "../core/config";

/** What the vps stack exports. */
export interface VpsOutputs {
  /** The gateway's bearer token (secret). */
  readonly gatewayToken: pulumi.Output<string>;
  /** The gateway's address on the tailnet (HTTPS through tailscale serve). */
  readonly tailnetUrl: pulumi.Output<string>;
  /** The server's public IPv4 (no port is open on it). */
  readonly serverIpv4: pulumi.Output<string>;
  /** The server's public IPv6 (no port is open on it either). */
  readonly serverIpv6: pulumi.Output<string>;
  /** How to log in, from a machine on the tailnet. */
  readonly sshCommand: pulumi.Output<string>;
  /** The kit's provisioning key (secret): for an operator without clawkit:adminSshKeys. */
  readonly adminPrivateKey: pulumi.Output<string>;
  /** The server's pinned SSH host key. */
  readonly sshHostKey: pulumi.Output<string>;
  /** What the last lockdown switch did on the host (`clawkit:lockdown`). */
  readonly lockdown: pulumi.Output<string>;
  /** The host's posture after this run (clawkit-posture --json): no secret in it. */
  readonly posture: pulumi.Output<Record<string, unknown>>;
  /** The TCP ports something listens on, on the host: what the exposure check probes. */
  readonly listeningPorts: pulumi.Output<number[]>;
}

/** The non-secret host settings a configuration implies. */
export function hostSettings(config: VpsConfig, volumeDevice?: string): HostSettings {
  const providers = [
    ...(config.anthropicApiKey ? (["anthropic"] as const) : []),
    ...(config.openaiApiKey ? (["openai"] as const) : []),
  ];
  return {
    adminUser: config.adminUser,
    architecture: config.architecture,
    volumeDevice,
    openclaw: {
      gatewayPort: config.gatewayPort,
      model: config.model,
      providers,
      execSecurity: config.execSecurity,
      execAllowlist: config.execAllowlist,
      bundledSkills: config.bundledSkills,
      telegramAllowFrom: config.telegram?.allowFrom,
    },
    egressAllowlist: config.egressAllowlist,
    alertTelegramChats: config.alertTelegramChats,
  };
}

/** Builds the vps shape: Hetzner server on the tailnet, provisioned over it. */
export function createVpsStack(config: VpsConfig): VpsOutputs {
  const labels = {
    "managed-by": "clawkit",
    "clawkit-stack": config.stack.toLowerCase().replace(/[^a-z0-9-]/g, "-"),
  };

  const token = new GatewayToken("gateway-token", { rotation: config.tokenRotation });
  const tailnet = new TailnetAccess("tailnet", { tags: config.tailnetTags });

  const host = new HardenedServer("host", {
    hostname: config.hostname,
    serverType: config.serverType,
    location: config.location,
    image: config.image,
    volumeSizeGb: config.volumeSizeGb,
    keepVolumeOnDestroy: config.keepVolumeOnDestroy,
    deleteProtection: config.deleteProtection,
    backups: config.backups,
    adminUser: config.adminUser,
    adminSshKeys: config.adminSshKeys,
    tailnetAuthKey: tailnet.authKey,
    labels,
  });

  const device = waitForTailnetDevice(config.hostname, host.server.id, { parent: host });
  const bundle = host.volumeDevice.apply((volumeDevice) =>
    packBundle(renderBundle(hostSettings(config, volumeDevice))),
  );

  const provisioner = new Provisioner(
    "host",
    {
      host: device.addresses[0],
      user: config.adminUser,
      privateKey: host.adminPrivateKey,
      bundle,
    },
    { dependsOn: [host.volumeAttachment] },
  );

  const secretsEnv = pulumi
    .all([
      token.value,
      config.anthropicApiKey,
      config.openaiApiKey,
      config.telegram?.botToken,
      config.alertWebhook,
    ])
    .apply(([gatewayToken, anthropicApiKey, openaiApiKey, telegramBotToken, alertWebhook]) =>
      renderHostSecrets({
        gatewayToken,
        credentials: {
          anthropic: anthropicApiKey,
          openai: openaiApiKey,
          telegram: telegramBotToken,
        },
        alertWebhook,
      }),
    );
  const secrets = new SecretsSync(
    "gateway-secrets",
    { connection: provisioner.connection, secretsEnv },
    { dependsOn: [provisioner.run] },
  );
  const lockdown = new HostLockdown(
    "host-lockdown",
    {
      connection: provisioner.connection,
      lockdown: config.lockdown,
      provisioned: provisioner.run.id,
    },
    { dependsOn: [secrets.apply] },
  );

  // What changes the host: a provisioning run, a new bundle, new secrets (as a digest,
  // itself kept secret in the state), the lockdown. Each makes the checks run again.
  const hostChanges = [
    provisioner.run.id,
    bundle.sha256,
    pulumi.secret(secretsEnv.apply((env) => crypto.createHash("sha256").update(env).digest("hex"))),
    String(config.lockdown),
  ];
  // Read after the lockdown switch, so it reports the host as the switch left it.
  const posture = new HostPosture(
    "host-posture",
    { connection: provisioner.connection, triggers: hostChanges },
    { dependsOn: [lockdown] },
  );

  const tailnetUrl = pulumi.interpolate`https://${device.name}`;
  new ExposureCheck(
    "exposure-check",
    {
      ipv4: host.server.ipv4Address,
      ipv6: host.server.ipv6Address,
      tailnetUrl,
      gatewayPort: config.gatewayPort,
      // Every port something on the host listens on, whatever its address.
      extraPorts: posture.listeningPorts,
      gatewayToken: token.value,
      lockdown: config.lockdown,
      hostChanges,
    },
    // After the lockdown switch and the posture: a locked-down host is checked as one.
    { dependsOn: [lockdown, posture] },
  );

  return {
    gatewayToken: token.value,
    tailnetUrl,
    serverIpv4: host.server.ipv4Address,
    serverIpv6: host.server.ipv6Address,
    sshCommand: pulumi.interpolate`ssh ${config.adminUser}@${device.name}`,
    adminPrivateKey: host.adminPrivateKey,
    sshHostKey: provisioner.hostKey,
    lockdown: lockdown.report,
    posture: posture.report,
    listeningPorts: posture.listeningPorts,
  };
}
