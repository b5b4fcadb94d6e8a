import { ConfigError, ConfigSource } from "../core/config";
import { parseAgents } from "./agents";
import { CONFIG_REFERENCE } from "./configReference";

/** A setting a stack needs and does not have: what a first run asks for. */
export interface MissingSetting {
  readonly key: string;
  /** Asked without echo and stored with `pulumi config set --secret`. */
  readonly secret: boolean;
  /** What to enter, from the config reference. */
  readonly description: string;
}

/**
 * The required settings a stack lacks, judged by the same parser `pulumi up` runs, so
 * the questions are exactly what stands between the stack and a deploy. Problems with
 * values that are set (wrong, not missing) are left for `pulumi up` to report.
 */
export function missingSettings(source: ConfigSource, stack: string): MissingSetting[] {
  try {
    parseAgents(source, stack);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const keys = [...new Set(e.problems.filter((p) => p.missing).map((p) => p.key))];
    return keys.map((key) => {
      const reference = CONFIG_REFERENCE.find((c) => c.key === key);
      return { key, secret: reference?.secret ?? false, description: reference?.description ?? "" };
    });
  }
}
