package config

import (
	"fmt"
	"strings"
)

//go:generate go test -run TestConfigurationDocIsCurrent -update .

// Markdown renders docs/configuration.md from the definition table, so the
// documentation cannot drift from what the server accepts.
func Markdown() string {
	var b strings.Builder
	b.WriteString(strings.Replace(docIntro, "{{DEV}}", strings.Join(DevDefaults(), "\n"), 1))
	b.WriteString("\n## Broker configs\n\n")
	b.WriteString("Update mode: *read-only* needs a restart; *per-broker* can be changed at runtime for one broker; " +
		"*cluster-wide* can also be changed as a cluster-wide default (`kafka-configs --entity-type brokers --entity-default`).\n\n")
	b.WriteString("| Name | Type | Default | Valid values | Importance | Update mode | Description |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, d := range brokerDefs {
		if d.Internal {
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n",
			d.Name, d.Type, docDefault(d), docValid(d), d.Importance, d.Scope, cell(d.Doc))
	}
	b.WriteString("\n## Topic configs\n\n")
	b.WriteString("A topic without an override uses the server default property (the first one set, in the order shown); " +
		"`retention.ms`, `segment.ms` and `segment.jitter.ms` convert hours and minutes to milliseconds. " +
		"All topic configs can be changed at runtime.\n\n")
	b.WriteString("| Name | Type | Default | Valid values | Server default property | Description |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, d := range topicDefs {
		if d.Internal {
			continue
		}
		syn := ""
		for i, s := range d.Synonyms {
			if i > 0 {
				syn += ", "
			}
			syn += "`" + s + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n",
			d.Name, d.Type, docDefault(d), docValid(d), syn, cell(d.Doc))
	}
	b.WriteString("\n## Group configs\n\n")
	b.WriteString("Per-group overrides (`kafka-configs --entity-type groups --entity-name <group>`), stored in the metadata log. " +
		"A group without an override uses the broker property shown, and a value must lie within that property's " +
		"`group.<type>.min.*` and `group.<type>.max.*` bounds. The consumer keys take effect at the group's next heartbeat; " +
		"share and streams groups are not served yet, so their keys are stored and validated only.\n\n")
	b.WriteString("| Name | Type | Default | Valid values | Server default property | Description |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, d := range groupDefs {
		broker := ""
		if d.Broker != "" {
			broker = "`" + d.Broker + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n",
			d.Name, d.Type, docDefault(d.Def), docValid(d.Def), broker, cell(d.Doc))
	}
	return b.String()
}

func docDefault(d *Def) string {
	if d.NullDefault {
		return "null"
	}
	if d.Default == "" {
		return `""`
	}
	return "`" + d.Default + "`"
}

func docValid(d *Def) string {
	if d.Valid == nil {
		return ""
	}
	return cell(d.Valid.String())
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

const docIntro = `# Configuration

<!-- Generated from internal/config by ` + "`go generate ./internal/config`" + `; do not edit by hand. -->

Odradek reads Apache Kafka 4.x configuration: the same ` + "`server.properties`" + ` keys,
types, defaults and validation rules, so an existing KRaft config file works unchanged.

## Where settings come from

Later sources override earlier ones:

1. built-in defaults (the tables below);
2. the properties file given with ` + "`odradek server --config server.properties`" + `;
3. ` + "`KAFKA_*`" + ` environment variables;
4. ` + "`--override key=value`" + ` flags.

Environment variables are mapped like the Apache Kafka container images do: drop ` + "`KAFKA_`" + `,
lower-case, then ` + "`___`" + ` becomes ` + "`-`" + `, ` + "`__`" + ` becomes ` + "`_`" + ` and ` + "`_`" + ` becomes ` + "`.`" + `. So
` + "`KAFKA_NODE_ID=1`" + ` sets ` + "`node.id`" + ` and ` + "`KAFKA_LISTENER_NAME_SASL__SSL_SCRAM___SHA___256_SASL_JAAS_CONFIG`" + `
sets ` + "`listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config`" + `. The images' own variables
(` + "`KAFKA_HEAP_OPTS`, `KAFKA_OPTS`, `KAFKA_JVM_PERFORMANCE_OPTS`, `KAFKA_GC_LOG_OPTS`, `KAFKA_JMX_*`, `KAFKA_LOG4J_*`, `KAFKA_VERSION`, `KAFKA_HOME`" + ` ...)
are ignored. ` + "`CLUSTER_ID`" + ` is the cluster id used when storage is formatted automatically.

An invalid value stops the server with a message naming the key, the value and where it was set.
Unknown keys (settings of other components, JVM-only settings, removed ZooKeeper settings) are
logged as warnings and otherwise ignored. The server also applies Kafka's cross-checks:
` + "`node.id`" + ` and ` + "`process.roles`" + ` are required, a controller must listen on its
` + "`controller.listener.names`" + ` and be one of ` + "`controller.quorum.voters`" + `, a broker-only node must not,
every listener needs a security protocol, advertised listeners cannot use ` + "`0.0.0.0`" + `, and so on.

### Development mode

` + "`odradek server`" + ` without ` + "`--config`" + ` runs a single combined broker and controller with:

` + "```properties" + `
{{DEV}}
` + "```" + `

and formats ` + "`./data`" + ` with a new cluster id on first start.

## Storage

Each log directory (and ` + "`metadata.log.dir`" + `) holds a ` + "`meta.properties`" + ` exactly like Kafka 4.x writes it
(` + "`version=1`, `cluster.id`, `node.id`, `directory.id`" + `). With a config file, format once before the first start:

` + "```sh" + `
odradek storage format -t "$(odradek storage random-uuid)" -c server.properties --standalone
odradek storage info -c server.properties
` + "```" + `

The flags are kafka-storage's: ` + "`-t/--cluster-id`, `-c/--config`, `-g/--ignore-formatted`, `-s/--standalone`,\n`-I/--initial-controllers id@host:port:directoryId,...`, `-N/--no-initial-controllers`" + `. With
` + "`--standalone`" + ` or ` + "`--initial-controllers`" + ` the initial voters are written to
` + "`<metadata.log.dir>/bootstrap.json`" + ` and used when ` + "`controller.quorum.voters`" + ` is empty. A symlink
named ` + "`kafka-storage`" + ` to the binary behaves as ` + "`odradek storage`" + `.

## Dynamic configs and DescribeConfigs

Topic configs and the dynamic broker configs below can be changed at runtime with
` + "`kafka-configs`" + ` (IncrementalAlterConfigs). DescribeConfigs reports, for every config, the value,
its source (` + "`DYNAMIC_TOPIC_CONFIG`, `DYNAMIC_BROKER_CONFIG`, `DYNAMIC_DEFAULT_BROKER_CONFIG`,\n`STATIC_BROKER_CONFIG`, `DEFAULT_CONFIG`" + `) and the synonyms in Kafka's order. As in Kafka, when a
topic's retention comes only from ` + "`log.retention.hours`" + ` or ` + "`log.retention.minutes`" + ` (not
` + "`log.retention.ms`" + `), ` + "`retention.ms`" + ` shows the right value but no synonyms; the same holds for
` + "`segment.ms`" + ` with ` + "`log.roll.hours`" + `. Password values are never returned.
`
