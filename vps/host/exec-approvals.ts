/** Inputs of the exec approvals document. */
export interface ExecApprovalsOptions {
  /** "allowlist" runs only the listed programs; "deny" runs nothing. */
  readonly execSecurity: "allowlist" | "deny";
  /** Program names (resolved in /usr/bin) or absolute paths the agent may run. */
  readonly execAllowlist: readonly string[];
}

/** Where a bare program name is looked for: Debian 12 has merged /usr. */
const PROGRAM_DIR = "/usr/bin";

/**
 * Renders the exec approvals document provisioning hands to `openclaw approvals
 * set` (openclaw keeps approvals in its state database, not in openclaw.json).
 * Nothing prompts: a command runs only if it is listed, and an unanswerable
 * prompt is a denial.
 */
export function renderExecApprovals(opts: ExecApprovalsOptions): string {
  const policy = {
    security: opts.execSecurity,
    ask: "off",
    askFallback: "deny",
    autoAllowSkills: false,
  };
  const allowlist =
    opts.execSecurity === "allowlist"
      ? opts.execAllowlist.map((entry) => ({
          pattern: entry.startsWith("/") ? entry : `${PROGRAM_DIR}/${entry}`,
        }))
      : [];
  return (
    JSON.stringify(
      { version: 1, defaults: policy, agents: { main: { ...policy, allowlist } } },
      null,
      2,
    ) + "\n"
  );
}
