"""The benchmark suite (see README.md): not part of the installed package."""
