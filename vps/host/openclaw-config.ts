import {
  CREDENTIAL_PLACEHOLDER,
  credentialGatewayUrl,
  TELEGRAM_TOKEN_PLACEHOLDER,
} from "./credential-gateway";
import { HOST } from "./paths";

/** The agent-facing choices that shape openclaw.json. */
export interface OpenclawOptions {
  /** The loopback port the gateway listens on. */
  readonly gatewayPort: number;
  /** The primary model, "anthropic/…" or "openai/…". */
  readonly model: string;
  /** Model providers with a credential on the host. */
  readonly providers: readonly ("anthropic" | "openai")[];
  /** "allowlist" (default) or "deny"; "full" is refused earlier, by config validation. */
  readonly execSecurity: "allowlist" | "deny";
  /** Programs the agent may run in allowlist mode (names in /usr/bin, or absolute paths). */
  readonly execAllowlist: readonly string[];
  /** Skills shipped in the package the agent may use; none by default. */
  readonly bundledSkills: readonly string[];
  /** Telegram user ids allowed to talk to the agent; undefined when Telegram is off. */
  readonly telegramAllowFrom?: readonly string[];
}

/** An env-var secret reference: the value stays in the root-only secrets file. */
function fromEnv(name: string) {
  return { source: "env", provider: "default", id: name };
}

/** The beta features openclaw asks api.anthropic.com for itself, and drops for any other base URL. */
const ANTHROPIC_BETAS = "fine-grained-tool-streaming-2025-05-14,interleaved-thinking-2025-05-14";

/**
 * Each model provider through the credential gateway: its loopback address and a
 * placeholder where openclaw wants a key. The real key never reaches openclaw.
 */
function providersThroughCredentialGateway(providers: OpenclawOptions["providers"]) {
  return Object.fromEntries(
    providers.map((p) => [
      p,
      {
        baseUrl: credentialGatewayUrl(p),
        // Without it openclaw sends its small-model calls (titles, summaries) to an
        // OpenAI-style path of a custom base URL, which the credential gateway refuses.
        api: p === "anthropic" ? "anthropic-messages" : "openai-responses",
        apiKey: CREDENTIAL_PLACEHOLDER,
        ...(p === "anthropic" ? { headers: { "anthropic-beta": ANTHROPIC_BETAS } } : {}),
      },
    ]),
  );
}

/**
 * Renders openclaw.json: loopback only, token auth with the token read from the
 * environment (never written here), model providers and Telegram through the
 * credential gateway with placeholders for their credentials, a rate limit on failed auth, tailscale serve
 * as the only trusted proxy, no discovery, no update or catalog calls, all
 * traffic through the egress proxy, exec in allowlist (or deny) mode, no
 * bundled skills, no browser, no operator terminal, no silent device pairing,
 * no installs, channels by allowlist only.
 */
export function renderOpenclawConfig(opts: OpenclawOptions): string {
  const plugins = [
    ...opts.providers,
    ...(opts.telegramAllowFrom ? ["telegram"] : []),
    "memory-core",
  ];
  const config = {
    gateway: {
      mode: "local",
      bind: "loopback",
      port: opts.gatewayPort,
      auth: {
        mode: "token",
        token: fromEnv("OPENCLAW_GATEWAY_TOKEN"),
        // Tailscale identity headers could only be checked by a gateway that runs
        // `tailscale serve` itself and reaches tailscaled; this one does neither,
        // so the token is required on the tailnet too.
        allowTailscale: false,
        // Loopback without a forwarded header is this host (the health check), not a client:
        // tailscale serve always forwards the client address, so tailnet callers stay limited.
        rateLimit: { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: true },
      },
      tailscale: { mode: "off" },
      trustedProxies: ["127.0.0.1"],
      allowRealIpFallback: false,
      // On by default: an unconfined host shell (terminal.open) for any admin-scoped client.
      terminal: { enabled: false },
      // Claude Code/Codex CLI sessions bring their own shell, outside the exec allowlist.
      cliAgents: { enabled: false },
      nodes: {
        pairing: {
          // On by default: a new device or node from loopback is paired silently, as admin if it asks.
          autoApproveLocal: false,
          // On by default: node pairing approved by an SSH probe back to a private or tailnet address.
          sshVerify: false,
        },
      },
    },
    discovery: { mdns: { mode: "off" } },
    update: { checkOnStart: false },
    telemetry: { enabled: false },
    models: {
      catalogRefresh: { enabled: false },
      mode: "merge",
      providers: providersThroughCredentialGateway(opts.providers),
    },
    proxy: { enabled: true, proxyUrl: `http://127.0.0.1:${HOST.proxyPort}` },
    env: { shellEnv: { enabled: false } },
    agents: {
      defaults: {
        model: { primary: opts.model },
        // OpenClaw's own runtime: an implicit Codex runtime would fetch a plugin from npm at run time.
        models: { [opts.model]: { agentRuntime: { id: "openclaw" } } },
        sandbox: { mode: "off" },
      },
    },
    session: { dmScope: "per-channel-peer" },
    tools: {
      profile: "messaging",
      ...(opts.execSecurity === "allowlist" ? { alsoAllow: ["exec"] } : {}),
      deny: [
        "group:automation",
        "group:fs",
        "process",
        "code_execution",
        "sessions_spawn",
        "sessions_send",
        ...(opts.execSecurity === "deny" ? ["exec"] : []),
      ],
      exec: {
        host: "gateway",
        // "allowlist" is openclaw's security=allowlist with ask off: a miss is denied,
        // never turned into an approval prompt that could grow the list. (openclaw
        // refuses `mode` together with `security`/`ask`.)
        mode: opts.execSecurity,
        // No default "safe" stdin filters (cut, head, tail, tr, uniq, wc): only the list runs.
        safeBins: [],
        strictInlineEval: true,
      },
      fs: { workspaceOnly: true },
      elevated: { enabled: false },
      sessions: { visibility: "agent" },
      agentToAgent: { enabled: false },
    },
    skills: { allowBundled: [...opts.bundledSkills] },
    // Enabled without a policy command, every skill, skill-dependency and plugin install fails closed.
    security: { installPolicy: { enabled: true } },
    plugins: {
      allow: plugins,
      deny: ["browser", "canvas", "cua-computer", "file-transfer", "device-pair"],
    },
    browser: { enabled: false },
    logging: { level: "info", file: `${HOST.stateDir}/state/logs/openclaw.log` },
    ...(opts.telegramAllowFrom
      ? {
          channels: {
            telegram: {
              enabled: true,
              // The credential gateway puts the real token into the path it forwards.
              botToken: TELEGRAM_TOKEN_PLACEHOLDER,
              apiRoot: credentialGatewayUrl("telegram"),
              dmPolicy: "allowlist",
              allowFrom: [...opts.telegramAllowFrom],
              groupPolicy: "disabled",
              // Nobody approves exec from a chat: what is not on the list is denied.
              execApprovals: { enabled: false },
            },
          },
        }
      : {}),
  };
  return JSON.stringify(config, null, 2) + "\n";
}
