#!/usr/bin/env python3
"""Submits jobs one after another through boto3 with its default retries.

Prints each acknowledged job id and how long its call took (ms) on a line
of its own (flushed), so that
tests/integration/aws_api_test.cc can kill the leader replica part-way and
then check that every submission was acknowledged exactly once. Usage:
submit_through_failover.py ENDPOINT QUEUE DEFINITION COUNT
"""
import sys
import time

import boto3
import botocore.config


def main():
    endpoint, queue, definition, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    # The SDK's own retry policy ("legacy": up to 5 attempts with backoff);
    # a read timeout above the coordinator's election time.
    config = botocore.config.Config(retries={"max_attempts": 10}, read_timeout=30, connect_timeout=5)
    batch = boto3.client("batch", endpoint_url=endpoint, config=config)
    for i in range(count):
        start = time.monotonic()
        r = batch.submit_job(jobName=f"failover-{i}", jobQueue=queue, jobDefinition=definition)
        print(r["jobId"], round((time.monotonic() - start) * 1000), flush=True)


if __name__ == "__main__":
    main()
