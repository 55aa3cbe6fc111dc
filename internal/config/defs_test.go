package config

import "testing"

// The broker keys the server reads; a missing definition would make them
// warn as unknown and fall back to nothing.
func TestBrokerTableCoversServerKeys(t *testing.T) {
	keys := []string{
		"listeners", "advertised.listeners", "listener.security.protocol.map", "inter.broker.listener.name",
		"controller.listener.names", "process.roles", "node.id", "controller.quorum.voters",
		"controller.quorum.bootstrap.servers", "log.dirs", "log.dir", "metadata.log.dir", "num.partitions",
		"default.replication.factor", "auto.create.topics.enable", "delete.topic.enable", "message.max.bytes",
		"socket.request.max.bytes", "socket.send.buffer.bytes", "socket.receive.buffer.bytes",
		"num.network.threads", "num.io.threads", "queued.max.requests", "log.segment.bytes", "log.roll.ms",
		"log.roll.hours", "log.retention.ms", "log.retention.minutes", "log.retention.hours",
		"log.retention.bytes", "log.retention.check.interval.ms", "log.index.size.max.bytes",
		"log.index.interval.bytes", "log.flush.interval.messages", "log.flush.interval.ms",
		"log.flush.scheduler.interval.ms", "log.flush.offset.checkpoint.interval.ms", "log.cleaner.enable",
		"log.cleaner.threads", "offsets.topic.replication.factor", "offsets.topic.num.partitions",
		"offsets.topic.segment.bytes", "offsets.retention.minutes", "transaction.state.log.replication.factor",
		"transaction.state.log.num.partitions", "transaction.state.log.min.isr", "transaction.max.timeout.ms",
		"transactional.id.expiration.ms", "group.initial.rebalance.delay.ms", "group.min.session.timeout.ms",
		"group.max.session.timeout.ms", "group.consumer.session.timeout.ms", "producer.id.expiration.ms",
		"broker.session.timeout.ms", "broker.heartbeat.interval.ms", "min.insync.replicas",
		"unclean.leader.election.enable", "replica.lag.time.max.ms", "replica.fetch.max.bytes",
		"fetch.max.bytes", "connections.max.idle.ms", "metadata.log.segment.bytes",
		"metadata.log.max.record.bytes.between.snapshots", "metadata.max.retention.bytes", "compression.type",
		"log.message.timestamp.type", "log.message.timestamp.before.max.ms", "log.message.timestamp.after.max.ms",
		"log.segment.delete.delay.ms", "num.recovery.threads.per.data.dir", "max.incremental.fetch.session.cache.slots",
	}
	for _, k := range keys {
		if _, ok := LookupBroker(k); !ok {
			t.Errorf("broker config %s is not defined", k)
		}
	}
	if d, ok := LookupBroker("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config"); !ok || d.Name != "sasl.jaas.config" {
		t.Errorf("listener-prefixed mechanism key resolves to %v", d)
	}
	if d, ok := LookupBroker("listener.name.external.ssl.keystore.password"); !ok || !d.Sensitive() {
		t.Errorf("listener-prefixed password key %v", d)
	}
}

func TestTopicTableIsKafka43(t *testing.T) {
	want := []string{
		"cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type",
		"compression.zstd.level", "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms",
		"follower.replication.throttled.replicas", "index.interval.bytes", "leader.replication.throttled.replicas",
		"local.retention.bytes", "local.retention.ms", "max.compaction.lag.ms", "max.message.bytes",
		"message.downconversion.enable", "message.timestamp.after.max.ms", "message.timestamp.before.max.ms",
		"message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas",
		"preallocate", "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable",
		"retention.bytes", "retention.ms", "segment.bytes", "segment.index.bytes", "segment.jitter.ms",
		"segment.ms", "unclean.leader.election.enable",
	}
	if len(TopicDefs()) != len(want) {
		t.Errorf("%d topic configs, want %d", len(TopicDefs()), len(want))
	}
	for i, d := range TopicDefs() {
		if i < len(want) && d.Name != want[i] {
			t.Errorf("topic config %d = %s, want %s", i, d.Name, want[i])
		}
	}
}
