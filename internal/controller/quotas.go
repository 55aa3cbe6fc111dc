package controller

import (
	"context"
	"math"
	"net"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// quotaKeys are the client quota keys Kafka accepts, with whether the value
// must be a whole number.
var quotaKeys = map[string]map[string]bool{
	metadata.QuotaUser:     {"producer_byte_rate": true, "consumer_byte_rate": true, "request_percentage": false, "controller_mutation_rate": false},
	metadata.QuotaClientID: {"producer_byte_rate": true, "consumer_byte_rate": true, "request_percentage": false, "controller_mutation_rate": false},
	metadata.QuotaIP:       {"connection_creation_rate": true},
}

// AlterClientQuotas sets and removes client quotas (user, client-id, their
// combination, or ip).
func (c *Controller) AlterClientQuotas(ctx context.Context, req *kmsg.AlterClientQuotasRequest) (*kmsg.AlterClientQuotasResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrAlterClientQuotasResponse()
		resp.Version = req.Version
		var recs []metadata.Record
		for _, e := range req.Entries {
			re := kmsg.NewAlterClientQuotasResponseEntry()
			for _, p := range e.Entity {
				rp := kmsg.NewAlterClientQuotasResponseEntryEntity()
				rp.Type, rp.Name = p.Type, p.Name
				re.Entity = append(re.Entity, rp)
			}
			erecs, te := alterQuota(e)
			if te != nil {
				re.ErrorCode = te.code.Code
				re.ErrorMessage = kmsg.StringPtr(te.msg)
			} else if !req.ValidateOnly {
				recs = append(recs, erecs...)
			}
			resp.Entries = append(resp.Entries, re)
		}
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.AlterClientQuotasResponse), nil
}

func alterQuota(e kmsg.AlterClientQuotasRequestEntry) ([]metadata.Record, *topicErr) {
	if len(e.Entity) == 0 {
		return nil, terr(kerr.InvalidRequest, "Invalid empty client quota entity")
	}
	var parts []metadata.QuotaEntityPart
	types := map[string]bool{}
	for _, p := range e.Entity {
		if types[p.Type] {
			return nil, terr(kerr.InvalidRequest, "Invalid client quota entity: duplicate entity type %s", p.Type)
		}
		types[p.Type] = true
		if _, ok := quotaKeys[p.Type]; !ok {
			return nil, terr(kerr.InvalidRequest, "Unhandled client quota entity type: %s", p.Type)
		}
		if p.Type == metadata.QuotaIP && p.Name != nil && net.ParseIP(*p.Name) == nil {
			return nil, terr(kerr.InvalidRequest, "%s is not a valid IP or resolvable host.", *p.Name)
		}
		parts = append(parts, metadata.QuotaEntityPart{EntityType: p.Type, EntityName: p.Name})
	}
	if types[metadata.QuotaIP] && len(types) > 1 {
		return nil, terr(kerr.InvalidRequest, "Invalid quota entity combination, IP entity should not be combined with User or ClientId entities.")
	}
	typ := e.Entity[0].Type
	seen := map[string]bool{}
	var recs []metadata.Record
	for _, op := range e.Ops {
		whole, ok := quotaKeys[typ][op.Key]
		if !ok {
			return nil, terr(kerr.InvalidRequest, "Invalid configuration key %s", op.Key)
		}
		if seen[op.Key] {
			return nil, terr(kerr.InvalidRequest, "Duplicate quota key %s", op.Key)
		}
		seen[op.Key] = true
		if !op.Remove {
			if math.IsNaN(op.Value) || math.IsInf(op.Value, 0) || op.Value < 0 {
				return nil, terr(kerr.InvalidRequest, "Invalid value %v for configuration key %s: must not be negative", op.Value, op.Key)
			}
			if whole && op.Value != math.Trunc(op.Value) {
				return nil, terr(kerr.InvalidRequest, "Invalid value %v for configuration key %s, which must be a whole number", op.Value, op.Key)
			}
		}
		recs = append(recs, &metadata.ClientQuotaRecord{Entity: parts, Key: op.Key, Value: op.Value, Remove: op.Remove})
	}
	return recs, nil
}
