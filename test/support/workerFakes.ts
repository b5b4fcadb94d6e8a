import * as fs from "fs";
import * as path from "path";

/**
 * The fake wrangler: records its argv (one per line), its environment and its stdin
 * under $FAKE_LOG/<n>-*, answers `secret list` with $FAKE_SECRET_LIST, and fails
 * when $FAKE_FAIL names the subcommand.
 */
export const FAKE_WRANGLER = `#!/bin/sh
n=$(ls "$FAKE_LOG" | grep -c argv || true)
n=$((n + 1))
printf '%s\\n' "$@" >"$FAKE_LOG/$n-wrangler-argv"
env >"$FAKE_LOG/$n-wrangler-env"
if [ "$1" = secret ] && [ "$2" = list ]; then
  cat >/dev/null
  printf '%s\\n' "\${FAKE_SECRET_LIST:-[]}"
  exit 0
fi
cat >"$FAKE_LOG/$n-wrangler-stdin"
[ "\${FAKE_FAIL:-}" != "$1" ]
`;

/** A curl that records its argv and environment, then runs the real one. */
export const RECORDING_CURL = `#!/bin/sh
n=$(ls "$FAKE_LOG" | grep -c argv || true)
n=$((n + 1))
printf '%s\\n' "$@" >"$FAKE_LOG/$n-curl-argv"
env >"$FAKE_LOG/$n-curl-env"
exec /usr/bin/curl "$@"
`;

/** One run of a fake, as it recorded itself. */
export interface Call {
  readonly tool: string;
  readonly argv: string[];
  readonly env: string;
  readonly stdin?: string;
}

/** The calls the fakes recorded, in order. */
export function calls(logDir: string): Call[] {
  const files = fs.readdirSync(logDir).filter((f) => f.endsWith("-argv"));
  return files
    .map((f) => {
      const [n, tool] = f.split("-");
      const read = (suffix: string) => {
        const p = path.join(logDir, `${n}-${tool}-${suffix}`);
        return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : undefined;
      };
      return {
        n: Number(n),
        call: {
          tool,
          argv: read("argv")!.split("\n").slice(0, -1),
          env: read("env")!,
          stdin: read("stdin"),
        },
      };
    })
    .sort((a, b) => a.n - b.n)
    .map((x) => x.call);
}
