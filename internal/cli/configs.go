package cli

// kafka-configs: describe and alter dynamic configs of topics, brokers,
// broker loggers, groups and client-metrics resources, and client quotas of
// users, clients and IPs, with the flags and output of Kafka's ConfigCommand.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(newConfigsCmd)
	registerAlias("kafka-configs", "configs")
}

const (
	entityTopics        = "topics"
	entityBrokers       = "brokers"
	entityBrokerLoggers = "broker-loggers"
	entityGroups        = "groups"
	entityClientMetrics = "client-metrics"
	entityUsers         = "users"
	entityClients       = "clients"
	entityIPs           = "ips"
)

var supportedEntityTypes = []string{entityBrokerLoggers, entityTopics, entityClients, entityUsers, entityBrokers, entityIPs, entityClientMetrics, entityGroups}

// entityArgs records --entity-name and --entity-default in command-line
// order, since Kafka pairs them positionally with --entity-type.
type entityArgs struct{ names []string }

type entityNameValue struct{ a *entityArgs }

func (v entityNameValue) String() string { return "" }
func (v entityNameValue) Type() string   { return "string" }
func (v entityNameValue) Set(s string) error {
	v.a.names = append(v.a.names, s)
	return nil
}

type entityDefaultValue struct{ a *entityArgs }

func (v entityDefaultValue) String() string { return "false" }
func (v entityDefaultValue) Type() string   { return "bool" }
func (v entityDefaultValue) Set(string) error {
	v.a.names = append(v.a.names, "")
	return nil
}

type configsOpts struct {
	bootstrap, bootstrapController, commandConfig string
	alter, describe, all                          bool
	entityType                                    []string
	entity                                        entityArgs
	addConfig, addConfigFile                      string
	deleteConfig                                  []string
	topic, client, user, broker, brokerLogger     string
	ip, group, clientMetrics                      string
	clientDefaults, userDefaults                  bool
	brokerDefaults, ipDefaults                    bool
}

func newConfigsCmd() *cobra.Command {
	o := &configsOpts{}
	cmd := &cobra.Command{
		Use:   "configs",
		Short: "Describe and alter entity configs: topics, brokers, groups, quotas (kafka-configs)",
	}
	f := cmd.Flags()
	f.StringVar(&o.bootstrap, "bootstrap-server", "", "The Kafka servers to connect to.")
	f.StringVar(&o.bootstrapController, "bootstrap-controller", "", "The Kafka controllers to connect to.")
	f.StringVar(&o.commandConfig, "command-config", "", "Property file containing configs to be passed to Admin Client.")
	f.BoolVar(&o.alter, "alter", false, "Alter the configuration for the entity.")
	f.BoolVar(&o.describe, "describe", false, "List configs for the given entity.")
	f.BoolVar(&o.all, "all", false, "List all configs for the given entity, including static configs if available.")
	f.StringArrayVar(&o.entityType, "entity-type", nil, "Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)")
	f.Var(entityNameValue{&o.entity}, "entity-name", "Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group id)")
	f.Var(entityDefaultValue{&o.entity}, "entity-default", "Default entity name for clients/users/brokers/ips (applies to corresponding entity type)")
	f.Lookup("entity-default").NoOptDefVal = "true"
	f.StringVar(&o.addConfig, "add-config", "", "Key Value pairs of configs to add. Square brackets group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'.")
	f.StringVar(&o.addConfigFile, "add-config-file", "", "Path to a properties file with configs to add.")
	f.StringArrayVar(&o.deleteConfig, "delete-config", nil, "config keys to remove 'k1,k2'")
	f.StringVar(&o.topic, "topic", "", "The topic's name.")
	f.StringVar(&o.client, "client", "", "The client's ID.")
	f.BoolVar(&o.clientDefaults, "client-defaults", false, "The config defaults for all clients.")
	f.StringVar(&o.user, "user", "", "The user's principal name.")
	f.BoolVar(&o.userDefaults, "user-defaults", false, "The config defaults for all users.")
	f.StringVar(&o.broker, "broker", "", "The broker's ID.")
	f.BoolVar(&o.brokerDefaults, "broker-defaults", false, "The config defaults for all brokers.")
	f.StringVar(&o.brokerLogger, "broker-logger", "", "The broker's ID for its logger config.")
	f.BoolVar(&o.ipDefaults, "ip-defaults", false, "The config defaults for all IPs.")
	f.StringVar(&o.ip, "ip", "", "The IP address.")
	f.StringVar(&o.group, "group", "", "The group's ID.")
	f.StringVar(&o.clientMetrics, "client-metrics", "", "The client metrics config resource name.")
	return kafkaTool(cmd, func(cmd *cobra.Command) error { return runConfigs(cmd, o) })
}

type entityFlag struct {
	flag, typ string
	value     *string // nil for a *-defaults flag
}

func (o *configsOpts) entityFlags() []entityFlag {
	return []entityFlag{
		{"topic", entityTopics, &o.topic}, {"client", entityClients, &o.client}, {"user", entityUsers, &o.user},
		{"broker", entityBrokers, &o.broker}, {"broker-logger", entityBrokerLoggers, &o.brokerLogger},
		{"ip", entityIPs, &o.ip}, {"client-metrics", entityClientMetrics, &o.clientMetrics}, {"group", entityGroups, &o.group},
		{"client-defaults", entityClients, nil}, {"user-defaults", entityUsers, nil},
		{"broker-defaults", entityBrokers, nil}, {"ip-defaults", entityIPs, nil},
	}
}

// entities returns the entity types and names ("" meaning the default
// entity) in Kafka's order: --entity-type/--entity-name pairs, then the
// specific entity flags.
func (o *configsOpts) entities(fs *pflag.FlagSet) (types, names []string) {
	types = append(types, o.entityType...)
	names = append(names, o.entity.names...)
	for _, ef := range o.entityFlags() {
		if fs.Changed(ef.flag) {
			types = append(types, ef.typ)
			if ef.value != nil {
				names = append(names, *ef.value)
			} else {
				names = append(names, "")
			}
		}
	}
	return types, names
}

func (o *configsOpts) validate(fs *pflag.FlagSet) error {
	if o.alter == o.describe {
		return errors.New("command must include exactly one action: --describe, --alter")
	}
	if o.describe && (fs.Changed("add-config") || fs.Changed("delete-config") || fs.Changed("add-config-file")) {
		return errors.New(`option "[describe]" can't be used with option "[add-config]", "[add-config-file]" or "[delete-config]"`)
	}
	types, names := o.entities(fs)
	seen := map[string]bool{}
	for _, t := range types {
		if seen[t] {
			return fmt.Errorf("duplicate entity type(s) specified: %s", t)
		}
		seen[t] = true
	}
	if o.bootstrap == "" && o.bootstrapController == "" {
		return errors.New("either --bootstrap-server or --bootstrap-controller must be specified")
	}
	if o.bootstrap != "" && o.bootstrapController != "" {
		return errors.New("only one of --bootstrap-server or --bootstrap-controller can be specified")
	}
	for _, t := range types {
		if !contains(supportedEntityTypes, t) {
			return fmt.Errorf("invalid entity type %s, the entity type must be one of %s with a --bootstrap-server or --bootstrap-controller argument",
				t, strings.Join(supportedEntityTypes, ", "))
		}
	}
	if len(types) == 0 {
		return errors.New("at least one entity type must be specified")
	}
	if len(types) > 1 && !(len(types) == 2 && seen[entityUsers] && seen[entityClients]) {
		return errors.New("only 'users' and 'clients' entity types may be specified together")
	}
	specific := false
	for _, ef := range o.entityFlags() {
		specific = specific || fs.Changed(ef.flag)
	}
	if specific && (fs.Changed("entity-type") || fs.Changed("entity-name") || fs.Changed("entity-default")) {
		return errors.New("--entity-{type,name,default} should not be used in conjunction with specific entity flags")
	}
	hasName, hasDefault := false, false
	for _, n := range names {
		hasName = hasName || n != ""
		hasDefault = hasDefault || n == ""
	}
	if hasName && (seen[entityBrokers] || seen[entityBrokerLoggers]) {
		for _, n := range names {
			if _, err := strconv.Atoi(n); n != "" && err != nil {
				return fmt.Errorf("the entity name for %s must be a valid integer broker id, but it is: %s", types[0], n)
			}
		}
	}
	if hasName && seen[entityIPs] {
		for _, n := range names {
			if n != "" && net.ParseIP(n) == nil {
				if _, err := net.LookupHost(n); err != nil {
					return fmt.Errorf("the entity name for %s must be a valid IP or resolvable host, but it is: %s", types[0], n)
				}
			}
		}
	}
	quotaOrBroker := seen[entityUsers] || seen[entityClients] || seen[entityBrokers] || seen[entityIPs]
	if o.describe {
		if !quotaOrBroker && fs.Changed("entity-default") {
			return fmt.Errorf("--entity-default must not be specified with --describe of %s", strings.Join(types, ","))
		}
		if seen[entityBrokerLoggers] && !hasName {
			return fmt.Errorf("an entity name must be specified with --describe of %s", strings.Join(types, ","))
		}
	}
	if o.alter {
		if quotaOrBroker {
			if !hasName && !hasDefault {
				return errors.New("an entity-name or default entity must be specified with --alter of users, clients, brokers or ips")
			}
		} else if !hasName {
			return fmt.Errorf("an entity name must be specified with --alter of %s", strings.Join(types, ","))
		}
		if len(types) != len(names) {
			return errors.New("an entity name must be specified for every entity type")
		}
		add, file, del := fs.Changed("add-config"), fs.Changed("add-config-file"), fs.Changed("delete-config")
		if add && file {
			return errors.New("only one of --add-config or --add-config-file must be specified")
		}
		if !add && !file && !del {
			return errors.New("at least one of --add-config, --add-config-file, or --delete-config must be specified with --alter")
		}
	}
	return nil
}

func runConfigs(cmd *cobra.Command, o *configsOpts) error {
	fs := cmd.Flags()
	if err := o.validate(fs); err != nil {
		return err
	}
	bootstrap := o.bootstrap
	if bootstrap == "" {
		bootstrap = o.bootstrapController
	}
	cl, adm, err := newAdmin(cmd, bootstrap, o.commandConfig)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(cmdContext(cmd), adminTimeout)
	defer cancel()
	types, names := o.entities(fs)
	c := &configsRun{cmd: cmd, cl: cl, adm: adm, o: o}
	if o.alter {
		return c.alter(ctx, types, names)
	}
	return c.describeEntities(ctx, types, names)
}

type configsRun struct {
	cmd *cobra.Command
	cl  *kgo.Client
	adm *kadm.Client
	o   *configsOpts
}

// resourceKind maps an entity type onto its DescribeConfigs resource type
// and the config source that counts as "dynamic" for it (0: any source).
func resourceKind(entityType, name string) (kmsg.ConfigResourceType, kmsg.ConfigSource, error) {
	switch entityType {
	case entityTopics:
		return kmsg.ConfigResourceTypeTopic, kmsg.ConfigSourceDynamicTopicConfig, nil
	case entityBrokers:
		if name == "" {
			return kmsg.ConfigResourceTypeBroker, kmsg.ConfigSourceDynamicDefaultBrokerConfig, nil
		}
		return kmsg.ConfigResourceTypeBroker, kmsg.ConfigSourceDynamicBrokerConfig, nil
	case entityBrokerLoggers:
		return kmsg.ConfigResourceTypeBrokerLogger, 0, nil
	case entityClientMetrics:
		return kmsg.ConfigResourceTypeClientMetrics, kmsg.ConfigSource(7), nil
	case entityGroups:
		return kmsg.ConfigResourceTypeGroupConfig, kmsg.ConfigSource(8), nil
	}
	return 0, 0, fmt.Errorf("invalid entity type: %s", entityType)
}

// configSourceName is Kafka's ConfigEntry.ConfigSource enum name.
func configSourceName(s kmsg.ConfigSource) string {
	switch s {
	case 7:
		return "DYNAMIC_CLIENT_METRICS_CONFIG"
	case 8:
		return "DYNAMIC_GROUP_CONFIG"
	}
	return s.String()
}

func singular(entityType string) string { return strings.TrimSuffix(entityType, "s") }

// entityLabel names an entity in error messages: "topic x", "default brokers".
func entityLabel(entityType, name string) string {
	if name == "" {
		return "default " + entityType
	}
	return singular(entityType) + " " + name
}

// resourceConfig describes one resource and returns its entries sorted by
// name, keeping only dynamic ones unless all is set.
func (c *configsRun) resourceConfig(ctx context.Context, entityType, name string, synonyms, all bool) ([]kmsg.DescribeConfigsResponseResourceConfig, error) {
	rt, dynamic, err := resourceKind(entityType, name)
	if err != nil {
		return nil, err
	}
	req := kmsg.NewPtrDescribeConfigsRequest()
	req.IncludeSynonyms = synonyms
	r := kmsg.NewDescribeConfigsRequestResource()
	r.ResourceType, r.ResourceName = rt, name
	req.Resources = append(req.Resources, r)
	resp, err := req.RequestWith(ctx, c.cl)
	if err != nil {
		return nil, fmt.Errorf("describe configs of %s: %w", entityLabel(entityType, name), err)
	}
	if len(resp.Resources) != 1 {
		return nil, fmt.Errorf("describe configs of %s: broker returned %d resources", entityLabel(entityType, name), len(resp.Resources))
	}
	res := resp.Resources[0]
	if err := brokerError(res.ErrorCode, res.ErrorMessage); err != nil {
		return nil, fmt.Errorf("%s: %w", entityLabel(entityType, name), err)
	}
	var entries []kmsg.DescribeConfigsResponseResourceConfig
	for _, e := range res.Configs {
		if all || dynamic == 0 || e.Source == dynamic {
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries, nil
}

func strOrNull(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func (c *configsRun) describeEntities(ctx context.Context, types, names []string) error {
	switch types[0] {
	case entityUsers, entityClients, entityIPs:
		return c.describeQuotas(ctx, types, names)
	}
	entityType := types[0]
	out := c.cmd.OutOrStdout()
	var entities []string
	if len(names) > 0 {
		name := names[0]
		if !c.o.all {
			exists, err := c.entityExists(ctx, entityType, name)
			if err != nil {
				return err
			}
			if !exists {
				fmt.Fprintf(out, "The %s '%s' doesn't exist and doesn't have dynamic config.\n", singular(entityType), name)
				return nil
			}
		}
		entities = []string{name}
	} else {
		var err error
		if entities, err = c.listEntities(ctx, entityType); err != nil {
			return err
		}
	}
	for _, entity := range entities {
		if entity == "" {
			fmt.Fprintf(out, "Default configs for %s in the cluster are:\n", entityType)
		} else {
			source := "Dynamic"
			if c.o.all {
				source = "All"
			}
			fmt.Fprintf(out, "%s configs for %s %s are:\n", source, singular(entityType), entity)
		}
		entries, err := c.resourceConfig(ctx, entityType, entity, true, c.o.all)
		if err != nil {
			return err
		}
		for _, e := range entries {
			syn := make([]string, len(e.ConfigSynonyms))
			for i, s := range e.ConfigSynonyms {
				syn[i] = configSourceName(s.Source) + ":" + s.Name + "=" + strOrNull(s.Value)
			}
			fmt.Fprintf(out, "  %s=%s sensitive=%t synonyms={%s}\n", e.Name, strOrNull(e.Value), e.IsSensitive, strings.Join(syn, ", "))
		}
	}
	return nil
}

func (c *configsRun) entityExists(ctx context.Context, entityType, name string) (bool, error) {
	switch entityType {
	case entityTopics:
		topics, err := c.adm.ListTopicsWithInternal(ctx)
		if err != nil {
			return false, fmt.Errorf("list topics: %w", err)
		}
		return topics.Has(name), nil
	case entityBrokers, entityBrokerLoggers:
		if name == "" {
			return true, nil
		}
		brokers, err := c.adm.ListBrokers(ctx)
		if err != nil {
			return false, fmt.Errorf("describe cluster: %w", err)
		}
		for _, b := range brokers {
			if strconv.Itoa(int(b.NodeID)) == name {
				return true, nil
			}
		}
		return false, nil
	case entityClientMetrics, entityGroups:
		all, err := c.listEntities(ctx, entityType)
		if err != nil {
			return false, err
		}
		return contains(all, name), nil
	}
	return false, fmt.Errorf("invalid entity type: %s", entityType)
}

// listEntities lists every entity of a type, as describe without a name does.
func (c *configsRun) listEntities(ctx context.Context, entityType string) ([]string, error) {
	var names []string
	switch entityType {
	case entityTopics:
		topics, err := c.adm.ListTopicsWithInternal(ctx)
		if err != nil {
			return nil, fmt.Errorf("list topics: %w", err)
		}
		names = topics.Names()
	case entityBrokers, entityBrokerLoggers:
		brokers, err := c.adm.ListBrokers(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe cluster: %w", err)
		}
		for _, id := range brokers.NodeIDs() {
			names = append(names, strconv.Itoa(int(id)))
		}
		return append(names, ""), nil // the cluster-wide default comes last
	case entityClientMetrics:
		res, err := c.adm.ListConfigResources(ctx, kmsg.ConfigResourceTypeClientMetrics)
		if err != nil {
			return nil, fmt.Errorf("list client-metrics resources: %w", err)
		}
		names = res.Names()
	case entityGroups:
		groups, err := c.adm.ListGroups(ctx)
		if err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		set := map[string]bool{}
		for _, g := range groups.Groups() {
			set[g] = true
		}
		// Groups with configs but no members exist only as config resources;
		// brokers without that API just have none to add.
		if res, err := c.adm.ListConfigResources(ctx, kmsg.ConfigResourceTypeGroupConfig); err == nil {
			for _, r := range res.Names() {
				set[r] = true
			}
		}
		for g := range set {
			names = append(names, g)
		}
	default:
		return nil, fmt.Errorf("invalid entity type: %s", entityType)
	}
	sort.Strings(names)
	return names, nil
}

var configKeyRE = regexp.MustCompile(`^[$a-zA-Z0-9._-]*$`)

// parseAddConfig parses --add-config "k1=v1,k2=[a,b]": commas inside
// brackets belong to the value, and the brackets are dropped.
func parseAddConfig(s string) (map[string]string, error) {
	props := map[string]string{}
	badFormat := errors.New(`invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]" to group values which contain commas`)
	for _, pair := range splitOutsideBrackets(s, ',') {
		kv := splitOutsideBrackets(pair, '=')
		if len(kv) != 2 {
			return nil, badFormat
		}
		value := strings.NewReplacer("[", "", "]", "").Replace(kv[1])
		props[strings.TrimSpace(kv[0])] = strings.TrimSpace(value)
	}
	return props, nil
}

// splitOutsideBrackets splits s on sep where sep is not inside [...].
func splitOutsideBrackets(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

func (c *configsRun) configsToAdd() (map[string]string, error) {
	props := map[string]string{}
	if c.o.addConfigFile != "" {
		file, err := loadProperties(c.o.addConfigFile)
		if err != nil {
			return nil, err
		}
		props = mergeProps(props, file)
	}
	if c.o.addConfig != "" {
		add, err := parseAddConfig(c.o.addConfig)
		if err != nil {
			return nil, err
		}
		props = mergeProps(props, add)
	}
	for k := range props {
		if !configKeyRE.MatchString(k) {
			return nil, fmt.Errorf("invalid character found for config key: %s", k)
		}
	}
	return props, nil
}

func (c *configsRun) configsToDelete() []string {
	var keys []string
	for _, v := range c.o.deleteConfig {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func (c *configsRun) alter(ctx context.Context, types, names []string) error {
	add, err := c.configsToAdd()
	if err != nil {
		return err
	}
	del := c.configsToDelete()
	entityType, name := types[0], names[0]
	switch entityType {
	case entityUsers, entityClients, entityIPs:
		err = c.alterQuotas(ctx, types, names, add, del)
	default:
		err = c.alterResource(ctx, entityType, name, add, del)
	}
	if err != nil {
		return err
	}
	out := c.cmd.OutOrStdout()
	if name != "" {
		fmt.Fprintf(out, "Completed updating config for %s %s.\n", singular(entityType), name)
	} else {
		fmt.Fprintf(out, "Completed updating default config for %s in the cluster.\n", entityType)
	}
	return nil
}

func (c *configsRun) alterResource(ctx context.Context, entityType, name string, add map[string]string, del []string) error {
	rt, _, err := resourceKind(entityType, name)
	if err != nil {
		return err
	}
	// Kafka 4.3 sends deletions of unset configs as they are (the broker
	// ignores them); only broker-logger names are checked first.
	if entityType == entityBrokerLoggers {
		current, err := c.resourceConfig(ctx, entityType, name, false, false)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, e := range current {
			have[e.Name] = true
		}
		var invalid []string
		for _, k := range append(del, keysOf(add)...) {
			if !have[k] {
				invalid = append(invalid, k)
			}
		}
		if len(invalid) > 0 {
			return fmt.Errorf("invalid broker logger(s): %s", strings.Join(invalid, ","))
		}
	}
	r := kmsg.NewIncrementalAlterConfigsRequestResource()
	r.ResourceType, r.ResourceName = rt, name
	for _, k := range del {
		cfg := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
		cfg.Name, cfg.Op = k, kmsg.IncrementalAlterConfigOpDelete
		r.Configs = append(r.Configs, cfg)
	}
	keys := make([]string, 0, len(add))
	for k := range add {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cfg := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
		cfg.Name, cfg.Op, cfg.Value = k, kmsg.IncrementalAlterConfigOpSet, kmsg.StringPtr(add[k])
		r.Configs = append(r.Configs, cfg)
	}
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	req.Resources = append(req.Resources, r)
	resp, err := req.RequestWith(ctx, c.cl)
	if err != nil {
		return fmt.Errorf("alter configs of %s: %w", entityLabel(entityType, name), err)
	}
	for _, res := range resp.Resources {
		if err := brokerError(res.ErrorCode, res.ErrorMessage); err != nil {
			return fmt.Errorf("%s: %w", entityLabel(entityType, name), err)
		}
	}
	return nil
}

// quotaEntityType maps a kafka-configs entity type onto a quota entity type.
func quotaEntityType(t string) (string, error) {
	switch t {
	case entityUsers:
		return "user", nil
	case entityClients:
		return "client-id", nil
	case entityIPs:
		return "ip", nil
	}
	return "", fmt.Errorf("unexpected entity type %s", t)
}

// quotaKeys are the quota configs each quota entity accepts.
var quotaKeys = map[string][]string{
	entityUsers:   {"consumer_byte_rate", "controller_mutation_rate", "producer_byte_rate", "request_percentage"},
	entityClients: {"consumer_byte_rate", "controller_mutation_rate", "producer_byte_rate", "request_percentage"},
	entityIPs:     {"connection_creation_rate"},
}

func (c *configsRun) quotaFilter(types, names []string) ([]kadm.DescribeClientQuotaComponent, error) {
	var comps []kadm.DescribeClientQuotaComponent
	for i, t := range types {
		qt, err := quotaEntityType(t)
		if err != nil {
			return nil, err
		}
		comp := kadm.DescribeClientQuotaComponent{Type: qt}
		switch {
		case i >= len(names):
			comp.MatchType = kmsg.QuotasMatchTypeAny
		case names[i] == "":
			comp.MatchType = kmsg.QuotasMatchTypeDefault
		default:
			comp.MatchType = kmsg.QuotasMatchTypeExact
			comp.MatchName = kmsg.StringPtr(names[i])
		}
		comps = append(comps, comp)
	}
	return comps, nil
}

func (c *configsRun) describeQuotas(ctx context.Context, types, names []string) error {
	if len(names) > len(types) {
		return errors.New("more entity names specified than entity types")
	}
	comps, err := c.quotaFilter(types, names)
	if err != nil {
		return err
	}
	quotas, err := c.adm.DescribeClientQuotas(ctx, true, comps)
	if err != nil {
		return fmt.Errorf("describe client quotas: %w", err)
	}
	out := c.cmd.OutOrStdout()
	for _, q := range quotas {
		var parts []string
		for _, qt := range []struct{ typ, label string }{{"user", "user-principal"}, {"client-id", "client-id"}, {"ip", "ip"}} {
			for _, comp := range q.Entity {
				if comp.Type != qt.typ {
					continue
				}
				if comp.Name == nil || *comp.Name == "" {
					parts = append(parts, "the default "+qt.label)
				} else {
					parts = append(parts, fmt.Sprintf("%s '%s'", qt.label, *comp.Name))
				}
			}
		}
		vals := make([]string, len(q.Values))
		for i, v := range q.Values {
			vals[i] = v.Key + "=" + javaDouble(v.Value)
		}
		sort.Strings(vals) // Kafka prints a hash map; sorted is stable
		fmt.Fprintf(out, "Quota configs for %s are %s\n", strings.Join(parts, ", "), strings.Join(vals, ", "))
	}
	return nil
}

func (c *configsRun) alterQuotas(ctx context.Context, types, names []string, add map[string]string, del []string) error {
	for _, t := range types {
		for _, k := range append(keysOf(add), del...) {
			if strings.HasPrefix(k, "SCRAM-SHA-") && t == entityUsers {
				return fmt.Errorf("SCRAM credential configs (%s) are not supported by this tool yet", k)
			}
			if !contains(quotaKeys[t], k) {
				return fmt.Errorf("only quota configs can be added or deleted for '%s' using --bootstrap-server. Unexpected config names: %s", t, k)
			}
		}
	}
	comps, err := c.quotaFilter(types, names)
	if err != nil {
		return err
	}
	current, err := c.adm.DescribeClientQuotas(ctx, true, comps)
	if err != nil {
		return fmt.Errorf("describe client quotas: %w", err)
	}
	have := map[string]bool{}
	if len(current) > 0 {
		for _, v := range current[0].Values {
			have[v.Key] = true
		}
	}
	var invalid []string
	for _, k := range del {
		if !have[k] {
			invalid = append(invalid, k)
		}
	}
	if len(invalid) > 0 {
		return fmt.Errorf("invalid config(s): %s", strings.Join(invalid, ","))
	}
	var entity kadm.ClientQuotaEntity
	for i, t := range types {
		qt, _ := quotaEntityType(t)
		comp := kadm.ClientQuotaEntityComponent{Type: qt}
		if names[i] != "" {
			comp.Name = kmsg.StringPtr(names[i])
		}
		entity = append(entity, comp)
	}
	var ops []kadm.AlterClientQuotaOp
	for _, k := range keysOf(add) {
		v, err := strconv.ParseFloat(strings.TrimSpace(add[k]), 64)
		if err != nil {
			return fmt.Errorf("cannot parse quota configuration value for %s: %s", k, add[k])
		}
		ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Value: v})
	}
	for _, k := range del {
		ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Remove: true})
	}
	res, err := c.adm.AlterClientQuotas(ctx, []kadm.AlterClientQuotaEntry{{Entity: entity, Ops: ops}})
	if err != nil {
		return fmt.Errorf("alter client quotas: %w", err)
	}
	for _, r := range res {
		if r.Err != nil {
			return brokerErrorFrom(r.Err, r.ErrMessage)
		}
	}
	return nil
}
