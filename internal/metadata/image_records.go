package metadata

import (
	"slices"
	"sort"
)

// Records returns records that rebuild the image from EmptyImage, in a
// deterministic order. They form the payload of a metadata snapshot.
func (im *Image) Records() []Record {
	var out []Record
	feats := make([]string, 0, len(im.Features))
	for k := range im.Features {
		feats = append(feats, k)
	}
	sort.Strings(feats)
	for _, k := range feats {
		out = append(out, &FeatureLevelRecord{Name: k, FeatureLevel: im.Features[k]})
	}
	for _, id := range im.BrokerIDs() {
		b := im.Brokers[id]
		var rack *string
		if b.Rack != "" {
			r := b.Rack
			rack = &r
		}
		out = append(out, &RegisterBrokerRecord{BrokerID: b.ID, IncarnationID: b.IncarnationID, BrokerEpoch: b.Epoch,
			Endpoints: slices.Clone(b.Endpoints), Features: slices.Clone(b.Features), Rack: rack, Fenced: b.Fenced,
			InControlledShutdown: b.InControlledShutdown})
	}
	for _, name := range im.TopicNames() {
		t := im.TopicsByName[name]
		out = append(out, &TopicRecord{Name: t.Name, TopicID: t.ID})
		for _, pid := range t.SortedPartitionIDs() {
			p := t.Partitions[pid]
			out = append(out, &PartitionRecord{PartitionID: p.ID, TopicID: t.ID, Replicas: p.Replicas, ISR: p.ISR,
				RemovingReplicas: p.RemovingReplicas, AddingReplicas: p.AddingReplicas, Leader: p.Leader,
				LeaderRecoveryState: p.LeaderRecoveryState, LeaderEpoch: p.LeaderEpoch, PartitionEpoch: p.PartitionEpoch})
		}
	}
	res := make([]ConfigResource, 0, len(im.Configs))
	for r := range im.Configs {
		res = append(res, r)
	}
	sort.Slice(res, func(i, j int) bool {
		if res[i].Type != res[j].Type {
			return res[i].Type < res[j].Type
		}
		return res[i].Name < res[j].Name
	})
	for _, r := range res {
		m := im.Configs[r]
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := m[k]
			out = append(out, &ConfigRecord{ResourceType: r.Type, ResourceName: r.Name, Name: k, Value: &v})
		}
	}
	out = append(out, quotaRecords(im)...)
	out = append(out, aclRecords(im)...)
	out = append(out, scramRecords(im)...)
	if im.NextProducerID != 0 {
		out = append(out, &ProducerIdsRecord{BrokerID: -1, BrokerEpoch: -1, NextProducerID: im.NextProducerID})
	}
	return out
}
