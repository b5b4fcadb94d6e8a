import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { ExposureCheck } from "./exposureCheck";
import { renderHostSecrets } from "./host/secrets";
import { HostLockdown } from "./hostLockdown";
import { HostPosture } from "./hostPosture";
import { Provisioner } from "./provisioner";
import { SecretsSync } from "./secretsSync";
import { HardenedHostSettings } from "./settings";

/** The host's secrets file as the secrets command takes it on stdin (secret). */
export function hostSecretsEnv(
  settings: HardenedHostSettings,
  gatewayToken: pulumi.Output<string>,
): pulumi.Output<string> {
  return pulumi
    .all([
      gatewayToken,
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
}

/** What a provisioned host's later steps need. */
export interface AfterProvisioningArgs {
  readonly provisioner: Provisioner;
  /** The bundle's hash: a new bundle runs the checks again. */
  readonly bundleSha256: pulumi.Output<string>;
  readonly settings: HardenedHostSettings;
  /** The gateway token (secret). */
  readonly gatewayToken: pulumi.Output<string>;
  /** https://<the host's tailnet name>. */
  readonly tailnetUrl: pulumi.Output<string>;
  /** The host's public addresses the exposure check probes; "" for none. */
  readonly ipv4: pulumi.Input<string>;
  readonly ipv6: pulumi.Input<string>;
}

/**
 * Every step after provisioning, on the pinned connection, whatever provisioned the
 * host: the secrets on stdin, the lockdown switch, the posture report, and the exposure
 * check on the operator's machine. Each is a child of the agent, named after it.
 */
export function afterProvisioning(
  agent: pulumi.ComponentResource,
  name: string,
  args: AfterProvisioningArgs,
): { lockdown: HostLockdown; posture: HostPosture } {
  const { provisioner, settings } = args;
  const secretsEnv = hostSecretsEnv(settings, args.gatewayToken);
  const secrets = new SecretsSync(
    `${name}-gateway-secrets`,
    { connection: provisioner.connection, secretsEnv },
    { parent: agent, dependsOn: [provisioner.run] },
  );
  const lockdown = new HostLockdown(
    `${name}-host-lockdown`,
    {
      connection: provisioner.connection,
      lockdown: settings.lockdown,
      provisioned: provisioner.run.id,
    },
    { parent: agent, dependsOn: [secrets.apply] },
  );

  // What changes the host: a provisioning run, a new bundle, new secrets (as a digest,
  // itself kept secret in the state), the lockdown. Each makes the checks run again.
  const hostChanges = [
    provisioner.run.id,
    args.bundleSha256,
    pulumi.secret(secretsEnv.apply((env) => crypto.createHash("sha256").update(env).digest("hex"))),
    String(settings.lockdown),
  ];
  // Read after the lockdown switch, so it reports the host as the switch left it.
  const posture = new HostPosture(
    `${name}-host-posture`,
    { connection: provisioner.connection, triggers: hostChanges },
    { parent: agent, dependsOn: [lockdown] },
  );

  new ExposureCheck(
    `${name}-exposure-check`,
    {
      ipv4: args.ipv4,
      ipv6: args.ipv6,
      tailnetUrl: args.tailnetUrl,
      gatewayPort: settings.gatewayPort,
      // Every port something on the host listens on, whatever its address.
      extraPorts: posture.listeningPorts,
      gatewayToken: args.gatewayToken,
      lockdown: settings.lockdown,
      hostChanges,
    },
    // After the lockdown switch and the posture: a locked-down host is checked as one.
    { parent: agent, dependsOn: [lockdown, posture] },
  );
  return { lockdown, posture };
}
