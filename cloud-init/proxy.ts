import { HOST } from "./paths";

/** Hosts each model provider and channel needs, and nothing else. */
export const PROVIDER_HOSTS: Readonly<Record<string, readonly string[]>> = {
  anthropic: ["api.anthropic.com"],
  openai: ["api.openai.com"],
  telegram: ["api.telegram.org"],
};

/** What the agent is configured to talk to. */
export interface EgressNeeds {
  /** Model providers with a credential set: "anthropic", "openai". */
  readonly providers: readonly string[];
  /** Channels that are enabled: "telegram". */
  readonly channels: readonly string[];
  /** The operator's extra hostnames (`clawkit:egressAllowlist`), `*.domain` allowed. */
  readonly extraHosts: readonly string[];
}

/**
 * The proxy's allowlist in squid dstdomain form: exact hosts as they are, wildcards
 * as ".domain" (which also matches the domain itself), sorted, with hosts a
 * wildcard already covers removed (squid rejects such overlaps).
 */
export function egressAllowlist(needs: EgressNeeds): string[] {
  const hosts = new Set<string>();
  for (const name of [...needs.providers, ...needs.channels]) {
    for (const host of PROVIDER_HOSTS[name] ?? []) hosts.add(host);
  }
  for (const host of needs.extraHosts) {
    hosts.add(host.toLowerCase().replace(/^\*\./, "."));
  }
  const wildcards = [...hosts].filter((h) => h.startsWith("."));
  const covered = (h: string) =>
    wildcards.some((w) => w !== h && (h === w.slice(1) || h.endsWith(w)));
  return [...hosts].filter((h) => !covered(h)).sort();
}

/**
 * Renders /etc/squid/squid.conf: a loopback-only forward proxy that allows only
 * HTTPS CONNECT to allowlisted names, refuses private, link-local and tailnet
 * destinations (so an allowlisted name that resolves inward is still refused),
 * caches nothing and adds no identifying headers.
 */
export function renderProxyConfig(allowlist: readonly string[]): string {
  if (allowlist.length === 0) throw new Error("the egress allowlist is empty");
  return [
    "# Managed by clawkit: the agent's only way out.",
    `http_port 127.0.0.1:${HOST.proxyPort}`,
    `http_port [::1]:${HOST.proxyPort}`,
    "acl CONNECT method CONNECT",
    "acl https_port port 443",
    // -n: never match an IP-literal request by its reverse DNS name, which whoever
    // owns the address controls; a bare address matches no name, so it is refused.
    `acl clawkit_allowed dstdomain -n ${allowlist.join(" ")}`,
    "acl clawkit_inward dst 0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.168.0.0/16 224.0.0.0/4 ::1 fc00::/7 fe80::/10",
    "http_access deny !CONNECT",
    "http_access deny !https_port",
    "http_access deny !clawkit_allowed",
    "http_access deny clawkit_inward",
    "http_access allow localhost",
    "http_access deny all",
    "cache deny all",
    "cache_mem 8 MB",
    "forwarded_for delete",
    "httpd_suppress_version_string on",
    // A fixed name: squid otherwise looks its host up in DNS at start.
    "visible_hostname clawkit-egress-proxy",
    "access_log daemon:/var/log/squid/access.log squid",
    "coredump_dir /var/spool/squid",
    "shutdown_lifetime 2 seconds",
    "",
  ].join("\n");
}
