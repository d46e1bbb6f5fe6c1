#!/usr/bin/env python3
"""SubmitJob requests per second through boto3 against gantry's AWS Batch API.

Each thread has a client of its own (boto3 clients are thread-safe, but one
per thread is how scripts that submit in parallel are written) and submits
back to back for --seconds. Credentials come from the environment. Run by
tests/bench/http_submit_bench, which starts the cluster.
"""
import argparse
import threading
import time

import boto3
import botocore.config


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--queue", default="q")
    parser.add_argument("--definition", default="d")
    args = parser.parse_args()

    config = botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=2)
    latencies, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + args.seconds

    # Made here: creating clients from several threads at once races inside
    # botocore's default session.
    clients = [boto3.client("batch", endpoint_url=args.endpoint, region_name="local", config=config)
               for _ in range(args.threads)]

    def submitter(n):
        batch = clients[n]
        mine, failed, i = [], [], 0
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            try:
                batch.submit_job(jobName=f"boto3-{n}-{i}", jobQueue=args.queue, jobDefinition=args.definition)
                mine.append(time.monotonic() - t0)
            except Exception as e:  # counted and shown once; the run goes on
                failed.append(repr(e))
            i += 1
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    start = time.monotonic()
    threads = [threading.Thread(target=submitter, args=(n,)) for n in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * (len(latencies) - 1) + 0.5))] * 1000 if latencies else 0

    print(f"{'boto3 ' + boto3.__version__ + f', {args.threads} threads -> leader':44} "
          f"{len(latencies) / elapsed:8.0f} req/s  p50 {pct(0.5):6.2f} ms  p99 {pct(0.99):6.2f} ms  "
          f"ok {len(latencies)}  failed {len(errors)}" + (f"  first error: {errors[0][:200]}" if errors else ""))


if __name__ == "__main__":
    main()
