#!/usr/bin/env bash
# ValidateService: wait for the new process's control socket, then resume (a no-op for a fresh process)
# and wait until readiness passes; a non-zero exit fails the deployment (and CodeDeploy rolls back).
set -euo pipefail
export ZERODOWN_CONTROL_SOCKET=${ZERODOWN_CONTROL_SOCKET:-/run/myapp/zerodown.sock}
for _ in $(seq 1 60); do zerodown status >/dev/null 2>&1 && break; sleep 1; done
zerodown resume --timeout 5m
# optional, when the target group is not managed by CodeDeploy:
# zerodown lb register --target-group "$TARGET_GROUP_ARN" --timeout 5m
zerodown status
