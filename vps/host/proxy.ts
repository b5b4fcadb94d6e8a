import { reachesCredentialUpstream } from "./credential-gateway";
import { PROXY_AGENT_PORT_ACL } from "./lockdown";
import { HOST } from "./paths";

/**
 * The proxy's allowlist in squid dstdomain form, from the operator's extra
 * hostnames (`clawkit:egressAllowlist`, `*.domain` allowed): exact hosts as they
 * are, wildcards as ".domain" (which also matches the domain itself), sorted, with
 * hosts a wildcard already covers removed (squid rejects such overlaps). The model
 * providers and Telegram are not on it: the agent reaches them only through the
 * credential gateway, and a name that leads there is refused here (config
 * validation refuses it first, naming the key).
 */
export function egressAllowlist(extraHosts: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const host of extraHosts) {
    if (reachesCredentialUpstream(host))
      throw new Error(`${host} is served by the credential gateway, never by the egress proxy`);
    hosts.add(host.toLowerCase().replace(/^\*\./, "."));
  }
  const wildcards = [...hosts].filter((h) => h.startsWith("."));
  const covered = (h: string) =>
    wildcards.some((w) => w !== h && (h === w.slice(1) || h.endsWith(w)));
  return [...hosts].filter((h) => !covered(h)).sort();
}

/**
 * IPv4 ranges that lead back into the host, its private networks, the tailnet, or
 * nowhere public: an allowlisted name that resolves into one is refused.
 */
export const INWARD_IPV4 = [
  "0.0.0.0/8", // "this network": 0.0.0.0 reaches the host itself
  "10.0.0.0/8",
  "100.64.0.0/10", // shared address space: the tailnet's addresses
  "127.0.0.0/8",
  "169.254.0.0/16", // link-local: the metadata service
  "172.16.0.0/12",
  "192.0.0.0/24", // protocol assignments (NAT64 discovery among them)
  "192.168.0.0/16",
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, and the broadcast address
] as const;

/** The IPv6 counterparts, the tailnet's fd7a:115c:a1e0::/48 inside fc00::/7. */
export const INWARD_IPV6 = [
  "::/128", // unspecified: connecting to it reaches the host's own loopback
  "::1/128",
  "64:ff9b:1::/48", // local-use NAT64 (RFC 8215): IPv4 behind a translator of the network's own
  "fc00::/7", // unique local, Tailscale's range included
  "fe80::/10", // link-local
  "fec0::/10", // site-local (deprecated, still routed inward where it is used)
  "ff00::/8", // multicast
] as const;

/**
 * The well-known NAT64 form (RFC 6052, 64:ff9b::/96) of an IPv4 range: behind a
 * NAT64 translator, 64:ff9b::7f00:1 is 127.0.0.1 on the translator's side.
 */
export function nat64Range(cidr: string): string {
  const [address, bits] = cidr.split("/");
  const [a, b, c, d] = address.split(".").map(Number);
  const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
  return `64:ff9b::${hex(a, b)}:${hex(c, d)}/${96 + Number(bits)}`;
}

/**
 * Every destination the proxy refuses whatever name leads there. IPv4-mapped
 * forms (::ffff:127.0.0.1) need no entries: squid keeps IPv4 addresses in that
 * form, so each IPv4 range matches its mapped form too (the system test checks it).
 */
export function inwardDestinations(): string[] {
  return [...INWARD_IPV4, ...INWARD_IPV4.map(nat64Range), ...INWARD_IPV6];
}

/**
 * Renders /etc/squid/squid.conf: a loopback-only forward proxy that allows only
 * HTTPS CONNECT to allowlisted names (none by default: then it refuses everything), and refuses, whatever name leads there, every
 * inward destination (private, link-local, tailnet, loopback and unspecified, in
 * every family and NAT64 form) and every address of the host itself (listed at
 * each squid start by proxy-self.sh). It caches nothing and adds no identifying headers.
 * A second port, for the alert watcher's user only (the firewall keeps everyone
 * else off it), allows CONNECT to the one host in the alert list (the webhook's,
 * written by secrets-apply.sh; empty: nothing), under the same inward refusals;
 * its rules come first, so nothing later added for the agent's port (a lockdown)
 * silences the alerts, and its traffic is logged apart from the agent's. With
 * backups, a third port does the same for the backup user and the bucket's endpoint.
 */
export function renderProxyConfig(allowlist: readonly string[], backupEndpoint?: string): string {
  // The backup user's port, when there are backups: CONNECT to the bucket's endpoint only.
  const backup = backupEndpoint
    ? {
        ports: [`http_port 127.0.0.1:${HOST.backupProxyPort}`],
        acls: [
          `acl clawkit_backup_port localport ${HOST.backupProxyPort}`,
          `acl clawkit_backup_host dstdomain -n ${backupEndpoint.toLowerCase()}`,
        ],
        rules: [
          "http_access deny clawkit_backup_port !clawkit_backup_host",
          "http_access deny clawkit_backup_port clawkit_inward",
          "http_access deny clawkit_backup_port clawkit_self",
          "http_access deny clawkit_backup_port to_localhost",
          "http_access allow clawkit_backup_port localhost",
          "http_access deny clawkit_backup_port",
        ],
        log: ["access_log daemon:/var/log/squid/backup.log squid clawkit_backup_port"],
      }
    : { ports: [], acls: [], rules: [], log: [] };
  return [
    "# Managed by clawkit: the agent's only way out.",
    `http_port 127.0.0.1:${HOST.proxyPort}`,
    `http_port [::1]:${HOST.proxyPort}`,
    `http_port 127.0.0.1:${HOST.alertProxyPort}`,
    ...backup.ports,
    "acl CONNECT method CONNECT",
    "acl https_port port 443",
    `acl clawkit_alert_port localport ${HOST.alertProxyPort}`,
    `acl clawkit_alert_host dstdomain -n "${HOST.alertProxyAcl}"`,
    // -n: never match an IP-literal request by its reverse DNS name, which whoever
    // owns the address controls; a bare address matches no name, so it is refused.
    ...(allowlist.length > 0 ? [`acl clawkit_allowed dstdomain -n ${allowlist.join(" ")}`] : []),
    // dst matches when ANY address the name resolves to is in the list.
    `acl clawkit_inward dst ${inwardDestinations().join(" ")}`,
    `acl clawkit_self dst "${HOST.proxySelfAddresses}"`,
    `acl ${PROXY_AGENT_PORT_ACL} localport ${HOST.proxyPort}`,
    ...backup.acls,
    // clawkit-lockdown's switch: empty, or a rule that refuses the agent's port.
    `include ${HOST.proxyLockdownInclude}`,
    "http_access deny !CONNECT",
    "http_access deny !https_port",
    "http_access deny clawkit_alert_port !clawkit_alert_host",
    "http_access deny clawkit_alert_port clawkit_inward",
    "http_access deny clawkit_alert_port clawkit_self",
    "http_access deny clawkit_alert_port to_localhost",
    "http_access allow clawkit_alert_port localhost",
    "http_access deny clawkit_alert_port",
    ...backup.rules,
    allowlist.length > 0 ? "http_access deny !clawkit_allowed" : "http_access deny all",
    "http_access deny clawkit_inward",
    "http_access deny clawkit_self",
    // squid's own list of the same kind, in case a squid release widens it (squid
    // 5.7 has no to_linklocal; clawkit_inward covers link-local).
    "http_access deny to_localhost",
    "http_access allow localhost",
    "http_access deny all",
    "cache deny all",
    "cache_mem 8 MB",
    "forwarded_for delete",
    "httpd_suppress_version_string on",
    // A fixed name: squid otherwise looks its host up in DNS at start.
    "visible_hostname clawkit-egress-proxy",
    `access_log daemon:/var/log/squid/access.log squid !clawkit_alert_port${backupEndpoint ? " !clawkit_backup_port" : ""}`,
    "access_log daemon:/var/log/squid/alert.log squid clawkit_alert_port",
    ...backup.log,
    "coredump_dir /var/spool/squid",
    "shutdown_lifetime 2 seconds",
    "",
  ].join("\n");
}
