import { DEFAULTS } from "./config";

/** One configuration key as the operator sees it: the README and Pulumi.yaml list each. */
export interface ConfigKey {
  readonly key: string;
  /** The default as documented, or "required" / "none". */
  readonly default: string;
  /** Must be set with `pulumi config set --secret`. */
  readonly secret: boolean;
  readonly description: string;
}

/** Every key the vps shape reads. A test holds parseConfig, Pulumi.yaml and the README to it. */
export const CONFIG_REFERENCE: readonly ConfigKey[] = [
  {
    key: "clawkit:target",
    default: "required",
    secret: false,
    description: "`vps` (this shape); `moltworker` is refused until that shape ships",
  },
  {
    key: "clawkit:anthropicApiKey",
    default: "none",
    secret: true,
    description: "Anthropic API key; at least one model key is required",
  },
  {
    key: "clawkit:openaiApiKey",
    default: "none",
    secret: true,
    description: "OpenAI API key; at least one model key is required",
  },
  {
    key: "clawkit:model",
    default: `${DEFAULTS.anthropicModel} (or ${DEFAULTS.openaiModel} with only an OpenAI key)`,
    secret: false,
    description: "primary model, `anthropic/<model>` or `openai/<model>`",
  },
  {
    key: "clawkit:tokenRotation",
    default: '""',
    secret: false,
    description: "any string; changing it generates a new gateway token",
  },
  {
    key: "clawkit:gatewayPort",
    default: String(DEFAULTS.gatewayPort),
    secret: false,
    description: "gateway's loopback port, 1024-65535, not 3128",
  },
  {
    key: "clawkit:telegramBotToken",
    default: "none",
    secret: true,
    description: "Telegram bot token; enables the Telegram channel",
  },
  {
    key: "clawkit:telegramAllowFrom",
    default: "none (required with a bot token)",
    secret: false,
    description: "numeric Telegram user ids allowed to talk to the agent",
  },
  {
    key: "clawkit:execSecurity",
    default: DEFAULTS.execSecurity,
    secret: false,
    description: "`allowlist` or `deny`; `full` is refused",
  },
  {
    key: "clawkit:execAllowlist",
    default: "[] (nothing runs)",
    secret: false,
    description:
      "programs the agent may run: names in /usr/bin or absolute paths; shells and interpreters are refused",
  },
  {
    key: "clawkit:bundledSkills",
    default: "[] (none)",
    secret: false,
    description:
      "skills shipped inside the pinned openclaw the agent may use; `clawhub` and `skill-creator` are refused",
  },
  {
    key: "clawkit:egressAllowlist",
    default: "[]",
    secret: false,
    description:
      "extra hostnames the agent may reach through the proxy; `*.domain.tld` allowed, `*` and TLD wildcards refused",
  },
  {
    key: "clawkit:tailnetTags",
    default: JSON.stringify(DEFAULTS.tailnetTags),
    secret: false,
    description: "tags the server joins with; each `tag:…`, owned in your tailnet policy",
  },
  {
    key: "clawkit:hostname",
    default: "openclaw-<stack>",
    secret: false,
    description: "server and tailnet name (a DNS label)",
  },
  {
    key: "clawkit:serverType",
    default: DEFAULTS.serverType,
    secret: false,
    description: "Hetzner server type; `cax…` types are ARM64",
  },
  {
    key: "clawkit:location",
    default: DEFAULTS.location,
    secret: false,
    description: "Hetzner location",
  },
  {
    key: "clawkit:image",
    default: DEFAULTS.image,
    secret: false,
    description: "`debian-12` or the numeric id of your own Debian 12 snapshot",
  },
  {
    key: "clawkit:volumeSizeGb",
    default: String(DEFAULTS.volumeSizeGb),
    secret: false,
    description: "size of the state volume (10-10240)",
  },
  {
    key: "clawkit:keepVolumeOnDestroy",
    default: "true",
    secret: false,
    description: "`pulumi destroy` leaves the state volume in Hetzner",
  },
  {
    key: "clawkit:deleteProtection",
    default: "false",
    secret: false,
    description: "Hetzner delete/rebuild protection on server and volume",
  },
  {
    key: "clawkit:backups",
    default: "true",
    secret: false,
    description: "Hetzner's daily server backups",
  },
  {
    key: "clawkit:adminUser",
    default: DEFAULTS.adminUser,
    secret: false,
    description: "the admin (provisioning) login",
  },
  {
    key: "clawkit:adminSshKeys",
    default: "[]",
    secret: false,
    description: "your own OpenSSH public keys for the admin login",
  },
  {
    key: "hcloud:token",
    default: "required (or HCLOUD_TOKEN)",
    secret: true,
    description: "Hetzner Cloud API token (read/write) of the project to deploy into",
  },
  {
    key: "tailscale:apiKey",
    default: "required (or OAuth client, or TAILSCALE_API_KEY)",
    secret: true,
    description: "Tailscale API key that may create tagged auth keys",
  },
  {
    key: "tailscale:oauthClientId",
    default: "none",
    secret: false,
    description: "Tailscale OAuth client id, instead of an API key",
  },
  {
    key: "tailscale:oauthClientSecret",
    default: "none",
    secret: true,
    description: "Tailscale OAuth client secret, with the client id",
  },
  {
    key: "tailscale:tailnet",
    default: "required (or TAILSCALE_TAILNET)",
    secret: false,
    description: "your tailnet's name",
  },
];
