#!/usr/bin/env bash
# ApplicationStop: fail readiness and wait until no request is in flight, then stop the app.
# On the very first deployment the app is not running yet: nothing to drain.
set -euo pipefail
export ZERODOWN_CONTROL_SOCKET=${ZERODOWN_CONTROL_SOCKET:-/run/myapp/zerodown.sock}
if ! zerodown status >/dev/null 2>&1; then
  echo "application-stop: app not running, nothing to drain"
  exit 0
fi
zerodown drain --wait-idle --timeout 5m
# optional, when the target group is not managed by CodeDeploy. It waits for `unused`, i.e. the whole
# deregistration delay (ALB default 300 s), so its timeout must be well above it (10m), and the hook's
# timeout in appspec.yml above the sum of the waits here:
# zerodown lb deregister --target-group "$TARGET_GROUP_ARN" --timeout 10m
sudo systemctl stop myapp
