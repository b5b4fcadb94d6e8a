import * as pulumi from "@pulumi/pulumi";

/**
 * Lets a stack's first agent take over what clawkit registered at the top level before
 * its agents were components (0.1: `host-server`, `gateway-token`, `worker-wrangler`…):
 * each direct child `<agent>-<role>` of the agent gets the alias `<role>` with no
 * parent, and Pulumi derives the aliases of their own children from those (the
 * `<role>-<part>` names follow the same rule). Nothing is replaced or deleted on
 * upgrade; on a stack created since, the aliases match nothing and do nothing.
 */
export function adoptTopLevelResources(agentName: string): pulumi.ResourceTransformation {
  const prefix = `${agentName}-`;
  let agent: pulumi.Resource | undefined;
  return ({ resource, name, props, opts }) => {
    // Pulumi runs a resource's transformations on the resource itself first: the agent.
    if (agent === undefined) {
      agent = resource;
      return undefined;
    }
    if (opts.parent !== agent || !name.startsWith(prefix)) return undefined;
    // `parent: undefined` is an alias with no parent: the program's top level.
    const alias = { name: name.slice(prefix.length), parent: undefined };
    return { props, opts: pulumi.mergeOptions(opts, { aliases: [alias] }) };
  };
}
