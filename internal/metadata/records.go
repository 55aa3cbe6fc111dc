package metadata

// Record is one metadata record. APIKey values follow Kafka's metadata
// record api keys so logs read the same way; the body encoding is ours (see
// docs/format/metadata-records.md).
type Record interface {
	APIKey() int16
	Version() int16
}

// Kafka's metadata record api keys.
const (
	KeyRegisterBroker           int16 = 0
	KeyUnregisterBroker         int16 = 1
	KeyTopic                    int16 = 2
	KeyPartition                int16 = 3
	KeyConfig                   int16 = 4
	KeyPartitionChange          int16 = 5
	KeyFenceBroker              int16 = 7
	KeyUnfenceBroker            int16 = 8
	KeyRemoveTopic              int16 = 9
	KeyFeatureLevel             int16 = 12
	KeyProducerIDs              int16 = 14
	KeyBrokerRegistrationChange int16 = 15
	KeyNoOp                     int16 = 17
)

// Config resource types (Kafka's ConfigResource.Type ids).
const (
	ResourceTopic  int8 = 2
	ResourceBroker int8 = 4
	ResourceGroup  int8 = 32
)

// Sentinels used by partition records, as in Kafka.
const (
	NoLeader       int32 = -1
	NoLeaderChange int32 = -2
)

// Endpoint is one broker listener.
type Endpoint struct {
	Name             string `json:"name"`
	Host             string `json:"host"`
	Port             int32  `json:"port"`
	SecurityProtocol int16  `json:"securityProtocol"`
}

// FeatureRange is a feature's supported version range on a broker.
type FeatureRange struct {
	Name       string `json:"name"`
	MinVersion int16  `json:"minSupportedVersion"`
	MaxVersion int16  `json:"maxSupportedVersion"`
}

type RegisterBrokerRecord struct {
	BrokerID             int32          `json:"brokerId"`
	IncarnationID        UUID           `json:"incarnationId"`
	BrokerEpoch          int64          `json:"brokerEpoch"`
	Endpoints            []Endpoint     `json:"endPoints"`
	Features             []FeatureRange `json:"features,omitempty"`
	Rack                 *string        `json:"rack"`
	Fenced               bool           `json:"fenced"`
	InControlledShutdown bool           `json:"inControlledShutdown,omitempty"`
}

type UnregisterBrokerRecord struct {
	BrokerID    int32 `json:"brokerId"`
	BrokerEpoch int64 `json:"brokerEpoch"`
}

type TopicRecord struct {
	Name    string `json:"name"`
	TopicID UUID   `json:"topicId"`
}

type PartitionRecord struct {
	PartitionID         int32   `json:"partitionId"`
	TopicID             UUID    `json:"topicId"`
	Replicas            []int32 `json:"replicas"`
	ISR                 []int32 `json:"isr"`
	RemovingReplicas    []int32 `json:"removingReplicas,omitempty"`
	AddingReplicas      []int32 `json:"addingReplicas,omitempty"`
	Leader              int32   `json:"leader"`
	LeaderRecoveryState int8    `json:"leaderRecoveryState"`
	LeaderEpoch         int32   `json:"leaderEpoch"`
	PartitionEpoch      int32   `json:"partitionEpoch"`
}

// PartitionChangeRecord changes only the fields that are set: nil slices are
// "unchanged", Leader NoLeaderChange is "unchanged", LeaderRecoveryState -1 is
// "unchanged".
type PartitionChangeRecord struct {
	PartitionID         int32   `json:"partitionId"`
	TopicID             UUID    `json:"topicId"`
	ISR                 []int32 `json:"isr"`
	Leader              int32   `json:"leader"`
	Replicas            []int32 `json:"replicas"`
	RemovingReplicas    []int32 `json:"removingReplicas"`
	AddingReplicas      []int32 `json:"addingReplicas"`
	LeaderRecoveryState int8    `json:"leaderRecoveryState"`
}

type ConfigRecord struct {
	ResourceType int8   `json:"resourceType"`
	ResourceName string `json:"resourceName"`
	Name         string `json:"name"`
	// Value nil deletes the config.
	Value *string `json:"value"`
}

type FenceBrokerRecord struct {
	ID    int32 `json:"id"`
	Epoch int64 `json:"epoch"`
}

type UnfenceBrokerRecord struct {
	ID    int32 `json:"id"`
	Epoch int64 `json:"epoch"`
}

type RemoveTopicRecord struct {
	TopicID UUID `json:"topicId"`
}

// FeatureLevelRecord sets a finalized feature level; level 0 removes it.
type FeatureLevelRecord struct {
	Name         string `json:"name"`
	FeatureLevel int16  `json:"featureLevel"`
}

// ProducerIdsRecord hands the block starting at NextProducerID minus the
// block size to BrokerID; NextProducerID is the first id not yet given out.
type ProducerIdsRecord struct {
	BrokerID       int32 `json:"brokerId"`
	BrokerEpoch    int64 `json:"brokerEpoch"`
	NextProducerID int64 `json:"nextProducerId"`
}

// BrokerRegistrationChangeRecord: Fenced 1 fences, -1 unfences, 0 leaves it;
// InControlledShutdown 1 sets it, 0 leaves it.
type BrokerRegistrationChangeRecord struct {
	BrokerID             int32 `json:"brokerId"`
	BrokerEpoch          int64 `json:"brokerEpoch"`
	Fenced               int8  `json:"fenced"`
	InControlledShutdown int8  `json:"inControlledShutdown"`
}

type NoOpRecord struct{}

func (*RegisterBrokerRecord) APIKey() int16           { return KeyRegisterBroker }
func (*UnregisterBrokerRecord) APIKey() int16         { return KeyUnregisterBroker }
func (*TopicRecord) APIKey() int16                    { return KeyTopic }
func (*PartitionRecord) APIKey() int16                { return KeyPartition }
func (*ConfigRecord) APIKey() int16                   { return KeyConfig }
func (*PartitionChangeRecord) APIKey() int16          { return KeyPartitionChange }
func (*FenceBrokerRecord) APIKey() int16              { return KeyFenceBroker }
func (*UnfenceBrokerRecord) APIKey() int16            { return KeyUnfenceBroker }
func (*RemoveTopicRecord) APIKey() int16              { return KeyRemoveTopic }
func (*FeatureLevelRecord) APIKey() int16             { return KeyFeatureLevel }
func (*ProducerIdsRecord) APIKey() int16              { return KeyProducerIDs }
func (*BrokerRegistrationChangeRecord) APIKey() int16 { return KeyBrokerRegistrationChange }
func (*NoOpRecord) APIKey() int16                     { return KeyNoOp }

// All records are at version 0 of our encoding.
func (*RegisterBrokerRecord) Version() int16           { return 0 }
func (*UnregisterBrokerRecord) Version() int16         { return 0 }
func (*TopicRecord) Version() int16                    { return 0 }
func (*PartitionRecord) Version() int16                { return 0 }
func (*ConfigRecord) Version() int16                   { return 0 }
func (*PartitionChangeRecord) Version() int16          { return 0 }
func (*FenceBrokerRecord) Version() int16              { return 0 }
func (*UnfenceBrokerRecord) Version() int16            { return 0 }
func (*RemoveTopicRecord) Version() int16              { return 0 }
func (*FeatureLevelRecord) Version() int16             { return 0 }
func (*ProducerIdsRecord) Version() int16              { return 0 }
func (*BrokerRegistrationChangeRecord) Version() int16 { return 0 }
func (*NoOpRecord) Version() int16                     { return 0 }

func newRecord(key int16) Record {
	switch key {
	case KeyRegisterBroker:
		return &RegisterBrokerRecord{}
	case KeyUnregisterBroker:
		return &UnregisterBrokerRecord{}
	case KeyTopic:
		return &TopicRecord{}
	case KeyPartition:
		return &PartitionRecord{}
	case KeyConfig:
		return &ConfigRecord{}
	case KeyPartitionChange:
		return &PartitionChangeRecord{Leader: NoLeaderChange, LeaderRecoveryState: -1}
	case KeyFenceBroker:
		return &FenceBrokerRecord{}
	case KeyUnfenceBroker:
		return &UnfenceBrokerRecord{}
	case KeyRemoveTopic:
		return &RemoveTopicRecord{}
	case KeyFeatureLevel:
		return &FeatureLevelRecord{}
	case KeyProducerIDs:
		return &ProducerIdsRecord{}
	case KeyBrokerRegistrationChange:
		return &BrokerRegistrationChangeRecord{}
	case KeyNoOp:
		return &NoOpRecord{}
	case KeyClientQuota:
		return &ClientQuotaRecord{}
	case KeyAccessControlEntry:
		return &AccessControlEntryRecord{}
	case KeyRemoveAccessControlEntry:
		return &RemoveAccessControlEntryRecord{}
	case KeyUserScramCredential:
		return &UserScramCredentialRecord{}
	case KeyRemoveUserScramCredential:
		return &RemoveUserScramCredentialRecord{}
	}
	return nil
}
