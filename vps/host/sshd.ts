/** Inputs of the sshd drop-in. */
export interface SshdOptions {
  /** The only account allowed to log in. */
  readonly adminUser: string;
}

/**
 * Renders /etc/ssh/sshd_config.d/10-clawkit.conf. Debian's sshd_config includes
 * the drop-ins first, and sshd keeps the first value it reads, so these win.
 * Follows dev-sec ssh-baseline; the algorithms are those Go's x/crypto/ssh
 * (used by @pulumi/command) and current OpenSSH clients both speak.
 */
export function renderSshdConfig(opts: SshdOptions): string {
  return [
    "# Managed by clawkit. sshd is reachable on tailscale0 only (ufw + Hetzner firewall).",
    "HostKey /etc/ssh/ssh_host_ed25519_key",
    "PermitRootLogin no",
    `AllowUsers ${opts.adminUser}`,
    "AuthenticationMethods publickey",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitEmptyPasswords no",
    "HostbasedAuthentication no",
    "IgnoreRhosts yes",
    "MaxAuthTries 3",
    "MaxSessions 4",
    "MaxStartups 10:30:60",
    "LoginGraceTime 30",
    "ClientAliveInterval 300",
    "ClientAliveCountMax 2",
    "X11Forwarding no",
    "AllowTcpForwarding no",
    "AllowAgentForwarding no",
    "AllowStreamLocalForwarding no",
    "PermitTunnel no",
    "GatewayPorts no",
    "PermitUserEnvironment no",
    "PermitUserRC no",
    "UseDNS no",
    "Compression no",
    "LogLevel VERBOSE",
    "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org",
    "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com",
    "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com",
    "HostKeyAlgorithms ssh-ed25519",
    "",
  ].join("\n");
}
