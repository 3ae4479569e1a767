"""The raw-L1 twin of app.py as a CDK app of its own, for `cdk synth --app "python -m bench._raw_l1_app"`.

Same resources, outputs and cdk-nag pack as the FlagsDemo stack (bench/synth.py's build_raw_l1),
with cdk.json's context as the CLI passes it; bench/synth.py times both apps end to end.
"""
import aws_cdk as cdk

from bench.synth import build_raw_l1
from flags import CHECKOUT_FLAGS

if __name__ == "__main__":
    app = cdk.App()
    build_raw_l1(app, {name: CHECKOUT_FLAGS.render(name) for name in ("Beta", "Production")})
    app.synth()
