"""The inference service: Weaviate's transformers-inference HTTP contract on ONNX Runtime.

Speaks what Weaviate's text2vec-transformers module expects of the
`semitechnologies/transformers-inference` images (weaviate/t2v-transformers-models, app.py):

  GET  /.well-known/live, /.well-known/ready   204
  GET  /meta                                   {"model": <config.json>, "model_path": ...} and ours:
                                               "runtime" (int8 or fp32), why, and the CPU (runtime.py)
  POST /vectors, /vectors/                     {"text": str, "config": {...}} -> {"text", "vector", "dim"}

Optional bearer tokens as the images do (AUTHENTICATION_ALLOWED_TOKENS, comma-separated).
`GET /stats` (ours, not the images') counts requests and texts, so tests and the bench can tell
how many vectorizations a run cost.

Weaviate sends ONE text per request and, within a batch request, one object after the other; with
several batch requests in flight the service sees that many requests at once. They are queued and
run together: one model call per batch of waiting texts, sorted by length so that padding stays
small. That is where the model's throughput is (tests/bench: README, inference).
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from runtime import RUNTIMES, as_meta, cpu, describe_cpu, select

log = logging.getLogger("inference")

POOLING = ("masked_mean", "")  # the images' default; "cls" has no use for this model


class Batcher:
    """One thread runs the model; request threads queue texts and wait for their vectors."""

    def __init__(self, encoder: Encoder, max_batch: int, max_wait_s: float) -> None:
        self.encoder, self.max_batch, self.max_wait_s = encoder, max_batch, max_wait_s
        self.pending: list[tuple[str, Future]] = []
        self.ready = threading.Condition()
        self.stats = {"requests": 0, "texts": 0, "batches": 0, "errors": 0, "busySeconds": 0.0}
        threading.Thread(target=self.run, name="batcher", daemon=True).start()

    def submit(self, text: str) -> Future:
        future: Future = Future()
        with self.ready:
            self.pending.append((text, future))
            self.stats["requests"] += 1
            self.ready.notify()
        return future

    def take(self) -> list[tuple[str, Future]]:
        with self.ready:
            while not self.pending:
                self.ready.wait()
            # Others are usually a moment behind the first (the module sends the next text of a
            # batch as soon as the previous one is answered): give them that moment.
            deadline = time.monotonic() + self.max_wait_s
            while len(self.pending) < self.max_batch and (left := deadline - time.monotonic()) > 0:
                self.ready.wait(left)
            taken, self.pending = self.pending[: self.max_batch], self.pending[self.max_batch :]
            return taken

    def run(self) -> None:
        while True:
            batch = self.take()
            started = time.perf_counter()
            try:
                vectors = self.encoder.encode([text for text, _ in batch])
            except Exception as error:  # noqa: BLE001 - every waiting request gets the failure
                log.exception("vectorizing %d texts failed", len(batch))
                self.stats["errors"] += len(batch)
                for _, future in batch:
                    future.set_exception(error)
                continue
            self.stats["busySeconds"] += time.perf_counter() - started
            self.stats["texts"] += len(batch)
            self.stats["batches"] += 1
            for (_, future), vector in zip(batch, vectors):
                future.set_result(vector)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Weaviate reuses its connections
    # Headers and body leave in two writes; with Nagle on, the body waits for the client's delayed
    # ACK of the headers: 40 ms on every reply Weaviate's Go client reads (measured on /meta).
    disable_nagle_algorithm = True
    server: "InferenceServer"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path in ("/.well-known/live", "/.well-known/ready"):
            self.reply(204)
        elif path == "/meta":
            if self.authorized():
                self.reply(200, self.server.meta)
        elif path == "/stats":
            self.reply(200, {**self.server.batcher.stats, "model": self.server.meta["name"]})
        else:
            self.reply(404, {"error": f"no route GET {path}"})

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path not in ("/vectors", "/vectors/"):
            self.drain()
            return self.reply(404, {"error": f"no route POST {path}"})
        body = self.drain()
        if not self.authorized():
            return
        try:
            item = json.loads(body)
            text, config = item["text"], item.get("config") or {}
            if not isinstance(text, str) or not isinstance(config, dict):
                raise TypeError("text must be a string and config an object")
        except (ValueError, KeyError, TypeError) as error:
            return self.reply(422, {"error": f"invalid request body: {error}"})
        pooling = config.get("pooling_strategy") or ""
        if pooling not in POOLING:
            return self.reply(500, {"error": f"invalid pooling method '{pooling}'"})
        try:
            vector = self.server.batcher.submit(text).result()
        except Exception as error:  # noqa: BLE001 - the module reads "error" from a 500
            return self.reply(500, {"error": str(error)})
        self.reply(200, {"text": text, "vector": vector.tolist(), "dim": len(vector)})

    def drain(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def authorized(self) -> bool:
        tokens = self.server.tokens
        if not tokens:
            return True
        given = self.headers.get("authorization", "").removeprefix("Bearer ").encode()
        if any(hmac.compare_digest(given, token.encode()) for token in tokens):
            return True
        self.reply(401, {"error": "Unauthorized"})
        return False

    def reply(self, status: int, body: dict | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - one line per request is noise
        pass


class InferenceServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # Weaviate opens a connection per concurrent batch request

    def __init__(self, address: tuple[str, int], batcher: Batcher, meta: dict, tokens: list[str]) -> None:
        super().__init__(address, Handler)
        self.batcher, self.meta, self.tokens = batcher, meta, tokens


def options(argv: list[str]) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="transformers-inference contract on ONNX Runtime")
    parser.add_argument("--model-dir", default=env("MODEL_DIR", str(Path(__file__).parent / "models/model")))
    parser.add_argument(
        "--runtime", choices=RUNTIMES, default=env("INFERENCE_RUNTIME", "auto"),
        help="auto: int8 where it is faithful and faster on this CPU, else fp32 (runtime.py)",
    )
    parser.add_argument("--host", default=env("HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=int(env("PORT", "8080")))
    parser.add_argument("--threads", type=int, default=int(env("INFERENCE_THREADS", "0")), help="0: one per core")
    parser.add_argument("--max-batch", type=int, default=int(env("INFERENCE_MAX_BATCH", "32")))
    parser.add_argument("--max-wait-ms", type=float, default=float(env("INFERENCE_MAX_WAIT_MS", "2")))
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = options(argv)
    started = time.perf_counter()
    encoder, choice = select(Path(args.model_dir), args.runtime, args.threads)
    processor = cpu()
    log.info("runtime %s (%s): %s; CPU %s", choice.runtime, choice.requested, choice.reason, describe_cpu(processor))
    batcher = Batcher(encoder, args.max_batch, args.max_wait_ms / 1000)
    tokens = [t.strip() for t in os.environ.get("AUTHENTICATION_ALLOWED_TOKENS", "").split(",") if t.strip()]
    meta = {
        "model": encoder.config, "model_path": str(args.model_dir), "name": encoder.name,
        "engine": encoder.describe(), **as_meta(choice, processor),
    }
    server = InferenceServer((args.host, args.port), batcher, meta, tokens)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log.info(
        "listening on http://%s:%d (%s, loaded in %.1f s)",
        args.host, server.server_address[1], encoder.describe(), time.perf_counter() - started,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
