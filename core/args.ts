import * as pulumi from "@pulumi/pulumi";

/** What every agent takes, whatever its shape: the model, its keys, the incident switches. */
export interface AgentArgs {
  /** Anthropic API key (secret). One of anthropicApiKey and openaiApiKey is required. */
  readonly anthropicApiKey?: pulumi.Input<string>;
  /** OpenAI API key (secret). */
  readonly openaiApiKey?: pulumi.Input<string>;
  /** "anthropic/<model>" or "openai/<model>". Default: anthropic/claude-sonnet-4-6 with an Anthropic key, else openai/gpt-5.5. */
  readonly model?: string;
  /** Change it to rotate the gateway token. Default: "". */
  readonly tokenRotation?: string;
  /** The incident switch: the agent cut off and nobody let in (README: incident runbook). Default: false. */
  readonly lockdown?: boolean;
  /** https URL alerts are POSTed to (secret: the URL is the receiver's credential). Default: none. */
  readonly alertWebhook?: pulumi.Input<string>;
}

/** The fields of AgentArgs that take an Input (a secret, or another resource's output). */
export const AGENT_INPUT_ARGS = ["anthropicApiKey", "openaiApiKey", "alertWebhook"] as const;
