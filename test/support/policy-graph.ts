// The kit's own resource graphs (built under the mocks, as the vps and moltworker tests
// build them) in the shapes @pulumi/policy hands its validations, for the policy pack's
// tests and the bench's policy evaluation figure.
import * as assert from "assert";
import {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "../../policy/node_modules/@pulumi/policy";
import {
  optionsByName,
  registered,
  Registered,
  registrations,
  settle,
  unwrap,
  valueOf,
} from "./mocks";
import { baseConfig, moltworkerConfig, sourceOf } from "./config";
import { program } from "../../program/program";
import { MoltworkerAgent } from "../../moltworker/agent";
import { VpsAgent } from "../../vps/agent";
import { POLICIES } from "../../policy/policies";

/** A registered resource as the engine hands it to the analyzer: inputs on the wire, options, URN. */
export interface Graphed {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** Inputs in wire form: secrets still wrapped. */
  readonly inputs: Record<string, unknown>;
  readonly additionalSecretOutputs: string[];
  readonly dependencies: string[];
}

/** A resource's own type and name from its URN: the mocks spell a parent's type chain two ways. */
function tail(urn: string): string {
  const [, , types, name] = urn.split("::");
  return `${types.split("$").pop()}::${name}`;
}

/** The URN the mocked engine gave the latest registration of this type and name. */
function urnOf(type: string, name: string): string {
  const found = [...registrations].reverse().find((r) => tail(r.urn) === `${type}::${name}`);
  assert.ok(found, `no URN for ${type} ${name}`);
  return found.urn;
}

export function graphOf(resources: Registered[]): Graphed[] {
  const graph = resources
    .filter((r) => !r.type.startsWith("clawkit:"))
    .map((r) => {
      const options = optionsByName.get(r.name);
      assert.ok(options, `no options for ${r.name}`);
      return {
        type: r.type,
        name: r.name,
        urn: urnOf(r.type, r.name),
        inputs: JSON.parse(JSON.stringify(r.inputs)) as Record<string, unknown>,
        additionalSecretOutputs: [...options.additionalSecretOutputs],
        dependencies: [...options.dependencies],
      };
    });
  const urnByTail = new Map(graph.map((r) => [tail(r.urn), r.urn]));
  return graph.map((r) => ({
    ...r,
    dependencies: r.dependencies.flatMap((urn) => urnByTail.get(tail(urn)) ?? []),
  }));
}

export async function buildVps(): Promise<Graphed[]> {
  const start = registered.length;
  const outputs = program(sourceOf(baseConfig()), "dev") as VpsAgent;
  await valueOf(outputs.sshHostKey);
  await valueOf(outputs.tailnetUrl);
  await settle();
  return graphOf(registered.slice(start));
}

export async function buildMoltworker(changes: Record<string, string> = {}): Promise<Graphed[]> {
  const start = registered.length;
  const outputs = program(
    sourceOf({ ...moltworkerConfig(), ...changes }),
    "dev",
  ) as MoltworkerAgent;
  await valueOf(outputs.accessServiceTokenSecret);
  await settle();
  return graphOf(registered.slice(start));
}

/** A deep copy of a graph with one resource's plain inputs changed. */
export function mutated(
  graph: Graphed[],
  type: string,
  change: (inputs: Record<string, unknown>, r: Graphed) => void,
  name?: string,
): Graphed[] {
  const copy = graph.map((r) => ({ ...r, inputs: JSON.parse(JSON.stringify(r.inputs)) }));
  const target = copy.find((r) => r.type === type && (name === undefined || r.name === name));
  assert.ok(target, `no ${type} ${name ?? ""} in the graph`);
  target.inputs = unwrap(target.inputs) as Record<string, unknown>;
  change(target.inputs, target);
  return copy;
}

/** The options of a resource as the analyzer builds them (server.js getResourceOptions). */
function optionsOf(r: Graphed) {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: r.additionalSecretOutputs,
  };
}

/** Props as the analyzer hands them to a validation: secrets unwrapped, unknowns checked. */
function propsOf(r: Graphed): Record<string, unknown> {
  return unknownCheckingProxy(unwrap(r.inputs));
}

export function resourceArgs(r: Graphed): ResourceValidationArgs {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: propsOf(r),
    opts: optionsOf(r),
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => ({}),
    notApplicable: () => {
      throw new Error("notApplicable");
    },
  } as unknown as ResourceValidationArgs;
}

export function stackResources(graph: Graphed[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of graph) {
    byUrn.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: propsOf(r),
      opts: optionsOf(r),
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    } as unknown as PolicyResource);
  }
  for (const r of graph) {
    byUrn
      .get(r.urn)!
      .dependencies.push(
        ...r.dependencies.flatMap((urn) => (byUrn.has(urn) ? [byUrn.get(urn)!] : [])),
      );
  }
  return [...byUrn.values()];
}

/** What a policy reports over a whole graph, called as the analyzer calls it. */
export async function violations(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  graph: Graphed[],
): Promise<string[]> {
  const found: string[] = [];
  const report = (message: unknown, urn?: string) =>
    found.push(`${policy.name}: ${String(message)}${urn ? ` (${urn.split("::").pop()})` : ""}`);
  if ("validateStack" in policy && policy.validateStack) {
    await policy.validateStack(
      {
        resources: stackResources(graph),
        getConfig: () => ({}),
        stackTags: new Map(),
        notApplicable: () => undefined,
      } as never,
      report,
    );
  } else {
    const validate = (policy as ResourceValidationPolicy).validateResource;
    for (const r of graph) {
      for (const v of Array.isArray(validate) ? validate : [validate]) {
        if (v) await v(resourceArgs(r), report);
      }
    }
  }
  return found;
}

export async function allViolations(graph: Graphed[]): Promise<string[]> {
  const found: string[] = [];
  for (const policy of POLICIES) found.push(...(await violations(policy, graph)));
  return found;
}
