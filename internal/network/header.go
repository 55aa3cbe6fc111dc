package network

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// RequestHeader is the Kafka request header (v1, or v2 with tagged fields
// for flexible versions). v0 is not accepted: every request kept by Kafka 4
// carries a client id.
type RequestHeader struct {
	APIKey        int16
	APIVersion    int16
	CorrelationID int32
	ClientID      string
	// bodyOffset is where the request body starts in the frame.
	bodyOffset int
}

var errShortHeader = errors.New("request header truncated")

// parseHeaderPrefix reads the fixed fields and the client id; tagged fields
// are read by skipTags once the version is known to be flexible.
func parseHeaderPrefix(frame []byte) (RequestHeader, error) {
	var h RequestHeader
	if len(frame) < 10 {
		return h, errShortHeader
	}
	h.APIKey = int16(binary.BigEndian.Uint16(frame[0:]))
	h.APIVersion = int16(binary.BigEndian.Uint16(frame[2:]))
	h.CorrelationID = int32(binary.BigEndian.Uint32(frame[4:]))
	n := int16(binary.BigEndian.Uint16(frame[8:]))
	off := 10
	if n >= 0 {
		if len(frame) < off+int(n) {
			return h, errShortHeader
		}
		h.ClientID = string(frame[off : off+int(n)])
		off += int(n)
	} else if n < -1 {
		return h, fmt.Errorf("invalid client id length %d", n)
	}
	h.bodyOffset = off
	return h, nil
}

// skipTags advances past a tagged-field section starting at off.
func skipTags(b []byte, off int) (int, error) {
	count, n := binary.Uvarint(b[off:])
	if n <= 0 {
		return 0, errShortHeader
	}
	off += n
	for i := uint64(0); i < count; i++ {
		_, n = binary.Uvarint(b[off:])
		if n <= 0 {
			return 0, errShortHeader
		}
		off += n
		size, n := binary.Uvarint(b[off:])
		if n <= 0 || uint64(len(b)-off-n) < size {
			return 0, errShortHeader
		}
		off += n + int(size)
	}
	return off, nil
}
