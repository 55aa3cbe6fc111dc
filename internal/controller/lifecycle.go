package controller

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/metadata"
)

// LifecycleClient is the broker's channel to the active controller.
// *Controller implements it in process; a network client for a remote
// controller quorum can implement it later without changing the broker.
type LifecycleClient interface {
	RegisterBroker(ctx context.Context, req *kmsg.BrokerRegistrationRequest) (*kmsg.BrokerRegistrationResponse, error)
	BrokerHeartbeat(ctx context.Context, req *kmsg.BrokerHeartbeatRequest) (*kmsg.BrokerHeartbeatResponse, error)
}

// LifecycleConfig configures a BrokerLifecycle.
type LifecycleConfig struct {
	NodeID    int32
	ClusterID string
	Listeners []metadata.Endpoint // advertised listeners
	Rack      *string
	Features  []metadata.FeatureRange
	Clock     clock.Clock
	Rand      io.Reader // incarnation id; crypto/rand when nil
	Logger    *slog.Logger
	// HeartbeatInterval is broker.heartbeat.interval.ms (2s).
	HeartbeatInterval time.Duration
	// MetadataOffset reports how far the broker's image is (loader.Image().Offset).
	MetadataOffset func() int64
	Client         LifecycleClient
	// PreviousBrokerEpoch, when known (saved at a clean shutdown), lets the
	// controller accept the new incarnation at once instead of waiting for
	// the old session to expire; 0 = unknown.
	PreviousBrokerEpoch int64
}

// BrokerLifecycle registers the local broker with the controller and keeps
// it alive with heartbeats, re-registering when the controller forgets it.
type BrokerLifecycle struct {
	cfg         LifecycleConfig
	log         *slog.Logger
	incarnation [16]byte

	mu         sync.Mutex
	epoch      int64
	fenced     bool
	unfencedCh chan struct{}
	shutdown   bool
	started    bool

	ctx    context.Context
	cancel context.CancelFunc
	kick   chan struct{}
	donec  chan struct{}
}

// NewBrokerLifecycle prepares the lifecycle with a fresh incarnation id.
func NewBrokerLifecycle(cfg LifecycleConfig) (*BrokerLifecycle, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = 2 * time.Second
	}
	if cfg.Client == nil || cfg.MetadataOffset == nil {
		return nil, errors.New("controller: lifecycle needs a Client and MetadataOffset")
	}
	inc, err := metadata.NewUUID(cfg.Rand)
	if err != nil {
		return nil, fmt.Errorf("controller: incarnation id: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &BrokerLifecycle{cfg: cfg, log: cfg.Logger.With("component", "broker-lifecycle", "node", cfg.NodeID),
		incarnation: inc, epoch: -1, fenced: true, unfencedCh: make(chan struct{}),
		ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1), donec: make(chan struct{})}, nil
}

// Start registers at once and then heartbeats every interval.
func (b *BrokerLifecycle) Start() {
	b.mu.Lock()
	b.started = true
	b.mu.Unlock()
	// The ticker exists before Start returns so a test's manual clock
	// cannot advance past it unseen.
	go b.run(b.cfg.Clock.NewTicker(b.cfg.HeartbeatInterval))
}

// Epoch is the broker epoch, -1 until registered.
func (b *BrokerLifecycle) Epoch() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.epoch
}

// Fenced reports whether the controller has the broker fenced.
func (b *BrokerLifecycle) Fenced() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fenced
}

// WaitUnfenced blocks until the controller unfences the broker.
func (b *BrokerLifecycle) WaitUnfenced(ctx context.Context) error {
	b.mu.Lock()
	ch := b.unfencedCh
	b.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-b.donec:
		return ErrClosed
	}
}

// Kick sends a heartbeat now (e.g. after the image caught up).
func (b *BrokerLifecycle) Kick() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// Shutdown performs a controlled shutdown: it heartbeats with WantShutdown
// until the controller agrees, so leadership moves away first.
func (b *BrokerLifecycle) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	if b.epoch < 0 {
		b.mu.Unlock()
		return nil
	}
	req := b.heartbeatRequest(true)
	b.mu.Unlock()
	resp, err := b.cfg.Client.BrokerHeartbeat(ctx, req)
	if err != nil {
		return fmt.Errorf("controller: controlled shutdown heartbeat: %w", err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return fmt.Errorf("controller: controlled shutdown: %w", err)
	}
	b.mu.Lock()
	b.shutdown = resp.ShouldShutdown
	b.mu.Unlock()
	return nil
}

// Close stops heartbeating.
func (b *BrokerLifecycle) Close() {
	b.cancel()
	b.mu.Lock()
	started := b.started
	b.mu.Unlock()
	if started {
		<-b.donec
	}
}

func (b *BrokerLifecycle) heartbeatRequest(wantShutdown bool) *kmsg.BrokerHeartbeatRequest {
	req := kmsg.NewPtrBrokerHeartbeatRequest()
	req.BrokerID, req.BrokerEpoch = b.cfg.NodeID, b.epoch
	req.CurrentMetadataOffset = b.cfg.MetadataOffset()
	req.WantShutdown = wantShutdown
	return req
}

func (b *BrokerLifecycle) run(t clock.Ticker) {
	defer close(b.donec)
	defer t.Stop()
	for {
		b.step()
		select {
		case <-b.ctx.Done():
			return
		case <-t.C():
		case <-b.kick:
		}
	}
}

func (b *BrokerLifecycle) step() {
	b.mu.Lock()
	epoch, done := b.epoch, b.shutdown
	b.mu.Unlock()
	if done {
		return
	}
	if epoch < 0 {
		b.register()
		b.mu.Lock()
		epoch = b.epoch
		b.mu.Unlock()
		if epoch < 0 {
			return
		}
	}
	b.heartbeat()
}

func (b *BrokerLifecycle) register() {
	req := kmsg.NewPtrBrokerRegistrationRequest()
	req.Version = 3
	req.BrokerID, req.ClusterID, req.IncarnationID, req.Rack = b.cfg.NodeID, b.cfg.ClusterID, b.incarnation, b.cfg.Rack
	req.PreviousBrokerEpoch = -1
	if b.cfg.PreviousBrokerEpoch > 0 {
		req.PreviousBrokerEpoch = b.cfg.PreviousBrokerEpoch
	}
	for _, l := range b.cfg.Listeners {
		rl := kmsg.NewBrokerRegistrationRequestListener()
		rl.Name, rl.Host, rl.Port, rl.SecurityProtocol = l.Name, l.Host, uint16(l.Port), l.SecurityProtocol
		req.Listeners = append(req.Listeners, rl)
	}
	for _, f := range b.cfg.Features {
		rf := kmsg.NewBrokerRegistrationRequestFeature()
		rf.Name, rf.MinSupportedVersion, rf.MaxSupportedVersion = f.Name, f.MinVersion, f.MaxVersion
		req.Features = append(req.Features, rf)
	}
	resp, err := b.cfg.Client.RegisterBroker(b.ctx, req)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		if b.ctx.Err() == nil {
			b.log.Info("broker registration failed; will retry", "err", err)
		}
		return
	}
	b.mu.Lock()
	b.epoch = resp.BrokerEpoch
	b.mu.Unlock()
	b.log.Info("broker registered", "epoch", resp.BrokerEpoch)
}

func (b *BrokerLifecycle) heartbeat() {
	b.mu.Lock()
	req := b.heartbeatRequest(false)
	b.mu.Unlock()
	resp, err := b.cfg.Client.BrokerHeartbeat(b.ctx, req)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case errors.Is(err, kerr.StaleBrokerEpoch), errors.Is(err, kerr.BrokerIDNotRegistered):
		b.log.Warn("controller no longer knows this broker epoch; re-registering", "err", err)
		b.epoch = -1
		b.setFenced(true)
	case err != nil:
		if b.ctx.Err() == nil {
			b.log.Info("broker heartbeat failed", "err", err)
		}
	default:
		b.setFenced(resp.IsFenced)
	}
}

func (b *BrokerLifecycle) setFenced(f bool) {
	if f == b.fenced {
		return
	}
	b.fenced = f
	if f {
		b.unfencedCh = make(chan struct{})
	} else {
		close(b.unfencedCh)
	}
}
