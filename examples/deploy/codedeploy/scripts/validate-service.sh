#!/usr/bin/env bash
# ValidateService: wait for the new process's control socket, then resume (a no-op for a fresh process)
# and wait until readiness passes; a non-zero exit fails the deployment (and CodeDeploy rolls back).
set -euo pipefail
export ZERODOWN_CONTROL_SOCKET=${ZERODOWN_CONTROL_SOCKET:-/run/myapp/zerodown.sock}
for _ in $(seq 1 60); do zerodown status >/dev/null 2>&1 && break; sleep 1; done
zerodown resume --timeout 5m
# optional, when the target group is not managed by CodeDeploy. It waits for `healthy` (ALB default health
# checks: about 150 s) and first for a still-draining target to become `unused` (up to the deregistration
# delay, 300 s by default), so give it 10m:
# zerodown lb register --target-group "$TARGET_GROUP_ARN" --timeout 10m
zerodown status
