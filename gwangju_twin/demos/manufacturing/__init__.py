"""Manufacturing (gwangju.manufacturing): a production-line twin of an EV assembly line."""
