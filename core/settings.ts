import * as pulumi from "@pulumi/pulumi";
import { AgentArgs } from "./args";
import { alertWebhookProblem, ARG_NAMES, modelOf } from "./rules";

/** A secret once it is in the kit's hands: only ever handed on wrapped as a Pulumi secret. */
export type SecretValue = pulumi.Output<string>;

/** A secret arg as a Pulumi secret, or undefined when it is not given. */
export function secretOf(value: pulumi.Input<string> | undefined): SecretValue | undefined {
  return value === undefined ? undefined : pulumi.secret(pulumi.output(value));
}

/** What every agent's settings hold, its defaults filled in. */
export interface AgentSettings {
  readonly anthropicApiKey?: SecretValue;
  readonly openaiApiKey?: SecretValue;
  readonly model: string;
  readonly tokenRotation: string;
  /** The incident switch (README: incident runbook). */
  readonly lockdown: boolean;
  /** Where alerts are POSTed as JSON (secret, https only). */
  readonly alertWebhook?: SecretValue;
}

/** Fills in the defaults every agent shares. */
export function agentSettings(args: AgentArgs): AgentSettings {
  return {
    anthropicApiKey: secretOf(args.anthropicApiKey),
    openaiApiKey: secretOf(args.openaiApiKey),
    model: modelOf(args),
    tokenRotation: args.tokenRotation ?? "",
    lockdown: args.lockdown ?? false,
    // A webhook given as an Output is judged by the same rule once its value is known.
    alertWebhook: secretOf(args.alertWebhook)?.apply((url) => {
      const problem = alertWebhookProblem(url);
      if (problem)
        throw new Error(
          `alertWebhook: ${problem} (${ARG_NAMES.set("alertWebhook", "https://ntfy.sh/<your topic>")})`,
        );
      return url;
    }),
  };
}
