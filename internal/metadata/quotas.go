package metadata

import (
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Client quota entity types.
const (
	QuotaUser     = "user"
	QuotaClientID = "client-id"
	QuotaIP       = "ip"
)

// QuotaEntityPart is one (type, name) of a quota entity; a nil name is the
// type's default entity.
type QuotaEntityPart struct {
	EntityType string  `json:"entityType"`
	EntityName *string `json:"entityName"`
}

// ClientQuotaRecord sets (or with Remove, deletes) one quota value.
type ClientQuotaRecord struct {
	Entity []QuotaEntityPart `json:"entity"`
	Key    string            `json:"key"`
	Value  float64           `json:"value"`
	Remove bool              `json:"remove"`
}

func (*ClientQuotaRecord) APIKey() int16  { return KeyClientQuota }
func (*ClientQuotaRecord) Version() int16 { return 0 }

// KeyClientQuota is Kafka's api key for ClientQuotaRecord.
const KeyClientQuota int16 = 13

// ClientQuota is the quota values of one entity.
type ClientQuota struct {
	Entity []QuotaEntityPart // sorted by type
	Values map[string]float64
}

// QuotaEntityKey is the canonical map key of an entity (parts sorted by
// type; default names written as a NUL byte, which no real name holds).
func QuotaEntityKey(parts []QuotaEntityPart) string {
	ps := sortedParts(parts)
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.EntityType)
		b.WriteByte('=')
		if p.EntityName == nil {
			b.WriteByte(0)
		} else {
			b.WriteString(*p.EntityName)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func sortedParts(parts []QuotaEntityPart) []QuotaEntityPart {
	ps := append([]QuotaEntityPart(nil), parts...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].EntityType < ps[j].EntityType })
	return ps
}

func (d *Delta) replayQuota(r *ClientQuotaRecord) {
	key := QuotaEntityKey(r.Entity)
	q, ok := d.quotas[key]
	if !ok {
		q = &ClientQuota{Entity: sortedParts(r.Entity), Values: map[string]float64{}}
		if old := d.base.ClientQuotas[key]; old != nil {
			q.Values = maps.Clone(old.Values)
		}
		d.quotas[key] = q
	}
	if r.Remove {
		delete(q.Values, r.Key)
	} else {
		q.Values[r.Key] = r.Value
	}
}

func (d *Delta) applyQuotas(im *Image) {
	if len(d.quotas) == 0 {
		return
	}
	im.ClientQuotas = maps.Clone(d.base.ClientQuotas)
	if im.ClientQuotas == nil {
		im.ClientQuotas = map[string]*ClientQuota{}
	}
	for k, q := range d.quotas {
		if len(q.Values) == 0 {
			delete(im.ClientQuotas, k)
		} else {
			im.ClientQuotas[k] = q
		}
	}
}

// ChangedClientQuotas returns the keys (QuotaEntityKey) of entities whose
// quotas changed.
func (d *Delta) ChangedClientQuotas() []string {
	out := make([]string, 0, len(d.quotas))
	for k := range d.quotas {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quotaRecords(im *Image) []Record {
	keys := make([]string, 0, len(im.ClientQuotas))
	for k := range im.ClientQuotas {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Record
	for _, k := range keys {
		q := im.ClientQuotas[k]
		names := make([]string, 0, len(q.Values))
		for n := range q.Values {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, &ClientQuotaRecord{Entity: q.Entity, Key: n, Value: q.Values[n]})
		}
	}
	return out
}

func diffQuotas(d *Delta, from, to *Image) {
	for k, q := range to.ClientQuotas {
		if from.ClientQuotas[k] != q {
			d.quotas[k] = q
		}
	}
	for k, q := range from.ClientQuotas {
		if to.ClientQuotas[k] == nil {
			d.quotas[k] = &ClientQuota{Entity: q.Entity, Values: map[string]float64{}}
		}
	}
}

// DescribeClientQuotas answers a DescribeClientQuotas request from the
// image: components filter by entity type and name (exact, default, or any
// specified name); strict requires the entity to have no other types.
func (im *Image) DescribeClientQuotas(req *kmsg.DescribeClientQuotasRequest) *kmsg.DescribeClientQuotasResponse {
	resp := kmsg.NewPtrDescribeClientQuotasResponse()
	resp.Version = req.Version
	fail := func(format string, args ...any) *kmsg.DescribeClientQuotasResponse {
		resp.ErrorCode = kerr.InvalidRequest.Code
		resp.ErrorMessage = kmsg.StringPtr(fmt.Sprintf(format, args...))
		return resp
	}
	types := map[string]kmsg.DescribeClientQuotasRequestComponent{}
	for _, c := range req.Components {
		if _, dup := types[c.EntityType]; dup {
			return fail("Entity type %s cannot appear more than once in the filter.", c.EntityType)
		}
		switch c.EntityType {
		case QuotaUser, QuotaClientID, QuotaIP:
		default:
			return fail("Custom entity type %s not supported", c.EntityType)
		}
		if c.MatchType == 0 && c.Match == nil {
			return fail("Exact match of entity type %s needs a name", c.EntityType)
		}
		if c.MatchType > 2 {
			return fail("Unknown match type %d", c.MatchType)
		}
		types[c.EntityType] = c
	}
	if _, ip := types[QuotaIP]; ip && len(types) > 1 {
		return fail("Invalid entity filter component combination: IP filter component should not be used with user or clientId filter component.")
	}
	keys := make([]string, 0, len(im.ClientQuotas))
	for k := range im.ClientQuotas {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		q := im.ClientQuotas[k]
		if !quotaMatches(q, types, req.Strict) {
			continue
		}
		e := kmsg.NewDescribeClientQuotasResponseEntry()
		for _, p := range q.Entity {
			pe := kmsg.NewDescribeClientQuotasResponseEntryEntity()
			pe.Type, pe.Name = p.EntityType, p.EntityName
			e.Entity = append(e.Entity, pe)
		}
		names := make([]string, 0, len(q.Values))
		for n := range q.Values {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			v := kmsg.NewDescribeClientQuotasResponseEntryValue()
			v.Key, v.Value = n, q.Values[n]
			e.Values = append(e.Values, v)
		}
		resp.Entries = append(resp.Entries, e)
	}
	return resp
}

func quotaMatches(q *ClientQuota, comps map[string]kmsg.DescribeClientQuotasRequestComponent, strict bool) bool {
	if strict && len(q.Entity) != len(comps) {
		return false
	}
	if _, ip := comps[QuotaIP]; !ip && len(comps) > 0 {
		// User and client-id filters never match ip entities.
		for _, p := range q.Entity {
			if p.EntityType == QuotaIP {
				return false
			}
		}
	}
	for t, c := range comps {
		var part *QuotaEntityPart
		for i := range q.Entity {
			if q.Entity[i].EntityType == t {
				part = &q.Entity[i]
			}
		}
		if part == nil {
			return false
		}
		switch c.MatchType {
		case 0:
			if part.EntityName == nil || *part.EntityName != *c.Match {
				return false
			}
		case 1:
			if part.EntityName != nil {
				return false
			}
		case 2:
			if part.EntityName == nil {
				return false
			}
		}
	}
	return true
}
