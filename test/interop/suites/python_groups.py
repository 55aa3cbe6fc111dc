"""confluent-kafka (librdkafka) consumer-group suite for one group protocol.

Usage: .venv/bin/python suites/python_groups.py classic|consumer BOOTSTRAP

Two subscribe()d consumers share one group with group.protocol set to the given protocol and
commit by hand (enable.auto.commit=False, commit(asynchronous=False) after every record):
  1. both members join; once each owns part of the topic, records are produced and every record
     must be consumed exactly once across the two members; committed() then equals the end
     offset of every partition;
  2. one member restarts (close, then a new consumer in the same group); once the partitions are
     shared again, more records are produced, and each partition must resume at its committed
     offset: no record of step 1 is delivered again and none of step 2 is missed.
Records are produced only while the assignment is settled, so no commit has a reason to fail:
a failed commit is a failure of the suite. Exits non-zero with a FAIL line on the first mismatch.
"""

import sys
import time
import traceback
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

PARTITIONS = 4
PER_STEP = 80
TIMEOUT = 60.0


class SuiteFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise SuiteFailure(msg)


def step(msg):
    print(f"--- [python-groups] {msg}", flush=True)


def create_topic(bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fut = admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])[topic]
    try:
        fut.result(timeout=TIMEOUT)
    except KafkaException as e:
        raise SuiteFailure(f"create topic {topic}: {e.args[0]}") from e


def produce(bootstrap, topic, first, count):
    """Produces records value-{first}..value-{first+count-1}, keyed so they spread over every
    partition, and returns the set of values that were delivered."""
    delivered = set()
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(f"{msg.value()!r}: {err}")
        else:
            delivered.add(msg.value().decode())

    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for i in range(first, first + count):
        p.produce(topic, key=f"key-{i}".encode(), value=f"value-{i}".encode(), partition=i % PARTITIONS,
                  on_delivery=on_delivery)
    left = p.flush(TIMEOUT)
    check(left == 0, f"{left} records still undelivered after {TIMEOUT}s")
    check(not errors, f"delivery failed: {errors[:3]}")
    return delivered


def new_member(bootstrap, group, protocol, name):
    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "group.protocol": protocol,
        "client.id": name,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    }
    if protocol == "classic":
        # Classic members time out on the client's terms; with the consumer protocol these are
        # the broker's settings and librdkafka refuses them.
        conf["session.timeout.ms"] = 10000
        conf["heartbeat.interval.ms"] = 500
    return Consumer(conf)


def partitions_of(member):
    return {tp.partition for tp in member.assignment()}


def wait_shared(members, topic):
    """Polls every member (delivering nothing: nothing is produced yet) until each owns at least
    one partition and together they own each partition exactly once."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        owned = [partitions_of(m) for m in members]
        if all(owned) and sum(len(o) for o in owned) == PARTITIONS and set().union(*owned) == set(range(PARTITIONS)):
            return owned
        if time.monotonic() >= deadline:
            raise SuiteFailure(f"assignment did not settle within {TIMEOUT}s: members own {owned}")
        for m in members:
            msg = m.poll(0.1)
            check(msg is None or msg.error() is not None, f"unexpected record before producing: {msg and msg.value()!r}")
            if msg is not None and msg.error().code() != KafkaError._PARTITION_EOF:
                raise SuiteFailure(f"poll while joining: {msg.error()}")


def consume_exactly_once(members, names, expected, seen):
    """Polls the members in turn until every value in expected has been consumed and committed.
    seen maps value -> member name across the whole run: a value consumed twice, or one not
    produced in this step, fails. Returns {member name: count} and the first offset each
    partition delivered."""
    counts = {n: 0 for n in names}
    first_offset = {}
    got = set()
    deadline = time.monotonic() + TIMEOUT
    while got != expected:
        if time.monotonic() >= deadline:
            raise SuiteFailure(f"{len(expected - got)} of {len(expected)} records not consumed within {TIMEOUT}s, "
                               f"e.g. {sorted(expected - got)[:5]}")
        for m, name in zip(members, names):
            msg = m.poll(0.1)
            if msg is None:
                continue
            if msg.error() is not None:
                raise SuiteFailure(f"{name} poll: {msg.error()}")
            value = msg.value().decode()
            check(value not in seen, f"{value} (partition {msg.partition()} offset {msg.offset()}) consumed "
                                     f"again by {name}, first by {seen.get(value)}")
            check(value in expected, f"{name} consumed {value}, which this step did not produce")
            try:
                m.commit(message=msg, asynchronous=False)
            except KafkaException as e:
                raise SuiteFailure(f"{name} commit of partition {msg.partition()} offset {msg.offset()}: "
                                   f"{e.args[0]}") from e
            seen[value] = name
            got.add(value)
            counts[name] += 1
            first_offset.setdefault(msg.partition(), msg.offset())
    return counts, first_offset


def end_offsets(member, topic):
    ends = {}
    for p in range(PARTITIONS):
        _, high = member.get_watermark_offsets(TopicPartition(topic, p), timeout=TIMEOUT)
        ends[p] = high
    return ends


def committed_offsets(member, topic):
    tps = member.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=TIMEOUT)
    out = {}
    for tp in tps:
        check(tp.error is None, f"committed() partition {tp.partition}: {tp.error}")
        out[tp.partition] = tp.offset
    return out


def run(protocol, bootstrap):
    run_id = uuid.uuid4().hex[:8]
    topic = f"interop-pygroups-{protocol}-{run_id}"
    group = f"interop-pygroup-{protocol}-{run_id}"
    step(f"create {topic} ({PARTITIONS} partitions), group {group}, group.protocol={protocol}")
    create_topic(bootstrap, topic)

    step("two members join")
    a = new_member(bootstrap, group, protocol, "member-a")
    b = new_member(bootstrap, group, protocol, "member-b")
    members = [a, b]
    try:
        for m in members:
            m.subscribe([topic])
        owned = wait_shared(members, topic)
        print(f"member-a owns {sorted(owned[0])}, member-b owns {sorted(owned[1])}", flush=True)

        step(f"produce {PER_STEP} records, consume each exactly once with a commit after each")
        first = produce(bootstrap, topic, 0, PER_STEP)
        seen = {}
        counts, _ = consume_exactly_once(members, ["member-a", "member-b"], first, seen)
        print(f"consumed {counts}", flush=True)
        check(all(counts.values()), f"a member consumed nothing: {counts}")

        ends = end_offsets(a, topic)
        committed = committed_offsets(b, topic)
        check(committed == ends, f"committed offsets {committed} != end offsets {ends}")
        check(sum(ends.values()) == PER_STEP, f"end offsets {ends} do not add up to {PER_STEP}")

        step("member-a restarts: close, a new consumer joins the same group")
        members = [b]
        a.close()
        a = new_member(bootstrap, group, protocol, "member-a2")
        members = [a, b]
        a.subscribe([topic])
        owned = wait_shared(members, topic)
        print(f"member-a2 owns {sorted(owned[0])}, member-b owns {sorted(owned[1])}", flush=True)

        step(f"produce {PER_STEP} more records; every partition resumes at its committed offset")
        second = produce(bootstrap, topic, PER_STEP, PER_STEP)
        counts, first_offset = consume_exactly_once(members, ["member-a2", "member-b"], second, seen)
        print(f"consumed {counts}; first offsets {first_offset}", flush=True)
        check(counts["member-a2"] > 0, f"the restarted member consumed nothing: {counts}")
        check(first_offset == committed, f"first offsets consumed {first_offset} != offsets committed before the "
                                         f"restart {committed}")
        ends = end_offsets(a, topic)
        committed = committed_offsets(a, topic)
        check(committed == ends, f"committed offsets {committed} != end offsets {ends} after the restart")
        check(sum(ends.values()) == 2 * PER_STEP, f"end offsets {ends} do not add up to {2 * PER_STEP}")
    finally:
        for m in members:
            m.close()
    AdminClient({"bootstrap.servers": bootstrap}).delete_topics([topic])
    step("ok")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("classic", "consumer"):
        print("usage: python_groups.py classic|consumer BOOTSTRAP", file=sys.stderr)
        sys.exit(2)
    try:
        run(sys.argv[1], sys.argv[2])
    except SuiteFailure as e:
        print(f"FAIL [python-groups {sys.argv[1]}]: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
    except Exception:
        traceback.print_exc()
        print(f"FAIL [python-groups {sys.argv[1]}]: unexpected exception (see above)", file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
