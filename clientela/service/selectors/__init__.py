"""Every read of the service app, scoped to what the asking user may see."""
