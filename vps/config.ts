import { ConfigReader, k, readAgentKeys } from "../core/config";
import { CONFIG_NAMES, dnsLabel } from "../core/rules";
import { ExecSecurity, HardenedHostArgs, VpsAgentArgs } from "./args";
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

/** A hardened host's keys as read, and as the rules judge them. */
export interface HardenedHostKeys {
  /** What the keys say, as a component takes it. */
  readonly args: HardenedHostArgs;
  /**
   * The same, as the rules judge them here: a secret by whether it is set (a plain-text
   * one is refused by the reader, not reported missing too), the webhook and the backup
   * key by their values.
   */
  readonly judged: HardenedHostArgs;
}

/**
 * Reads the keys every target that provisions a machine shares: the agent's, the
 * gateway, its channels, what the agent may run and reach, the admin login, backups.
 */
export function readHardenedHostKeys(r: ConfigReader): HardenedHostKeys {
  const { source, list, integer, text } = r;
  const shared = readAgentKeys(r);
  const args: HardenedHostArgs = {
    ...shared,
    gatewayPort: integer("gatewayPort", VPS_DEFAULTS.gatewayPort),
    telegramBotToken: r.secret("telegramBotToken"),
    telegramAllowFrom: list("telegramAllowFrom"),
    alertTelegramChats: list("alertTelegramChats"),
    execSecurity: text("execSecurity") as ExecSecurity | undefined,
    execAllowlist: list("execAllowlist"),
    bundledSkills: list("bundledSkills"),
    egressAllowlist: list("egressAllowlist"),
    adminUser: text("adminUser"),
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
  const given = (name: string) => (source.get(k(name)) ? "" : undefined);
  return {
    args,
    judged: {
      ...args,
      anthropicApiKey: given("anthropicApiKey"),
      openaiApiKey: given("openaiApiKey"),
      telegramBotToken: given("telegramBotToken"),
      alertWebhook: shared.alertWebhook ? source.get(k("alertWebhook")) : undefined,
      backupAccessKeyId: given("backupAccessKeyId"),
      backupSecretAccessKey: given("backupSecretAccessKey"),
      backupKey: args.backupKey ? source.get(k("backupKey")) : undefined,
    },
  };
}

/**
 * Checks the Tailscale provider's credentials, which mint the one-off key a machine
 * joins the tailnet with: an API key or an OAuth client, and the tailnet, from the stack
 * (encrypted) or the environment. One in plain text is refused on any stack; they are
 * required where the kit joins a machine (every vps, an owned machine with
 * clawkit:tailnetJoin).
 */
export function checkTailscaleCredentials(r: ConfigReader, required: boolean): void {
  const { source, problem } = r;
  for (const key of ["tailscale:apiKey", "tailscale:oauthClientSecret"]) {
    if (source.get(key) && !source.isSecret(key)) {
      problem(
        key,
        "is stored in plain text in the stack file",
        `pulumi config rm ${key} && pulumi config set --secret ${key} <value>`,
      );
    }
  }
  if (!required) return;
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
}

/**
 * Reads the vps shape's keys into VpsAgent's args and judges them by the same rules
 * the component applies (vps/rules.ts), naming each `clawkit:` key; adds what only a
 * stack has: the providers' credentials.
 */
export function parseVpsConfig(r: ConfigReader, stack: string): VpsConfig {
  const { list, integer, bool, text } = r;
  const hardened = readHardenedHostKeys(r);
  const own = {
    tailnetTags: list("tailnetTags"),
    hostname: text("hostname"),
    serverType: text("serverType"),
    location: text("location"),
    image: text("image"),
    volumeSizeGb: integer("volumeSizeGb", VPS_DEFAULTS.volumeSizeGb),
    keepVolumeOnDestroy: bool("keepVolumeOnDestroy", true),
    deleteProtection: bool("deleteProtection", false),
    backups: bool("backups", true),
    adminSshKeys: list("adminSshKeys"),
  };
  const args: VpsAgentArgs = { ...hardened.args, ...own };
  r.problems.push(...vpsProblems({ ...hardened.judged, ...own }, CONFIG_NAMES));

  // Provider credentials: from stack config (encrypted) or the environment.
  r.providerSecret(
    "hcloud:token",
    "HCLOUD_TOKEN",
    "pulumi config set --secret hcloud:token <token>",
  );
  checkTailscaleCredentials(r, true);

  return {
    ...vpsSettings(args, stackHostname(stack)),
    target: "vps",
    stack,
    args,
  };
}
