"""Run ministack on 127.0.0.1 with a chosen length of an AppConfig minute (run by the emulator's own venv).

``python scripts/ministack_server.py PORT MINUTE_SECONDS``. ministack advances deployments started
through the API in real time, 60 s per minute of the strategy (a module constant); a shorter minute
lets a rollout, a bake and an alarm's rollback be watched in seconds. Only loopback is bound.
"""
import os
import sys

port, minute = sys.argv[1], float(sys.argv[2])
os.environ["GATEWAY_PORT"] = port
os.environ["BIND_HOST"] = "127.0.0.1"
sys.argv = sys.argv[:1]

# Imported after the environment above is set: ministack reads it at import.
from ministack.services import appconfig

appconfig._DEPLOYMENT_MINUTE_SECONDS = minute
from ministack.app import main

main()
