import * as pulumi from "@pulumi/pulumi";

/** A secret once it is in the kit's hands: only ever handed on wrapped as a Pulumi secret. */
export type SecretValue = pulumi.Output<string>;

/** A secret arg as a Pulumi secret, or undefined when it is not given. */
export function secretOf(value: pulumi.Input<string> | undefined): SecretValue | undefined {
  return value === undefined ? undefined : pulumi.secret(pulumi.output(value));
}
