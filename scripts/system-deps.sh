#!/usr/bin/env bash
# Installs the system packages Control Room needs, when they are missing (Debian/Ubuntu).
#   scripts/system-deps.sh app    what building and running the app needs (keytar's libsecret)
#   scripts/system-deps.sh test   also the real parts the tests use: a keychain daemon on D-Bus,
#                                 an SSH server, podman's Docker API and Debian's Chromium
# Idempotent and non-interactive; exits non-zero with one clear line when it cannot install.
set -euo pipefail

profile=${1:-app}
packages=(libsecret-1-dev)
if [ "$profile" = test ]; then
  packages+=(gnome-keyring dbus dbus-x11 libsecret-tools libglib2.0-bin chromium openssh-server openssh-client podman runc busybox-static iproute2 procps dnsmasq-base openssl)
fi

if [ "$(uname -s)" != Linux ]; then exit 0; fi # macOS and Windows keychains need nothing extra
if ! command -v dpkg >/dev/null 2>&1; then
  echo "system-deps: not a Debian-like system; install the equivalents of: ${packages[*]}" >&2
  [ "$profile" = test ] && exit 1 || exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    echo "system-deps: missing ${missing[*]} and not root — install them with apt-get and run again." >&2
    exit 1
  fi
fi
echo "system-deps: installing ${missing[*]} (about a minute)…"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq </dev/null >/dev/null
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/tmp/control-room-apt.log 2>&1; then
  echo "system-deps: apt-get could not install ${missing[*]} — see /tmp/control-room-apt.log." >&2
  exit 1
fi
