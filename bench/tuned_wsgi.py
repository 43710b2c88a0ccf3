"""`wsgi.py` with the garbage-collector settings proposed for `practicum/server/serve.py`.

The bench runs this instead of `wsgi.py` with `--gc-tuned`, to measure the proposal before the
server adopts it. Under load the default collector ran a full (generation 2) collection every
few seconds that stopped the single eventlet loop for up to 280 ms, which alone broke the ack
p99 target at 1,000 learners. Freezing the objects built at start-up (scenarios, modules, the
app) takes them out of every later collection, and higher thresholds make collections rarer.
"""

import gc
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wsgi  # noqa: E402  (monkey-patches and creates the app, as `python wsgi.py` does)
from practicum.server.serve import serve  # noqa: E402

# The proposal: after create_app, before serving.
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 20, 100)

if __name__ == "__main__":
    serve(wsgi.app)
