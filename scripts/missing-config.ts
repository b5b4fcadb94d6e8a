// Prints the required settings a stack lacks, one per line: `key<TAB>secret|plain<TAB>what it is`.
// Input on stdin: `pulumi config --json` (without --show-secrets: no secret value is read
// here; a secret that is set counts as set). Argument: the stack's name.
import * as fs from "fs";
import { readCheckout } from "../moltworker/checkout";
import { missingSettings } from "../program/missing";

const config = JSON.parse(fs.readFileSync(0, "utf8") || "{}") as Record<
  string,
  { value?: unknown; objectValue?: unknown; secret?: boolean }
>;
/** A value as the program would get it; a set secret stands in as a placeholder. */
const valueOf = (entry: (typeof config)[string]): string | undefined =>
  entry.secret
    ? "set"
    : entry.objectValue !== undefined
      ? JSON.stringify(entry.objectValue)
      : entry.value === undefined
        ? undefined
        : String(entry.value);

const missing = missingSettings(
  {
    keys: () => Object.keys(config),
    get: (key) => (config[key] ? valueOf(config[key]) : undefined),
    isSecret: (key) => config[key]?.secret === true,
    env: (name) => process.env[name],
    checkout: readCheckout,
  },
  process.argv[2] ?? "dev",
);
for (const m of missing)
  process.stdout.write(`${m.key}\t${m.secret ? "secret" : "plain"}\t${m.description}\n`);
