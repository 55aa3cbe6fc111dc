// Package metaprops reads and writes the per-directory meta.properties
// files of Kafka 4.x (KRaft, version 1), formats storage directories, and
// writes bootstrap.json for a dynamic controller quorum.
package metaprops

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// UUID is a Kafka Uuid: 16 bytes, printed as 22 characters of URL-safe
// base64 without padding.
type UUID [16]byte

func (u UUID) String() string { return base64.RawURLEncoding.EncodeToString(u[:]) }

// IsZero reports the all-zero (unassigned) id.
func (u UUID) IsZero() bool { return u == UUID{} }

// ParseUUID parses Kafka's 22-character base64 form.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 16 || len(s) != 22 {
		return u, fmt.Errorf("%q is not a valid Kafka UUID (22 characters of URL-safe base64 encoding 16 bytes)", s)
	}
	copy(u[:], b)
	return u, nil
}

// reserved ids Kafka never hands out: zero (unassigned), one (lost dir /
// metadata topic id is 0...01 as well).
func reserved(u UUID) bool {
	var one UUID
	one[15] = 1
	return u.IsZero() || u == one
}

// RandomUUID draws a version-4 UUID from r (crypto/rand when nil), skipping
// reserved values and ids whose text starts with '-' (which would look like
// a command-line flag), exactly the values Kafka's Uuid.randomUuid avoids.
func RandomUUID(r io.Reader) (UUID, error) {
	if r == nil {
		r = rand.Reader
	}
	for {
		var u UUID
		if _, err := io.ReadFull(r, u[:]); err != nil {
			return UUID{}, fmt.Errorf("generating uuid: %w", err)
		}
		u[6] = u[6]&0x0f | 0x40 // version 4
		u[8] = u[8]&0x3f | 0x80 // IETF variant
		if reserved(u) || strings.HasPrefix(u.String(), "-") {
			continue
		}
		return u, nil
	}
}

// NewClusterID returns a fresh random cluster id, like
// `kafka-storage random-uuid`.
func NewClusterID() (string, error) {
	u, err := RandomUUID(nil)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
