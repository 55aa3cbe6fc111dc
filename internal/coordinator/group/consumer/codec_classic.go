package consumer

import "fmt"

// writeClassicTag ends a member metadata value with tagged field 0, the
// nullable ClassicMemberMetadata struct: size, a presence marker (uvarint 1),
// then SessionTimeoutMs and the supported protocols, or for members of the
// consumer protocol the field with just a null marker (uvarint 0), which is
// what Kafka 4.3 writes.
func writeClassicTag(v *writer, c *ClassicMemberMetadata) {
	if c == nil {
		v.uvarint(1)
		v.uvarint(0)
		v.uvarint(1)
		v.uvarint(0)
		return
	}
	s := &writer{}
	s.uvarint(1)
	s.i32(c.SessionTimeoutMs)
	s.clen(len(c.SupportedProtocols))
	for _, p := range c.SupportedProtocols {
		s.cstr(p.Name)
		s.clen(len(p.Metadata))
		s.b = append(s.b, p.Metadata...)
		s.noTags()
	}
	s.noTags()
	v.uvarint(1)
	v.uvarint(0)
	v.uvarint(uint64(len(s.b)))
	v.b = append(v.b, s.b...)
}

func classicTag(dst **ClassicMemberMetadata) func(uint64, []byte) error {
	return func(tag uint64, data []byte) error {
		if tag != 0 {
			return nil
		}
		r := &reader{b: data}
		if r.uvarint() == 0 {
			*dst = nil
			return r.done()
		}
		c := &ClassicMemberMetadata{SessionTimeoutMs: r.i32()}
		n := r.clen()
		if n < 0 && r.err == nil {
			return fmt.Errorf("classic member metadata: null supported protocols")
		}
		for i := 0; i < n && r.err == nil; i++ {
			p := ClassicProtocol{Name: r.cstr()}
			m := r.clen()
			if m < 0 && r.err == nil {
				return fmt.Errorf("classic member metadata: null metadata of protocol %q", p.Name)
			}
			p.Metadata = append([]byte{}, r.take(m)...)
			r.tags(nil)
			c.SupportedProtocols = append(c.SupportedProtocols, p)
		}
		r.tags(nil)
		if err := r.done(); err != nil {
			return fmt.Errorf("classic member metadata: %w", err)
		}
		*dst = c
		return nil
	}
}
