package io.odradek.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * KafkaProducer with every compression.type, then an assign()ed KafkaConsumer (no group) that
 * seeks to the beginning and checks offset, key, value, headers and timestamp of every record.
 */
final class ClientsCheck {
    private static final int PARTITIONS = 2;
    private static final int PER_CODEC = 12;

    private final String bootstrap;
    private final String topic;

    ClientsCheck(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    int run() throws Exception {
        Check.step("createTopics " + topic + " (" + PARTITIONS + " partitions)");
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(ap)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }

        List<SentRecord> sent = new ArrayList<>();
        long base = System.currentTimeMillis() - 3_600_000L;
        for (String codec : Producing.CODECS) {
            Check.step("KafkaProducer compression.type=" + codec + ": " + PER_CODEC + " records");
            int already = sent.size();
            sent.addAll(Producing.send(bootstrap, topic, PARTITIONS, codec, PER_CODEC,
                    i -> base + (already + i) * 10L));
        }
        Map<Integer, List<SentRecord>> want = new HashMap<>();
        for (SentRecord s : sent) {
            List<SentRecord> p = want.computeIfAbsent(s.partition(), k -> new ArrayList<>());
            Check.equal((long) p.size(), s.offset(), "offset assigned to record " + p.size()
                    + " of partition " + s.partition());
            p.add(s);
        }
        consumeAndVerify(want, sent.size());
        return sent.size();
    }

    private void consumeAndVerify(Map<Integer, List<SentRecord>> want, int total) {
        Check.step("assign()ed KafkaConsumer, seekToBeginning, reads " + total + " records");
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "7");
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> got = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int n = 0;
            while (n < total) {
                Check.that(System.nanoTime() < deadline, "timed out after reading " + n + " of " + total);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    got.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r);
                    n++;
                }
            }
            Check.that(consumer.poll(Duration.ofMillis(300)).isEmpty(), "more records than were produced");
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            for (TopicPartition tp : tps) {
                Check.equal((long) want.get(tp.partition()).size(), end.get(tp), "endOffsets of " + tp);
                Check.equal(end.get(tp), consumer.position(tp), "position of " + tp + " after reading all");
            }
        }
        for (Map.Entry<Integer, List<SentRecord>> e : want.entrySet()) {
            List<ConsumerRecord<byte[], byte[]>> have = got.getOrDefault(e.getKey(), List.of());
            Check.equal(e.getValue().size(), have.size(), "records read from partition " + e.getKey());
            for (int i = 0; i < have.size(); i++) {
                verify(e.getValue().get(i), have.get(i));
            }
        }
    }

    private static void verify(SentRecord s, ConsumerRecord<byte[], byte[]> r) {
        String where = "partition " + r.partition() + " offset " + r.offset();
        Check.equal(s.offset(), r.offset(), where + ": offset");
        Check.that(s.sameKeyValue(r.key(), r.value()), where + ": key/value differ from what was produced");
        Check.equal(TimestampType.CREATE_TIME, r.timestampType(), where + ": timestamp type");
        Check.equal(s.timestamp(), r.timestamp(), where + ": timestamp");
        Header[] h = r.headers().toArray();
        Check.equal(s.headers().size(), h.length, where + ": header count");
        for (int i = 0; i < h.length; i++) {
            Header w = s.headers().get(i);
            Check.equal(w.key(), h[i].key(), where + ": header " + i + " key");
            Check.that(Arrays.equals(w.value(), h[i].value()), where + ": header " + w.key() + " value differs");
        }
    }
}
