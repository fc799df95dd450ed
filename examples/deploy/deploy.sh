#!/usr/bin/env bash
# Zero-downtime deploy of one host with the zerodown CLI: take the app out (load balancer + readiness),
# wait until it is idle, install and restart, put it back, and wait until it is ready and healthy.
# If anything fails after the drain, the trap puts the instance back so it is never left out by accident.
#
# Usage: deploy.sh RELEASE_DIR
# Env:   SERVICE (systemd unit, default myapp)
#        ZERODOWN_CONTROL_SOCKET   the app's control socket (same value as in the app's unit)
#        TARGET_GROUP_ARN          optional: also deregister/register this EC2 instance in an ELBv2 target group
#        ZERODOWN_REDIS_URL        optional: fleet guard, at most MAX_OUT instances of SERVICE out at once
#        TIMEOUT (default 5m: drain and resume), LB_TIMEOUT (default 10m: lb deregister/register), MAX_OUT (default 1)
# Exit codes: those of zerodown (0 done, 1 failed, 2 usage, 3 timed out) or of the install step.
set -euo pipefail

RELEASE_DIR=${1:?usage: deploy.sh RELEASE_DIR}
SERVICE=${SERVICE:-myapp}
TIMEOUT=${TIMEOUT:-5m}
# `lb deregister` waits until the target is `unused`, which takes the target group's whole deregistration
# delay (ALB default 300 s = 5m): a 5m timeout would race it. Keep LB_TIMEOUT well above the delay.
LB_TIMEOUT=${LB_TIMEOUT:-10m}
MAX_OUT=${MAX_OUT:-1}
ZERODOWN=${ZERODOWN:-zerodown}

guard=()
if [[ -n "${ZERODOWN_REDIS_URL:-}" ]]; then guard=(--max-out "$MAX_OUT"); fi # the URL itself comes from the env

lb=()
if [[ -n "${TARGET_GROUP_ARN:-}" ]]; then lb=(--target-group "$TARGET_GROUP_ARN" --timeout "$LB_TIMEOUT"); fi

out=0
put_back() {
  local rc=$?
  if [[ $out -eq 1 ]]; then
    echo "deploy: failed (exit $rc): putting $SERVICE back" >&2
    if [[ ${#lb[@]} -gt 0 ]]; then "$ZERODOWN" lb register "${lb[@]}" || true; fi
    "$ZERODOWN" resume --service "$SERVICE" --timeout "$TIMEOUT" "${guard[@]}" || true
  fi
  exit "$rc"
}
trap put_back EXIT

# 1. out of rotation: readiness fails (the load balancer's health checks see it), in-flight work finishes
out=1
"$ZERODOWN" drain --service "$SERVICE" --wait-idle --timeout "$TIMEOUT" "${guard[@]}"
if [[ ${#lb[@]} -gt 0 ]]; then "$ZERODOWN" lb deregister "${lb[@]}"; fi

# 2. install and restart (SIGTERM: the app drains what is left and exits 0)
rsync -a --delete "$RELEASE_DIR"/ "/srv/$SERVICE/current/"
systemctl restart "$SERVICE"

# 3. back into rotation: the new process starts ready; resume is a no-op then, but waits for readiness
#    (critical checks passing) and releases the fleet slot
for _ in $(seq 1 50); do "$ZERODOWN" status --service "$SERVICE" >/dev/null 2>&1 && break; sleep 0.2; done
"$ZERODOWN" resume --service "$SERVICE" --timeout "$TIMEOUT" "${guard[@]}"
if [[ ${#lb[@]} -gt 0 ]]; then "$ZERODOWN" lb register "${lb[@]}"; fi
out=0
echo "deploy: $SERVICE is back and ready"
