import { ARG_NAMES } from "../core/rules";
import { SecretValue, secretOf } from "../core/settings";
import { VPS_DEFAULTS } from "../vps/rules";
import { HardenedHostSettings, hardenedHostSettings } from "../vps/settings";
import { HostAgentArgs } from "./args";
import { sshPrivateKeyProblem } from "./rules";

/** One owned machine's settings with every default filled in: what HostAgent builds from. */
export interface HostAgentSettings extends HardenedHostSettings {
  /** The machine's MagicDNS name or address. */
  readonly host: string;
  /** The admin's private key, or undefined for the operator's ssh-agent. */
  readonly sshPrivateKey?: SecretValue;
  /** The machine's ed25519 host key, pinned from the first packet; undefined: read at first contact. */
  readonly sshHostKey?: string;
  /** Private LAN ranges sshd also answers. */
  readonly sshFromLan: readonly string[];
  /** Destroy deletes the agent's state too. */
  readonly deleteStateOnDestroy: boolean;
  /** How the kit joins the machine to the tailnet; undefined: it is on it already. */
  readonly tailnetJoin?: TailnetJoinSettings;
}

/** The tailnet join of an owned machine (`clawkit:tailnetJoin`). */
export interface TailnetJoinSettings {
  /** The tags its one-off key carries. */
  readonly tags: readonly string[];
  /** Its name on the tailnet. */
  readonly hostname: string;
}

/**
 * Fills in every default of args the owned-machine rules have accepted: backups go to
 * DEFAULT_NAME in the bucket unless told otherwise, and a machine the kit joins to the
 * tailnet is named DEFAULT_NAME there (openclaw-<stack>[-<agent>], as a vps).
 */
export function hostAgentSettings(args: HostAgentArgs, defaultName: string): HostAgentSettings {
  return {
    ...hardenedHostSettings(args, defaultName),
    host: args.host.replace(/\.$/, ""),
    // A key given as an Output is judged by the same rule once its value is known.
    sshPrivateKey: secretOf(args.sshPrivateKey)?.apply((key) => {
      const problem = sshPrivateKeyProblem(key);
      if (problem)
        throw new Error(
          `sshPrivateKey: ${problem} (${ARG_NAMES.remove("sshPrivateKey")} to use your ssh-agent)`,
        );
      return key;
    }),
    sshHostKey: args.sshHostKey?.trim(),
    sshFromLan: args.sshFromLan ?? [],
    deleteStateOnDestroy: args.deleteStateOnDestroy ?? false,
    ...(args.tailnetJoin
      ? {
          tailnetJoin: {
            tags: args.tailnetTags ?? VPS_DEFAULTS.tailnetTags,
            hostname: args.hostname ?? defaultName,
          },
        }
      : {}),
  };
}
