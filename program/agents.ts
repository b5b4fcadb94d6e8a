import { ConfigError, ConfigProblem, ConfigSource, k } from "../core/config";
import { CONFIG_REFERENCE } from "./configReference";
import { ClawkitConfig, parseConfig } from "./stackConfig";

/** One agent the stack builds: its name and its validated configuration. */
export interface StackAgent {
  readonly name: string;
  readonly config: ClawkitConfig;
}

/**
 * The name of a stack's first agent: the only one without `clawkit:agents`, and the
 * entry of that map that keeps the names the stack gave it (openclaw-<stack>), so a
 * stack grows into a map without replacing its first agent.
 */
export const FIRST_AGENT = "openclaw";

const AGENTS_KEY = k("agents");
const AGENT_NAME = /^[a-z][a-z0-9-]{0,30}$/;
/** Keys an entry may not set: the map itself. */
const NOT_PER_AGENT = new Set([AGENTS_KEY]);
/**
 * Stack keys of the vps shape that moltworker refuses (it has no allowlist and no alert
 * bot): a moltworker agent in a mixed map does not take them from the stack.
 */
const VPS_ONLY_KEYS = new Set([k("telegramAllowFrom"), k("alertTelegramChats")]);

/** An entry's value as `pulumi config` would hand it over: lists as JSON, the rest as text. */
function configText(value: unknown): string {
  return Array.isArray(value) ? JSON.stringify(value) : String(value);
}

/** The stack's keys with one entry's settings over them. */
function overlay(source: ConfigSource, entry: Record<string, unknown>): ConfigSource {
  const own = (key: string) =>
    key.startsWith("clawkit:") && Object.hasOwn(entry, key.slice("clawkit:".length));
  const target = Object.hasOwn(entry, "target") ? String(entry.target) : source.get(k("target"));
  const inherited = (key: string) =>
    key !== AGENTS_KEY && !(target === "moltworker" && VPS_ONLY_KEYS.has(key));
  return {
    keys: () => [
      ...source.keys().filter((key) => inherited(key) && !own(key)),
      ...Object.keys(entry).map(k),
    ],
    get: (key) =>
      own(key)
        ? configText(entry[key.slice("clawkit:".length)])
        : inherited(key)
          ? source.get(key)
          : undefined,
    // `pulumi config set --secret --path` encrypts the map's entry; the program sees the map as one secret.
    isSecret: (key) => (own(key) ? source.isSecret(AGENTS_KEY) : source.isSecret(key)),
    env: source.env,
    checkout: source.checkout,
  };
}

/** A problem of one agent, named where it is fixed: its entry, or the stack's key it inherits. */
function agentProblem(
  agent: string,
  entry: Record<string, unknown>,
  p: ConfigProblem,
): ConfigProblem {
  const field = p.key.startsWith("clawkit:") ? p.key.slice("clawkit:".length) : undefined;
  if (field === undefined || !Object.hasOwn(entry, field))
    return { ...p, message: `(agent "${agent}") ${p.message}` };
  const path = `${AGENTS_KEY}.${agent}.${field}`;
  const fix = p.fix.replace(
    new RegExp(`(pulumi config (?:set|rm)(?: --secret)?) (?:--path ')?${p.key}(\\[0\\])?'?`, "g"),
    (_, command: string, index = "") => `${command} --path '${path}${index}'`,
  );
  return { key: path, message: p.message, fix };
}

/** True when the stack sets clawkit:agents (and exports its agents' outputs by name). */
export function hasAgentMap(source: ConfigSource): boolean {
  return (source.get(AGENTS_KEY) ?? "").trim() !== "";
}

/** Every agent a stack builds: the map's entries, or the one agent of a stack without it. */
export function parseAgents(source: ConfigSource, stack: string): StackAgent[] {
  if (!hasAgentMap(source)) return [{ name: FIRST_AGENT, config: parseConfig(source, stack) }];
  const raw = source.get(AGENTS_KEY) ?? "";

  const refuse = (message: string, fix: string) =>
    new ConfigError([{ key: AGENTS_KEY, message, fix }]);
  const example = `pulumi config set --path '${AGENTS_KEY}.work.target' vps`;
  let map: unknown;
  try {
    map = JSON.parse(raw);
  } catch {
    throw refuse("is not a map of agent names to their settings", example);
  }
  if (
    typeof map !== "object" ||
    map === null ||
    Array.isArray(map) ||
    Object.keys(map).length === 0
  )
    throw refuse("must map at least one agent name to its settings", example);

  const problems: ConfigProblem[] = [];
  const agents: StackAgent[] = [];
  const known = new Set(CONFIG_REFERENCE.map((c) => c.key));
  for (const [name, entry] of Object.entries(map as Record<string, unknown>)) {
    if (!AGENT_NAME.test(name)) {
      problems.push({
        key: `${AGENTS_KEY}.${name}`,
        message: `"${name}" is not an agent name (a-z first, then a-z, 0-9 and dashes, at most 31)`,
        fix: `pulumi config rm --path '${AGENTS_KEY}.${name}' && ${example}`,
      });
      continue;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push({
        key: `${AGENTS_KEY}.${name}`,
        message:
          "must be a map of clawkit settings without their clawkit: prefix ({} takes the stack's)",
        fix: `pulumi config set --path '${AGENTS_KEY}.${name}.target' vps`,
      });
      continue;
    }
    const settings = entry as Record<string, unknown>;
    let entryOk = true;
    for (const [field, value] of Object.entries(settings)) {
      const path = `${AGENTS_KEY}.${name}.${field}`;
      if (!known.has(k(field)) || NOT_PER_AGENT.has(k(field))) {
        problems.push({
          key: path,
          message:
            "is not a clawkit setting an agent can override (README: Configuration reference)",
          fix: `pulumi config rm --path '${path}'`,
        });
        entryOk = false;
      } else if (
        !["string", "number", "boolean"].includes(typeof value) &&
        !(Array.isArray(value) && value.every((v) => typeof v === "string"))
      ) {
        problems.push({
          key: path,
          message: "must be text, a number, true/false or a list of text",
          fix: `pulumi config set --path '${path}' <value>`,
        });
        entryOk = false;
      }
    }
    if (!entryOk) continue;
    // The first agent keeps the stack's names; every other one is named after itself.
    const agentStack = name === FIRST_AGENT ? stack : `${stack}-${name}`;
    try {
      agents.push({ name, config: parseConfig(overlay(source, settings), agentStack) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems.map((p) => agentProblem(name, settings, p)));
    }
  }
  problems.push(...sharedNameProblems(agents));
  if (problems.length > 0) throw new ConfigError(problems);
  return agents;
}

/**
 * Two agents may not share a cloud-side name: a server, volume, worker or bucket; nor a
 * tailnet name, a vps's or an owned machine's the kit joins (the second would be
 * renamed there, and the first found in its place); nor a machine the operator owns
 * (both would use its /var/lib/openclaw); nor a backup
 * repository, where one's retention would prune the other's snapshots and a restore of
 * "latest" could bring back the other agent.
 */
function sharedNameProblems(agents: readonly StackAgent[]): ConfigProblem[] {
  const owners = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const { name, config } of agents) {
    const backup = config.target !== "moltworker" &&
      config.backup && {
        backupPrefix: `${config.backup.endpoint}/${config.backup.bucket}/${config.backup.prefix}`,
      };
    const cloudNames =
      config.target === "vps"
        ? { hostname: config.hostname, ...backup }
        : config.target === "host"
          ? {
              host: config.host.toLowerCase(),
              ...(config.tailnetJoin ? { hostname: config.tailnetJoin.hostname } : {}),
              ...backup,
            }
          : { workerName: config.workerName, bucketName: config.bucketName };
    for (const [field, value] of Object.entries(cloudNames)) {
      // A backup repository and a tailnet name are one whatever target uses them; any
      // other name is one within its target.
      const id =
        field === "backupPrefix" || field === "hostname"
          ? `${field}:${value}`
          : `${config.target}:${field}:${value}`;
      const owner = owners.get(id);
      if (owner) {
        problems.push({
          key: `${AGENTS_KEY}.${name}.${field}`,
          message: `"${value}" is also agent "${owner}"'s ${field}`,
          fix: `pulumi config set --path '${AGENTS_KEY}.${name}.${field}' <another name>`,
        });
      } else owners.set(id, name);
    }
  }
  return problems;
}
