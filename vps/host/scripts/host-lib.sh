#!/bin/sh
# Helpers for the host scripts that run once the host is provisioned (provision.sh,
# lockdown.sh, secrets-apply.sh, backup.sh, restore.sh): they need lib.sh and /etc/clawkit/clawkit.env
# sourced first. Sourced, never run. Not part of first boot (user-data stays small).

# openclaw_as_agent CONFIG ARGS...: the pinned CLI as the agent user, with CONFIG.
openclaw_as_agent() {
  agent_config=$1
  shift
  runuser -u "$CLAWKIT_AGENT_USER" -- env -i PATH=/usr/bin:/bin HOME="$CLAWKIT_STATE_DIR" \
    OPENCLAW_STATE_DIR="$CLAWKIT_STATE_DIR/state" OPENCLAW_CONFIG_PATH="$agent_config" \
    OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NIX_MODE=1 \
    /opt/clawkit/node/node /opt/clawkit/openclaw/node_modules/openclaw/openclaw.mjs "$@"
}

# apply_approvals FILE: openclaw keeps exec approvals in its state database: handing
# it the document is the check, so a document it refuses never replaces the one it
# last accepted.
apply_approvals() {
  openclaw_as_agent /etc/clawkit/openclaw.json approvals set --file "$1" >/dev/null
}

# locked_down: true while the host is locked down (clawkit-lockdown on).
locked_down() { [ -e "$CLAWKIT_LOCKDOWN_FILE" ]; }

# install_lockdown_includes FILES: squid's and the credential gateway's includes for
# the host's state, from the bundle's FILES directory (marks proxy and credgw).
install_lockdown_includes() {
  state=off
  if locked_down; then state=on; fi
  install_file "$1/proxy-lockdown-$state.conf" "$CLAWKIT_PROXY_LOCKDOWN" 644 root:root proxy
  install_file "$1/credential-gateway-lockdown-$state.conf" "$CLAWKIT_CREDGW_LOCKDOWN" 644 root:root credgw
}

# serve_gateway: the tailnet reaches the gateway through `tailscale serve` (HTTPS,
# tailnet only). Funnel is switched off explicitly: the gateway is never on the internet.
serve_gateway() {
  command -v tailscale >/dev/null || return 0
  tailscale funnel --https=443 off >/dev/null 2>&1 || true
  want="http://127.0.0.1:$CLAWKIT_GATEWAY_PORT"
  if ! tailscale serve status --json 2>/dev/null | grep -qF "\"Proxy\": \"$want\""; then
    tailscale serve --bg --https=443 "$want" >/dev/null
    log "tailscale serve: https :443 -> $want"
  fi
}

# unserve_gateway: the tailnet no longer reaches the gateway's port at all.
unserve_gateway() {
  command -v tailscale >/dev/null || return 0
  tailscale funnel --https=443 off >/dev/null 2>&1 || true
  if tailscale serve status --json 2>/dev/null | grep -qF '"Proxy"'; then
    # Explicit: the lockdown calls this where a failure would not stop it.
    tailscale serve --https=443 off >/dev/null || return 1
    log "tailscale serve: https :443 removed"
  fi
}
