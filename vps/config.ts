import { ConfigReader, k, readAgentKeys } from "../core/config";
import { CONFIG_NAMES, dnsLabel } from "../core/rules";
import { ExecSecurity, VpsAgentArgs } from "./args";
import { VPS_DEFAULTS, vpsProblems } from "./rules";
import { VpsSettings, vpsSettings } from "./settings";

/** The validated configuration of the vps shape: the agent's args, and its settings. */
export interface VpsConfig extends VpsSettings {
  readonly target: "vps";
  readonly stack: string;
  /** What the stack's keys say, as VpsAgent takes it. */
  readonly args: VpsAgentArgs;
}

/** The tailnet hostname and server name of a stack's agent: openclaw-<stack>. */
export function stackHostname(stack: string): string {
  return dnsLabel("openclaw", stack);
}

/**
 * Reads the vps shape's keys into VpsAgent's args and judges them by the same rules
 * the component applies (vps/rules.ts), naming each `clawkit:` key; adds what only a
 * stack has: the providers' credentials.
 */
export function parseVpsConfig(r: ConfigReader, stack: string): VpsConfig {
  const { source, problem, list, integer, bool, text } = r;
  const shared = readAgentKeys(r);

  const args: VpsAgentArgs = {
    ...shared,
    gatewayPort: integer("gatewayPort", VPS_DEFAULTS.gatewayPort),
    telegramBotToken: r.secret("telegramBotToken"),
    telegramAllowFrom: list("telegramAllowFrom"),
    alertTelegramChats: list("alertTelegramChats"),
    execSecurity: text("execSecurity") as ExecSecurity | undefined,
    execAllowlist: list("execAllowlist"),
    bundledSkills: list("bundledSkills"),
    egressAllowlist: list("egressAllowlist"),
    tailnetTags: list("tailnetTags"),
    hostname: text("hostname"),
    serverType: text("serverType"),
    location: text("location"),
    image: text("image"),
    volumeSizeGb: integer("volumeSizeGb", VPS_DEFAULTS.volumeSizeGb),
    keepVolumeOnDestroy: bool("keepVolumeOnDestroy", true),
    deleteProtection: bool("deleteProtection", false),
    backups: bool("backups", true),
    adminUser: text("adminUser"),
    adminSshKeys: list("adminSshKeys"),
    backupBucket: text("backupBucket"),
    backupEndpoint: text("backupEndpoint"),
    backupRegion: text("backupRegion"),
    backupPrefix: text("backupPrefix"),
    backupAccessKeyId: r.secret("backupAccessKeyId"),
    backupSecretAccessKey: r.secret("backupSecretAccessKey"),
    backupKey: r.secret("backupKey"),
    backupKeepDaily: integer("backupKeepDaily", VPS_DEFAULTS.backupKeepDaily),
    restoreFrom: text("restoreFrom"),
  };
  // The rules judge a secret by whether it is set (a plain-text one is refused above,
  // not reported missing too) and the webhook by its value.
  const given = (name: string) => (source.get(k(name)) ? "" : undefined);
  r.problems.push(
    ...vpsProblems(
      {
        ...args,
        anthropicApiKey: given("anthropicApiKey"),
        openaiApiKey: given("openaiApiKey"),
        telegramBotToken: given("telegramBotToken"),
        alertWebhook: shared.alertWebhook ? source.get(k("alertWebhook")) : undefined,
        backupAccessKeyId: given("backupAccessKeyId"),
        backupSecretAccessKey: given("backupSecretAccessKey"),
        backupKey: args.backupKey ? source.get(k("backupKey")) : undefined,
      },
      CONFIG_NAMES,
    ),
  );

  // Provider credentials: from stack config (encrypted) or the environment.
  r.providerSecret(
    "hcloud:token",
    "HCLOUD_TOKEN",
    "pulumi config set --secret hcloud:token <token>",
  );
  for (const key of ["tailscale:apiKey", "tailscale:oauthClientSecret"]) {
    if (source.get(key) && !source.isSecret(key)) {
      problem(
        key,
        "is stored in plain text in the stack file",
        `pulumi config rm ${key} && pulumi config set --secret ${key} <value>`,
      );
    }
  }
  if (
    !source.get("tailscale:apiKey") &&
    !source.get("tailscale:oauthClientSecret") &&
    !source.env("TAILSCALE_API_KEY") &&
    !source.env("TAILSCALE_OAUTH_CLIENT_SECRET")
  ) {
    r.problems.push({
      key: "tailscale:apiKey",
      message:
        "no Tailscale credential is set (tailscale:apiKey or tailscale:oauthClientId + tailscale:oauthClientSecret)",
      fix: "pulumi config set --secret tailscale:apiKey <tskey-api-…>",
      missing: true,
    });
  }
  if (!source.get("tailscale:tailnet") && !source.env("TAILSCALE_TAILNET")) {
    r.problems.push({
      key: "tailscale:tailnet",
      message: "is not set",
      fix: "pulumi config set tailscale:tailnet <your tailnet, e.g. example.com or -  for the key's default>",
      missing: true,
    });
  }

  return {
    ...vpsSettings(args, stackHostname(stack)),
    target: "vps",
    stack,
    args,
  };
}
