package cli

// consumer-groups --delete and --delete-offsets.

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// errorText renders a broker error as "CODE_NAME: description".
func errorText(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Message + ": " + ke.Description
	}
	return err.Error()
}

// errorDescription is Kafka's message for a broker error code.
func errorDescription(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Description
	}
	return err.Error()
}

func quoteGroups(groups []string) string {
	q := make([]string, len(groups))
	for i, g := range groups {
		q[i] = "'" + g + "'"
	}
	return strings.Join(q, ", ")
}

func (s *groupService) deleteGroups() error {
	ids, err := s.groupIDs()
	if err != nil {
		return err
	}
	out := s.cmd.OutOrStdout()
	if len(ids) == 0 {
		fmt.Fprintln(out, "Deletion of requested consumer groups () was successful.")
		return nil
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.adm.DeleteGroups(ctx, ids...)
	if err != nil && len(resp) == 0 {
		return fmt.Errorf("delete groups: %w", err)
	}
	var ok, failed []string
	for _, id := range ids {
		if r, found := resp[id]; found && r.Err == nil {
			ok = append(ok, id)
		} else {
			failed = append(failed, id)
		}
	}
	if len(failed) == 0 {
		fmt.Fprintf(out, "Deletion of requested consumer groups (%s) was successful.\n", quoteGroups(ok))
		return nil
	}
	s.printError("Deletion of some consumer groups failed:")
	for _, id := range failed {
		reason := "no answer from the group coordinator"
		if r, found := resp[id]; found {
			reason = errorText(r.Err)
			if r.ErrMessage != "" {
				reason = r.ErrMessage
			}
		}
		fmt.Fprintf(out, "* Group '%s' could not be deleted due to: %s\n", id, reason)
	}
	if len(ok) > 0 {
		fmt.Fprintf(out, "\nThese consumer groups were deleted successfully: %s\n", quoteGroups(ok))
	}
	return s.result()
}

func (s *groupService) deleteOffsets() error {
	group := s.o.groups[0]
	out := s.cmd.OutOrStdout()
	results := map[topicPartition]error{}
	set := kadm.TopicsSet{}
	var whole []string
	for _, t := range dedupe(s.o.topics) {
		if !strings.Contains(t, ":") {
			whole = append(whole, t)
			continue
		}
		tps, err := parseTopicWithPartitions(t)
		if err != nil {
			return err
		}
		for _, tp := range tps {
			set.Add(tp.Topic, tp.Partition)
		}
	}
	if len(whole) > 0 {
		md, err := s.topicMetadata(whole)
		if err != nil {
			return err
		}
		for _, t := range whole {
			if md[t].Err != nil {
				results[topicPartition{t, -1}] = md[t].Err
				continue
			}
			for p := range md[t].Partitions {
				set.Add(t, p)
			}
		}
	}
	var topErr error
	if len(set) > 0 {
		ctx, cancel := s.ctx()
		resp, err := s.adm.DeleteOffsets(ctx, group, set)
		cancel()
		topErr = err
		for t, ps := range set {
			for p := range ps {
				tp := topicPartition{t, p}
				switch {
				case err != nil:
					results[tp] = err
				default:
					results[tp] = resp[t][p]
					if resp[t][p] != nil && topErr == nil {
						topErr = resp[t][p]
					}
				}
			}
		}
	}
	switch {
	case topErr == nil:
		fmt.Fprintf(out, "Request succeeded for deleting offsets from group %s.\n", group)
	case errors.Is(topErr, kerr.InvalidGroupID), errors.Is(topErr, kerr.GroupIDNotFound),
		errors.Is(topErr, kerr.GroupAuthorizationFailed), errors.Is(topErr, kerr.NonEmptyGroup):
		s.printError(errorDescription(topErr))
	case errors.Is(topErr, kerr.GroupSubscribedToTopic), errors.Is(topErr, kerr.TopicAuthorizationFailed),
		errors.Is(topErr, kerr.UnknownTopicOrPartition):
		s.printError("Encountered some partition-level error, see the follow-up details.")
	default:
		s.printError("Encountered some unknown error: " + errorText(topErr))
	}
	tw := 15
	keys := sortedPartitions(results)
	for _, tp := range keys {
		tw = max(tw, len(tp.Topic))
	}
	// Kafka orders rows by the string topic+partition.
	sort.SliceStable(keys, func(i, j int) bool {
		return keys[i].Topic+strconv.Itoa(int(keys[i].Partition)) < keys[j].Topic+strconv.Itoa(int(keys[j].Partition))
	})
	format := "\n%-" + strconv.Itoa(tw) + "s %-10s %-15s"
	fmt.Fprintf(out, format, "TOPIC", "PARTITION", "STATUS")
	for _, tp := range keys {
		partition := missingColumn
		if tp.Partition >= 0 {
			partition = strconv.Itoa(int(tp.Partition))
		}
		status := "Successful"
		if err := results[tp]; err != nil {
			status = "Error: " + errorDescription(err)
		}
		fmt.Fprintf(out, format, tp.Topic, partition, status)
	}
	fmt.Fprintln(out)
	return s.result()
}
