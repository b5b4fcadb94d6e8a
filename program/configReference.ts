import { Target } from "../core/config";
import { DEFAULT_MODELS } from "../core/rules";
import { VPS_DEFAULTS } from "../vps/rules";
import { MOLTWORKER_COMMIT, MOLTWORKER_DEFAULTS } from "../moltworker/rules";

/** One configuration key as the operator sees it: the README and Pulumi.yaml list each. */
export interface ConfigKey {
  readonly key: string;
  /** The default as documented, or "required" / "none". */
  readonly default: string;
  /** Must be set with `pulumi config set --secret`. */
  readonly secret: boolean;
  readonly description: string;
  /** The shapes that read it. */
  readonly shapes: readonly Target[];
}

const ALL: readonly Target[] = ["vps", "moltworker", "host"];
/** The targets that provision a hardened host: a Hetzner server, or a machine the operator owns. */
const HARDENED: readonly Target[] = ["vps", "host"];
const VPS: readonly Target[] = ["vps"];
/** The targets the kit joins to the tailnet: every vps, a machine you own with clawkit:tailnetJoin. */
const JOINS: readonly Target[] = ["vps", "host"];
const HOST: readonly Target[] = ["host"];
const MOLTWORKER: readonly Target[] = ["moltworker"];

/** Every key any shape reads. A test holds parseConfig, Pulumi.yaml and the README to it. */
export const CONFIG_REFERENCE: readonly ConfigKey[] = [
  {
    key: "clawkit:target",
    default: "required",
    secret: false,
    description:
      "`vps`, `moltworker`, or `host` (a Debian 12 machine you own, on your tailnet or joined to it by the kit): which shape the stack deploys",
    shapes: ALL,
  },
  {
    key: "clawkit:agents",
    default: "none (one agent)",
    secret: false,
    description:
      "a map from agent name to that agent's settings (any other `clawkit:` key without its prefix), each over the stack's; set with `--secret` once an entry holds a key",
    shapes: ALL,
  },
  {
    key: "clawkit:anthropicApiKey",
    default: "none",
    secret: true,
    description: "Anthropic API key; at least one model key is required",
    shapes: ALL,
  },
  {
    key: "clawkit:openaiApiKey",
    default: "none",
    secret: true,
    description: "OpenAI API key; at least one model key is required",
    shapes: ALL,
  },
  {
    key: "clawkit:model",
    default: `${DEFAULT_MODELS.anthropic} (or ${DEFAULT_MODELS.openai} with only an OpenAI key)`,
    secret: false,
    description: "primary model, `anthropic/<model>` or `openai/<model>`",
    shapes: ALL,
  },
  {
    key: "clawkit:tokenRotation",
    default: '""',
    secret: false,
    description: "any string; changing it generates a new gateway token",
    shapes: ALL,
  },
  {
    key: "clawkit:lockdown",
    default: "false",
    secret: false,
    description:
      "the incident switch: `true` lets nobody in and cuts the agent off (vps: gateway stopped, no way out for the agent; moltworker: Access denies every person and the gateway restarts), keeping state and logs; `false` brings it back (README: incident runbooks)",
    shapes: ALL,
  },
  {
    key: "clawkit:alertWebhook",
    default: "none",
    secret: true,
    description:
      "https URL that alerts are POSTed to as JSON (ntfy, Slack- or Discord-style webhooks); on moltworker, Cloudflare's billing alert goes there too",
    shapes: ALL,
  },
  {
    key: "clawkit:alertTelegramChats",
    default: "[]",
    secret: false,
    description:
      "numeric Telegram chat ids the bot sends alerts to (needs clawkit:telegramBotToken); refused on moltworker, where Cloudflare cannot send to Telegram",
    shapes: ALL,
  },
  {
    key: "clawkit:gatewayPort",
    default: String(VPS_DEFAULTS.gatewayPort),
    secret: false,
    description: "gateway's loopback port, 1024-65535, not 3128-3132 (the host's proxies)",
    shapes: HARDENED,
  },
  {
    key: "clawkit:telegramBotToken",
    default: "none",
    secret: true,
    description: "Telegram bot token; enables the Telegram channel",
    shapes: ALL,
  },
  {
    key: "clawkit:telegramAllowFrom",
    default: "none (required with a bot token)",
    secret: false,
    description:
      "numeric Telegram user ids allowed to talk to the agent (vps); refused on moltworker, which cannot pass it on (DMs stay on pairing)",
    shapes: ALL,
  },
  {
    key: "clawkit:execSecurity",
    default: VPS_DEFAULTS.execSecurity,
    secret: false,
    description: "`allowlist` or `deny`; `full` is refused",
    shapes: HARDENED,
  },
  {
    key: "clawkit:execAllowlist",
    default: "[] (nothing runs)",
    secret: false,
    description:
      "programs the agent may run: names in /usr/bin or absolute paths; shells and interpreters are refused",
    shapes: HARDENED,
  },
  {
    key: "clawkit:bundledSkills",
    default: "[] (none)",
    secret: false,
    description:
      "skills shipped inside the pinned openclaw the agent may use; `clawhub` and `skill-creator` are refused",
    shapes: HARDENED,
  },
  {
    key: "clawkit:egressAllowlist",
    default: "[]",
    secret: false,
    description:
      "hostnames the agent may reach through the proxy; `*.domain.tld` allowed, `*` and TLD wildcards refused, and so is any name of a model provider or Telegram (the agent reaches those only through the credential gateway)",
    shapes: HARDENED,
  },
  {
    key: "clawkit:tailnetTags",
    default: JSON.stringify(VPS_DEFAULTS.tailnetTags),
    secret: false,
    description:
      "tags the server joins with; each `tag:…`, owned in your tailnet policy (host: only with `clawkit:tailnetJoin`)",
    shapes: JOINS,
  },
  {
    key: "clawkit:hostname",
    default: "openclaw-<stack>",
    secret: false,
    description:
      "server and tailnet name (a DNS label; host: only with `clawkit:tailnetJoin`, the machine's tailnet name)",
    shapes: JOINS,
  },
  {
    key: "clawkit:serverType",
    default: VPS_DEFAULTS.serverType,
    secret: false,
    description: "Hetzner server type; `cax…` types are ARM64",
    shapes: VPS,
  },
  {
    key: "clawkit:location",
    default: VPS_DEFAULTS.location,
    secret: false,
    description: "Hetzner location",
    shapes: VPS,
  },
  {
    key: "clawkit:image",
    default: VPS_DEFAULTS.image,
    secret: false,
    description: "`debian-12` or the numeric id of your own Debian 12 snapshot",
    shapes: VPS,
  },
  {
    key: "clawkit:volumeSizeGb",
    default: String(VPS_DEFAULTS.volumeSizeGb),
    secret: false,
    description: "size of the state volume (10-10240)",
    shapes: VPS,
  },
  {
    key: "clawkit:keepVolumeOnDestroy",
    default: "true",
    secret: false,
    description: "`pulumi destroy` leaves the state volume in Hetzner",
    shapes: VPS,
  },
  {
    key: "clawkit:deleteProtection",
    default: "false",
    secret: false,
    description: "Hetzner delete/rebuild protection on server and volume",
    shapes: VPS,
  },
  {
    key: "clawkit:backups",
    default: "true",
    secret: false,
    description: "Hetzner's daily server backups",
    shapes: VPS,
  },
  {
    key: "clawkit:adminUser",
    default: VPS_DEFAULTS.adminUser,
    secret: false,
    description:
      "the admin (provisioning) login; on `host`, set it to your own login on the machine (NOPASSWD sudo), which the kit's sshd then admits alone",
    shapes: HARDENED,
  },
  {
    key: "clawkit:adminSshKeys",
    default: "[]",
    secret: false,
    description: "your own OpenSSH public keys for the admin login",
    shapes: VPS,
  },
  {
    key: "clawkit:backupBucket",
    default: "none (no kit backups)",
    secret: false,
    description:
      "S3-compatible bucket (R2, Hetzner Object Storage) for the kit's encrypted nightly backups of the agent's state (README: Backups and restore)",
    shapes: HARDENED,
  },
  {
    key: "clawkit:backupEndpoint",
    default: "none (required with a bucket)",
    secret: false,
    description:
      "the bucket's S3 endpoint host, such as `<account id>.r2.cloudflarestorage.com` or `fsn1.your-objectstorage.com` (https on 443; no scheme, port or path)",
    shapes: HARDENED,
  },
  {
    key: "clawkit:backupRegion",
    default: VPS_DEFAULTS.backupRegion,
    secret: false,
    description: "the bucket's S3 region: `auto` for R2; `fsn1`, `nbg1` or `hel1` for Hetzner",
    shapes: HARDENED,
  },
  {
    key: "clawkit:backupPrefix",
    default: "the hostname (host: openclaw-<stack>)",
    secret: false,
    description: "where in the bucket this agent's repository lives",
    shapes: HARDENED,
  },
  {
    key: "clawkit:backupAccessKeyId",
    default: "none (required with a bucket)",
    secret: true,
    description: "access key id of a token scoped to the bucket",
    shapes: HARDENED,
  },
  {
    key: "clawkit:backupSecretAccessKey",
    default: "none (required with a bucket)",
    secret: true,
    description: "that token's secret access key",
    shapes: HARDENED,
  },
  {
    key: "clawkit:backupKey",
    default: "none (required with a bucket)",
    secret: true,
    description:
      "the repository key the backups are encrypted with on the server, 32+ characters; keep a copy outside the stack: without it no backup can be read",
    shapes: HARDENED,
  },
  {
    key: "clawkit:backupKeepDaily",
    default: String(VPS_DEFAULTS.backupKeepDaily),
    secret: false,
    description: "days of daily backups kept (1-3650)",
    shapes: HARDENED,
  },
  {
    key: "clawkit:restoreFrom",
    default: "none",
    secret: false,
    description:
      "`latest` or a snapshot id: a new server's state is restored from the bucket before its gateway first starts (README: Backups and restore)",
    shapes: HARDENED,
  },
  {
    key: "clawkit:host",
    default: "required",
    secret: false,
    description:
      "the machine's MagicDNS name or tailnet address (100.64.0.0/10, fd7a:115c:a1e0::/48), running Debian 12 (or Raspberry Pi OS bookworm, 64-bit) with sshd; a LAN address needs `clawkit:sshFromLan` and `clawkit:sshHostKey`; with `clawkit:tailnetJoin`, its LAN address",
    shapes: HOST,
  },
  {
    key: "clawkit:sshPrivateKey",
    default: "none (your ssh-agent)",
    secret: true,
    description:
      "the admin's unencrypted OpenSSH private key (`pulumi config set --secret clawkit:sshPrivateKey < key`); unset, the kit uses your ssh-agent, which must hold the key (an encrypted key: `ssh-add` it and leave this unset)",
    shapes: HOST,
  },
  {
    key: "clawkit:sshHostKey",
    default: "none (read at first contact over the tailnet)",
    secret: false,
    description:
      "the machine's `ssh-ed25519 …` host key, read on the machine itself (`/etc/ssh/ssh_host_ed25519_key.pub`), pinned from the first packet; required with `clawkit:sshFromLan`, a LAN address or `clawkit:tailnetJoin`",
    shapes: HOST,
  },
  {
    key: "clawkit:sshFromLan",
    default: "[] (the tailnet only)",
    secret: false,
    description:
      "private LAN ranges (10/8, 172.16/12, 192.168/16, fc00::/7) whose machines may also reach sshd, and the kit may provision from; public ranges and `0.0.0.0/0` are refused",
    shapes: HOST,
  },
  {
    key: "clawkit:deleteStateOnDestroy",
    default: "false",
    secret: false,
    description:
      "`pulumi destroy` also deletes the agent's state (`/var/lib/openclaw`); by default it stays, owned by root",
    shapes: HOST,
  },
  {
    key: "clawkit:tailnetJoin",
    default: "false (already on your tailnet)",
    secret: false,
    description:
      "the kit joins the machine to your tailnet with a one-off, preauthorized key tagged `clawkit:tailnetTags`, named `clawkit:hostname` (Tailscale's package must be installed); needs `clawkit:host` as its LAN address inside `clawkit:sshFromLan`, `clawkit:sshHostKey` and the Tailscale credentials; `pulumi destroy` leaves it on the tailnet",
    shapes: HOST,
  },
  {
    key: "clawkit:cloudflareAccountId",
    default: "required",
    secret: false,
    description: "the Cloudflare account (32 hex digits)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:workerName",
    default: "openclaw-<stack>",
    secret: false,
    description: "the worker's name (a DNS label)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:workersSubdomain",
    default: "none (this or a custom domain)",
    secret: false,
    description:
      "your account's workers.dev subdomain: the worker answers on `<workerName>.<subdomain>.workers.dev`",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:customDomain",
    default: "none",
    secret: false,
    description:
      "a hostname in one of your zones, instead of workers.dev (then workers.dev is off)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:zoneId",
    default: "none (required with a custom domain)",
    secret: false,
    description: "the zone of `clawkit:customDomain`",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:accessEmails",
    default: "required",
    secret: false,
    description: "email addresses Cloudflare Access lets in (no wildcards, no domains)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:accessSessionDuration",
    default: MOLTWORKER_DEFAULTS.accessSessionDuration,
    secret: false,
    description: "how long an Access login lasts (`30m`, `24h`; at most `720h`)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:accessOneTimePin",
    default: "false",
    secret: false,
    description:
      "create a one-time-PIN login and allow only it (else every login method of your Zero Trust account)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:bucketName",
    default: "openclaw-<stack>-state",
    secret: false,
    description: "the R2 bucket for the agent's state",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:bucketLocation",
    default: "none (automatic)",
    secret: false,
    description: "R2 location hint: apac, eeur, enam, weur, wnam, oc",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:bucketJurisdiction",
    default: "default",
    secret: false,
    description: "R2 jurisdiction: `default`, `eu` or `fedramp`",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:bucketOnDestroy",
    default: "refuse",
    secret: false,
    description:
      "`refuse`: `pulumi destroy` stops before it touches the bucket; `keep`: the bucket stays in your account; `export`: downloaded to `exports/`, then emptied and deleted",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:aiGateway",
    default: "false",
    secret: false,
    description: "send model traffic through a Cloudflare AI Gateway (logs on, rate-limited)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:aiGatewayRateLimit",
    default: String(MOLTWORKER_DEFAULTS.aiGatewayRateLimit),
    secret: false,
    description: "AI Gateway requests per minute (sliding window)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:browser",
    default: "false",
    secret: false,
    description:
      "moltworker's browser route (`/cdp`, its own generated secret, the only path past Access)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:moltworkerDir",
    default: "required",
    secret: false,
    description: "the moltworker checkout wrangler deploys from (dependencies installed)",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:moltworkerCommit",
    default: MOLTWORKER_COMMIT,
    secret: false,
    description: "the commit the checkout must be at, or `unpinned`",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:billingAlertEmail",
    default: "none",
    secret: false,
    description: "email a billing alert here when Workers requests pass the threshold",
    shapes: MOLTWORKER,
  },
  {
    key: "clawkit:billingAlertRequests",
    default: String(MOLTWORKER_DEFAULTS.billingAlertRequests),
    secret: false,
    description: "the billing alert's threshold, in Workers requests",
    shapes: MOLTWORKER,
  },
  {
    key: "cloudflare:apiToken",
    default: "required (or CLOUDFLARE_API_TOKEN)",
    secret: true,
    description:
      "Cloudflare API token for Pulumi and wrangler (permissions: Moltworker quick start)",
    shapes: MOLTWORKER,
  },
  {
    key: "hcloud:token",
    default: "required (or HCLOUD_TOKEN)",
    secret: true,
    description: "Hetzner Cloud API token (read/write) of the project to deploy into",
    shapes: VPS,
  },
  {
    key: "tailscale:apiKey",
    default: "required (or OAuth client, or TAILSCALE_API_KEY)",
    secret: true,
    description:
      "Tailscale API key that may create tagged auth keys (host: only with `clawkit:tailnetJoin`)",
    shapes: JOINS,
  },
  {
    key: "tailscale:oauthClientId",
    default: "none",
    secret: false,
    description: "Tailscale OAuth client id, instead of an API key",
    shapes: JOINS,
  },
  {
    key: "tailscale:oauthClientSecret",
    default: "none",
    secret: true,
    description: "Tailscale OAuth client secret, with the client id",
    shapes: JOINS,
  },
  {
    key: "tailscale:tailnet",
    default: "required (or TAILSCALE_TAILNET)",
    secret: false,
    description: "your tailnet's name",
    shapes: JOINS,
  },
];
