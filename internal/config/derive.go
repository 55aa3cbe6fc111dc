package config

import (
	"os"
	"strings"
)

// derive fills the typed fields from the validated raw values.
func (c *Config) derive() error {
	c.NodeID = int32(c.Int("node.id"))
	if !c.IsSet("node.id") {
		c.NodeID = -1
	}
	c.ProcessRoles = c.List("process.roles")
	var err error
	if c.Listeners, err = parseListeners(c.List("listeners")); err != nil {
		return errf("listeners: %v", err)
	}
	if c.IsSet("advertised.listeners") {
		if c.AdvertisedListeners, err = parseListeners(c.List("advertised.listeners")); err != nil {
			return errf("advertised.listeners: %v", err)
		}
	} else {
		c.AdvertisedListeners = append([]Listener(nil), c.Listeners...)
	}
	// Like Kafka, an advertised listener without a host advertises this
	// machine's host name rather than an empty string clients cannot use.
	for i := range c.AdvertisedListeners {
		if c.AdvertisedListeners[i].Host == "" {
			c.AdvertisedListeners[i].Host = hostname()
		}
	}
	for _, n := range c.List("controller.listener.names") {
		c.ControllerListenerNames = append(c.ControllerListenerNames, strings.ToUpper(n))
	}
	if c.ListenerSecurityProtocolMap, err = parseProtocolMap(c.List("listener.security.protocol.map")); err != nil {
		return errf("listener.security.protocol.map: %v", err)
	}
	// Like Kafka, controller listeners missing from a map the user did not
	// set explicitly default to PLAINTEXT, so a minimal KRaft config works.
	if !c.IsSet("listener.security.protocol.map") {
		for _, n := range c.ControllerListenerNames {
			if _, ok := c.ListenerSecurityProtocolMap[n]; !ok {
				c.ListenerSecurityProtocolMap[n] = "PLAINTEXT"
			}
		}
	}
	if c.IsSet("inter.broker.listener.name") {
		c.InterBrokerListenerName = strings.ToUpper(c.Str("inter.broker.listener.name"))
	} else {
		c.InterBrokerListenerName = c.Str("security.inter.broker.protocol")
	}
	if c.QuorumVoters, err = parseVoters(c.List("controller.quorum.voters")); err != nil {
		return errf("controller.quorum.voters: %v", err)
	}
	c.QuorumBootstrapServers = c.List("controller.quorum.bootstrap.servers")
	c.EarlyStartListeners = c.List("early.start.listeners")
	c.BrokerRack = c.Str("broker.rack")

	if c.IsSet("log.dirs") {
		c.LogDirs = c.List("log.dirs")
	} else {
		c.LogDirs = c.List("log.dir")
	}
	c.MetadataLogDir = c.Str("metadata.log.dir")
	if c.MetadataLogDir == "" && len(c.LogDirs) > 0 {
		c.MetadataLogDir = c.LogDirs[0]
	}

	i32 := func(n string) int32 { return int32(c.Int(n)) }
	ms := c.Millis
	c.NumPartitions = i32("num.partitions")
	c.DefaultReplicationFactor = int16(c.Int("default.replication.factor"))
	c.AutoCreateTopicsEnable = c.Bool("auto.create.topics.enable")
	c.DeleteTopicEnable = c.Bool("delete.topic.enable")
	c.AutoLeaderRebalance = c.Bool("auto.leader.rebalance.enable")
	c.MessageMaxBytes = i32("message.max.bytes")
	c.MinInsyncReplicas = i32("min.insync.replicas")
	c.UncleanLeaderElection = c.Bool("unclean.leader.election.enable")

	c.SocketRequestMaxBytes = i32("socket.request.max.bytes")
	c.SocketSendBufferBytes = i32("socket.send.buffer.bytes")
	c.SocketReceiveBufferBytes = i32("socket.receive.buffer.bytes")
	c.NumNetworkThreads = i32("num.network.threads")
	c.NumIOThreads = i32("num.io.threads")
	c.QueuedMaxRequests = i32("queued.max.requests")
	c.ConnectionsMaxIdle = ms("connections.max.idle.ms")
	c.MaxConnections = i32("max.connections")
	c.MaxConnectionsPerIP = i32("max.connections.per.ip")
	c.FetchMaxBytes = i32("fetch.max.bytes")
	c.MaxIncrementalFetchSessionCacheSlots = i32("max.incremental.fetch.session.cache.slots")

	c.BrokerSessionTimeout = ms("broker.session.timeout.ms")
	c.BrokerHeartbeatInterval = ms("broker.heartbeat.interval.ms")
	c.InitialRegistrationWait = ms("initial.broker.registration.timeout.ms")
	c.QuorumElectionTimeout = ms("controller.quorum.election.timeout.ms")
	c.QuorumFetchTimeout = ms("controller.quorum.fetch.timeout.ms")
	c.QuorumElectionBackoffMax = ms("controller.quorum.election.backoff.max.ms")
	c.QuorumAppendLinger = ms("controller.quorum.append.linger.ms")
	c.QuorumRequestTimeout = ms("controller.quorum.request.timeout.ms")
	c.QuorumRetryBackoff = ms("controller.quorum.retry.backoff.ms")

	c.MetadataLogSegmentBytes = i32("metadata.log.segment.bytes")
	c.MetadataLogSegmentMs = c.Int("metadata.log.segment.ms")
	c.MetadataMaxRetentionBytes = c.Int("metadata.max.retention.bytes")
	c.MetadataMaxRetentionMs = c.Int("metadata.max.retention.ms")
	c.MetadataMaxRecordBytesBetweenSnapshots = c.Int("metadata.log.max.record.bytes.between.snapshots")
	c.MetadataMaxSnapshotInterval = ms("metadata.log.max.snapshot.interval.ms")
	c.MetadataMaxIdleInterval = ms("metadata.max.idle.interval.ms")

	c.LogRetentionCheckInterval = ms("log.retention.check.interval.ms")
	c.LogFlushOffsetCheckpointInterval = ms("log.flush.offset.checkpoint.interval.ms")
	c.LogFlushStartOffsetCheckpointInterval = ms("log.flush.start.offset.checkpoint.interval.ms")
	c.LogFlushSchedulerInterval = ms("log.flush.scheduler.interval.ms")
	c.LogInitialTaskDelay = ms("log.initial.task.delay.ms")
	c.LogCleanerEnable = c.Bool("log.cleaner.enable")
	c.LogCleanerThreads = i32("log.cleaner.threads")
	c.LogCleanerDedupeBufferSize = c.Int("log.cleaner.dedupe.buffer.size")
	c.LogCleanerBackoff = ms("log.cleaner.backoff.ms")
	c.NumRecoveryThreadsPerDataDir = i32("num.recovery.threads.per.data.dir")
	c.ReplicaHighWatermarkCheckpointInterval = ms("replica.high.watermark.checkpoint.interval.ms")

	c.NumReplicaFetchers = i32("num.replica.fetchers")
	c.ReplicaLagTimeMax = ms("replica.lag.time.max.ms")
	c.ReplicaFetchMaxBytes = i32("replica.fetch.max.bytes")
	c.ReplicaFetchResponseMaxBytes = i32("replica.fetch.response.max.bytes")
	c.ReplicaFetchWaitMax = ms("replica.fetch.wait.max.ms")
	c.ReplicaFetchMinBytes = i32("replica.fetch.min.bytes")
	c.ReplicaFetchBackoff = ms("replica.fetch.backoff.ms")
	c.ReplicaSocketTimeout = ms("replica.socket.timeout.ms")

	c.OffsetsTopicReplicationFactor = int16(c.Int("offsets.topic.replication.factor"))
	c.OffsetsTopicNumPartitions = i32("offsets.topic.num.partitions")
	c.OffsetsTopicSegmentBytes = i32("offsets.topic.segment.bytes")
	c.OffsetsLoadBufferSize = i32("offsets.load.buffer.size")
	c.OffsetsCommitTimeout = ms("offsets.commit.timeout.ms")
	c.OffsetsRetention = millis(c.Int("offsets.retention.minutes") * 60 * 1000)
	c.OffsetsRetentionCheckInterval = ms("offsets.retention.check.interval.ms")
	c.GroupCoordinatorProtocols = c.List("group.coordinator.rebalance.protocols")
	c.GroupInitialRebalanceDelay = ms("group.initial.rebalance.delay.ms")
	c.GroupMinSessionTimeout = ms("group.min.session.timeout.ms")
	c.GroupMaxSessionTimeout = ms("group.max.session.timeout.ms")
	c.GroupMaxSize = i32("group.max.size")
	c.GroupConsumerSessionTimeout = ms("group.consumer.session.timeout.ms")
	c.GroupConsumerMinSessionTimeout = ms("group.consumer.min.session.timeout.ms")
	c.GroupConsumerMaxSessionTimeout = ms("group.consumer.max.session.timeout.ms")
	c.GroupConsumerHeartbeatInterval = ms("group.consumer.heartbeat.interval.ms")
	c.GroupConsumerMinHeartbeat = ms("group.consumer.min.heartbeat.interval.ms")
	c.GroupConsumerMaxHeartbeat = ms("group.consumer.max.heartbeat.interval.ms")
	c.GroupConsumerMaxSize = i32("group.consumer.max.size")
	c.GroupConsumerAssignors = c.List("group.consumer.assignors")

	c.TransactionStateLogReplicationFactor = int16(c.Int("transaction.state.log.replication.factor"))
	c.TransactionStateLogNumPartitions = i32("transaction.state.log.num.partitions")
	c.TransactionStateLogSegmentBytes = i32("transaction.state.log.segment.bytes")
	c.TransactionStateLogMinISR = i32("transaction.state.log.min.isr")
	c.TransactionStateLogLoadBufferSize = i32("transaction.state.log.load.buffer.size")
	c.TransactionMaxTimeout = ms("transaction.max.timeout.ms")
	c.TransactionalIDExpiration = ms("transactional.id.expiration.ms")
	c.TransactionAbortTimedOutInterval = ms("transaction.abort.timed.out.transaction.cleanup.interval.ms")
	c.TransactionRemoveExpiredInterval = ms("transaction.remove.expired.transaction.cleanup.interval.ms")
	c.TransactionPartitionVerification = c.Bool("transaction.partition.verification.enable")
	c.ProducerIDExpiration = ms("producer.id.expiration.ms")
	c.ProducerIDExpirationCheckInterval = ms("producer.id.expiration.check.interval.ms")
	return nil
}

// hostname is the advertised host for listeners that bind all interfaces.
var hostname = func() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}
