#!/bin/bash
# Program `streamspace-desktop` of the streamspace-local runtime: a Linux desktop on an X display
# of its own (Xvfb), the twm window manager, an xterm in $HOME, and x11vnc serving it as RFB on the
# pod's loopback address. Takes no user input: everything comes from the runtime's environment
# (STREAMSPACE_DISPLAY, STREAMSPACE_POD_IP, STREAMSPACE_PORT_STREAM) and the template's env
# (DESKTOP_GEOMETRY). x11vnc replaces this shell, so the container lives as long as the VNC server;
# the runtime ends the whole process group (Xvfb, twm, xterm) with it.
set -euo pipefail
display=${STREAMSPACE_DISPLAY:?}
ip=${STREAMSPACE_POD_IP:?}
port=${STREAMSPACE_PORT_STREAM:-5900}
geometry=${DESKTOP_GEOMETRY:-1280x800}
[[ $geometry =~ ^[0-9]{2,4}x[0-9]{2,4}$ ]] || { echo "DESKTOP_GEOMETRY must look like 1280x800" >&2; exit 2; }
here=$(dirname "$0")

Xvfb "$display" -screen 0 "${geometry}x24" -nolisten tcp &
socket=/tmp/.X11-unix/X${display#:}
for _ in $(seq 1 200); do
  [[ -S $socket ]] && break
  kill -0 $! 2>/dev/null || { echo "Xvfb exited" >&2; exit 1; }
  sleep 0.05
done
[[ -S $socket ]] || { echo "Xvfb did not open $socket" >&2; exit 1; }
export DISPLAY=$display
twm -f "$here/twmrc" &
# A terminal covering the screen's middle, where the pointer starts, so it has the keyboard.
cd "$HOME"
SHELL=/bin/bash xterm -geometry 160x50+0+0 -title Terminal -e /bin/bash &
echo "desktop: X display $display ready, serving RFB on $ip:$port"
exec x11vnc -display "$display" -listen "$ip" -rfbport "$port" -forever -shared -nopw -noipv6 -quiet -noxdamage -norc
