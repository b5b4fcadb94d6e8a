import * as pulumi from "@pulumi/pulumi";
import { readCheckout } from "../moltworker/checkout";
import { ConfigError, ConfigProblem, configReader, ConfigSource, k, Target } from "../core/config";
import { parseVpsConfig, VpsConfig } from "../vps/config";
import { CONFIG_REFERENCE } from "./configReference";
import { MoltworkerConfig, parseMoltworkerConfig } from "../moltworker/config";
import { HostConfig, parseHostConfig } from "../owned/config";

/** The validated configuration of any shape. */
export type ClawkitConfig = VpsConfig | MoltworkerConfig | HostConfig;

/**
 * Reads and validates every key; throws one ConfigError naming every bad key, an
 * unknown or misspelt `clawkit:` key included (a misspelt control would otherwise
 * leave it off without a word).
 */
export function parseConfig(source: ConfigSource, stack: string): ClawkitConfig {
  const target = source.get(k("target"));
  if (target !== "vps" && target !== "moltworker" && target !== "host") {
    throw new ConfigError([
      {
        key: k("target"),
        message:
          target === undefined || target === ""
            ? "is required"
            : `must be "vps", "moltworker" or "host", got "${target}"`,
        fix: "pulumi config set clawkit:target vps (or moltworker, or host)",
        missing: target === undefined || target === "",
      },
      ...unknownKeyProblems(source.keys(), undefined),
    ]);
  }
  const reader = configReader(source);
  const config =
    target === "vps"
      ? parseVpsConfig(reader, stack)
      : target === "host"
        ? parseHostConfig(reader, stack)
        : parseMoltworkerConfig(reader, stack);
  const problems = [...unknownKeyProblems(source.keys(), target), ...reader.problems];
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The namespace whose every key the kit knows. */
const NAMESPACE = "clawkit";

/**
 * Problems for keys in the `clawkit` namespace (or a misspelling of it) that no shape
 * reads, each with the key that was probably meant.
 */
export function unknownKeyProblems(
  keys: readonly string[],
  target: Target | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of keys) {
    const colon = key.indexOf(":");
    const namespace = key.slice(0, colon);
    if (colon < 0 || (namespace !== NAMESPACE && editDistance(namespace, NAMESPACE) > 2)) continue;
    // Keys of the other shape pass: Pulumi hands every stack the Pulumi.yaml defaults.
    if (CONFIG_REFERENCE.some((c) => c.key === key)) continue;
    const meant = closestKey(`${NAMESPACE}:${key.slice(colon + 1)}`, target);
    problems.push({
      key,
      message: meant
        ? `is not a clawkit setting; did you mean ${meant.key}?`
        : "is not a clawkit setting (README: Configuration reference)",
      fix: meant
        ? `pulumi config rm ${key} && pulumi config set${meant.secret ? " --secret" : ""} ${meant.key} <value>`
        : `pulumi config rm ${key}`,
    });
  }
  return problems;
}

/** The documented key nearest to a misspelt one, preferring keys of the stack's shape. */
function closestKey(key: string, target: Target | undefined) {
  const candidates = CONFIG_REFERENCE.filter(
    (c) => c.key.startsWith(`${NAMESPACE}:`) && (!target || c.shapes.includes(target)),
  );
  const sameButCase = candidates.find((c) => c.key.toLowerCase() === key.toLowerCase());
  if (sameButCase) return sameButCase;
  let best: { key: string; secret: boolean } | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const distance = editDistance(c.key.toLowerCase(), key.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  // Far-off guesses mislead more than they help.
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The ConfigSource of a running Pulumi program. */
export function pulumiConfigSource(): ConfigSource {
  const all = pulumi.runtime.allConfig();
  // isConfigSecret is exported by the SDK's runtime but missing from its typings.
  const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
  return {
    keys: () => Object.keys(all),
    get: (key) => all[key],
    isSecret: (key) => runtimeConfig.isConfigSecret(key),
    env: (name) => process.env[name],
    checkout: readCheckout,
  };
}
