"""The marketing app's data, one module per part, all re-exported here."""
