"""The runtime side of the flags: a flags client, the checkout demo page and agent files. No CDK here."""
