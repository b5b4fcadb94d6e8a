#!/bin/sh
# Runs the credential gateway (real nginx, the rendered config) against a fake
# upstream over TLS and sends it DIR/requests.json (raw HTTP), inside a private
# mount and network namespace made by the test (root). DIR is laid out by
# stageCredentialGateway (test/support/credential-gateway.ts); with CERT_DIR set,
# the upstream presents the certificate in CERT_DIR instead (another CA's).
# Results: DIR/results.json (what the agent side got), DIR/upstream.log (what
# reached the upstream), DIR/credgw.out (nginx's own messages).
set -eu
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
node="$root/vps/host/node/node"
certs=${CERT_DIR:-$dir}

ip link set lo up
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/clawkit-credential-gateway
for f in passwd group hosts; do mount --bind "$dir/etc/$f" "/etc/$f"; done
mount --bind "$dir/ca.crt" /etc/ssl/certs/ca-certificates.crt

: >"$dir/upstream.log"
FAKE_LOG="$dir/upstream.log" FAKE_TLS_CERT="$certs/server.crt" FAKE_TLS_KEY="$certs/server.key" \
  FAKE_READY="$dir/upstream.ready" FAKE_STREAM_GAP_MS=${FAKE_STREAM_GAP_MS:-300} \
  "$node" "$here/fake-upstream.js" &
upstream=$!
/usr/sbin/nginx -e stderr -c "$dir/credential-gateway.conf" >>"$dir/credgw.out" 2>&1 &
credgw=$!
tries=0
until [ -f "$dir/upstream.ready" ] && curl -s -o /dev/null http://127.0.0.1:3129/clawkit-health; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ]; then
    echo "the credential gateway or the fake upstream did not start" >&2
    exit 1
  fi
  sleep 0.1
done
"$node" "$here/raw-http.mjs" 127.0.0.1 3129 <"$dir/requests.json" >"$dir/results.json"
kill "$credgw" "$upstream"
wait "$credgw" 2>/dev/null || true
