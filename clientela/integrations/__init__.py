"""Integration with other systems: import and export of the customer base."""
