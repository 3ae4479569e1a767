"""The checkout demo page: ``python -m checkout.demo`` (``make demo``) serves it on 127.0.0.1."""
from .app import CheckoutApp
from .server import make_demo_server

__all__ = ["CheckoutApp", "make_demo_server"]
