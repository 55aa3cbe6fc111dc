package io.odradek.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One topic and one consumer group shared by the group checks: members are subscribe()d
 * KafkaConsumers polled in turn from one thread, committing with commitSync after every poll.
 * Records are produced only once the assignment has settled, so a commit has no reason to fail
 * and a failed one fails the suite; every record must then be consumed exactly once.
 */
final class GroupMembers implements AutoCloseable {
    static final int PARTITIONS = 4;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    final String bootstrap;
    final String topic;
    final String group;
    final Admin admin;
    private final Map<String, KafkaConsumer<String, String>> members = new TreeMap<>();
    /** value -> member that consumed it, over the whole run. */
    private final Map<String, String> seen = new HashMap<>();
    private int produced;

    GroupMembers(String bootstrap, String topic, String group) throws Exception {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.group = group;
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        this.admin = Admin.create(p);
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }

    /** Starts a member with the given group.protocol and subscribes it to the topic. */
    void join(String name, String protocol) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        if (protocol.equals("classic")) {
            // With the consumer protocol these are the broker's settings and the client refuses them.
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        }
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(topic));
        members.put(name, c);
    }

    /** Closes a member, which leaves the group. */
    void leave(String name) {
        members.remove(name).close(CloseOptions.timeout(TIMEOUT));
    }

    /**
     * Polls every member until each owns at least one partition and together they own each
     * partition exactly once; returns who owns what.
     */
    Map<String, Set<Integer>> waitSettled() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Map<String, Set<Integer>> owned = new TreeMap<>();
            Set<Integer> all = new HashSet<>();
            int total = 0;
            for (var e : members.entrySet()) {
                Set<Integer> ps = new TreeSet<>();
                for (TopicPartition tp : e.getValue().assignment()) {
                    ps.add(tp.partition());
                }
                owned.put(e.getKey(), ps);
                all.addAll(ps);
                total += ps.size();
            }
            boolean everyone = owned.values().stream().noneMatch(Set::isEmpty);
            if (everyone && total == PARTITIONS && all.size() == PARTITIONS) {
                System.out.println("assignment: " + owned);
                return owned;
            }
            Check.that(System.nanoTime() < deadline, "assignment did not settle within " + TIMEOUT + ": " + owned);
            for (var e : members.entrySet()) {
                var records = e.getValue().poll(Duration.ofMillis(100));
                Check.that(records.isEmpty(), e.getKey() + " got records before any were produced for this step");
            }
        }
    }

    /** Produces count records spread over every partition and returns their values. */
    Set<String> produce(int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Set<String> values = new HashSet<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int i = produced; i < produced + count; i++) {
                String v = "value-" + i;
                sent.add(producer.send(new ProducerRecord<>(topic, i % PARTITIONS, "key-" + i, v)));
                values.add(v);
            }
            for (var f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        produced += count;
        return values;
    }

    /**
     * Polls every member in turn, committing what each poll returned with commitSync, until
     * every value in expected is consumed. A value consumed twice (in this step or an earlier
     * one) or not produced by this step fails. Returns the count per member and the first
     * offset consumed per partition.
     */
    Map<String, Integer> consumeExactlyOnce(Set<String> expected, Map<Integer, Long> firstOffsets) {
        Map<String, Integer> counts = new TreeMap<>();
        members.keySet().forEach(n -> counts.put(n, 0));
        Set<String> got = new HashSet<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!got.equals(expected)) {
            if (System.nanoTime() >= deadline) {
                Set<String> missing = new TreeSet<>(expected);
                missing.removeAll(got);
                throw new Check.Failure(missing.size() + " of " + expected.size() + " records not consumed within "
                        + TIMEOUT + ", e.g. " + missing.stream().limit(5).toList());
            }
            for (var e : members.entrySet()) {
                String name = e.getKey();
                KafkaConsumer<String, String> c = e.getValue();
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                    String v = r.value();
                    Check.that(!seen.containsKey(v), v + " (partition " + r.partition() + " offset " + r.offset()
                            + ") consumed again by " + name + ", first by " + seen.get(v));
                    Check.that(expected.contains(v), name + " consumed " + v + ", which this step did not produce");
                    seen.put(v, name);
                    got.add(v);
                    counts.merge(name, 1, Integer::sum);
                    firstOffsets.putIfAbsent(r.partition(), r.offset());
                    commit.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                if (!commit.isEmpty()) {
                    try {
                        c.commitSync(commit);
                    } catch (RuntimeException ex) {
                        throw new Check.Failure(name + " commitSync " + commit + ": " + ex);
                    }
                }
            }
        }
        System.out.println("consumed " + counts + ", first offsets " + new TreeMap<>(firstOffsets));
        return counts;
    }

    /** End offset of every partition. */
    Map<Integer, Long> endOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            req.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> out = new TreeMap<>();
        admin.listOffsets(req).all().get(60, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
        return out;
    }

    /** The group's committed offsets per partition, from Admin.listConsumerGroupOffsets. */
    Map<Integer, Long> committed() throws Exception {
        Map<Integer, Long> out = new TreeMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS)
                .forEach((tp, om) -> {
                    if (tp.topic().equals(topic) && om != null) {
                        out.put(tp.partition(), om.offset());
                    }
                });
        return out;
    }

    /** Checks that the group's committed offsets are the end of every partition. */
    void checkCommittedAtEnd() throws Exception {
        Map<Integer, Long> ends = endOffsets();
        Check.equal(ends, committed(), "listConsumerGroupOffsets vs end offsets");
        Check.equal((long) produced, ends.values().stream().mapToLong(Long::longValue).sum(), "records in the topic");
    }

    /**
     * Waits until describeConsumerGroups reports the group as the given type with exactly the
     * named members (by client id), and returns the description.
     */
    ConsumerGroupDescription waitDescribed(GroupType type, Collection<String> clientIds) throws Exception {
        ConsumerGroupDescription[] last = new ConsumerGroupDescription[1];
        Check.eventually(() -> {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
                    .get(60, TimeUnit.SECONDS).get(group);
            last[0] = d;
            Set<String> ids = new TreeSet<>();
            for (MemberDescription m : d.members()) {
                ids.add(m.clientId());
            }
            Check.equal(type, d.type(), "group type of " + group);
            Check.equal(new TreeSet<>(clientIds), ids, "members of " + group);
        });
        System.out.println("describeConsumerGroups: type " + last[0].type() + ", state " + last[0].groupState()
                + ", " + last[0].members().size() + " members");
        return last[0];
    }

    @Override
    public void close() {
        for (KafkaConsumer<String, String> c : members.values()) {
            c.close(CloseOptions.timeout(TIMEOUT));
        }
        members.clear();
        admin.close(TIMEOUT);
    }
}
