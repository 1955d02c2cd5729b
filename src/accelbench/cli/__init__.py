"""Command line interface: one module per command group; logic lives in the library."""
