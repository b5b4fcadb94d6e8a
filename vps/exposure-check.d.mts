// Types of exposure-check.mjs, for the TypeScript that builds its command and tests it.

/** What the command line asks for. */
export interface CheckOptions {
  addresses: string[];
  ports: number[];
  url: string | undefined;
  lockdown: boolean;
}
/** One (address, port) pair to try. */
export interface Target {
  address: string;
  port: number;
  family: "IPv4" | "IPv6";
}
/** Findings (each fails the check) and the report's lines. */
export interface Verdict {
  findings: string[];
  lines: string[];
}
/** A status code, or the error code when no answer came. */
export type Answer = number | string;

export const CONNECT_TIMEOUT_MS: number;
export const REQUEST_TIMEOUT_MS: number;
export function parseArgs(argv: readonly string[]): CheckOptions;
export function familyOf(address: string): "IPv4" | "IPv6";
export function endpoint(address: string, port: number): string;
export function targets(addresses: readonly string[], ports: readonly number[]): Target[];
export function hasRoute(address: string): Promise<boolean>;
export function tryPort(address: string, port: number, timeoutMs?: number): Promise<string>;
export function publicVerdict(
  addresses: readonly string[],
  results: readonly { address: string; port: number; outcome: string }[],
  skipped: readonly string[],
): Verdict;
export function tailnetVerdict(
  url: string,
  answers: Record<"no token" | "a wrong token" | "the token", Answer>,
  lockdown: boolean,
): Verdict;
export function invoke(url: string, token: string | undefined): Promise<Answer>;
export function main(
  argv: readonly string[],
  stdin: string,
  out?: { write(text: string): unknown },
  err?: { write(text: string): unknown },
): Promise<number>;
