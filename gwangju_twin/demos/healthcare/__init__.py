"""The healthcare pavilion's demo: ambulance coverage of the district's emergency rooms."""
