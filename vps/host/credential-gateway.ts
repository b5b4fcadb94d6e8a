import { CREDENTIAL_GATEWAY_LOCKDOWN_VARIABLE } from "./lockdown";
import { HOST } from "./paths";
import { sharedSandbox } from "./unit-sandbox";

/** A Telegram user or chat id: a number (a group's is negative). Usernames can change hands. */
export const TELEGRAM_NUMERIC_ID = /^-?[0-9]{1,20}$/;

/** An upstream the credential gateway holds a credential for. */
export type CredentialRoute = "anthropic" | "openai" | "telegram";

/** What the credential gateway knows about each upstream. */
interface Upstream {
  /** The only host this route forwards to (TLS, verified against the system CA store). */
  readonly host: string;
  /** What openclaw is told instead of the upstream's address (path under the gateway). */
  readonly basePath: string;
  /** The upstream path basePath stands for. */
  readonly upstreamBase: string;
  /** Model routes: the paths under basePath openclaw POSTs to; anything else is refused. */
  readonly posts: readonly string[];
  /** Model routes: the header that carries the key. */
  readonly keyHeader?: "x-api-key" | "Authorization";
}

/** The upstreams, by route: the only hosts the credential gateway ever connects to. */
export const CREDENTIAL_UPSTREAMS: Readonly<Record<CredentialRoute, Upstream>> = {
  anthropic: {
    host: "api.anthropic.com",
    basePath: "/anthropic",
    upstreamBase: "",
    posts: ["/v1/messages"],
    keyHeader: "x-api-key",
  },
  openai: {
    host: "api.openai.com",
    basePath: "/openai/v1",
    upstreamBase: "/v1",
    // openclaw's "openai-responses" API (set in openclaw.json) uses nothing else.
    posts: ["/responses"],
    keyHeader: "Authorization",
  },
  telegram: { host: "api.telegram.org", basePath: "/telegram", upstreamBase: "", posts: [] },
};

/**
 * Bot API methods the agent may call through its bot: what openclaw 2026.9.6's
 * Telegram channel was seen calling for a direct-message bot against a fake Bot
 * API (start-up, polling, replies, streaming edits, typing, reactions, received
 * files), and what its message tool can send. Webhooks, bot settings beyond its
 * command menu, chat administration and payments are not on it.
 */
export const TELEGRAM_METHODS = [
  // Start-up and polling.
  "getMe",
  "getUpdates",
  "deleteWebhook",
  "setMyCommands",
  "deleteMyCommands",
  // Replies, typing, streaming edits, reactions, received files.
  "sendMessage",
  "sendChatAction",
  "editMessageText",
  "editMessageCaption",
  "editMessageReplyMarkup",
  "deleteMessage",
  "setMessageReaction",
  "getFile",
  // What the agent's message tool may send.
  "sendPhoto",
  "sendDocument",
  "sendVideo",
  "sendAnimation",
  "sendAudio",
  "sendVoice",
  "sendVideoNote",
  "sendMediaGroup",
  "sendSticker",
  "sendPoll",
  "sendLocation",
  "sendVenue",
  "answerCallbackQuery",
  "pinChatMessage",
  "unpinChatMessage",
  "getChat",
  "getChatMember",
] as const;

/** The runtime directory systemd makes for the unit (RuntimeDirectory=). */
const runtimeDir = `/run/${HOST.credentialGatewayUnit.replace(/\.service$/, "")}`;
/** nginx's temporary directories, one per module that buffers to disk. */
const TEMP_DIRS = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] as const;

/** What openclaw sends where a provider or channel insists on a credential: not one. */
export const CREDENTIAL_PLACEHOLDER = "clawkit-credential-gateway";
/** The Bot API token openclaw is given: shaped like one, worth nothing. */
export const TELEGRAM_TOKEN_PLACEHOLDER = `0:${CREDENTIAL_PLACEHOLDER}`;

/** The address openclaw uses for a route, on the host's loopback. */
export function credentialGatewayUrl(route: CredentialRoute): string {
  return `http://127.0.0.1:${HOST.credentialGatewayPort}${CREDENTIAL_UPSTREAMS[route].basePath}`;
}

/**
 * True when a hostname or `*.domain` wildcard would reach a host the credential
 * gateway serves: the egress proxy must never offer the agent a second, direct way
 * there (with a key of the attacker's choosing, say).
 */
export function reachesCredentialUpstream(hostOrWildcard: string): boolean {
  return Object.values(CREDENTIAL_UPSTREAMS).some(({ host }) =>
    allowlistReaches(hostOrWildcard, host),
  );
}

/** True when an allowlist entry (a host, or `*.domain`, which covers the domain too) lets a way to HOST. */
export function allowlistReaches(hostOrWildcard: string, host: string): boolean {
  const name = hostOrWildcard.toLowerCase().replace(/^\*\./, ".");
  const target = host.toLowerCase();
  return (
    target === name || (name.startsWith(".") && (target.endsWith(name) || target === name.slice(1)))
  );
}

/** The file secrets-apply.sh writes a route's credential to (one nginx `set`). */
export function credentialFile(route: CredentialRoute | "generation"): string {
  return `${HOST.credentialsDir}/${route}.conf`;
}

/** An include of that file which is no error while it does not exist yet (a glob). */
export function credentialInclude(route: CredentialRoute | "generation"): string {
  return `include ${credentialFile(route).replace(/\.conf$/, ".con[f]")};`;
}

/**
 * The directives of one forwarded location: the route's credential (from its
 * root-only file), the fixed upstream and TLS name, the agent's own credential and
 * forwarding headers dropped and the route's key header set. Buffering, timeouts
 * and certificate checks are set once for every location, in the http block.
 */
function forward(route: CredentialRoute, upstreamUri: string, keyHeader?: Upstream["keyHeader"]) {
  const { host } = CREDENTIAL_UPSTREAMS[route];
  return [
    `      set $clawkit_credential "";`,
    // Before the first secrets arrive the route forwards with no credential.
    `      ${credentialInclude(route)}`,
    `      proxy_pass https://clawkit_${route}${upstreamUri};`,
    `      proxy_set_header Host ${host};`,
    `      proxy_ssl_name ${host};`,
    // Whatever credential the agent sent is replaced or removed, never passed on.
    `      proxy_set_header Authorization ${keyHeader === "Authorization" ? '"Bearer $clawkit_credential"' : '""'};`,
    `      proxy_set_header x-api-key ${keyHeader === "x-api-key" ? "$clawkit_credential" : '""'};`,
    `      proxy_set_header Proxy-Authorization "";`,
    `      proxy_set_header Cookie "";`,
    `      proxy_set_header Connection "";`,
    `      proxy_set_header Forwarded "";`,
    `      proxy_set_header X-Forwarded-For "";`,
    `      proxy_set_header X-Forwarded-Host "";`,
    `      proxy_set_header X-Real-IP "";`,
  ];
}

/**
 * Renders the credential gateway's nginx.conf: loopback only, one route per
 * configured upstream, only the methods and paths openclaw needs (anything else
 * 403), never an open proxy (fixed upstreams, the Host header ignored, no CONNECT).
 * The credentials live in root-only files the master process reads at start and at
 * each reload; its workers run as their own user. Logs: method, path, status and
 * time, never a body, a header or the upstream URL (which carries the bot token).
 * With Telegram and alert chats, a second listener (the alert relay, for the alert
 * watcher's user only: the firewall keeps the agent off it) sends a message to
 * one of those chats and does nothing else, so the watcher never holds the token.
 */
export function renderCredentialGatewayConfig(
  routes: readonly CredentialRoute[],
  alertChats: readonly string[] = [],
): string {
  const ordered = (Object.keys(CREDENTIAL_UPSTREAMS) as CredentialRoute[]).filter((r) =>
    routes.includes(r),
  );
  const locations: string[] = [];
  for (const route of ordered) {
    const { basePath: base, upstreamBase, posts, keyHeader } = CREDENTIAL_UPSTREAMS[route];
    if (keyHeader) {
      for (const p of posts) {
        locations.push(
          `    location = ${base}${p} {`,
          "      limit_except POST { deny all; }",
          ...forward(route, `${upstreamBase}${p}`, keyHeader),
          "    }",
        );
      }
    } else {
      locations.push(
        `    location ~ ^${base}/bot[^/]+/(?<clawkit_method>${TELEGRAM_METHODS.join("|")})$ {`,
        "      limit_except GET POST { deny all; }",
        // The upstream URL holds the real token: no error line may print it.
        "      error_log stderr emerg;",
        ...forward(route, "/bot$clawkit_credential/$clawkit_method$is_args$args"),
        "    }",
        // Files the bot received (photos, documents, voice notes), by Telegram's file_path.
        `    location ~ ^${base}/file/bot[^/]+/(?<clawkit_file>[a-z_]+/file_[0-9]+(\\.[A-Za-z0-9]+)?)$ {`,
        "      limit_except GET { deny all; }",
        "      error_log stderr emerg;",
        ...forward(route, "/file/bot$clawkit_credential/$clawkit_file"),
        "    }",
      );
    }
  }
  const upstreams = ordered.flatMap((route) => [
    `  upstream clawkit_${route} {`,
    // Resolved when the master reads this file (start and reload), as root.
    `    server ${CREDENTIAL_UPSTREAMS[route].host}:443;`,
    "    keepalive 8;",
    "  }",
  ]);
  return [
    "# Managed by clawkit: the credential gateway. The agent talks to this; only",
    "# this talks to the model providers and Telegram, with the real credentials.",
    `user ${HOST.credentialGatewayUser} ${HOST.credentialGatewayUser};`,
    "daemon off;",
    "worker_processes 1;",
    // Old workers finish the streams they carry after a reload, but not forever.
    "worker_shutdown_timeout 15m;",
    `pid ${runtimeDir}/nginx.pid;`,
    "error_log stderr warn;",
    "pcre_jit off;",
    "events { worker_connections 512; }",
    "http {",
    "  server_tokens off;",
    "  default_type application/octet-stream;",
    ...TEMP_DIRS.map((d) => `  ${d}_temp_path ${runtimeDir}/${d};`),
    "  log_format clawkit '$request_method $uri $status $request_time';",
    "  access_log syslog:server=unix:/run/systemd/journal/dev-log,tag=clawkit_credgw,nohostname clawkit;",
    "  client_max_body_size 50m;",
    "  client_body_timeout 60s;",
    "  send_timeout 900s;",
    "  keepalive_timeout 75s;",
    "  proxy_http_version 1.1;",
    "  proxy_buffering off;",
    "  proxy_request_buffering off;",
    "  proxy_connect_timeout 15s;",
    "  proxy_send_timeout 900s;",
    "  proxy_read_timeout 900s;",
    "  proxy_ssl_verify on;",
    "  proxy_ssl_verify_depth 4;",
    "  proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;",
    "  proxy_ssl_server_name on;",
    "  proxy_ssl_protocols TLSv1.2 TLSv1.3;",
    "  proxy_ssl_session_reuse on;",
    "  proxy_redirect off;",
    ...upstreams,
    // clawkit-lockdown's switch: whether every path but the health check answers 403.
    `  include ${HOST.credentialGatewayLockdownInclude};`,
    "  server {",
    // Loopback only; the one server answers every Host: the header cannot move a request.
    `    listen 127.0.0.1:${HOST.credentialGatewayPort} default_server;`,
    "    server_name _;",
    `    if (${CREDENTIAL_GATEWAY_LOCKDOWN_VARIABLE}) { return 403; }`,
    "    location = /clawkit-health {",
    // Which credentials are loaded: secrets-apply waits for its own generation after a reload.
    '      set $clawkit_generation "none";',
    `      ${credentialInclude("generation")}`,
    "      access_log off;",
    "      default_type text/plain;",
    '      return 200 "$clawkit_generation\\n";',
    "    }",
    ...locations,
    "    location / { return 403; }",
    "  }",
    ...(routes.includes("telegram") ? alertRelay(alertChats) : []),
    "}",
    "",
  ].join("\n");
}

/**
 * The alert relay's server block: GET /alert/<chat id>?text=… becomes sendMessage
 * to that chat with that text, for the configured chats only; the chat id comes
 * from the location, never from the caller's arguments. No listener without chats.
 */
function alertRelay(chats: readonly string[]): string[] {
  if (chats.length === 0) return [];
  for (const chat of chats)
    if (!TELEGRAM_NUMERIC_ID.test(chat))
      throw new Error(`${chat} is not a numeric Telegram chat id`);
  const { host } = CREDENTIAL_UPSTREAMS.telegram;
  return [
    "  server {",
    `    listen 127.0.0.1:${HOST.alertRelayPort};`,
    "    server_name _;",
    ...chats.flatMap((chat) => [
      `    location = /alert/${chat} {`,
      "      limit_except GET { deny all; }",
      "      error_log stderr emerg;",
      `      set $clawkit_credential "";`,
      `      ${credentialInclude("telegram")}`,
      `      proxy_pass https://clawkit_telegram/bot$clawkit_credential/sendMessage?chat_id=${chat}&text=$arg_text;`,
      `      proxy_set_header Host ${host};`,
      `      proxy_ssl_name ${host};`,
      '      proxy_set_header Connection "";',
      "    }",
    ]),
    "    location / { return 403; }",
    "  }",
  ];
}

/**
 * Renders the credential gateway's unit. nginx's master runs as root only to read
 * the root-only credentials and to start its workers as their own user; it keeps
 * no capability beyond that, may bind no port but its own, and sees a read-only
 * system. Debian's own nginx.service stays masked. Target: exposure ≤ 2.0.
 */
export function renderCredentialGatewayUnit(): string {
  const nginx = `/usr/sbin/nginx -e stderr -c ${HOST.credentialGatewayConfig}`;
  return [
    "# Managed by clawkit.",
    "[Unit]",
    "Description=clawkit credential gateway (nginx): the agent's keys, kept from the agent",
    "After=network-online.target",
    "Wants=network-online.target",
    `ConditionPathExists=${HOST.credentialGatewayConfig}`,
    "StartLimitIntervalSec=300",
    "StartLimitBurst=10",
    "",
    "[Service]",
    "Type=simple",
    // nginx chowns its temporary directories to the workers' user unless they already
    // are: made here (with full privileges), the master needs no CAP_CHOWN.
    `ExecStartPre=+/usr/bin/install -d -m 0700 -o ${HOST.credentialGatewayUser} -g ${HOST.credentialGatewayUser} ${TEMP_DIRS.map((d) => `${runtimeDir}/${d}`).join(" ")}`,
    `ExecStartPre=${nginx} -t -q`,
    `ExecStart=${nginx}`,
    // Checked first: a reload with a broken file would leave the old workers anyway, silently.
    `ExecReload=${nginx} -t -q`,
    "ExecReload=/bin/kill -HUP $MAINPID",
    "Restart=always",
    "RestartSec=1s",
    "TimeoutStopSec=20",
    "UMask=0077",
    `RuntimeDirectory=${HOST.credentialGatewayUnit.replace(/\.service$/, "")}`,
    "RuntimeDirectoryMode=0755",
    "",
    "# Sandbox",
    ...sharedSandbox(),
    // Only to start the workers as their own user.
    "CapabilityBoundingSet=CAP_SETUID CAP_SETGID",
    "PrivateMounts=yes",
    "RestrictSUIDSGID=yes",
    "MemoryDenyWriteExecute=yes",
    // @privileged stays: the master starts its workers as their own user (setuid, setgroups).
    "SystemCallFilter=~@resources @mount @debug @cpu-emulation @obsolete @raw-io @reboot @swap @module @clock",
    `SocketBindAllow=tcp:${HOST.credentialGatewayPort}`,
    `SocketBindAllow=tcp:${HOST.alertRelayPort}`,
    "SocketBindDeny=any",
    "LimitNOFILE=4096",
    "TasksMax=16",
    "MemoryMax=256M",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
