package io.odradek.interop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produces batches of known records with a KafkaProducer (acks=all, idempotence left on by default). */
final class Producing {
    static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};

    private Producing() {}

    /** Gives the timestamp of the i-th record of a batch, so tests can place timestamps. */
    interface Timestamps {
        long of(int i);
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, String codec) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /**
     * Sends n records round-robin over partitions with one producer using codec, waits for every
     * acknowledgement and returns what was sent with the offsets the broker assigned.
     */
    static List<SentRecord> send(String bootstrap, String topic, int partitions, String codec, int n,
            Timestamps ts) throws Exception {
        List<SentRecord> sent = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, codec)) {
            for (int i = 0; i < n; i++) {
                int partition = i % partitions;
                byte[] key = i == 0 ? null : (codec + "-key-" + i).getBytes(StandardCharsets.UTF_8);
                byte[] value = (codec + "-value-" + i + "-" + "payload".repeat(20 + i))
                        .getBytes(StandardCharsets.UTF_8);
                List<Header> headers = List.of(
                        new RecordHeader("codec", codec.getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("i", Integer.toString(i).getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("null-value", null));
                long t = ts.of(i);
                acks.add(producer.send(new ProducerRecord<>(topic, partition, t, key, value, headers)));
                sent.add(new SentRecord(partition, -1, t, key, value, headers));
            }
            producer.flush();
            for (int i = 0; i < n; i++) {
                RecordMetadata md = acks.get(i).get();
                SentRecord s = sent.get(i);
                Check.equal(s.partition(), md.partition(), "acknowledged partition of record " + i);
                Check.equal(s.timestamp(), md.timestamp(), "acknowledged timestamp of record " + i);
                sent.set(i, new SentRecord(s.partition(), md.offset(), s.timestamp(), s.key(), s.value(),
                        s.headers()));
            }
        }
        return sent;
    }
}
