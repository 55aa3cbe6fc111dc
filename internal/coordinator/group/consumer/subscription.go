package consumer

import (
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
)

// compileRegex compiles a subscription regex with Kafka's semantics: the
// pattern must match the whole topic name. Kafka uses RE2/J; Go's regexp is
// also RE2, so the accepted syntax is the same except for RE2/J's Java
// flags and Java-only escapes (\p{javaLowerCase} and similar), which Go
// rejects as INVALID_REGULAR_EXPRESSION.
func compileRegex(re string) (*regexp.Regexp, error) {
	// Compile the pattern alone first so errors quote what the client sent.
	if _, err := regexp.Compile(re); err != nil {
		return nil, err
	}
	return regexp.Compile("^(?:" + re + ")$")
}

// resolveRegex lists, sorted, the topic names in the image matching re.
func (g *Group) resolveRegex(re string) []string {
	c, err := compileRegex(re)
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range g.md.Topics {
		if c.MatchString(t.Name) {
			out = append(out, t.Name)
		}
	}
	sort.Strings(out)
	return out
}

// refreshRegexes re-resolves every regex in use against a newer image and
// drops resolutions no member uses any more. It reports whether any
// resolution changed the subscribed topics.
func (g *Group) refreshRegexes(out *[]Record) bool {
	inUse := map[string]bool{}
	for _, id := range g.sortedMemberIDs() {
		if re := g.members[id].meta.SubscribedTopicRegex; re != nil && *re != "" {
			inUse[*re] = true
		}
	}
	changed := false
	var res []string
	for re := range g.regexes {
		res = append(res, re)
	}
	for re := range inUse {
		if _, ok := g.regexes[re]; !ok {
			res = append(res, re)
		}
	}
	sort.Strings(res)
	for _, re := range res {
		prev, known := g.regexes[re]
		if !inUse[re] {
			g.emit(out, &RegularExpressionRecord{Group: g.id, RegularExpression: re, Tombstone: true})
			changed = true
			continue
		}
		if known && g.regexChecked[re] == g.md.Version {
			continue
		}
		topics := g.resolveRegex(re)
		if known && slices.Equal(prev.Topics, topics) {
			g.regexChecked[re] = g.md.Version
			continue
		}
		g.emit(out, &RegularExpressionRecord{Group: g.id, RegularExpression: re, Topics: topics,
			Version: g.md.Version, Timestamp: g.clk.Now().UnixMilli()})
		changed = true
	}
	return changed
}

// subscribedNames is the sorted union of a member's topic names and its
// regex's resolved topics.
func (g *Group) subscribedNames(m *member) []string {
	names := slices.Clone(m.meta.SubscribedTopicNames)
	if re := m.meta.SubscribedTopicRegex; re != nil && *re != "" {
		if r, ok := g.regexes[*re]; ok {
			names = append(names, r.Topics...)
		}
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// computeMetadataHash hashes the metadata of every topic some member
// subscribes to; a change (new partitions, racks, a topic created or
// recreated) bumps the group epoch.
func (g *Group) computeMetadataHash() int64 {
	all := map[string]bool{}
	for _, m := range g.members {
		for _, n := range g.subscribedNames(m) {
			all[n] = true
		}
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	h := fnv.New64a()
	for _, n := range names {
		t, ok := g.topicByName(n)
		if !ok {
			continue
		}
		h.Write([]byte(n))
		h.Write(t.ID[:])
		h.Write([]byte(strconv.Itoa(int(t.Partitions))))
		for p, racks := range t.PartitionRacks {
			h.Write([]byte(strconv.Itoa(p)))
			rs := slices.Clone(racks)
			sort.Strings(rs)
			for _, r := range rs {
				h.Write([]byte(r))
				h.Write([]byte{0})
			}
		}
		h.Write([]byte{0xff})
	}
	return int64(h.Sum64())
}

// subscribedTopicIDs resolves a member's subscription to topic ids that
// exist in the image.
func (g *Group) subscribedTopicIDs(m *member) map[[16]byte]bool {
	ids := map[[16]byte]bool{}
	for _, n := range g.subscribedNames(m) {
		if t, ok := g.topicByName(n); ok {
			ids[t.ID] = true
		}
	}
	return ids
}

// regexProblem is the part of a regexp compile error after "error parsing
// regexp: ", which names what is wrong.
func regexProblem(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s: `%s`", se.Code, se.Expr)
	}
	return err.Error()
}
