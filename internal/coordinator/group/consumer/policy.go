package consumer

import (
	"fmt"
	"strings"
)

// MigrationPolicy is group.consumer.migration.policy: whether a classic
// group may turn into a consumer group when a consumer-protocol member joins
// it (upgrade), and a consumer group back into a classic group when its last
// consumer-protocol member leaves (downgrade).
type MigrationPolicy int8

const (
	MigrationBidirectional MigrationPolicy = iota
	MigrationUpgrade
	MigrationDowngrade
	MigrationDisabled
)

var policyNames = [...]string{"bidirectional", "upgrade", "downgrade", "disabled"}

func (p MigrationPolicy) String() string {
	if int(p) < len(policyNames) && p >= 0 {
		return policyNames[p]
	}
	return fmt.Sprintf("MigrationPolicy(%d)", int8(p))
}

// ParseMigrationPolicy reads a policy name, case-insensitively.
func ParseMigrationPolicy(s string) (MigrationPolicy, error) {
	for i, n := range policyNames {
		if strings.EqualFold(s, n) {
			return MigrationPolicy(i), nil
		}
	}
	return 0, fmt.Errorf("group.consumer.migration.policy: unknown value %q (want one of %s)", s, strings.Join(policyNames[:], ", "))
}

// UpgradeAllowed reports whether classic groups may become consumer groups.
func (p MigrationPolicy) UpgradeAllowed() bool {
	return p == MigrationBidirectional || p == MigrationUpgrade
}

// DowngradeAllowed reports whether consumer groups may become classic groups.
func (p MigrationPolicy) DowngradeAllowed() bool {
	return p == MigrationBidirectional || p == MigrationDowngrade
}

// PolicyOf is ParseMigrationPolicy for a value the broker config already
// validated; anything else gives Kafka's default, bidirectional.
func PolicyOf(s string) MigrationPolicy {
	p, err := ParseMigrationPolicy(s)
	if err != nil {
		return MigrationBidirectional
	}
	return p
}
