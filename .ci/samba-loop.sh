#!/usr/bin/env bash
# The remediation loop against a real directory: a throw-away Samba AD domain controller on
# loopback, loaded with a generated directory, exported with ldapsearch, analyzed, reviewed,
# fixed with ldapmodify, re-exported, re-analyzed and undone (.ci/samba_loop.py says how).
# Installs what it needs from Debian (samba, samba-ad-dc, samba-ad-provision, ldap-utils) and
# openpyxl from PyPI; must run as root for apt-get. Arguments go to samba_loop.py.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Samba AD DC: analyze -> fix -> ldapmodify -> re-export -> undo"

need=()
command -v samba-tool >/dev/null 2>&1 || need+=(samba samba-ad-dc)
test -d /usr/share/samba/setup/ad-schema || need+=(samba-ad-provision)  # a Recommends only
command -v ldapmodify >/dev/null 2>&1 || need+=(ldap-utils)
if ((${#need[@]})); then
  # Install without starting the distribution's own Samba services (they would listen on every
  # interface); the loop starts its own server on loopback.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; own_policy=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi
fi
if ! python3 -c 'import openpyxl' 2>/dev/null; then
  python3 -m pip install -q openpyxl 2>/dev/null \
    || python3 -m pip install -q --break-system-packages openpyxl
fi
test -x target/release/synclint || cargo build --release

start=$(date +%s)
# In a private network and mount namespace the loop also makes a real replication conflict with
# a second DC on 127.0.0.2, and nothing it starts can be reached from outside; where the
# namespace is refused (no CAP_SYS_ADMIN), one DC on 127.0.0.1 and a conflict name added by hand.
ns=() two=()
if unshare -m -n --propagation private true 2>/dev/null; then
  ns=(unshare -m -n --propagation private) two=(--two-dcs "$(readlink /proc/self/ns/net)")
else
  echo "no private network namespace (unshare refused): one DC, a conflict name added by hand"
fi
# The whole loop must fit in 5 minutes; it takes about 40 s on 2 cores.
timeout --kill-after=10 300 "${ns[@]}" python3 .ci/samba_loop.py "${two[@]}" "$@"
echo "samba loop passed in $(($(date +%s) - start)) s"
