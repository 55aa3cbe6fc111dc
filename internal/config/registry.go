package config

import (
	"sort"
	"strings"
)

var brokerDefs = func() []*Def {
	var all []*Def
	for _, group := range [][]*Def{brokerServerDefs, brokerLogDefs, brokerCoordDefs, brokerSecurityDefs, brokerHTTPDefs} {
		all = append(all, group...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}()

var brokerIndex = defIndex(brokerDefs)

func init() {
	sort.Slice(topicDefs, func(i, j int) bool { return topicDefs[i].Name < topicDefs[j].Name })
	// Every broker property a topic config inherits from must be defined;
	// a typo here would silently lose a default.
	for _, d := range topicDefs {
		for _, s := range d.Synonyms {
			if _, ok := brokerIndex[s]; !ok {
				panic("config: topic config " + d.Name + " inherits from undefined broker config " + s)
			}
		}
	}
}

// BrokerDefs returns every broker config definition, sorted by name.
func BrokerDefs() []*Def { return brokerDefs }

// LookupBroker finds a broker config definition. Listener-prefixed keys
// (listener.name.<listener>.<key>, and the mechanism-prefixed SASL form)
// resolve to the definition of the key they override.
func LookupBroker(name string) (*Def, bool) {
	if d, ok := brokerIndex[name]; ok {
		return d, true
	}
	if base, ok := listenerBase(name); ok {
		if d, ok := brokerIndex[base]; ok {
			return d, true
		}
	}
	return nil, false
}

// listenerBase strips "listener.name.<name>." and an optional
// "<mechanism>." (for sasl.jaas.config and friends) from a key.
func listenerBase(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "listener.name.")
	if !ok {
		return "", false
	}
	_, key, ok := strings.Cut(rest, ".")
	if !ok {
		return "", false
	}
	if _, known := brokerIndex[key]; known {
		return key, true
	}
	// listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config
	if _, k2, ok := strings.Cut(key, "."); ok {
		if _, known := brokerIndex[k2]; known {
			return k2, true
		}
	}
	return key, true
}

// isListenerPrefixed reports keys of the listener.name.* family, which
// Kafka accepts for any listener and any SASL/SSL sub-key.
func isListenerPrefixed(name string) bool { return strings.HasPrefix(name, "listener.name.") }
