package io.odradek.interop;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupType;

/**
 * Consumer groups with kafka-clients' KafkaConsumer, in one of three modes:
 * <ul>
 *   <li>{@code classic} / {@code consumer}: every member uses that group.protocol. One member
 *       subscribes and consumes, committing with commitSync; a second member joins and the two
 *       share the partitions, every record consumed exactly once; after each step
 *       Admin.listConsumerGroupOffsets must equal the end offsets, and describeConsumerGroups the
 *       group type and members.
 *   <li>{@code migration}: KIP-848 online upgrade and downgrade. A classic member forms a classic
 *       group; a consumer-protocol member joining turns it into a consumer group that keeps the
 *       classic member; when the consumer-protocol member leaves, the group is classic again.
 *       Records are consumed exactly once and offsets committed throughout.
 * </ul>
 * Usage: GroupSuite classic|consumer|migration BOOTSTRAP. Exits 1 with a message on the first
 * failed check, 2 on bad usage.
 */
public final class GroupSuite {
    private static final int PER_STEP = 40;

    private GroupSuite() {}

    public static void main(String[] args) {
        if (args.length != 2 || !List.of("classic", "consumer", "migration").contains(args[0])) {
            System.err.println("usage: GroupSuite classic|consumer|migration BOOTSTRAP");
            System.exit(2);
        }
        String mode = args[0];
        String run = mode + "-" + System.currentTimeMillis() / 1000 + "-" + ProcessHandle.current().pid();
        try (GroupMembers g = new GroupMembers(args[1], "interop-java-groups-" + run, "interop-java-group-" + run)) {
            if (mode.equals("migration")) {
                migration(g);
            } else {
                sameProtocol(g, mode);
            }
            g.admin.deleteTopics(List.of(g.topic)).all().get();
            Check.step("PASS groups " + mode);
        } catch (Check.Failure e) {
            System.err.println("FAIL [java-groups " + mode + "]: " + e.getMessage());
            System.exit(1);
        } catch (ExecutionException e) {
            System.err.println("FAIL [java-groups " + mode + "]: " + e.getCause());
            e.getCause().printStackTrace();
            System.exit(1);
        } catch (Exception e) {
            System.err.println("FAIL [java-groups " + mode + "]: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static GroupType typeOf(String protocol) {
        return protocol.equals("classic") ? GroupType.CLASSIC : GroupType.CONSUMER;
    }

    private static void sameProtocol(GroupMembers g, String protocol) throws Exception {
        GroupType type = typeOf(protocol);
        Check.step("group.protocol=" + protocol + ": member-a subscribes to " + g.topic + " alone");
        g.join("member-a", protocol);
        g.waitSettled();
        g.consumeExactlyOnce(g.produce(PER_STEP), new TreeMap<>());
        g.checkCommittedAtEnd();
        g.waitDescribed(type, List.of("member-a"));

        Check.step("member-b joins; the two share the partitions");
        Map<Integer, Long> before = g.committed();
        g.join("member-b", protocol);
        g.waitSettled();
        Map<Integer, Long> first = new TreeMap<>();
        Map<String, Integer> counts = g.consumeExactlyOnce(g.produce(PER_STEP), first);
        Check.that(counts.values().stream().allMatch(n -> n > 0), "a member consumed nothing: " + counts);
        Check.equal(before, first, "first offsets consumed after the join vs offsets committed before it");
        g.checkCommittedAtEnd();
        ConsumerGroupDescription d = g.waitDescribed(type, List.of("member-a", "member-b"));
        int assigned = 0;
        for (MemberDescription m : d.members()) {
            assigned += m.assignment().topicPartitions().size();
        }
        Check.equal(GroupMembers.PARTITIONS, assigned, "partitions assigned across the described members");
    }

    private static void migration(GroupMembers g) throws Exception {
        Check.step("classic member subscribes to " + g.topic + ": a classic group");
        g.join("classic-member", "classic");
        g.waitSettled();
        g.consumeExactlyOnce(g.produce(PER_STEP), new TreeMap<>());
        g.checkCommittedAtEnd();
        g.waitDescribed(GroupType.CLASSIC, List.of("classic-member"));

        Check.step("a consumer-protocol member joins: the group is upgraded online and keeps the classic member");
        Map<Integer, Long> before = g.committed();
        g.join("consumer-member", "consumer");
        // The member joins on its first poll, which waitSettled does. The broker must upgrade
        // the group (group.consumer.migration.policy=bidirectional, Kafka's default); a
        // GROUP_ID_NOT_FOUND here is a failure.
        g.waitSettled();
        ConsumerGroupDescription d = g.waitDescribed(GroupType.CONSUMER, List.of("classic-member", "consumer-member"));
        for (MemberDescription m : d.members()) {
            boolean upgraded = m.clientId().equals("consumer-member");
            Check.equal(java.util.Optional.of(upgraded), m.upgraded(), "upgraded() of " + m.clientId());
        }
        Map<Integer, Long> first = new TreeMap<>();
        Map<String, Integer> counts = g.consumeExactlyOnce(g.produce(PER_STEP), first);
        Check.that(counts.values().stream().allMatch(n -> n > 0), "a member consumed nothing: " + counts);
        Check.equal(before, first, "first offsets consumed after the upgrade vs offsets committed before it");
        g.checkCommittedAtEnd();

        Check.step("the consumer-protocol member leaves: the group is classic again");
        before = g.committed();
        g.leave("consumer-member");
        g.waitDescribed(GroupType.CLASSIC, List.of("classic-member"));
        g.waitSettled();
        first = new TreeMap<>();
        g.consumeExactlyOnce(g.produce(PER_STEP), first);
        Check.equal(before, first, "first offsets consumed after the downgrade vs offsets committed before it");
        g.checkCommittedAtEnd();
    }
}
