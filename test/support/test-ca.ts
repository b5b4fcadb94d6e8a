import * as fs from "fs";
import * as path from "path";
import { run } from "./tools";

/** A certificate authority made for one test run, and a server certificate it signed. */
export interface TestCa {
  /** The CA certificate (PEM): what the credential gateway is made to trust. */
  readonly caCert: string;
  /** The server certificate (PEM) for every name asked for. */
  readonly cert: string;
  /** Its private key (PEM). */
  readonly key: string;
}

/**
 * Makes a throwaway CA in DIR and a server certificate for NAMES signed by it, with
 * openssl: the fake upstreams present it, and only a client that trusts this CA
 * (and checks the name) accepts it.
 */
export function makeTestCa(dir: string, names: readonly string[]): TestCa {
  const p = (f: string) => path.join(dir, f);
  const openssl = (args: string[]) => {
    const r = run("openssl", args, { cwd: dir });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  // A new P-256 key, unencrypted, written to KEYOUT.
  const newKey = (keyOut: string) => [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    keyOut,
  ];
  openssl([
    "req",
    "-x509",
    ...newKey(p("ca.key")),
    "-out",
    p("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=clawkit test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  openssl(["req", ...newKey(p("server.key")), "-out", p("server.csr"), "-subj", `/CN=${names[0]}`]);
  fs.writeFileSync(
    p("server.ext"),
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth\n`,
  );
  openssl([
    "x509",
    "-req",
    "-in",
    p("server.csr"),
    "-CA",
    p("ca.crt"),
    "-CAkey",
    p("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    p("server.ext"),
    "-out",
    p("server.crt"),
  ]);
  return {
    caCert: fs.readFileSync(p("ca.crt"), "utf8"),
    cert: fs.readFileSync(p("server.crt"), "utf8"),
    key: fs.readFileSync(p("server.key"), "utf8"),
  };
}
