#!/bin/sh
# Install the Debian packages the build and the tests need. As root: apt-get
# installs what is missing. Otherwise: print the one command to run.
pkgs="gcc make pkg-config libyaml-dev libseccomp-dev libcap-ng-dev libcmocka-dev libsystemd-dev
      lighttpd curl python3 iproute2 util-linux procps valgrind clang-format clang-tidy cppcheck
      groff-base man-db git"
missing=
for p in $pkgs; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
                missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
        echo "sockjail: missing Debian packages; run:" >&2
        echo "  sudo apt-get install -y$missing" >&2
        exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null >/dev/null || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing </dev/null >/dev/null || exit 1
# lighttpd's package starts a system instance where it can; the tests start their own.
if command -v service >/dev/null 2>&1; then service lighttpd stop >/dev/null 2>&1 || :; fi
exit 0
