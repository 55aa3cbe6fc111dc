package io.odradek.interop;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Admin client: createTopics, describeTopics, describeConfigs, incrementalAlterConfigs,
 * listOffsets (earliest, latest, max-timestamp, by timestamp), deleteRecords, describeCluster,
 * describeLogDirs and deleteTopics, checking results and Kafka's error codes.
 */
final class AdminCheck {
    private static final int RECORDS = 10;
    /** Index of the record given a timestamp far ahead of the others, for max-timestamp. */
    private static final int OUTLIER = 6;

    private final String bootstrap;
    private final String topic;
    private final TopicPartition tp;

    AdminCheck(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.tp = new TopicPartition(topic, 0);
    }

    void run() throws Exception {
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(ap)) {
            int brokerId = describeCluster(admin);
            createAndDescribe(admin);
            configs(admin);
            offsets(admin);
            describeLogDirs(admin, brokerId);
            delete(admin);
        }
    }

    private int describeCluster(Admin admin) throws Exception {
        Check.step("describeCluster");
        DescribeClusterResult dc = admin.describeCluster();
        Collection<Node> nodes = dc.nodes().get();
        Check.that(!nodes.isEmpty(), "describeCluster returned no nodes");
        String clusterId = dc.clusterId().get();
        Check.that(clusterId != null && !clusterId.isEmpty(), "describeCluster returned no cluster id");
        Node controller = dc.controller().get();
        Check.that(controller != null && !controller.isEmpty(), "describeCluster returned no controller");
        String[] hp = bootstrap.split(":");
        Node self = nodes.stream().filter(n -> n.host().equals(hp[0]) && n.port() == Integer.parseInt(hp[1]))
                .findFirst().orElse(null);
        Check.that(self != null, "no node advertised at " + bootstrap + ": " + nodes);
        return self.id();
    }

    private void createAndDescribe(Admin admin) throws Exception {
        Check.step("createTopics " + topic + " with configs");
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                .configs(Map.of("segment.bytes", "1048576", "message.timestamp.type", "CreateTime"))))
                .all().get();
        try {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            Check.that(false, "creating an existing topic succeeded");
        } catch (ExecutionException e) {
            Check.that(e.getCause() instanceof TopicExistsException,
                    "creating an existing topic: want TopicExistsException, got " + e.getCause());
        }

        Check.step("describeTopics");
        Check.eventually(() -> {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Check.equal(topic, d.name(), "described topic name");
            Check.that(!d.isInternal(), "topic described as internal");
            Check.that(d.topicId() != null && !d.topicId().equals(Uuid.ZERO_UUID), "topic has no id");
            Check.equal(1, d.partitions().size(), "partition count");
            Node leader = d.partitions().get(0).leader();
            Check.that(leader != null, "partition 0 has no leader");
            Check.equal(List.of(leader), d.partitions().get(0).replicas(), "replicas");
            Check.equal(List.of(leader), d.partitions().get(0).isr(), "isr");
        });
    }

    private void configs(Admin admin) throws Exception {
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Check.step("describeConfigs topic");
        Check.eventually(() -> {
            Config c = admin.describeConfigs(List.of(res)).all().get().get(res);
            ConfigEntry seg = c.get("segment.bytes");
            Check.equal("1048576", seg.value(), "segment.bytes");
            Check.equal(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, seg.source(), "segment.bytes source");
            ConfigEntry cleanup = c.get("cleanup.policy");
            Check.equal("delete", cleanup.value(), "cleanup.policy");
            Check.that(cleanup.isDefault(), "cleanup.policy should be a default");
            Check.equal(ConfigEntry.ConfigType.LIST, cleanup.type(), "cleanup.policy type");
        });

        Check.step("incrementalAlterConfigs topic: SET retention.ms, APPEND cleanup.policy, DELETE segment.bytes");
        admin.incrementalAlterConfigs(Map.of(res, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND),
                new AlterConfigOp(new ConfigEntry("segment.bytes", null), AlterConfigOp.OpType.DELETE))))
                .all().get();
        Check.eventually(() -> {
            Config c = admin.describeConfigs(List.of(res)).all().get().get(res);
            Check.equal("7200000", c.get("retention.ms").value(), "retention.ms after SET");
            Check.equal(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, c.get("retention.ms").source(),
                    "retention.ms source");
            Check.equal("delete,compact", c.get("cleanup.policy").value(), "cleanup.policy after APPEND");
            Check.equal("1073741824", c.get("segment.bytes").value(), "segment.bytes after DELETE");
        });
        admin.incrementalAlterConfigs(Map.of(res, List.of(new AlterConfigOp(
                new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SUBTRACT)))).all().get();
        Check.eventually(() -> Check.equal("delete",
                admin.describeConfigs(List.of(res)).all().get().get(res).get("cleanup.policy").value(),
                "cleanup.policy after SUBTRACT"));

        Check.step("incrementalAlterConfigs with a bad value fails with InvalidConfigurationException");
        try {
            admin.incrementalAlterConfigs(Map.of(res, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "not-a-number"), AlterConfigOp.OpType.SET)))).all().get();
            Check.that(false, "setting retention.ms=not-a-number succeeded");
        } catch (ExecutionException e) {
            Check.that(e.getCause() instanceof InvalidConfigurationException,
                    "bad retention.ms: want InvalidConfigurationException, got " + e.getCause());
        }
    }

    private void offsets(Admin admin) throws Exception {
        long base = System.currentTimeMillis() - 600_000L;
        long outlierTs = base + 500_000L;
        Producing.Timestamps ts = i -> i == OUTLIER ? outlierTs : base + i * 1000L;
        Check.step("produce " + RECORDS + " records with known timestamps (lz4, then zstd)");
        Producing.send(bootstrap, topic, 1, "lz4", RECORDS / 2, ts);
        Producing.send(bootstrap, topic, 1, "zstd", RECORDS / 2, i -> ts.of(i + RECORDS / 2));

        Check.step("listOffsets earliest/latest/max-timestamp/for-timestamp");
        Check.equal(0L, listOffset(admin, OffsetSpec.earliest()).offset(), "earliest");
        Check.equal((long) RECORDS, listOffset(admin, OffsetSpec.latest()).offset(), "latest");
        ListOffsetsResultInfo max = listOffset(admin, OffsetSpec.maxTimestamp());
        Check.equal((long) OUTLIER, max.offset(), "max-timestamp offset");
        Check.equal(outlierTs, max.timestamp(), "max-timestamp timestamp");
        ListOffsetsResultInfo at3 = listOffset(admin, OffsetSpec.forTimestamp(base + 2500L));
        Check.equal(3L, at3.offset(), "offset for timestamp between records 2 and 3");
        Check.equal(base + 3000L, at3.timestamp(), "timestamp found for timestamp between records 2 and 3");
        // Records 7.. have smaller timestamps than the outlier at 6, so the first record at or
        // after base+6500 is the outlier itself.
        Check.equal((long) OUTLIER, listOffset(admin, OffsetSpec.forTimestamp(base + 6500L)).offset(),
                "offset for timestamp after record 6's slot");
        Check.equal(-1L, listOffset(admin, OffsetSpec.forTimestamp(outlierTs + 1)).offset(),
                "offset for a timestamp after every record");

        Check.step("deleteRecords before offset 3");
        long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(3))).lowWatermarks().get(tp).get()
                .lowWatermark();
        Check.equal(3L, low, "low watermark after deleteRecords");
        Check.equal(3L, listOffset(admin, OffsetSpec.earliest()).offset(), "earliest after deleteRecords");
        Check.equal((long) RECORDS, listOffset(admin, OffsetSpec.latest()).offset(), "latest after deleteRecords");
    }

    private ListOffsetsResultInfo listOffset(Admin admin, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get();
    }

    private void describeLogDirs(Admin admin, int brokerId) throws Exception {
        Check.step("describeLogDirs broker " + brokerId);
        Map<Integer, Map<String, LogDirDescription>> dirs =
                admin.describeLogDirs(List.of(brokerId)).allDescriptions().get();
        Map<String, LogDirDescription> mine = dirs.get(brokerId);
        Check.that(mine != null && !mine.isEmpty(), "describeLogDirs returned no log dirs for broker " + brokerId);
        ReplicaInfo found = null;
        for (Map.Entry<String, LogDirDescription> e : mine.entrySet()) {
            Check.that(e.getValue().error() == null, "log dir " + e.getKey() + " error " + e.getValue().error());
            Check.that(e.getKey().startsWith("/"), "log dir path is not absolute: " + e.getKey());
            ReplicaInfo ri = e.getValue().replicaInfos().get(tp);
            if (ri != null) {
                found = ri;
            }
        }
        Check.that(found != null, "no log dir holds " + tp);
        Check.that(found.size() > 0, tp + " has size " + found.size() + " in describeLogDirs");
        Check.that(!found.isFuture(), tp + " reported as a future replica");
    }

    private void delete(Admin admin) throws Exception {
        Check.step("deleteTopics");
        admin.deleteTopics(List.of(topic)).all().get();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Set<String> names = admin.listTopics().names().get();
            if (!names.contains(topic)) {
                break;
            }
            Check.that(System.nanoTime() < deadline, topic + " still listed 30s after deleteTopics");
            Thread.sleep(200);
        }
    }
}
