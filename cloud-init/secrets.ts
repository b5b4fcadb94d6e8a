/** The gateway's secrets as plain strings: only ever built inside an apply on secret outputs. */
export interface GatewaySecrets {
  readonly gatewayToken: string;
  readonly anthropicApiKey?: string;
  readonly openaiApiKey?: string;
  readonly telegramBotToken?: string;
}

/** Characters systemd's EnvironmentFile takes literally; secrets-apply.sh checks the same set. */
export const SAFE_SECRET_VALUE = /^[A-Za-z0-9._:+/=@-]+$/;

/**
 * Renders /etc/clawkit/secrets.env, the gateway's only source of secrets.
 * It travels on a command's stdin and lands root-only (0600).
 */
export function renderSecretsEnv(secrets: GatewaySecrets): string {
  const entries: [string, string | undefined][] = [
    ["OPENCLAW_GATEWAY_TOKEN", secrets.gatewayToken],
    ["ANTHROPIC_API_KEY", secrets.anthropicApiKey],
    ["OPENAI_API_KEY", secrets.openaiApiKey],
    ["TELEGRAM_BOT_TOKEN", secrets.telegramBotToken],
  ];
  return entries
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "")
    .map(([key, value]) => {
      if (!SAFE_SECRET_VALUE.test(value))
        throw new Error(`${key} holds characters the secrets file cannot carry`);
      return `${key}=${value}\n`;
    })
    .join("");
}
