"""confluent-kafka (librdkafka) Python suite, written the way the client's documentation shows.

Usage: .venv/bin/python suites/python_clients.py BOOTSTRAP

Admin: create_topics (and TOPIC_ALREADY_EXISTS on a repeat), list_topics, describe_configs for
the topic and the broker, incremental_alter_configs, create_partitions, delete_topics.
Producers: an idempotent snappy producer counting successful deliveries in its callback, then
one producer per compression codec. A consumer that only assign()s partitions from
OFFSET_BEGINNING (no group commits) reads everything back and checks value, key, headers and
offsets of every record. Exits non-zero with a message on the first mismatch.
"""

import concurrent.futures
import sys
import time
import traceback
import uuid

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ConfigSource,
    NewPartitions,
    NewTopic,
)

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PARTITIONS = 3
IDEMPOTENT_RECORDS = 30
PER_CODEC = 10
TIMEOUT = 30.0


class SuiteFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise SuiteFailure(msg)


def step(msg):
    print(f"--- [python] {msg}", flush=True)


def eventually(fn, timeout=TIMEOUT):
    """Retries fn until it stops raising SuiteFailure. Admin changes are committed by the
    controller before the call returns, but a broker answers reads from its own copy of the
    metadata, which catches up a moment later (in Kafka as well), so reads after writes poll."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except SuiteFailure:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def wait_futures(futures, what):
    """Resolves a dict of admin futures, failing with the broker's error for `what`."""
    results = {}
    for key, fut in futures.items():
        try:
            results[key] = fut.result(timeout=TIMEOUT)
        except KafkaException as e:
            raise SuiteFailure(f"{what} {key}: {e.args[0]}") from e
        except concurrent.futures.TimeoutError as e:
            raise SuiteFailure(f"{what} {key}: no answer within {TIMEOUT}s") from e
    return results


def partition_count(admin, topic):
    md = admin.list_topics(topic=topic, timeout=TIMEOUT)
    tm = md.topics.get(topic)
    check(tm is not None, f"list_topics has no entry for {topic}")
    check(tm.error is None, f"list_topics error for {topic}: {tm.error}")
    return len(tm.partitions)


def list_and_check(admin, bootstrap, topic):
    md = admin.list_topics(timeout=TIMEOUT)
    check(topic in md.topics, f"list_topics does not include {topic}")
    tm = md.topics[topic]
    check(len(tm.partitions) == PARTITIONS,
          f"{topic} has {len(tm.partitions)} partitions, want {PARTITIONS}")
    for pid, pm in tm.partitions.items():
        check(pm.leader >= 0, f"partition {pid} has no leader")
        check(pm.replicas == [pm.leader] and pm.isrs == [pm.leader],
              f"partition {pid}: replicas {pm.replicas} isrs {pm.isrs}, want [{pm.leader}]")
    check(len(md.brokers) >= 1, "list_topics lists no brokers")
    host, port = bootstrap.rsplit(":", 1)
    check(any(b.host == host and b.port == int(port) for b in md.brokers.values()),
          f"no broker advertised at {bootstrap}: {[str(b) for b in md.brokers.values()]}")
    return md


def admin_create_and_list(admin, bootstrap, topic):
    step(f"create_topics {topic} with {PARTITIONS} partitions")
    wait_futures(
        admin.create_topics(
            [NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1,
                      config={"cleanup.policy": "delete", "max.message.bytes": "2000000"})],
            operation_timeout=TIMEOUT),
        "create_topics")

    step("create_topics again must fail with TOPIC_ALREADY_EXISTS")
    fut = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic]
    try:
        fut.result(timeout=TIMEOUT)
        raise SuiteFailure("creating an existing topic succeeded")
    except KafkaException as e:
        check(e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS,
              f"creating an existing topic: want TOPIC_ALREADY_EXISTS, got {e.args[0]}")

    step("list_topics")
    md = eventually(lambda: list_and_check(admin, bootstrap, topic))
    host, port = bootstrap.rsplit(":", 1)
    return next(b.id for b in md.brokers.values() if b.host == host and b.port == int(port))


def produce_idempotent(bootstrap, topic, expected):
    step(f"idempotent snappy producer: {IDEMPOTENT_RECORDS} records")
    delivered = []
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)
        else:
            delivered.append((msg.partition(), msg.offset()))

    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                  "compression.type": "snappy", "linger.ms": 20})
    for i in range(IDEMPOTENT_RECORDS):
        part = i % PARTITIONS
        key = f"idem-key-{i}".encode()
        value = f"idem-value-{i}-".encode() + b"x" * (i * 37)
        headers = [("seq", str(i).encode()), ("codec", b"snappy")]
        p.produce(topic, value=value, key=key, headers=headers, partition=part,
                  on_delivery=on_delivery)
        expected[part].append((key, value, headers))
        p.poll(0)
    left = p.flush(TIMEOUT)
    check(left == 0, f"{left} records still undelivered after flush")
    check(not errors, f"delivery errors: {errors}")
    check(len(delivered) == IDEMPOTENT_RECORDS,
          f"{len(delivered)} delivery callbacks succeeded, want {IDEMPOTENT_RECORDS}")


def produce_every_codec(bootstrap, topic, expected):
    for codec in CODECS:
        step(f"producer compression.type={codec}: {PER_CODEC} records")
        errors = []
        ok = [0]

        def on_delivery(err, msg, errors=errors, ok=ok):
            if err is not None:
                errors.append(err)
            else:
                ok[0] += 1

        p = Producer({"bootstrap.servers": bootstrap, "compression.type": codec,
                      "acks": "all", "linger.ms": 20})
        for i in range(PER_CODEC):
            part = i % PARTITIONS
            key = None if i == 0 else f"{codec}-key-{i}".encode()
            value = f"{codec}-value-{i}-".encode() + b"abc" * 100
            headers = [("codec", codec.encode()), ("empty", b"")]
            p.produce(topic, value=value, key=key, headers=headers, partition=part,
                      on_delivery=on_delivery)
            expected[part].append((key, value, headers))
        left = p.flush(TIMEOUT)
        check(left == 0 and not errors, f"codec {codec}: {left} undelivered, errors {errors}")
        check(ok[0] == PER_CODEC, f"codec {codec}: {ok[0]} delivered, want {PER_CODEC}")


def consume_and_verify(bootstrap, topic, expected):
    total = sum(len(v) for v in expected.values())
    step(f"assign()ed consumer reads {total} records from OFFSET_BEGINNING")
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"interop-py-{uuid.uuid4()}",
                  "enable.auto.commit": False, "enable.auto.offset.store": False,
                  "enable.partition.eof": True})
    try:
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
        got = {p: [] for p in range(PARTITIONS)}
        eof = set()
        deadline = time.monotonic() + TIMEOUT
        while sum(len(v) for v in got.values()) < total or len(eof) < PARTITIONS:
            check(time.monotonic() < deadline,
                  f"timed out: read {sum(len(v) for v in got.values())} of {total} records, "
                  f"end of partitions {sorted(eof)} of {PARTITIONS} reached")
            msg = c.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    if len(got[msg.partition()]) == len(expected[msg.partition()]):
                        eof.add(msg.partition())
                    continue
                raise SuiteFailure(f"consume error: {msg.error()}")
            got[msg.partition()].append(msg)
    finally:
        c.close()

    for part in range(PARTITIONS):
        want, have = expected[part], got[part]
        check(len(have) == len(want),
              f"partition {part}: read {len(have)} records, want {len(want)}")
        for i, (msg, (key, value, headers)) in enumerate(zip(have, want)):
            where = f"partition {part} offset {msg.offset()}"
            check(msg.offset() == i, f"{where}: want offset {i}")
            check(msg.key() == key, f"{where}: key {msg.key()!r}, want {key!r}")
            check(msg.value() == value, f"{where}: value differs ({len(msg.value() or b'')} bytes,"
                                        f" want {len(value)})")
            check((msg.headers() or []) == headers,
                  f"{where}: headers {msg.headers()!r}, want {headers!r}")
            ts_type, ts = msg.timestamp()
            check(ts > 0, f"{where}: no timestamp (type {ts_type})")
    return total


def describe_and_alter_configs(admin, topic, broker_id):
    step("describe_configs topic")
    res = ConfigResource(ConfigResource.Type.TOPIC, topic)

    def created_configs():
        entries = wait_futures(admin.describe_configs([res]), "describe_configs")[res]
        check(entries["cleanup.policy"].value == "delete", "cleanup.policy is not delete")
        mmb = entries["max.message.bytes"]
        check(mmb.value == "2000000" and mmb.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value,
              f"max.message.bytes: {mmb.value} from source {mmb.source}, want 2000000 from topic config")
        ret = entries["retention.ms"]
        check(ret.value == "604800000" and ret.is_default,
              f"retention.ms default: {ret.value} (default={ret.is_default}), want 604800000")
    eventually(created_configs)

    step("incremental_alter_configs topic: SET retention.ms, DELETE max.message.bytes")
    alter = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("retention.ms", "3600000", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("max.message.bytes", None, incremental_operation=AlterConfigOpType.DELETE),
    ])
    wait_futures(admin.incremental_alter_configs([alter]), "incremental_alter_configs")

    def altered_configs():
        entries = wait_futures(admin.describe_configs([res]), "describe_configs")[res]
        ret = entries["retention.ms"]
        check(ret.value == "3600000" and ret.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value,
              f"retention.ms after alter: {ret.value} from source {ret.source}")
        check(entries["max.message.bytes"].value == "1048588",
              f"max.message.bytes after DELETE: {entries['max.message.bytes'].value}, want default 1048588")
    eventually(altered_configs)

    step("incremental_alter_configs with an unknown key must fail with INVALID_CONFIG")
    bad = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("no.such.config", "1", incremental_operation=AlterConfigOpType.SET)])
    fut = next(iter(admin.incremental_alter_configs([bad]).values()))
    try:
        fut.result(timeout=TIMEOUT)
        raise SuiteFailure("setting an unknown topic config succeeded")
    except KafkaException as e:
        check(e.args[0].code() == KafkaError.INVALID_CONFIG,
              f"unknown topic config: want INVALID_CONFIG, got {e.args[0]}")

    step(f"describe_configs broker {broker_id}")
    bres = ConfigResource(ConfigResource.Type.BROKER, str(broker_id))
    bentries = wait_futures(admin.describe_configs([bres]), "describe_configs broker")[bres]
    check("num.network.threads" in bentries, "broker configs lack num.network.threads")
    check("log.retention.hours" in bentries, "broker configs lack log.retention.hours")


def create_partitions_and_delete(admin, topic):
    step("create_partitions to 5")
    wait_futures(admin.create_partitions([NewPartitions(topic, 5)], operation_timeout=TIMEOUT),
                 "create_partitions")
    deadline = time.monotonic() + TIMEOUT
    while partition_count(admin, topic) != 5:
        check(time.monotonic() < deadline, f"{topic} never showed 5 partitions")
        time.sleep(0.2)

    step("delete_topics")
    wait_futures(admin.delete_topics([topic], operation_timeout=TIMEOUT), "delete_topics")
    deadline = time.monotonic() + TIMEOUT
    while topic in admin.list_topics(timeout=TIMEOUT).topics:
        check(time.monotonic() < deadline, f"{topic} still listed after delete_topics")
        time.sleep(0.2)


def main(argv):
    if len(argv) != 2:
        print("usage: python_clients.py BOOTSTRAP", file=sys.stderr)
        return 2
    bootstrap = argv[1]
    topic = f"interop-python-{int(time.time())}-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    try:
        broker_id = admin_create_and_list(admin, bootstrap, topic)
        expected = {p: [] for p in range(PARTITIONS)}
        produce_idempotent(bootstrap, topic, expected)
        produce_every_codec(bootstrap, topic, expected)
        n = consume_and_verify(bootstrap, topic, expected)
        describe_and_alter_configs(admin, topic, broker_id)
        create_partitions_and_delete(admin, topic)
    except SuiteFailure as e:
        print(f"FAIL [python]: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # any client error is a suite failure, reported as one
        traceback.print_exc()
        print(f"FAIL [python]: {e!r}", file=sys.stderr)
        return 1
    step(f"PASS ({n} records verified, codecs: {' '.join(CODECS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
