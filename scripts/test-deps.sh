#!/usr/bin/env bash
# The one list of Debian packages the test suite needs, and the step that provides them.
# `npm test` runs it as `pretest`; `.ci/run` runs it before `npm ci`. On a machine where we are root
# with apt-get, missing packages are installed; anywhere else the step stops with the exact command.
set -euo pipefail

# package            why the tests need it
packages=(
  python3-jwcrypto # JOSE interop peer (Ed448, ES256K, X448, ECDH-ES variants)
  postgresql       # storage contract and multi-instance tests start a throwaway cluster on 127.0.0.1
  chromium         # the sign-in pages and the gateway BFF, driven by playwright-core in a real browser
  mosquitto-clients # gateway MQTT tests drive the embedded broker with mosquitto_pub and mosquitto_sub
  openssl          # the MQTT TLS listener test makes a throwaway self-signed certificate
  softhsm2         # PKCS#11 signing keys: the HSM tests initialise a SoftHSM token in a temp dir
  haproxy          # npm run test:cluster: three authority instances behind a load balancer
  redis-server     # shared rate limits, failure counters and replay cache across instances (TESSERA_REDIS_URL)
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test dependencies missing; run as root: $command" >&2
  exit 1
fi

echo "installing test dependencies: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
