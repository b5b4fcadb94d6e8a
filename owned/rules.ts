import * as net from "net";
import { problemCollector, SettingNames, SettingProblem } from "../core/rules";
import { hardenedHostProblems, tailnetJoinProblems } from "../vps/rules";
import { HostAgentArgs } from "./args";

type Family = "ipv4" | "ipv6";
type Range = readonly [network: string, prefix: number, family: Family];

/** The tailnet's own ranges: there WireGuard authenticates whoever holds an address. */
const TAILNET_RANGES: readonly Range[] = [
  ["100.64.0.0", 10, "ipv4"],
  ["fd7a:115c:a1e0::", 48, "ipv6"],
];
/** The private ranges a LAN opt-in may name: RFC 1918 and IPv6 unique local addresses. */
const PRIVATE_RANGES: readonly Range[] = [
  ["10.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["fc00::", 7, "ipv6"],
];

/** The family of an IP address, or undefined when it is not one. */
function familyOf(address: string): Family | undefined {
  const version = net.isIP(address);
  return version === 4 ? "ipv4" : version === 6 ? "ipv6" : undefined;
}

/** The range among these that holds all of address/prefix, if any. */
function enclosing(
  ranges: readonly Range[],
  address: string,
  prefix: number,
  family: Family,
): Range | undefined {
  return ranges.find(([network, bits, f]) => {
    if (f !== family || prefix < bits) return false;
    const list = new net.BlockList();
    list.addSubnet(network, bits, f);
    return list.check(address, family);
  });
}

/** True when an address is one of the tailnet's. */
export function isTailnetAddress(address: string): boolean {
  const family = familyOf(address);
  return family !== undefined && enclosing(TAILNET_RANGES, address, 128, family) !== undefined;
}

/** An address as a number, for the host-bits check (IPv6 written in hex groups only). */
function addressBits(address: string, family: Family): bigint | undefined {
  if (family === "ipv4")
    return address.split(".").reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
  if (address.includes(".")) return undefined;
  const [head, tail] = address.split("::");
  const groups = (part?: string) => (part ? part.split(":") : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [
    ...groups(head),
    ...Array<string>(tail === undefined ? 0 : missing).fill("0"),
    ...groups(tail),
  ];
  return all.reduce((n, group) => (n << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** Why a LAN range is refused, or undefined when it is a private range in network form. */
export function lanRangeProblem(cidr: string): string | undefined {
  const match = /^([0-9A-Fa-f.:]+)\/([0-9]{1,3})$/.exec(cidr);
  const family = match ? familyOf(match[1]) : undefined;
  if (!match || !family) return `"${cidr}" is not an address range (a.b.c.d/n, or an IPv6 prefix)`;
  const prefix = Number(match[2]);
  const width = family === "ipv4" ? 32 : 128;
  if (prefix > width) return `"${cidr}" has a prefix longer than ${width} bits`;
  if (!enclosing(PRIVATE_RANGES, match[1], prefix, family))
    return `"${cidr}" is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7): sshd would answer the internet`;
  const bits = addressBits(match[1], family);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if (bits === undefined || (bits & hostMask) !== 0n)
    return `"${cidr}" has bits set past its /${prefix}: write the range's first address`;
  return undefined;
}

/** True when an address lies inside one of these LAN ranges (the ones lanRangeProblem accepts). */
function insideLanRanges(address: string, cidrs: readonly string[]): boolean {
  const family = familyOf(address);
  return cidrs.some((cidr) => {
    if (family === undefined || lanRangeProblem(cidr) !== undefined) return false;
    const [network, prefix] = cidr.split("/");
    if (familyOf(network) !== family) return false;
    const list = new net.BlockList();
    list.addSubnet(network, Number(prefix), family);
    return list.check(address, family);
  });
}

/** The OpenSSH private key container: its magic, then the cipher's name. */
const OPENSSH_KEY_MAGIC = "openssh-key-v1\0";

/**
 * Why an SSH private key is refused, or undefined when the kit can use it: an OpenSSH
 * private key block, not encrypted (nothing could type its passphrase). Never repeats
 * the key.
 */
export function sshPrivateKeyProblem(key: string): string | undefined {
  const lines = key.replace(/\r/g, "").trim().split("\n");
  const [first, last] = [lines[0], lines[lines.length - 1]];
  if (/^(ssh-|ecdsa-|sk-)/.test(first))
    return "is a public key: the kit needs the private key it belongs to";
  // PEM keys say so in their header (Proc-Type: 4,ENCRYPTED, or BEGIN ENCRYPTED PRIVATE KEY).
  if (
    first !== "-----BEGIN OPENSSH PRIVATE KEY-----" &&
    /ENCRYPTED/.test(lines.slice(0, 2).join("\n"))
  )
    return "is encrypted with a passphrase, which the kit cannot type";
  if (
    first !== "-----BEGIN OPENSSH PRIVATE KEY-----" ||
    last !== "-----END OPENSSH PRIVATE KEY-----"
  )
    return "is not an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY----- … -----END OPENSSH PRIVATE KEY-----)";
  const body = Buffer.from(lines.slice(1, -1).join(""), "base64");
  const magic = Buffer.from(OPENSSH_KEY_MAGIC, "latin1");
  if (body.length < magic.length + 4 || !body.subarray(0, magic.length).equals(magic))
    return "is not an OpenSSH private key: its body is not openssh-key-v1";
  const cipherLength = body.readUInt32BE(magic.length);
  const cipher = body
    .subarray(magic.length + 4, magic.length + 4 + cipherLength)
    .toString("latin1");
  if (cipher !== "none") return "is encrypted with a passphrase, which the kit cannot type";
  return undefined;
}

/** Why a host key is refused, or undefined when it is one ed25519 public key in OpenSSH form. */
export function sshHostKeyProblem(key: string): string | undefined {
  const match = /^(\S+) ([A-Za-z0-9+/]+={0,2})( [^\n]*)?$/.exec(key.trim());
  if (!match) return `"${key.slice(0, 24)}…" is not an OpenSSH public key line`;
  if (match[1] !== "ssh-ed25519")
    return `is a ${match[1]} key: the kit's sshd serves only the ed25519 host key`;
  const blob = Buffer.from(match[2], "base64");
  const type = Buffer.from("\0\0\0\x0bssh-ed25519\0\0\0\x20", "latin1");
  if (blob.length !== type.length + 32 || !blob.subarray(0, type.length).equals(type))
    return "is not a whole ed25519 public key (its base64 is cut or altered)";
  return undefined;
}

/** A host name: DNS labels (a MagicDNS short name is one label), an optional final dot. */
const HOST_NAME =
  /^(?=.{1,253}\.?$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Every rule of a machine the operator owns: the hardened host's, then how the kit
 * reaches it. Off the tailnet nothing authenticates the machine at first contact, so a
 * LAN address or a LAN opt-in needs its host key, read on the machine itself. A machine
 * the kit joins to the tailnet is reached before it is on it: by its LAN address (a name
 * would not do: once provisioned, ufw drops mDNS and a .local name stops resolving),
 * inside an opted-in range, with its host key; its tags and name follow the vps's
 * rules, and mean nothing without the join. The config layer calls it on the `clawkit:`
 * keys it read, HostAgent on its args; an SSH key given as an Output is judged where its
 * value is known.
 */
export function ownedProblems(args: HostAgentArgs, names: SettingNames): SettingProblem[] {
  const { problems, problem } = problemCollector(names);
  problems.push(...hardenedHostProblems(args, names));
  const nameExample = "<machine>.<tailnet>.ts.net";
  const hostKeyFix = `read the key on the machine itself (cat /etc/ssh/ssh_host_ed25519_key.pub), then ${names.set("sshHostKey", '"ssh-ed25519 AAAA…"')}`;

  const host = args.host;
  const family = host === undefined ? undefined : familyOf(host);
  const lanFix = names.set("sshFromLan", "192.168.1.0/24", { list: true });
  const joining = args.tailnetJoin === true;
  let offTailnet = false;
  /** A private address the LAN opt-in reaches: the only way to a machine the kit joins. */
  let lanAddress = false;
  if (host === undefined || host === "") {
    problem(
      "host",
      `is required: the machine's MagicDNS name or tailnet address (with ${names.key("tailnetJoin")}: its LAN address)`,
      names.set("host", nameExample),
      true,
    );
  } else if (family === undefined) {
    if (!HOST_NAME.test(host))
      problem(
        "host",
        `"${host}" is not a host name or an IP address`,
        names.set("host", nameExample),
      );
  } else if (!isTailnetAddress(host)) {
    offTailnet = true;
    if (!enclosing(PRIVATE_RANGES, host, family === "ipv4" ? 32 : 128, family))
      problem(
        "host",
        `"${host}" is neither a tailnet address (100.64.0.0/10, fd7a:115c:a1e0::/48) nor a private LAN one: the kit reaches a machine it owns over the tailnet`,
        names.set("host", nameExample),
      );
    else if ((args.sshFromLan ?? []).length === 0)
      problem(
        "host",
        `"${host}" is not a tailnet address (100.64.0.0/10, fd7a:115c:a1e0::/48): a LAN address needs ${names.key("sshFromLan")} and ${names.key("sshHostKey")}`,
        `${names.set("host", nameExample)} (or ${lanFix} and set ${names.key("sshHostKey")})`,
      );
    else lanAddress = true;
  }

  for (const cidr of args.sshFromLan ?? []) {
    const why = lanRangeProblem(cidr);
    if (why) problem("sshFromLan", why, lanFix);
  }

  if (joining) {
    problems.push(...tailnetJoinProblems(args, names));
    const addressFix = `${names.set("host", "192.168.1.10")} (its address on your LAN: ip -brief address, on the machine)`;
    const joined = `or, once the machine is on the tailnet, ${names.set("host", nameExample)} and ${names.remove("tailnetJoin")}`;
    if ((args.sshFromLan ?? []).length === 0)
      problem(
        "tailnetJoin",
        `needs ${names.key("sshFromLan")}: until the machine is on the tailnet the kit reaches it over the LAN`,
        `${lanFix} (your LAN's range); ${joined}`,
      );
    else if (host && family === undefined && HOST_NAME.test(host))
      problem(
        "host",
        `"${host}" is a name: a machine the kit joins to the tailnet is reached by its LAN address (once provisioned, ufw drops mDNS, so a .local name stops resolving)`,
        `${addressFix}; ${joined}`,
      );
    else if (host && family !== undefined && isTailnetAddress(host))
      problem(
        "host",
        `"${host}" is a tailnet address: the machine is on the tailnet already, and ${names.key("tailnetJoin")} joins one that is not`,
        names.remove("tailnetJoin"),
      );
    else if (lanAddress && !insideLanRanges(host, args.sshFromLan ?? []))
      problem(
        "host",
        `"${host}" is inside none of ${names.key("sshFromLan")} (${(args.sshFromLan ?? []).join(", ")}): the kit reaches a machine it joins to the tailnet over the LAN`,
        `${addressFix}, or add its range to ${names.key("sshFromLan")}`,
      );
  } else {
    for (const field of ["tailnetTags", "hostname"] as const)
      if (args[field] !== undefined)
        problem(
          field,
          `means nothing without ${names.key("tailnetJoin")}: the kit joins the machine to the tailnet only when told to`,
          `${names.set("tailnetJoin", "true")} (or ${names.remove(field)})`,
        );
  }

  if (args.sshHostKey !== undefined) {
    const why = sshHostKeyProblem(args.sshHostKey);
    if (why) problem("sshHostKey", why, hostKeyFix);
  } else if ((args.sshFromLan ?? []).length > 0 || offTailnet || joining) {
    const why = offTailnet
      ? `a LAN address in ${names.key("host")}`
      : (args.sshFromLan ?? []).length > 0
        ? names.key("sshFromLan")
        : names.key("tailnetJoin");
    problem(
      "sshHostKey",
      `is required with ${why}: off the tailnet nothing proves which machine answers the first connection`,
      hostKeyFix,
      true,
    );
  }

  if (typeof args.sshPrivateKey === "string") {
    const why = sshPrivateKeyProblem(args.sshPrivateKey);
    if (why)
      problem(
        "sshPrivateKey",
        why,
        why.includes("encrypted")
          ? `load it into your ssh-agent (ssh-add <key file>), then ${names.remove("sshPrivateKey")}: the kit uses the agent`
          : `${names.set("sshPrivateKey", "< ~/.ssh/id_ed25519", { secret: true })} (or ${names.remove("sshPrivateKey")} to use your ssh-agent)`,
      );
  }
  return problems;
}
