package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/metadata"
)

// brokerSession tracks one broker's liveness on the active controller. It is
// in memory only: a new active controller gives every broker a fresh session.
type brokerSession struct {
	epoch     int64
	regOffset int64 // offset of the registration record, when known
	timer     clock.Timer
	gen       uint64
}

func (s *brokerSession) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
}

// touchBroker (re)starts b's session timer.
func (c *Controller) touchBroker(b *metadata.Broker) {
	s := c.brokers[b.ID]
	if s == nil || s.epoch != b.Epoch {
		if s != nil {
			s.stop()
		}
		// The broker epoch is at or below its registration offset, so it is a
		// safe lower bound when this controller did not see the registration.
		s = &brokerSession{epoch: b.Epoch, regOffset: b.Epoch}
		c.brokers[b.ID] = s
	}
	s.stop()
	s.gen++
	gen, id, epoch := s.gen, b.ID, b.Epoch
	s.timer = c.cfg.Clock.AfterFunc(c.cfg.BrokerSessionTimeout, func() {
		c.post(func() { c.sessionExpired(id, epoch, gen) })
	})
}

func (c *Controller) sessionExpired(id int32, epoch int64, gen uint64) {
	s := c.brokers[id]
	if !c.active || s == nil || s.gen != gen || s.epoch != epoch {
		return
	}
	b := c.spec.Brokers[id]
	if b == nil || b.Epoch != epoch || b.Fenced {
		return
	}
	c.log.Info("fencing broker after session timeout", "broker", id, "epoch", epoch)
	c.internal(c.fenceRecords(b))
}

// RegisterBroker handles BrokerRegistration: a new incarnation gets a new
// broker epoch and starts fenced.
func (c *Controller) RegisterBroker(ctx context.Context, req *kmsg.BrokerRegistrationRequest) (*kmsg.BrokerRegistrationResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrBrokerRegistrationResponse()
		resp.Version = req.Version
		resp.BrokerEpoch = -1
		if req.ClusterID != c.cfg.ClusterID {
			resp.ErrorCode = kerr.InconsistentClusterID.Code
			return nil, resp, nil
		}
		if req.BrokerID < 0 {
			resp.ErrorCode = kerr.InvalidRequest.Code
			return nil, resp, nil
		}
		if msg := unsupportedFinalized(c.spec.Features, req.Features); msg != "" {
			c.log.Warn("refusing broker registration", "broker", req.BrokerID, "reason", msg)
			resp.ErrorCode = kerr.UnsupportedVersion.Code
			return nil, resp, nil
		}
		inc := metadata.UUID(req.IncarnationID)
		if old := c.spec.Brokers[req.BrokerID]; old != nil {
			if old.IncarnationID == inc {
				// A retried registration: answer with the epoch we gave it.
				resp.BrokerEpoch = old.Epoch
				return nil, resp, nil
			}
			restarted := req.Version >= 3 && req.PreviousBrokerEpoch == old.Epoch
			if s := c.brokers[req.BrokerID]; s != nil && !old.Fenced && s.epoch == old.Epoch && !restarted {
				// Still alive under another incarnation: two processes
				// claim one node id.
				resp.ErrorCode = kerr.DuplicateBrokerRegistration.Code
				return nil, resp, nil
			}
		}
		epoch := c.nextBrokerEpoch()
		rec := &metadata.RegisterBrokerRecord{BrokerID: req.BrokerID, IncarnationID: inc, BrokerEpoch: epoch,
			Rack: req.Rack, Fenced: true}
		for _, l := range req.Listeners {
			rec.Endpoints = append(rec.Endpoints, metadata.Endpoint{Name: l.Name, Host: l.Host, Port: int32(l.Port), SecurityProtocol: l.SecurityProtocol})
		}
		for _, f := range req.Features {
			rec.Features = append(rec.Features, metadata.FeatureRange{Name: f.Name, MinVersion: f.MinSupportedVersion, MaxVersion: f.MaxSupportedVersion})
		}
		recs := []metadata.Record{rec}
		// Partitions the previous incarnation led are led by nobody now.
		if old := c.spec.Brokers[req.BrokerID]; old != nil && !old.Fenced {
			recs = append(recs, c.leaderMoves(req.BrokerID)...)
		}
		resp.BrokerEpoch = epoch
		b := &metadata.Broker{ID: req.BrokerID, Epoch: epoch}
		c.touchBroker(b)
		c.onOffset = func(off int64) { c.noteRegistration(req.BrokerID, epoch, off) }
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.BrokerRegistrationResponse), nil
}

// nextBrokerEpoch is above every offset committed so far and every epoch
// handed out, so epochs only grow, as in Kafka where the epoch is the
// registration record's offset.
func (c *Controller) nextBrokerEpoch() int64 {
	e := c.committed.Offset + 1
	for _, b := range c.spec.Brokers {
		if b.Epoch >= e {
			e = b.Epoch + 1
		}
	}
	for _, s := range c.brokers {
		if s.epoch >= e {
			e = s.epoch + 1
		}
	}
	return e
}

// BrokerHeartbeat keeps a broker's session alive and moves it between
// fenced and unfenced: it is unfenced once its metadata offset reaches its
// registration, and fenced (or shut down) on request.
func (c *Controller) BrokerHeartbeat(ctx context.Context, req *kmsg.BrokerHeartbeatRequest) (*kmsg.BrokerHeartbeatResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrBrokerHeartbeatResponse()
		resp.Version = req.Version
		resp.IsFenced = true
		b := c.spec.Brokers[req.BrokerID]
		if b == nil {
			resp.ErrorCode = kerr.BrokerIDNotRegistered.Code
			return nil, resp, nil
		}
		if b.Epoch != req.BrokerEpoch {
			resp.ErrorCode = kerr.StaleBrokerEpoch.Code
			return nil, resp, nil
		}
		c.touchBroker(b)
		s := c.brokers[b.ID]
		resp.IsCaughtUp = req.CurrentMetadataOffset >= s.regOffset
		resp.IsFenced = b.Fenced
		var recs []metadata.Record
		switch {
		case req.WantShutdown:
			if !b.InControlledShutdown || !b.Fenced {
				recs = c.shutdownRecords(b)
			}
			resp.IsFenced = true
			resp.ShouldShutdown = true
		case req.WantFence:
			if !b.Fenced {
				recs = c.fenceRecords(b)
			}
			resp.IsFenced = true
		case b.Fenced && resp.IsCaughtUp && !b.InControlledShutdown:
			// A broker that began a controlled shutdown stays fenced until
			// it registers again, as in Kafka.
			recs = c.unfenceRecords(b)
			resp.IsFenced = false
		}
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.BrokerHeartbeatResponse), nil
}

// noteRegistration records the real registration offset once known.
func (c *Controller) noteRegistration(id int32, epoch, offset int64) {
	if s := c.brokers[id]; s != nil && s.epoch == epoch {
		s.regOffset = offset
	}
}

func (c *Controller) fenceRecords(b *metadata.Broker) []metadata.Record {
	recs := []metadata.Record{&metadata.BrokerRegistrationChangeRecord{BrokerID: b.ID, BrokerEpoch: b.Epoch, Fenced: 1}}
	return append(recs, c.leaderMoves(b.ID)...)
}

func (c *Controller) shutdownRecords(b *metadata.Broker) []metadata.Record {
	recs := []metadata.Record{&metadata.BrokerRegistrationChangeRecord{BrokerID: b.ID, BrokerEpoch: b.Epoch, Fenced: 1, InControlledShutdown: 1}}
	return append(recs, c.leaderMoves(b.ID)...)
}

// usable reports whether broker id may lead or be placed on.
func usable(im *metadata.Image, id int32, except int32) bool {
	b := im.Brokers[id]
	return b != nil && id != except && !b.Fenced && !b.InControlledShutdown
}

// leaderMoves takes broker gone out of every ISR it can leave and elects a
// new leader (the first usable ISR member in replica order) where it led.
// A sole ISR member stays in the ISR and its partition is left leaderless,
// as in Kafka, until it returns.
func (c *Controller) leaderMoves(gone int32) []metadata.Record {
	var recs []metadata.Record
	for _, name := range c.spec.TopicNames() {
		t := c.spec.TopicsByName[name]
		for _, pid := range t.SortedPartitionIDs() {
			p := t.Partitions[pid]
			if !slices.Contains(p.ISR, gone) && p.Leader != gone {
				continue
			}
			isr := p.ISR
			if len(isr) > 1 && slices.Contains(isr, gone) {
				isr = slices.DeleteFunc(slices.Clone(isr), func(r int32) bool { return r == gone })
			}
			ch := &metadata.PartitionChangeRecord{PartitionID: pid, TopicID: t.ID, Leader: metadata.NoLeaderChange, LeaderRecoveryState: -1}
			if !slices.Equal(isr, p.ISR) {
				ch.ISR = isr
			}
			if p.Leader == gone {
				ch.Leader = metadata.NoLeader
				for _, r := range p.Replicas {
					if slices.Contains(isr, r) && usable(c.spec, r, gone) {
						ch.Leader = r
						break
					}
				}
			}
			if ch.ISR != nil || ch.Leader != metadata.NoLeaderChange {
				recs = append(recs, ch)
			}
		}
	}
	return recs
}

func (c *Controller) unfenceRecords(b *metadata.Broker) []metadata.Record {
	recs := []metadata.Record{&metadata.BrokerRegistrationChangeRecord{BrokerID: b.ID, BrokerEpoch: b.Epoch, Fenced: -1}}
	// Leaderless partitions this broker is in the ISR of get it as leader.
	for _, name := range c.spec.TopicNames() {
		t := c.spec.TopicsByName[name]
		for _, pid := range t.SortedPartitionIDs() {
			p := t.Partitions[pid]
			if p.Leader == metadata.NoLeader && slices.Contains(p.ISR, b.ID) {
				recs = append(recs, &metadata.PartitionChangeRecord{PartitionID: pid, TopicID: t.ID, Leader: b.ID, LeaderRecoveryState: -1})
			}
		}
	}
	return recs
}

// AllocateProducerIDs hands the broker the next block of producer ids.
func (c *Controller) AllocateProducerIDs(ctx context.Context, brokerID int32, brokerEpoch int64) (firstID int64, count int32, err error) {
	const block = 1000
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		b := c.spec.Brokers[brokerID]
		if b == nil {
			return nil, nil, kerr.BrokerIDNotRegistered
		}
		if b.Epoch != brokerEpoch {
			return nil, nil, kerr.StaleBrokerEpoch
		}
		first := c.spec.NextProducerID
		if first > (1<<63-1)-block {
			return nil, nil, fmt.Errorf("controller: producer ids exhausted: %w", kerr.UnknownServerError)
		}
		return []metadata.Record{&metadata.ProducerIdsRecord{BrokerID: brokerID, BrokerEpoch: brokerEpoch, NextProducerID: first + block}}, first, nil
	})
	if err != nil {
		return -1, 0, err
	}
	return r.(int64), block, nil
}

// unsupportedFinalized explains why a broker declaring features cannot run
// with the finalized levels ("" if it can). A broker that declares no
// features at all is not checked.
func unsupportedFinalized(finalized map[string]int16, declared []kmsg.BrokerRegistrationRequestFeature) string {
	if len(declared) == 0 {
		return ""
	}
	for _, name := range slices.Sorted(maps.Keys(finalized)) {
		level := finalized[name]
		lo, hi := int16(0), int16(0)
		for _, f := range declared {
			if f.Name == name {
				lo, hi = f.MinSupportedVersion, f.MaxSupportedVersion
			}
		}
		if level < lo || level > hi {
			return fmt.Sprintf("Unable to register because the broker does not support finalized version %d of %s. The broker wants a version between %d and %d, inclusive.", level, name, lo, hi)
		}
	}
	return ""
}
