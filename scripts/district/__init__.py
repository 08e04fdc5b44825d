"""The generator of the schematic default district (``scripts/make_district.py``).

``spec`` reads the TOML spec, ``builder`` lays the district out in metres, ``lots`` and
``shapes`` cut parcels into footprints, and ``geojson`` writes the features as lon/lat.
"""
