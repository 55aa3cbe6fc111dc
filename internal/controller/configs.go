package controller

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/telemetry"
)

// IncrementalAlterConfigs applies SET/DELETE/APPEND/SUBTRACT to TOPIC,
// BROKER (broker "" = cluster-wide default, "<id>" = one broker) and GROUP
// resources.
func (c *Controller) IncrementalAlterConfigs(ctx context.Context, req *kmsg.IncrementalAlterConfigsRequest) (*kmsg.IncrementalAlterConfigsResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrIncrementalAlterConfigsResponse()
		resp.Version = req.Version
		recs := alterResources(len(req.Resources), req.ValidateOnly,
			func(i int) (int8, string) { return int8(req.Resources[i].ResourceType), req.Resources[i].ResourceName },
			func(i int) ([]metadata.Record, *topicErr) { return c.incrementalAlter(req.Resources[i]) },
			func(i int, te *topicErr) {
				rr := kmsg.NewIncrementalAlterConfigsResponseResource()
				rr.ResourceType, rr.ResourceName = req.Resources[i].ResourceType, req.Resources[i].ResourceName
				if te != nil {
					rr.ErrorCode, rr.ErrorMessage = te.code.Code, kmsg.StringPtr(te.msg)
				}
				resp.Resources = append(resp.Resources, rr)
			})
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.IncrementalAlterConfigsResponse), nil
}

// AlterConfigs (the legacy API) replaces a resource's whole dynamic config
// set: keys not in the request are deleted.
func (c *Controller) AlterConfigs(ctx context.Context, req *kmsg.AlterConfigsRequest) (*kmsg.AlterConfigsResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrAlterConfigsResponse()
		resp.Version = req.Version
		recs := alterResources(len(req.Resources), req.ValidateOnly,
			func(i int) (int8, string) { return int8(req.Resources[i].ResourceType), req.Resources[i].ResourceName },
			func(i int) ([]metadata.Record, *topicErr) { return c.alterLegacy(req.Resources[i]) },
			func(i int, te *topicErr) {
				rr := kmsg.NewAlterConfigsResponseResource()
				rr.ResourceType, rr.ResourceName = req.Resources[i].ResourceType, req.Resources[i].ResourceName
				if te != nil {
					rr.ErrorCode, rr.ErrorMessage = te.code.Code, kmsg.StringPtr(te.msg)
				}
				resp.Resources = append(resp.Resources, rr)
			})
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.AlterConfigsResponse), nil
}

// alterResources runs alter on each of n resources in request order,
// refusing duplicates, and reports each outcome; it returns the records of
// the resources that succeeded (none for validate-only requests).
func alterResources(n int, validateOnly bool, key func(int) (int8, string),
	alter func(int) ([]metadata.Record, *topicErr), report func(int, *topicErr)) []metadata.Record {
	dup := duplicateResources(n, key)
	var recs []metadata.Record
	for i := 0; i < n; i++ {
		var rrecs []metadata.Record
		var te *topicErr
		if dup[i] {
			_, name := key(i)
			te = terr(kerr.InvalidRequest, "Duplicate resource in request: %s", name)
		} else {
			rrecs, te = alter(i)
		}
		report(i, te)
		if te == nil && !validateOnly {
			recs = append(recs, rrecs...)
		}
	}
	return recs
}

func duplicateResources(n int, at func(int) (int8, string)) []bool {
	seen := map[metadata.ConfigResource]int{}
	for i := 0; i < n; i++ {
		t, name := at(i)
		seen[metadata.ConfigResource{Type: t, Name: name}]++
	}
	out := make([]bool, n)
	for i := 0; i < n; i++ {
		t, name := at(i)
		out[i] = seen[metadata.ConfigResource{Type: t, Name: name}] > 1
	}
	return out
}

// checkResource validates the resource and returns a validator for its
// config values.
func (c *Controller) checkResource(typ int8, name string) (func(k, v string) error, *topicErr) {
	switch typ {
	case metadata.ResourceTopic:
		if err := metadata.ValidateTopicName(name); err != nil {
			return nil, terr(kerr.InvalidRequest, "%v", err)
		}
		if c.spec.TopicsByName[name] == nil {
			return nil, terr(kerr.UnknownTopicOrPartition, "The topic '%s' does not exist.", name)
		}
		return func(k, v string) error {
			if c.cfg.ValidateTopicConfig == nil {
				return nil
			}
			return c.cfg.ValidateTopicConfig(k, v)
		}, nil
	case metadata.ResourceBroker:
		perBroker := name != ""
		if perBroker {
			if id, err := strconv.ParseInt(name, 10, 32); err != nil || id < 0 {
				return nil, terr(kerr.InvalidRequest, "Invalid broker name %s", name)
			}
		}
		return func(k, v string) error {
			if c.cfg.ValidateBrokerConfig == nil {
				return nil
			}
			return c.cfg.ValidateBrokerConfig(k, v, perBroker)
		}, nil
	case metadata.ResourceGroup:
		if name == "" {
			return nil, terr(kerr.InvalidRequest, "Group name must not be empty")
		}
		return func(k, v string) error {
			if c.cfg.ValidateGroupConfigValue == nil {
				return nil
			}
			return c.cfg.ValidateGroupConfigValue(k, v)
		}, nil
	case telemetry.ResourceType:
		return checkClientMetricsResource(name)
	}
	return nil, terr(kerr.InvalidRequest, "Unsupported resource type %d", typ)
}

func (c *Controller) incrementalAlter(res kmsg.IncrementalAlterConfigsRequestResource) ([]metadata.Record, *topicErr) {
	typ := int8(res.ResourceType)
	validate, te := c.checkResource(typ, res.ResourceName)
	if te != nil {
		return nil, te
	}
	cur := c.spec.Configs[metadata.ConfigResource{Type: typ, Name: res.ResourceName}]
	seen := map[string]bool{}
	var recs []metadata.Record
	for _, cf := range res.Configs {
		if seen[cf.Name] {
			return nil, terr(kerr.InvalidRequest, "Error due to duplicate config keys")
		}
		seen[cf.Name] = true
		var value *string
		switch cf.Op {
		case kmsg.IncrementalAlterConfigOpSet:
			if cf.Value == nil {
				return nil, terr(kerr.InvalidRequest, "Null value not supported for : %s", cf.Name)
			}
			value = cf.Value
		case kmsg.IncrementalAlterConfigOpDelete:
		case kmsg.IncrementalAlterConfigOpAppend, kmsg.IncrementalAlterConfigOpSubtract:
			if !c.isListConfig(typ, cf.Name) {
				return nil, terr(kerr.InvalidConfig, "Config value append is not allowed for config key: %s", cf.Name)
			}
			if cf.Value == nil {
				return nil, terr(kerr.InvalidRequest, "Null value not supported for : %s", cf.Name)
			}
			base, ok := cur[cf.Name]
			if !ok {
				base, _ = c.configDefault(typ, cf.Name)
			}
			v := applyListOp(base, *cf.Value, cf.Op == kmsg.IncrementalAlterConfigOpAppend)
			value = &v
		default:
			return nil, terr(kerr.InvalidRequest, "Unknown alter config operation %d for %s", cf.Op, cf.Name)
		}
		if value != nil {
			if err := validate(cf.Name, *value); err != nil {
				return nil, configErr(err)
			}
		}
		recs = append(recs, &metadata.ConfigRecord{ResourceType: typ, ResourceName: res.ResourceName, Name: cf.Name, Value: value})
	}
	if te := c.checkResultingSet(typ, cur, recs); te != nil {
		return nil, te
	}
	return recs, nil
}

// checkResultingSet validates a resource's override set as it will be after
// recs apply, for resource types whose keys constrain each other (groups:
// session timeout above heartbeat interval, values within broker bounds).
func (c *Controller) checkResultingSet(typ int8, cur map[string]string, recs []metadata.Record) *topicErr {
	if typ != metadata.ResourceGroup || c.cfg.ValidateGroupConfig == nil {
		return nil
	}
	next := maps.Clone(cur)
	if next == nil {
		next = map[string]string{}
	}
	for _, r := range recs {
		cr := r.(*metadata.ConfigRecord)
		if cr.Value == nil {
			delete(next, cr.Name)
		} else {
			next[cr.Name] = *cr.Value
		}
	}
	clusterDyn := c.spec.Configs[metadata.ConfigResource{Type: metadata.ResourceBroker, Name: ""}]
	if err := c.cfg.ValidateGroupConfig(clusterDyn, next); err != nil {
		return terr(kerr.InvalidConfig, "%v", err)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// applyListOp appends the items not already present, or removes them.
func applyListOp(base, arg string, add bool) string {
	cur := splitList(base)
	for _, item := range splitList(arg) {
		if add {
			if !slices.Contains(cur, item) {
				cur = append(cur, item)
			}
		} else {
			cur = slices.DeleteFunc(cur, func(s string) bool { return s == item })
		}
	}
	return strings.Join(cur, ",")
}

func (c *Controller) alterLegacy(res kmsg.AlterConfigsRequestResource) ([]metadata.Record, *topicErr) {
	typ := int8(res.ResourceType)
	validate, te := c.checkResource(typ, res.ResourceName)
	if te != nil {
		return nil, te
	}
	want := map[string]string{}
	for _, cf := range res.Configs {
		if _, dup := want[cf.Name]; dup {
			return nil, terr(kerr.InvalidRequest, "Error due to duplicate config keys")
		}
		if cf.Value == nil {
			return nil, terr(kerr.InvalidRequest, "Null value not supported for : %s", cf.Name)
		}
		if err := validate(cf.Name, *cf.Value); err != nil {
			return nil, configErr(err)
		}
		want[cf.Name] = *cf.Value
	}
	cur := c.spec.Configs[metadata.ConfigResource{Type: typ, Name: res.ResourceName}]
	var names []string
	for k := range want {
		names = append(names, k)
	}
	for k := range cur {
		if _, ok := want[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var recs []metadata.Record
	for _, k := range names {
		if v, ok := want[k]; ok {
			if old, had := cur[k]; had && old == v {
				continue
			}
			recs = append(recs, &metadata.ConfigRecord{ResourceType: typ, ResourceName: res.ResourceName, Name: k, Value: &v})
		} else {
			recs = append(recs, &metadata.ConfigRecord{ResourceType: typ, ResourceName: res.ResourceName, Name: k})
		}
	}
	if te := c.checkResultingSet(typ, cur, recs); te != nil {
		return nil, te
	}
	return recs, nil
}
