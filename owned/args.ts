import * as pulumi from "@pulumi/pulumi";
import { HARDENED_HOST_INPUT_ARGS, HardenedHostArgs } from "../vps/args";

/**
 * The settings of one agent on a Debian 12 machine the operator owns (a mini PC, a
 * Raspberry Pi), on the tailnet (or joined to it by the kit) and reached over SSH as its
 * admin: the hardened host's, and how to reach the machine. The machine stays when the
 * agent goes.
 */
export interface HostAgentArgs extends HardenedHostArgs {
  /** The machine's MagicDNS name or tailnet address (100.64.0.0/10, fd7a:115c:a1e0::/48); a LAN address needs sshFromLan and sshHostKey; with tailnetJoin, its LAN address. Required. */
  readonly host: string;
  /** The admin's OpenSSH private key, unencrypted (secret). Default: the operator's ssh-agent (SSH_AUTH_SOCK). */
  readonly sshPrivateKey?: pulumi.Input<string>;
  /** The machine's ed25519 host key (`ssh-ed25519 AAAA…`), read on the machine itself; required with sshFromLan, a LAN address or tailnetJoin. Default: read at first contact over the tailnet. */
  readonly sshHostKey?: string;
  /** Private LAN ranges (RFC 1918, fc00::/7) sshd also answers, besides the tailnet. Default: none (the tailnet only). */
  readonly sshFromLan?: string[];
  /** pulumi destroy also deletes the agent's state (/var/lib/openclaw). Default: false (kept, root-only). */
  readonly deleteStateOnDestroy?: boolean;
  /** The kit joins the machine to the tailnet with a one-off tagged key; needs host as a LAN address inside sshFromLan, and sshHostKey. Default: false (it is on the tailnet already). */
  readonly tailnetJoin?: boolean;
  /** Tags the machine joins with (each "tag:…", owned in the tailnet policy); only with tailnetJoin. Default: ["tag:openclaw"]. */
  readonly tailnetTags?: string[];
  /** The machine's name on the tailnet (a DNS label); only with tailnetJoin. Default: openclaw-<stack>-<name>. */
  readonly hostname?: string;
}

/** The fields of HostAgentArgs that take an Input: the hardened host's and the SSH key. */
export const HOST_AGENT_INPUT_ARGS = [...HARDENED_HOST_INPUT_ARGS, "sshPrivateKey"] as const;
