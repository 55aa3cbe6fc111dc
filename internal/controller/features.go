package controller

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// Upgrade types of UpdateFeatures (v1+).
const (
	upgradeOnly     int8 = 1
	safeDowngrade   int8 = 2
	unsafeDowngrade int8 = 3
)

// UpdateFeatures changes finalized feature levels. The request is atomic:
// if any update is invalid nothing changes. Every registered broker (and
// this controller, per Config.SupportedFeatures) must support the new level.
func (c *Controller) UpdateFeatures(ctx context.Context, req *kmsg.UpdateFeaturesRequest) (*kmsg.UpdateFeaturesResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrUpdateFeaturesResponse()
		resp.Version = req.Version
		var recs []metadata.Record
		var firstErr *topicErr
		seen := map[string]bool{}
		for _, u := range req.FeatureUpdates {
			te := c.checkFeatureUpdate(req.Version, u, seen)
			if te == nil {
				recs = append(recs, &metadata.FeatureLevelRecord{Name: u.Feature, FeatureLevel: max(u.MaxVersionLevel, 0)})
			} else if firstErr == nil {
				firstErr = te
			}
			if req.Version < 2 {
				res := kmsg.NewUpdateFeaturesResponseResult()
				res.Feature = u.Feature
				if te != nil {
					res.ErrorCode, res.ErrorMessage = te.code.Code, kmsg.StringPtr(te.msg)
				}
				resp.Results = append(resp.Results, res)
			}
		}
		if firstErr != nil {
			if req.Version >= 2 {
				resp.ErrorCode, resp.ErrorMessage = firstErr.code.Code, kmsg.StringPtr(firstErr.msg)
			}
			return nil, resp, nil
		}
		if req.ValidateOnly {
			return nil, resp, nil
		}
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.UpdateFeaturesResponse), nil
}

func (c *Controller) checkFeatureUpdate(version int16, u kmsg.UpdateFeaturesRequestFeatureUpdate, seen map[string]bool) *topicErr {
	if u.Feature == "" {
		return terr(kerr.InvalidRequest, "Invalid empty feature name")
	}
	if seen[u.Feature] {
		return terr(kerr.InvalidRequest, "Feature %s appears more than once in the request", u.Feature)
	}
	seen[u.Feature] = true
	level := max(u.MaxVersionLevel, 0)
	cur := c.spec.Features[u.Feature]
	typ := u.UpgradeType
	if version < 1 {
		typ = upgradeOnly
		if u.AllowDowngrade {
			typ = safeDowngrade
		}
	}
	switch typ {
	case upgradeOnly, safeDowngrade, unsafeDowngrade:
	default:
		return terr(kerr.InvalidRequest, "Invalid upgrade type %d for feature %s", typ, u.Feature)
	}
	if level < cur && typ == upgradeOnly {
		return terr(kerr.InvalidUpdateVersion, "Invalid update version %d for feature %s. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.", level, u.Feature)
	}
	if level == 0 {
		return nil // removing a feature needs no support check
	}
	if err := supports(c.cfg.SupportedFeatures, u.Feature, level); err != nil {
		return terr(kerr.InvalidUpdateVersion, "Invalid update version %d for feature %s. Local controller %d %v", level, u.Feature, c.cfg.NodeID, err)
	}
	for _, id := range c.spec.BrokerIDs() {
		if err := supports(c.spec.Brokers[id].Features, u.Feature, level); err != nil {
			return terr(kerr.InvalidUpdateVersion, "Invalid update version %d for feature %s. Broker %d %v", level, u.Feature, id, err)
		}
	}
	return nil
}

// supports checks level against a feature list; a nil list (no
// declaration) accepts anything.
func supports(list []metadata.FeatureRange, name string, level int16) error {
	if list == nil {
		return nil
	}
	for _, f := range list {
		if f.Name == name {
			if level < f.MinVersion || level > f.MaxVersion {
				return fmt.Errorf("only supports versions %d-%d", f.MinVersion, f.MaxVersion)
			}
			return nil
		}
	}
	return fmt.Errorf("does not support this feature")
}
