package metadata

import (
	"sort"
	"strconv"
)

// Image is an immutable view of the cluster metadata at one log offset.
// Nothing reachable from an Image may be modified: new versions are built by
// Delta.Apply, which shares every untouched part with the previous Image.
type Image struct {
	ClusterID string
	// Offset is the highest metadata log offset applied (-1 when empty) and
	// Epoch the leader epoch of that offset.
	Offset int64
	Epoch  int64

	Brokers map[int32]*Broker
	// TopicsByName and TopicsByID index the same *Topic values.
	TopicsByName map[string]*Topic
	TopicsByID   map[UUID]*Topic
	// Configs holds dynamic configs per resource. Broker resource name "" is
	// the cluster-wide default, "<id>" one broker.
	Configs        map[ConfigResource]map[string]string
	NextProducerID int64
	Features       map[string]int16
	// ClientQuotas by QuotaEntityKey.
	ClientQuotas map[string]*ClientQuota
	// ACLs by id.
	ACLs map[UUID]*ACL
	// ScramCredentials by user, then mechanism.
	ScramCredentials map[string]map[int8]*ScramCredential
}

// ConfigResource names a config owner.
type ConfigResource struct {
	Type int8
	Name string
}

// Broker is a registered broker.
type Broker struct {
	ID                   int32
	Epoch                int64
	IncarnationID        UUID
	Endpoints            []Endpoint
	Features             []FeatureRange
	Rack                 string // "" = no rack
	Fenced               bool
	InControlledShutdown bool
}

// Endpoint returns the broker's listener with the given name.
func (b *Broker) Endpoint(listener string) (Endpoint, bool) {
	for _, e := range b.Endpoints {
		if e.Name == listener {
			return e, true
		}
	}
	return Endpoint{}, false
}

// Topic is a topic and its partitions.
type Topic struct {
	Name       string
	ID         UUID
	Partitions map[int32]*Partition
}

// Partition is one partition's replica assignment and leadership.
type Partition struct {
	ID                  int32
	Replicas            []int32
	ISR                 []int32
	RemovingReplicas    []int32
	AddingReplicas      []int32
	Leader              int32
	LeaderRecoveryState int8
	LeaderEpoch         int32
	PartitionEpoch      int32
}

// EmptyImage is the image before any record.
func EmptyImage(clusterID string) *Image {
	return &Image{
		ClusterID:    clusterID,
		Offset:       -1,
		Epoch:        -1,
		Brokers:      map[int32]*Broker{},
		TopicsByName: map[string]*Topic{},
		TopicsByID:   map[UUID]*Topic{},
		Configs:      map[ConfigResource]map[string]string{},
		Features:     map[string]int16{},
		ClientQuotas: map[string]*ClientQuota{},
		ACLs:         map[UUID]*ACL{},

		ScramCredentials: map[string]map[int8]*ScramCredential{},
	}
}

// Topic looks a topic up by name.
func (im *Image) Topic(name string) *Topic { return im.TopicsByName[name] }

// TopicByID looks a topic up by id.
func (im *Image) TopicByID(id UUID) *Topic { return im.TopicsByID[id] }

// TopicNames returns topic names sorted.
func (im *Image) TopicNames() []string {
	out := make([]string, 0, len(im.TopicsByName))
	for n := range im.TopicsByName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// BrokerIDs returns registered broker ids sorted.
func (im *Image) BrokerIDs() []int32 {
	out := make([]int32, 0, len(im.Brokers))
	for id := range im.Brokers {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TopicConfig returns the dynamic topic config map (nil if none).
func (im *Image) TopicConfig(topic string) map[string]string {
	return im.Configs[ConfigResource{ResourceTopic, topic}]
}

// BrokerConfig returns dynamic broker configs: brokerID -1 is the
// cluster-wide default resource "".
func (im *Image) BrokerConfig(brokerID int32) map[string]string {
	name := ""
	if brokerID >= 0 {
		name = strconv.Itoa(int(brokerID))
	}
	return im.Configs[ConfigResource{ResourceBroker, name}]
}

// GroupConfig returns a group's dynamic config overrides (nil if none).
func (im *Image) GroupConfig(group string) map[string]string {
	return im.Configs[ConfigResource{ResourceGroup, group}]
}

// SortedPartitionIDs returns the topic's partition ids in order.
func (t *Topic) SortedPartitionIDs() []int32 {
	out := make([]int32, 0, len(t.Partitions))
	for id := range t.Partitions {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
