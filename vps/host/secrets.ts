import { CredentialRoute } from "./credential-gateway";

/** The host's secrets as plain strings: only ever built inside an apply on secret outputs. */
export interface HostSecrets {
  /** The gateway's bearer token: the one secret the agent's own process holds. */
  readonly gatewayToken: string;
  /** Each route's credential, for the credential gateway only. */
  readonly credentials: Readonly<Partial<Record<CredentialRoute, string>>>;
  /** Where alerts are POSTed (`clawkit:alertWebhook`), for the alert watcher only. */
  readonly alertWebhook?: string;
  /** The backup repository's key and the bucket's token, for the backup user only. */
  readonly backup?: {
    readonly key: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
  };
}

/** Characters systemd's EnvironmentFile and nginx's quoting take literally; secrets-apply.sh checks the same set. */
export const SAFE_SECRET_VALUE = /^[A-Za-z0-9._:+/=@-]+$/;

/**
 * The webhook URLs the host takes: https on port 443 with a DNS name, no user or
 * password, no character a curl config's quoted string would interpret.
 * secrets-apply.sh checks the same form.
 */
export const SAFE_WEBHOOK_URL =
  /^https:\/\/[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:443)?(\/[A-Za-z0-9._~:/?&=%+,@-]*)?$/;

/** The stdin line name of a route's credential: secrets-apply.sh sends it to that route's file. */
export function credentialKey(route: CredentialRoute): string {
  return `CREDENTIAL_${route.toUpperCase()}`;
}

/**
 * Renders what clawkit-secrets-apply reads on stdin: the gateway token, which
 * lands in the gateway's root-only env file, and one line a credential, which
 * lands in the credential gateway's root-only files and nowhere the agent reads,
 * and the alert webhook, which lands in a file only the alert watcher's user reads,
 * and the backup's key and token, which land in files only the backup user reads.
 */
export function renderHostSecrets(secrets: HostSecrets): string {
  const entries: [string, string | undefined][] = [
    ["OPENCLAW_GATEWAY_TOKEN", secrets.gatewayToken],
    ...(Object.entries(secrets.credentials) as [CredentialRoute, string | undefined][]).map(
      ([route, value]): [string, string | undefined] => [credentialKey(route), value],
    ),
  ];
  if (secrets.backup) {
    entries.push(
      ["BACKUP_KEY", secrets.backup.key],
      ["BACKUP_ACCESS_KEY_ID", secrets.backup.accessKeyId],
      ["BACKUP_SECRET_ACCESS_KEY", secrets.backup.secretAccessKey],
    );
  }
  if (secrets.alertWebhook) {
    if (!SAFE_WEBHOOK_URL.test(secrets.alertWebhook))
      throw new Error("ALERT_WEBHOOK is not an https URL the host can carry");
    entries.push(["ALERT_WEBHOOK", secrets.alertWebhook]);
  }
  return entries
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "")
    .map(([key, value]) => {
      if (key !== "ALERT_WEBHOOK" && !SAFE_SECRET_VALUE.test(value))
        throw new Error(`${key} holds characters the secrets file cannot carry`);
      return `${key}=${value}\n`;
    })
    .join("");
}
