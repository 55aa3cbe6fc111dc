package telemetry

import (
	"testing"

	"github.com/odradek/odradek/internal/record"
)

func TestDecodePayloadCodecs(t *testing.T) {
	raw := gaugePayload(t, "org.apache.kafka.producer.record.send.rate", 7)
	for _, c := range []record.Codec{record.CodecNone, record.CodecGzip, record.CodecSnappy, record.CodecLZ4, record.CodecZstd} {
		data := raw
		if c != record.CodecNone {
			var err error
			if data, err = record.Compress(c, raw); err != nil {
				t.Fatalf("%s: compress: %v", c, err)
			}
		}
		md, err := decodePayload(int8(c), data)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if got := md.GetResourceMetrics()[0].GetScopeMetrics()[0].GetMetrics()[0].GetName(); got != "org.apache.kafka.producer.record.send.rate" {
			t.Errorf("%s: decoded metric %q", c, got)
		}
	}
	for name, tc := range map[string]struct {
		codec int8
		data  []byte
	}{
		"not protobuf":      {0, []byte{0xff, 0xff, 0xff}},
		"not gzip":          {int8(record.CodecGzip), raw},
		"truncated zstd":    {int8(record.CodecZstd), []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00}},
		"not lz4":           {int8(record.CodecLZ4), raw},
		"protobuf cut half": {0, raw[:len(raw)/2]},
	} {
		if _, err := decodePayload(tc.codec, tc.data); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func TestPromName(t *testing.T) {
	for in, want := range map[string]string{
		"org.apache.kafka.producer.record.send.rate": "org_apache_kafka_producer_record_send_rate",
		"kafka.server.x":         "client_kafka_server_x",
		"odradek_y":              "client_odradek_y",
		"9lives":                 "_9lives",
		"a-b c":                  "a_b_c",
		"":                       "",
		"org.apache.kafka:x.y-z": "org_apache_kafka:x_y_z",
	} {
		if got := promName(in); got != want {
			t.Errorf("promName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"__name__": "_name__", "node.id": "node_id", "9x": "_9x", "___a": "_a"} {
		if got := labelName(in); got != want {
			t.Errorf("labelName(%q) = %q, want %q", in, got, want)
		}
	}
}
