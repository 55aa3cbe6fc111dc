package cli

// consumer-groups --list: the consumer groups of the cluster, optionally with
// their type and state and filtered by them.

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupListing is one group from ListGroups.
type groupListing struct {
	Group, Type, State, ProtocolType string
}

// consumerGroupStates are the states Kafka accepts for consumer groups, in
// the order its error message lists them.
var consumerGroupStates = []string{"Assigning", "PreparingRebalance", "Stable", "Reconciling", "Empty", "CompletingRebalance", "Dead"}

// canonicalState maps a state name in any case to Kafka's spelling, or
// "Unknown".
func canonicalState(s string) string {
	for _, st := range append(consumerGroupStates, "NotReady") {
		if strings.EqualFold(st, strings.TrimSpace(s)) {
			return st
		}
	}
	return "Unknown"
}

func canonicalType(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "classic":
		return "Classic"
	case "consumer":
		return "Consumer"
	case "share":
		return "Share"
	case "streams":
		return "Streams"
	}
	return "Unknown"
}

// parseStateFilter parses --state's comma-separated list.
func parseStateFilter(input string) ([]string, error) {
	if optValue(input) == "" {
		return nil, nil
	}
	var out []string
	for _, s := range strings.Split(input, ",") {
		st := canonicalState(s)
		if st == "Unknown" || st == "NotReady" {
			return nil, fmt.Errorf("Invalid state list '%s'. Valid states are: %s", input, strings.Join(consumerGroupStates, ", "))
		}
		out = append(out, st)
	}
	return out, nil
}

// parseTypeFilter parses --type's comma-separated list (classic, consumer).
func parseTypeFilter(input string) ([]string, error) {
	if optValue(input) == "" {
		return nil, nil
	}
	var out []string
	for _, s := range strings.Split(strings.ToLower(input), ",") {
		t := canonicalType(s)
		if t != "Classic" && t != "Consumer" {
			return nil, fmt.Errorf("Invalid types list '%s'. Valid types are: Consumer, Classic", input)
		}
		out = append(out, strings.ToLower(t))
	}
	return out, nil
}

// listConsumerGroups lists the groups consumers use (classic groups with the
// "consumer" protocol or only committed offsets, and KIP-848 groups),
// optionally filtered by type and state, sorted by name.
func (s *groupService) listConsumerGroups(types, states []string) ([]groupListing, error) {
	if !s.supports(int16(kmsg.ListGroups)) {
		return nil, errors.New("the cluster does not support ListGroups: it has no consumer groups support")
	}
	ctx, cancel := s.ctx()
	defer cancel()
	req := kmsg.NewPtrListGroupsRequest()
	req.StatesFilter = states
	req.TypesFilter = types
	if len(types) == 0 {
		req.TypesFilter = []string{"classic", "consumer"}
	}
	var out []groupListing
	seen := map[string]bool{}
	for _, shard := range s.cl.RequestSharded(ctx, req) {
		if shard.Err != nil {
			return nil, fmt.Errorf("list groups on broker %d: %w", shard.Meta.NodeID, shard.Err)
		}
		resp := shard.Resp.(*kmsg.ListGroupsResponse)
		if err := brokerError(resp.ErrorCode, nil); err != nil {
			return nil, fmt.Errorf("list groups on broker %d: %w", shard.Meta.NodeID, err)
		}
		for _, g := range resp.Groups {
			if g.ProtocolType != "" && g.ProtocolType != "consumer" {
				continue
			}
			if seen[g.Group] {
				continue
			}
			l := groupListing{Group: g.Group, Type: canonicalType(g.GroupType), State: canonicalState(g.GroupState), ProtocolType: g.ProtocolType}
			// A broker too old for the filters answers every group: filter here too.
			if len(states) > 0 && !contains(states, l.State) {
				continue
			}
			if len(types) > 0 && l.Type != "Unknown" && !contains(types, strings.ToLower(l.Type)) {
				continue
			}
			seen[g.Group] = true
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out, nil
}

func (s *groupService) listGroups() error {
	out := s.cmd.OutOrStdout()
	set := s.cmd.Flags().Changed
	includeType, includeState := set("type"), set("state")
	types, err := parseTypeFilter(s.o.groupType)
	if err != nil {
		return err
	}
	states, err := parseStateFilter(s.o.state)
	if err != nil {
		return err
	}
	groups, err := s.listConsumerGroups(types, states)
	if err != nil {
		return err
	}
	if !includeType && !includeState {
		for _, g := range groups {
			fmt.Fprintln(out, g.Group)
		}
		return nil
	}
	width := 15
	for _, g := range groups {
		width = max(width, len(g.Group))
	}
	format := "%-" + strconv.Itoa(width+10) + "s"
	header := []any{"GROUP"}
	if includeType {
		format += " %-20s"
		header = append(header, "TYPE")
	}
	if includeState {
		format += " %-20s"
		header = append(header, "STATE")
	}
	format += "\n"
	fmt.Fprintf(out, format, header...)
	for _, g := range groups {
		row := []any{g.Group}
		if includeType {
			row = append(row, g.Type)
		}
		if includeState {
			row = append(row, g.State)
		}
		fmt.Fprintf(out, format, row...)
	}
	return nil
}
