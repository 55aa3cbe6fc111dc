//go:build interop

package interop

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// API keys the consumer-group suites depend on. A broker that does not advertise one of them in
// ApiVersions cannot run the suite, so the harness skips it (naming what is missing) instead of
// failing: the suites then run for real as soon as the broker serves groups.
var (
	classicGroupAPIs = []int16{
		8,  // OffsetCommit
		9,  // OffsetFetch
		10, // FindCoordinator
		11, // JoinGroup
		12, // Heartbeat
		13, // LeaveGroup
		14, // SyncGroup
		15, // DescribeGroups
		16, // ListGroups
	}
	consumerGroupAPIs = []int16{
		8, 9, 10, 16,
		68, // ConsumerGroupHeartbeat (KIP-848)
		69, // ConsumerGroupDescribe
	}
)

// union is the set of keys in any of the lists, for suites that need both group protocols.
func union(lists ...[]int16) []int16 {
	seen := map[int16]bool{}
	var out []int16
	for _, l := range lists {
		for _, k := range l {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// missingAPIs returns the names of the keys in needs that some broker of the cluster does not
// advertise in its ApiVersions response.
func missingAPIs(ctx context.Context, bootstrap string, needs []int16) ([]string, error) {
	if len(needs) == 0 {
		return nil, nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.RetryTimeout(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	versions, err := kadm.NewClient(cl).ApiVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("ApiVersions: %w", err)
	}
	missing := map[string]bool{}
	for _, v := range versions.Sorted() {
		if v.Err != nil {
			return nil, fmt.Errorf("ApiVersions from node %d: %w", v.NodeID, v.Err)
		}
		for _, k := range needs {
			if _, ok := v.KeyMaxVersion(k); !ok {
				missing[fmt.Sprintf("%s (%d)", kmsg.NameForKey(k), k)] = true
			}
		}
	}
	out := make([]string, 0, len(missing))
	for m := range missing {
		out = append(out, m)
	}
	sort.Strings(out)
	return out, nil
}

// describeMissing is the skip message for a suite whose APIs the broker does not serve.
func describeMissing(suite string, missing []string) string {
	return fmt.Sprintf("suite %s skipped: the broker does not advertise %s in ApiVersions (consumer groups not served yet)",
		suite, strings.Join(missing, ", "))
}
