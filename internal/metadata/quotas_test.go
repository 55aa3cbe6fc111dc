package metadata

import (
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestClientQuotas(t *testing.T) {
	alice := []QuotaEntityPart{{EntityType: QuotaUser, EntityName: strp("alice")}}
	aliceApp := []QuotaEntityPart{{EntityType: QuotaClientID, EntityName: strp("app")}, {EntityType: QuotaUser, EntityName: strp("alice")}}
	defUser := []QuotaEntityPart{{EntityType: QuotaUser}}
	ip := []QuotaEntityPart{{EntityType: QuotaIP, EntityName: strp("10.0.0.1")}}
	d := NewDelta(EmptyImage("c"))
	must(t, d.ReplayAll([]Record{
		&ClientQuotaRecord{Entity: alice, Key: "producer_byte_rate", Value: 100},
		&ClientQuotaRecord{Entity: alice, Key: "consumer_byte_rate", Value: 200},
		&ClientQuotaRecord{Entity: aliceApp, Key: "request_percentage", Value: 50},
		&ClientQuotaRecord{Entity: defUser, Key: "producer_byte_rate", Value: 10},
		&ClientQuotaRecord{Entity: ip, Key: "connection_creation_rate", Value: 5},
	}))
	im := d.Apply()
	if len(im.ClientQuotas) != 4 {
		t.Fatalf("quotas: %v", im.ClientQuotas)
	}
	d2 := NewDelta(im)
	must(t, d2.Replay(&ClientQuotaRecord{Entity: alice, Key: "producer_byte_rate", Remove: true}))
	must(t, d2.Replay(&ClientQuotaRecord{Entity: alice, Key: "consumer_byte_rate", Remove: true}))
	im2 := d2.Apply()
	if im2.ClientQuotas[QuotaEntityKey(alice)] != nil || im.ClientQuotas[QuotaEntityKey(alice)] == nil {
		t.Fatal("removing every value should drop the entity, and only in the new image")
	}
	ds := NewDelta(EmptyImage("c"))
	must(t, ds.ReplayAll(im.Records()))
	if got := ds.Apply(); !reflect.DeepEqual(got.ClientQuotas, im.ClientQuotas) {
		t.Fatal("snapshot records do not rebuild quotas")
	}

	describe := func(strict bool, comps ...kmsg.DescribeClientQuotasRequestComponent) *kmsg.DescribeClientQuotasResponse {
		req := kmsg.NewPtrDescribeClientQuotasRequest()
		req.Strict, req.Components = strict, comps
		return im.DescribeClientQuotas(req)
	}
	comp := func(typ string, match kmsg.QuotasMatchType, name *string) kmsg.DescribeClientQuotasRequestComponent {
		c := kmsg.NewDescribeClientQuotasRequestComponent()
		c.EntityType, c.MatchType, c.Match = typ, match, name
		return c
	}
	for _, tc := range []struct {
		name    string
		resp    *kmsg.DescribeClientQuotasResponse
		entries int
		code    int16
	}{
		{"all", describe(false), 4, 0},
		{"exact alice", describe(false, comp(QuotaUser, 0, strp("alice"))), 2, 0},
		{"exact alice strict", describe(true, comp(QuotaUser, 0, strp("alice"))), 1, 0},
		{"default user", describe(false, comp(QuotaUser, 1, nil)), 1, 0},
		{"any user", describe(false, comp(QuotaUser, 2, nil)), 2, 0},
		{"ip", describe(false, comp(QuotaIP, 2, nil)), 1, 0},
		{"dup type", describe(false, comp(QuotaUser, 2, nil), comp(QuotaUser, 1, nil)), 0, kerr.InvalidRequest.Code},
		{"ip with user", describe(false, comp(QuotaIP, 2, nil), comp(QuotaUser, 1, nil)), 0, kerr.InvalidRequest.Code},
		{"bad type", describe(false, comp("group", 2, nil)), 0, kerr.InvalidRequest.Code},
	} {
		if tc.resp.ErrorCode != tc.code || len(tc.resp.Entries) != tc.entries {
			t.Errorf("%s: code %d entries %d", tc.name, tc.resp.ErrorCode, len(tc.resp.Entries))
		}
	}
}
