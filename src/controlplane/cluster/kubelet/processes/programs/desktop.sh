#!/bin/bash
# Program `streamspace-desktop` of the streamspace-local runtime: a Linux desktop on an X display
# of its own (Xvfb), the twm window manager, an xterm in $HOME, and x11vnc serving it as RFB on the
# pod's loopback address. Takes no user input: everything comes from the runtime's environment
# (STREAMSPACE_POD_IP, STREAMSPACE_PORT_STREAM) and the template's env
# (DESKTOP_GEOMETRY). x11vnc replaces this shell, so the container lives as long as the VNC server;
# the runtime ends the whole process group (Xvfb, twm, xterm) with it.
set -euo pipefail
ip=${STREAMSPACE_POD_IP:?}
port=${STREAMSPACE_PORT_STREAM:-5900}
geometry=${DESKTOP_GEOMETRY:-1280x800}
[[ $geometry =~ ^[0-9]{2,4}x[0-9]{2,4}$ ]] || { echo "DESKTOP_GEOMETRY must look like 1280x800" >&2; exit 2; }
here=$(dirname "$0")

# Xvfb picks a free display itself and writes its number once it accepts connections (-displayfd):
# a socket left in /tmp/.X11-unix by a server that died can neither be taken for ours nor block us.
displayfile=$(mktemp)
Xvfb -displayfd 3 -screen 0 "${geometry}x24" -nolisten tcp 3>"$displayfile" &
for _ in $(seq 1 200); do
  [[ -s $displayfile ]] && break
  kill -0 $! 2>/dev/null || { echo "Xvfb exited" >&2; exit 1; }
  sleep 0.05
done
[[ -s $displayfile ]] || { rm -f "$displayfile"; echo "Xvfb did not report its display" >&2; exit 1; }
display=":$(tr -dc 0-9 < "$displayfile")"
rm -f "$displayfile"
export DISPLAY=$display
twm -f "$here/twmrc" &
# A terminal covering the screen's middle, where the pointer starts, so it has the keyboard.
cd "$HOME"
SHELL=/bin/bash xterm -geometry 160x50+0+0 -title Terminal -e /bin/bash &
echo "desktop: X display $display ready, serving RFB on $ip:$port"
exec x11vnc -display "$display" -listen "$ip" -rfbport "$port" -forever -shared -nopw -noipv6 -quiet -noxdamage -norc
