package controller

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

func TestUpdateFeatures(t *testing.T) {
	n := newNode(t, t.TempDir(), func(c *Config) {
		c.BootstrapFeatures = map[string]int16{"metadata.version": 20}
		c.SupportedFeatures = []metadata.FeatureRange{{Name: "metadata.version", MinVersion: 7, MaxVersion: 27}, {Name: "group.version", MinVersion: 0, MaxVersion: 1}}
	})
	if err := n.ctrl.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	if n.loader.Image().Features["metadata.version"] != 20 {
		t.Fatalf("bootstrap features %v", n.loader.Image().Features)
	}
	req := kmsg.NewPtrBrokerRegistrationRequest()
	req.BrokerID, req.ClusterID, req.IncarnationID = 1, "cid", [16]byte{1}
	for _, f := range []metadata.FeatureRange{{Name: "metadata.version", MinVersion: 7, MaxVersion: 25}, {Name: "group.version", MinVersion: 0, MaxVersion: 1}} {
		rf := kmsg.NewBrokerRegistrationRequestFeature()
		rf.Name, rf.MinSupportedVersion, rf.MaxSupportedVersion = f.Name, f.MinVersion, f.MaxVersion
		req.Features = append(req.Features, rf)
	}
	if r, err := n.ctrl.RegisterBroker(ctx, req); err != nil || r.ErrorCode != 0 {
		t.Fatal(err, r)
	}
	old := kmsg.NewPtrBrokerRegistrationRequest()
	old.BrokerID, old.ClusterID, old.IncarnationID = 2, "cid", [16]byte{2}
	of := kmsg.NewBrokerRegistrationRequestFeature()
	of.Name, of.MinSupportedVersion, of.MaxSupportedVersion = "metadata.version", 7, 19
	old.Features = append(old.Features, of)
	if r, err := n.ctrl.RegisterBroker(ctx, old); err != nil || r.ErrorCode != kerr.UnsupportedVersion.Code {
		t.Fatalf("broker too old for metadata.version 20: %v %+v", err, r)
	}
	update := func(version int16, feature string, level int16, typ int8) *kmsg.UpdateFeaturesResponse {
		r := kmsg.NewPtrUpdateFeaturesRequest()
		r.Version = version
		u := kmsg.NewUpdateFeaturesRequestFeatureUpdate()
		u.Feature, u.MaxVersionLevel, u.UpgradeType = feature, level, typ
		r.FeatureUpdates = append(r.FeatureUpdates, u)
		resp, err := n.ctrl.UpdateFeatures(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, tc := range []struct {
		name    string
		feature string
		level   int16
		typ     int8
		code    *kerr.Error
	}{
		{"upgrade", "metadata.version", 25, 1, nil},
		{"beyond broker", "metadata.version", 26, 1, kerr.InvalidUpdateVersion},
		{"downgrade without flag", "metadata.version", 21, 1, kerr.InvalidUpdateVersion},
		{"safe downgrade", "metadata.version", 21, 2, nil},
		{"unknown to controller", "share.version", 1, 1, kerr.InvalidUpdateVersion},
		{"new feature", "group.version", 1, 1, nil},
		{"remove", "group.version", 0, 3, nil},
		{"bad type", "group.version", 1, 7, kerr.InvalidRequest},
	} {
		r := update(1, tc.feature, tc.level, tc.typ)
		want := int16(0)
		if tc.code != nil {
			want = tc.code.Code
		}
		if r.Results[0].ErrorCode != want {
			t.Errorf("%s: code %d (%v) want %d", tc.name, r.Results[0].ErrorCode, r.Results[0].ErrorMessage, want)
		}
	}
	f := n.loader.Image().Features
	if f["metadata.version"] != 21 || f["group.version"] != 0 {
		t.Fatalf("features %v", f)
	}
	if _, ok := f["group.version"]; ok {
		t.Fatal("level 0 should remove the feature")
	}
	if r := update(2, "metadata.version", 26, 1); r.ErrorCode != kerr.InvalidUpdateVersion.Code {
		t.Fatalf("v2 top-level error: %+v", r)
	}
}
