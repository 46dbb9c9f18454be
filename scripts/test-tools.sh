#!/usr/bin/env bash
# Installs the programs the test suite runs that npm does not bring, when missing:
# LuaJIT (the Istio router's Lua filter runs under it) and Prometheus (the PromQL
# tests backfill synthetic data with promtool and query a real server; the Debian
# package "prometheus" ships both prometheus and promtool). Debian/Ubuntu packages.
# In effect, when missing: apt-get install luajit prometheus (prometheus brings promtool)
set -euo pipefail
missing=()
command -v luajit >/dev/null 2>&1 || missing+=(luajit)
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "test-tools: installing ${missing[*]} (Debian packages)" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "test-tools: ${missing[*]} missing and not root; install them with: apt-get install --no-install-recommends ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
