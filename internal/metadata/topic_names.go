package metadata

import (
	"fmt"
	"strings"
)

const maxTopicNameLen = 249

// ValidateTopicName applies Kafka's topic name rules; the controller
// refuses illegal names and the broker answers them in Metadata.
func ValidateTopicName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("topic name is illegal, it can't be empty")
	case name == "." || name == "..":
		return fmt.Errorf("topic name cannot be \".\" or \"..\"")
	case len(name) > maxTopicNameLen:
		return fmt.Errorf("topic name is illegal, it can't be longer than %d characters, topic name: %s", maxTopicNameLen, name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("topic name %s is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'", name)
		}
	}
	return nil
}

// CollisionName maps '.' to '_': Kafka refuses topics whose names differ
// only there, because metric names would collide.
func CollisionName(name string) string { return strings.ReplaceAll(name, ".", "_") }
