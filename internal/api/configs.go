package api

// DescribeConfigs v1-4 for topics, brokers (per broker and the cluster-wide
// default resource "") and groups, with Kafka's sources, synonyms, types and
// documentation. AlterConfigs v0-2 and IncrementalAlterConfigs v0-1 are
// decided by the controller, which records them in the metadata log.
// Differs from Kafka: broker loggers are not describable or alterable yet.

import (
	"context"
	"slices"
	"strconv"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/config"
)

func (b *Broker) handleDescribeConfigs(req *kmsg.DescribeConfigsRequest) *kmsg.DescribeConfigsResponse {
	img := b.image()
	resp := req.ResponseKind().(*kmsg.DescribeConfigsResponse)
	for _, rr := range req.Resources {
		res := kmsg.NewDescribeConfigsResponseResource()
		res.ResourceType, res.ResourceName = rr.ResourceType, rr.ResourceName
		var described []config.Described
		switch rr.ResourceType {
		case kmsg.ConfigResourceTypeTopic:
			if img.Topic(rr.ResourceName) == nil {
				res.ErrorCode = kerr.UnknownTopicOrPartition.Code
				res.ErrorMessage = kmsg.StringPtr("topic " + rr.ResourceName + " does not exist")
				break
			}
			described = config.DescribeTopic(b.cfg.Static, img.BrokerConfig(-1), img.BrokerConfig(b.cfg.NodeID), img.TopicConfig(rr.ResourceName))
		case kmsg.ConfigResourceTypeBroker:
			if rr.ResourceName == "" {
				described = config.DescribeClusterDefault(img.BrokerConfig(-1))
				break
			}
			id, err := strconv.ParseInt(rr.ResourceName, 10, 32)
			if err != nil || int32(id) != b.cfg.NodeID {
				res.ErrorCode = kerr.InvalidRequest.Code
				res.ErrorMessage = kmsg.StringPtr("unexpected broker id " + strconv.Quote(rr.ResourceName) + ", this is broker " + strconv.Itoa(int(b.cfg.NodeID)))
				break
			}
			described = config.DescribeBroker(b.cfg.Static, img.BrokerConfig(-1), img.BrokerConfig(b.cfg.NodeID))
		case kmsg.ConfigResourceTypeGroupConfig:
			// As in Kafka, a group that does not exist (yet) has configs
			// too: the defaults it would get.
			if rr.ResourceName == "" {
				res.ErrorCode = kerr.InvalidRequest.Code
				res.ErrorMessage = kmsg.StringPtr("Group name must not be empty")
				break
			}
			described = config.DescribeGroup(b.cfg.Static, img.BrokerConfig(-1), img.BrokerConfig(b.cfg.NodeID), img.GroupConfig(rr.ResourceName))
		case kmsg.ConfigResourceTypeClientMetrics:
			describeClientMetrics(img, rr.ResourceName, &res)
		default:
			res.ErrorCode = kerr.InvalidRequest.Code
			res.ErrorMessage = kmsg.StringPtr("describing " + rr.ResourceType.String() + " configs is not supported")
		}
		for _, d := range described {
			if rr.ConfigNames != nil && !slices.Contains(rr.ConfigNames, d.Name) {
				continue
			}
			res.Configs = append(res.Configs, describedToKmsg(req, d))
		}
		resp.Resources = append(resp.Resources, res)
	}
	return resp
}

func describedToKmsg(req *kmsg.DescribeConfigsRequest, d config.Described) kmsg.DescribeConfigsResponseResourceConfig {
	c := kmsg.NewDescribeConfigsResponseResourceConfig()
	c.Name = d.Name
	c.Value = d.Value
	c.ReadOnly = d.ReadOnly
	c.IsDefault = d.Source == config.SourceDefault
	c.Source = kmsg.ConfigSource(d.Source)
	c.IsSensitive = d.Sensitive
	c.ConfigType = kmsg.ConfigType(d.Type)
	if req.IncludeDocumentation && d.Documentation != "" {
		doc := d.Documentation
		c.Documentation = &doc
	}
	if req.IncludeSynonyms {
		for _, s := range d.Synonyms {
			syn := kmsg.NewDescribeConfigsResponseResourceConfigConfigSynonym()
			syn.Name, syn.Value, syn.Source = s.Name, s.Value, kmsg.ConfigSource(s.Source)
			c.ConfigSynonyms = append(c.ConfigSynonyms, syn)
		}
	}
	return c
}

func (b *Broker) handleAlterConfigs(ctx context.Context, req *kmsg.AlterConfigsRequest) kmsg.Response {
	var resp *kmsg.AlterConfigsResponse
	err := b.forward(ctx, 30000, req.ValidateOnly, func(ctx context.Context) (err error) {
		resp, err = b.cfg.Controller.AlterConfigs(ctx, req)
		return err
	})
	if err == nil {
		return resp
	}
	resp = req.ResponseKind().(*kmsg.AlterConfigsResponse)
	for _, r := range req.Resources {
		rr := kmsg.NewAlterConfigsResponseResource()
		rr.ResourceType, rr.ResourceName = r.ResourceType, r.ResourceName
		rr.ErrorCode, rr.ErrorMessage = controllerErrorCode(err), errorMessage(err)
		resp.Resources = append(resp.Resources, rr)
	}
	return resp
}

func (b *Broker) handleIncrementalAlterConfigs(ctx context.Context, req *kmsg.IncrementalAlterConfigsRequest) kmsg.Response {
	var resp *kmsg.IncrementalAlterConfigsResponse
	err := b.forward(ctx, 30000, req.ValidateOnly, func(ctx context.Context) (err error) {
		resp, err = b.cfg.Controller.IncrementalAlterConfigs(ctx, req)
		return err
	})
	if err == nil {
		return resp
	}
	resp = req.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
	for _, r := range req.Resources {
		rr := kmsg.NewIncrementalAlterConfigsResponseResource()
		rr.ResourceType, rr.ResourceName = r.ResourceType, r.ResourceName
		rr.ErrorCode, rr.ErrorMessage = controllerErrorCode(err), errorMessage(err)
		resp.Resources = append(resp.Resources, rr)
	}
	return resp
}
