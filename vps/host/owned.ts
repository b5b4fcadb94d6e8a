import * as path from "path";
import { HOST, readShipped } from "./paths";

/**
 * The remote commands of a machine the operator owns (`clawkit:target: host`): the
 * preflight that proves how the kit's connection arrived before anything changes, and
 * the record and removal of what the kit installs. The scripts are real files in
 * scripts/, sent on stdin, so nothing needs to be on the machine beforehand.
 */

/** Who provisions a machine: written on it, so a second stack or agent cannot take it over. */
export function ownerTag(stack: string, agent: string): string {
  const tag = `${stack}/${agent}`;
  if (!/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(tag)) throw new Error(`unsafe owner: ${tag}`);
  return tag;
}

/** Arguments for a LAN opt-in, one `--lan CIDR` each (plain CIDRs, checked by the rules). */
function lanArgs(sshFromLan: readonly string[]): string {
  return sshFromLan
    .map((cidr) => {
      if (!/^[0-9A-Fa-f.:]+\/[0-9]{1,3}$/.test(cidr)) throw new Error(`unsafe CIDR: ${cidr}`);
      return ` --lan ${cidr}`;
    })
    .join("");
}

/** A remote command and the script it reads on stdin. */
export interface ScriptCommand {
  readonly command: string;
  readonly stdin: string;
}

/**
 * The preflight, run as the admin and before sudo, since sudo drops SSH_CONNECTION:
 * it refuses a connection that did not come in on tailscale0 (or from an opted-in
 * LAN range) and a machine the kit cannot safely take, and changes nothing. Its
 * stdout is the machine's ed25519 host key, then its MagicDNS name (parsePreflight).
 */
export function preflightCommand(
  owner: string,
  sshFromLan: readonly string[],
  joining = false,
): ScriptCommand {
  return {
    command: `sh -s -- --owner ${owner}${lanArgs(sshFromLan)}${joining ? " --joining" : ""}`,
    stdin: readShipped("scripts/preflight.sh"),
  };
}

/** What the preflight reports: the host key to pin, and the machine's name on the tailnet. */
export interface PreflightReport {
  /** The ed25519 host key, OpenSSH format (`ssh-ed25519 AAAA…`). */
  readonly hostKey: string;
  /** The MagicDNS name (`box.tailnet.ts.net`), or undefined when tailscale does not say. */
  readonly dnsName?: string;
}

/** Parses the preflight's stdout; throws when it holds no ed25519 host key. */
export function parsePreflight(stdout: string): PreflightReport {
  const [keyLine = "", nameLine = ""] = stdout.trim().split("\n");
  const key = /^ssh-ed25519 [A-Za-z0-9+/]+={0,2}/.exec(keyLine.trim());
  if (!key) throw new Error(`the preflight printed no ed25519 host key: ${keyLine.slice(0, 80)}`);
  const name = nameLine.trim().replace(/\.$/, "");
  return {
    hostKey: key[0],
    dnsName: /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(name) ? name : undefined,
  };
}

/**
 * Leaves the one-off tailnet key (on stdin) in the root-only file the vps's first boot
 * uses, for provisioning to join with and shred (`clawkit:tailnetJoin`).
 */
export const TAILNET_KEY_COMMAND = `sudo sh -c 'umask 077 && mkdir -p ${path.posix.dirname(HOST.tailscaleKeyFile)} && cat >${HOST.tailscaleKeyFile}'`;

/**
 * The record and the removal: `create` notes once what the machine was before the kit
 * (ufw, which of the kit's packages it had, the files the kit replaces, the owner);
 * `delete` removes what the kit installed and restores what it noted, keeping the
 * agent's state unless deleteState. The script reads the host's settings (clawkit.env,
 * no secret) ahead of it on stdin, so it needs nothing left on the machine.
 */
export function teardownCommands(
  owner: string,
  deleteState: boolean,
  hostEnv: string,
): ScriptCommand & { readonly delete: string } {
  return {
    command: `sudo sh -s -- record --owner ${owner}`,
    delete: `sudo sh -s -- remove --owner ${owner}${deleteState ? " --delete-state" : ""}`,
    stdin: `${hostEnv}${readShipped("scripts/teardown.sh")}`,
  };
}
