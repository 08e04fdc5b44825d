"""Shared presence: visitors in the same scene see each other (docs/presence.md).

The room has a pure protocol (``messages``, ``nicknames``, ``interpolation``, ``zones``,
``backoff``: no window, no network) and the asyncio presence server (``server``, with
``bus`` for scale-out through NATS). The viewer's client builds on the protocol modules.
"""
