package metadata

import (
	"encoding/base64"
	"fmt"
	"io"
)

// UUID is a Kafka Uuid (topic ids, incarnation ids). Its text form is
// Kafka's: URL-safe base64 without padding (22 characters).
type UUID [16]byte

// ZeroUUID is Kafka's Uuid.ZERO_UUID.
var ZeroUUID UUID

// NewUUID draws a random version-4 UUID from r, as Kafka's Uuid.randomUuid
// does, skipping the reserved all-zero id and ids whose text starts with '-'.
func NewUUID(r io.Reader) (UUID, error) {
	for {
		var u UUID
		if _, err := io.ReadFull(r, u[:]); err != nil {
			return u, fmt.Errorf("metadata: read randomness for uuid: %w", err)
		}
		u[6] = u[6]&0x0f | 0x40
		u[8] = u[8]&0x3f | 0x80
		if u != ZeroUUID && u.String()[0] != '-' {
			return u, nil
		}
	}
}

func (u UUID) String() string { return base64.RawURLEncoding.EncodeToString(u[:]) }

// IsZero reports whether u is the zero id.
func (u UUID) IsZero() bool { return u == ZeroUUID }

// ParseUUID parses Kafka's text form.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return u, fmt.Errorf("metadata: invalid uuid %q", s)
	}
	copy(u[:], b)
	return u, nil
}

func (u UUID) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

func (u *UUID) UnmarshalText(b []byte) error {
	v, err := ParseUUID(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}
