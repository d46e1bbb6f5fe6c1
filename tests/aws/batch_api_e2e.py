#!/usr/bin/env python3
"""gantry's AWS Batch HTTP API, end to end, through the real clients.

Drives a running cluster with unmodified boto3 and the aws CLI, the way a
user of AWS Batch would, and cross-checks with the gantry CLI over ZeroMQ.
tests/integration/aws_api_test.cc starts the cluster (3 replicas serving the
API, 2 agents) and runs this script once per client stack:

    GANTRY_AWS_ENDPOINT       a follower replica's http://127.0.0.1:P
    GANTRY_AWS_ENDPOINTS      every replica's URL, comma-separated
    GANTRY_AWS_CLI            the aws CLI of the same stack as this python3
    GANTRY_BINARY             the gantry CLI; GANTRY_ENDPOINT its ZeroMQ endpoints
    AWS_ACCESS_KEY_ID/SECRET  alice's key; GANTRY_AWS_SECOND_KEY_ID/SECRET ci-bot's
    AWS_DEFAULT_REGION        fleet-1 (account 123456789012)

Standard library plus boto3/botocore only; runs under boto3 1.26 (Debian)
and 1.43 (pip). No fixed sleeps: jobs are polled with a deadline.
"""
import json
import os
import subprocess
import sys
import time
import unittest
import uuid

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENV = os.environ
REGION = ENV.get("AWS_DEFAULT_REGION", "fleet-1")
ACCOUNT = ENV.get("GANTRY_AWS_ACCOUNT", "123456789012")
ARN_PREFIX = "arn:aws:batch:%s:%s:" % (REGION, ACCOUNT)
TERMINAL = ("SUCCEEDED", "FAILED")
DEADLINE_S = 60
POLL_S = 0.2


def required_env(name):
    value = ENV.get(name)
    if not value:
        sys.exit("batch_api_e2e.py: %s is not set (run it through aws_api_test)" % name)
    return value


def endpoint():
    return required_env("GANTRY_AWS_ENDPOINT")


# Every client made, closed when the tests end (an unclosed connection pool
# is a ResourceWarning in unittest's output).
CLIENTS = []


def keep(client):
    CLIENTS.append(client)
    return client


def make_client(url=None, key_id=None, secret=None, config=None):
    kwargs = {"endpoint_url": url or endpoint(), "region_name": REGION}
    if key_id is not None:
        kwargs["aws_access_key_id"] = key_id
        kwargs["aws_secret_access_key"] = secret
    if config is not None:
        kwargs["config"] = config
    return keep(boto3.client("batch", **kwargs))


def suffix():
    return uuid.uuid4().hex[:10]


def brief(job):
    """The parts of a JobDetail that explain a failed assertion."""
    if not job:
        return repr(job)
    keys = ("jobId", "jobName", "status", "statusReason", "createdAt", "startedAt", "stoppedAt")
    out = {k: job.get(k) for k in keys if k in job}
    if "attempts" in job:
        out["attempts"] = [
            {"exitCode": a.get("container", {}).get("exitCode"), "statusReason": a.get("statusReason")}
            for a in job["attempts"]
        ]
    return json.dumps(out, default=str)


class RawResponses:
    """The raw JSON of a client's last response to `operation`.

    botocore keeps only the members its model knows, so gantry's additions
    (submittedBy) are read from the body itself."""

    def __init__(self, client, operation):
        self.last = None
        client.meta.events.register("after-call.batch.%s" % operation, self._after_call)

    def _after_call(self, http_response, **_):
        self.last = json.loads(http_response.content)


class BatchApiTest(unittest.TestCase):
    """Shared set-up: one UNMANAGED compute environment over every node, a
    queue on it and a job definition; tests that need their own make them."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.batch = make_client()
        cls.raw_describe = RawResponses(cls.batch, "DescribeJobs")
        cls.ce_name, cls.ce_arn = cls.create_ce("shared")
        cls.queue_name, cls.queue_arn = cls.create_queue("shared", cls.ce_arn)
        cls.def_name, cls.def_arn = cls.register_definition("shared", ["sh", "-c", "echo hello"])

    @classmethod
    def tearDownClass(cls):
        while CLIENTS:
            CLIENTS.pop().close()

    # --- set-up helpers --------------------------------------------------

    @classmethod
    def create_ce(cls, label, **extra):
        name = "ce-%s-%s" % (label, suffix())
        r = cls.batch.create_compute_environment(computeEnvironmentName=name, type="UNMANAGED", state="ENABLED", **extra)
        return name, r["computeEnvironmentArn"]

    @classmethod
    def create_queue(cls, label, ce_arn, **extra):
        name = "q-%s-%s" % (label, suffix())
        r = cls.batch.create_job_queue(
            jobQueueName=name,
            state="ENABLED",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce_arn}],
            **extra
        )
        return name, r["jobQueueArn"]

    @classmethod
    def register_definition(cls, label, command, name=None, **extra):
        name = name or "jd-%s-%s" % (label, suffix())
        r = cls.batch.register_job_definition(
            jobDefinitionName=name,
            type="container",
            containerProperties={
                "image": "busybox",
                "command": command,
                "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "128"}],
            },
            **extra
        )
        return name, r["jobDefinitionArn"]

    def submit(self, name, command=None, client=None, queue=None, definition=None, **extra):
        if command is not None:
            overrides = dict(extra.pop("containerOverrides", {}))
            overrides["command"] = command
            extra["containerOverrides"] = overrides
        r = (client or self.batch).submit_job(
            jobName="%s-%s" % (name, suffix()),
            jobQueue=queue or self.queue_name,
            jobDefinition=definition or self.def_name,
            **extra
        )
        self.assertTrue(r.get("jobId"), "submit_job returned no jobId: %r" % r)
        return r["jobId"]

    def submit_long(self, name, **extra):
        """A `sleep 30` job, terminated when the test ends."""
        job_id = self.submit(name, ["sleep", "30"], **extra)
        self.addCleanup(self.batch.terminate_job, jobId=job_id, reason="test cleanup")
        return job_id

    # --- polling -----------------------------------------------------------

    def describe(self, job_id, client=None):
        jobs = (client or self.batch).describe_jobs(jobs=[job_id])["jobs"]
        self.assertLessEqual(len(jobs), 1, "describe_jobs([%s]) returned %d jobs" % (job_id, len(jobs)))
        return jobs[0] if jobs else None

    def wait_job(self, job_id, statuses=TERMINAL, client=None, timeout=DEADLINE_S):
        deadline = time.monotonic() + timeout
        last = None
        while True:
            last = self.describe(job_id, client) or last
            if last is not None and last["status"] in statuses:
                return last
            if time.monotonic() > deadline:
                self.fail("job %s not in %s within %d s; last seen: %s" % (job_id, statuses, timeout, brief(last)))
            time.sleep(POLL_S)

    def wait_succeeded(self, job_id, client=None):
        job = self.wait_job(job_id, client=client)
        self.assertEqual(job["status"], "SUCCEEDED", "job did not succeed: %s" % brief(job))
        return job

    def wait_until(self, what, fn, timeout=DEADLINE_S):
        """Polls fn() until it returns something truthy; returns that."""
        deadline = time.monotonic() + timeout
        while True:
            value = fn()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("%s did not happen within %d s" % (what, timeout))
            time.sleep(POLL_S)

    def assert_client_exception(self, call, message_part=None, **kwargs):
        with self.assertRaises(self.batch.exceptions.ClientException) as cm:
            call(**kwargs)
        err = cm.exception.response["Error"]
        if message_part is not None:
            self.assertIn(message_part, err.get("Message", "").lower(), "ClientException message: %r" % err)
        return err

    def submitted_by(self, job_id, client=None):
        """gantry's submittedBy from the raw DescribeJobs body."""
        client = client or self.batch
        raw = self.raw_describe if client is self.batch else RawResponses(client, "DescribeJobs")
        client.describe_jobs(jobs=[job_id])
        jobs = raw.last.get("jobs", [])
        self.assertEqual(len(jobs), 1, "raw DescribeJobs body: %r" % raw.last)
        return jobs[0].get("submittedBy")

    # --- the tests ---------------------------------------------------------

    def test_01_issue_snippet(self):
        batch = keep(boto3.client("batch", endpoint_url=endpoint(), region_name=REGION))
        u = suffix()
        ce = batch.create_compute_environment(computeEnvironmentName="ce-" + u, type="UNMANAGED", state="ENABLED")
        self.assertEqual(ce["computeEnvironmentArn"], ARN_PREFIX + "compute-environment/ce-" + u)
        q = batch.create_job_queue(
            jobQueueName="q-" + u,
            state="ENABLED",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce["computeEnvironmentArn"]}],
        )
        self.assertEqual(q["jobQueueArn"], ARN_PREFIX + "job-queue/q-" + u)
        jd = batch.register_job_definition(
            jobDefinitionName="jd-" + u,
            type="container",
            containerProperties={
                "image": "busybox",
                "command": ["sh", "-c", "echo hello"],
                "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "128"}],
            },
        )
        self.assertEqual(jd["revision"], 1)
        self.assertEqual(jd["jobDefinitionArn"], ARN_PREFIX + "job-definition/jd-%s:1" % u)
        r = batch.submit_job(
            jobName="hello-" + u,
            jobQueue="q-" + u,
            jobDefinition="jd-" + u,
            containerOverrides={"command": ["ls", "-l"]},
        )
        job_id = r["jobId"]
        self.assertEqual(r["jobName"], "hello-" + u)
        self.assertEqual(r["jobArn"], ARN_PREFIX + "job/" + job_id)

        job = self.wait_succeeded(job_id, client=batch)
        self.assertEqual(job["jobArn"], ARN_PREFIX + "job/" + job_id)
        self.assertEqual(job["jobQueue"], q["jobQueueArn"])
        self.assertEqual(job["jobDefinition"], jd["jobDefinitionArn"])
        self.assertEqual(job["container"]["command"], ["ls", "-l"])
        for key in ("createdAt", "startedAt", "stoppedAt"):
            self.assertIsInstance(job.get(key), int, "%s is not an int (epoch ms): %s" % (key, brief(job)))
        self.assertGreater(job["createdAt"], 1.5e12, "createdAt is not in epoch milliseconds")
        self.assertTrue(job["createdAt"] <= job["startedAt"] <= job["stoppedAt"], "times out of order: " + brief(job))
        self.assertEqual(job["container"].get("exitCode"), 0, brief(job))
        self.assertEqual(len(job.get("attempts", [])), 1, brief(job))
        self.assertEqual(job["attempts"][0]["container"].get("exitCode"), 0, brief(job))
        self.assertEqual(self.submitted_by(job_id), "alice")

    def test_02_overrides(self):
        check = ["sh", "-c", 'test "$X" = y && echo "X is $X"']
        job_id = self.submit("env", check, containerOverrides={"environment": [{"name": "X", "value": "y"}]})
        job = self.wait_succeeded(job_id)
        self.assertEqual(job["container"]["command"], check)
        self.assertIn({"name": "X", "value": "y"}, job["container"].get("environment", []))
        self.assertEqual(job["container"].get("exitCode"), 0)

        # The same command with another value fails: the override is effective.
        job_id = self.submit("env-neg", check, containerOverrides={"environment": [{"name": "X", "value": "z"}]})
        job = self.wait_job(job_id)
        self.assertEqual(job["status"], "FAILED", brief(job))
        self.assertEqual(job["container"].get("exitCode"), 1, brief(job))
        self.assertIn({"name": "X", "value": "z"}, job["container"].get("environment", []))

    def test_03_array_job(self):
        check = ["sh", "-c", 'case "$AWS_BATCH_JOB_ARRAY_INDEX" in 0|1|2) exit 0;; esac; exit 1']
        parent = self.submit("array", check, arrayProperties={"size": 3})
        job = self.wait_succeeded(parent)
        props = job.get("arrayProperties", {})
        self.assertEqual(props.get("size"), 3, brief(job))
        self.assertEqual(props.get("statusSummary", {}).get("SUCCEEDED"), 3, "statusSummary: %r" % props)

        children = self.batch.list_jobs(arrayJobId=parent, jobStatus="SUCCEEDED")["jobSummaryList"]
        self.assertEqual(sorted(c["jobId"] for c in children), ["%s:%d" % (parent, i) for i in range(3)])
        for c in children:
            self.assertEqual(c.get("arrayProperties", {}).get("index"), int(c["jobId"].rsplit(":", 1)[1]), c)
        child = self.describe(parent + ":1")
        self.assertIsNotNone(child, "describe_jobs does not know %s:1" % parent)
        self.assertEqual(child["arrayProperties"].get("index"), 1)
        self.assertEqual(child["status"], "SUCCEEDED")

    def test_04_dependency(self):
        a = self.submit("dep-a", ["sleep", "1"])
        b = self.submit("dep-b", ["true"], dependsOn=[{"jobId": a}])
        job_b = self.wait_succeeded(b)
        job_a = self.wait_succeeded(a)
        self.assertEqual([d["jobId"] for d in job_b.get("dependsOn", [])], [a])
        self.assertGreaterEqual(job_b["startedAt"], job_a["stoppedAt"], "B started before A stopped")

    def test_05_retry(self):
        job_id = self.submit("retry", ["sh", "-c", "exit 3"], retryStrategy={"attempts": 2})
        job = self.wait_job(job_id)
        self.assertEqual(job["status"], "FAILED", brief(job))
        self.assertEqual([a["container"].get("exitCode") for a in job.get("attempts", [])], [3, 3], brief(job))
        self.assertEqual(job["retryStrategy"]["attempts"], 2)

        job_id = self.submit(
            "retry-exit",
            ["sh", "-c", "exit 4"],
            retryStrategy={"attempts": 3, "evaluateOnExit": [{"onExitCode": "4", "action": "EXIT"}]},
        )
        job = self.wait_job(job_id)
        self.assertEqual(job["status"], "FAILED", brief(job))
        self.assertEqual([a["container"].get("exitCode") for a in job.get("attempts", [])], [4], brief(job))

    def test_06_timeout(self):
        started = time.monotonic()
        job_id = self.submit("timeout", ["sleep", "30"], timeout={"attemptDurationSeconds": 1})
        self.addCleanup(self.batch.terminate_job, jobId=job_id, reason="test cleanup")
        job = self.wait_job(job_id, timeout=25)
        self.assertEqual(job["status"], "FAILED", brief(job))
        self.assertLess(time.monotonic() - started, 25)
        self.assertIn("timeout", job.get("statusReason", "").lower(), brief(job))
        self.assertEqual(job.get("timeout", {}).get("attemptDurationSeconds"), 1)
        self.assertLess(job["stoppedAt"] - job["startedAt"], 20000, "the attempt outlived its 1 s timeout")

    def test_07_list_jobs(self):
        _, queue = self.create_queue("list", self.ce_arn)
        u = suffix()
        long_id = self.submit_long("long", queue=queue)
        quick_id = self.submit("quick", ["true"], queue=queue)
        self.wait_job(long_id, ("RUNNING",) + TERMINAL)
        self.wait_succeeded(quick_id)

        listed = [j["jobId"] for j in self.batch.list_jobs(jobQueue=queue)["jobSummaryList"]]
        self.assertIn(long_id, listed, "list_jobs with no status must list the RUNNING job")
        self.assertNotIn(quick_id, listed, "list_jobs with no status must list RUNNING jobs only")

        finished = {quick_id}
        for i in range(5):
            finished.add(self.batch.submit_job(jobName="page-%s-%d" % (u, i), jobQueue=queue, jobDefinition=self.def_name)["jobId"])
        for job_id in finished:
            self.wait_succeeded(job_id)
        pages = self.batch.get_paginator("list_jobs").paginate(
            jobQueue=queue, jobStatus="SUCCEEDED", PaginationConfig={"PageSize": 2}
        )
        seen, page_count = [], 0
        for page in pages:  # raises PaginationError if a token repeats
            page_count += 1
            self.assertLessEqual(len(page["jobSummaryList"]), 2, "page larger than PageSize")
            seen.extend(j["jobId"] for j in page["jobSummaryList"])
        self.assertEqual(sorted(seen), sorted(finished), "every SUCCEEDED job exactly once")
        self.assertGreaterEqual(page_count, 3)

        for pattern in ("page-%s-*" % u, "PAGE-%s-*" % u.upper()):
            r = self.batch.list_jobs(jobQueue=queue, filters=[{"name": "JOB_NAME", "values": [pattern]}])
            names = sorted(j["jobName"] for j in r["jobSummaryList"])
            self.assertEqual(names, ["page-%s-%d" % (u, i) for i in range(5)], "JOB_NAME filter %r" % pattern)

    def test_07b_list_jobs_job_definition_filter(self):
        # AWS: the value is a definition's name (any revision), name:revision,
        # its ARN (that revision), or a name prefix ending in '*'; results are
        # sorted by createdAt, newest first.
        _, queue = self.create_queue("jdfilter", self.ce_arn)
        def_name, def_arn = self.register_definition("jdfilter", ["true"])
        jobs = [self.submit("jdf%d" % i, ["true"], queue=queue, definition=def_name) for i in range(3)]
        for job_id in jobs:
            self.wait_succeeded(job_id)
        newest_first = [j["jobId"] for j in sorted((self.describe(i) for i in jobs), key=lambda j: -j["createdAt"])]
        for value in (def_name, def_name + ":1", def_arn, def_name[:-3] + "*"):
            with self.subTest(value):
                r = self.batch.list_jobs(jobQueue=queue, filters=[{"name": "JOB_DEFINITION", "values": [value]}])
                listed = [j["jobId"] for j in r["jobSummaryList"]]
                self.assertEqual(sorted(listed), sorted(jobs), "JOB_DEFINITION filter %r" % value)
                self.assertEqual(listed, newest_first, "JOB_DEFINITION filter %r: not newest first" % value)

    def test_08_cancel_and_terminate(self):
        long_id = self.submit_long("running")
        self.assertEqual(self.wait_job(long_id, ("RUNNING",) + TERMINAL)["status"], "RUNNING")

        pending = self.submit("pending", ["true"], dependsOn=[{"jobId": long_id}])
        self.assertEqual(self.wait_job(pending, ("PENDING",) + TERMINAL)["status"], "PENDING")
        reason = "cancelled by the test " + suffix()
        self.batch.cancel_job(jobId=pending, reason=reason)
        job = self.wait_job(pending)
        self.assertEqual(job["status"], "FAILED", brief(job))
        self.assertEqual(job.get("statusReason"), reason)
        self.assertEqual(self.describe(long_id)["status"], "RUNNING", "cancel waited for the dependency")

        # Cancel of a RUNNING job succeeds and does nothing.
        self.batch.cancel_job(jobId=long_id, reason="no effect")
        self.assertEqual(self.describe(long_id)["status"], "RUNNING")

        reason = "terminated by the test " + suffix()
        self.batch.terminate_job(jobId=long_id, reason=reason)
        job = self.wait_job(long_id, timeout=30)
        self.assertEqual(job["status"], "FAILED", brief(job))
        self.assertIn(reason, job.get("statusReason", ""), brief(job))

    def test_09_tags(self):
        job_id = self.submit("tagged", ["true"], tags={"team": "hpc", "cost-center": "42"})
        job = self.wait_job(job_id)
        self.assertEqual(job.get("tags"), {"team": "hpc", "cost-center": "42"})

        _, ce_arn = self.create_ce("tags", tags={"created": "with-ce"})
        self.assertEqual(self.batch.list_tags_for_resource(resourceArn=ce_arn)["tags"], {"created": "with-ce"})
        _, queue_arn = self.create_queue("tags", ce_arn)
        _, def_arn = self.register_definition("tags", ["true"])
        self.assertTrue(def_arn.endswith(":1"), def_arn)
        job_arn = ARN_PREFIX + "job/" + job_id
        for arn in (queue_arn, def_arn, ce_arn, job_arn):
            before = self.batch.list_tags_for_resource(resourceArn=arn)["tags"]
            self.batch.tag_resource(resourceArn=arn, tags={"a": "1", "b c": "two words"})
            tags = self.batch.list_tags_for_resource(resourceArn=arn)["tags"]
            self.assertEqual(tags, dict(before, a="1", **{"b c": "two words"}), "tags of " + arn)
            self.batch.untag_resource(resourceArn=arn, tagKeys=["a", "b c", "absent-key"])
            self.assertEqual(self.batch.list_tags_for_resource(resourceArn=arn)["tags"], before, "untag on " + arn)

        self.assert_client_exception(
            self.batch.tag_resource, resourceArn=ARN_PREFIX + "job-queue/no-such-queue-" + suffix(), tags={"a": "1"}
        )

    def test_10_scheduling_policy(self):
        name = "sp-" + suffix()
        fairshare = {
            "shareDecaySeconds": 0,
            "computeReservation": 0,
            "shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 1.0}],
        }
        arn = self.batch.create_scheduling_policy(name=name, fairsharePolicy=fairshare)["arn"]
        self.assertEqual(arn, ARN_PREFIX + "scheduling-policy/" + name)
        policies = self.batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"]
        self.assertEqual([p["name"] for p in policies], [name])
        self.assertEqual(policies[0]["arn"], arn)
        self.assertEqual(policies[0]["fairsharePolicy"]["shareDistribution"], fairshare["shareDistribution"])
        listed = []
        for page in self.batch.get_paginator("list_scheduling_policies").paginate():
            listed.extend(p["arn"] for p in page["schedulingPolicies"])
        self.assertIn(arn, listed)

        fairshare["shareDistribution"].append({"shareIdentifier": "teamB", "weightFactor": 0.5})
        self.batch.update_scheduling_policy(arn=arn, fairsharePolicy=fairshare)
        policy = self.batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"][0]
        self.assertEqual(
            sorted(s["shareIdentifier"] for s in policy["fairsharePolicy"]["shareDistribution"]), ["teamA", "teamB"]
        )

        ce_name, ce_arn = self.create_ce("fair")
        queue, _ = self.create_queue("fair", ce_arn, schedulingPolicyArn=arn)
        detail = self.batch.describe_job_queues(jobQueues=[queue])["jobQueues"]
        self.assertEqual(detail[0].get("schedulingPolicyArn"), arn)
        job_id = self.submit("fair", ["true"], queue=queue, shareIdentifier="teamA")
        self.assertEqual(self.wait_succeeded(job_id).get("shareIdentifier"), "teamA")
        self.assert_client_exception(
            self.batch.submit_job, jobName="noshare-" + suffix(), jobQueue=queue, jobDefinition=self.def_name
        )

        self.batch.update_job_queue(jobQueue=queue, state="DISABLED")
        self.assert_client_exception(
            self.batch.submit_job,
            jobName="disabled-" + suffix(),
            jobQueue=queue,
            jobDefinition=self.def_name,
            shareIdentifier="teamA",
        )
        self.batch.delete_job_queue(jobQueue=queue)
        self.wait_until(
            "queue deletion", lambda: not self.batch.describe_job_queues(jobQueues=[queue])["jobQueues"]
        )
        self.batch.delete_scheduling_policy(arn=arn)
        self.assertEqual(self.batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"], [])
        self.batch.update_compute_environment(computeEnvironment=ce_arn, state="DISABLED")
        self.batch.delete_compute_environment(computeEnvironment=ce_arn)
        self.wait_until(
            "compute environment deletion",
            lambda: not self.batch.describe_compute_environments(computeEnvironments=[ce_name])["computeEnvironments"],
        )

    def test_10b_share_identifier_filter_keeps_job_status(self):
        # AWS: a filter replaces jobStatus, except SHARE_IDENTIFIER, which
        # combines with it (botocore 1.29 does not know the name but sends it).
        arn = self.batch.create_scheduling_policy(
            name="sp-filter-" + suffix(), fairsharePolicy={"shareDistribution": [{"shareIdentifier": "A", "weightFactor": 1.0}]}
        )["arn"]
        _, queue = self.create_queue("sharefilter", self.ce_arn, schedulingPolicyArn=arn)
        long_id = self.submit_long("share-long", queue=queue, shareIdentifier="A")
        quick_id = self.submit("share-quick", ["true"], queue=queue, shareIdentifier="A")
        self.wait_job(long_id, ("RUNNING",) + TERMINAL)
        self.wait_succeeded(quick_id)
        share_a = [{"name": "SHARE_IDENTIFIER", "values": ["A"]}]
        listed = {j["jobId"] for j in self.batch.list_jobs(jobQueue=queue, filters=share_a)["jobSummaryList"]}
        self.assertEqual(listed, {long_id, quick_id}, "SHARE_IDENTIFIER filter alone")
        r = self.batch.list_jobs(jobQueue=queue, jobStatus="RUNNING", filters=share_a)
        listed = [(j["jobId"], j["status"]) for j in r["jobSummaryList"]]
        self.assertEqual(listed, [(long_id, "RUNNING")], "SHARE_IDENTIFIER filter with jobStatus RUNNING")

    def test_11_describe_pagination(self):
        prefix = "jdpage-%s-" % suffix()
        expected = set()
        for i in range(5):
            name, _ = self.register_definition("page", ["true"], name="%s%d" % (prefix, i))
            expected.add((name, 1))
        for revision in (2, 3):
            r = self.batch.register_job_definition(
                jobDefinitionName=prefix + "0", type="container",
                containerProperties={"image": "busybox", "command": ["true"]},
            )
            self.assertEqual(r["revision"], revision)
            expected.add((prefix + "0", revision))

        seen = []
        pages = self.batch.get_paginator("describe_job_definitions").paginate(PaginationConfig={"PageSize": 2})
        for page in pages:
            self.assertLessEqual(len(page["jobDefinitions"]), 2, "page larger than PageSize")
            seen.extend((d["jobDefinitionName"], d["revision"]) for d in page["jobDefinitions"])
        self.assertEqual(len(seen), len(set(seen)), "a job definition appeared twice across pages")
        self.assertEqual({s for s in seen if s[0].startswith(prefix)}, expected)

        for op, result_key, name_key, mine in (
            ("describe_job_queues", "jobQueues", "jobQueueName", self.queue_name),
            ("describe_compute_environments", "computeEnvironments", "computeEnvironmentName", self.ce_name),
        ):
            names = []
            for page in self.batch.get_paginator(op).paginate(PaginationConfig={"PageSize": 1}):
                self.assertLessEqual(len(page[result_key]), 1, "page larger than PageSize")
                names.extend(item[name_key] for item in page[result_key])
            self.assertEqual(len(names), len(set(names)), "%s paginator repeated an item: %r" % (op, names))
            self.assertIn(mine, names, op)

        self.batch.deregister_job_definition(jobDefinition=prefix + "1:1")
        inactive = self.batch.describe_job_definitions(jobDefinitionName=prefix + "1", status="INACTIVE")["jobDefinitions"]
        self.assertEqual([(d["revision"], d["status"]) for d in inactive], [(1, "INACTIVE")])
        active = self.batch.describe_job_definitions(jobDefinitionName=prefix + "1", status="ACTIVE")["jobDefinitions"]
        self.assertEqual(active, [])
        by_arn = self.batch.describe_job_definitions(jobDefinitions=[ARN_PREFIX + "job-definition/%s0:2" % prefix])
        self.assertEqual([d["revision"] for d in by_arn["jobDefinitions"]], [2])
        for ref in (prefix + "1:1", prefix + "1"):
            self.assert_client_exception(
                self.batch.submit_job, jobName="inactive-" + suffix(), jobQueue=self.queue_name, jobDefinition=ref
            )

    def test_12_errors(self):
        err = self.assert_client_exception(
            self.batch.submit_job,
            message_part="not found",
            jobName="lost",
            jobQueue="no-such-queue-" + suffix(),
            jobDefinition=self.def_name,
        )
        self.assertEqual(err["Code"], "ClientException")
        self.assertEqual(self.batch.describe_jobs(jobs=[str(uuid.uuid4())])["jobs"], [])

        fast = Config(retries={"max_attempts": 1, "mode": "legacy"})
        cases = (
            ("wrong secret", make_client(key_id=ENV["AWS_ACCESS_KEY_ID"], secret="wrong-secret", config=fast),
             "InvalidSignatureException"),
            ("unknown key", make_client(key_id="AKIDNOBODY0000000000", secret="whatever", config=fast),
             "UnrecognizedClientException"),
            ("unsigned", make_client(config=Config(signature_version=botocore.UNSIGNED, retries=fast.retries)),
             "MissingAuthenticationTokenException"),
        )
        for label, client, code in cases:
            with self.subTest(label):
                with self.assertRaises(ClientError) as cm:
                    client.describe_job_queues()
                response = cm.exception.response
                self.assertEqual(response["Error"]["Code"], code, "%s: %r" % (label, response["Error"]))
                self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 403, label)
                self.assertEqual(response["ResponseMetadata"].get("RetryAttempts"), 0, "%s was retried" % label)

    def test_13_second_key(self):
        ci_bot = make_client(key_id=ENV["GANTRY_AWS_SECOND_KEY_ID"], secret=ENV["GANTRY_AWS_SECOND_SECRET"])
        job_id = self.submit("ci", ["true"], client=ci_bot)
        self.wait_succeeded(job_id, client=ci_bot)
        self.assertEqual(self.submitted_by(job_id, client=ci_bot), "ci-bot")
        self.assertEqual(self.submitted_by(job_id), "ci-bot", "as seen with alice's key")

    # --- the CLIs ----------------------------------------------------------

    def run_cli(self, argv, timeout=120):
        return subprocess.run(argv, env=dict(ENV), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=timeout)

    def aws(self, *args):
        return self.run_cli([required_env("GANTRY_AWS_CLI"), "batch"] + list(args) + ["--endpoint-url", endpoint()])

    def gantry(self, *args):
        return self.run_cli([required_env("GANTRY_BINARY")] + list(args))

    def gantry_job(self, job_id):
        r = self.gantry("describe-jobs", "--jobs", job_id, "-o", "json")
        self.assertEqual(r.returncode, 0, "gantry describe-jobs: %s" % r.stderr)
        jobs = json.loads(r.stdout)["jobs"]
        return jobs[0] if jobs else None

    def test_14_aws_cli_and_gantry_cli(self):
        r = self.aws(
            "submit-job", "--job-name", "cli-" + suffix(), "--job-queue", self.queue_name,
            "--job-definition", self.def_name, "--container-overrides", '{"command":["echo","from-cli"]}',
        )
        self.assertEqual(r.returncode, 0, "aws batch submit-job failed:\n%s%s" % (r.stdout, r.stderr))
        job_id = json.loads(r.stdout)["jobId"]
        job = self.wait_until(
            "the aws CLI's job SUCCEEDED as the gantry CLI sees it",
            lambda: (lambda j: j if j and j["status"] in TERMINAL else None)(self.gantry_job(job_id)),
        )
        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job)[:2000])
        self.assertEqual(job["container"]["command"], ["echo", "from-cli"])

        r = self.aws("describe-jobs", "--jobs", job_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["jobs"][0]["status"], "SUCCEEDED")

        r = self.gantry("submit-job", "--job-name", "gantry-" + suffix(), "--job-queue", self.queue_name,
                        "--job-definition", self.def_name, "--", "echo", "from-gantry")
        self.assertEqual(r.returncode, 0, "gantry submit-job failed: %s" % r.stderr)
        gantry_id = r.stdout.strip()
        job = self.wait_succeeded(gantry_id)
        self.assertEqual(job["jobQueue"], self.queue_arn)
        self.assertEqual(job["container"]["command"], ["echo", "from-gantry"])
        self.assertIsNone(self.submitted_by(gantry_id), "a ZeroMQ submission has no submitter")

        version = self.run_cli([required_env("GANTRY_AWS_CLI"), "--version"])
        major = 2 if "aws-cli/2." in version.stdout + version.stderr else 1
        r = self.aws("submit-job", "--job-name", "lost", "--job-queue", "no-such-queue-" + suffix(),
                     "--job-definition", self.def_name)
        self.assertEqual(r.returncode, 254 if major == 2 else 255, "aws CLI v%d exit code; stderr: %s" % (major, r.stderr))
        self.assertIn("An error occurred (ClientException)", r.stderr)

    def test_15_every_replica_answers(self):
        urls = [u for u in required_env("GANTRY_AWS_ENDPOINTS").split(",") if u]
        self.assertGreaterEqual(len(urls), 2)
        answers = {}
        for url in urls:
            client = make_client(url=url)
            queues = client.describe_job_queues(jobQueues=[self.queue_name, self.queue_arn])["jobQueues"]
            answers[url] = queues
        first = answers[urls[0]]
        self.assertEqual([q["jobQueueArn"] for q in first], [self.queue_arn])
        for url in urls[1:]:
            self.assertEqual(answers[url], first, "%s answers differently from %s" % (url, urls[0]))
        # A write through each replica is visible through every other one.
        for url in urls:
            job_id = self.submit("via", ["true"], client=make_client(url=url))
            for other in urls:
                self.assertIsNotNone(self.describe(job_id, client=make_client(url=other)),
                                     "job submitted via %s unknown to %s" % (url, other))


if __name__ == "__main__":
    unittest.main()
