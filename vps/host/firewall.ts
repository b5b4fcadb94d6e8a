import { HOST } from "./paths";

/**
 * Renders the block firewall.sh splices into ufw's before.rules / before6.rules.
 * It runs before ufw's loopback ACCEPT, so the agent user (owner match) reaches
 * only the egress proxy and the credential gateway on loopback; everything else it sends is logged
 * (rate-limited) and rejected. Not even its own gateway: the gateway never connects
 * to itself, and the programs exec starts (same user, the gateway's environment and
 * so its token) must not reach it, because the token on loopback is openclaw's
 * admin, and admin runs commands (cron jobs) outside the exec allowlist. The proxy user may not open a connection
 * to any address of the host itself. The metadata service, which keeps serving
 * the user-data, is closed to everyone: its only client, cloud-init, has finished
 * by the time this loads and is disabled after first boot. The credential
 * gateway's workers (their own user) answer on loopback and open TCP 443 to
 * addresses not of this host, nothing else: no DNS (the master resolves its fixed
 * upstreams as root), no other port, no UDP. The alert watcher's user reaches
 * squid's alert port and the credential gateway's alert relay on IPv4 loopback
 * (the agent's REJECTs come first, so the agent never reaches them), nothing else;
 * the backup user likewise squid's backup port only. In a lockdown the agent user
 * reaches nothing at all; the alert and backup paths stay.
 */
export function renderAgentEgressRules(
  family: "ipv4" | "ipv6",
  opts: { lockdown?: boolean } = {},
): string {
  const loopback = family === "ipv4" ? "127.0.0.1" : "::1";
  const unreachable = family === "ipv4" ? "icmp-port-unreachable" : "icmp6-port-unreachable";
  const agent = `-m owner --uid-owner ${HOST.agentUser}`;
  const credgw = `-m owner --uid-owner ${HOST.credentialGatewayUser}`;
  const alert = `-m owner --uid-owner ${HOST.alertUser}`;
  const backup = `-m owner --uid-owner ${HOST.backupUser}`;
  // ufw names its IPv6 chains ufw6-*: a rule for ufw-* in before6.rules fails the whole file.
  const output = family === "ipv4" ? "ufw-before-output" : "ufw6-before-output";
  const lines = [
    `# clawkit:begin agent egress${opts.lockdown ? ", LOCKDOWN" : ""} (managed by clawkit; edits here are overwritten)`,
    ...(family === "ipv4"
      ? [`-A ${output} -d 169.254.169.254 -j REJECT --reject-with ${unreachable}`]
      : []),
    // A lockdown leaves the agent no way at all, not even a stream it already has.
    ...(opts.lockdown
      ? []
      : [
          `-A ${output} -o lo -p tcp -d ${loopback} --dport ${HOST.proxyPort} ${agent} -j ACCEPT`,
          `-A ${output} -o lo -p tcp -d ${loopback} --dport ${HOST.credentialGatewayPort} ${agent} -j ACCEPT`,
          `-A ${output} -o lo ${agent} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
        ]),
    `-A ${output} ${agent} -m limit --limit 6/min --limit-burst 10 -j LOG --log-prefix "[clawkit agent egress] "`,
    `-A ${output} -p tcp ${agent} -j REJECT --reject-with tcp-reset`,
    // The proxy's second wall against tunnels into the host: squid only ever connects
    // out on 443, never to one of this host's own addresses, whichever appear later.
    `-A ${output} -p tcp --dport 443 -m owner --uid-owner ${HOST.proxyUser} -m addrtype --dst-type LOCAL -j REJECT --reject-with tcp-reset`,
    `-A ${output} ${agent} -j REJECT --reject-with ${unreachable}`,
    `-A ${output} -o lo -p tcp ${credgw} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    `-A ${output} -p tcp --dport 443 ${credgw} -m addrtype ! --dst-type LOCAL -j ACCEPT`,
    `-A ${output} ${credgw} -m limit --limit 6/min --limit-burst 10 -j LOG --log-prefix "[clawkit credgw egress] "`,
    `-A ${output} -p tcp ${credgw} -j REJECT --reject-with tcp-reset`,
    `-A ${output} ${credgw} -j REJECT --reject-with ${unreachable}`,
    ...(family === "ipv4"
      ? [HOST.alertProxyPort, HOST.alertRelayPort].map(
          (port) => `-A ${output} -o lo -p tcp -d ${loopback} --dport ${port} ${alert} -j ACCEPT`,
        )
      : []),
    `-A ${output} -o lo ${alert} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    `-A ${output} ${alert} -m limit --limit 6/min --limit-burst 10 -j LOG --log-prefix "[clawkit alert egress] "`,
    `-A ${output} -p tcp ${alert} -j REJECT --reject-with tcp-reset`,
    `-A ${output} ${alert} -j REJECT --reject-with ${unreachable}`,
    ...(family === "ipv4"
      ? [
          `-A ${output} -o lo -p tcp -d ${loopback} --dport ${HOST.backupProxyPort} ${backup} -j ACCEPT`,
        ]
      : []),
    `-A ${output} -o lo ${backup} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    `-A ${output} ${backup} -m limit --limit 6/min --limit-burst 10 -j LOG --log-prefix "[clawkit backup egress] "`,
    `-A ${output} -p tcp ${backup} -j REJECT --reject-with tcp-reset`,
    `-A ${output} ${backup} -j REJECT --reject-with ${unreachable}`,
    "# clawkit:end",
    "",
  ];
  return lines.join("\n");
}
