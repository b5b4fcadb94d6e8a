import * as fs from "fs";
import * as path from "path";
import {
  CREDENTIAL_UPSTREAMS,
  CredentialRoute,
  renderCredentialGatewayConfig,
} from "../../vps/host/credential-gateway";
import { renderLockdownIncludes } from "../../vps/host/lockdown";
import { HOST } from "../../vps/host/paths";
import { makeTestCa } from "./test-ca";

/** An nginx log format for tests only: what the agent side sent in its credential headers. */
const TAP_FORMAT =
  "log_format tap '$request_method $uri $status x-api-key=[$http_x_api_key] authorization=[$http_authorization]';";

/**
 * Lays out, in DIR, the credential gateway as the host has it, for a run inside a
 * private mount and network namespace (agent-turn.sh binds the files in place):
 * the rendered nginx.conf with the credentials read from DIR/credentials (the one
 * path change) and a test-only access log of the credential headers that arrived
 * (DIR/credgw-tap.log); the lockdown include for the state asked for (default:
 * not locked down); one credential file a route, in the form secrets-apply.sh
 * writes; passwd and group with the gateway's user; hosts that send every upstream
 * to loopback; and a test CA the upstreams' certificate is signed by, as the
 * system's whole trust store.
 */
export function stageCredentialGateway(
  dir: string,
  credentials: Partial<Record<CredentialRoute, string>>,
  opts: { lockdown?: boolean } = {},
): void {
  const routes = Object.keys(credentials) as CredentialRoute[];
  const lockdownInclude = path.join(dir, "lockdown.conf");
  fs.writeFileSync(
    lockdownInclude,
    renderLockdownIncludes(opts.lockdown ?? false).credentialGateway,
  );
  const conf = renderCredentialGatewayConfig(routes)
    .split(HOST.credentialsDir)
    .join(path.join(dir, "credentials"))
    .split(HOST.credentialGatewayLockdownInclude)
    .join(lockdownInclude)
    .replace(
      /^ {2}access_log syslog:.*$/m,
      `  ${TAP_FORMAT}\n  access_log ${path.join(dir, "credgw-tap.log")} tap;`,
    );
  fs.writeFileSync(path.join(dir, "credential-gateway.conf"), conf);
  fs.mkdirSync(path.join(dir, "credentials"), { mode: 0o700 });
  for (const [route, value] of Object.entries(credentials))
    fs.writeFileSync(
      path.join(dir, "credentials", `${route}.conf`),
      `set $clawkit_credential "${value}";\n`,
      { mode: 0o600 },
    );
  const etc = path.join(dir, "etc");
  fs.mkdirSync(etc);
  const user = HOST.credentialGatewayUser;
  fs.writeFileSync(
    path.join(etc, "passwd"),
    fs.readFileSync("/etc/passwd", "utf8") +
      `${user}:x:64990:64990::/nonexistent:/usr/sbin/nologin\n`,
  );
  fs.writeFileSync(
    path.join(etc, "group"),
    fs.readFileSync("/etc/group", "utf8") + `${user}:x:64990:\n`,
  );
  const upstreams = Object.values(CREDENTIAL_UPSTREAMS).map((u) => u.host);
  fs.writeFileSync(
    path.join(etc, "hosts"),
    `127.0.0.1 localhost ${upstreams.join(" ")}\n::1 localhost\n`,
  );
  const ca = makeTestCa(dir, upstreams);
  fs.writeFileSync(path.join(dir, "ca.crt"), ca.caCert);
  fs.writeFileSync(path.join(dir, "server.crt"), ca.cert);
  fs.writeFileSync(path.join(dir, "server.key"), ca.key, { mode: 0o600 });
}

/** One line of the test-only access log: the credential headers the agent side sent. */
export interface TapLine {
  readonly method: string;
  readonly uri: string;
  readonly status: number;
  readonly apiKey: string;
  readonly authorization: string;
}

/** Reads DIR/credgw-tap.log. */
export function readTap(dir: string): TapLine[] {
  const file = path.join(dir, "credgw-tap.log");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+) (\S+) (\d+) x-api-key=\[(.*?)\] authorization=\[(.*?)\]$/.exec(line);
      if (!m) throw new Error(`unexpected tap line: ${line}`);
      return { method: m[1], uri: m[2], status: Number(m[3]), apiKey: m[4], authorization: m[5] };
    });
}
