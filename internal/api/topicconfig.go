package api

import (
	"strconv"
	"sync"

	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/metadata"
)

// topicConfigs caches effective topic configs per metadata image, so the
// produce path does not recompute config inheritance on every request.
type topicConfigs struct {
	mu    sync.Mutex
	img   *metadata.Image
	cache map[string]map[string]string
}

// effective returns every topic config key with its effective value.
func (b *Broker) topicConfig(img *metadata.Image, topic string) map[string]string {
	tc := &b.topicCfgs
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.img != img {
		tc.img, tc.cache = img, map[string]map[string]string{}
	}
	if c, ok := tc.cache[topic]; ok {
		return c
	}
	c := config.EffectiveTopicConfig(b.cfg.Static, img.BrokerConfig(-1), img.BrokerConfig(b.cfg.NodeID), img.TopicConfig(topic))
	tc.cache[topic] = c
	return c
}

func (b *Broker) minInsyncReplicas(img *metadata.Image, topic string) int {
	n, err := strconv.Atoi(b.topicConfig(img, topic)["min.insync.replicas"])
	if err != nil || n < 1 {
		return 1
	}
	return n
}
