"""Kiosk mode's pure rooms: its configuration, the operator's PIN, the idle / attract / reset
state machine, the watchdog supervisor and the visit analytics. Nothing here imports Panda3D;
the booth shell (gwangju_twin.booth) wires them to a window.
"""
