package api

// ApiVersions v0-4. A request newer than v4 is answered in v0 with
// UNSUPPORTED_VERSION and the full list, so the client can pick (KIP-511).

import (
	"regexp"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Kafka's rule for client software names and versions (KIP-511).
var softwareNameRe = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$`)

func (b *Broker) apiVersionsResponse() *kmsg.ApiVersionsResponse {
	resp := kmsg.NewPtrApiVersionsResponse()
	for _, v := range ServedAPIs() {
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey = v.Key
		k.MinVersion = v.advertisedMin()
		k.MaxVersion = v.Max
		resp.ApiKeys = append(resp.ApiKeys, k)
	}
	return resp
}

func (b *Broker) handleApiVersions(req *kmsg.ApiVersionsRequest) *kmsg.ApiVersionsResponse {
	resp := b.apiVersionsResponse()
	if req.Version >= 3 && (!softwareNameRe.MatchString(req.ClientSoftwareName) || !softwareNameRe.MatchString(req.ClientSoftwareVersion)) {
		resp.ErrorCode = kerr.InvalidRequest.Code
	}
	return resp
}
