package metadata

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// frameVersion is the first byte of every encoded record.
const frameVersion = 1

// Encode frames r as: frame version (1 byte) | api key (uvarint) | record
// version (uvarint) | JSON body.
func Encode(r Record) ([]byte, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("metadata: encode record %T: %w", r, err)
	}
	out := make([]byte, 0, len(body)+4)
	out = append(out, frameVersion)
	out = binary.AppendUvarint(out, uint64(r.APIKey()))
	out = binary.AppendUvarint(out, uint64(r.Version()))
	return append(out, body...), nil
}

// MustEncode is Encode for records built by our own code, whose encoding
// cannot fail (all fields are plain values).
func MustEncode(r Record) []byte {
	b, err := Encode(r)
	if err != nil {
		panic(err)
	}
	return b
}

// EncodeAll encodes records in order.
func EncodeAll(rs []Record) ([][]byte, error) {
	out := make([][]byte, len(rs))
	for i, r := range rs {
		b, err := Encode(r)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// Decode parses one framed record.
func Decode(b []byte) (Record, error) {
	if len(b) < 3 || b[0] != frameVersion {
		return nil, fmt.Errorf("metadata: bad record frame (len %d)", len(b))
	}
	b = b[1:]
	key, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, fmt.Errorf("metadata: bad record api key")
	}
	b = b[n:]
	ver, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, fmt.Errorf("metadata: bad record version")
	}
	b = b[n:]
	r := newRecord(int16(key))
	if r == nil {
		return nil, fmt.Errorf("metadata: unknown record api key %d", key)
	}
	if int16(ver) > r.Version() {
		return nil, fmt.Errorf("metadata: record api key %d version %d is newer than supported %d", key, ver, r.Version())
	}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("metadata: decode record api key %d: %w", key, err)
	}
	return r, nil
}
