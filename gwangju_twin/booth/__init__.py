"""The kiosk booth: kiosk mode's shell on top of the touring interface.

It wires the pure kiosk rooms (gwangju_twin.kiosk: cycle, PIN, analytics, heartbeat) to a
running stage: the locked window, the attract reel, the countdown, the operator's PIN pad
and menu. Like every shell it is handed a ShowBase by the composition root (gwangju_twin.app).
"""
