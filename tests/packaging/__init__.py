"""constructs_lib as a package: its public API, its wheel, and an app that installs it."""
