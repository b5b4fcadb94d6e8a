import {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import { bucketResource, reachesLiveState } from "../moltworker/storageRules";

// The kit's invariants as CrossGuard policies, so they hold on any program that uses these
// providers, the kit's components built another way or edited by hand included. The
// analyzer hands policies plain values (secrets unwrapped), so secretness is read from
// `additionalSecretOutputs` and from the outputs providers always keep secret.

export const PACK_NAME = "clawkit";

type Props = Record<string, unknown>;

const FIREWALL = "hcloud:index/firewall:Firewall";
const SERVER = "hcloud:index/server:Server";
const TAILNET_KEY = "tailscale:index/tailnetKey:TailnetKey";
const ACCESS_POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
const ACCESS_APP = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const LIFECYCLE = "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle";
const ACCOUNT_TOKEN = "cloudflare:index/accountToken:AccountToken";
const COMMANDS = ["command:local:Command", "command:remote:Command"];

/** The longest a tailnet key may stay usable: a bootstrap key is used within minutes. */
export const TAILNET_KEY_MAX_EXPIRY_SECONDS = 24 * 3600;

/** The one path Access may scope an application to: moltworker's browser routes (`/cdp`). */
export const BROWSER_BYPASS_PATH = "/cdp";

/** Access include kinds that name who gets in; every other kind lets in a crowd. */
const NARROW_INCLUDES = ["email", "serviceToken"];

/** R2 token jurisdictions, as bucketResource spells them. */
const JURISDICTIONS = ["default", "eu", "fedramp"];

/** Outputs a provider always keeps secret, by resource type. */
const PROVIDER_SECRET_OUTPUTS: Record<string, readonly string[]> = {
  "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
  "tls:index/privateKey:PrivateKey": ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
  [TAILNET_KEY]: ["key"],
  [ACCOUNT_TOKEN]: ["value"],
  "cloudflare:index/apiToken:ApiToken": ["value"],
  "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken": ["clientSecret"],
};

/** Credentials recognisable by their shape, whatever program put them on a command. */
const CREDENTIAL_SHAPES: readonly { name: string; pattern: RegExp }[] = [
  { name: "an Anthropic or OpenAI API key", pattern: /\bsk-[A-Za-z0-9_-]{20,}/ },
  { name: "a Tailscale key", pattern: /\btskey-[A-Za-z0-9-]{10,}/ },
  { name: "a Telegram bot token", pattern: /\b\d{6,}:[A-Za-z0-9_-]{25,}/ },
  { name: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: "a GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})/ },
  { name: "an AWS access key", pattern: /\bAKIA[0-9A-Z]{16}\b/ },
];

/** A piece of a secret shorter than this is too common to look for elsewhere. */
const MIN_SECRET_PIECE = 12;

/** A property's value, or undefined while it is unknown (a preview before its resource exists). */
function known(read: () => unknown): unknown {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

/** True while a property is unknown (a preview before the resource it comes from exists). */
function unknown(read: () => unknown): boolean {
  try {
    read();
    return false;
  } catch (e) {
    if (e instanceof UnknownValueError) return true;
    throw e;
  }
}

/** Every known string inside a value, however deep. */
function knownStrings(read: () => unknown): string[] {
  const value = known(read);
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null) return [];
  const record = value as Props;
  return Object.keys(record).flatMap((key) => knownStrings(() => record[key]));
}

function list(value: unknown): Props[] {
  return Array.isArray(value) ? (value as Props[]) : [];
}

/** A resource validation that runs only for one resource type. */
function forType(
  type: string,
  validate: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidationPolicy["validateResource"] {
  return (args, report) => {
    if (args.type === type) validate(args.props as Props, args, report);
  };
}

export const firewallNoInbound: ResourceValidationPolicy = {
  name: "hcloud-firewall-no-inbound",
  description:
    "An hcloud firewall has no inbound rule: the agent's server is reached only over the tailnet.",
  validateResource: forType(FIREWALL, (props, _args, report) => {
    for (const rule of list(props.rules)) {
      if (rule.direction === "in") {
        report(
          `inbound rule for ${String(rule.protocol)} port ${String(rule.port ?? "any")} from ${JSON.stringify(rule.sourceIps ?? [])}; remove it`,
        );
      }
    }
  }),
};

export const serverFirewallAtCreation: ResourceValidationPolicy = {
  name: "hcloud-server-firewall-at-creation",
  description:
    "An hcloud server is created behind a firewall (firewallIds): a server without one, or one attached later, has every listening port open to the internet.",
  validateResource: forType(SERVER, (props, _args, report) => {
    if (unknown(() => props.firewallIds)) return;
    if (list(props.firewallIds).length === 0) {
      report("no firewallIds; give it firewallIds: [firewall.id.apply(Number)]");
    }
  }),
};

export const serverUserDataSecret: ResourceValidationPolicy = {
  name: "hcloud-server-user-data-secret",
  description:
    "An hcloud server's user-data is a secret output: it carries the bootstrap tailnet key.",
  validateResource: forType(SERVER, (props, args, report) => {
    if (props.userData === undefined) return;
    if (!args.opts.additionalSecretOutputs.includes("userData")) {
      report('userData is not marked secret; add additionalSecretOutputs: ["userData"]');
    }
  }),
};

export const tailnetKeyOneOff: ResourceValidationPolicy = {
  name: "tailscale-key-one-off",
  description: `A tailnet key is not reusable and expires within ${TAILNET_KEY_MAX_EXPIRY_SECONDS} seconds.`,
  validateResource: forType(TAILNET_KEY, (props, _args, report) => {
    if (props.reusable === true) report("reusable is true; set reusable: false");
    const expiry = Number(props.expiry ?? 0);
    if (!(expiry > 0 && expiry <= TAILNET_KEY_MAX_EXPIRY_SECONDS)) {
      report(
        `expiry is ${String(props.expiry ?? "unset (Tailscale's default is 90 days)")}; set expiry to at most ${TAILNET_KEY_MAX_EXPIRY_SECONDS}`,
      );
    }
  }),
};

/** The path an Access destination names after its host ("" for the whole hostname). */
function pathOf(destination: string): string {
  const withoutScheme = destination.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const slash = withoutScheme.indexOf("/");
  return slash < 0 ? "" : withoutScheme.slice(slash).replace(/\/$/, "");
}

/** Everything an Access application covers: its domain and its destinations' URIs. */
function appTargets(props: Props): string[] {
  const targets = typeof props.domain === "string" ? [props.domain] : [];
  for (const domain of Array.isArray(props.selfHostedDomains) ? props.selfHostedDomains : []) {
    if (typeof domain === "string") targets.push(domain);
  }
  for (const destination of list(props.destinations)) {
    if (typeof destination.uri === "string") targets.push(destination.uri);
  }
  return targets;
}

/** True when an Access application covers only the browser bypass path. */
function isBrowserBypassApp(props: Props): boolean {
  const targets = appTargets(props);
  return targets.length > 0 && targets.every((t) => pathOf(t) === BROWSER_BYPASS_PATH);
}

export const accessAppWholeHostname: ResourceValidationPolicy = {
  name: "access-app-whole-hostname",
  description: `An Access application covers a whole hostname, never a path; the one exception is moltworker's browser bypass at ${BROWSER_BYPASS_PATH}.`,
  validateResource: forType(ACCESS_APP, (props, _args, report) => {
    for (const target of appTargets(props)) {
      const path = pathOf(target);
      if (path !== "" && path !== BROWSER_BYPASS_PATH) {
        report(
          `covers only ${target}: the rest of the hostname is left outside Access; cover the hostname without a path`,
        );
      }
    }
  }),
};

/** The include kinds of an Access policy (or an application's inline policy) that let in a crowd. */
function broadIncludes(policy: Props): string[] {
  return list(policy.includes).flatMap((include) =>
    Object.keys(include).filter(
      (kind) =>
        include[kind] !== undefined && include[kind] !== null && !NARROW_INCLUDES.includes(kind),
    ),
  );
}

export const accessNeverEveryone: StackValidationPolicy = {
  name: "access-never-everyone",
  description: `An Access policy includes named emails or service tokens only, never everyone, an email domain or another crowd; the one exception is a bypass used only by the ${BROWSER_BYPASS_PATH} application.`,
  validateStack: (args: StackValidationArgs, report) => {
    const apps = args.resources.filter((r) => r.type === ACCESS_APP);
    for (const policy of args.resources.filter((r) => r.type === ACCESS_POLICY)) {
      const broad = broadIncludes(policy.props as Props);
      if (broad.length === 0) continue;
      const users = apps.filter((app) => app.dependencies.some((d) => d.urn === policy.urn));
      const bypassOnly =
        policy.props.decision === "bypass" &&
        users.length > 0 &&
        users.every((app) => isBrowserBypassApp(app.props as Props));
      if (!bypassOnly) {
        report(
          `includes ${broad.join(", ")}; include named emails (email) or service tokens (serviceToken) only`,
          policy.urn,
        );
      }
    }
    for (const app of apps) {
      for (const inline of list(app.props.policies)) {
        const broad = broadIncludes(inline);
        const bypassOnly = inline.decision === "bypass" && isBrowserBypassApp(app.props as Props);
        if (broad.length > 0 && !bypassOnly) {
          report(
            `an inline policy includes ${broad.join(", ")}; include named emails or service tokens only`,
            app.urn,
          );
        }
      }
    }
  },
};

export const lifecycleKeepsLiveState: ResourceValidationPolicy = {
  name: "r2-lifecycle-keeps-live-state",
  description:
    "No R2 lifecycle rule expires or deletes objects under moltworker's live state prefixes.",
  validateResource: forType(LIFECYCLE, (props, _args, report) => {
    for (const rule of list(props.rules)) {
      if (rule.enabled === false || !rule.deleteObjectsTransition) continue;
      const prefix = String((rule.conditions as Props | undefined)?.prefix ?? "");
      if (reachesLiveState(prefix)) {
        report(
          `rule ${String(rule.id)} deletes objects under ${prefix === "" ? "every prefix" : prefix}, where the agent's live state is; remove it or give it a prefix outside the live state`,
        );
      }
    }
  }),
};

/** An R2 bucket name: 3 to 63 lowercase letters, digits and hyphens, no hyphen at either end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** True when an account token's resource key names one R2 bucket of this account. */
function isOneBucket(accountId: string, key: string): boolean {
  return JURISDICTIONS.some((jurisdiction) => {
    const prefix = bucketResource(accountId, jurisdiction, "");
    return key.startsWith(prefix) && BUCKET_NAME.test(key.slice(prefix.length));
  });
}

export const tokenOneBucket: ResourceValidationPolicy = {
  name: "r2-token-one-bucket",
  description: "An account token reaches one R2 bucket and nothing else in the account.",
  validateResource: forType(ACCOUNT_TOKEN, (props, _args, report) => {
    const accountId = String(props.accountId);
    for (const policy of list(props.policies)) {
      const resources =
        typeof policy.resources === "string"
          ? (JSON.parse(policy.resources) as Props)
          : ((policy.resources ?? {}) as Props);
      const keys = Object.keys(resources);
      const scoped =
        keys.length === 1 && isOneBucket(accountId, keys[0]) && resources[keys[0]] === "*";
      if (policy.effect === "allow" && !scoped) {
        report(
          `a policy reaches ${keys.length === 0 ? "nothing named" : keys.join(", ")}; scope it to one bucket: {"${bucketResource(accountId, "<jurisdiction>", "<bucket>")}": "*"}`,
        );
      }
    }
  }),
};

/** The pieces of the graph's secret values worth looking for: each line of each secret. */
function graphSecrets(resources: readonly PolicyResource[]): Set<string> {
  const pieces = new Set<string>();
  for (const resource of resources) {
    const fields = [
      ...(PROVIDER_SECRET_OUTPUTS[resource.type] ?? []),
      ...resource.opts.additionalSecretOutputs,
    ];
    for (const field of fields) {
      for (const value of knownStrings(() => resource.props[field])) {
        for (const line of value.split("\n")) {
          if (line.trim().length >= MIN_SECRET_PIECE) pieces.add(line.trim());
        }
      }
    }
  }
  return pieces;
}

/** Where a command shows its values to every process on the machine: its command lines and environment. */
function visibleFields(props: Props): { where: string; value: string }[] {
  const found = ["create", "update", "delete"].flatMap((field) =>
    knownStrings(() => props[field]).map((value) => ({ where: field, value })),
  );
  const environment = known(() => props.environment);
  if (typeof environment === "object" && environment !== null) {
    for (const name of Object.keys(environment)) {
      for (const value of knownStrings(() => (environment as Props)[name])) {
        found.push({ where: `environment.${name}`, value });
      }
    }
  }
  return found;
}

export const commandNoSecret: StackValidationPolicy = {
  name: "command-no-secret-in-argv-or-env",
  description:
    "No command resource has a secret in its command lines (create, update, delete) or its environment: secrets go on stdin.",
  validateStack: (args, report) => {
    const secrets = graphSecrets(args.resources);
    for (const command of args.resources.filter((r) => COMMANDS.includes(r.type))) {
      for (const { where, value } of visibleFields(command.props as Props)) {
        const shape = CREDENTIAL_SHAPES.find((s) => s.pattern.test(value));
        if (shape) {
          report(`${where} holds ${shape.name}; pass it on stdin`, command.urn);
        } else if ([...secrets].some((secret) => value.includes(secret))) {
          report(`${where} holds a value the stack keeps secret; pass it on stdin`, command.urn);
        }
      }
    }
  },
};

/** Every policy of the pack; each is mandatory unless a policy config makes it advisory. */
export const POLICIES = [
  firewallNoInbound,
  serverFirewallAtCreation,
  serverUserDataSecret,
  tailnetKeyOneOff,
  accessAppWholeHostname,
  accessNeverEveryone,
  lifecycleKeepsLiveState,
  tokenOneBucket,
  commandNoSecret,
];
