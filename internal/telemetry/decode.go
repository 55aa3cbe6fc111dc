package telemetry

import (
	"fmt"

	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/odradek/odradek/internal/record"
)

// decodePayload decompresses a pushed payload with the codec the client
// named (Kafka's compression type ids, the same framing as record batches)
// and decodes it as an OTLP MetricsData message.
func decodePayload(compression int8, data []byte) (*metricspb.MetricsData, error) {
	raw := data
	if c := record.Codec(compression); c != record.CodecNone {
		var err error
		if raw, err = record.Decompress(c, data); err != nil {
			return nil, fmt.Errorf("decompressing the %s telemetry payload: %w", c, err)
		}
	}
	md := &metricspb.MetricsData{}
	if err := proto.Unmarshal(raw, md); err != nil {
		return nil, fmt.Errorf("decoding the telemetry payload as OTLP MetricsData: %w", err)
	}
	return md, nil
}
