package metadata

import (
	"fmt"
	"maps"
	"slices"
	"sort"
)

// Delta accumulates records on top of a base Image. Replay records in log
// order, then Apply to get the next Image. The Delta also tells publishers
// what changed.
type Delta struct {
	base *Image

	offset, epoch int64
	offsetSet     bool

	topics            map[UUID]*Topic // created or changed topics, new versions (owned by the delta)
	createdTopics     map[UUID]bool
	deletedTopics     map[UUID]*Topic // versions in base
	changedPartitions map[UUID]map[int32]bool

	brokers map[int32]*Broker // nil value = unregistered
	configs map[ConfigResource]map[string]*string

	nextProducerID *int64
	features       map[string]int16
	quotas         map[string]*ClientQuota // new versions (owned by the delta)
	acls           map[UUID]*ACL           // nil value = removed
	scram          map[scramKey]*ScramCredential
}

// NewDelta starts a delta on base.
func NewDelta(base *Image) *Delta {
	return &Delta{
		base:              base,
		topics:            map[UUID]*Topic{},
		createdTopics:     map[UUID]bool{},
		deletedTopics:     map[UUID]*Topic{},
		changedPartitions: map[UUID]map[int32]bool{},
		brokers:           map[int32]*Broker{},
		configs:           map[ConfigResource]map[string]*string{},
		features:          map[string]int16{},
		quotas:            map[string]*ClientQuota{},
	}
}

// Base is the image the delta started from.
func (d *Delta) Base() *Image { return d.base }

// SetOffset records the log position the delta reaches.
func (d *Delta) SetOffset(offset, epoch int64) {
	d.offset, d.epoch, d.offsetSet = offset, epoch, true
}

// topic returns the current version of a topic (delta first, then base).
func (d *Delta) topic(id UUID) *Topic {
	if t, ok := d.topics[id]; ok {
		return t
	}
	if _, gone := d.deletedTopics[id]; gone {
		return nil
	}
	return d.base.TopicsByID[id]
}

func (d *Delta) mutableTopic(id UUID) (*Topic, error) {
	if t, ok := d.topics[id]; ok {
		return t, nil
	}
	t := d.topic(id)
	if t == nil {
		return nil, fmt.Errorf("metadata: unknown topic id %s", id)
	}
	c := &Topic{Name: t.Name, ID: t.ID, Partitions: maps.Clone(t.Partitions)}
	d.topics[id] = c
	return c, nil
}

func (d *Delta) broker(id int32) *Broker {
	if b, ok := d.brokers[id]; ok {
		return b
	}
	return d.base.Brokers[id]
}

func (d *Delta) markPartition(id UUID, p int32) {
	m := d.changedPartitions[id]
	if m == nil {
		m = map[int32]bool{}
		d.changedPartitions[id] = m
	}
	m[p] = true
}

// Replay applies one record. A record that contradicts the state (a
// partition of an unknown topic, ...) is an error.
func (d *Delta) Replay(r Record) error {
	switch r := r.(type) {
	case *TopicRecord:
		if t := d.topic(r.TopicID); t != nil {
			return fmt.Errorf("metadata: topic id %s already exists", r.TopicID)
		}
		d.topics[r.TopicID] = &Topic{Name: r.Name, ID: r.TopicID, Partitions: map[int32]*Partition{}}
		d.createdTopics[r.TopicID] = true
	case *PartitionRecord:
		t, err := d.mutableTopic(r.TopicID)
		if err != nil {
			return fmt.Errorf("metadata: partition record: %w", err)
		}
		t.Partitions[r.PartitionID] = &Partition{
			ID: r.PartitionID, Replicas: slices.Clone(r.Replicas), ISR: slices.Clone(r.ISR),
			RemovingReplicas: slices.Clone(r.RemovingReplicas), AddingReplicas: slices.Clone(r.AddingReplicas),
			Leader: r.Leader, LeaderRecoveryState: r.LeaderRecoveryState, LeaderEpoch: r.LeaderEpoch, PartitionEpoch: r.PartitionEpoch,
		}
		d.markPartition(r.TopicID, r.PartitionID)
	case *PartitionChangeRecord:
		t, err := d.mutableTopic(r.TopicID)
		if err != nil {
			return fmt.Errorf("metadata: partition change record: %w", err)
		}
		old := t.Partitions[r.PartitionID]
		if old == nil {
			return fmt.Errorf("metadata: partition change for unknown partition %s-%d", t.Name, r.PartitionID)
		}
		p := *old
		if r.ISR != nil {
			p.ISR = slices.Clone(r.ISR)
		}
		if r.Replicas != nil {
			p.Replicas = slices.Clone(r.Replicas)
		}
		if r.RemovingReplicas != nil {
			p.RemovingReplicas = slices.Clone(r.RemovingReplicas)
		}
		if r.AddingReplicas != nil {
			p.AddingReplicas = slices.Clone(r.AddingReplicas)
		}
		if r.Leader != NoLeaderChange {
			p.Leader = r.Leader
			p.LeaderEpoch++
		}
		if r.LeaderRecoveryState >= 0 {
			p.LeaderRecoveryState = r.LeaderRecoveryState
		}
		p.PartitionEpoch++
		t.Partitions[r.PartitionID] = &p
		d.markPartition(r.TopicID, r.PartitionID)
	case *RemoveTopicRecord:
		t := d.topic(r.TopicID)
		if t == nil {
			return fmt.Errorf("metadata: remove of unknown topic id %s", r.TopicID)
		}
		delete(d.topics, r.TopicID)
		delete(d.changedPartitions, r.TopicID)
		if d.createdTopics[r.TopicID] {
			delete(d.createdTopics, r.TopicID)
		} else {
			d.deletedTopics[r.TopicID] = d.base.TopicsByID[r.TopicID]
		}
		// A topic's configs go with it.
		res := ConfigResource{ResourceTopic, t.Name}
		m := map[string]*string{}
		for k := range d.base.Configs[res] {
			m[k] = nil
		}
		d.configs[res] = m
	case *ConfigRecord:
		res := ConfigResource{r.ResourceType, r.ResourceName}
		m := d.configs[res]
		if m == nil {
			m = map[string]*string{}
			d.configs[res] = m
		}
		if r.Value == nil {
			m[r.Name] = nil
		} else {
			v := *r.Value
			m[r.Name] = &v
		}
	case *RegisterBrokerRecord:
		rack := ""
		if r.Rack != nil {
			rack = *r.Rack
		}
		d.brokers[r.BrokerID] = &Broker{ID: r.BrokerID, Epoch: r.BrokerEpoch, IncarnationID: r.IncarnationID,
			Endpoints: slices.Clone(r.Endpoints), Features: slices.Clone(r.Features), Rack: rack,
			Fenced: r.Fenced, InControlledShutdown: r.InControlledShutdown}
	case *UnregisterBrokerRecord:
		if b := d.broker(r.BrokerID); b == nil || b.Epoch != r.BrokerEpoch {
			return fmt.Errorf("metadata: unregister of broker %d epoch %d that is not registered", r.BrokerID, r.BrokerEpoch)
		}
		d.brokers[r.BrokerID] = nil
	case *FenceBrokerRecord:
		return d.changeBroker(r.ID, r.Epoch, 1, 0)
	case *UnfenceBrokerRecord:
		return d.changeBroker(r.ID, r.Epoch, -1, 0)
	case *BrokerRegistrationChangeRecord:
		return d.changeBroker(r.BrokerID, r.BrokerEpoch, r.Fenced, r.InControlledShutdown)
	case *ProducerIdsRecord:
		v := r.NextProducerID
		d.nextProducerID = &v
	case *FeatureLevelRecord:
		d.features[r.Name] = r.FeatureLevel
	case *ClientQuotaRecord:
		d.replayQuota(r)
	case *AccessControlEntryRecord, *RemoveAccessControlEntryRecord:
		return d.replayACL(r)
	case *UserScramCredentialRecord, *RemoveUserScramCredentialRecord:
		d.replayScram(r)
	case *NoOpRecord:
	default:
		return fmt.Errorf("metadata: cannot replay record %T", r)
	}
	return nil
}

func (d *Delta) changeBroker(id int32, epoch int64, fenced, shutdown int8) error {
	b := d.broker(id)
	if b == nil || b.Epoch != epoch {
		return fmt.Errorf("metadata: change of broker %d epoch %d that is not registered", id, epoch)
	}
	c := *b
	switch fenced {
	case 1:
		c.Fenced = true
	case -1:
		c.Fenced = false
	}
	if shutdown == 1 {
		c.InControlledShutdown = true
	}
	d.brokers[id] = &c
	return nil
}

// ReplayAll replays records in order, stopping at the first error.
func (d *Delta) ReplayAll(rs []Record) error {
	for _, r := range rs {
		if err := d.Replay(r); err != nil {
			return err
		}
	}
	return nil
}

// Apply builds the next Image, sharing untouched parts with the base.
func (d *Delta) Apply() *Image {
	b := d.base
	im := *b
	if d.offsetSet {
		im.Offset, im.Epoch = d.offset, d.epoch
	}
	if len(d.topics) > 0 || len(d.deletedTopics) > 0 {
		im.TopicsByName = maps.Clone(b.TopicsByName)
		im.TopicsByID = maps.Clone(b.TopicsByID)
		for id, t := range d.deletedTopics {
			delete(im.TopicsByID, id)
			if cur := im.TopicsByName[t.Name]; cur != nil && cur.ID == id {
				delete(im.TopicsByName, t.Name)
			}
		}
		for id, t := range d.topics {
			im.TopicsByID[id] = t
			im.TopicsByName[t.Name] = t
		}
	}
	if len(d.brokers) > 0 {
		im.Brokers = maps.Clone(b.Brokers)
		for id, br := range d.brokers {
			if br == nil {
				delete(im.Brokers, id)
			} else {
				im.Brokers[id] = br
			}
		}
	}
	if len(d.configs) > 0 {
		im.Configs = maps.Clone(b.Configs)
		for res, changes := range d.configs {
			m := maps.Clone(b.Configs[res])
			if m == nil {
				m = map[string]string{}
			}
			for k, v := range changes {
				if v == nil {
					delete(m, k)
				} else {
					m[k] = *v
				}
			}
			if len(m) == 0 {
				delete(im.Configs, res)
			} else {
				im.Configs[res] = m
			}
		}
	}
	if d.nextProducerID != nil {
		im.NextProducerID = *d.nextProducerID
	}
	d.applyQuotas(&im)
	d.applyACLs(&im)
	d.applyScram(&im)
	if len(d.features) > 0 {
		im.Features = maps.Clone(b.Features)
		for k, v := range d.features {
			if v == 0 {
				delete(im.Features, k)
			} else {
				im.Features[k] = v
			}
		}
	}
	return &im
}

// IsEmpty reports whether the delta changes nothing but the offset.
func (d *Delta) IsEmpty() bool {
	return len(d.topics) == 0 && len(d.deletedTopics) == 0 && len(d.brokers) == 0 && len(d.configs) == 0 &&
		d.nextProducerID == nil && len(d.features) == 0 && len(d.quotas) == 0 && len(d.acls) == 0 && len(d.scram) == 0
}

// CreatedTopics returns the topics created in this delta (new versions).
func (d *Delta) CreatedTopics() []*Topic {
	var out []*Topic
	for id := range d.createdTopics {
		out = append(out, d.topics[id])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DeletedTopics returns the base versions of topics deleted in this delta.
func (d *Delta) DeletedTopics() []*Topic {
	var out []*Topic
	for _, t := range d.deletedTopics {
		if t != nil {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ChangedPartitions returns, per topic id, the partitions created or changed
// (including all partitions of created topics).
func (d *Delta) ChangedPartitions() map[UUID][]int32 {
	out := make(map[UUID][]int32, len(d.changedPartitions))
	for id, ps := range d.changedPartitions {
		l := make([]int32, 0, len(ps))
		for p := range ps {
			l = append(l, p)
		}
		slices.Sort(l)
		out[id] = l
	}
	return out
}

// ChangedTopic returns the new version of a created or changed topic.
func (d *Delta) ChangedTopic(id UUID) *Topic { return d.topics[id] }

// ChangedConfigs returns, per resource, the names of configs set or deleted.
func (d *Delta) ChangedConfigs() map[ConfigResource][]string {
	out := make(map[ConfigResource][]string, len(d.configs))
	for res, m := range d.configs {
		l := make([]string, 0, len(m))
		for k := range m {
			l = append(l, k)
		}
		sort.Strings(l)
		out[res] = l
	}
	return out
}

// ChangedBrokers returns ids of brokers registered, changed or unregistered.
func (d *Delta) ChangedBrokers() []int32 {
	var out []int32
	for id := range d.brokers {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// ProducerIDsChanged reports whether a producer id block was allocated.
func (d *Delta) ProducerIDsChanged() bool { return d.nextProducerID != nil }

// FeaturesChanged reports whether any feature level changed.
func (d *Delta) FeaturesChanged() bool { return len(d.features) > 0 }

// DiffDelta returns a delta that turns from into to, as if every record of
// to had been replayed; used when a snapshot replaces the image and to give a
// late publisher the whole image.
func DiffDelta(from, to *Image) *Delta {
	d := NewDelta(from)
	d.SetOffset(to.Offset, to.Epoch)
	for id, t := range from.TopicsByID {
		if nt := to.TopicsByID[id]; nt == nil {
			d.deletedTopics[id] = t
		}
	}
	for id, t := range to.TopicsByID {
		old := from.TopicsByID[id]
		if old == t {
			continue
		}
		d.topics[id] = t
		if old == nil {
			d.createdTopics[id] = true
		}
		for p, part := range t.Partitions {
			if old == nil || old.Partitions[p] != part {
				d.markPartition(id, p)
			}
		}
	}
	for id, b := range from.Brokers {
		if to.Brokers[id] == nil {
			d.brokers[id] = nil
		} else if to.Brokers[id] != b {
			d.brokers[id] = to.Brokers[id]
		}
	}
	for id, b := range to.Brokers {
		if from.Brokers[id] == nil {
			d.brokers[id] = b
		}
	}
	for res, m := range from.Configs {
		for k := range m {
			if _, ok := to.Configs[res][k]; !ok {
				if d.configs[res] == nil {
					d.configs[res] = map[string]*string{}
				}
				d.configs[res][k] = nil
			}
		}
	}
	for res, m := range to.Configs {
		for k, v := range m {
			if ov, ok := from.Configs[res][k]; !ok || ov != v {
				if d.configs[res] == nil {
					d.configs[res] = map[string]*string{}
				}
				vv := v
				d.configs[res][k] = &vv
			}
		}
	}
	if from.NextProducerID != to.NextProducerID {
		v := to.NextProducerID
		d.nextProducerID = &v
	}
	for k, v := range to.Features {
		if from.Features[k] != v {
			d.features[k] = v
		}
	}
	for k := range from.Features {
		if _, ok := to.Features[k]; !ok {
			d.features[k] = 0
		}
	}
	diffQuotas(d, from, to)
	diffACLs(d, from, to)
	diffScram(d, from, to)
	return d
}
