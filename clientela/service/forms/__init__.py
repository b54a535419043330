"""Web forms of the service app: they parse what the browser sent; the services check
every rule and their errors come back next to the right field."""
