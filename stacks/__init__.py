"""This app's stacks: they compose constructs_lib with the flag catalogue in flags/."""
