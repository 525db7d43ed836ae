/* config.c - declarative key table behind the INI file (rte_cfgfile) and the long options. */
#include "config.h"
#include "config_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#define NUM(n, sec, field, lo, hi, d, h) \
	{ n, sec, K_NUM, offsetof(struct tcpe_config, field), 0, lo, hi, d, h, NULL }
#define SIZE(n, sec, field, lo, hi, d, h) \
	{ n, sec, K_SIZE, offsetof(struct tcpe_config, field), 0, lo, hi, d, h, NULL }
/* a count that takes the K, M, G suffixes too ("N" in --help, not "BYTES") */
#define COUNT(n, sec, field, lo, hi, d, h) \
	{ n, sec, K_SIZE, offsetof(struct tcpe_config, field), 1, lo, hi, d, h, NULL }
#define STR(n, sec, field, d, h) \
	{ n, sec, K_STR, offsetof(struct tcpe_config, field), \
	  sizeof(((struct tcpe_config *)0)->field), 0, 0, d, h, NULL }
#define ENUM(n, sec, field, names, d, h) \
	{ n, sec, K_ENUM, offsetof(struct tcpe_config, field), 0, 0, 0, d, h, names }

/* In enum tcp_cc and enum tcpe_steer order. */
static const char *const cc_names[] = { "newreno", "cubic", "bbr", NULL };
static const char *const steer_names[] = { "auto", "on", "off", NULL };
static const char *const arrivals_names[] = { "off", "constant", "poisson", NULL };	/* enum client_arrivals */

const struct key config_keys[] = {
	STR("greeting", "tcpe", greeting, "hello client", "the hello app's message"),
	SIZE("http-body", "tcpe", http_body, 0, 1ULL << 30, "64", "http response body bytes"),
	SIZE("http-max-bytes", "tcpe", http_max_bytes, 0, 1ULL << 30, "16M",
	     "cap on the size GET /bytes/N returns"),
	SIZE("http-max-header", "tcpe", http_max_header, 256, 1ULL << 20, "8K",
	     "request line + headers limit (431 beyond)"),
	NUM("http-idle-ms", "tcpe", http_idle_ms, 0, 3600000, "60000",
	    "close idle keep-alive connections after this (0: never)"),
	NUM("http-work-ns", "tcpe", http_work_ns, 0, 100000000, "0",
	    "http: CPU spent per response, standing in for an application's work (0: none)"),
	NUM("app-slice-us", "tcpe", app_slice_us, 0, 1000000, "100",
	    "applications' input callbacks may take at most this long per worker iteration, then "
	    "the port is polled again and the rest waits its turn (0: no limit)"),
	NUM("rx-coalesce-us", "tcpe", rx_coalesce_us, 0, 100, "0",
	    "after an iteration that caught up (receive bursts short of full, nothing left over), "
	    "poll again only this long after it began, so frames are answered in batches: less CPU "
	    "per packet at moderate rates for up to this much more latency per hop (ethtool's "
	    "rx-usecs for a poll-mode loop; 0: poll back to back)"),
	SIZE("bulk-bytes", "tcpe", bulk_bytes, 0, 1ULL << 50, "1G", "bulk bytes per connection"),
	COUNT("max-conns", "tcpe", max_conns, 16, 1ULL << 24, "65536",
	     "connection records per worker"),
	COUNT("mbufs", "tcpe", mbufs, 2048, 1ULL << 24, "65536",
	     "mbufs per NUMA socket for what is sent: send queues and frames in flight"),
	COUNT("rx-mbufs", "tcpe", rx_mbufs, 0, 1ULL << 24, "0",
	     "mbufs per NUMA socket for receiving (0: what its workers' rings and holdings need)"),
	NUM("rx-desc", "tcpe", rx_desc, 32, 32768, "1024",
	    "RX descriptors per queue, rounded to the driver's limits (the queue a burst waits in "
	    "before a worker reads it; net_memif takes its ring size from the memif client's rsize)"),
	NUM("tx-desc", "tcpe", tx_desc, 32, 32768, "1024",
	    "TX descriptors per queue, rounded to the driver's limits"),
	NUM("stats-interval", "tcpe", stats_interval, 0, 3600, "1",
	    "console report period in seconds (0: off)"),
	STR("stats-json", "tcpe", stats_json, "", "append one JSON object per report to FILE"),
	STR("summary-json", "tcpe", summary_json, "",
	    "at exit, write the run's options, totals, per-second series and latency histogram to "
	    "FILE (scripts/tcpe-report merges them)"),
	STR("prometheus", "tcpe", prometheus, "", "serve Prometheus metrics on ADDR:PORT"),
	NUM("trace", "tcpe", trace, 0, 1000000, "0",
	    "print the segment trace of the first N connections of each worker"),
	NUM("duration", "tcpe", duration, 0, 1000000000, "0", "stop after SEC seconds (0: never)"),
	NUM("mss", "tcp", mss, 536, 1460, "1460", "MSS we announce and send"),
	SIZE("rcv-wnd", "tcp", rcv_wnd, 1024, 1ULL << 30, "1M",
	     "receive window in bytes (above 64K needs the peer's window scaling)"),
	NUM("wscale", "tcp", wscale, 0, 1, "1", "offer window scaling (RFC 7323)"),
	NUM("timestamps", "tcp", timestamps, 0, 1, "1", "offer timestamps and PAWS (RFC 7323)"),
	NUM("sack", "tcp", sack, 0, 1, "1", "accept SACK-permitted; send SACK blocks (RFC 2018)"),
	NUM("delack-ms", "tcp", delack_ms, 0, 500, "40",
	    "delayed-ACK timeout; every second segment is ACKed at once (0: ACK every segment)"),
	STR("connect", "client", connect, "",
	    "client mode: open connections to ADDR:PORT ([ADDR6]:PORT for IPv6)"),
	STR("request", "client", request, "http",
	    "what each client connection does: http[:PATH], hello, echo:BYTES or bulk"),
	NUM("pipeline", "client", pipeline, 1, 64, "1",
	    "http: requests sent at once on a connection, before their responses"),
	NUM("rate", "client", rate, 0, 100000000, "0",
	    "new connections per second over all workers (0: as fast as possible)"),
	NUM("concurrency", "client", concurrency, 0, 100000000, "0",
	    "keep N connections open and reuse them (0: a connection per request, --rate)"),
	STR("mix", "client", mix, "",
	    "http: PATH[@WEIGHT],... each request's target drawn by weight (e.g. "
	    "/bytes/64@80,/bytes/20000@15,/bytes/1000000@5; weight 1 if not given)"),
	ENUM("arrivals", "client", arrivals, arrivals_names, "off",
	     "open-loop --rate: constant or poisson; connections start on schedule whether or not "
	     "earlier ones finished, latency counts from the scheduled start (off: a stall's backlog "
	     "is skipped)"),
	NUM("ramp", "client", ramp_s, 0, 86400, "0", "raise --rate linearly from 0 over SEC seconds"),
	NUM("requests-per-conn", "client", requests_per_conn, 0, 1000000000, "0",
	    "close a kept connection after N requests (0: never)"),
	STR("source-ips", "client", source_ips, "",
	    "client source addresses FIRST[-LAST] in port 0's subnet, ~64K ports each (default: --ip)"),
	ENUM("steer", "tcpe", steer, steer_names, "auto",
	     "software steering between workers: auto (ports without RSS), on, off"),
	ENUM("cc", "tcp", cc, cc_names, "newreno",
	     "congestion control for what we send: newreno, cubic or bbr (model-based, paced)"),
	NUM("init-cwnd", "tcp", init_cwnd, 1, 100, "10", "initial congestion window in segments (RFC 6928)"),
	COUNT("ooo-pkts", "tcp", ooo_pkts, 16, 1ULL << 20, "4096",
	     "out-of-order packets held per worker, at most 768 per connection"),
	NUM("ooo-max-age-ms", "tcp", ooo_max_age_ms, 100, 3600000, "10000",
	    "give up out-of-order data whose hole has not moved for this long (the peer resends it)"),
	COUNT("rcv-hold-pkts", "tcp", rcv_hold_pkts, 16, 1ULL << 20, "4096",
	     "received packets held per worker for applications that cannot take them yet"),
	COUNT("max-orphans", "tcp", max_orphans, 0, 1ULL << 24, "0",
	     "closed connections per worker still waiting for their peer (0: max-conns / 4); beyond, "
	     "the oldest is reset"),
	NUM("orphan-retries", "tcp", orphan_retries, 1, 30, "3",
	    "retransmissions and unanswered zero-window probes of a closed connection before reset"),
	NUM("idle-ms", "tcp", idle_ms, 0, 86400000, "0",
	    "close echo, discard and bulk connections idle this long (0: never)"),
	NUM("keepalive-s", "tcp", keepalive_s, 0, 86400, "0",
	    "idle seconds before keepalive probes (0: off)"),
	NUM("keepalive-intvl-s", "tcp", keepalive_intvl_s, 1, 3600, "75", "seconds between keepalive probes"),
	NUM("keepalive-probes", "tcp", keepalive_probes, 1, 100, "9",
	    "unanswered keepalive probes before the connection is reset"),
	SIZE("sndbuf", "tcp", sndbuf, 4096, 64ULL << 20, "256K",
	     "send budget per connection: what it may keep queued (acknowledged data leaves it)"),
	SIZE("sndbuf-max", "tcp", sndbuf_max, 4096, 64ULL << 20, "4M",
	     "the send budget grows with the congestion window up to this: 6x the window, 8x with "
	     "--cc bbr (Linux's autotuning in payload bytes; at or below --sndbuf: no growth)"),
	NUM("rto-init-ms", "tcp", rto_init_ms, 10, 60000, "1000", "initial RTO (RFC 6298: 1 s)"),
	NUM("rto-min-ms", "tcp", rto_min_ms, 1, 60000, "200",
	    "floor of the RTO computed from RTT samples (Linux uses 200 ms)"),
	NUM("rto-max-ms", "tcp", rto_max_ms, 100, 600000, "60000", "RTO backoff ceiling"),
	NUM("synack-retries", "tcp", synack_retries, 0, 20, "5", "SYN-ACK retransmissions"),
	COUNT("syn-backlog", "tcp", syn_backlog, 1, 1ULL << 24, "4096",
	     "half-open (SYN_RCVD) records per worker before SYNs are answered with cookies"),
	NUM("syncookies", "tcp", syncookies, 0, 1, "1",
	    "answer SYNs statelessly when the backlog or the record pool is full (0: drop them)"),
	NUM("data-retries", "tcp", data_retries, 1, 30, "10",
	    "data/FIN retransmissions before reset"),
	NUM("challenge-ack-limit", "tcp", challenge_ack_limit, 0, 1000000, "1000",
	    "challenge ACKs per second per worker, randomised +-50 % (0: no limit)"),
	NUM("time-wait-ms", "tcp", time_wait_ms, 1, 600000, "60000", "TIME_WAIT length (2*MSL)"),
	COUNT("time-wait-max", "tcp", time_wait_max, 16, 1ULL << 26, "256K",
	     "compact TIME_WAIT entries per worker (40 bytes each); the oldest leaves early when full"),
	NUM("fin-wait2-ms", "tcp", fin_wait2_ms, 1, 600000, "60000",
	    "orphaned FIN_WAIT_2 timeout"),
};

const unsigned int config_nkeys = RTE_DIM(config_keys);

/* Application names come from the applications themselves (lib/apps), the one list. */
const char *
config_app_name(unsigned int app)
{
	const struct tcpe_app *a = apps_get(app);

	return a != NULL ? a->name : "?";
}

/* "newreno or cubic", "auto, on or off" for messages. */
static const char *
choice_list(const char *const *names, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; names[i] != NULL && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", i == 0 ? "" :
				       names[i + 1] == NULL ? " or " : ", ", names[i]);
	return buf;
}

const char *
config_app_list(char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int a = 0; a < APP__COUNT && at < n; a++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", a ? ", " : "", config_app_name(a));
	return buf;
}

/* Strict unsigned decimal with an optional K/M/G (binary) suffix for sizes. */
int
config_parse_u64(const char *s, bool suffix, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	if (suffix && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; end++; break;
		case 'm': case 'M': mul = 1ULL << 20; end++; break;
		case 'g': case 'G': mul = 1ULL << 30; end++; break;
		default: break;
		}
	}
	if (*end != '\0' || (v != 0 && mul > UINT64_MAX / v))
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static int
set_key(struct tcpe_config *cfg, const struct key *k, const char *val, const char *where,
	FILE *err)
{
	uint64_t v;

	if (k->type == K_STR) {
		if (strlen(val) >= k->size) {
			fprintf(err, "tcpe: %s: value longer than %zu bytes\n", where, k->size - 1);
			return -EINVAL;
		}
		strcpy((char *)cfg + k->off, val);
		return 0;
	}
	if (k->type == K_ENUM) {
		char names[96];

		for (unsigned int i = 0; k->choices[i] != NULL; i++) {
			if (strcmp(val, k->choices[i]) == 0) {
				*(uint64_t *)((char *)cfg + k->off) = i;
				return 0;
			}
		}
		fprintf(err, "tcpe: %s: '%s' is not %s\n", where, val,
			choice_list(k->choices, names, sizeof(names)));
		return -EINVAL;
	}
	if (config_parse_u64(val, k->type == K_SIZE, &v) != 0) {
		fprintf(err, "tcpe: %s: '%s' is not a%s\n", where, val,
			k->type == K_SIZE ? " size (digits with an optional K, M or G suffix)" :
					    "n unsigned number");
		return -EINVAL;
	}
	if (v < k->min || v > k->max) {
		fprintf(err, "tcpe: %s: '%s' is out of range (%llu..%llu)\n", where, val,
			(unsigned long long)k->min, (unsigned long long)k->max);
		return -EINVAL;
	}
	*(uint64_t *)((char *)cfg + k->off) = v;
	return 0;
}

static const struct key *
find_key(const char *section, const char *name)
{
	for (unsigned int i = 0; i < RTE_DIM(config_keys); i++)
		if ((section == NULL || strcmp(config_keys[i].section, section) == 0) &&
		    strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

static int
set_port_key(struct tcpe_config *cfg, unsigned int port, const char *name, const char *val,
	     const char *where, FILE *err)
{
	struct tcpe_port_cfg *p = &cfg->ports[port];

	if (strcmp(name, "ip") == 0) {
		if (config_parse_prefix(val, &p->ip, &p->prefix) != 0) {
			fprintf(err, "tcpe: %s: '%s' is not an IPv4 ADDR/PREFIX (e.g. 198.18.0.1/24)\n",
				where, val);
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(name, "gateway") == 0) {
		if (config_parse_addr(val, &p->gateway) != 0) {
			fprintf(err, "tcpe: %s: '%s' is not an IPv4 address\n", where, val);
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(name, "ip6") == 0) {
		if (config_parse_prefix6(val, p->ip6, &p->prefix6) != 0) {
			fprintf(err, "tcpe: %s: '%s' is not a unicast IPv6 ADDR/PREFIX "
				"(e.g. 2001:2::1/64)\n", where, val);
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(name, "gateway6") == 0) {
		if (inet_pton(AF_INET6, val, p->gateway6) != 1 || config_check_ip6(p->gateway6) != 0) {
			memset(p->gateway6, 0, sizeof(p->gateway6));
			fprintf(err, "tcpe: %s: '%s' is not a unicast IPv6 address\n", where, val);
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(name, "vlan") == 0) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || v < 1 || v > 4094 || *val == '-') {
			fprintf(err, "tcpe: %s: '%s' is not a VLAN ID (1..4094)\n", where, val);
			return -EINVAL;
		}
		p->vlan = (uint16_t)v;
		return 0;
	}
	fprintf(err, "tcpe: %s: unknown key (port sections take ip, gateway, ip6, gateway6, vlan)\n",
		where);
	return -EINVAL;
}

/* Add or replace a listener. */
static int
add_listen(struct tcpe_config *cfg, const char *port, const char *app, const char *where,
	   FILE *err)
{
	uint64_t p;
	unsigned int a, i;

	if (config_parse_u64(port, false, &p) != 0 || p < 1 || p > 65535) {
		fprintf(err, "tcpe: %s: port '%s' is not in 1..65535\n", where, port);
		return -EINVAL;
	}
	a = (unsigned int)apps_find(app);
	if (a >= APP__COUNT) {
		char names[128];

		fprintf(err, "tcpe: %s: unknown app '%s' (one of: %s)\n", where, app,
			config_app_list(names, sizeof(names)));
		return -EINVAL;
	}
	for (i = 0; i < cfg->nlisten; i++)
		if (cfg->listen[i].port == p)
			break;
	if (i == cfg->nlisten) {
		if (cfg->nlisten == TCPE_MAX_LISTEN) {
			fprintf(err, "tcpe: %s: more than %d listeners\n", where, TCPE_MAX_LISTEN);
			return -EINVAL;
		}
		cfg->nlisten++;
	}
	cfg->listen[i].port = (uint16_t)p;
	cfg->listen[i].app = (uint8_t)a;
	return 0;
}

static int
listen_opt(struct tcpe_config *cfg, const char *arg, FILE *err)
{
	char buf[64];
	char *colon;

	if (strlen(arg) >= sizeof(buf) || (colon = strchr(strcpy(buf, arg), ':')) == NULL) {
		fprintf(err, "tcpe: --listen: '%s' is not PORT:APP (e.g. 42181:hello)\n", arg);
		return -EINVAL;
	}
	*colon = '\0';
	return add_listen(cfg, buf, colon + 1, "--listen", err);
}

static int
load_section(struct tcpe_config *cfg, struct rte_cfgfile *f, const char *path, const char *sec,
	     FILE *err)
{
	int n = rte_cfgfile_section_num_entries(f, sec);
	struct rte_cfgfile_entry *e;
	unsigned int port = 0;
	bool is_port = strncmp(sec, "port", 4) == 0;
	int rc = 0;

	if (is_port) {
		uint64_t p;

		if (config_parse_u64(sec + 4, false, &p) != 0 || p >= TCPE_MAX_PORTS) {
			fprintf(err, "tcpe: %s: [%s]: unknown section (port0..port%d)\n", path, sec,
				TCPE_MAX_PORTS - 1);
			return -EINVAL;
		}
		port = (unsigned int)p;
	} else if (strcmp(sec, "tcpe") != 0 && strcmp(sec, "tcp") != 0 &&
		   strcmp(sec, "listen") != 0 && strcmp(sec, "client") != 0) {
		fprintf(err, "tcpe: %s: [%s]: unknown section (tcpe, tcp, client, listen, portN)\n",
			path, sec);
		return -EINVAL;
	}
	if (n <= 0)
		return 0;
	e = calloc((size_t)n, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	n = rte_cfgfile_section_entries(f, sec, e, n);
	for (int i = 0; i < n && rc == 0; i++) {
		char where[sizeof(e[i].name) + 320];
		const struct key *k;

		snprintf(where, sizeof(where), "%s: [%s] %s", path, sec, e[i].name);
		if (is_port) {
			rc = set_port_key(cfg, port, e[i].name, e[i].value, where, err);
		} else if (strcmp(sec, "listen") == 0) {
			rc = add_listen(cfg, e[i].name, e[i].value, where, err);
		} else if ((k = find_key(sec, e[i].name)) != NULL) {
			rc = set_key(cfg, k, e[i].value, where, err);
		} else {
			fprintf(err, "tcpe: %s: unknown key\n", where);
			rc = -EINVAL;
		}
	}
	free(e);
	return rc;
}

/*
 * rte_cfgfile (22.11) silently skips a line that has no '=', which would lose a setting
 * without a word. Check the line syntax first, so every line counts or is reported.
 */
static int
check_lines(FILE *fp, const char *path, FILE *err)
{
	char line[1024];
	unsigned int lineno = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		char *p = line, *end;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' ||
				   end[-1] == '\t'))
			*--end = '\0';
		if (*p == '\0' || *p == ';' || *p == '#')
			continue;
		if (*p == '[' ? end[-1] == ']' && end - p > 2 : (strchr(p, '=') != NULL && *p != '='))
			continue;
		fprintf(err, "tcpe: %s:%u: '%s' is neither '[section]' nor 'key = value'\n", path,
			lineno, p);
		return -EINVAL;
	}
	return 0;
}

static int
load_file(struct tcpe_config *cfg, const char *path, FILE *err)
{
	struct rte_cfgfile *f;
	FILE *probe = fopen(path, "r");
	int nsec, rc = 0;
	char **names;

	if (probe == NULL) {
		fprintf(err, "tcpe: --config: cannot open '%s': %s\n", path, strerror(errno));
		return -EINVAL;
	}
	rc = check_lines(probe, path, err);
	fclose(probe);
	if (rc != 0)
		return rc;
	f = rte_cfgfile_load(path, 0);
	if (f == NULL) {
		fprintf(err, "tcpe: %s: not a valid INI file (a line outside 'key = value' or "
			"'[section]', or a key before any section)\n", path);
		return -EINVAL;
	}
	nsec = rte_cfgfile_num_sections(f, NULL, 0);
	names = calloc((size_t)(nsec > 0 ? nsec : 1), sizeof(*names));
	for (int i = 0; names != NULL && i < nsec; i++)
		names[i] = malloc(CFG_NAME_LEN);
	rte_cfgfile_sections(f, names, nsec);
	for (int i = 0; i < nsec && rc == 0; i++)
		rc = load_section(cfg, f, path, names[i], err);
	for (int i = 0; names != NULL && i < nsec; i++)
		free(names[i]);
	free(names);
	rte_cfgfile_close(f);
	return rc;
}

static void
set_defaults(struct tcpe_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (unsigned int i = 0; i < RTE_DIM(config_keys); i++)
		set_key(cfg, &config_keys[i], config_keys[i].def, config_keys[i].name, stderr);
}

static int
validate(struct tcpe_config *cfg, FILE *err)
{
	for (unsigned int i = 0; i < TCPE_MAX_PORTS; i++) {
		const struct tcpe_port_cfg *p = &cfg->ports[i];
		uint32_t mask = p->prefix ? htonl(~0u << (32 - p->prefix)) : 0;

		if (p->gateway != 0 && p->ip == 0) {
			fprintf(err, "tcpe: port %u has a gateway but no ip\n", i);
			return -EINVAL;
		}
		if (p->vlan != 0 && p->ip == 0) {
			fprintf(err, "tcpe: port %u has a vlan but no ip\n", i);
			return -EINVAL;
		}
		if (p->gateway != 0 && ((p->gateway ^ p->ip) & mask) != 0) {
			fprintf(err, "tcpe: port %u: gateway is outside the port's prefix /%u\n", i,
				p->prefix);
			return -EINVAL;
		}
		if (!config_ip6_none(p->ip6) && p->ip == 0) {
			fprintf(err, "tcpe: port %u has an ip6 but no ip (IPv6 is dual stack)\n", i);
			return -EINVAL;
		}
		if (!config_ip6_none(p->gateway6) && config_ip6_none(p->ip6)) {
			fprintf(err, "tcpe: port %u has a gateway6 but no ip6\n", i);
			return -EINVAL;
		}
		if (!config_ip6_none(p->gateway6) && !config_ip6_link_local(p->gateway6) &&
		    !config_ip6_same_prefix(p->gateway6, p->ip6, p->prefix6)) {
			fprintf(err, "tcpe: port %u: gateway6 is neither link-local (fe80::/10) nor in "
				"the port's ip6 prefix /%u\n", i, p->prefix6);
			return -EINVAL;
		}
	}
	if (cfg->ports[0].ip == 0) {
		fprintf(err, "tcpe: port 0 has no address: give --ip ADDR/PREFIX or [port0] ip\n");
		return -EINVAL;
	}
	if (cfg->rto_min_ms > cfg->rto_init_ms) {
		fprintf(err, "tcpe: rto-min-ms (%llu) is above rto-init-ms (%llu)\n",
			(unsigned long long)cfg->rto_min_ms, (unsigned long long)cfg->rto_init_ms);
		return -EINVAL;
	}
	if (cfg->rto_max_ms < cfg->rto_init_ms) {
		fprintf(err, "tcpe: rto-max-ms (%llu) is below rto-init-ms (%llu)\n",
			(unsigned long long)cfg->rto_max_ms, (unsigned long long)cfg->rto_init_ms);
		return -EINVAL;
	}
	if (cfg->max_orphans == 0)
		cfg->max_orphans = cfg->max_conns / 4;
	if (cfg->prometheus[0] != '\0') {
		uint32_t ip;
		uint16_t port;

		if (config_parse_hostport(cfg->prometheus, &ip, &port) != 0) {
			fprintf(err, "tcpe: --prometheus: '%s' is not ADDR:PORT (e.g. 127.0.0.1:9100 or "
				":9100)\n", cfg->prometheus);
			return -EINVAL;
		}
	}
	if (cfg->greeting[0] == '\0') {
		fprintf(err, "tcpe: greeting: must not be empty\n");
		return -EINVAL;
	}
	if (cfg->connect[0] != '\0' && config_check_client(cfg, err) != 0)
		return -EINVAL;
	if (cfg->nlisten == 0 && cfg->connect[0] == '\0')
		add_listen(cfg, "42181", "hello", "default", err);	/* the seed's server */
	return 0;
}

enum { OPT_IP = 256, OPT_GATEWAY, OPT_VLAN, OPT_IP6, OPT_GATEWAY6, OPT_LISTEN, OPT_VERSION,
       OPT_KEY0 };

/* --ip, --gateway, --vlan, --ip6, --gateway6: port 0's keys of the same names. */
static int
port0_opt(struct tcpe_config *cfg, int opt, const char *val, FILE *err)
{
	static const char *const keys[] = { "ip", "gateway", "vlan", "ip6", "gateway6" };
	const char *k = keys[opt - OPT_IP];
	char where[16];

	snprintf(where, sizeof(where), "--%s", k);
	return set_port_key(cfg, 0, k, val, where, err);
}

/* The long options that are not keys of the table (or parse specially). */
static const struct option fixed_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "ip6", required_argument, NULL, OPT_IP6 },
	{ "gateway6", required_argument, NULL, OPT_GATEWAY6 },
	{ "listen", required_argument, NULL, OPT_LISTEN },
};

int
config_parse(struct tcpe_config *cfg, int argc, char **argv, FILE *err)
{
	struct option lopts[RTE_DIM(config_keys) + RTE_DIM(fixed_opts) + 1];
	unsigned int n = RTE_DIM(fixed_opts);
	int c, rc;

	set_defaults(cfg);
	memcpy(lopts, fixed_opts, sizeof(fixed_opts));
	for (unsigned int i = 0; i < RTE_DIM(config_keys); i++)
		lopts[n++] = (struct option){ config_keys[i].name, required_argument, NULL,
					      OPT_KEY0 + (int)i };
	lopts[n] = (struct option){ NULL, 0, NULL, 0 };

	/* Pass 1: the config file, so that every command-line option overrides it. */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:h", lopts, NULL)) != -1) {
		if (c == 'h') {
			config_usage(stdout, argv[0]);
			return 1;
		}
		if (c == OPT_VERSION) {
			config_version(stdout);
			return 1;
		}
		if (c == 'c') {
			snprintf(cfg->config_file, sizeof(cfg->config_file), "%s", optarg);
			if (load_file(cfg, optarg, err) != 0)
				return -EINVAL;
		}
	}
	/* Pass 2: everything else, in order. */
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:h", lopts, NULL)) != -1) {
		const char *bad = argv[optind - 1];

		switch (c) {
		case 'c':
		case 'h':
		case OPT_VERSION:
			continue;
		case '?':
			fprintf(err, "tcpe: unknown option '%s' (see --help)\n", bad);
			return -EINVAL;
		case ':':
			fprintf(err, "tcpe: option '%s' needs a value\n", bad);
			return -EINVAL;
		case OPT_IP:
		case OPT_GATEWAY:
		case OPT_VLAN:
		case OPT_IP6:
		case OPT_GATEWAY6:
			rc = port0_opt(cfg, c, optarg, err);
			break;
		case OPT_LISTEN:
			rc = listen_opt(cfg, optarg, err);
			break;
		default: {
			const struct key *k = &config_keys[c - OPT_KEY0];
			char where[64];

			snprintf(where, sizeof(where), "--%s", k->name);
			rc = set_key(cfg, k, optarg, where, err);
		}
		}
		if (rc != 0)
			return -EINVAL;
	}
	if (optind < argc) {
		fprintf(err, "tcpe: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -EINVAL;
	}
	return validate(cfg, err);
}

void
config_dump(const struct tcpe_config *cfg, FILE *out)
{
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN], g6[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < RTE_DIM(config_keys); i++) {
		const struct key *k = &config_keys[i];

		if (k->type == K_STR)
			fprintf(out, "%s = %s\n", k->name, (const char *)cfg + k->off);
		else if (k->type == K_ENUM)
			fprintf(out, "%s = %s\n", k->name,
				k->choices[*(const uint64_t *)((const char *)cfg + k->off)]);
		else
			fprintf(out, "%s = %llu\n", k->name,
				(unsigned long long)*(const uint64_t *)((const char *)cfg + k->off));
	}
	for (unsigned int i = 0; i < TCPE_MAX_PORTS; i++) {
		if (cfg->ports[i].ip == 0)
			continue;
		inet_ntop(AF_INET, &cfg->ports[i].ip, a, sizeof(a));
		inet_ntop(AF_INET, &cfg->ports[i].gateway, g, sizeof(g));
		fprintf(out, "port%u.ip = %s/%u\nport%u.gateway = %s\nport%u.vlan = %u\n", i, a,
			cfg->ports[i].prefix, i, cfg->ports[i].gateway ? g : "none", i,
			cfg->ports[i].vlan);
		if (config_ip6_none(cfg->ports[i].ip6))
			continue;
		inet_ntop(AF_INET6, cfg->ports[i].ip6, a6, sizeof(a6));
		inet_ntop(AF_INET6, cfg->ports[i].gateway6, g6, sizeof(g6));
		fprintf(out, "port%u.ip6 = %s/%u\nport%u.gateway6 = %s\n", i, a6,
			cfg->ports[i].prefix6, i, config_ip6_none(cfg->ports[i].gateway6) ? "none" : g6);
	}
	for (unsigned int i = 0; i < cfg->nlisten; i++)
		fprintf(out, "listen.%u = %s\n", cfg->listen[i].port,
			config_app_name(cfg->listen[i].app));
}
