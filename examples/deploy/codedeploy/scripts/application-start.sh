#!/usr/bin/env bash
set -euo pipefail
systemctl start myapp
