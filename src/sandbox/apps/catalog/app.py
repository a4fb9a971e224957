"""catalog: a plain Flask service with no tracing at all. It logs one logfmt line per request with the
request id and the traceparent it received, so Kubetrace can still place it from its logs."""
import json
import logging
import os
import sys
import time
from datetime import datetime, timezone

from flask import Flask, g, jsonify, request

app = Flask(__name__)
logging.getLogger("werkzeug").setLevel(logging.WARNING)

ITEMS = {
    "kt-mug": {"name": "Kubetrace mug", "price": 12.5},
    "kt-shirt": {"name": "Kubetrace shirt", "price": 25.0},
    "kt-sticker": {"name": "Kubetrace sticker", "price": 1.0},
}


def logfmt_value(v):
    if v is None or v == "":
        return "-"
    s = str(v)
    return json.dumps(s) if any(c in s for c in ' "=') else s


@app.before_request
def start_timer():
    g.start_wall = time.time()
    g.start = time.perf_counter()


@app.after_request
def log_request(response):
    started = datetime.fromtimestamp(g.start_wall, tz=timezone.utc)
    rule = request.url_rule.rule if request.url_rule else "-"
    fields = [
        ("time", started.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
        ("level", "error" if response.status_code >= 500 else "info"),
        ("msg", json.dumps("request done")),
        ("request_id", logfmt_value(request.headers.get("X-Request-ID"))),
        ("traceparent", logfmt_value(request.headers.get("traceparent"))),
        ("method", request.method),
        ("route", logfmt_value(rule)),
        ("path", logfmt_value(request.path)),
        ("status", response.status_code),
        ("duration_ms", "%.3f" % ((time.perf_counter() - g.start) * 1000)),
    ]
    sys.stdout.write(" ".join(f"{k}={v}" for k, v in fields) + "\n")
    sys.stdout.flush()
    return response


@app.get("/healthz")
def healthz():
    return jsonify(ok=True)


@app.get("/catalog")
def list_items():
    return jsonify(items=[{"sku": k, **v} for k, v in ITEMS.items()])


@app.get("/catalog/<item>")
def get_item(item):
    found = ITEMS.get(item)
    if found is None:
        return jsonify(error=f"no item {item}"), 404
    return jsonify(sku=item, **found)


if __name__ == "__main__":
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "5000"))
    print(json.dumps({"msg": "listening", "host": host, "port": port}), flush=True)
    app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)
