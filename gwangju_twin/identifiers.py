"""The names that tie the project's files together, as patterns: plugin ids and versions
(manifests, scene files, the kiosk's allow list) and pavilion ids (scene files).

Always used with ``fullmatch``: a ``$`` anchor alone also matches before a trailing newline,
which once let ``"acme.xray\\n"`` pass as an id.
"""

from __future__ import annotations

import re

#: A plugin id: 2-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit.
PLUGIN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
#: A plugin version: up to four numbers and an optional suffix ("1.0.0", "2.1rc1").
PLUGIN_VERSION = re.compile(r"\d+(\.\d+){0,3}([.-]?[A-Za-z0-9.+-]*)?")
#: A pavilion id: 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit.
PAVILION_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: Where a viewer joins a shared room (docs/presence.md): ``ws://HOST[:PORT]/ROOM`` or
#: ``wss://``, the room a scene id. presence.client.parse_join_url checks the rest (the port).
JOIN_URL = re.compile(
    r"wss?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/[a-z0-9][a-z0-9_-]{0,63}")
#: A room's token as an expo hands it out: printable ASCII without spaces or quotes (the
#: pattern of presence.messages.SECRET).
ROOM_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{1,128}")
