#!/usr/bin/env bash
# Installs the system packages kvlab's tests need, if missing: Debian's chromium (browser test of
# the HTML report), redis-server (the Redis engine's tests start their own servers on
# loopback), memcached and etcd-server (the memcached and etcd engines' tests start their own
# servers and clusters on loopback) and strace (the conformance suite counts every engine's fsync/fdatasync/msync
# calls with it, a counter no engine can bypass) and iproute2 (`ip netns`: the multi-host test runs agents in network namespaces). Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v memcached >/dev/null 2>&1 || need+=(memcached)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -eq 0 ]; then echo "system packages present"; exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "installing: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
