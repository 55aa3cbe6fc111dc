package api

// CreateTopics v2-7, DeleteTopics v1-6 and CreatePartitions v0-3 are decided
// by the quorum controller; the broker forwards them and answers once its own
// metadata image includes the result, so a Metadata request that follows on
// any connection sees the change.

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func withTimeout(ctx context.Context, ms int32) (context.Context, context.CancelFunc) {
	if ms <= 0 {
		ms = 30000
	}
	return context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
}

// awaitMetadata waits until this broker's hosted partitions reflect the
// image, which already includes what the controller answered for: the
// controller releases a response only once the image has its records.
func (b *Broker) awaitMetadata(ctx context.Context) error {
	return b.cfg.Replicas.WaitForOffset(ctx, b.image().Offset)
}

// forward runs a controller command within timeoutMs and, unless the
// request only validated, waits until this broker reflects its records.
func (b *Broker) forward(ctx context.Context, timeoutMs int32, validateOnly bool, call func(context.Context) error) error {
	ctx, cancel := withTimeout(ctx, timeoutMs)
	defer cancel()
	if err := call(ctx); err != nil {
		return err
	}
	if validateOnly {
		return nil
	}
	return b.awaitMetadata(ctx)
}

func (b *Broker) createTopics(ctx context.Context, req *kmsg.CreateTopicsRequest) (resp *kmsg.CreateTopicsResponse, err error) {
	err = b.forward(ctx, req.TimeoutMillis, req.ValidateOnly, func(ctx context.Context) (err error) {
		resp, err = b.cfg.Controller.CreateTopics(ctx, req)
		return err
	})
	return resp, err
}

func (b *Broker) handleCreateTopics(ctx context.Context, req *kmsg.CreateTopicsRequest) kmsg.Response {
	resp, err := b.createTopics(ctx, req)
	if err == nil {
		return resp
	}
	resp = req.ResponseKind().(*kmsg.CreateTopicsResponse)
	for _, t := range req.Topics {
		rt := kmsg.NewCreateTopicsResponseTopic()
		rt.Topic = t.Topic
		rt.ErrorCode = controllerErrorCode(err)
		rt.ErrorMessage = errorMessage(err)
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func (b *Broker) handleDeleteTopics(ctx context.Context, req *kmsg.DeleteTopicsRequest) kmsg.Response {
	var resp *kmsg.DeleteTopicsResponse
	err := b.forward(ctx, req.TimeoutMillis, false, func(ctx context.Context) (err error) {
		resp, err = b.cfg.Controller.DeleteTopics(ctx, req)
		return err
	})
	if err == nil {
		return resp
	}
	resp = req.ResponseKind().(*kmsg.DeleteTopicsResponse)
	add := func(name *string, id [16]byte) {
		rt := kmsg.NewDeleteTopicsResponseTopic()
		rt.Topic, rt.TopicID = name, id
		rt.ErrorCode = controllerErrorCode(err)
		rt.ErrorMessage = errorMessage(err)
		resp.Topics = append(resp.Topics, rt)
	}
	if req.Version < 6 {
		for _, n := range req.TopicNames {
			name := n
			add(&name, [16]byte{})
		}
	} else {
		for _, t := range req.Topics {
			add(t.Topic, t.TopicID)
		}
	}
	return resp
}

func (b *Broker) handleCreatePartitions(ctx context.Context, req *kmsg.CreatePartitionsRequest) kmsg.Response {
	var resp *kmsg.CreatePartitionsResponse
	err := b.forward(ctx, req.TimeoutMillis, req.ValidateOnly, func(ctx context.Context) (err error) {
		resp, err = b.cfg.Controller.CreatePartitions(ctx, req)
		return err
	})
	if err == nil {
		return resp
	}
	resp = req.ResponseKind().(*kmsg.CreatePartitionsResponse)
	for _, t := range req.Topics {
		rt := kmsg.NewCreatePartitionsResponseTopic()
		rt.Topic = t.Topic
		rt.ErrorCode = controllerErrorCode(err)
		rt.ErrorMessage = errorMessage(err)
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

// controllerErrorCode maps a failed controller call: a deadline is
// REQUEST_TIMED_OUT, a lost leadership NOT_CONTROLLER, anything carrying a
// Kafka code keeps it.
func controllerErrorCode(err error) int16 {
	if code := errorCode(err); code != kerr.UnknownServerError.Code {
		return code
	}
	if isDeadline(err) {
		return kerr.RequestTimedOut.Code
	}
	return kerr.UnknownServerError.Code
}
